"""Timeliness and management oversight (issue 7 points 6–7): both assessment targets, the
front door's one working day, overdue lists and caseloads scoped to the manager's team in a
constant number of queries, reasons for delay, supervision."""

from __future__ import annotations

import datetime

import pytest

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from eh_assessments import casework, timeliness
from eh_assessments import casework_selectors as sel
from eh_assessments.models import Assessment, ChildTarget, submission_fields
from eh_assessments.models_casework import Decision, Supervision
from tests.eh_assessments.casework_factories import (
    CaseChildFactory,
    CaseFamilyFactory,
    open_episode,
    referral_for,
    world,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 3, 2, 10, tzinfo=datetime.UTC)  # Monday 2 March 2026
TODAY = NOW.date()


@pytest.fixture
def w(db, time_machine):
    time_machine.move_to(NOW)
    return world()


def draft(lead, *, started, target=None, child_targets=()):
    family = CaseFamilyFactory(team=lead.team)
    assessment = Assessment.objects.create(
        family=family,
        lead_professional=lead,
        team=lead.team,
        started_at=timezone.make_aware(datetime.datetime.combine(started, datetime.time(9))),
        target_date=target,
    )
    for due in child_targets:
        child = CaseChildFactory(family=family)
        ChildTarget.objects.create(assessment=assessment, child=child, target_date=due, reason="Baby due in May")
    return assessment


# --- Targets ---------------------------------------------------------------------------------


def test_the_standard_target_is_45_working_days_across_christmas(w):
    assessment = draft(w["lead"], started=datetime.date(2025, 12, 1))
    # 1 Dec 2025 + 45 working days, skipping 25, 26 Dec and 1 Jan: Tuesday 6 February 2026? computed:
    expected = timeliness.add_working_days(datetime.date(2025, 12, 1), 45)
    assert expected == datetime.date(2026, 2, 5)
    result = timeliness.assessment_timeliness(assessment, today=TODAY)
    assert result.standard.due == expected and result.standard.overdue
    assert result.standard.working_days_left < 0


def test_a_childs_own_target_is_reported_beside_the_standard_one(w):
    assessment = draft(
        w["lead"], started=datetime.date(2026, 2, 2), target=datetime.date(2026, 4, 8), child_targets=[TODAY]
    )
    result = timeliness.assessment_timeliness(assessment, today=TODAY)
    assert not result.standard.overdue
    assert [t.due for t in result.children] == [TODAY]
    assert not result.overdue  # due today: not late yet
    later = timeliness.assessment_timeliness(assessment, today=TODAY + datetime.timedelta(days=1))
    assert later.overdue and later.children[0].overdue and not later.standard.overdue
    assert later.children[0].reason == "Baby due in May"


def test_a_submitted_assessment_is_met_or_missed_not_overdue(w):
    assessment = draft(w["lead"], started=datetime.date(2025, 12, 1))
    assessment.submitted_at = timezone.make_aware(datetime.datetime(2026, 2, 5, 17))
    result = timeliness.assessment_timeliness(assessment, today=TODAY)
    assert result.standard.met is True and not result.overdue
    assessment.submitted_at = timezone.make_aware(datetime.datetime(2026, 2, 6, 9))
    assert timeliness.assessment_timeliness(assessment, today=TODAY).standard.met is False


@pytest.mark.parametrize(
    ("received", "due"),
    [
        (datetime.date(2026, 3, 2), datetime.date(2026, 3, 3)),  # Monday → Tuesday
        (datetime.date(2026, 3, 6), datetime.date(2026, 3, 9)),  # Friday → Monday
        (datetime.date(2026, 4, 2), datetime.date(2026, 4, 7)),  # Thursday before Easter → Tuesday
        (datetime.date(2025, 12, 24), datetime.date(2025, 12, 29)),  # Christmas Eve → Monday 29th
        (datetime.date(2027, 12, 24), datetime.date(2027, 12, 29)),  # substitute days 27 and 28 Dec 2027
        (datetime.date(2026, 12, 31), datetime.date(2027, 1, 4)),  # year end: 1 Jan, then the weekend
    ],
)
def test_the_front_door_decides_within_one_working_day(received, due):
    assert timeliness.referral_decision_due(received) == due


def test_referrals_awaiting_decision_for_the_front_door(w):
    front_door = UserFactory(roles=["front_door"])
    late = referral_for(w["team"], "Amy", received_on=datetime.date(2026, 2, 26))  # Thursday: due Friday
    fresh = referral_for(w["team"], "Ben", received_on=datetime.date(2026, 2, 27))  # Friday: due today
    decided = referral_for(w["team"], "Cal", received_on=datetime.date(2026, 2, 20))
    casework.record_decision(
        user=front_door, kind=Decision.Kind.SINGLE_AGENCY, rationale="x", referral=decided, lead_professional=w["lead"]
    )
    rows = sel.referrals_awaiting_decision(front_door, today=TODAY)
    assert [(r.referral, r.overdue) for r in rows] == [(late, True), (fresh, False)]
    assert sel.referrals_awaiting_decision(w["lead"], today=TODAY) == []
    assert [r.referral for r in sel.referrals_awaiting_decision(w["manager"], today=TODAY)] == [late, fresh]
    assert sel.referrals_awaiting_decision(world("South locality")["manager"], today=TODAY) == []
    decision = Decision.objects.get(referral=decided)
    tl = timeliness.referral_timeliness(decided, decision.proposed_at, today=TODAY)
    assert tl.met is False  # received 20 Feb, decided 2 March


def test_submitted_assessments_to_decide_are_the_managers_team_only(w):
    def submitted(lead, days_ago):
        assessment = draft(lead, started=TODAY - datetime.timedelta(days=30))
        Assessment.objects.filter(pk=assessment.pk).update(
            status=Assessment.Status.SUBMITTED, **submission_fields(NOW - datetime.timedelta(days=days_ago))
        )
        return assessment

    newer, older = submitted(w["lead"], 1), submitted(w["lead"], 3)
    draft(w["lead"], started=TODAY)  # not submitted: nothing to decide
    south = world("South locality")
    theirs = submitted(south["lead"], 2)
    assert sel.assessments_to_decide(w["manager"]) == [older, newer]  # oldest submission first
    assert sel.assessments_to_decide(south["manager"]) == [theirs]
    assert sel.assessments_to_decide(w["lead"]) == []  # deciding is for managers
    assert sel.assessments_to_decide(UserFactory(roles=["front_door"])) == []


# --- Overdue lists and caseloads ---------------------------------------------------------------


def test_overdue_assessments_are_the_managers_team_only(w):
    overdue = draft(w["lead"], started=datetime.date(2025, 12, 1), target=datetime.date(2026, 2, 5))
    child_late = draft(
        w["lead"],
        started=datetime.date(2026, 2, 2),
        target=datetime.date(2026, 4, 8),
        child_targets=[TODAY - datetime.timedelta(days=3)],
    )
    draft(w["lead"], started=datetime.date(2026, 2, 2), target=datetime.date(2026, 4, 8))
    south = world("South locality")
    draft(south["lead"], started=datetime.date(2025, 12, 1), target=datetime.date(2026, 2, 5))
    casework.record_delay_reason(overdue, user=w["lead"], reason="Dad in hospital; visits postponed.")
    rows = sel.overdue_assessments(w["manager"], today=TODAY)
    assert [r.assessment for r in rows] == [overdue, child_late]
    assert [d.reason for d in rows[0].delay_reasons] == ["Dad in hospital; visits postponed."]
    assert sel.overdue_assessments(w["lead"], today=TODAY) == []


def test_delay_reasons_need_text_and_access(w):
    assessment = draft(w["lead"], started=datetime.date(2025, 12, 1))
    with pytest.raises(ValidationError) as excinfo:
        casework.record_delay_reason(assessment, user=w["lead"], reason="  ")
    assert excinfo.value.message_dict["reason"] == ["Enter the reason for the delay"]
    with pytest.raises(PermissionDenied):
        casework.record_delay_reason(assessment, user=world("South locality")["lead"], reason="x")


def make_cases(w, n):
    for _ in range(n):
        episode = open_episode(w, "Amy", "Ben")
        casework.record_supervision(
            episode,
            user=w["manager"],
            held_on=TODAY,
            what_is_working="Routines.",
            what_worries_us="Attendance.",
            child_would_say="I like school now.",
            what_next="Review in six weeks.",
        )
        draft(w["lead"], started=datetime.date(2025, 12, 1), target=datetime.date(2026, 2, 5), child_targets=[TODAY])


def test_caseload_and_overdue_lists_take_constant_queries(w, django_assert_max_num_queries, time_machine):
    make_cases(w, 2)
    with django_assert_max_num_queries(2):  # the user's roles, then the list
        assert len(list(sel.team_caseload(w["manager"]))) == 2
    later = TODAY + datetime.timedelta(days=70)
    with django_assert_max_num_queries(8) as small:
        sel.team_overdue(w["manager"], today=later)
    make_cases(w, 6)
    with django_assert_max_num_queries(len(small.captured_queries)):
        overdue = sel.team_overdue(w["manager"], today=later)
    assert len(overdue.assessments) == 8
    assert len(overdue.first_meetings) == 8
    with django_assert_max_num_queries(2):
        caseload = list(sel.team_caseload(w["manager"]))
    assert len(caseload) == 8
    assert {c.children_count for c in caseload} == {2}
    assert {c.last_supervision_on for c in caseload} == {TODAY}
    assert list(sel.team_caseload(w["lead"])) == []
    assert list(sel.team_caseload(world("South locality")["manager"])) == []


def test_reviews_and_sign_offs_in_the_overdue_list(w):
    episode = open_episode(w, "Amy")
    casework.record_decision(
        user=w["lead"],
        kind=Decision.Kind.CLOSURE,
        rationale="x",
        episode=episode,
        closure_reason="needs_met",
        closure_summary="Done.",
    )
    overdue = sel.team_overdue(w["manager"], today=TODAY)
    assert [d.kind for d in overdue.sign_offs] == [Decision.Kind.CLOSURE]
    # The proposer's own proposals are not theirs to sign off.
    mine = casework.record_decision(
        user=w["manager"], kind=Decision.Kind.STEP_UP_CIN, rationale="x", episode=open_episode(w, "Ben")
    )
    assert mine not in list(sel.pending_sign_offs(w["manager"]))
    assert mine in list(sel.pending_sign_offs(w["manager2"]))


# --- Scoping -------------------------------------------------------------------------------------


def test_who_sees_an_episode(w):
    episode = open_episode(w, "Amy", kind=Decision.Kind.TEAM_AROUND_FAMILY, members=[w["colleague"]])
    south = world("South locality")
    front_door = UserFactory(roles=["front_door"])
    superuser = UserFactory(is_superuser=True)
    for user in (w["lead"], w["colleague"], w["manager"]):
        assert sel.can_view_episode(user, episode) and list(sel.episodes_for(user)) == [episode]
    for user in (south["lead"], south["manager"], front_door, superuser, UserFactory(roles=["commissioner"])):
        assert not sel.can_view_episode(user, episode) and list(sel.episodes_for(user)) == []
    casework.record_decision(user=w["lead"], kind=Decision.Kind.STEP_UP_CP, rationale="x", episode=episode)
    assert sel.can_view_episode(front_door, episode)
    assert not sel.can_work_on(front_door, episode)


# --- Supervision ---------------------------------------------------------------------------------


def test_supervision_records_the_reflective_prompts(w):
    episode = open_episode(w, "Amy")
    with pytest.raises(ValidationError) as excinfo:
        casework.record_supervision(episode, user=w["manager"], held_on=TODAY, what_is_working="Routines.")
    errors = excinfo.value.message_dict
    assert errors["what_worries_us"] == ["Enter what worries us"]
    assert errors["child_would_say"] == ["Enter what the child would say"]
    assert errors["what_next"] == ["Enter what happens next"]
    with pytest.raises(PermissionDenied):
        casework.record_supervision(
            episode,
            user=w["lead"],
            held_on=TODAY,
            what_is_working="a",
            what_worries_us="b",
            child_would_say="c",
            what_next="d",
        )
    supervision = casework.record_supervision(
        episode,
        user=w["manager"],
        held_on=TODAY,
        what_is_working="a",
        what_worries_us="b",
        child_would_say="c",
        what_next="d",
    )
    assert supervision.episode == episode and supervision.practitioner == w["lead"]
    assert Supervision.objects.count() == 1


def test_an_assessment_without_a_stored_target_uses_45_working_days(w):
    no_target = draft(w["lead"], started=datetime.date(2025, 12, 1))
    draft(w["lead"], started=datetime.date(2026, 1, 5))  # due 9 March: not yet
    assert [r.assessment for r in sel.overdue_assessments(w["manager"], today=TODAY)] == [no_target]
