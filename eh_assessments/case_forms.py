"""Forms for the casework pages (issue 7). They only parse what was typed (dates, choices,
numbers) and say which answers a chosen option needs; every rule of the domain (who may
decide, sign-off by someone else, dates against the plan, closure reasons) is checked by
:mod:`eh_assessments.casework`, whose ``ValidationError`` messages are put back on these
forms by :func:`add_service_errors`.

Fields that depend on an earlier answer (the lead professional for a team around the
family, the handover date for a step-down, the other reason for closing) are required only
when that answer was given, so their labels never say "(optional)" wrongly.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.forms.utils import ErrorDict

from portal.accounts.models import User
from portal.accounts.roles import ROLES_BY_SLUG

from . import casework_selectors as sel
from . import outcomes
from .forms import DateField
from .models_casework import ClosureReason, Decision, PlanAction

MAX_NEEDS = 10
ACTIONS_PER_NEED = 3
SERVICE_RESULTS = 30
TEXTAREA = {"class": "govuk-textarea", "rows": 5}


def practitioners(team=None):
    """Active early help practitioners (lead professionals, school key adults, managers), of
    ``team`` first when there is one."""
    names = [ROLES_BY_SLUG[slug].name for slug in sorted(sel.CASE_ROLES)]
    users = User.objects.filter(is_active=True, groups__name__in=names).distinct()
    if team is not None:
        users = users.filter(Q(team=team) | Q(team__isnull=True))
    return users.order_by("last_name", "first_name", "pk")


class PractitionerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.get_full_name() or obj.email


class PractitionerMultipleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return obj.get_full_name() or obj.email


def add_service_errors(form: forms.Form, error: ValidationError, *, rename: dict[str, str] | None = None) -> None:
    """Put a casework ValidationError's messages on ``form``: on the field of the same name
    (or the one ``rename`` maps it to, or the one the form's ``error_field(name)`` names),
    otherwise at the top of the form."""
    rename = rename or {}
    field_for = getattr(form, "error_field", None)
    if not hasattr(error, "error_dict"):
        for message in error.messages:
            form.add_error(None, message)
        return
    for name, messages in error.message_dict.items():
        target = rename.get(name) or (field_for(name) if field_for else None) or name
        for message in messages:
            form.add_error(target if target in form.fields else None, message)


def keep_input(form: forms.Form) -> None:
    """Show a bound form again with what was typed and no errors, without validating it (for
    the buttons that change the page rather than submit it: search, add another)."""
    form._errors = ErrorDict()
    form.cleaned_data = {}


class _Conditional(forms.Form):
    """Fields listed in ``needed_when`` are required only when ``trigger`` has one of the
    given values; unbound, they are shown as required."""

    trigger = "kind"
    needed_when: dict[str, tuple[str, ...]] = {}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.is_bound:
            chosen = self.data.get(self.add_prefix(self.trigger), "")
            for name, values in self.needed_when.items():
                self.fields[name].required = chosen in values


class DecisionForm(_Conditional):
    """What was decided on a request for help or a submitted assessment."""

    STEP_UP = "step_up"
    KINDS = [
        (Decision.Kind.UNIVERSAL.value, "Universal services and signposting"),
        (Decision.Kind.SINGLE_AGENCY.value, "Single agency early help"),
        (Decision.Kind.TEAM_AROUND_FAMILY.value, "Team around the family"),
        (STEP_UP, "Step up to children's social care"),
        (Decision.Kind.STEP_DOWN.value, "Step down from child in need to early help"),
    ]
    needed_when = {
        "service_page_ids": (Decision.Kind.UNIVERSAL,),
        "lead_professional": (Decision.Kind.SINGLE_AGENCY, Decision.Kind.TEAM_AROUND_FAMILY, Decision.Kind.STEP_DOWN),
        "members": (Decision.Kind.TEAM_AROUND_FAMILY,),
        "step_up_kind": (STEP_UP,),
        "handover_meeting_on": (Decision.Kind.STEP_DOWN,),
        "family_consent": (Decision.Kind.STEP_DOWN,),
    }

    kind = forms.ChoiceField(
        label="What have you decided?",
        choices=KINDS,
        widget=forms.RadioSelect,
        error_messages={"required": "Select what you have decided"},
    )
    service_page_ids = forms.TypedMultipleChoiceField(
        label="Services from the directory",
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        help_text="The family gets a printable list of these services.",
        error_messages={"required": "Choose at least one service from the directory"},
    )
    lead_professional = PractitionerChoiceField(
        label="Lead professional",
        queryset=User.objects.none(),
        error_messages={"required": "Select the lead professional", "invalid_choice": "Select the lead professional"},
    )
    members = PractitionerMultipleChoiceField(
        label="Other professionals in the team around the family",
        queryset=User.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Add at least one other professional to the team around the family"},
    )
    step_up_kind = forms.ChoiceField(
        label="What kind of step-up?",
        choices=[
            (Decision.Kind.STEP_UP_CIN.value, "Child in need assessment (section 17)"),
            (Decision.Kind.STEP_UP_CP.value, "Child protection (section 47): the front door is alerted at once"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Select what kind of step-up"},
    )
    handover_meeting_on = DateField(
        name="Date of the handover meeting", label="Date of the handover meeting", help_text="For example, 27 3 2026"
    )
    family_consent = forms.BooleanField(
        label="The family consents to the step-down",
        error_messages={"required": "A step-down needs the family's consent: record that they agree"},
    )
    rationale = forms.CharField(
        label="Reasons for the decision",
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=5000,
        help_text="Say what the needs are and why this response fits them. The family and the referrer do not see this.",
        error_messages={"required": "Enter the reasons for the decision"},
    )

    def __init__(self, *args, team=None, services=(), **kwargs):
        super().__init__(*args, **kwargs)
        people = practitioners(team)
        self.fields["lead_professional"].queryset = people
        self.fields["members"].queryset = people
        self.fields["service_page_ids"].choices = [(s.pk, s.title) for s in services]

    def decision_kind(self) -> str:
        kind = self.cleaned_data["kind"]
        return self.cleaned_data["step_up_kind"] if kind == self.STEP_UP else kind

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        kind = self.decision_kind()
        return {
            "kind": kind,
            "rationale": data["rationale"],
            "service_page_ids": data.get("service_page_ids") or [] if kind == Decision.Kind.UNIVERSAL else [],
            "lead_professional": data.get("lead_professional")
            if kind in self.needed_when["lead_professional"]
            else None,
            "members": list(data.get("members") or []) if kind == Decision.Kind.TEAM_AROUND_FAMILY else [],
            "handover_meeting_on": data.get("handover_meeting_on") if kind == Decision.Kind.STEP_DOWN else None,
            "family_consent": data.get("family_consent") if kind == Decision.Kind.STEP_DOWN else None,
        }


class SignOffForm(_Conditional):
    trigger = "approve"
    needed_when = {"note": ("no",)}

    approve = forms.ChoiceField(
        label="Do you agree with this decision?",
        choices=[("yes", "Yes, sign it off"), ("no", "No, do not agree")],
        widget=forms.RadioSelect,
        error_messages={"required": "Select whether you agree with the decision"},
    )
    note = forms.CharField(
        label="Your comments",
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=5000,
        help_text="Required if you do not agree: say why, so the proposer can act on it.",
        error_messages={"required": "Enter why you do not agree with the decision"},
    )


class ClosureForm(_Conditional):
    trigger = "closure_reason"
    needed_when = {"closure_other": (ClosureReason.OTHER,)}

    closure_reason = forms.ChoiceField(
        label="Why is the episode closing?",
        choices=[(c.value, c.label) for c in ClosureReason if c != ClosureReason.STEPPED_UP],
        widget=forms.RadioSelect,
        help_text="To step up to children's social care, record a step-up instead.",
        error_messages={"required": "Select why the episode is closing"},
    )
    closure_other = forms.CharField(
        label="The other reason",
        max_length=500,
        error_messages={"required": "Enter the other reason for closing"},
    )
    closure_summary = forms.CharField(
        label="Closing summary",
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=5000,
        help_text="What changed for the family, and what support carries on.",
        error_messages={"required": "Enter a closing summary"},
    )
    rationale = forms.CharField(
        label="Reasons for closing",
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=5000,
        error_messages={"required": "Enter the reasons for the decision"},
    )


class StepUpForm(forms.Form):
    kind = forms.ChoiceField(
        label="What kind of step-up?",
        choices=DecisionForm.base_fields["step_up_kind"].choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select what kind of step-up"},
    )
    rationale = forms.CharField(
        label="Reasons for the step-up",
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=5000,
        error_messages={"required": "Enter the reasons for the decision"},
    )


class ReopenForm(forms.Form):
    govuk_page_heading = "rationale"
    rationale = forms.CharField(
        label="Why are you re-opening this episode?",
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=5000,
        help_text="A new episode is opened, linked to this one; the closed episode keeps its history.",
        error_messages={"required": "Enter the reasons for the decision"},
    )


class DelayReasonForm(forms.Form):
    govuk_page_heading = "reason"
    reason = forms.CharField(
        label="Why is this assessment late?",
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=1000,
        error_messages={"required": "Enter the reason for the delay"},
    )


class MeetingForm(forms.Form):
    kind = forms.ChoiceField(
        label="Which meeting?",
        choices=[
            ("first", "First team around the family meeting"),
            ("review", "Review meeting"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Select the kind of meeting"},
    )
    scheduled_on = DateField(
        name="Date of the meeting", label="Date of the meeting", help_text="For example, 27 3 2026"
    )


class MeetingHeldForm(forms.Form):
    held_on = DateField(
        name="Date the meeting was held", label="Date the meeting was held", help_text="For example, 27 3 2026"
    )
    notes = forms.CharField(label="Notes", required=False, widget=forms.Textarea(attrs={"rows": 5}), max_length=5000)


class HandoverForm(forms.Form):
    held_on = DateField(
        name="Date the handover meeting was held",
        label="Date the handover meeting was held",
        help_text="For example, 27 3 2026",
    )
    notes = forms.CharField(label="Notes", required=False, widget=forms.Textarea(attrs={"rows": 5}), max_length=5000)


class SustainedCheckForm(forms.Form):
    sustained = forms.ChoiceField(
        label="Has the family's progress lasted?",
        choices=[("yes", "Yes"), ("no", "No")],
        widget=forms.RadioSelect,
        error_messages={"required": "Select whether the family's progress has lasted"},
    )
    checked_on = DateField(name="Date of the check", label="Date of the check", help_text="For example, 27 3 2026")
    notes = forms.CharField(
        label="What did you find?", required=False, widget=forms.Textarea(attrs={"rows": 5}), max_length=5000
    )


class SupervisionForm(forms.Form):
    held_on = DateField(
        name="Date of the supervision", label="Date of the supervision", help_text="For example, 27 3 2026"
    )
    what_is_working = forms.CharField(
        label="What is working well?",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Enter what is working"},
    )
    what_worries_us = forms.CharField(
        label="What are we worried about?",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Enter what worries us"},
    )
    child_would_say = forms.CharField(
        label="What would the child say?",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="In the child's own words where you can: their wishes and feelings.",
        error_messages={"required": "Enter what the child would say"},
    )
    what_next = forms.CharField(
        label="What needs to happen next?",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Enter what happens next"},
    )


class ChronologyEntryForm(forms.Form):
    occurred_on = DateField(
        name="Date it happened", label="Date it happened", not_future=True, help_text="For example, 27 3 2026"
    )
    summary = forms.CharField(label="What happened", max_length=300, error_messages={"required": "Enter what happened"})
    detail = forms.CharField(label="Details", required=False, widget=forms.Textarea(attrs={"rows": 5}), max_length=5000)
    child = forms.ModelChoiceField(
        label="Which child is it about?", required=False, queryset=None, empty_label="The whole family"
    )

    def __init__(self, *args, children=(), **kwargs):
        super().__init__(*args, **kwargs)
        from .models import Person

        self.fields["child"].queryset = Person.objects.filter(pk__in=[c.pk for c in children])
        self.fields["child"].label_from_instance = lambda person: person.full_name


# --- Plan and review: many rows, parsed from plain prefixed names -------------------------------


class PlanForm(forms.Form):
    """The plan: ``needs`` need rows, each with what the family wants and up to
    ACTIONS_PER_NEED actions. Empty rows are left out; the structure goes to
    ``casework.agree_plan``, which checks it."""

    agreed_on = DateField(
        name="Date the plan was agreed", label="Date the plan was agreed", help_text="For example, 27 3 2026"
    )

    def __init__(self, *args, needs: int = 1, owners=(), services=(), children=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.need_count = max(1, min(needs, MAX_NEEDS))
        owner_choices = [("", "Not a portal user: type their name")] + [
            (str(u.pk), u.get_full_name() or u.email) for u in owners
        ]
        service_choices = [("", "No directory service")] + [(str(s.pk), s.title) for s in services]
        child_choices = [("", "The whole family")] + [(str(c.pk), c.full_name) for c in children]
        self.children = {str(c.pk): c for c in children}
        self.rows = []
        for n in range(1, self.need_count + 1):
            p = f"need{n}"
            first = n == 1
            self.fields[f"{p}_text"] = forms.CharField(
                label=f"Need {n}", required=first, max_length=1000, error_messages={"required": "Enter need 1"}
            )
            self.fields[f"{p}_child"] = forms.ChoiceField(
                label=f"Need {n} is about", required=False, choices=child_choices
            )
            self.fields[f"{p}_outcome"] = forms.CharField(
                label=f"What the family wants (need {n})",
                required=first,
                max_length=1000,
                error_messages={"required": "Enter what the family wants (need 1)"},
            )
            actions = []
            for a in range(1, ACTIONS_PER_NEED + 1):
                ap = f"{p}_action{a}"
                needed = first and a == 1
                self.fields[f"{ap}_text"] = forms.CharField(
                    label=f"Action {a}",
                    required=needed,
                    max_length=1000,
                    error_messages={"required": "Enter the action"},
                )
                self.fields[f"{ap}_owner"] = forms.ChoiceField(
                    label=f"Who will do action {a}", required=False, choices=owner_choices
                )
                self.fields[f"{ap}_owner_name"] = forms.CharField(
                    label=f"Their name, if not a portal user (action {a})", required=False, max_length=200
                )
                self.fields[f"{ap}_due_on"] = DateField(
                    name=f"Due date of action {a}",
                    label=f"Due date of action {a}",
                    required=needed,
                    error_messages={"required": "Enter the date the action is due"},
                )
                self.fields[f"{ap}_service"] = forms.ChoiceField(
                    label=f"Directory service used (action {a})", required=False, choices=service_choices
                )
                actions.append(ap)
            self.rows.append((n, p, actions))

    def need_rows(self):
        """(number, [bound fields of the need], [[bound fields of each action]]) for the template."""
        for n, p, actions in self.rows:
            yield {
                "number": n,
                "fields": [self[f"{p}_text"], self[f"{p}_child"], self[f"{p}_outcome"]],
                "actions": [
                    [self[f"{ap}_{part}"] for part in ("text", "owner", "owner_name", "due_on", "service")]
                    for ap in actions
                ],
            }

    def needs(self) -> list[dict]:
        """What was typed, as ``casework.agree_plan`` takes it, blank rows left out. Field
        names in the service's errors are mapped back by :meth:`error_field`."""
        data = self.cleaned_data
        needs = []
        self._names = {}
        for _n, p, actions in self.rows:
            text = data.get(f"{p}_text", "")
            outcome = data.get(f"{p}_outcome", "")
            acts = []
            for ap in actions:
                parts = {k: data.get(f"{ap}_{k}") for k in ("text", "owner", "owner_name", "due_on", "service")}
                if not any(parts.values()):
                    continue
                acts.append(
                    {
                        "text": parts["text"],
                        "owner": parts["owner"] or None,
                        "owner_name": parts["owner_name"],
                        "due_on": parts["due_on"],
                        "service_page_id": parts["service"] or None,
                    }
                )
                self._names[f"needs-{len(needs) + 1}-outcomes-1-actions-{len(acts)}"] = ap
            if not (text or outcome or acts):
                continue
            self._names[f"needs-{len(needs) + 1}"] = p
            needs.append(
                {
                    "text": text,
                    "child": self.children.get(data.get(f"{p}_child") or ""),
                    "outcomes": [{"text": outcome, "actions": acts}] if (outcome or acts) else [],
                }
            )
        return needs

    def error_field(self, name: str) -> str | None:
        """The form field for an ``agree_plan`` error key such as ``needs-1-outcomes-1-actions-2-owner``."""
        if name in self.fields:
            return name
        for prefix in sorted(getattr(self, "_names", {}), key=len, reverse=True):
            if name.startswith(prefix + "-") or name == prefix:
                rest = name[len(prefix) + 1 :]
                p = self._names[prefix]
                if "actions" in prefix:
                    part = {"service_page_id": "service"}.get(rest, rest)
                    candidate = f"{p}_{part}"
                else:
                    candidate = {
                        "text": f"{p}_text",
                        "child": f"{p}_child",
                        "outcomes": f"{p}_outcome",
                        "outcomes-1-text": f"{p}_outcome",
                        "outcomes-1-actions": f"{p}_action1_text",
                    }.get(rest)
                if candidate in self.fields:
                    return candidate
        return None


class ReviewForm(forms.Form):
    """A review: date, summary, progress on every action and (optionally) the ten outcome
    scores, practitioner's and family's side by side."""

    held_on = DateField(name="Date of the review", label="Date of the review", help_text="For example, 27 3 2026")
    summary = forms.CharField(
        label="Summary of the review",
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=5000,
        error_messages={"required": "Enter a summary of the review"},
    )

    def __init__(self, *args, actions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.actions = list(actions)
        for action in self.actions:
            self.fields[f"progress-{action.pk}"] = forms.ChoiceField(
                label=action.text,
                choices=PlanAction.Status.choices,
                widget=forms.RadioSelect,
                initial=action.status,
                error_messages={"required": "Select the progress on this action"},
            )
            self.fields[f"note-{action.pk}"] = forms.CharField(
                label=f"Note on progress: {action.text}", required=False, max_length=2000
            )
        for code, label in outcomes.AREAS:
            for whose in ("practitioner", "family"):
                self.fields[f"scores-{code}-{whose}"] = forms.IntegerField(
                    label=f"{label}: {whose}'s score",
                    required=False,
                    min_value=1,
                    max_value=10,
                    error_messages={
                        "invalid": f"The {whose}'s score for {label.lower()} must be a whole number from 1 to 10",
                        "min_value": f"The {whose}'s score for {label.lower()} must be between 1 and 10",
                        "max_value": f"The {whose}'s score for {label.lower()} must be between 1 and 10",
                    },
                )

    def progress_rows(self):
        return [(a, self[f"progress-{a.pk}"], self[f"note-{a.pk}"]) for a in self.actions]

    def score_rows(self):
        return [
            (code, label, self[f"scores-{code}-practitioner"], self[f"scores-{code}-family"])
            for code, label in outcomes.AREAS
        ]

    def progress(self) -> dict:
        return {
            a.pk: {
                "status": self.cleaned_data.get(f"progress-{a.pk}"),
                "note": self.cleaned_data.get(f"note-{a.pk}", ""),
            }
            for a in self.actions
        }

    def scores(self) -> dict | None:
        given = {
            code: (self.cleaned_data.get(f"scores-{code}-practitioner"), self.cleaned_data.get(f"scores-{code}-family"))
            for code in outcomes.AREA_CODES
        }
        if not any(p is not None or f is not None for p, f in given.values()):
            return None
        return given

    def error_field(self, name: str) -> str | None:
        if name in self.fields:
            return name
        if name.startswith("scores-"):
            code = name[len("scores-") :]
            return f"scores-{code}-practitioner" if f"scores-{code}-practitioner" in self.fields else None
        return None
