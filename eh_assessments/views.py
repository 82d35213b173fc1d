"""The early help assessment pages: my assessments, start, the task list, the wizard (one
question page per step, check your answers, submit), family members, the confirmation and the
printable view.

Access goes through ``eh_assessments.selectors``: an assessment the user may not see is a 404
(never a 403, so its existence is not revealed); changing one needs ``can_edit`` (drafts only).
Every page that shows an assessment writes an audit event. Views orchestrate; every write is
a call to ``eh_assessments.services``.
"""

from __future__ import annotations

import datetime
from collections import OrderedDict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any
from urllib.parse import urlencode

from formtools.wizard.forms import ManagementForm
from formtools.wizard.views import NamedUrlWizardView, StepsHelper

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.core.paginator import Paginator
from django.db.models import Case, IntegerField, Value, When
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.dateformat import format as date_format
from django.views.decorators.http import require_http_methods
from django.views.generic import TemplateView

from portal.audit.decorators import when_successful
from portal.audit.models import AuditEvent
from portal.audit.services import record, record_list

from . import permissions, selectors, services
from . import steps as registry
from .forms import PersonForm
from .models import Assessment, Person, Referral
from .storage import AssessmentStorage, completed_steps, from_json, in_progress_steps

PAGE_SIZE = 25
RETURN_TO_CHECK = "check"
NOT_GIVEN = "Not given"
STALE_MESSAGE = (
    "Someone else changed this assessment while you were editing it. Your answers on this page "
    "have not been saved: they are shown below, with what is saved now underneath. Check them, "
    "then select Continue to save your answers over the saved ones."
)


# --- Looking up an assessment -------------------------------------------------------------
def _visible(request, pk) -> Assessment:
    """The assessment with uuid ``pk`` if the user may see it; otherwise 404."""
    return get_object_or_404(
        selectors.assessments_for(request.user).select_related("threshold_document", "referral"), uuid=pk
    )


def _editable(request, pk) -> Assessment:
    """The assessment if the user may change it: 404 if they may not see it, 403 if they may
    see but not change it (a submitted one, or a manager looking at a team member's draft)."""
    assessment = _visible(request, pk)
    if not permissions.can_edit(request.user, assessment):
        raise PermissionDenied("This assessment cannot be changed.")
    return assessment


def _people(assessment: Assessment) -> list[Person]:
    return list(Person.objects.filter(family_id=assessment.family_id).select_related("school"))


def _children(people: Iterable[Person]) -> list[Person]:
    return [person for person in people if person.is_child]


def _audit_view(request, response, assessment: Assessment, **detail) -> None:
    """Record that the page showed ``assessment`` once it has rendered successfully."""
    if response.status_code != 200:
        return
    when_successful(
        request,
        response,
        lambda: record(
            request,
            AuditEvent.Action.VIEW,
            assessment,
            object_repr=assessment.reference or "",
            detail=detail or None,
        ),
    )


def step_url(assessment: Assessment, step: str, *, return_to: str | None = None) -> str:
    url = reverse("eh_assessments:step", kwargs={"pk": assessment.uuid, "step": step})
    return f"{url}?{urlencode({'return': return_to})}" if return_to else url


def task_list_url(assessment: Assessment) -> str:
    return reverse("eh_assessments:task_list", kwargs={"pk": assessment.uuid})


def home_url_for(assessment: Assessment) -> str:
    """Where an assessment "lives": its task list while a draft, its printable view after."""
    if assessment.is_draft:
        return task_list_url(assessment)
    return reverse("eh_assessments:print", kwargs={"pk": assessment.uuid})


# --- Answers as summary rows (check your answers, the printable view) ---------------------
def _flat_choices(choices) -> dict[str, str]:
    flat: dict[str, str] = {}
    for value, label in choices or ():
        if isinstance(label, list | tuple):
            flat.update(_flat_choices(label))
        else:
            flat[str(value)] = str(label)
    return flat


def _display(field: forms.Field | None, value: Any) -> str:
    if value is None or value == "" or value == [] or value == {}:
        return NOT_GIVEN
    if isinstance(field, forms.BooleanField | forms.NullBooleanField) or isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(field, forms.ModelMultipleChoiceField | forms.ModelChoiceField):
        return _display_models(field, value)
    if isinstance(field, forms.ChoiceField) and getattr(field, "choices", None):
        labels = _flat_choices(field.choices)
        values = value if isinstance(value, list) else [value]
        return "\n".join(labels.get(str(v), str(v)) for v in values)
    if isinstance(value, datetime.datetime):
        return date_format(value, "j F Y, g:ia")
    if isinstance(value, datetime.date):
        return date_format(value, "j F Y")
    if isinstance(value, Mapping):
        return "\n".join(f"{_humanise(k)}: {_display(None, v)}" for k, v in value.items())
    if isinstance(value, list):
        return "\n\n".join(_display(None, item) for item in value)
    return str(value)


def _display_models(field: forms.ModelChoiceField, value: Any) -> str:
    values = value if isinstance(value, list) else [value]
    model = field.queryset.model
    key = "uuid" if any(f.name == "uuid" for f in model._meta.fields) else "pk"
    found = {str(getattr(obj, key)): str(obj) for obj in model._default_manager.filter(**{f"{key}__in": values})}
    return "\n".join(found.get(str(v), str(v)) for v in values)


def _humanise(name: str) -> str:
    return name.replace("_", " ").capitalize()


def answer_rows(
    step: registry.Step, form_kwargs: Mapping[str, Any], stored: Mapping[str, Any] | None, *, change_url: str | None
) -> list[dict]:
    """Summary list rows for one step: each visible field's label and the stored answer.
    The step's form is made with the stored answers as ``initial``; a form may offer
    ``summary_rows() -> [(label, text)]`` (reading its ``initial``) to present itself."""
    values = from_json(stored or {}, step.form_class.base_fields)
    form = step.form_class(initial=values, **form_kwargs)
    custom = getattr(form, "summary_rows", None)
    if callable(custom):
        pairs = list(custom())
    else:
        pairs = [
            (str(field.label or _humanise(name)), _display(field, values.get(name)))
            for name, field in form.fields.items()
            if not field.widget.is_hidden
        ]
    return [
        {"key": label, "value": text, "href": change_url, "hidden_text": f"{label} – {step.heading}".lower()}
        for label, text in pairs
    ]


def family_rows(people: Sequence[Person], *, change_url: str | None) -> list[dict]:
    rows = []
    for person in people:
        born = person.date_of_birth or person.expected_date_of_birth
        parts = [person.get_kind_display()]
        if person.date_of_birth:
            parts.append(f"born {date_format(born, 'j F Y')}")
        elif person.expected_date_of_birth:
            parts.append(f"due {date_format(born, 'j F Y')}")
        if person.school_display:
            parts.append(person.school_display)
        rows.append(
            {
                "key": person.full_name,
                "value": ", ".join(parts),
                "href": change_url,
                "hidden_text": f"family members ({person.full_name})",
            }
        )
    return rows


def must_not_see(assessment: Assessment, people: Sequence[Person]) -> list[str]:
    """The people the consent step says must not see the assessment, by name: family members
    chosen by uuid (``must_not_see``) and anyone else named in ``must_not_see_others``."""
    consent = (assessment.sections or {}).get(registry.CONSENT) or {}
    by_uuid = {str(person.uuid): person.full_name for person in people}
    names: list[str] = []
    chosen = consent.get("must_not_see") or []
    if isinstance(chosen, str):
        chosen = [chosen]
    names += [by_uuid[str(value)] for value in chosen if str(value) in by_uuid]  # removed people are gone
    for key in ("must_not_see_others",):
        text = str(consent.get(key) or "").strip()
        if text:
            names.append(text)
    return names


def summary_sections(
    assessment: Assessment, steps: Sequence[registry.Step], people: Sequence[Person], *, editable: bool
) -> list[dict]:
    """Every applicable step's answers as ``[{"step", "title", "rows", "change_url"}]``."""
    sections = assessment.sections or {}
    blocks = []
    for step in steps:
        if step.name == registry.CHECK_ANSWERS:
            continue
        change = step_url(assessment, step.name, return_to=RETURN_TO_CHECK) if editable else None
        if step.name == registry.FAMILY:
            rows = family_rows(people, change_url=change) or [
                {"key": "Family members", "value": "No one added yet", "href": change}
            ]
        else:
            rows = answer_rows(step, _form_kwargs(assessment, step, people), sections.get(step.name), change_url=change)
        blocks.append(
            {
                "step": step,
                "title": step.heading,
                "rows": rows,
                "answered": step.name in sections,
                "change_url": change,
            }
        )
    return blocks


def _form_kwargs(assessment: Assessment, step: registry.Step, people: Sequence[Person]) -> dict[str, Any]:
    return {"assessment": assessment, "child": step.child, "people": people}


# --- My assessments -----------------------------------------------------------------------
@login_required
@permission_required(permissions.VIEW, raise_exception=True)
def assessment_list(request):
    visible = (
        selectors.assessments_for(request.user)
        .prefetch_related("family__people")
        .annotate(
            draft_first=Case(
                When(status=Assessment.Status.DRAFT, then=Value(0)), default=Value(1), output_field=IntegerField()
            )
        )
    )
    page = Paginator(visible.order_by("draft_first", "-updated_at", "-pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    response = render(
        request,
        "eh_assessments/assessment_list.html",
        {"page_obj": page, "can_start": permissions.can_start(request.user) and request.user.has_perm(permissions.ADD)},
    )
    when_successful(request, response, lambda: record_list(request, page.object_list))
    return response


# --- Starting -----------------------------------------------------------------------------
class PupilChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        born = date_format(obj.date_of_birth, "j F Y") if obj.date_of_birth else "date of birth not known"
        school = f", {obj.school.name}" if obj.school_id else ""
        return f"{obj.given_name} {obj.family_name}, born {born}{school}"


class StartForm(forms.Form):
    pupil = PupilChoiceField(
        queryset=None,
        label="Which pupil is the assessment for?",
        empty_label="Choose a pupil",
        required=False,
        error_messages={
            "required": "Select the pupil the assessment is for",
            "invalid_choice": "Select a pupil of your school",
        },
    )

    def __init__(self, *args, user, pupils, pupil_required: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["pupil"].queryset = pupils
        self.fields["pupil"].required = pupil_required
        if not pupil_required and not pupils.exists():
            del self.fields["pupil"]


@login_required
@permission_required(permissions.ADD, raise_exception=True)
@require_http_methods(["GET", "POST"])
def start(request):
    user = request.user
    if not permissions.can_start(user):
        raise PermissionDenied("You cannot start an early help assessment.")
    referral = None
    if request.GET.get("referral"):
        referral = get_object_or_404(
            Referral.objects.select_related("family").filter(family__in=selectors.families_for(user)),
            uuid=_uuid_or_404(request.GET["referral"]),
        )
    slugs = {role.slug for role in _roles(user)}
    school_only = not (slugs & (selectors.ASSESSMENT_ROLES - selectors.SCHOOL_ROLES))
    pupils = selectors.pupils_for_key_adult(user)
    form = StartForm(
        request.POST if request.method == "POST" else None,
        user=user,
        pupils=pupils,
        pupil_required=school_only and referral is None,
    )
    if request.method == "POST" and form.is_valid():
        pupil = form.cleaned_data.get("pupil")
        if pupil is not None and not permissions.can_start_for_school(user, pupil.school):
            raise PermissionDenied("This pupil is not at your school.")
        assessment = services.start_assessment(
            user=user,
            referral=referral,
            pupil=pupil,
            school=pupil.school if pupil is not None else None,
            request=request,
        )
        messages.success(request, f"Early help assessment {assessment.reference} started")
        return redirect(task_list_url(assessment))
    no_pupils = "pupil" in form.fields and form.fields["pupil"].required and not pupils.exists()
    return render(request, "eh_assessments/start.html", {"form": form, "referral": referral, "no_pupils": no_pupils})


def _roles(user):
    from portal.accounts.roles import roles_for

    return roles_for(user)


def _uuid_or_404(value: str):
    import uuid

    try:
        return uuid.UUID(str(value))
    except ValueError as exc:
        raise Http404("No such referral.") from exc


# --- The task list ------------------------------------------------------------------------
def task_list_sections(
    assessment: Assessment, steps: Sequence[registry.Step], children: Sequence[Person]
) -> list[dict]:
    """The task list: sections of tasks, each with a status and (unless it cannot be started
    yet) a link. Children without steps yet (none added) show one "Cannot start yet" row."""
    sections = assessment.sections or {}
    groups: OrderedDict[str, dict] = OrderedDict()
    for step in steps:
        if step.child is not None:
            key, heading = f"child-{step.child.uuid}", step.child.full_name
        else:
            key, heading = step.section, step.section
        group = groups.setdefault(key, {"heading": heading, "tasks": []})
        status = registry.status_of(step, steps, sections)
        blockers = (
            registry.blocked_by(step, steps, completed_steps(sections)) if status == registry.CANNOT_START else []
        )
        group["tasks"].append(
            {
                "step": step,
                "title": step.title,
                "hint": "Optional" if step.optional else "",
                "status": status,
                "href": None if status == registry.CANNOT_START else step_url(assessment, step.name),
                "blocked_by": [b.heading for b in blockers[:3]],
                "id": f"task-{step.name}",
            }
        )
    if not children:
        placeholder = {
            "heading": registry.SECTION_CHILDREN,
            "tasks": [
                {
                    "step": None,
                    "title": "Each child's target date, developmental needs and voice",
                    "hint": "Add the children in the family first",
                    "status": registry.CANNOT_START,
                    "href": None,
                    "blocked_by": [],
                    "id": "task-children",
                }
            ],
        }
        items = list(groups.items())
        index = next((i + 1 for i, (key, _) in enumerate(items) if key == registry.SECTION_FAMILY), len(items))
        items.insert(index, ("children", placeholder))
        groups = OrderedDict(items)
    return list(groups.values())


@login_required
@permission_required(permissions.VIEW, raise_exception=True)
def task_list(request, pk):
    assessment = _visible(request, pk)
    if not assessment.is_draft:
        return redirect(home_url_for(assessment))
    people = _people(assessment)
    children = _children(people)
    steps = registry.applicable_steps(assessment, registry.steps_for(assessment, children=children))
    groups = task_list_sections(assessment, steps, children)
    tasks = [task for group in groups for task in group["tasks"] if task["step"] is not None]
    done = sum(1 for task in tasks if task["status"] == registry.COMPLETED)
    response = render(
        request,
        "eh_assessments/task_list.html",
        {
            "assessment": assessment,
            "groups": groups,
            "completed_count": done,
            "task_count": len(tasks),
            "can_edit": permissions.can_edit(request.user, assessment),
            "children": children,
        },
    )
    _audit_view(request, response, assessment, page="task_list")
    return response


# --- The wizard ---------------------------------------------------------------------------
class AssessmentWizard(NamedUrlWizardView):
    """The assessment's question pages as a django-formtools wizard (NamedUrlWizardView: each
    step has its own URL, ``/portal/assessments/<uuid>/steps/<step>/``).

    What differs from a stock formtools wizard, and why (docs/decisions/0012):
    - ``form_list`` and ``condition_dict`` are built per request from
      ``steps.steps_for(assessment)``: the per-child steps depend on the family.
    - The storage is :class:`~eh_assessments.storage.AssessmentStorage`, keyed by the
      assessment, with a per-assessment prefix; forms are filled from the saved cleaned
      values as ``initial`` (formtools would re-bind stored raw POST data).
    - ``post`` saves through the service with the version the page was loaded at, handles
      "Save and come back later", Change links from check your answers, and the refusal of a
      stale save (the page is shown again with what was typed).
    - GET of any step shows it (task list navigation), unless it cannot be started yet; the
      final step is check your answers, and only a POST from it submits (never a GET).
    """

    form_list = [(registry.ABOUT, registry.CheckAnswersForm)]  # replaced per request in dispatch
    done_step_name = "submit"

    @classmethod
    def get_initkwargs(cls, *args, **kwargs):
        kwargs.setdefault("url_name", "eh_assessments:step")
        kwargs.setdefault("done_step_name", cls.done_step_name)
        return super().get_initkwargs(*args, **kwargs)

    # -- Set up per request --
    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not request.user.has_perm(permissions.CHANGE):
            raise PermissionDenied("You cannot change early help assessments.")
        self.assessment = assessment = _visible(request, kwargs["pk"])
        if not permissions.can_edit(request.user, assessment):
            if request.method == "GET":  # a submitted one, or a manager's view of a team draft
                messages.info(request, "This assessment cannot be changed.")
                return redirect(home_url_for(assessment))
            raise PermissionDenied("This assessment cannot be changed.")
        self.people = _people(assessment)
        self.children = _children(self.people)
        self._load_registry()
        self.prefix = self.get_prefix(request, *args, **kwargs)
        self.storage = AssessmentStorage(self.prefix, request, assessment=assessment, user=request.user)
        self.steps = StepsHelper(self)
        step = kwargs.get("step")
        if step in self.form_list:
            self.storage.current_step = step
        response = TemplateView.dispatch(self, request, *args, **kwargs)
        _audit_view(request, response, assessment, step=self.storage.current_step or "")
        return response

    def _load_registry(self) -> None:
        self.registry = registry.steps_for(self.assessment, children=self.children)
        self.by_name = {step.name: step for step in self.registry}
        self.form_list = OrderedDict((step.name, step.form_class) for step in self.registry)
        self.condition_dict = {step.name: self._condition(step) for step in self.registry}
        self._forget_resolved_steps()

    @staticmethod
    def _condition(step: registry.Step):
        return lambda wizard: step.applies_to(wizard.assessment)

    def _forget_resolved_steps(self) -> None:
        for name in ("_resolved_form_list", "_cache_signature"):
            self.__dict__.pop(name, None)

    def get_prefix(self, request, *args, **kwargs):
        return f"eha-{self.assessment.uuid.hex}"

    def get_step_url(self, step):
        return step_url(self.assessment, step)

    @property
    def applicable(self) -> list[registry.Step]:
        names = self.get_form_list()
        return [step for step in self.registry if step.name in names]

    @property
    def current(self) -> registry.Step:
        return self.by_name[self.steps.current]

    @property
    def returning_to_check(self) -> bool:
        return self.request.GET.get("return") == RETURN_TO_CHECK

    # -- Forms --
    def get_form_kwargs(self, step=None):
        step = step or self.steps.current
        return _form_kwargs(self.assessment, self.by_name[step], self.people)

    def get_form_initial(self, step):
        if step == registry.FAMILY:  # "add another?" is asked afresh each time (GOV.UK pattern)
            return {}
        stored = self.storage.get_cleaned_step_data(step)
        return from_json(stored, self.form_list[step].base_fields) if stored else {}

    def get_form_prefix(self, step=None, form=None):
        return str(step or self.steps.current)

    def process_step(self, form):
        return form.cleaned_data

    def get_cleaned_data_for_step(self, step):
        stored = self.storage.get_cleaned_step_data(step)
        return from_json(stored, self.form_list[step].base_fields) if stored is not None else None

    def get_template_names(self):
        return [self.current.template_name, "eh_assessments/step_form.html"]

    # -- Navigation --
    def _status(self, step: registry.Step) -> str:
        return registry.status_of(step, self.applicable, self.assessment.sections or {})

    def get_next_step(self, step=None):
        """The next applicable step, unless it cannot be started yet (then None: back to the
        task list)."""
        name = super().get_next_step(step)
        if name is None or self._status(self.by_name[name]) == registry.CANNOT_START:
            return None
        return name

    def back_url(self) -> str:
        if self.returning_to_check:
            return step_url(self.assessment, registry.CHECK_ANSWERS)
        previous = self.get_prev_step()
        if previous is None or self.current.name == registry.CHECK_ANSWERS:
            return task_list_url(self.assessment)
        return step_url(self.assessment, previous)

    def get(self, request, *args, **kwargs):
        name = kwargs.get("step")
        if name == self.done_step_name:
            return redirect(step_url(self.assessment, registry.CHECK_ANSWERS))
        if name not in self.get_form_list():
            raise Http404("This question does not apply to this assessment.")
        step = self.by_name[name]
        if self._status(step) == registry.CANNOT_START:
            return self._cannot_start(step)
        return self.render(self.get_form())

    def _cannot_start(self, step: registry.Step):
        blockers = registry.blocked_by(step, self.applicable, completed_steps(self.assessment.sections or {}))
        messages.info(
            self.request,
            f"You cannot start “{step.heading}” yet. First complete: "
            + ", ".join(b.heading for b in blockers[:5])
            + ("…" if len(blockers) > 5 else ""),
        )
        return redirect(task_list_url(self.assessment))

    def post(self, request, *args, **kwargs):
        name = kwargs.get("step")
        if name not in self.get_form_list():
            raise Http404("This question does not apply to this assessment.")
        management_form = ManagementForm(request.POST, prefix=self.prefix)
        if not management_form.is_valid() or management_form.cleaned_data["current_step"] != name:
            raise SuspiciousOperation("The wizard's management form is missing or does not match the page.")
        try:
            loaded_version = int(request.POST.get("assessment_version", ""))
        except ValueError as exc:
            raise SuspiciousOperation("The page did not say which version of the assessment it showed.") from exc
        if self._status(self.current) == registry.CANNOT_START:
            return self._cannot_start(self.current)

        form = self.get_form(data=request.POST, files=request.FILES)
        self.loaded_version = loaded_version
        if not form.is_valid():
            return self.render(form)
        if name == registry.CHECK_ANSWERS:
            return self.render_done(form, **kwargs)
        if name == registry.FAMILY and form.cleaned_data.get("add_another") == "yes":
            return redirect(_person_add_url(self.assessment, return_to=request.GET.get("return")))

        before = {step.name for step in self.applicable}
        self.storage.expected_version = loaded_version
        saving_for_later = "save_and_return" in request.POST
        staying = "stay_on_step" in request.POST or bool(getattr(form, "stay_on_step", False))
        is_complete = getattr(form, "is_complete", None)
        # Only Continue completes a step: "Save and come back later", a button that saves and
        # shows the page again ("Add another event") and a partial answer leave it in progress.
        self.storage.save_as_in_progress = saving_for_later or staying or (callable(is_complete) and not is_complete())
        try:
            self.storage.set_step_data(name, self.process_step(form))
        except services.StaleAssessment:
            return self.render_stale(form)
        except services.AssessmentLocked:
            messages.error(request, "This assessment has been submitted, so it can no longer be changed.")
            return redirect(home_url_for(self.assessment))
        self._forget_resolved_steps()  # the answers may change which steps apply

        if saving_for_later:
            messages.success(
                request,
                "Your answers have been saved. You can come back to this assessment at any time from "
                "‘Early help assessments’ on any device.",
            )
            return redirect(task_list_url(self.assessment))
        if staying:
            return redirect(request.get_full_path())
        if self.returning_to_check:
            return redirect(self._after_change(before))
        return self.render_next_step(form)

    def _after_change(self, before: set[str]) -> str:
        """After a Change link: a question that now applies and is unanswered comes next
        (still returning to check your answers); otherwise back to check your answers."""
        done = completed_steps(self.assessment.sections or {})
        for step in self.applicable:
            if step.name not in before and step.name not in done and step.name != registry.CHECK_ANSWERS:
                return step_url(self.assessment, step.name, return_to=RETURN_TO_CHECK)
        return step_url(self.assessment, registry.CHECK_ANSWERS)

    def render_next_step(self, form, **kwargs):
        next_step = self.get_next_step()
        if next_step is None:
            return redirect(task_list_url(self.assessment))
        self.storage.current_step = next_step
        return redirect(self.get_step_url(next_step))

    def render_goto_step(self, goto_step, **kwargs):
        return redirect(self.get_step_url(goto_step))

    def render_stale(self, form):
        """Show the step again with what was typed, the refusal, and what is saved now. The
        page now carries the new version, so Continue saves these answers deliberately."""
        self.assessment.refresh_from_db()
        self.storage.assessment = self.assessment
        form.add_error(None, STALE_MESSAGE)
        self.loaded_version = self.assessment.version
        step = self.current
        latest = []
        if step.name in (self.assessment.sections or {}) and step.name != registry.FAMILY:
            latest = answer_rows(
                step, self.get_form_kwargs(step.name), self.assessment.sections.get(step.name), change_url=None
            )
        return self.render(form, stale=True, latest_rows=latest)

    def render_done(self, form, **kwargs):
        """Submit from check your answers. The answers were validated step by step as they
        were saved; the service checks that every applicable step is complete and a consent
        decision recorded. ``form_dict`` holds each step's form filled with its answers."""
        form_dict = OrderedDict(
            (name, self.get_form(step=name)) for name in self.get_form_list() if name != registry.CHECK_ANSWERS
        )
        return self.done(list(form_dict.values()), form_dict=form_dict, form=form, **kwargs)

    def done(self, form_list, form_dict=None, form=None, **kwargs):
        try:
            services.submit_assessment(
                self.assessment, expected_version=self.loaded_version, user=self.request.user, request=self.request
            )
        except services.AssessmentIncomplete as incomplete:
            return self.render(form, missing=self._missing_links(incomplete.missing))
        except services.StaleAssessment:
            self.assessment.refresh_from_db()
            self.loaded_version = self.assessment.version
            form.add_error(
                None,
                "Someone else changed this assessment while you were checking it. "
                "Check the answers again, then submit.",
            )
            return self.render(form)
        except services.AssessmentLocked:
            return redirect(home_url_for(self.assessment))
        return redirect(reverse("eh_assessments:confirmation", kwargs={"pk": self.assessment.uuid}))

    def _missing_links(self, missing: list[str]) -> list[dict]:
        by_heading = {step.heading: step for step in self.applicable}
        links = []
        for heading in missing:
            step = by_heading.get(heading)
            href = step_url(self.assessment, step.name, return_to=RETURN_TO_CHECK) if step else None
            links.append({"text": f"Complete ‘{heading}’", "href": href})
        return links

    # -- Templates --
    def get_context_data(self, form, **kwargs):
        context = super().get_context_data(form=form, **kwargs)
        step = self.current
        context.update(
            assessment=self.assessment,
            step=step,
            child=step.child,
            back_url=self.back_url(),
            task_list_url=task_list_url(self.assessment),
            returning_to_check=self.returning_to_check,
            assessment_version=getattr(self, "loaded_version", self.assessment.version),
            has_errors=bool(form.errors) or bool(kwargs.get("missing")),
        )
        if step.name == registry.FAMILY:
            context["people"] = self.people
            context["person_add_url"] = _person_add_url(self.assessment, return_to=self.request.GET.get("return"))
        if step.name == registry.CHECK_ANSWERS:
            context["summary"] = summary_sections(self.assessment, self.applicable, self.people, editable=True)
            context["missing"] = kwargs.get("missing") or []
        return context


def _person_add_url(assessment: Assessment, *, return_to: str | None = None) -> str:
    url = reverse("eh_assessments:person_add", kwargs={"pk": assessment.uuid})
    return f"{url}?{urlencode({'return': return_to})}" if return_to == RETURN_TO_CHECK else url


def _family_step_url(assessment: Assessment, request) -> str:
    return step_url(
        assessment,
        registry.FAMILY,
        return_to=RETURN_TO_CHECK if request.GET.get("return") == RETURN_TO_CHECK else None,
    )


# --- Family members -----------------------------------------------------------------------
@login_required
@permission_required(permissions.CHANGE, raise_exception=True)
@require_http_methods(["GET", "POST"])
def person_add(request, pk):
    assessment = _editable(request, pk)
    form = PersonForm(request.POST if request.method == "POST" else None, family=assessment.family, instance=None)
    if request.method == "POST" and form.is_valid():
        person = services.add_person(
            assessment.family,
            form.person_data(),
            main_carer=form.relationship_data(),
            user=request.user,
            request=request,
        )
        messages.success(request, f"{person.full_name} added to the family")
        return redirect(_family_step_url(assessment, request))
    response = render(
        request,
        "eh_assessments/person_form.html",
        {"assessment": assessment, "form": form, "person": None, "back_url": _family_step_url(assessment, request)},
    )
    _audit_view(request, response, assessment, page="person_add")
    return response


def _person_or_404(assessment: Assessment, person_pk) -> Person:
    return get_object_or_404(Person.objects.select_related("school"), uuid=person_pk, family_id=assessment.family_id)


@login_required
@permission_required(permissions.CHANGE, raise_exception=True)
@require_http_methods(["GET", "POST"])
def person_change(request, pk, person_pk):
    assessment = _editable(request, pk)
    person = _person_or_404(assessment, person_pk)
    form = PersonForm(request.POST if request.method == "POST" else None, family=assessment.family, instance=person)
    if request.method == "POST" and form.is_valid():
        services.update_person(
            person, form.person_data(), main_carer=form.relationship_data(), user=request.user, request=request
        )
        messages.success(request, f"{person.full_name}’s details changed")
        return redirect(_family_step_url(assessment, request))
    response = render(
        request,
        "eh_assessments/person_form.html",
        {"assessment": assessment, "form": form, "person": person, "back_url": _family_step_url(assessment, request)},
    )
    when_successful(request, response, lambda: record(request, AuditEvent.Action.VIEW, person))
    return response


@login_required
@permission_required(permissions.CHANGE, raise_exception=True)
@require_http_methods(["GET", "POST"])
def person_remove(request, pk, person_pk):
    assessment = _editable(request, pk)
    person = _person_or_404(assessment, person_pk)
    back = _family_step_url(assessment, request)
    if request.method == "POST":
        name = person.full_name
        try:
            services.remove_person(person, user=request.user, request=request)
        except services.AssessmentLocked:
            messages.error(
                request, f"{name} is part of a submitted assessment of this family, so they cannot be removed."
            )
            return redirect(back)
        messages.success(request, f"{name} removed from the family")
        return redirect(back)
    response = render(
        request,
        "eh_assessments/person_remove.html",
        {"assessment": assessment, "person": person, "back_url": back},
    )
    when_successful(request, response, lambda: record(request, AuditEvent.Action.VIEW, person))
    return response


# --- After submitting ---------------------------------------------------------------------
@login_required
@permission_required(permissions.VIEW, raise_exception=True)
def confirmation(request, pk):
    assessment = _visible(request, pk)
    if assessment.is_draft:
        return redirect(task_list_url(assessment))
    response = render(request, "eh_assessments/confirmation.html", {"assessment": assessment})
    _audit_view(request, response, assessment, page="confirmation")
    return response


@login_required
@permission_required(permissions.VIEW, raise_exception=True)
def print_view(request, pk):
    assessment = _visible(request, pk)
    if assessment.is_draft:
        messages.info(request, "You can print an assessment once it has been submitted.")
        return redirect(task_list_url(assessment))
    people = _people(assessment)
    steps = registry.applicable_steps(assessment, registry.steps_for(assessment, children=_children(people)))
    targets = {t.child_id: t for t in assessment.child_targets.all()}
    response = render(
        request,
        "eh_assessments/print.html",
        {
            "assessment": assessment,
            "people": people,
            "summary": summary_sections(assessment, steps, people, editable=False),
            "must_not_see": must_not_see(assessment, people),
            "child_targets": [(child, targets.get(child.pk)) for child in _children(people)],
            "in_progress": in_progress_steps(assessment.sections or {}),
        },
    )
    _audit_view(request, response, assessment, page="print")
    return response
