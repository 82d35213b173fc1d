"""Walks through the assessment wizard: a table of (step posted, answers, expected next step)
for every branch — one child and several, the domestic abuse step on and off, consent refused
with a safeguarding reason, the family step's add-another — then back links, Change links that
return to check your answers, submission only with a consent decision, a draft resumed from
another client after signing out, and the refusal of a concurrent edit."""

from __future__ import annotations

import datetime

import pytest

from django.core import mail
from django.test import Client

from eh_assessments import dash, services
from eh_assessments import steps as registry
from eh_assessments.models import Assessment, ChildTarget
from tests.eh_assessments.conftest import (
    date_parts,
    fill_steps,
    next_step_of,
    step_post,
    step_url,
    valid_step_data,
)
from tests.eh_assessments.factories import AdultFactory, ChildFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eh_roles")]

TASK_LIST = "task-list"
SOON = datetime.date.today() + datetime.timedelta(days=30)
PERSON_ADD = "person-add"

# Step names in the tables: a fixed name, or "<n>:<kind>" for child n's step of that kind.
ONE_CHILD_WALK = [
    ("about", {}, "consent"),
    ("consent", {}, "family"),
    ("family", {}, "0:target"),
    ("0:target", {}, "0:development"),
    ("0:development", {}, "0:voice"),
    ("0:voice", {}, "parenting"),
    ("parenting", {}, "environment"),
    ("environment", {}, "parent-voice"),
    ("parent-voice", {}, "chronology"),
    ("chronology", {}, "risks"),
    ("risks", {}, "identity"),
    ("identity", {}, "analysis"),
    ("analysis", {}, "level-of-need"),
    ("level-of-need", {}, "outcomes"),
    ("outcomes", {}, "check-answers"),
]

THREE_CHILDREN_WALK = [
    ("family", {}, "0:target"),
    ("0:target", {}, "0:development"),
    ("0:development", {}, "0:voice"),
    ("0:voice", {}, "1:target"),
    (
        "1:target",
        {"own_target": "yes", "reason": "Starts secondary school soon", **date_parts("target_date", SOON)},
        "1:development",
    ),
    ("1:development", {}, "1:voice"),
    ("1:voice", {"gathered": "no", "why_not": "A baby: I observed her with her mum."}, "2:target"),
    ("2:target", {}, "2:development"),
    ("2:development", {}, "2:voice"),
    ("2:voice", {}, "parenting"),
]

DOMESTIC_ABUSE_WALK = [
    ("risks", {"domestic_abuse": "yes"}, "domestic-abuse"),
    ("domestic-abuse", {}, "identity"),
]

MARAC_WALK = [
    ("risks", {"domestic_abuse": "yes"}, "domestic-abuse"),
    ("domestic-abuse", {"professional_judgement": "high", "judgement_reason": "Threats to kill"}, "marac"),
    ("marac", {}, "identity"),
]

DOMESTIC_ABUSE_OFF_AGAIN = [
    ("risks", {"domestic_abuse": "yes"}, "domestic-abuse"),
    ("risks", {"domestic_abuse": "no"}, "identity"),
]

CONSENT_REFUSED_WALK = [
    ("about", {}, "consent"),
    (
        "consent",
        {
            "consent_to_assessment": "no",
            "consent_to_share": "",
            "given_by_name": "",
            "method": "",
            "given_on_day": "",
            "given_on_month": "",
            "given_on_year": "",
            "no_consent_reason": "Mother disclosed that her partner hits the children; telling him would put them at risk.",
        },
        "family",
    ),
]

FAMILY_ADD_ANOTHER = [
    ("family", {"add_another": "yes"}, PERSON_ADD),
]


def _resolve(name: str, children) -> str:
    if ":" in name:
        index, kind = name.split(":")
        return registry.child_step_name(kind, children[int(index)])
    return name


@pytest.mark.parametrize(
    ("children_count", "start_at", "table"),
    [
        pytest.param(1, None, ONE_CHILD_WALK, id="one-child"),
        pytest.param(3, "family", THREE_CHILDREN_WALK, id="three-children"),
        pytest.param(1, "risks", DOMESTIC_ABUSE_WALK, id="domestic-abuse-on"),
        pytest.param(1, "risks", MARAC_WALK, id="domestic-abuse-high-risk-marac"),
        pytest.param(1, "risks", DOMESTIC_ABUSE_OFF_AGAIN, id="domestic-abuse-on-then-off"),
        pytest.param(1, None, CONSENT_REFUSED_WALK, id="consent-refused-safeguarding"),
        pytest.param(1, "family", FAMILY_ADD_ANOTHER, id="family-add-another"),
    ],
)
def test_walk(client, lead, assessment, children_count, start_at, table):
    children = [ChildFactory(family=assessment.family, given_name=f"Child{i}") for i in range(children_count)]
    AdultFactory(family=assessment.family, given_name="Kim")
    if start_at:
        fill_steps(assessment, lead, until=start_at)
    client.force_login(lead)
    for posted, answers, expected in table:
        step_name = _resolve(posted, children)
        assessment.refresh_from_db()
        step = next(s for s in registry.steps_for(assessment) if s.name == step_name)
        data = valid_step_data(assessment, step, **answers)
        response = client.post(step_url(assessment, step_name), step_post(assessment, step_name, data))
        got = next_step_of(response)
        if expected == PERSON_ADD:
            assert got.endswith(f"/portal/assessments/{assessment.uuid}/family/add/")
        else:
            assert got == _resolve(expected, children), f"after {posted}"
        assessment.refresh_from_db()
        if expected != PERSON_ADD:
            assert step_name in assessment.sections
    assert "csrfmiddlewaretoken" not in str(assessment.sections)
    assert f"eha-{assessment.uuid.hex}" not in str(assessment.sections)


# --- Back links and Change links -----------------------------------------------------------
def _back_link(response) -> str:
    import re

    match = re.search(r'<a href="([^"]+)" class="govuk-back-link"', response.content.decode())
    assert match, "no back link"
    return match.group(1).replace("&amp;", "&")


def test_back_link_goes_to_the_previous_step_and_from_the_first_to_the_task_list(client, lead, assessment):
    client.force_login(lead)
    assert _back_link(client.get(step_url(assessment, "about"))).endswith(f"/portal/assessments/{assessment.uuid}/")
    assert _back_link(client.get(step_url(assessment, "consent"))) == step_url(assessment, "about")


def test_back_link_of_each_child_step_follows_the_family_order(client, lead, assessment):
    first, second = (ChildFactory(family=assessment.family, given_name=n) for n in ("Ann", "Ben"))
    fill_steps(assessment, lead, until="parenting")
    client.force_login(lead)
    second_target = registry.child_step_name(registry.TARGET, second)
    response = client.get(step_url(assessment, second_target))
    assert response.status_code == 200, [str(m) for m in response.wsgi_request._messages]
    assert _back_link(response) == step_url(assessment, registry.child_step_name(registry.VOICE, first))
    assert "Ben" in response.content.decode()


def test_change_link_returns_to_check_your_answers(client, lead, assessment, alex):
    fill_steps(assessment, lead)
    client.force_login(lead)
    page = client.get(step_url(assessment, "check-answers")).content.decode()
    change = step_url(assessment, "analysis", **{"return": "check"})
    assert change.replace("&", "&amp;") in page or change in page
    response = client.get(change)
    assert _back_link(response) == step_url(assessment, "check-answers")
    analysis = next(s for s in registry.steps_for(assessment) if s.name == "analysis")
    response = client.post(
        change, step_post(assessment, "analysis", valid_step_data(assessment, analysis, worries="School refusal."))
    )
    assert next_step_of(response) == "check-answers"
    assessment.refresh_from_db()
    assert assessment.sections["analysis"]["worries"] == "School refusal."


def test_a_change_that_opens_the_domestic_abuse_step_asks_it_before_returning(client, lead, assessment, alex):
    fill_steps(assessment, lead)
    client.force_login(lead)
    risks = next(s for s in registry.steps_for(assessment) if s.name == "risks")
    response = client.post(
        step_url(assessment, "risks", **{"return": "check"}),
        step_post(assessment, "risks", valid_step_data(assessment, risks, domestic_abuse="yes")),
    )
    assert response.status_code == 302
    assert response["Location"] == step_url(assessment, "domestic-abuse", **{"return": "check"})
    assessment.refresh_from_db()
    domestic = next(s for s in registry.steps_for(assessment) if s.name == "domestic-abuse")
    response = client.post(
        response["Location"], step_post(assessment, "domestic-abuse", valid_step_data(assessment, domestic))
    )
    assert next_step_of(response) == "check-answers"


# --- Submitting ----------------------------------------------------------------------------
def _submit(client, assessment):
    return client.post(step_url(assessment, "check-answers"), step_post(assessment, "check-answers", {}))


def test_no_submission_without_a_consent_decision(client, lead, assessment, alex):
    fill_steps(assessment, lead)
    assessment.refresh_from_db()
    sections = dict(assessment.sections)
    del sections["consent"]
    Assessment.objects.filter(pk=assessment.pk).update(sections=sections, consent_given=None)
    client.force_login(lead)
    response = _submit(client, assessment)
    assert next_step_of(response) == TASK_LIST
    page = client.get(response["Location"]).content.decode()
    assert "You cannot start “Check your answers” yet. First complete: Consent" in page
    assert 'id="task-consent-status"><strong class="govuk-tag govuk-tag--blue">Not yet started' in page
    assert 'id="task-check-answers-status">Cannot start yet' in page
    assessment.refresh_from_db()
    assert assessment.status == Assessment.Status.DRAFT


def test_submitting_ends_on_the_confirmation_panel_with_the_reference(client, lead, assessment, alex):
    fill_steps(assessment, lead)
    client.force_login(lead)
    response = _submit(client, assessment)
    assessment.refresh_from_db()
    assert assessment.status == Assessment.Status.SUBMITTED
    assert response["Location"] == f"/portal/assessments/{assessment.uuid}/submitted/"
    page = client.get(response["Location"]).content.decode()
    assert "govuk-panel--confirmation" in page
    assert assessment.reference in page and assessment.reference.startswith("EHA-")


def test_submitting_with_consent_refused_and_a_safeguarding_reason(
    client, lead, assessment, alex, manager, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        fill_steps(
            assessment,
            lead,
            overrides={
                "consent": {
                    "consent_to_assessment": "no",
                    "no_consent_reason": "Telling the father would put the children at risk.",
                    "consent_to_share": "",
                    "given_by_name": "",
                    "method": "",
                    "given_on_day": "",
                    "given_on_month": "",
                    "given_on_year": "",
                }
            },
        )
    assessment.refresh_from_db()
    assert assessment.consent_given is False
    assert [m.to for m in mail.outbox] == [[manager.email]]
    assert "Smith" not in mail.outbox[0].body and "father" not in mail.outbox[0].body
    client.force_login(lead)
    _submit(client, assessment)
    assessment.refresh_from_db()
    assert assessment.status == Assessment.Status.SUBMITTED


def test_get_never_submits(client, lead, assessment, alex):
    fill_steps(assessment, lead)
    client.force_login(lead)
    response = client.get(step_url(assessment, "submit"))
    assert response["Location"] == step_url(assessment, "check-answers")
    assessment.refresh_from_db()
    assert assessment.is_draft


# --- Save and return, and resuming elsewhere -------------------------------------------------
def test_save_and_come_back_later_marks_the_task_in_progress(client, lead, assessment):
    client.force_login(lead)
    about = registry.steps_for(assessment)[0]
    response = client.post(
        step_url(assessment, "about"),
        step_post(assessment, "about", valid_step_data(assessment, about), save_and_return="1"),
    )
    assert next_step_of(response) == TASK_LIST
    page = client.get(response["Location"]).content.decode()
    assert "Your answers have been saved" in page
    assert '<strong class="govuk-tag govuk-tag--light-blue">In progress</strong>' in page


def test_a_draft_survives_signing_out_and_resumes_from_another_client(client, lead, assessment):
    client.force_login(lead)
    about = registry.steps_for(assessment)[0]
    data = valid_step_data(assessment, about, reason="Sleeping badly since the move.")
    assert next_step_of(client.post(step_url(assessment, "about"), step_post(assessment, "about", data))) == "consent"
    client.logout()
    assert client.get(step_url(assessment, "about")).status_code == 302  # signed out: to sign in

    elsewhere = Client()
    elsewhere.force_login(lead)
    page = elsewhere.get(step_url(assessment, "about")).content.decode()
    assert "Sleeping badly since the move." in page
    task_list = elsewhere.get(f"/portal/assessments/{assessment.uuid}/").content.decode()
    assert 'id="task-about-status">Completed' in task_list


# --- Two people editing one draft ------------------------------------------------------------
def test_a_concurrent_edit_is_refused_and_nothing_is_lost(lead, colleague, assessment):
    assessment.team_around_family.add(colleague)
    first, second = Client(), Client()
    first.force_login(lead)
    second.force_login(colleague)
    about = registry.steps_for(assessment)[0]
    loaded_at = assessment.version
    assert first.get(step_url(assessment, "about")).status_code == 200
    assert second.get(step_url(assessment, "about")).status_code == 200

    mine = valid_step_data(assessment, about, reason="Mine: the lead's answer.")
    theirs = valid_step_data(assessment, about, reason="Theirs: typed in another tab.")
    response = first.post(step_url(assessment, "about"), step_post(assessment, "about", mine, version=loaded_at))
    assert next_step_of(response) == "consent"

    response = second.post(step_url(assessment, "about"), step_post(assessment, "about", theirs, version=loaded_at))
    assert response.status_code == 200
    page = response.content.decode()
    assert "<title>Error: " in page
    assert "Someone else changed this assessment while you were editing it" in page
    assert "Theirs: typed in another tab." in page  # what they typed is still on screen
    assert "Mine: the lead&#x27;s answer." in page or "Mine: the lead's answer." in page  # and what is saved
    assessment.refresh_from_db()
    assert assessment.sections["about"]["reason"] == "Mine: the lead's answer."
    assert assessment.version == loaded_at + 1

    # The page now carries the new version: Continue saves their answers deliberately.
    response = second.post(step_url(assessment, "about"), step_post(assessment, "about", theirs))
    assert next_step_of(response) == "consent"
    assessment.refresh_from_db()
    assert assessment.sections["about"]["reason"] == "Theirs: typed in another tab."


def test_a_page_without_its_management_form_or_version_is_refused(client, lead, assessment):
    client.force_login(lead)
    about = registry.steps_for(assessment)[0]
    data = {f"about-{k}": v for k, v in valid_step_data(assessment, about).items()}
    assert client.post(step_url(assessment, "about"), data).status_code == 400
    posted = step_post(assessment, "about", valid_step_data(assessment, about))
    del posted["assessment_version"]
    assert client.post(step_url(assessment, "about"), posted).status_code == 400
    assessment.refresh_from_db()
    assert "about" not in assessment.sections


def test_errors_keep_what_was_typed_and_say_error_in_the_title(client, lead, assessment):
    client.force_login(lead)
    about = registry.steps_for(assessment)[0]
    data = valid_step_data(assessment, about, reason="", referrer_name="Pat Nurse")
    response = client.post(step_url(assessment, "about"), step_post(assessment, "about", data))
    assert response.status_code == 200
    page = response.content.decode()
    assert "<title>Error: " in page and "Enter why this assessment is needed" in page
    assert 'value="Pat Nurse"' in page
    assessment.refresh_from_db()
    assert assessment.sections == {}


def test_child_target_date_is_kept_as_a_child_target(client, lead, assessment, alex):
    fill_steps(assessment, lead, until=registry.child_step_name(registry.TARGET, alex))
    client.force_login(lead)
    name = registry.child_step_name(registry.TARGET, alex)
    step = next(s for s in registry.steps_for(assessment) if s.name == name)
    data = valid_step_data(
        assessment, step, own_target="yes", reason="Exclusion hearing", **date_parts("target_date", SOON)
    )
    client.post(step_url(assessment, name), step_post(assessment, name, data))
    target = ChildTarget.objects.get(assessment=assessment, child=alex)
    assert (target.target_date, target.reason) == (SOON, "Exclusion hearing")


def test_the_high_risk_threshold_of_the_checklist_leads_to_the_marac_step(client, lead, assessment, alex):
    fill_steps(assessment, lead, until="risks", overrides={})
    client.force_login(lead)
    risks = next(s for s in registry.steps_for(assessment) if s.name == "risks")
    client.post(
        step_url(assessment, "risks"),
        step_post(assessment, "risks", valid_step_data(assessment, risks, domestic_abuse="yes")),
    )
    assessment.refresh_from_db()
    domestic = next(s for s in registry.steps_for(assessment) if s.name == "domestic-abuse")
    answers = dict.fromkeys(dash.FIELD_NAMES[: dash.VISIBLE_HIGH_RISK_THRESHOLD], dash.YES)
    response = client.post(
        step_url(assessment, "domestic-abuse"),
        step_post(assessment, "domestic-abuse", valid_step_data(assessment, domestic, **answers)),
    )
    assert next_step_of(response) == "marac"


def test_add_another_event_saves_the_chronology_and_shows_it_again_in_progress(client, lead, assessment, alex):
    fill_steps(assessment, lead, until="chronology")
    client.force_login(lead)
    chronology = next(s for s in registry.steps_for(assessment) if s.name == "chronology")
    data = valid_step_data(assessment, chronology)
    response = client.post(
        step_url(assessment, "chronology"), step_post(assessment, "chronology", data, stay_on_step="add_event")
    )
    assert next_step_of(response) == "chronology"
    assessment.refresh_from_db()
    assert [e["what"] for e in assessment.sections["chronology"]["events"]] == ["Moved house"]
    assert assessment.sections["_progress"] == {"chronology": "in_progress"}
    page = client.get(step_url(assessment, "chronology")).content.decode()
    assert "Moved house" in page and "Event 2" in page

    response = client.post(step_url(assessment, "chronology"), step_post(assessment, "chronology", data))
    assert next_step_of(response) == "risks"
    assessment.refresh_from_db()
    assert "_progress" not in assessment.sections


def test_save_and_come_back_later_with_errors_saves_nothing(client, lead, assessment):
    client.force_login(lead)
    about = registry.steps_for(assessment)[0]
    data = valid_step_data(assessment, about, reason="")
    response = client.post(step_url(assessment, "about"), step_post(assessment, "about", data, save_and_return="1"))
    assert response.status_code == 200 and "Enter why this assessment is needed" in response.content.decode()
    assessment.refresh_from_db()
    assert assessment.sections == {}


def test_a_stale_submission_is_refused_and_can_be_retried(client, lead, assessment, alex):
    fill_steps(assessment, lead)
    client.force_login(lead)
    assessment.refresh_from_db()
    loaded_at = assessment.version
    analysis = next(s for s in registry.steps_for(assessment) if s.name == "analysis")
    services.save_step(
        assessment,
        "analysis",
        valid_step_data(assessment, analysis) | {"worries": "Changed meanwhile."},
        expected_version=loaded_at,
        user=lead,
    )
    response = client.post(
        step_url(assessment, "check-answers"), step_post(assessment, "check-answers", {}, version=loaded_at)
    )
    page = response.content.decode()
    assert response.status_code == 200 and "<title>Error: " in page
    assert "Someone else changed this assessment while you were checking it" in page
    assessment.refresh_from_db()
    assert assessment.is_draft
    assert next_step_of(_submit(client, assessment)).endswith(f"/portal/assessments/{assessment.uuid}/submitted/")


def test_a_removed_childs_steps_are_gone(client, lead, assessment, alex):
    fill_steps(assessment, lead, until="parenting")
    client.force_login(lead)
    development = registry.child_step_name(registry.DEVELOPMENT, alex)
    assert client.get(step_url(assessment, development)).status_code == 200
    remove = f"/portal/assessments/{assessment.uuid}/family/{alex.uuid}/remove/"
    assert client.post(remove).status_code == 302
    assert client.get(step_url(assessment, development)).status_code == 404
    assessment.refresh_from_db()
    assert development not in assessment.sections
