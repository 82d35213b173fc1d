"""GOV.UK Design System markup for every Django form, through Django's own form rendering.

``FORM_RENDERER = "portal.forms.GovUKFormRenderer"`` makes ``{{ form }}`` and
``{{ field.as_field_group }}`` render GOV.UK form groups: a label (or a fieldset and legend
for radios, checkbox groups and dates), the hint from ``help_text``, the error message and
the input with GOV.UK classes and ``aria-describedby`` pointing at the hint and the error.
Optional fields say "(optional)". Bound forms keep what the user typed.

Only the form and field templates change; Django's widget templates are left alone, so the
Wagtail and Django admins, which render fields their own way, look as they always did.

Form-level options (class attributes on a form):
- ``govuk_page_heading = "field_name"``: that field's label or legend is the page's <h1>
  (GOV.UK's "one question per page" pattern).

Show ``components/error_summary.html`` above a form: non-field errors appear only there.
"""

from __future__ import annotations

import datetime

from django import forms
from django.forms.boundfield import BoundField
from django.forms.renderers import TemplatesSetting
from django.utils.functional import cached_property

# Widget class -> the GOV.UK component that renders it. Order matters: subclasses first.
_KINDS: tuple[tuple[type[forms.Widget], str], ...] = (
    (forms.CheckboxSelectMultiple, "checkboxes"),  # a subclass of RadioSelect
    (forms.RadioSelect, "radios"),
    (forms.CheckboxInput, "checkbox"),
    (forms.Textarea, "textarea"),
    (forms.Select, "select"),
    (forms.SelectMultiple, "select"),
    (forms.PasswordInput, "password"),
    (forms.FileInput, "file"),
)

_INPUT_CLASSES = {
    "input": ("govuk-input", "govuk-input--error"),
    "password": ("govuk-input govuk-password-input__input govuk-js-password-input-input", "govuk-input--error"),
    "textarea": ("govuk-textarea", "govuk-textarea--error"),
    "select": ("govuk-select", "govuk-select--error"),
    "file": ("govuk-file-upload", "govuk-file-upload--error"),
    "checkbox": ("govuk-checkboxes__input", ""),
}


class PlainSelect(forms.Select):
    """A select for a long list (a council's 2,000 services) whose options carry no attribute
    but ``selected`` and no option groups, rendered in one template loop: Django's own select
    renders a template per option, which took half a second for that list."""

    template_name = "components/forms/plain_select.html"

    def optgroups(self, name, value, attrs=None):
        """One group of options with what Django's option dicts hold, but no per-option
        attributes built (Django builds them per option: a tenth of a second for 2,000)."""
        chosen = {str(v) for v in value}
        template, no_attrs = self.option_template_name, {}
        options = [
            {
                "name": name,
                "value": v,
                "label": label,
                "selected": str(v) in chosen,
                "index": str(i),
                "attrs": no_attrs,
                "type": self.input_type,
                "template_name": template,
                "wrap_label": True,
            }
            for i, (v, label) in enumerate(self.choices)
        ]
        return [(None, options, 0)]


class GovUKDateInput(forms.MultiWidget):
    """GOV.UK date input: day, month and year boxes in a fieldset. Use with DateField:
    ``forms.DateField(widget=GovUKDateInput)``. What the user typed is kept on error."""

    template_name = "components/forms/date_input.html"
    parts = (("day", "Day", 2), ("month", "Month", 2), ("year", "Year", 4))

    def __init__(self, attrs=None):
        widgets = {name: forms.TextInput(attrs={"inputmode": "numeric"}) for name, _, _ in self.parts}
        super().__init__(widgets, attrs)

    def decompress(self, value):
        if isinstance(value, datetime.date):
            return [value.day, value.month, value.year]
        if isinstance(value, _TypedDate):
            return list(value.parts)
        return [None, None, None]

    def value_from_datadict(self, data, files, name):
        day, month, year = (v.strip() if v else "" for v in super().value_from_datadict(data, files, name))
        if not (day or month or year):
            return ""
        return _TypedDate(day, month, year)

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        for sub, (_, label, width) in zip(context["widget"]["subwidgets"], self.parts, strict=True):
            invalid = sub["attrs"].pop("aria-invalid", None)
            sub["attrs"].pop("aria-describedby", None)  # the fieldset carries it
            sub["attrs"]["class"] = " ".join(
                c
                for c in (
                    "govuk-input govuk-date-input__input",
                    f"govuk-input--width-{width}",
                    invalid and "govuk-input--error",
                )
                if c
            )
            sub["label"] = label
        return context


class _TypedDate(str):
    """The ISO date a DateField parses, remembering the three boxes exactly as typed."""

    parts: tuple[str, str, str]

    def __new__(cls, day: str, month: str, year: str):
        obj = super().__new__(cls, f"{year}-{month}-{day}")
        obj.parts = (day, month, year)
        return obj


class GovUKBoundField(BoundField):
    """A BoundField that knows its GOV.UK markup. Only adds attributes, so forms rendered
    by the admin are unaffected."""

    @cached_property
    def govuk_kind(self) -> str:
        widget = self.field.widget
        if widget.is_hidden:
            return "hidden"
        if isinstance(widget, GovUKDateInput):
            return "date"
        for widget_class, kind in _KINDS:
            if isinstance(widget, widget_class):
                return kind
        return "input"

    @property
    def govuk_uses_fieldset(self) -> bool:
        return self.govuk_kind in {"radios", "checkboxes", "date"}

    @property
    def govuk_label(self) -> str:
        label = str(self.label or "")
        if not self.field.required and self.govuk_kind != "checkbox":
            label += " (optional)"
        return label

    @property
    def govuk_is_page_heading(self) -> bool:
        return getattr(self.form, "govuk_page_heading", None) == self.name

    @property
    def govuk_hint_id(self) -> str:
        return f"{self.auto_id}-hint"

    @property
    def govuk_error_id(self) -> str:
        return f"{self.auto_id}-error"

    @property
    def govuk_describedby(self) -> str:
        ids = [self.field.widget.attrs.get("aria-describedby", "")]
        if self.help_text:
            ids.append(self.govuk_hint_id)
        if self.errors:
            ids.append(self.govuk_error_id)
        return " ".join(i for i in ids if i)

    @property
    def govuk_error_target(self) -> str:
        """The id the error summary links to: the first input of a group."""
        if self.govuk_kind in {"radios", "checkboxes"}:
            return self.subwidgets[0].id_for_label if self.subwidgets else self.auto_id
        if self.govuk_kind == "date":
            return f"{self.auto_id}_0"
        return self.auto_id

    def govuk_widget(self) -> str:
        """The input itself, with GOV.UK classes and aria-describedby."""
        kind = self.govuk_kind
        attrs = {}
        if kind in _INPUT_CLASSES:
            base, error = _INPUT_CLASSES[kind]
            classes = [base, self.field.widget.attrs.get("class", ""), error if self.errors else ""]
            attrs["class"] = " ".join(c for c in classes if c)
        if kind == "password":
            attrs.update(spellcheck="false", autocapitalize="none")
            attrs.setdefault("autocomplete", self.field.widget.attrs.get("autocomplete", "current-password"))
        elif isinstance(self.field.widget, forms.EmailInput):
            attrs["spellcheck"] = "false"
        if not self.govuk_uses_fieldset and self.govuk_describedby:
            attrs["aria-describedby"] = self.govuk_describedby
        return self.as_widget(attrs=attrs)


class GovUKFormRenderer(TemplatesSetting):
    form_template_name = "components/forms/form.html"
    field_template_name = "components/forms/field.html"
    bound_field_class = GovUKBoundField
