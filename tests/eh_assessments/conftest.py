"""Fixtures for the early help assessment: the roles' permissions, a lead professional, an
assessment with children, and ``walk`` helpers that post wizard steps as a browser would."""

from __future__ import annotations

import re

import pytest

from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from eh_assessments import permissions
from eh_assessments import steps as registry
from portal.accounts.roles import ROLES_BY_SLUG
from tests.eh_assessments.factories import AdultFactory, AssessmentFactory, ChildFactory, FamilyFactory
from tests.factories import TeamFactory

# The permissions each role needs for assessments (the lines for portal/accounts/roles.py).
ROLE_PERMISSIONS = {
    "lead_professional": (permissions.ADD, permissions.VIEW, permissions.CHANGE),
    "school_key_adult": (permissions.ADD, permissions.VIEW, permissions.CHANGE),
    "school_deputy": (permissions.ADD, permissions.VIEW, permissions.CHANGE),
    "early_help_manager": (permissions.ADD, permissions.VIEW, permissions.CHANGE, permissions.VIEW_TEAM),
}


@pytest.fixture
def eh_roles(db):
    """Give the role groups their assessment permissions (a no-op once roles.py has them)."""
    for slug, names in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=ROLES_BY_SLUG[slug].name)
        for name in names:
            app_label, codename = name.split(".")
            group.permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))


@pytest.fixture
def team(db):
    return TeamFactory(name="North locality")


@pytest.fixture
def lead(eh_roles, make_user, team):
    return make_user("lead_professional", email="lead.professional@example.org", team=team)


@pytest.fixture
def colleague(eh_roles, make_user, team):
    return make_user("lead_professional", email="colleague@example.org", team=team)


@pytest.fixture
def manager(eh_roles, make_user, team):
    return make_user("early_help_manager", email="manager@example.org", team=team)


@pytest.fixture
def family(db):
    return FamilyFactory()


@pytest.fixture
def assessment(lead, family):
    return AssessmentFactory(family=family, lead_professional=lead, team=lead.team)


@pytest.fixture
def alex(family):
    return ChildFactory(family=family, given_name="Alex", family_name="Smith")


@pytest.fixture
def kim(family):
    return AdultFactory(family=family, given_name="Kim", family_name="Smith")


def step_url(assessment, step: str, **query) -> str:
    url = reverse("eh_assessments:step", kwargs={"pk": assessment.uuid, "step": step})
    if query:
        from urllib.parse import urlencode

        url += "?" + urlencode(query)
    return url


def step_post(assessment, step: str, data: dict, *, version: int | None = None, **extra) -> dict:
    """What a browser posts for ``step``: the management form, the version the page was loaded
    at, and ``data`` with each field name prefixed by the step name (formtools' form prefix)."""
    assessment.refresh_from_db(fields=["version"])
    posted = {
        f"eha-{assessment.uuid.hex}-current_step": step,
        "assessment_version": str(assessment.version if version is None else version),
    }
    for key, value in data.items():
        posted[f"{step}-{key}"] = value
    posted.update(extra)
    return posted


def date_parts(name: str, day) -> dict:
    """A GOV.UK date input's three boxes for field ``name``."""
    return {f"{name}_day": str(day.day), f"{name}_month": str(day.month), f"{name}_year": str(day.year)}


def error_summary(response) -> str:
    """The text of a page's GOV.UK error summary (for assertion messages)."""
    html = response.content.decode()
    start = html.find('class="govuk-error-summary"')
    if start < 0:
        return f"status {response.status_code}, no error summary"
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html[start : html.find("</ul>", start)]))


def next_step_of(response) -> str | None:
    """The step a wizard response redirects to ("task-list" for the task list)."""
    assert response.status_code == 302, error_summary(response)
    location = response["Location"]
    match = re.search(r"/steps/([^/]+)/", location)
    if match:
        return match.group(1)
    if re.search(r"/portal/assessments/[0-9a-f-]{36}/$", location.split("?")[0]):
        return "task-list"
    return location


CHILD_KINDS = registry.CHILD_KINDS


# --- Valid answers for every step (unprefixed field names, as a browser posts them) -----------
def valid_step_data(assessment, step: registry.Step, **overrides) -> dict:
    """Answers that pass the step's form: the least a practitioner must give."""
    import datetime

    from eh_assessments import dash
    from eh_assessments.models import Person

    today = datetime.date.today()
    last_week = today - datetime.timedelta(days=7)
    kind = step.kind or step.name
    people = list(Person.objects.filter(family_id=assessment.family_id))
    children = [p for p in people if p.is_child]
    if kind == registry.ABOUT:
        data = {
            "reason": "Attendance has dropped to 80% and the family asked for help.",
            "source_agency": "school",
            "referrer_name": "Sam Teacher",
            **date_parts("request_date", last_week),
        }
    elif kind == registry.CONSENT:
        data = {
            "consent_to_assessment": "yes",
            "consent_to_share": "no",
            "given_by_name": "Kim Smith",
            **date_parts("given_on", last_week),
            "method": "in_person",
        }
    elif kind == registry.FAMILY:
        data = {"add_another": "no"}
    elif kind == registry.TARGET:
        data = {"own_target": "no"}
    elif kind == registry.DEVELOPMENT:
        areas = ("health", "education", "emotional", "identity", "relationships", "self_care")
        data = {f"{area}_score": "4" for area in areas}
    elif kind == registry.PARENTING:
        areas = ("basic_care", "safety", "warmth", "stimulation", "boundaries", "stability")
        data = {f"{area}_score": "4" for area in areas}
    elif kind == registry.ENVIRONMENT:
        areas = ("housing", "income", "employment", "community", "history", "wider_family")
        data = {f"{area}_score": "4" for area in areas}
    elif kind == registry.VOICE:
        data = {
            "gathered": "yes",
            "said": "I like school when my friends are there.",
            "how": "Talking at school",
            "present": "No one",
        }
    elif kind == registry.PARENT_VOICE:
        data = {"said": "We want help with mornings."}
    elif kind == registry.CHRONOLOGY:
        data = {**date_parts("event-0-date", last_week), "event-0-what": "Moved house"}
    elif kind == registry.RISKS:
        data = {"domestic_abuse": "no"}
    elif kind == registry.DOMESTIC_ABUSE:
        data = dict.fromkeys(dash.FIELD_NAMES, dash.NO)
        data.update(professional_judgement="not_high", police_callouts=dash.NO)
    elif kind == registry.MARAC:
        data = {"action": "referring"}
    elif kind == registry.IDENTITY:
        data = {f"child_{child.uuid.hex}_identity": "Proud of their Irish heritage." for child in children}
    elif kind == registry.ANALYSIS:
        data = {"working_well": "Warm relationships.", "worries": "Attendance.", "needs_to_happen": "A plan."}
    elif kind == registry.LEVEL_OF_NEED:
        data = {"level": "1"}
    elif kind == registry.OUTCOMES:
        data = {"outcome_1": "Alex goes to school every day."}
    else:
        data = {}
    data.update(overrides)
    return data


def fill_steps(assessment, user, *, until: str | None = None, overrides: dict | None = None) -> None:
    """Answer every applicable step through its form and the service, in wizard order, up to
    (not including) ``until``: a draft as a practitioner would leave it."""
    from django.http import QueryDict

    from eh_assessments import services

    overrides = overrides or {}
    done: set[str] = set()
    while True:
        assessment.refresh_from_db()
        pending = [
            s
            for s in registry.applicable_steps(assessment, registry.steps_for(assessment))
            if s.name not in done and s.name != registry.CHECK_ANSWERS
        ]
        if not pending or pending[0].name == until:
            return
        step = pending[0]
        data = valid_step_data(assessment, step, **overrides.get(step.kind or step.name, {}))
        query = QueryDict(mutable=True)
        for key, value in data.items():
            if isinstance(value, list):
                query.setlist(f"{step.name}-{key}", value)
            else:
                query[f"{step.name}-{key}"] = value
        form = step.form_class(data=query, prefix=step.name, assessment=assessment, child=step.child)
        assert form.is_valid(), (step.name, form.errors)
        services.save_step(assessment, step.name, form.cleaned_data, expected_version=assessment.version, user=user)
        done.add(step.name)
