"""The casework pages (issue 7): every page's happy path and its refusal of bad input with
nothing saved; who may see what (lead professional, manager of the team, another team's
manager, commissioner, anonymous); audit of every read; constant query counts on the list
pages."""

from __future__ import annotations

import datetime

import pytest

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from eh_assessments import casework
from eh_assessments.models import Assessment
from eh_assessments.models_casework import (
    ChronologyEntry,
    ClosureReason,
    Decision,
    DelayReason,
    Episode,
    Meeting,
    OutcomeRecord,
    Plan,
    Review,
    Supervision,
    SustainedCheck,
)
from eh_assessments.outcomes import AREA_CODES
from portal.audit.models import AuditEvent
from tests.directory.factories import ServicePageFactory
from tests.eh_assessments.casework_factories import open_episode, referral_for, submitted_assessment, world
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

BASE = "/portal/assessments/cases"


@pytest.fixture
def w(db):
    return world()


@pytest.fixture
def episode(w):
    return open_episode(w, "Amy")


def date_fields(name: str, day: datetime.date) -> dict[str, str]:
    return {f"{name}_day": str(day.day), f"{name}_month": str(day.month), f"{name}_year": str(day.year)}


def today() -> datetime.date:
    return timezone.localdate()


def html_of(response) -> str:
    return response.content.decode()


def assert_refused(response, *messages: str) -> str:
    """A form page shown again with GOV.UK errors: 200, "Error: " in the title, an error
    summary with each message."""
    assert response.status_code == 200, response.status_code
    html = html_of(response)
    assert "<title>Error: " in html
    assert "There is a problem" in html
    for message in messages:
        assert message in html, message
    return html


def viewed(obj) -> bool:
    return AuditEvent.objects.filter(
        object_type=obj._meta.label_lower, object_id=str(obj.pk), action=AuditEvent.Action.VIEW
    ).exists()


# --- Deciding on a request for help ------------------------------------------------------------


def test_the_front_door_decides_a_request_for_help_and_sees_a_confirmation(w, signed_in):
    referral = referral_for(w["team"], "Amy")
    front_door = UserFactory(roles=["front_door"])
    client = signed_in(front_door)
    url = f"{BASE}/requests/{referral.uuid}/decide/"
    page = client.get(url)
    assert page.status_code == 200
    assert "Decision due" in html_of(page)
    assert viewed(referral)
    response = client.post(
        url,
        {"kind": "single_agency", "lead_professional": w["lead"].pk, "rationale": "Attendance; routines at home."},
    )
    decision = Decision.objects.get(referral=referral)
    assert response.status_code == 302 and response["Location"] == f"{BASE}/decisions/{decision.uuid}/"
    assert decision.opened_episode.lead_professional == w["lead"]
    done = html_of(client.get(response["Location"]))
    assert "Decision recorded" in done
    assert f"{BASE}/{decision.opened_episode.uuid}/" in done


def test_a_decision_without_reasons_is_refused_and_nothing_is_saved(w, signed_in):
    referral = referral_for(w["team"], "Amy")
    client = signed_in(w["manager"])
    response = client.post(
        f"{BASE}/requests/{referral.uuid}/decide/",
        {"kind": "single_agency", "lead_professional": w["lead"].pk, "rationale": "  "},
    )
    html = assert_refused(response, "Enter the reasons for the decision")
    assert 'value="single_agency" checked' in html  # input kept
    assert not Decision.objects.exists() and not Episode.objects.exists()


def test_a_team_around_the_family_needs_another_professional(w, signed_in):
    referral = referral_for(w["team"], "Amy")
    response = signed_in(w["manager"]).post(
        f"{BASE}/requests/{referral.uuid}/decide/",
        {"kind": "team_around_family", "lead_professional": w["lead"].pk, "rationale": "Several needs."},
    )
    assert_refused(response, "Add at least one other professional to the team around the family")
    assert not Decision.objects.exists()
    ok = signed_in(w["manager"]).post(
        f"{BASE}/requests/{referral.uuid}/decide/",
        {
            "kind": "team_around_family",
            "lead_professional": w["lead"].pk,
            "members": [w["colleague"].pk],
            "rationale": "Several needs.",
        },
    )
    assert ok.status_code == 302
    assert list(Episode.objects.get().members.all()) == [w["colleague"]]


def test_a_step_down_without_a_handover_meeting_is_refused(w, signed_in):
    referral = referral_for(w["team"], "Amy", source_agency="social_care")
    url = f"{BASE}/requests/{referral.uuid}/decide/"
    client = signed_in(w["manager"])
    response = client.post(url, {"kind": "step_down", "lead_professional": w["lead"].pk, "rationale": "CIN ending."})
    assert_refused(
        response,
        "Enter the date of the handover meeting",
        "A step-down needs the family&#x27;s consent: record that they agree",
    )
    assert not Decision.objects.exists() and not Episode.objects.exists()
    meeting = today() + datetime.timedelta(days=7)
    response = client.post(
        url,
        {
            "kind": "step_down",
            "lead_professional": w["lead"].pk,
            "family_consent": "on",
            "rationale": "CIN ending.",
            **date_fields("handover_meeting_on", meeting),
        },
    )
    assert response.status_code == 302
    decision = Decision.objects.get()
    assert decision.kind == Decision.Kind.STEP_DOWN and decision.is_pending
    assert decision.handover_meeting_on == meeting


def test_a_step_up_needs_its_kind_and_child_protection_waits_for_sign_off(w, signed_in):
    referral = referral_for(w["team"], "Amy")
    url = f"{BASE}/requests/{referral.uuid}/decide/"
    client = signed_in(w["manager"])
    assert_refused(client.post(url, {"kind": "step_up", "rationale": "Injury."}), "Select what kind of step-up")
    assert not Decision.objects.exists()
    assert (
        client.post(url, {"kind": "step_up", "step_up_kind": "step_up_cp", "rationale": "Injury."}).status_code == 302
    )
    decision = Decision.objects.get()
    assert decision.kind == Decision.Kind.STEP_UP_CP and decision.is_pending and decision.front_door_alerted_at


def test_signposting_searches_the_directory_without_losing_what_was_typed(w, signed_in):
    food = ServicePageFactory(title="Holiday activities and food")
    ServicePageFactory(title="Parenting course")
    referral = referral_for(w["team"], "Amy")
    url = f"{BASE}/requests/{referral.uuid}/decide/"
    client = signed_in(w["manager"])
    searched = client.post(
        url, {"kind": "universal", "rationale": "Low level needs.", "services_q": "holiday", "search_services": "1"}
    )
    html = html_of(searched)
    assert searched.status_code == 200 and "Error:" not in html
    assert "Holiday activities and food" in html and "Parenting course" not in html
    assert "Low level needs." in html
    assert not Decision.objects.exists()
    assert_refused(
        client.post(url, {"kind": "universal", "rationale": "Low level needs."}), "Choose at least one service"
    )
    done = client.post(url, {"kind": "universal", "rationale": "Low level needs.", "service_page_ids": [food.pk]})
    assert done.status_code == 302
    decision = Decision.objects.get()
    assert decision.service_page_ids == [food.pk]
    confirmation = html_of(client.get(done["Location"]))
    printable = f"{BASE}/signposting/{decision.uuid}/print/"
    assert printable in confirmation
    assert "Holiday activities and food" in html_of(client.get(printable))


def test_deciding_on_a_submitted_assessment(w, signed_in):
    assessment = submitted_assessment(w["lead"], referral_for(w["team"], "Amy"))
    url = f"{BASE}/assessment/{assessment.uuid}/decide/"
    client = signed_in(w["manager"])
    assert url in html_of(client.get(f"{BASE}/requests/"))
    assert client.get(url).status_code == 200
    assert viewed(assessment)
    response = client.post(url, {"kind": "single_agency", "lead_professional": w["lead"].pk, "rationale": "Level 2."})
    assert response.status_code == 302
    assessment.refresh_from_db()
    assert assessment.status == Assessment.Status.DECIDED
    # Decided already: it is no longer offered.
    assert client.get(url).status_code == 404


def test_who_may_decide_a_request_for_help(w, signed_in):
    referral = referral_for(w["team"], "Amy")
    url = f"{BASE}/requests/{referral.uuid}/decide/"
    assert signed_in(world("South locality")["manager"]).get(url).status_code == 404
    assert signed_in(w["lead"]).get(url).status_code == 403
    assert signed_in(UserFactory(roles=["commissioner"])).get(url).status_code == 403


# --- Sign-off ---------------------------------------------------------------------------------


def _closure(w, episode, user=None):
    return casework.record_decision(
        user=user or w["lead"],
        kind=Decision.Kind.CLOSURE,
        rationale="Needs met.",
        episode=episode,
        closure_reason=ClosureReason.NEEDS_MET,
        closure_summary="Attendance back to 96%.",
    )


def test_a_manager_signs_off_a_closure(w, episode, signed_in):
    decision = _closure(w, episode)
    client = signed_in(w["manager"])
    listing = html_of(client.get(f"{BASE}/sign-off/"))
    assert f"{BASE}/sign-off/{decision.uuid}/" in listing
    url = f"{BASE}/sign-off/{decision.uuid}/"
    assert "Attendance back to 96%." in html_of(client.get(url))
    assert_refused(client.post(url, {"approve": "no", "note": ""}), "Enter why you do not agree with the decision")
    decision.refresh_from_db()
    assert decision.is_pending
    response = client.post(url, {"approve": "yes", "note": "Agreed."})
    assert response.status_code == 302
    decision.refresh_from_db()
    episode.refresh_from_db()
    assert decision.status == Decision.Status.APPROVED and decision.signed_off_by == w["manager"]
    assert episode.status == Episode.Status.CLOSED
    assert "Sign-off recorded" in html_of(client.get(response["Location"]))


def test_sign_off_by_the_proposer_is_refused_with_a_clear_message(w, episode, signed_in):
    decision = _closure(w, episode, user=w["manager"])
    client = signed_in(w["manager"])
    url = f"{BASE}/sign-off/{decision.uuid}/"
    assert "You proposed this decision" in html_of(client.get(url))
    assert_refused(
        client.post(url, {"approve": "yes"}), "You proposed this decision: another early help manager must sign it off"
    )
    decision.refresh_from_db()
    episode.refresh_from_db()
    assert decision.is_pending and decision.signed_off_by is None and episode.is_open
    assert decision.uuid.hex not in html_of(client.get(f"{BASE}/sign-off/")).replace("-", "")


def test_another_teams_manager_cannot_sign_off(w, episode, signed_in):
    decision = _closure(w, episode)
    assert signed_in(world("South locality")["manager"]).get(f"{BASE}/sign-off/{decision.uuid}/").status_code == 404
    assert signed_in(w["lead"]).get(f"{BASE}/sign-off/{decision.uuid}/").status_code == 403


# --- Closure, step-up, re-open ------------------------------------------------------------------


def test_closure_without_a_reason_is_refused(w, episode, signed_in):
    url = f"{BASE}/{episode.uuid}/close/"
    client = signed_in(w["lead"])
    assert client.get(url).status_code == 200
    response = client.post(url, {"closure_summary": "Done.", "rationale": "Needs met."})
    html = assert_refused(response, "Select why the episode is closing")
    assert "Done." in html
    other = client.post(url, {"closure_reason": "other", "closure_summary": "Done.", "rationale": "x"})
    assert_refused(other, "Enter the other reason for closing")
    assert not Decision.objects.filter(kind=Decision.Kind.CLOSURE).exists()
    ok = client.post(url, {"closure_reason": "moved_away", "closure_summary": "Moved to Leeds.", "rationale": "x"})
    assert ok.status_code == 302
    assert Decision.objects.get(kind=Decision.Kind.CLOSURE).is_pending
    assert "Decision proposed" in html_of(client.get(ok["Location"]))


def test_step_up_from_an_episode(w, episode, signed_in):
    url = f"{BASE}/{episode.uuid}/step-up/"
    client = signed_in(w["lead"])
    assert_refused(client.post(url, {"kind": "step_up_cin"}), "Enter the reasons for the decision")
    assert client.post(url, {"kind": "step_up_cin", "rationale": "Needs escalated."}).status_code == 302
    assert Decision.objects.get(kind=Decision.Kind.STEP_UP_CIN).is_pending


def test_the_sustained_outcome_check_after_closure(w, episode, signed_in):
    casework.sign_off(_closure(w, episode), user=w["manager"], approve=True)
    url = f"{BASE}/{episode.uuid}/sustained-check/"
    client = signed_in(w["lead"])
    assert url in html_of(client.get(f"{BASE}/{episode.uuid}/"))
    assert_refused(client.post(url, date_fields("checked_on", today())), "Select whether the family")
    assert not SustainedCheck.objects.exists()
    assert client.post(url, {"sustained": "yes", **date_fields("checked_on", today())}).status_code == 302
    assert SustainedCheck.objects.get(episode=episode).sustained is True
    assert url not in html_of(client.get(f"{BASE}/{episode.uuid}/"))


def test_reopening_makes_a_new_linked_episode(w, episode, signed_in):
    casework.sign_off(_closure(w, episode), user=w["manager"], approve=True)
    url = f"{BASE}/{episode.uuid}/reopen/"
    client = signed_in(w["lead"])
    assert_refused(client.post(url, {"rationale": ""}), "Enter the reasons for the decision")
    assert client.post(url, {"rationale": "Attendance dropped again."}).status_code == 302
    assert Episode.objects.get(previous=episode).is_open


# --- Plan, meetings, reviews, scores -----------------------------------------------------------


def _plan_data(day=None, **extra):
    day = day or today()
    return {
        "needs": "1",
        **date_fields("agreed_on", day),
        "need1_text": "Amy misses school",
        "need1_outcome": "Amy goes to school every day",
        "need1_action1_text": "Morning routine chart",
        "need1_action1_owner_name": "Mum",
        **date_fields("need1_action1_due_on", day + datetime.timedelta(days=14)),
        **extra,
    }


def test_agreeing_a_plan(w, episode, signed_in):
    url = f"{BASE}/{episode.uuid}/plan/"
    client = signed_in(w["lead"])
    assert client.get(url).status_code == 200
    assert viewed(episode)
    response = client.post(url, _plan_data())
    assert response.status_code == 302 and response["Location"] == f"{BASE}/{episode.uuid}/"
    plan = Plan.objects.get(episode=episode)
    action = plan.needs.get().outcomes.get().actions.get()
    assert action.owner_name == "Mum"
    # Once agreed, the page sends you back to the case.
    assert client.get(url).status_code == 302


def test_a_plan_action_without_an_owner_is_refused_and_input_kept(w, episode, signed_in):
    data = _plan_data(need1_action1_owner_name="")
    response = signed_in(w["lead"]).post(f"{BASE}/{episode.uuid}/plan/", data)
    html = assert_refused(response, "Enter who will do the action")
    assert "Morning routine chart" in html
    assert not Plan.objects.exists()


def test_adding_another_need_keeps_what_was_typed(w, episode, signed_in):
    response = signed_in(w["lead"]).post(f"{BASE}/{episode.uuid}/plan/", _plan_data(add_need="1"))
    html = html_of(response)
    assert response.status_code == 200 and "Error:" not in html
    assert "Need 2" in html and "Amy misses school" in html
    assert not Plan.objects.exists()


def _agreed(w, episode, day=None):
    return casework.agree_plan(
        episode,
        user=w["lead"],
        agreed_on=day or today(),
        needs=[
            {
                "text": "School",
                "outcomes": [{"text": "Attend", "actions": [{"text": "Chart", "owner": w["lead"], "due_on": today()}]}],
            }
        ],
    )


def _scores(**overrides):
    data = {}
    for code in AREA_CODES:
        data[f"scores-{code}-practitioner"] = "5"
        data[f"scores-{code}-family"] = "4"
    data.update(overrides)
    return data


def test_a_review_dated_before_the_plan_is_refused(w, episode, signed_in):
    plan = _agreed(w, episode)
    action = plan.needs.get().outcomes.get().actions.get()
    url = f"{BASE}/{episode.uuid}/review/"
    response = signed_in(w["lead"]).post(
        url,
        {
            **date_fields("held_on", today() - datetime.timedelta(days=1)),
            "summary": "Going well.",
            f"progress-{action.pk}": "in_progress",
        },
    )
    assert_refused(response, "The review cannot be dated before the plan was agreed")
    assert not Review.objects.exists()


def test_a_review_with_progress_and_scores_shows_distance_travelled(w, episode, signed_in):
    plan = _agreed(w, episode)
    action = plan.needs.get().outcomes.get().actions.get()
    client = signed_in(w["lead"])
    start = client.post(f"{BASE}/{episode.uuid}/scores/start/", {**date_fields("recorded_on", today()), **_scores()})
    assert start.status_code == 302
    url = f"{BASE}/{episode.uuid}/review/"
    page = html_of(client.get(url))
    assert "Chart" in page and "Getting a good education" in page
    incomplete = client.post(
        url,
        {
            **date_fields("held_on", today()),
            "summary": "Going well.",
            f"progress-{action.pk}": "done",
            **_scores(**{"scores-education-practitioner": ""}),
        },
    )
    assert_refused(incomplete, "Enter the practitioner&#x27;s score for getting a good education")
    assert not Review.objects.exists()
    response = client.post(
        url,
        {
            **date_fields("held_on", today()),
            "summary": "Going well.",
            f"progress-{action.pk}": "done",
            **_scores(**{"scores-education-practitioner": "8", "scores-education-family": "7"}),
        },
    )
    assert response.status_code == 302
    review = Review.objects.get()
    assert review.progress.get().status == "done"
    assert OutcomeRecord.objects.filter(stage="review").count() == 1
    html = html_of(client.get(url))
    assert "5 → 8 (+3)" in html and "4 → 7 (+3)" in html


def test_scheduling_and_holding_a_meeting(w, episode, signed_in):
    client = signed_in(w["lead"])
    url = f"{BASE}/{episode.uuid}/meetings/new/"
    assert_refused(client.post(url, {"kind": "first"}), "Enter the date of the meeting")
    assert not Meeting.objects.exists()
    assert client.post(url, {"kind": "first", **date_fields("scheduled_on", today())}).status_code == 302
    meeting = Meeting.objects.get()
    held_url = f"{BASE}/{episode.uuid}/meetings/{meeting.pk}/held/"
    assert held_url in html_of(client.get(f"{BASE}/{episode.uuid}/"))
    future = client.post(held_url, date_fields("held_on", today() + datetime.timedelta(days=3)))
    assert_refused(future, "must be today or in the past")
    assert client.post(held_url, {**date_fields("held_on", today()), "notes": "All came."}).status_code == 302
    episode.refresh_from_db()
    assert episode.first_meeting_held_on == today()


def test_recording_the_handover_opens_a_stepped_down_episode(w, signed_in):
    referral = referral_for(w["team"], "Amy", source_agency="social_care")
    meeting_day = today()
    decision = casework.record_decision(
        user=w["manager"],
        kind=Decision.Kind.STEP_DOWN,
        rationale="CIN ending.",
        referral=referral,
        lead_professional=w["lead"],
        handover_meeting_on=meeting_day,
        family_consent=True,
    )
    casework.sign_off(decision, user=w["manager2"], approve=True)
    episode = Episode.objects.get(status=Episode.Status.AWAITING_HANDOVER)
    url = f"{BASE}/{episode.uuid}/handover/"
    client = signed_in(w["lead"])
    assert url in html_of(client.get(f"{BASE}/{episode.uuid}/"))
    assert_refused(client.post(url, {}), "Enter the date the handover meeting was held")
    assert client.post(url, date_fields("held_on", meeting_day)).status_code == 302
    episode.refresh_from_db()
    assert episode.is_open


# --- Supervision, chronology, delay reasons ------------------------------------------------------


def test_supervision_with_the_reflective_prompts(w, episode, signed_in):
    url = f"{BASE}/{episode.uuid}/supervision/"
    assert signed_in(w["lead"]).get(url).status_code == 403
    client = signed_in(w["manager"])
    page = html_of(client.get(url))
    for prompt in ("What is working well?", "What are we worried about?", "What would the child say?"):
        assert prompt in page
    assert_refused(
        client.post(url, {**date_fields("held_on", today()), "what_is_working": "Routines."}),
        "Enter what the child would say",
    )
    assert not Supervision.objects.exists()
    data = {
        **date_fields("held_on", today()),
        "what_is_working": "Routines.",
        "what_worries_us": "Attendance.",
        "child_would_say": "I like the chart.",
        "what_next": "Review in six weeks.",
    }
    assert client.post(url, data).status_code == 302
    assert "I like the chart." in html_of(client.get(f"{BASE}/{episode.uuid}/"))


def test_a_manual_chronology_entry(w, episode, signed_in):
    url = f"{BASE}/{episode.uuid}/chronology/new/"
    client = signed_in(w["lead"])
    assert_refused(client.post(url, date_fields("occurred_on", today())), "Enter what happened")
    assert not ChronologyEntry.objects.filter(source="manual").exists()
    child = episode.children.get()
    response = client.post(url, {**date_fields("occurred_on", today()), "summary": "Home visit", "child": child.pk})
    assert response.status_code == 302
    assert "Home visit" in html_of(client.get(f"{BASE}/{episode.uuid}/"))


def test_a_manager_records_a_reason_for_delay(w, signed_in):
    assessment = Assessment.objects.create(
        family=referral_for(w["team"], "Amy").family,
        lead_professional=w["lead"],
        team=w["team"],
        status=Assessment.Status.DRAFT,
        started_at=timezone.now() - datetime.timedelta(days=120),
    )
    client = signed_in(w["manager"])
    overdue = html_of(client.get(f"{BASE}/overdue/"))
    url = f"{BASE}/overdue/{assessment.uuid}/delay/"
    assert assessment.reference in overdue and url in overdue
    assert_refused(client.post(url, {"reason": ""}), "Enter the reason for the delay")
    assert not DelayReason.objects.exists()
    assert client.post(url, {"reason": "Family unwell."}).status_code == 302
    assert "Family unwell." in html_of(client.get(f"{BASE}/overdue/"))
    assert signed_in(world("South locality")["manager"]).get(url).status_code == 404


# --- Access to an episode's pages --------------------------------------------------------------

EPISODE_PAGES = ["plan/", "review/", "meetings/new/", "close/", "step-up/", "chronology/new/", "scores/start/"]


@pytest.mark.parametrize("page", EPISODE_PAGES)
def test_who_may_open_an_episode_page(w, episode, signed_in, client, page):
    url = f"{BASE}/{episode.uuid}/{page}"
    assert signed_in(w["lead"]).get(url).status_code == 200
    assert signed_in(w["manager"]).get(url).status_code == 200
    assert signed_in(world("South locality")["manager"]).get(url).status_code == 404
    assert signed_in(UserFactory(roles=["lead_professional"], team=w["team"])).get(url).status_code == 404
    assert signed_in(UserFactory(roles=["commissioner"])).get(url).status_code == 403
    client.logout()
    response = client.get(url)
    assert response.status_code == 302 and "login" in response["Location"]


def test_a_stranger_cannot_post_to_an_episode(w, episode, signed_in):
    stranger = world("South locality")["manager"]
    response = signed_in(stranger).post(f"{BASE}/{episode.uuid}/close/", {"closure_reason": "needs_met"})
    assert response.status_code == 404
    assert not Decision.objects.filter(kind=Decision.Kind.CLOSURE).exists()


@pytest.mark.parametrize("page", ["caseload/", "overdue/", "sign-off/"])
def test_manager_pages_are_for_managers(w, signed_in, page):
    assert signed_in(w["manager"]).get(f"{BASE}/{page}").status_code == 200
    assert signed_in(w["lead"]).get(f"{BASE}/{page}").status_code == 403
    assert signed_in(UserFactory(roles=["front_door"])).get(f"{BASE}/{page}").status_code == 403


def test_the_requests_page_is_for_the_front_door_and_managers(w, signed_in):
    assert signed_in(UserFactory(roles=["front_door"])).get(f"{BASE}/requests/").status_code == 200
    assert signed_in(w["manager"]).get(f"{BASE}/requests/").status_code == 200
    assert signed_in(w["lead"]).get(f"{BASE}/requests/").status_code == 403


# --- Lists -------------------------------------------------------------------------------------


def test_the_caseload_shows_each_episode_with_its_overdue_flags(w, signed_in):
    episode = open_episode(w, "Amy")
    Episode.objects.filter(pk=episode.pk).update(next_review_due=today() - datetime.timedelta(days=1))
    other = world("South locality")
    hidden = open_episode(other, "Ben")
    html = html_of(signed_in(w["manager"]).get(f"{BASE}/caseload/"))
    assert episode.reference in html and "Review overdue" in html
    assert hidden.reference not in html
    assert AuditEvent.objects.filter(object_id=str(episode.pk), object_type="eh_assessments.episode").exists()


def test_the_requests_page_flags_a_rereferral_with_how_it_ended(w, signed_in):
    first = open_episode(w, "Amy", received_on=today() - datetime.timedelta(days=90))
    casework.sign_off(_closure(w, first), user=w["manager"], approve=True)
    again = referral_for(w["team"], "Amy", family=first.family)
    fresh = referral_for(w["team"], "Zoe")
    html = html_of(signed_in(UserFactory(roles=["front_door"])).get(f"{BASE}/requests/"))
    assert again.reference in html and fresh.reference in html
    assert "Re-referral" in html
    assert f"{first.reference}: Closed: Needs met" in html
    decide = html_of(signed_in(w["manager"]).get(f"{BASE}/requests/{again.uuid}/decide/"))
    assert "Re-referral within 12 months" in decide and "Closed: Needs met" in decide


def _queries(client, url) -> int:
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


@pytest.mark.parametrize("page", ["caseload/", "overdue/", "sign-off/", "requests/"])
def test_list_pages_run_a_constant_number_of_queries(w, signed_in, django_assert_max_num_queries, page):
    def add_case(n):
        episode = open_episode(w, f"Child{n}", received_on=today() - datetime.timedelta(days=200))
        Episode.objects.filter(pk=episode.pk).update(next_review_due=today() - datetime.timedelta(days=2))
        _closure(w, episode)
        # A new request for the same child: awaiting a decision, flagged as a re-referral.
        referral_for(w["team"], f"Child{n}", family=episode.family)
        submitted_assessment(w["lead"], referral_for(w["team"], f"Other{n}"))
        Assessment.objects.create(
            family=episode.family,
            lead_professional=w["lead"],
            team=w["team"],
            status=Assessment.Status.DRAFT,
            started_at=timezone.now() - datetime.timedelta(days=120),
        )

    add_case(0)
    client = signed_in(w["manager"])
    one = _queries(client, f"{BASE}/{page}")
    for n in range(1, 20):
        add_case(n)
    with django_assert_max_num_queries(one):
        response = client.get(f"{BASE}/{page}")
    assert response.status_code == 200


# --- The access matrix rows proposed for tests/test_access_matrix.py ---------------------------

_CASE_ROLES = ("lead_professional", "school_key_adult", "school_deputy", "early_help_manager")
_MANAGER = {"early_help_manager": 200}
_MISSING = 404
_EPISODE = dict.fromkeys((*_CASE_ROLES, "front_door"), _MISSING)
_NO_UUID = "00000000-0000-0000-0000-000000000007"

# name: (default for signed-in roles, {role: outcome}, kwargs). Anonymous is always sent to sign in.
MATRIX_ROWS = {
    "caseload": (403, _MANAGER, {}),
    "overdue": (403, _MANAGER, {}),
    "sign_offs": (403, _MANAGER, {}),
    "requests": (403, {"early_help_manager": 200, "front_door": 200}, {}),
    "delay_reason": (403, {"early_help_manager": _MISSING}, {"pk": _NO_UUID}),
    "sign_off": (403, {"early_help_manager": _MISSING}, {"pk": _NO_UUID}),
    "decide_request": (403, {"early_help_manager": _MISSING, "front_door": _MISSING}, {"pk": _NO_UUID}),
    "decide_assessment": (403, dict.fromkeys(_CASE_ROLES, _MISSING), {"pk": _NO_UUID}),
    "decision_done": (_MISSING, {}, {"pk": _NO_UUID}),
    "signposting_print": (_MISSING, {}, {"pk": _NO_UUID}),
    "case": (_MISSING, {}, {"pk": _NO_UUID}),
    **{
        name: (403, _EPISODE, {"pk": _NO_UUID})
        for name in (
            "plan",
            "schedule_meeting",
            "handover",
            "review",
            "close",
            "step_up",
            "reopen",
            "sustained_check",
            "supervision",
            "chronology_entry",
        )
    },
    "meeting_held": (403, _EPISODE, {"pk": _NO_UUID, "meeting": 999999}),
    "scores": (403, _EPISODE, {"pk": _NO_UUID, "stage": "start"}),
}


def test_every_casework_url_is_in_the_proposed_matrix_rows():
    from eh_assessments import case_urls

    assert {p.name for p in case_urls.urlpatterns} == set(MATRIX_ROWS)


def test_the_proposed_matrix_rows_hold_for_every_role(client):
    """Users with a role but no team or school, as in tests/test_access_matrix.py."""
    from django.urls import reverse

    from portal.accounts.roles import ROLES

    users = {role.slug: UserFactory(roles=[role.slug]) for role in ROLES}
    failures = []
    for name, (default, only, kwargs) in MATRIX_ROWS.items():
        url = reverse(f"casework:{name}", kwargs=kwargs)
        client.logout()
        anonymous = client.get(url)
        if not (anonymous.status_code == 302 and "login" in anonymous["Location"]):
            failures.append((name, "anonymous", anonymous.status_code))
        for slug, user in users.items():
            client.force_login(user)
            status = client.get(url).status_code
            if status != only.get(slug, default):
                failures.append((name, slug, status))
    assert not failures


# --- Portal cards ------------------------------------------------------------------------------


@pytest.fixture
def casework_cards():
    from eh_assessments.case_views import register_cards
    from portal import registry

    before = dict(registry._cards)
    register_cards()
    yield
    registry._cards.clear()
    registry._cards.update(before)


def test_portal_cards_lead_managers_and_the_front_door_to_their_lists(w, signed_in, casework_cards):
    manager_home = html_of(signed_in(w["manager"]).get("/portal/"))
    for title, url in (
        ("Team caseload", f"{BASE}/caseload/"),
        ("Overdue work", f"{BASE}/overdue/"),
        ("Waiting for sign-off", f"{BASE}/sign-off/"),
        ("Requests for help to decide", f"{BASE}/requests/"),
    ):
        assert title in manager_home and url in manager_home
    front_door_home = html_of(signed_in(UserFactory(roles=["front_door"])).get("/portal/"))
    assert "Requests for help to decide" in front_door_home and "Team caseload" not in front_door_home
    lead_home = html_of(signed_in(w["lead"]).get("/portal/"))
    assert "Team caseload" not in lead_home and "Requests for help to decide" not in lead_home
