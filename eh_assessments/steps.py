"""The steps of the early help assessment: names, order, sections of the task list, the form
and template of each, and when a step applies or can be started.

Step names are constants; each child in the family gets its own steps, named
``child-<person uuid>-<kind>`` (:func:`child_step_name`), so answers about a child stay
attached to that child whatever order people are added or removed in.

``steps_for(assessment)`` is the whole registry for one assessment (every step, in wizard
order, including conditional ones); ``applicable_steps`` keeps those whose condition holds.
The wizard's formtools ``form_list`` and ``condition_dict`` are built from it per request.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from django import forms

from . import conditions
from . import forms as step_forms
from .models import Assessment, Person
from .storage import completed_steps, in_progress_steps

# --- Step names ------------------------------------------------------------------------------
ABOUT = "about"
CONSENT = "consent"
FAMILY = "family"
PARENTING = "parenting"
ENVIRONMENT = "environment"
PARENT_VOICE = "parent-voice"
CHRONOLOGY = "chronology"
RISKS = "risks"
DOMESTIC_ABUSE = "domestic-abuse"
MARAC = "marac"
IDENTITY = "identity"
ANALYSIS = "analysis"
LEVEL_OF_NEED = "level-of-need"
OUTCOMES = "outcomes"
CHECK_ANSWERS = "check-answers"

# Per-child step kinds, in the order they are asked for each child.
TARGET = "target"
DEVELOPMENT = "development"
VOICE = "voice"
CHILD_KINDS = (TARGET, DEVELOPMENT, VOICE)

# --- Task list sections ----------------------------------------------------------------------
SECTION_START = "About the assessment"
SECTION_FAMILY = "The family"
SECTION_CHILDREN = "Each child"  # one section per child, headed with the child's name
SECTION_HOUSEHOLD = "Parenting and the home"
SECTION_HISTORY = "History, risk and identity"
SECTION_CONCLUSION = "Analysis and level of need"
SECTION_SUBMIT = "Check and submit"

# Task list statuses (GOV.UK task list pattern).
NOT_STARTED = "Not yet started"
IN_PROGRESS = "In progress"
COMPLETED = "Completed"
CANNOT_START = "Cannot start yet"


class FamilyMembersForm(step_forms.StepForm):
    """The family step: the list of family members is managed on its own pages; this asks
    whether anyone is still to be added (GOV.UK "add another" pattern). Completing the step
    needs at least one child or young person in the family."""

    add_another = forms.TypedChoiceField(
        label="Do you need to add another family member?",
        choices=[("yes", "Yes"), ("no", "No")],
        widget=forms.RadioSelect,
        error_messages={"required": "Select yes if you need to add another family member"},
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("add_another") == "no" and not self.children:
            self.add_error("add_another", "Add at least one child or young person before you continue")
        return cleaned


class CheckAnswersForm(step_forms.StepForm):
    """The final summary step: nothing to fill in; posting it submits the assessment."""


@dataclass(frozen=True)
class Step:
    name: str
    title: str
    form_class: type[forms.Form]
    template_name: str
    section: str
    condition: Callable[[Assessment], bool] = conditions.always
    child: Person | None = None
    kind: str = ""
    optional: bool = False
    depends_on: tuple[str, ...] = field(default=())  # step names or child kinds

    @property
    def heading(self) -> str:
        """The step's title with the child's name, for headings outside its section."""
        if self.child is not None:
            return f"{self.child.full_name}: {self.title[:1].lower()}{self.title[1:]}"
        return self.title

    def applies_to(self, assessment: Assessment) -> bool:
        return bool(self.condition(assessment))


def child_step_name(kind: str, person: Person) -> str:
    return f"child-{person.uuid}-{kind}"


def _template(kind: str) -> str:
    return f"eh_assessments/steps/{kind}.html"


# Per-child steps: kind -> (title, form class, template, optional).
CHILD_STEPS: dict[str, tuple[str, type[forms.Form], str, bool]] = {
    TARGET: ("Target date for the assessment", step_forms.ChildTargetForm, _template("target"), True),
    DEVELOPMENT: ("Developmental needs", step_forms.DevelopmentForm, _template("development"), False),
    VOICE: ("Voice of the child", step_forms.ChildVoiceForm, _template("voice"), False),
}


def steps_for(assessment: Assessment, *, children: Sequence[Person] | None = None) -> list[Step]:
    """Every step of ``assessment`` in wizard order. ``children`` (the family's children,
    already fetched) saves a query; without it they are read in one."""
    if children is None:
        children = family_children(assessment)
    steps = [
        Step(ABOUT, "About this assessment", step_forms.AboutForm, _template("about"), SECTION_START),
        Step(CONSENT, "Consent", step_forms.ConsentForm, _template("consent"), SECTION_START),
        Step(FAMILY, "Family members", FamilyMembersForm, "eh_assessments/family_step.html", SECTION_FAMILY),
    ]
    for child in children:
        for kind, (title, form_class, template, optional) in CHILD_STEPS.items():
            steps.append(
                Step(
                    child_step_name(kind, child),
                    title,
                    form_class,
                    template,
                    SECTION_CHILDREN,
                    child=child,
                    kind=kind,
                    optional=optional,
                )
            )
    steps += [
        Step(PARENTING, "Parenting capacity", step_forms.ParentingForm, _template("parenting"), SECTION_HOUSEHOLD),
        Step(
            ENVIRONMENT,
            "Family and environment",
            step_forms.FamilyEnvironmentForm,
            _template("environment"),
            SECTION_HOUSEHOLD,
        ),
        Step(
            PARENT_VOICE,
            "Voice of parents and carers",
            step_forms.ParentVoiceForm,
            _template("parent-voice"),
            SECTION_HOUSEHOLD,
        ),
        Step(CHRONOLOGY, "Chronology", step_forms.ChronologyForm, _template("chronology"), SECTION_HISTORY),
        Step(RISKS, "Risks", step_forms.RisksForm, _template("risks"), SECTION_HISTORY),
        Step(
            DOMESTIC_ABUSE,
            "Domestic abuse",
            step_forms.DomesticAbuseForm,
            _template("domestic-abuse"),
            SECTION_HISTORY,
            condition=conditions.domestic_abuse_indicated,
        ),
        Step(
            MARAC,
            "MARAC referral",
            step_forms.MaracForm,
            _template("marac"),
            SECTION_HISTORY,
            condition=conditions.marac_referral_indicated,
        ),
        Step(IDENTITY, "Identity and diversity", step_forms.IdentityForm, _template("identity"), SECTION_HISTORY),
        Step(ANALYSIS, "Analysis", step_forms.AnalysisForm, _template("analysis"), SECTION_CONCLUSION),
        Step(
            LEVEL_OF_NEED,
            "Level of need",
            step_forms.LevelOfNeedForm,
            _template("level-of-need"),
            SECTION_CONCLUSION,
            depends_on=(DEVELOPMENT, PARENTING, ENVIRONMENT, RISKS, DOMESTIC_ABUSE, MARAC),
        ),
        Step(
            OUTCOMES,
            "Outcomes the family wants",
            step_forms.FamilyOutcomesForm,
            _template("outcomes"),
            SECTION_CONCLUSION,
        ),
        Step(
            CHECK_ANSWERS,
            "Check your answers",
            CheckAnswersForm,
            "eh_assessments/check_answers.html",
            SECTION_SUBMIT,
            depends_on=("*",),
        ),
    ]
    return steps


def family_children(assessment: Assessment) -> list[Person]:
    return list(Person.objects.filter(family_id=assessment.family_id, kind=Person.CHILD))


def applicable_steps(assessment: Assessment, steps: Iterable[Step]) -> list[Step]:
    return [step for step in steps if step.applies_to(assessment)]


def blocked_by(step: Step, steps: Sequence[Step], done: set[str]) -> list[Step]:
    """The applicable steps that must be completed before ``step`` can be started."""
    if not step.depends_on:
        return []
    if "*" in step.depends_on:
        return [s for s in steps if s.name != step.name and not s.optional and s.name not in done]
    return [
        s
        for s in steps
        if (s.name in step.depends_on or s.kind in step.depends_on) and not s.optional and s.name not in done
    ]


def status_of(step: Step, steps: Sequence[Step], sections: dict) -> str:
    """The task list status of ``step`` among the applicable ``steps``."""
    done = completed_steps(sections)
    if step.name in done:
        return COMPLETED
    if step.name in in_progress_steps(sections):
        return IN_PROGRESS
    if blocked_by(step, steps, done):
        return CANNOT_START
    return NOT_STARTED


def missing_steps(steps: Sequence[Step], sections: dict) -> list[Step]:
    """The applicable, required steps not yet completed (check your answers excluded)."""
    done = completed_steps(sections)
    return [s for s in steps if s.name != CHECK_ANSWERS and not s.optional and s.name not in done]
