from __future__ import annotations

from django import forms

from portal.forms import GovUKDateInput

from .models import AuditEvent
from .selectors import object_types_present


class AuditFilterForm(forms.Form):
    """The audit log's filters. Every field is optional; an empty form shows everything."""

    user_email = forms.CharField(label="User email address contains", required=False, max_length=254)
    object_type = forms.ChoiceField(label="Record type", required=False)
    object_id = forms.CharField(
        label="Record id",
        required=False,
        max_length=64,
        help_text="The id of one record, for example a notification's number.",
    )
    action = forms.ChoiceField(label="Action", required=False, choices=[("", "Any action"), *AuditEvent.Action.choices])
    date_from = forms.DateField(
        label="From",
        required=False,
        widget=GovUKDateInput(),
        help_text="For example, 27 3 2025",
        error_messages={"invalid": "The from date must be a real date"},
    )
    date_to = forms.DateField(
        label="To",
        required=False,
        widget=GovUKDateInput(),
        help_text="For example, 31 3 2025. Events on this day are included.",
        error_messages={"invalid": "The to date must be a real date"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["object_type"].choices = [("", "Any record type"), *object_types_present()]
        self.fields["object_type"].error_messages["invalid_choice"] = "Select a record type from the list"
        self.fields["action"].error_messages["invalid_choice"] = "Select an action from the list"
        self.fields["user_email"].error_messages["max_length"] = "The email address must be 254 characters or fewer"
        self.fields["object_id"].error_messages["max_length"] = "The record id must be 64 characters or fewer"

    def clean(self):
        cleaned = super().clean()
        date_from, date_to = cleaned.get("date_from"), cleaned.get("date_to")
        if date_from and date_to and date_from > date_to:
            self.add_error("date_to", "The to date must be the same as or after the from date")
        return cleaned

    def filters(self) -> dict:
        """The filters that were given (for the selector, and for the audit event's detail)."""
        return {name: value for name, value in self.cleaned_data.items() if value not in ("", None)}
