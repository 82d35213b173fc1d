from __future__ import annotations

import datetime

from django import forms
from django.utils import timezone

from portal.forms import GovUKDateInput

from .calendar import LONDON
from .models import NotifiedChild


class AcknowledgeForm(forms.Form):
    govuk_page_heading = "action_taken"

    action_taken = forms.ChoiceField(
        label="What action has the school taken?",
        choices=NotifiedChild.Action.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the action the school has taken"},
    )
    action_notes = forms.CharField(
        label="Notes about the action",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Do not repeat the details of the incident.",
    )


YES_NO = [("yes", "Yes"), ("no", "No")]


def _time(value: str) -> datetime.time:
    text = value.strip().replace(".", ":")
    try:
        hour, minute = (int(part) for part in text.split(":"))
        return datetime.time(hour, minute)
    except ValueError:
        raise forms.ValidationError("Enter a time in 24-hour format, like 21:40") from None


class PoliceNotificationForm(forms.Form):
    """The police officer's web form: one child per submission. Submitting again with the same
    police reference adds the child's siblings to the same notification."""

    police_reference = forms.CharField(
        label="Police reference", max_length=100, error_messages={"required": "Enter the police reference"}
    )
    incident_date = forms.DateField(
        label="Date of the incident",
        widget=GovUKDateInput,
        help_text="For example, 16 9 2025",
        error_messages={
            "required": "Enter the date of the incident",
            "invalid": "Date of the incident must be a real date",
        },
    )
    incident_time = forms.CharField(
        label="Time of the incident",
        max_length=5,
        help_text="24-hour clock, UK time, for example 21:40",
        widget=forms.TextInput(attrs={"class": "govuk-input--width-5", "inputmode": "numeric"}),
        error_messages={"required": "Enter the time of the incident"},
    )
    location = forms.CharField(
        label="Location", max_length=300, required=False, help_text="A town or postcode district is enough."
    )
    summary = forms.CharField(
        label="What happened",
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=10000,
        help_text="Only the key adults of the child's school will read this.",
        error_messages={"required": "Enter what happened"},
    )
    officer = forms.CharField(
        label="Officer",
        max_length=200,
        help_text="Your collar number and name.",
        error_messages={"required": "Enter the officer's number and name"},
    )
    given_name = forms.CharField(
        label="Child's first name", max_length=100, error_messages={"required": "Enter the child's first name"}
    )
    family_name = forms.CharField(
        label="Child's last name", max_length=100, error_messages={"required": "Enter the child's last name"}
    )
    date_of_birth = forms.DateField(
        label="Child's date of birth",
        widget=GovUKDateInput,
        error_messages={
            "required": "Enter the child's date of birth",
            "invalid": "Child's date of birth must be a real date",
        },
    )
    school_urn = forms.IntegerField(
        label="School URN",
        required=False,
        min_value=100000,
        max_value=9999999,
        help_text="The school's unique reference number, if you know it.",
        widget=forms.TextInput(attrs={"class": "govuk-input--width-10", "inputmode": "numeric"}),
        error_messages={"invalid": "School URN must be a number, like 100001"},
    )
    electively_home_educated = forms.BooleanField(label="The child is electively home educated", required=False)
    present_at_incident = forms.ChoiceField(
        label="Was the child present at the incident?",
        choices=YES_NO,
        widget=forms.RadioSelect,
        error_messages={"required": "Select yes if the child was present at the incident"},
    )
    welfare_check_done = forms.ChoiceField(
        label="Was a welfare check done?",
        choices=YES_NO,
        widget=forms.RadioSelect,
        error_messages={"required": "Select yes if a welfare check was done"},
    )
    social_care_informed = forms.ChoiceField(
        label="Has children's social care been told?",
        choices=YES_NO,
        widget=forms.RadioSelect,
        error_messages={"required": "Select yes if children's social care has been told"},
    )
    voice_of_child = forms.CharField(
        label="What the child said", required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, force: str, **kwargs):
        self.force = force
        super().__init__(*args, **kwargs)

    def clean_incident_time(self):
        return _time(self.cleaned_data["incident_time"])

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        from .validation import rule_errors

        incident_at = datetime.datetime.combine(cleaned["incident_date"], cleaned["incident_time"], tzinfo=LONDON)
        data = self.as_intake(incident_at)
        for name, message in rule_errors(data):
            field = {"incident_at": "incident_date", "reported_at": "incident_date"}.get(name, name.split(".")[-1])
            self.add_error(field if field in self.fields else None, _HUMAN.get(name.split(".")[-1], message))
        return cleaned

    def as_intake(self, incident_at=None) -> dict:
        c = self.cleaned_data
        incident_at = incident_at or datetime.datetime.combine(c["incident_date"], c["incident_time"], tzinfo=LONDON)
        return {
            "force": self.force,
            "police_reference": c["police_reference"].strip(),
            "incident_at": incident_at,
            "reported_at": max(incident_at, timezone.now()),  # reported to the school now
            "location": c["location"],
            "summary": c["summary"],
            "officer": c["officer"],
            "children": [
                {
                    "given_name": c["given_name"].strip(),
                    "family_name": c["family_name"].strip(),
                    "date_of_birth": c["date_of_birth"],
                    "school_urn": c["school_urn"],
                    "electively_home_educated": c["electively_home_educated"],
                    "present_at_incident": c["present_at_incident"] == "yes",
                    "welfare_check_done": c["welfare_check_done"] == "yes",
                    "social_care_informed": c["social_care_informed"] == "yes",
                    "voice_of_child": c["voice_of_child"],
                }
            ],
        }


_HUMAN = {
    "incident_at": "Date and time of the incident must be in the past",
    "date_of_birth": "Child's date of birth must be before the incident and within the last 25 years",
}
