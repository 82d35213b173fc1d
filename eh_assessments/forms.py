"""The forms of the early help assessment: one per wizard step, and the family member form.

Every step form subclasses :class:`StepForm`, which takes the ``assessment`` and, for a
per-child step, the ``child`` (a :class:`~eh_assessments.models.Person`). What a step stores
is its ``cleaned_data`` (JSON-safe through ``eh_assessments.storage.to_json``); a stored step
comes back as ``initial``.

House rules, applied to every form here:

- GOV.UK error messages ("Enter …", "Select …"); "(optional)" on optional fields (the GOV.UK
  form renderer adds it); every text field has a maximum length with an error that says it,
  and long text shows a GOV.UK character count (the limit is shown as a hint without
  JavaScript). No ``maxlength`` attribute is sent: browsers would silently cut pasted text.
- Conditional questions (GOV.UK conditional reveals) are described by the form's ``layout``
  (:class:`Reveal`); without JavaScript the revealed questions are simply always visible, and
  only the branch that applies is validated and stored: the other branch's answers are
  cleared, so a changed answer never leaves stale details behind.
- Per-child steps name the child in their questions.

Two extras the wizard view reads:

- ``form.stay_on_step`` is True when the user pressed a submit button named ``stay_on_step``
  (step_base.html's convention), which saves the step and shows it again ("Add another event" on
  the chronology, "Show the recommended level" on the level of need) rather than Continue. The view saves the cleaned data as usual, then redirects back to
  the same step (marked "in progress" for the level of need, whose decision is then missing:
  see ``is_complete``).
- ``form.is_complete()`` (after validation): False when the saved data is a partial answer
  (see above), so the task list can show "In progress".

The MARAC referral step (:class:`MaracForm`) follows the domestic abuse step when its
answers meet a MARAC referral criterion (``conditions.marac_referral_indicated``): a GOV.UK
interruption page, so the guidance is seen right after Continue, cannot be scrolled past, is
on the task list, and records what the practitioner did about it.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone

from portal.forms import GovUKDateInput

from . import dash
from .models import (
    ETHNICITY_CHOICES,
    GENDER_CHOICES,
    LEVELS_OF_NEED,
    RELATIONSHIP_CHOICES,
    SEND_CHOICES,
    SOURCE_AGENCY_CHOICES,
    Person,
    Relationship,
    validate_nhs_number,
    validate_upn,
)

LONG_TEXT = 5000
MEDIUM_TEXT = 1000
SHORT_TEXT = 200

# Oldest plausible age for anyone, and the upper ages of a child or young person in a child
# section: 18, or 25 with special educational needs or disabilities (an EHC plan can run to 25).
OLDEST_AGE = 120
CHILD_MAX_AGE = 18
CHILD_MAX_AGE_SEND = 25
SEND_WITH_NEEDS = {"sen_support", "ehc_plan", "being_assessed"}

YES_NO = [("yes", "Yes"), ("no", "No")]

DEFAULT_MARAC_CONTACT = (
    "Refer through your local MARAC coordinator, usually based in the council’s community safety "
    "or domestic abuse team. Your manager or designated safeguarding lead has their details and the "
    "local referral form."
)


def marac_contact() -> str:
    """How to reach the local MARAC coordinator: the ``MARAC_CONTACT`` setting, or a default."""
    return settings.MARAC_CONTACT or DEFAULT_MARAC_CONTACT


# --- Layout: how a form's fields are grouped and revealed --------------------------------------


@dataclass
class Fieldset:
    """A group of fields under a legend (for example one area of need)."""

    legend: str
    children: list = field(default_factory=list)
    hint: str = ""
    remove: str = ""  # the name of a "remove this" checkbox shown under the group


@dataclass
class Reveal:
    """A radios (or checkboxes) field whose options reveal further questions:
    ``{option value: [field names or Fieldsets]}``."""

    name: str
    options: dict = field(default_factory=dict)


@dataclass
class Inline:
    """Radios shown side by side (short answers such as Yes / No / Not known)."""

    name: str


# --- Fields ----------------------------------------------------------------------------------


class DateInput(GovUKDateInput):
    """The GOV.UK date input, also accepting a stored ISO date string as its value."""

    def decompress(self, value):
        if isinstance(value, str) and not hasattr(value, "parts"):
            try:
                value = datetime.date.fromisoformat(value[:10])
            except ValueError:
                return [None, None, None]
        return super().decompress(value)


class DateField(forms.DateField):
    """A GOV.UK date (day, month, year boxes) with GOV.UK error messages. ``name`` is how the
    messages refer to it ("Date of birth"). ``not_future``: today or earlier;
    ``future``: after today."""

    widget = DateInput

    def __init__(self, *, name: str, not_future: bool = False, future: bool = False, future_message="", **kwargs):
        self.name = name
        self.not_future = not_future
        self.future = future
        self.future_message = future_message or f"{name} must be today or in the past"
        messages = {
            "required": f"Enter the {name[:1].lower()}{name[1:]}",
            "invalid": f"{name} must be a real date",
        }
        messages.update(kwargs.pop("error_messages", {}))
        super().__init__(error_messages=messages, **kwargs)

    def to_python(self, value):
        parts = getattr(value, "parts", None)
        if parts:
            missing = [label for label, part in zip(("day", "month", "year"), parts, strict=True) if not part]
            if missing:
                raise ValidationError(f"{self.name} must include a {' and a '.join(missing)}", code="incomplete")
            day, month, year = parts
            if not (day.isdigit() and month.isdigit() and year.isdigit()):
                raise ValidationError(self.error_messages["invalid"], code="invalid")
            if len(year) != 4:
                raise ValidationError(f"{self.name}: the year must include 4 numbers", code="invalid")
            try:
                return datetime.date(int(year), int(month), int(day))
            except ValueError:
                raise ValidationError(self.error_messages["invalid"], code="invalid") from None
        return super().to_python(value)

    def validate(self, value):
        super().validate(value)
        if value in self.empty_values:
            return
        today = timezone.localdate()
        if self.not_future and value > today:
            raise ValidationError(self.future_message, code="future")
        if self.future and value <= today:
            raise ValidationError(f"{self.name} must be in the future", code="past")


class TextField(forms.CharField):
    """A text field with a maximum length whose error says the limit. No ``maxlength``
    attribute: the server refuses oversized text with a clear message instead of the browser
    silently cutting it."""

    def __init__(self, *, label: str, name: str = "", max_length: int = SHORT_TEXT, **kwargs):
        messages = {"max_length": f"{name or label} must be {max_length:,} characters or fewer"}
        messages.update(kwargs.pop("error_messages", {}))
        super().__init__(label=label, max_length=max_length, error_messages=messages, **kwargs)

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        attrs.pop("maxlength", None)
        return attrs


class LongTextField(TextField):
    """Long text: a textarea with the GOV.UK character count."""

    def __init__(self, *, label: str, name: str = "", max_length: int = LONG_TEXT, rows: int = 5, **kwargs):
        kwargs.setdefault("widget", forms.Textarea(attrs={"rows": rows}))
        kwargs.setdefault("template_name", "eh_assessments/steps/_long_text.html")
        super().__init__(label=label, name=name, max_length=max_length, **kwargs)

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        attrs["class"] = "govuk-js-character-count"
        return attrs


def radios(label: str, choices, *, required_message: str = "", required: bool = True, hint: str = "", coerce=None):
    kwargs = {
        "label": label,
        "choices": choices,
        "widget": forms.RadioSelect,
        "required": required,
        "help_text": hint,
        "error_messages": {"required": required_message or f"Select {label[:1].lower()}{label[1:]}"},
    }
    if coerce is not None:
        return forms.TypedChoiceField(coerce=coerce, empty_value=None, **kwargs)
    return forms.ChoiceField(**kwargs)


def checkboxes(label: str, choices, *, hint: str = "", required: bool = False, required_message: str = ""):
    messages = {"required": required_message} if required_message else {}
    return forms.MultipleChoiceField(
        label=label,
        choices=choices,
        widget=forms.CheckboxSelectMultiple,
        required=required,
        help_text=hint,
        error_messages=messages,
    )


def first_name(person: Person | None, fallback: str = "the child") -> str:
    if person is None:
        return fallback
    return person.known_as or person.given_name or fallback


def possessive(name: str) -> str:
    return f"{name}’s"


def child_age_problem(person: Person, on: datetime.date | None = None) -> str:
    """Why ``person`` cannot be in a child section (too old), or "" when they can."""
    age = person.age_on(on or timezone.localdate())
    if age is None:
        return ""
    limit = CHILD_MAX_AGE_SEND if person.send in SEND_WITH_NEEDS else CHILD_MAX_AGE
    if age > limit:
        return (
            f"{person.full_name} is {age}: a child or young person must be {CHILD_MAX_AGE} or under "
            f"({CHILD_MAX_AGE_SEND} or under with special educational needs). Change their details on "
            "the family members page"
        )
    return ""


# --- The base step form ----------------------------------------------------------------------


class StepForm(forms.Form):
    """The base of every step's form. Keeps ``assessment`` and ``child`` (per-child steps)."""

    # The submit button that saves the step and shows it again instead of moving on
    # (eh_assessments/step_base.html: a button named "stay_on_step").
    STAY_BUTTON = "stay_on_step"

    def __init__(self, *args, assessment=None, child=None, people=None, **kwargs):
        self.assessment = assessment
        self.child = child
        if people is not None:  # the family's people, already fetched (saves a query)
            self._people = list(people)
        super().__init__(*args, **kwargs)
        self.initial = dict(self.initial)  # setup_fields may add to it; never change the caller's
        self.setup_fields()
        for name in self.conditional_fields:
            if name in self.fields:
                self.fields[name].required = True
        for name, f in self.fields.items():
            if isinstance(f, LongTextField):
                f.widget.attrs["aria-describedby"] = f"{self[name].auto_id}-info"

    # No HTML "required" attributes: questions in a hidden branch must not block the browser,
    # and the server's GOV.UK messages are better than the browser's.
    use_required_attribute = False

    # Questions required only in their branch (checked in clean()): shown without "(optional)",
    # but not required by the field itself.
    conditional_fields: tuple[str, ...] = ()

    def setup_fields(self) -> None:
        """Add or relabel fields that depend on the assessment or the child."""

    def _clean_fields(self):
        branch = [self.fields[name] for name in self.conditional_fields if name in self.fields]
        for f in branch:
            f.required = False
        try:
            super()._clean_fields()
        finally:
            for f in branch:
                f.required = True

    # -- people of the family (one query, remembered) --
    @property
    def people(self) -> list[Person]:
        if not hasattr(self, "_people"):
            family_id = getattr(self.assessment, "family_id", None)
            self._people = list(Person.objects.filter(family_id=family_id)) if family_id else []
        return self._people

    @property
    def children(self) -> list[Person]:
        return [p for p in self.people if p.is_child]

    @property
    def adults(self) -> list[Person]:
        return [p for p in self.people if not p.is_child]

    @property
    def child_name(self) -> str:
        return first_name(self.child)

    @property
    def stay_on_step(self) -> bool:
        return self.is_bound and (self.STAY_BUTTON in self.data or self.add_prefix(self.STAY_BUTTON) in self.data)

    def is_complete(self) -> bool:
        return True

    # -- layout --
    def get_layout(self) -> list:
        return list(self.fields)

    def layout(self) -> list[dict]:
        """The form as nodes for ``eh_assessments/steps/_nodes.html``: every field exactly once,
        those not in ``get_layout`` at the end."""
        seen: set[str] = set()
        self._groups = 0
        nodes = self._nodes(self.get_layout(), seen)
        nodes += self._nodes([name for name in self.fields if name not in seen], seen)
        return nodes

    def _nodes(self, items: Iterable, seen: set[str]) -> list[dict]:
        nodes = []
        for item in items:
            if isinstance(item, Fieldset):
                remove = None
                if item.remove and item.remove in self.fields:
                    seen.add(item.remove)
                    remove = self[item.remove]
                children = self._nodes(item.children, seen)
                self._groups = getattr(self, "_groups", 0) + 1
                nodes.append(
                    {
                        "type": "fieldset",
                        "id": self.add_prefix(f"group-{self._groups}"),
                        "legend": item.legend,
                        "hint": item.hint,
                        "children": children,
                        "remove": remove,
                    }
                )
            elif isinstance(item, Reveal | Inline):
                if item.name not in self.fields:
                    continue
                seen.add(item.name)
                bound = self[item.name]
                revealed = getattr(item, "options", {})
                options = []
                for option in bound.subwidgets:
                    value = str(option.data["value"])
                    children = self._nodes(revealed.get(value, []), seen)
                    options.append({"option": option, "children": children, "hint": self.option_hint(item.name, value)})
                nodes.append(
                    {
                        "type": "choices",
                        "field": bound,
                        "kind": bound.govuk_kind,
                        "options": options,
                        "inline": isinstance(item, Inline),
                    }
                )
            elif item in self.fields and item not in seen:
                seen.add(item)
                if isinstance(self.fields[item].widget, forms.RadioSelect):
                    hints = [self.option_hint(item, str(o.data["value"])) for o in self[item].subwidgets]
                    if any(hints):
                        nodes += self._nodes([Reveal(item)], seen - {item})
                        continue
                nodes.append({"type": "field", "field": self[item]})
        return nodes

    def option_hint(self, name: str, value: str) -> str:
        return ""

    # -- check your answers --
    def summary_rows(self, values: dict | None = None) -> list[tuple[str, str]]:
        """(question, answer) for check your answers and the print view, from the stored
        answers ``values`` (default: ``initial``). Unanswered optional questions (including
        those of a branch that does not apply) are left out."""
        values = self.initial if values is None else values
        rows = []
        for name, f in self.fields.items():
            value = values.get(name)
            if value in (None, "", [], (), False) and not f.required:
                continue
            rows.append((summary_label(f), display_value(f, value)))
        return rows

    def clear(self, cleaned: dict, names: Iterable[str]) -> None:
        """Forget answers of a branch that does not apply (and their errors)."""
        for name in names:
            f = self.fields.get(name)
            if f is None:
                continue
            if self._errors and name in self._errors:
                del self._errors[name]
            if isinstance(f, forms.MultipleChoiceField):
                cleaned[name] = []
            elif isinstance(f, forms.BooleanField):
                cleaned[name] = False
            elif isinstance(f, forms.CharField):
                cleaned[name] = ""
            else:
                cleaned[name] = None

    def require(self, cleaned: dict, name: str, message: str) -> None:
        """``name`` is required in this branch: add ``message`` when it is empty."""
        if name in cleaned and cleaned[name] in (None, "", [], ()):
            self.add_error(name, message)

    def clean(self):
        cleaned = super().clean()
        if self.child is not None and self.child.is_child:
            problem = child_age_problem(self.child)
            if problem:
                raise ValidationError(problem, code="child_too_old")
        return cleaned


def summary_label(f: forms.Field) -> str:
    """A field's label that makes sense out of its page ("Strengths for Alex's health")."""
    return getattr(f, "summary_name", "") or str(f.label)


def display_value(f: forms.Field, value) -> str:
    if value in (None, "", [], ()):
        return "Not answered"
    choices = {str(k): v for k, v in _flat_choices(getattr(f, "choices", None) or [])}
    if isinstance(value, list | tuple):
        return ", ".join(str(choices.get(str(v), v)) for v in value)
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, str) and isinstance(f, forms.DateField):
        try:
            value = datetime.date.fromisoformat(value[:10])
        except ValueError:
            return value
    if isinstance(value, datetime.date):
        return f"{value.day} {value:%B %Y}"
    return str(choices.get(str(value), value))


def _flat_choices(choices) -> Iterable[tuple]:
    for key, label in choices:
        if isinstance(label, list | tuple):
            yield from _flat_choices(label)
        else:
            yield key, label


# --- About this assessment ---------------------------------------------------------------------


class AboutForm(StepForm):
    conditional_fields = ("source_other",)

    reason = LongTextField(
        label="Why is this assessment needed?",
        name="The reason for the assessment",
        help_text="What the family, or the person who asked for help, is worried about.",
        error_messages={"required": "Enter why this assessment is needed"},
    )
    source_agency = radios(
        "Who asked for the assessment?",
        SOURCE_AGENCY_CHOICES,
        required_message="Select who asked for the assessment",
    )
    source_other = TextField(
        label="Who asked for it",
        name="Who asked for it",
        required=False,
    )
    referrer_name = TextField(
        label="Name of the person who asked",
        name="The name",
        error_messages={"required": "Enter the name of the person who asked for the assessment"},
    )
    referrer_role = TextField(label="Their role", name="Their role", required=False)
    referrer_contact = TextField(
        label="Their phone number or email address",
        name="Their contact details",
        required=False,
    )
    request_date = DateField(
        label="When did they ask?",
        name="Date of the request",
        not_future=True,
        help_text="For example, 27 3 2026",
        future_message="Date of the request must be today or in the past",
    )

    def setup_fields(self):
        referral = getattr(self.assessment, "referral", None)
        if referral is not None and not self.initial:
            self.initial = {
                "reason": referral.reason,
                "source_agency": referral.source_agency,
                "referrer_name": referral.referrer_name,
                "referrer_role": referral.referrer_role,
                "referrer_contact": referral.referrer_email or referral.referrer_phone,
                "request_date": referral.received_on,
            }

    def get_layout(self):
        return [
            "reason",
            Reveal("source_agency", {"other": ["source_other"]}),
            "referrer_name",
            "referrer_role",
            "referrer_contact",
            "request_date",
        ]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("source_agency") == "other":
            self.require(cleaned, "source_other", "Enter who asked for the assessment")
        else:
            self.clear(cleaned, ["source_other"])
        return cleaned


# --- Consent ---------------------------------------------------------------------------------

SHARE_AGENCY_CHOICES = [
    ("school", "School or college"),
    ("early_years", "Early years setting"),
    ("health", "Health services (GP, health visitor, school nurse)"),
    ("camhs", "Mental health services"),
    ("police", "Police"),
    ("social_care", "Children’s social care"),
    ("housing", "Housing"),
    ("voluntary", "Voluntary and community organisations"),
    ("adult_services", "Adult services (for example drug and alcohol services)"),
]

CONSENT_METHOD_CHOICES = [
    ("in_person", "In person"),
    ("phone", "By phone"),
    ("writing", "In writing"),
    ("other", "Another way"),
]

CONSENT_YES_FIELDS = (
    "consent_to_share",
    "share_with",
    "given_by",
    "given_by_name",
    "given_on",
    "method",
    "method_other",
)


class ConsentForm(StepForm):
    """Consent to the assessment and to sharing, or the safeguarding reason to go ahead without.
    ``conditions.consent_refused`` reads ``consent_to_assessment``; the services alert the
    practitioner's manager when it is "no"."""

    consent_to_assessment = radios(
        "Does the family consent to the assessment?",
        YES_NO,
        required_message="Select yes if the family consents to the assessment",
    )
    consent_to_share = radios(
        "Do they consent to information being shared with other agencies?",
        YES_NO,
        required=False,
    )
    share_with = checkboxes(
        "Which agencies can information be shared with?",
        SHARE_AGENCY_CHOICES,
        hint="Select all that apply.",
    )
    given_by = radios("Who gave consent?", [], required=False)
    given_by_name = TextField(
        label="Name of the person who gave consent",
        name="The name of the person who gave consent",
        required=False,
        help_text="If they are not in the list.",
    )
    given_on = DateField(
        label="When was consent given?",
        name="Date consent was given",
        not_future=True,
        required=False,
        help_text="For example, 27 3 2026",
        future_message="Date consent was given must be today or in the past",
    )
    method = radios("How was consent given?", CONSENT_METHOD_CHOICES, required=False)
    method_other = TextField(label="How consent was given", name="How consent was given", required=False)
    no_consent_reason = LongTextField(
        label="What is the safeguarding reason for going ahead without consent?",
        name="The safeguarding reason",
        required=False,
        help_text="Your manager will be told that the assessment is going ahead without consent.",
    )
    copy_to = checkboxes(
        "Who should get a copy of the assessment?",
        [],
        hint="Select all that apply.",
    )
    copy_to_others = TextField(
        label="Anyone else who should get a copy",
        name="Anyone else who should get a copy",
        max_length=MEDIUM_TEXT,
        required=False,
        help_text="Names and roles, for example the school’s designated safeguarding lead.",
    )
    must_not_see = checkboxes(
        "Is there anyone who must not see the assessment?",
        [],
        hint="For example, a parent who does not live with the child and is a risk to them.",
    )
    must_not_see_others = TextField(
        label="Anyone else who must not see it",
        name="Anyone else who must not see it",
        max_length=MEDIUM_TEXT,
        required=False,
        help_text="Their names, if they are not in the list.",
    )
    research_opt_out = forms.BooleanField(
        label="The family does not want their information used for research or service planning",
        required=False,
    )

    conditional_fields = (
        "consent_to_share",
        "share_with",
        "given_by",
        "given_on",
        "method",
        "method_other",
        "no_consent_reason",
    )

    def setup_fields(self):
        members = [(str(p.uuid), p.full_name) for p in self.people]
        if members:
            self.fields["given_by"].choices = members
            self.fields["copy_to"].choices = members
            self.fields["must_not_see"].choices = members
        else:
            # No family members yet: names are typed instead of picked.
            for name in ("given_by", "copy_to", "must_not_see"):
                del self.fields[name]
            self.fields["given_by_name"].help_text = ""
            self.fields["given_by_name"].required = True
            self.fields["copy_to_others"].label = "Who should get a copy of the assessment?"
            self.fields["must_not_see_others"].label = "Is there anyone who must not see the assessment?"

    def _clean_fields(self):
        typed = self.fields.get("given_by_name")
        was = typed.required if typed else False
        if typed:
            typed.required = False
        try:
            super()._clean_fields()
        finally:
            if typed:
                typed.required = was

    def get_layout(self):
        # One level of conditional reveal only (GOV.UK: do not nest them): the questions for a
        # family that consents are grouped under their own heading and checked only then.
        return [
            Reveal("consent_to_assessment", {"no": ["no_consent_reason"]}),
            Fieldset(
                "If the family consents",
                [
                    Reveal("consent_to_share", {"yes": ["share_with"]}),
                    "given_by",
                    "given_by_name",
                    "given_on",
                    Reveal("method", {"other": ["method_other"]}),
                ],
                hint="Leave these questions if the family does not consent.",
            ),
            Fieldset(
                "Who can see the assessment",
                ["copy_to", "copy_to_others", "must_not_see", "must_not_see_others", "research_opt_out"],
            ),
        ]

    def clean(self):
        cleaned = super().clean()
        answer = cleaned.get("consent_to_assessment")
        if answer == "yes":
            self.clear(cleaned, ["no_consent_reason"])
            self.require(
                cleaned,
                "consent_to_share",
                "Select yes if they consent to information being shared with other agencies",
            )
            if cleaned.get("consent_to_share") == "yes":
                self.require(cleaned, "share_with", "Select the agencies information can be shared with")
            else:
                self.clear(cleaned, ["share_with"])
            if not cleaned.get("given_by") and not cleaned.get("given_by_name") and "given_by_name" not in self.errors:
                if "given_by" in self.fields:
                    self.add_error("given_by", "Select or enter who gave consent")
                else:
                    self.add_error("given_by_name", "Enter who gave consent")
            if cleaned.get("given_by"):
                self.clear(cleaned, ["given_by_name"])
            self.require(cleaned, "given_on", "Enter the date consent was given")
            self.require(cleaned, "method", "Select how consent was given")
            if cleaned.get("method") == "other":
                self.require(cleaned, "method_other", "Enter how consent was given")
            else:
                self.clear(cleaned, ["method_other"])
        elif answer == "no":
            self.clear(cleaned, [name for name in CONSENT_YES_FIELDS if name in self.fields])
            self.require(cleaned, "no_consent_reason", "Enter the safeguarding reason for going ahead without consent")
        return cleaned

    def must_not_see_names(self) -> list[str]:
        """Everyone recorded as not to see the assessment (for the print view)."""
        data = self.initial or {}
        names = {str(p.uuid): p.full_name for p in self.people} if data.get("must_not_see") else {}
        listed = [names[key] for key in data.get("must_not_see") or [] if key in names]
        others = (data.get("must_not_see_others") or "").strip()
        return listed + ([others] if others else [])


# --- Scored areas: developmental needs, parenting capacity, family and environment ---------------

SCORE_CHOICES = [
    (1, "1 – Significant needs"),
    (2, "2 – High needs"),
    (3, "3 – Some needs"),
    (4, "4 – Low needs"),
    (5, "5 – No needs, thriving"),
]
SCORE_MEANINGS = {
    1: "Serious concerns: help is needed now.",
    2: "Several concerns that need help.",
    3: "Needs that could get worse without help.",
    4: "Mostly going well, with small concerns.",
    5: "Going well: a strength for the family.",
}
# Scores at or below this need the needs written down.
NEEDS_REQUIRED_AT_OR_BELOW = 3

DEVELOPMENT_AREAS = [
    ("health", "Health"),
    ("education", "Education and learning"),
    ("emotional", "Emotional and behavioural development"),
    ("identity", "Identity"),
    ("relationships", "Family and social relationships"),
    ("self_care", "Self-care skills"),
]
PARENTING_AREAS = [
    ("basic_care", "Basic care"),
    ("safety", "Ensuring safety"),
    ("warmth", "Emotional warmth"),
    ("stimulation", "Stimulation"),
    ("boundaries", "Guidance and boundaries"),
    ("stability", "Stability"),
]
ENVIRONMENT_AREAS = [
    ("housing", "Housing"),
    ("income", "Income"),
    ("employment", "Employment"),
    ("community", "Community resources"),
    ("history", "Family history and functioning"),
    ("wider_family", "Wider family"),
]


class ScoredAreasForm(StepForm):
    """Areas each with strengths, needs and a score from 1 (significant needs) to 5 (no needs).
    A score of 3 or less needs the needs described."""

    AREAS: Sequence[tuple[str, str]] = ()
    score_scale = SCORE_CHOICES
    score_meanings = SCORE_MEANINGS

    def subject(self, label: str) -> str:
        return label

    def in_sentence(self, label: str) -> str:
        """The area as it reads inside a sentence ("basic care", "Alex's health")."""
        subject = self.subject(label)
        return subject if subject != label else label[:1].lower() + label[1:]

    def setup_fields(self):
        for key, label in self.AREAS:
            lower = self.in_sentence(label)
            self.fields[f"{key}_strengths"] = LongTextField(
                label="Strengths",
                name=f"Strengths for {lower}",
                required=False,
                rows=3,
            )
            self.fields[f"{key}_needs"] = LongTextField(
                label="Needs",
                name=f"Needs for {lower}",
                required=False,
                rows=3,
                help_text=f"Needed for a score of {NEEDS_REQUIRED_AT_OR_BELOW} or less.",
            )
            self.fields[f"{key}_score"] = radios(
                "Score",
                SCORE_CHOICES,
                required_message=f"Select a score for {lower}",
                coerce=int,
            )

    def option_hint(self, name, value):
        if name.endswith("_score") and value.isdigit():
            return SCORE_MEANINGS.get(int(value), "")
        return ""

    def get_layout(self):
        return [
            Fieldset(self.subject(label), [f"{key}_strengths", f"{key}_needs", f"{key}_score"])
            for key, label in self.AREAS
        ]

    def clean(self):
        cleaned = super().clean()
        for key, label in self.AREAS:
            score = cleaned.get(f"{key}_score")
            if score is not None and score <= NEEDS_REQUIRED_AT_OR_BELOW:
                self.require(
                    cleaned,
                    f"{key}_needs",
                    f"Enter the needs for {self.in_sentence(label)}: you scored it {score}",
                )
        return cleaned

    def summary_rows(self, values: dict | None = None) -> list[tuple[str, str]]:
        values = self.initial if values is None else values
        rows = []
        for key, label in self.AREAS:
            score = values.get(f"{key}_score")
            parts = [dict(SCORE_CHOICES).get(score, "Not scored") if score is not None else "Not scored"]
            if values.get(f"{key}_strengths"):
                parts.append(f"Strengths: {values[f'{key}_strengths']}")
            if values.get(f"{key}_needs"):
                parts.append(f"Needs: {values[f'{key}_needs']}")
            rows.append((self.subject(label), "\n".join(parts)))
        return rows

    def scores(self) -> dict[str, int]:
        data = self.cleaned_data if hasattr(self, "cleaned_data") else self.initial
        return {key: data.get(f"{key}_score") for key, _ in self.AREAS if data.get(f"{key}_score") is not None}


class DevelopmentForm(ScoredAreasForm):
    """One child's developmental needs."""

    AREAS = DEVELOPMENT_AREAS

    def subject(self, label):
        return f"{possessive(self.child_name)} {label[:1].lower()}{label[1:]}"


class ParentingForm(ScoredAreasForm):
    AREAS = PARENTING_AREAS


class FamilyEnvironmentForm(ScoredAreasForm):
    AREAS = ENVIRONMENT_AREAS


# --- Voices ----------------------------------------------------------------------------------


class ChildVoiceForm(StepForm):
    """What the child said, how and with whom, or why their views could not be gathered."""

    conditional_fields = ("said", "how", "present", "why_not")

    gathered = radios("", YES_NO)
    said = LongTextField(label="", name="What they said", required=False)
    how = TextField(label="", name="How their views were gathered", max_length=MEDIUM_TEXT, required=False)
    present = TextField(label="", name="Who was there", max_length=MEDIUM_TEXT, required=False)
    why_not = LongTextField(label="", name="The reason", required=False)

    def setup_fields(self):
        name = self.child_name
        self.fields["gathered"].label = f"Have you been able to gather {possessive(name)} views?"
        self.fields["gathered"].error_messages["required"] = f"Select yes if you have gathered {possessive(name)} views"
        self.fields["said"].label = f"What did {name} say?"
        self.fields["said"].help_text = f"Use {possessive(name)} own words where you can."
        self.fields["how"].label = f"How did you gather {possessive(name)} views?"
        self.fields["how"].help_text = "For example, talking together at school, drawings, or a three houses tool."
        self.fields["present"].label = "Who else was there?"
        self.fields["present"].help_text = "Write ‘No one’ if you spoke alone."
        self.fields["why_not"].label = f"Why could {possessive(name)} views not be gathered?"
        self.fields["why_not"].help_text = "For example, a baby too young to talk; then say what you observed."

    def get_layout(self):
        return [Reveal("gathered", {"yes": ["said", "how", "present"], "no": ["why_not"]})]

    def clean(self):
        cleaned = super().clean()
        name = self.child_name
        if cleaned.get("gathered") == "yes":
            self.clear(cleaned, ["why_not"])
            self.require(cleaned, "said", f"Enter what {name} said")
            self.require(cleaned, "how", f"Enter how you gathered {possessive(name)} views")
            self.require(cleaned, "present", "Enter who else was there, or ‘No one’")
        elif cleaned.get("gathered") == "no":
            self.clear(cleaned, ["said", "how", "present"])
            self.require(cleaned, "why_not", f"Enter why {possessive(name)} views could not be gathered")
        return cleaned


class ParentVoiceForm(StepForm):
    said = LongTextField(
        label="What did the parents and carers say?",
        name="What the parents and carers said",
        help_text="Their views on what is going well, what worries them and what would help, in their own words.",
        error_messages={"required": "Enter what the parents and carers said"},
    )
    who = TextField(
        label="Who gave their views?",
        name="Who gave their views",
        max_length=MEDIUM_TEXT,
        required=False,
    )
    how = TextField(
        label="How were their views gathered?",
        name="How their views were gathered",
        max_length=MEDIUM_TEXT,
        required=False,
    )


# --- Chronology ------------------------------------------------------------------------------

MAX_EVENTS = 100
_EVENT_KEY = re.compile(r"^event-(\d+)-")
EVENT_PARTS = ("date", "what", "source", "impact")


class ChronologyForm(StepForm):
    """Dated significant events. No JavaScript: the page always ends with one empty event;
    "Add another event" (the step's ``stay_on_step`` submit button) saves the events and shows the
    page again with a new empty one; ticking "Remove event N" and saving drops an event. Empty
    rows are ignored; events are stored sorted by date as ``events`` (a list of
    ``{"date": ISO date, "what", "source", "impact"}``)."""

    def setup_fields(self):
        saved = [e for e in (self.initial.get("events") or []) if isinstance(e, dict)][:MAX_EVENTS]
        if self.is_bound:
            start = len(self.add_prefix(""))
            indexes = {int(m.group(1)) for key in self.data if (m := _EVENT_KEY.match(key[start:]))}
            rows = max(min(max(indexes, default=-1) + 1, MAX_EVENTS), 1)
        else:
            rows = min(len(saved) + 1, MAX_EVENTS)
        self.rows = rows
        self.saved_rows = min(len(saved), rows)
        for i in range(rows):
            n = i + 1
            self.fields[f"event-{i}-date"] = DateField(
                label="Date",
                name=f"Date of event {n}",
                not_future=True,
                required=False,
                help_text="For example, 27 3 2026",
            )
            self.fields[f"event-{i}-what"] = LongTextField(
                label="What happened",
                name=f"What happened in event {n}",
                max_length=MEDIUM_TEXT,
                rows=3,
                required=False,
            )
            self.fields[f"event-{i}-source"] = TextField(
                label="Source",
                name=f"The source of event {n}",
                required=False,
                help_text="Who told you, or where it is recorded.",
            )
            self.fields[f"event-{i}-impact"] = LongTextField(
                label="Impact on the child or family",
                name=f"The impact of event {n}",
                max_length=MEDIUM_TEXT,
                rows=3,
                required=False,
            )
            if i < len(saved):
                self.fields[f"event-{i}-remove"] = forms.BooleanField(
                    label=f"Remove event {n}", required=False, help_text="It is removed when you save this page."
                )
                for part in EVENT_PARTS:
                    self.initial[f"event-{i}-{part}"] = saved[i].get(part)

    def get_layout(self):
        return [
            Fieldset(
                f"Event {i + 1}",
                [f"event-{i}-{part}" for part in EVENT_PARTS],
                remove=f"event-{i}-remove",
            )
            for i in range(self.rows)
        ]

    def clean(self):
        cleaned = super().clean()
        events = []
        for i in range(self.rows):
            n = i + 1
            values = {part: cleaned.get(f"event-{i}-{part}") for part in EVENT_PARTS}
            if cleaned.get(f"event-{i}-remove"):
                self.clear(cleaned, [f"event-{i}-{part}" for part in EVENT_PARTS])
                continue
            typed = any(values.values()) or any(self.errors.get(f"event-{i}-{part}") for part in EVENT_PARTS)
            if not typed:
                continue
            if not values["date"] and f"event-{i}-date" not in self.errors:
                self.add_error(f"event-{i}-date", f"Enter the date of event {n}")
            if not values["what"] and f"event-{i}-what" not in self.errors:
                self.add_error(f"event-{i}-what", f"Enter what happened in event {n}")
            if values["date"] and values["what"]:
                events.append({**values, "date": values["date"].isoformat()})
        if not events and not self.stay_on_step and not self.errors:
            self.add_error("event-0-date", "Enter at least one significant event, with its date and what happened")
        events.sort(key=lambda e: e["date"])
        # Store only the events, not the row-by-row fields.
        return {"events": events}

    def summary_rows(self, values: dict | None = None) -> list[tuple[str, str]]:
        values = self.initial if values is None else values
        rows = []
        for event in values.get("events") or []:
            date = event.get("date")
            if isinstance(date, str):
                date = datetime.date.fromisoformat(date[:10])
            parts = [event.get("what") or ""]
            if event.get("source"):
                parts.append(f"Source: {event['source']}")
            if event.get("impact"):
                parts.append(f"Impact: {event['impact']}")
            rows.append((f"{date.day} {date:%B %Y}" if date else "", "\n".join(parts)))
        return rows or [("Events", "Not answered")]


# --- Risks -----------------------------------------------------------------------------------

RISK_CHOICES = [
    ("domestic_abuse", "Domestic abuse"),
    ("neglect", "Neglect"),
    ("exploitation", "Exploitation (criminal or sexual)"),
    ("substance_misuse", "Drug or alcohol misuse"),
    ("mental_health", "Mental health"),
    ("online_harm", "Harm online"),
    ("missing", "Going missing"),
    ("other", "Other"),
]


class RisksForm(StepForm):
    """Risks to each child and to the adults, and whether domestic abuse is happening or
    suspected (``domestic_abuse``: "yes" opens the domestic abuse step)."""

    domestic_abuse = radios(
        "Is domestic abuse happening or suspected?",
        YES_NO,
        required_message="Select yes if domestic abuse is happening or suspected",
        hint="Including abuse between adults the children live with or see, and abuse in teenage relationships.",
    )

    def setup_fields(self):
        for child in self.children:
            key = f"child_{child.uuid.hex}"
            name = first_name(child)
            self.fields[f"{key}_risks"] = checkboxes(f"Risks to {name}", RISK_CHOICES, hint="Select all that apply.")
            self.fields[f"{key}_details"] = LongTextField(
                label=f"Details of the risks to {name}",
                name=f"Details of the risks to {name}",
                required=False,
                rows=4,
                help_text="Needed if you tick any risks.",
            )
        self.fields["adult_risks"] = checkboxes("Risks to the adults", RISK_CHOICES, hint="Select all that apply.")
        self.fields["adult_details"] = LongTextField(
            label="Details of the risks to the adults",
            name="Details of the risks to the adults",
            required=False,
            rows=4,
            help_text="Needed if you tick any risks.",
        )
        # The domestic abuse question last, after the risks.
        self.fields["domestic_abuse"] = self.fields.pop("domestic_abuse")

    def risk_groups(self) -> list[tuple[str, str]]:
        groups = [(f"child_{c.uuid.hex}", first_name(c)) for c in self.children]
        return [*groups, ("adult", "the adults")]

    def get_layout(self):
        layout = [Fieldset(f"Risks to {name}", [f"{key}_risks", f"{key}_details"]) for key, name in self.risk_groups()]
        return [*layout, Inline("domestic_abuse")]

    def clean(self):
        cleaned = super().clean()
        ticked_da = False
        for key, name in self.risk_groups():
            risks = cleaned.get(f"{key}_risks") or []
            ticked_da = ticked_da or "domestic_abuse" in risks
            if risks:
                self.require(cleaned, f"{key}_details", f"Enter the details of the risks to {name}")
        if ticked_da and cleaned.get("domestic_abuse") == "no":
            self.add_error(
                "domestic_abuse",
                "Select yes if domestic abuse is happening or suspected: you ticked it as a risk",
            )
        return cleaned


# --- Domestic abuse (DASH) -------------------------------------------------------------------

JUDGEMENT_CHOICES = [
    ("high", "High risk"),
    ("not_high", "Not high risk"),
]


class DomesticAbuseForm(StepForm):
    """The DASH risk identification checklist (eh_assessments.dash), professional judgement
    and the potential escalation question. ``marac_reasons`` says which MARAC criteria the
    answers meet."""

    conditional_fields = ("judgement_reason",)

    victim = radios("Who did you ask these questions?", [], required=False)
    victim_name = TextField(
        label="Name of the person you asked",
        name="The name of the person you asked",
        required=False,
        help_text="If they are not in the list.",
    )
    notes = LongTextField(
        label="Notes on the answers",
        name="Notes on the answers",
        required=False,
        help_text="Details for any answer, for example what the injury was, or who else has been hurt.",
    )
    professional_judgement = radios(
        "What is your professional judgement of the risk?",
        JUDGEMENT_CHOICES,
        required_message="Select your professional judgement of the risk",
        hint="Judge the risk as high if you believe there is a serious risk of harm, whatever the number of yes "
        "answers.",
    )
    judgement_reason = LongTextField(
        label="Why do you judge the risk to be high?",
        name="Why you judge the risk to be high",
        required=False,
    )
    police_callouts = radios(
        "Have the police been called out 3 or more times in the past 12 months because of domestic abuse?",
        dash.ANSWER_CHOICES,
        required_message="Select yes if the police have been called out 3 or more times in the past 12 months",
    )

    def setup_fields(self):
        adults = [(str(p.uuid), p.full_name) for p in self.adults]
        if adults:
            self.fields["victim"].choices = adults
        else:
            del self.fields["victim"]
            self.fields["victim_name"].help_text = ""
        questions = {}
        for question in dash.QUESTIONS:
            questions[question.field_name] = radios(
                f"{question.number}. {question.text}",
                dash.ANSWER_CHOICES,
                hint=question.hint,
                required_message=f"Select yes, no or not known for question {question.number}",
            )
        # The checklist after who was asked, before the notes and judgement.
        rest = {name: self.fields.pop(name) for name in ("notes", "professional_judgement", "judgement_reason")}
        rest["police_callouts"] = self.fields.pop("police_callouts")
        self.fields.update(questions)
        self.fields.update(rest)

    def get_layout(self):
        return [
            "victim",
            "victim_name",
            Fieldset(
                "Risk identification checklist",
                [Inline(name) for name in dash.FIELD_NAMES],
                hint="Ask the person experiencing abuse, alone and somewhere safe.",
            ),
            "notes",
            Inline("police_callouts"),
            Reveal("professional_judgement", {"high": ["judgement_reason"]}),
        ]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("professional_judgement") == "high":
            self.require(cleaned, "judgement_reason", "Enter why you judge the risk to be high")
        else:
            self.clear(cleaned, ["judgement_reason"])
        if cleaned.get("victim"):
            self.clear(cleaned, ["victim_name"])
        return cleaned

    def summary_rows(self, values: dict | None = None) -> list[tuple[str, str]]:
        values = self.initial if values is None else values
        rows = super().summary_rows(values)
        count = dash.yes_count(values)
        rows.insert(
            0,
            (
                "Yes answers",
                f"{count} of {len(dash.QUESTIONS)} ({dash.VISIBLE_HIGH_RISK_THRESHOLD} or more is visible high risk)",
            ),
        )
        return rows

    def answers(self) -> dict:
        if self.is_bound and hasattr(self, "cleaned_data") and not self.errors:
            return self.cleaned_data
        return self.initial or {}

    def yes_count(self) -> int:
        return dash.yes_count(self.answers())

    def marac_reasons(self) -> list[str]:
        return dash.marac_reasons(self.answers())

    @property
    def threshold(self) -> int:
        return dash.VISIBLE_HIGH_RISK_THRESHOLD

    @property
    def marac_contact(self) -> str:
        return marac_contact()


MARAC_ACTION_CHOICES = [
    ("referred", "I have referred to the MARAC"),
    ("referring", "I will refer today"),
    ("already_known", "The family is already known to the MARAC"),
    ("not_referring", "I am not referring"),
]


class MaracForm(StepForm):
    """The MARAC referral guidance (an interruption page after the domestic abuse step when a
    criterion is met) and what the practitioner did."""

    conditional_fields = ("referred_on", "not_referring_reason")

    action = radios(
        "What have you done about a MARAC referral?",
        MARAC_ACTION_CHOICES,
        required_message="Select what you have done about a MARAC referral",
    )
    referred_on = DateField(
        label="Date of the referral",
        name="Date of the referral",
        not_future=True,
        required=False,
        help_text="For example, 27 3 2026",
    )
    not_referring_reason = LongTextField(
        label="Why are you not referring?",
        name="Why you are not referring",
        required=False,
        help_text="Your manager will see this. Discuss it with them or your safeguarding lead first.",
    )

    def get_layout(self):
        return [Reveal("action", {"referred": ["referred_on"], "not_referring": ["not_referring_reason"]})]

    def clean(self):
        cleaned = super().clean()
        action = cleaned.get("action")
        if action == "referred":
            self.require(cleaned, "referred_on", "Enter the date of the referral")
        else:
            self.clear(cleaned, ["referred_on"])
        if action == "not_referring":
            self.require(cleaned, "not_referring_reason", "Enter why you are not referring to the MARAC")
        else:
            self.clear(cleaned, ["not_referring_reason"])
        return cleaned

    def dash_answers(self) -> dict:
        from .conditions import section

        return section(self.assessment, "domestic_abuse")

    def marac_reasons(self) -> list[str]:
        return dash.marac_reasons(self.dash_answers())

    @property
    def marac_contact(self) -> str:
        return marac_contact()


# --- Identity and diversity ------------------------------------------------------------------


class IdentityForm(StepForm):
    """How identity affects each child's needs and the family's. The facts (ethnicity, religion,
    language, interpreter, disability, SEND) are each person's own record, changed on the family
    members pages, and shown on this page; this step records what they mean for the help."""

    family_identity = LongTextField(
        label="How do the family’s culture, faith, language or circumstances affect what help they need?",
        name="How the family’s identity affects their needs",
        required=False,
        rows=4,
    )
    communication = TextField(
        label="Communication needs",
        name="Communication needs",
        max_length=MEDIUM_TEXT,
        required=False,
        help_text="For example, an interpreter, easy read documents, or someone to help at meetings.",
    )

    def setup_fields(self):
        fields = {}
        for child in self.children:
            name = first_name(child)
            fields[f"child_{child.uuid.hex}_identity"] = LongTextField(
                label=f"How does {possessive(name)} identity affect their needs?",
                name=f"How {possessive(name)} identity affects their needs",
                rows=4,
                help_text="Think about ethnicity, culture, faith, language, disability, gender and sexuality.",
                error_messages={"required": f"Enter how {possessive(name)} identity affects their needs"},
            )
        fields.update(self.fields)
        self.fields = fields

    def people_identity(self) -> list[tuple[Person, list[tuple[str, str]]]]:
        """Each family member's recorded identity, for the page (read only)."""
        result = []
        for person in self.people:
            rows = [
                ("Ethnicity", person.get_ethnicity_display() or "Not recorded"),
                ("Religion", person.religion or "Not recorded"),
                ("First language", person.first_language or "Not recorded"),
                ("Needs an interpreter", "Yes" if person.interpreter_needed else "No"),
                ("Disability", person.disability or "None recorded"),
            ]
            if person.is_child:
                rows.append(("SEND", person.get_send_display() or "Not recorded"))
            result.append((person, rows))
        return result


# --- Analysis, level of need, outcomes -------------------------------------------------------


class AnalysisForm(StepForm):
    working_well = LongTextField(
        label="What is working well?",
        name="What is working well",
        error_messages={"required": "Enter what is working well"},
    )
    worries = LongTextField(
        label="What are we worried about?",
        name="What we are worried about",
        error_messages={"required": "Enter what we are worried about"},
    )
    needs_to_happen = LongTextField(
        label="What needs to happen?",
        name="What needs to happen",
        error_messages={"required": "Enter what needs to happen"},
    )


class LevelOfNeedForm(StepForm):
    """Indicators of the assessment's threshold document, grouped by area; the recommended
    level (``thresholds.recommend_level``); and the practitioner's level, with a reason
    required when it differs from the recommendation. "Show the recommended level" (a submit
    button named ``recommend``) saves the ticked indicators and shows the page again with the
    recommendation; the step is then in progress until a level is chosen."""

    conditional_fields = ("level", "level_reason")

    indicators = forms.MultipleChoiceField(
        label="Which indicators of need apply?",
        choices=[],
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    level = radios(
        "What is the level of need?",
        LEVELS_OF_NEED,
        required=False,
        coerce=int,
    )
    level_reason = LongTextField(
        label="Why have you chosen a different level from the recommended one?",
        name="The reason for the level",
        required=False,
        rows=4,
    )

    def setup_fields(self):
        from . import thresholds

        document = getattr(self.assessment, "threshold_document", None)
        self.groups = thresholds.indicators_for(document) if document is not None else {}
        self.fields["indicators"].choices = [
            (indicator.code, indicator.text) for items in self.groups.values() for indicator in items
        ]

    def ticked(self) -> list[str]:
        if self.is_bound:
            key = self.add_prefix("indicators")
            return list(self.data.getlist(key)) if hasattr(self.data, "getlist") else list(self.data.get(key) or [])
        return list(self.initial.get("indicators") or [])

    @property
    def recommendation(self):
        from . import thresholds

        if not hasattr(self, "_recommendation"):
            document = getattr(self.assessment, "threshold_document", None)
            self._recommendation = thresholds.recommend_level(document, self.ticked())
        return self._recommendation

    def get_layout(self):
        return ["indicators", "level", "level_reason"]

    def decision_layout(self) -> list[dict]:
        """The level and reason questions (the indicators are laid out by area in the template)."""
        return self._nodes([Reveal("level"), "level_reason"], set())

    def indicator_groups(self) -> list[tuple[str, list[dict]]]:
        """[(area label, [{"option": checkbox subwidget, "level": n}])] for the template."""
        by_code = {str(o.data["value"]): o for o in self["indicators"].subwidgets}
        return [
            (area, [{"option": by_code[i.code], "level": i.level} for i in items if i.code in by_code])
            for area, items in self.groups.items()
        ]

    def clean(self):
        cleaned = super().clean()
        recommended = self.recommendation.level
        cleaned["recommended_level"] = recommended
        level = cleaned.get("level")
        if level is None:
            # "Show the recommended level" saves the indicators without a decision yet.
            if "level" not in self.errors and not self.stay_on_step:
                self.add_error("level", "Select the level of need")
            return cleaned
        if recommended is not None and level != recommended:
            self.require(
                cleaned,
                "level_reason",
                f"Enter why you chose level {level} when the recommended level is {recommended}",
            )
        else:
            self.clear(cleaned, ["level_reason"])
        return cleaned

    def is_complete(self):
        return bool(getattr(self, "cleaned_data", {}).get("level"))

    def summary_rows(self, values: dict | None = None) -> list[tuple[str, str]]:
        values = self.initial if values is None else values
        texts = dict(self.fields["indicators"].choices)
        ticked = [texts.get(code, code) for code in values.get("indicators") or []]
        recommended = values.get("recommended_level")
        rows = [
            ("Indicators of need", "\n".join(ticked) if ticked else "None ticked"),
            ("Recommended level", dict(LEVELS_OF_NEED).get(recommended, "None") if recommended else "None"),
            ("Level of need", dict(LEVELS_OF_NEED).get(values.get("level"), "Not answered")),
        ]
        if values.get("level_reason"):
            rows.append(("Reason for a different level", values["level_reason"]))
        return rows


MAX_OUTCOMES = 5


class FamilyOutcomesForm(StepForm):
    """Up to five outcomes the family wants, in their own words; at least one."""

    def setup_fields(self):
        saved = list(self.initial.get("outcomes") or [])
        for i in range(MAX_OUTCOMES):
            self.fields[f"outcome_{i + 1}"] = TextField(
                label=f"Outcome {i + 1}",
                name=f"Outcome {i + 1}",
                max_length=MEDIUM_TEXT,
                required=False,
            )
            if i < len(saved) and f"outcome_{i + 1}" not in self.initial:
                self.initial[f"outcome_{i + 1}"] = saved[i]
        self.fields["outcome_1"].required = True
        self.fields["outcome_1"].error_messages["required"] = "Enter at least one outcome the family wants"

    def get_layout(self):
        return [
            Fieldset(
                "What would the family like to be different?",
                [f"outcome_{i + 1}" for i in range(MAX_OUTCOMES)],
                hint="In their own words, for example \u201cWe want Sam to go to school every day\u201d.",
            )
        ]

    def clean(self):
        super().clean()
        outcomes = [
            self.cleaned_data.get(f"outcome_{i + 1}", "").strip()
            for i in range(MAX_OUTCOMES)
            if self.cleaned_data.get(f"outcome_{i + 1}", "").strip()
        ]
        return {"outcomes": outcomes}

    def summary_rows(self, values: dict | None = None) -> list[tuple[str, str]]:
        values = self.initial if values is None else values
        outcomes = values.get("outcomes") or []
        return [(f"Outcome {i + 1}", text) for i, text in enumerate(outcomes)] or [("Outcomes", "Not answered")]


class ChildTargetForm(StepForm):
    """A child's own target date for the assessment, when it must be sooner (or later) than the
    standard 45 working days, with the reason."""

    govuk_page_heading = "own_target"
    conditional_fields = ("target_date", "reason")

    own_target = radios("", YES_NO)
    target_date = DateField(label="Target date", name="Target date", future=True, required=False)
    reason = TextField(
        label="Why does this child need a different target date?",
        name="The reason",
        max_length=500,
        required=False,
    )

    def setup_fields(self):
        name = self.child_name
        standard = getattr(self.assessment, "target_date", None)
        when = f" ({standard.day} {standard:%B %Y})" if standard else ""
        self.fields["own_target"].label = f"Does {name} need a different target date for the assessment?"
        self.fields["own_target"].help_text = f"The standard target is 45 working days from the start{when}."
        self.fields["own_target"].error_messages["required"] = f"Select yes if {name} needs a different target date"
        self.fields["target_date"].help_text = "For example, 27 3 2026"
        self.fields["reason"].label = f"Why does {name} need a different target date?"

    def get_layout(self):
        return [Reveal("own_target", {"yes": ["target_date", "reason"]})]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("own_target") == "yes":
            self.require(cleaned, "target_date", "Enter the target date")
            self.require(cleaned, "reason", f"Enter why {self.child_name} needs a different target date")
        else:
            self.clear(cleaned, ["target_date", "reason"])
        return cleaned


# --- Family members --------------------------------------------------------------------------

PERSON_FIELDS = Person.EDITABLE_FIELDS


def _yes_no_bool(value):
    return {"yes": True, "no": False}.get(value)


class PersonForm(forms.Form):
    """Add or change a family member. ``cleaned_data`` holds the Person fields (see
    ``person_data``), ``main_carer`` (another family member, a Person, or None) and
    ``relationship`` (what the main carer is to this person: a ``RELATIONSHIP_CHOICES`` value,
    "" when no main carer is given), to store as
    ``Relationship(person=main_carer, relative=<this person>, kind=relationship)``
    ("Kim is Alex's parent"); ``relationship_data()`` gives exactly that.

    Bad input: date of birth in the future or more than 120 years ago; a child over 18 (25 with
    special educational needs); NHS number and UPN with their check digits. The school is
    looked up by URN in the Operation Encompass register; a school not in it is kept by name
    (with its URN, if given)."""

    kind = radios(
        "Is this person a child or an adult?",
        Person.KIND_CHOICES,
        required_message="Select if this person is a child or an adult",
    )
    given_name = TextField(
        label="First name",
        name="First name",
        max_length=100,
        error_messages={"required": "Enter their first name"},
    )
    family_name = TextField(
        label="Last name",
        name="Last name",
        max_length=100,
        error_messages={"required": "Enter their last name"},
    )
    known_as = TextField(label="Known as", name="Known as", max_length=100, required=False)
    date_of_birth = DateField(
        label="Date of birth",
        name="Date of birth",
        not_future=True,
        required=False,
        help_text="For example, 27 3 2012",
        future_message="Date of birth must be in the past",
    )
    expected_date_of_birth = DateField(
        label="Expected date of birth",
        name="Expected date of birth",
        future=True,
        required=False,
        help_text="Only for an unborn baby.",
    )
    gender = radios("Gender", GENDER_CHOICES, required=False)
    ethnicity = forms.ChoiceField(label="Ethnicity", choices=[("", "Not recorded"), *ETHNICITY_CHOICES], required=False)
    religion = TextField(label="Religion or belief", name="Religion or belief", max_length=100, required=False)
    first_language = TextField(label="First language", name="First language", max_length=100, required=False)
    interpreter_needed = radios("Do they need an interpreter?", YES_NO, required=False, coerce=_yes_no_bool)
    disability = TextField(
        label="Disability",
        name="Disability",
        max_length=MEDIUM_TEXT,
        required=False,
        help_text="Any disability or long-term condition, and the support they need.",
    )
    send = forms.ChoiceField(
        label="Special educational needs (SEND)",
        choices=[("", "Not recorded"), *SEND_CHOICES],
        required=False,
    )
    school_urn = TextField(
        label="School URN",
        name="School URN",
        max_length=10,
        required=False,
        help_text="The school’s unique reference number, 6 or 7 digits.",
    )
    school_name = TextField(
        label="School, college or nursery name",
        name="School name",
        max_length=255,
        required=False,
        help_text="If you do not know the URN, or the school is not in our list.",
    )
    nhs_number = TextField(
        label="NHS number",
        name="NHS number",
        max_length=12,
        required=False,
        help_text="10 digits, for example 943 476 5919",
    )
    upn = TextField(
        label="Unique pupil number (UPN)",
        name="UPN",
        max_length=13,
        required=False,
        help_text="13 characters, for example T801200108001",
    )
    main_carer = forms.ChoiceField(
        label="Who is their main carer?",
        choices=[],
        required=False,
        help_text="Leave this blank for the main carer themselves, or if their carer is not in the family.",
    )
    relationship = forms.ChoiceField(
        label="What is the main carer to them?",
        choices=[("", "Not recorded"), *RELATIONSHIP_CHOICES],
        required=False,
        help_text="For example, their parent or grandparent.",
    )
    lives_in_household = radios(
        "Do they live in the household?",
        YES_NO,
        coerce=_yes_no_bool,
        required_message="Select yes if they live in the household",
    )

    def __init__(self, *args, family=None, instance: Person | None = None, **kwargs):
        self.family = family
        self.instance = instance
        initial = dict(kwargs.pop("initial", None) or (self.initial_from(instance) if instance is not None else {}))
        for name in ("interpreter_needed", "lives_in_household"):
            if isinstance(initial.get(name), bool):
                initial[name] = "yes" if initial[name] else "no"
        initial.setdefault("lives_in_household", "yes")
        if "school_urn" not in initial:
            school = initial.get("school")
            if school is None and instance is not None:
                school = instance.school if instance.school_id else None
            if school is not None and not hasattr(school, "urn"):
                from portal.encompass.models import School

                school = School.objects.filter(pk=school).first()
            if school is not None:
                initial["school_urn"] = str(school.urn)
        if instance is not None and "main_carer" not in initial:
            carer = Relationship.objects.filter(relative=instance).select_related("person").first()
            if carer is not None:
                initial["main_carer"] = str(carer.person.uuid)
                initial["relationship"] = carer.kind
        kwargs["initial"] = initial
        super().__init__(*args, **kwargs)
        others = []
        if family is not None:
            others = [p for p in Person.objects.filter(family=family) if instance is None or p.pk != instance.pk]
        self.carers = {str(p.uuid): p for p in others}
        self.fields["main_carer"].choices = [("", "Not recorded")] + [
            (key, p.full_name) for key, p in self.carers.items()
        ]
        self.fields["school_urn"].widget.attrs.update({"inputmode": "numeric", "class": "govuk-input--width-10"})
        self.fields["nhs_number"].widget.attrs.update({"inputmode": "numeric", "class": "govuk-input--width-10"})
        self.fields["upn"].widget.attrs.update({"class": "govuk-input--width-20", "spellcheck": "false"})

    @staticmethod
    def initial_from(person: Person) -> dict:
        initial = {name: getattr(person, name) for name in PERSON_FIELDS if name != "school"}
        if person.school_id:
            initial["school_urn"] = str(person.school.urn)
        return initial

    def clean_nhs_number(self):
        value = re.sub(r"[\s-]", "", self.cleaned_data.get("nhs_number") or "")
        if value:
            validate_nhs_number(value)
        return value

    def clean_upn(self):
        value = (self.cleaned_data.get("upn") or "").strip().upper()
        if value:
            validate_upn(value)
        return value

    def clean_school_urn(self):
        value = (self.cleaned_data.get("school_urn") or "").strip()
        if value and not (value.isdigit() and 6 <= len(value) <= 7):
            raise ValidationError("Enter a URN of 6 or 7 digits, like 100000", code="urn_format")
        return value

    def clean_date_of_birth(self):
        value = self.cleaned_data.get("date_of_birth")
        if value is not None:
            today = timezone.localdate()
            oldest = _years_before(today, OLDEST_AGE)
            if value < oldest:
                raise ValidationError(f"Date of birth must be after {oldest.day} {oldest:%B %Y}", code="implausible")
        return value

    def clean_expected_date_of_birth(self):
        value = self.cleaned_data.get("expected_date_of_birth")
        if value is not None and value > timezone.localdate() + datetime.timedelta(days=300):
            raise ValidationError("Expected date of birth must be within the next 10 months", code="too_far")
        return value

    def clean(self):
        from portal.encompass.models import School

        cleaned = super().clean()
        kind = cleaned.get("kind")
        born = cleaned.get("date_of_birth")
        expected = cleaned.get("expected_date_of_birth")
        if kind == Person.CHILD:
            if born and expected:
                self.add_error("expected_date_of_birth", "Enter a date of birth or an expected date of birth, not both")
            elif not born and not expected and "date_of_birth" not in self.errors:
                self.add_error(
                    "date_of_birth", "Enter their date of birth, or an expected date of birth if not born yet"
                )
            if born:
                age = _age(born, timezone.localdate())
                limit = CHILD_MAX_AGE_SEND if cleaned.get("send") in SEND_WITH_NEEDS else CHILD_MAX_AGE
                if age > limit:
                    self.add_error(
                        "date_of_birth",
                        f"A child or young person must be {CHILD_MAX_AGE} or under, or {CHILD_MAX_AGE_SEND} or under "
                        "with special educational needs: add them as an adult or check the date of birth",
                    )
        elif kind == Person.ADULT:
            if expected:
                self.add_error("expected_date_of_birth", "Only an unborn child can have an expected date of birth")
            if born and _age(born, timezone.localdate()) < 10:
                self.add_error("date_of_birth", "An adult must be 10 or older: add them as a child or check the date")
        # School: the register by URN, else a name (with the URN kept in it).
        urn = cleaned.get("school_urn")
        name = (cleaned.get("school_name") or "").strip()
        cleaned["school"] = None
        if urn:
            school = School.objects.filter(urn=int(urn)).first()
            if school is not None:
                cleaned["school"] = school
                name = ""
            elif not name:
                self.add_error(
                    "school_urn", f"No school in our list has the URN {urn}: check it, or enter the school’s name"
                )
            else:
                name = f"{name} (URN {urn})"
        if len(name) > 255:
            self.add_error("school_name", "School name must be 255 characters or fewer")
        cleaned["school_name"] = name
        if cleaned.get("interpreter_needed") is None:
            cleaned["interpreter_needed"] = False
        carer = self.carers.get(cleaned.get("main_carer") or "")
        cleaned["main_carer"] = carer
        if carer is None:
            cleaned["relationship"] = ""
        elif not cleaned.get("relationship") and "relationship" not in self.errors:
            self.add_error("relationship", f"Select what {carer.full_name} is to them")
        return cleaned

    def relationship_data(self) -> dict | None:
        """``{"person": main carer, "kind": relationship}`` for a Relationship to this person,
        or None when no main carer was given."""
        carer = self.cleaned_data.get("main_carer")
        if carer is None:
            return None
        return {"person": carer, "kind": self.cleaned_data["relationship"]}

    def person_data(self) -> dict:
        """The cleaned values of the Person model's fields only (for the services)."""
        return {name: self.cleaned_data.get(name) for name in PERSON_FIELDS}


def _age(born: datetime.date, on: datetime.date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def _years_before(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)
