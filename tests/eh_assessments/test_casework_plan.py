"""Plans, meetings, reviews, outcome scores, distance travelled and the sustained-outcome check
(issue 7 points 2–4)."""

from __future__ import annotations

import datetime

import pytest

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from eh_assessments import casework, outcomes, timeliness
from eh_assessments.models_casework import (
    ActionProgress,
    CaseworkMessage,
    ClosureReason,
    Decision,
    Episode,
    EpisodeService,
    Meeting,
    OutcomeRecord,
    Plan,
    PlanAction,
    Review,
    SustainedCheck,
)
from tests.directory.factories import ServicePageFactory
from tests.eh_assessments.casework_factories import open_episode, world
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 3, 2)  # a Monday


@pytest.fixture
def w(db, time_machine):
    time_machine.move_to(datetime.datetime(2026, 3, 2, 10, tzinfo=datetime.UTC))
    return world()


@pytest.fixture
def episode(w):
    return open_episode(w, "Amy", kind=Decision.Kind.TEAM_AROUND_FAMILY, members=[w["colleague"]])


def plan_needs(w, *, due=TODAY + datetime.timedelta(days=14), service=None):
    return [
        {
            "text": "Amy is missing school",
            "outcomes": [
                {
                    "text": "Amy goes to school every day",
                    "actions": [
                        {"text": "Morning routine chart", "owner_name": "Mum", "due_on": due},
                        {
                            "text": "Attendance meeting",
                            "owner": w["lead"],
                            "due_on": due,
                            "service_page_id": service.pk if service else None,
                        },
                    ],
                }
            ],
        }
    ]


def all_scores(practitioner=4, family=None):
    return dict.fromkeys(outcomes.AREA_CODES, (practitioner, family))


# --- Meetings due ------------------------------------------------------------------------------


def test_the_first_meeting_is_due_within_ten_working_days_by_default(episode):
    assert episode.opened_on == TODAY
    assert episode.first_meeting_due == datetime.date(2026, 3, 16)


@override_settings(EARLY_HELP_FIRST_MEETING_WORKING_DAYS=5)
def test_the_first_meeting_deadline_is_configurable_and_skips_bank_holidays(w, time_machine):
    time_machine.move_to(datetime.datetime(2026, 4, 1, 10, tzinfo=datetime.UTC))  # Wednesday before Easter
    episode = open_episode(w, "Amy")
    # Thu 2 (1), Good Friday 3 and Easter Monday 6 skipped, Tue 7 (2), Wed 8 (3), Thu 9 (4), Fri 10 (5).
    assert episode.first_meeting_due == datetime.date(2026, 4, 10)


def test_meetings_scheduled_and_held(w, episode, time_machine):
    meeting = casework.schedule_meeting(episode, user=w["lead"], kind=Meeting.Kind.FIRST, scheduled_on=TODAY)
    with pytest.raises(ValidationError, match="already scheduled"):
        casework.schedule_meeting(episode, user=w["lead"], kind=Meeting.Kind.FIRST, scheduled_on=TODAY)
    with pytest.raises(ValidationError) as excinfo:
        casework.record_meeting_held(meeting, user=w["lead"], held_on=TODAY + datetime.timedelta(days=1))
    assert excinfo.value.message_dict["held_on"] == ["The date the meeting was held must be today or in the past"]
    casework.record_meeting_held(meeting, user=w["colleague"], held_on=TODAY, notes="Everyone came.")
    episode.refresh_from_db()
    assert episode.first_meeting_held_on == TODAY


def test_strangers_cannot_touch_the_plan(w, episode):
    outsider = UserFactory(roles=["lead_professional"])
    with pytest.raises(PermissionDenied):
        casework.agree_plan(episode, user=outsider, agreed_on=TODAY, needs=plan_needs(w))
    with pytest.raises(PermissionDenied):
        casework.schedule_meeting(episode, user=world("South locality")["manager"], kind="first", scheduled_on=TODAY)


# --- The plan ----------------------------------------------------------------------------------


def test_a_plan_of_needs_outcomes_and_actions(w, episode):
    service = ServicePageFactory(title="Attendance support")
    plan = casework.agree_plan(episode, user=w["lead"], agreed_on=TODAY, needs=plan_needs(w, service=service))
    need = plan.needs.get()
    outcome = need.outcomes.get()
    actions = list(outcome.actions.order_by("sort_order"))
    assert [a.owner_name or a.owner.email for a in actions] == ["Mum", w["lead"].email]
    assert actions[1].service_page_id == service.pk
    episode.refresh_from_db()
    assert episode.next_review_due == TODAY + datetime.timedelta(weeks=6)
    # The outcomes dashboard's read model of the services the plan uses.
    assert list(EpisodeService.objects.filter(episode=episode).values_list("service_page_id", flat=True)) == [
        service.pk
    ]
    # An action saved on its own (an import, the shell) is recorded too, once per service.
    other = ServicePageFactory(title="Debt advice")
    PlanAction.objects.create(
        outcome=outcome, text="Debt advice", owner_name="Mum", due_on=TODAY, service_page_id=other.pk
    )
    PlanAction.objects.create(outcome=outcome, text="Again", owner_name="Mum", due_on=TODAY, service_page_id=other.pk)
    assert set(EpisodeService.objects.filter(episode=episode).values_list("service_page_id", flat=True)) == {
        service.pk,
        other.pk,
    }

    # Changing or removing a service, or deleting the action, drops it (the plan no longer uses it).
    def used():
        return set(EpisodeService.objects.filter(episode=episode).values_list("service_page_id", flat=True))

    actions[1].service_page_id = None
    actions[1].save()
    assert used() == {other.pk}
    for action in PlanAction.objects.filter(service_page_id=other.pk):
        action.delete()
    assert used() == set()


def test_a_plan_with_gaps_is_refused_whole(w, episode):
    needs = plan_needs(w)
    needs[0]["outcomes"][0]["actions"][0].update(owner_name="", due_on=TODAY - datetime.timedelta(days=1))
    needs.append({"text": "", "outcomes": []})
    with pytest.raises(ValidationError) as excinfo:
        casework.agree_plan(episode, user=w["lead"], agreed_on=TODAY, needs=needs)
    errors = excinfo.value.message_dict
    assert errors["needs-1-outcomes-1-actions-1-owner"] == ["Enter who will do the action"]
    assert errors["needs-1-outcomes-1-actions-1-due_on"] == [
        "The action's due date must be on or after the date the plan was agreed"
    ]
    assert errors["needs-2-text"] == ["Enter need 2"]
    assert errors["needs-2-outcomes"] == ["Add what the family wants for need 2"]
    assert not Plan.objects.exists() and not PlanAction.objects.exists()


def test_a_plan_cannot_predate_the_episode(w, episode):
    with pytest.raises(ValidationError) as excinfo:
        casework.agree_plan(episode, user=w["lead"], agreed_on=TODAY - datetime.timedelta(days=1), needs=plan_needs(w))
    assert excinfo.value.message_dict["agreed_on"] == [
        "The plan cannot be agreed before the episode opened on 2 March 2026"
    ]


# --- Reviews -----------------------------------------------------------------------------------


def test_a_review_records_progress_on_every_action(w, episode, time_machine):
    plan = casework.agree_plan(episode, user=w["lead"], agreed_on=TODAY, needs=plan_needs(w))
    a1, a2 = PlanAction.objects.filter(outcome__need__plan=plan).order_by("sort_order")
    time_machine.move_to(datetime.datetime(2026, 4, 13, 10, tzinfo=datetime.UTC))
    held_on = datetime.date(2026, 4, 13)
    with pytest.raises(ValidationError) as excinfo:
        casework.record_review(
            episode, user=w["lead"], held_on=held_on, summary="Going well.", progress={a1.pk: {"status": "done"}}
        )
    assert excinfo.value.message_dict[f"progress-{a2.pk}"] == ["Select the progress on this action"]
    review = casework.record_review(
        episode,
        user=w["lead"],
        held_on=held_on,
        summary="Going well.",
        progress={a1.pk: {"status": "done", "note": "Chart on the fridge"}, a2.pk: {"status": "in_progress"}},
        scores=all_scores(6, 7),
    )
    assert {p.action_id: p.status for p in review.progress.all()} == {a1.pk: "done", a2.pk: "in_progress"}
    a1.refresh_from_db()
    assert a1.status == "done"
    assert review.outcome_record.stage == OutcomeRecord.Stage.REVIEW
    episode.refresh_from_db()
    assert episode.next_review_due == held_on + datetime.timedelta(weeks=6)


def test_a_review_dated_before_the_plan_is_refused(w, episode, time_machine):
    time_machine.move_to(datetime.datetime(2026, 3, 10, 10, tzinfo=datetime.UTC))
    plan = casework.agree_plan(episode, user=w["lead"], agreed_on=datetime.date(2026, 3, 9), needs=plan_needs(w))
    progress = {a.pk: {"status": "in_progress"} for a in PlanAction.objects.filter(outcome__need__plan=plan)}
    with pytest.raises(ValidationError) as excinfo:
        casework.record_review(
            episode, user=w["lead"], held_on=datetime.date(2026, 3, 6), summary="Early review.", progress=progress
        )
    assert excinfo.value.message_dict["held_on"] == [
        "The review cannot be dated before the plan was agreed on 9 March 2026"
    ]
    assert not Review.objects.exists() and not ActionProgress.objects.exists()
    # The same day as the plan is allowed.
    casework.record_review(
        episode, user=w["lead"], held_on=datetime.date(2026, 3, 9), summary="Same day.", progress=progress
    )


def test_a_review_needs_a_plan(w, episode):
    with pytest.raises(ValidationError, match="Agree a plan before recording a review"):
        casework.record_review(episode, user=w["lead"], held_on=TODAY, summary="x", progress={})


def test_a_review_with_bad_scores_saves_nothing(w, episode):
    plan = casework.agree_plan(episode, user=w["lead"], agreed_on=TODAY, needs=plan_needs(w))
    progress = {a.pk: {"status": "in_progress"} for a in PlanAction.objects.filter(outcome__need__plan=plan)}
    scores = all_scores(5)
    scores["housing"] = (11, None)
    with pytest.raises(ValidationError) as excinfo:
        casework.record_review(episode, user=w["lead"], held_on=TODAY, summary="x", progress=progress, scores=scores)
    assert excinfo.value.message_dict["scores-housing"] == [
        "The practitioner's score for secure housing must be between 1 and 10"
    ]
    assert not Review.objects.exists()
    assert PlanAction.objects.filter(status="in_progress").count() == 0


# --- Outcomes ----------------------------------------------------------------------------------


def test_the_ten_outcome_areas():
    assert len(outcomes.AREAS) == 10
    assert outcomes.AREA_LABELS["domestic_abuse"] == "Safe from domestic abuse"


@pytest.mark.parametrize(
    ("scores", "field", "message"),
    [
        ({}, "education", "Enter the practitioner's score for getting a good education"),
        (
            {"education": (0, None)},
            "education",
            "The practitioner's score for getting a good education must be between 1 and 10",
        ),
        (
            {"education": ("ten", None)},
            "education",
            "The practitioner's score for getting a good education must be a whole number from 1 to 10",
        ),
        (
            {"education": (5, 12)},
            "education",
            "The family's score for getting a good education must be between 1 and 10",
        ),
        (
            {"education": (5.5, None)},
            "education",
            "The practitioner's score for getting a good education must be a whole number from 1 to 10",
        ),
    ],
)
def test_scores_are_whole_numbers_from_1_to_10(scores, field, message):
    full = all_scores(5)
    full.pop(field)
    full.update(scores)
    with pytest.raises(ValidationError) as excinfo:
        outcomes.clean_scores(full)
    assert excinfo.value.message_dict[field] == [message]


def test_unknown_areas_are_refused():
    with pytest.raises(ValidationError, match="Unknown outcome area: happiness"):
        outcomes.clean_scores({**all_scores(5), "happiness": 3})


def test_start_review_and_closure_scores_give_distance_travelled(w, episode, time_machine):
    casework.record_outcome_scores(episode, user=w["lead"], stage="start", scores=all_scores(3, 2), recorded_on=TODAY)
    with pytest.raises(ValidationError, match="already recorded"):
        casework.record_outcome_scores(episode, user=w["lead"], stage="start", scores=all_scores(3), recorded_on=TODAY)
    plan = casework.agree_plan(episode, user=w["lead"], agreed_on=TODAY, needs=plan_needs(w))
    progress = {a.pk: {"status": "done"} for a in PlanAction.objects.filter(outcome__need__plan=plan)}
    time_machine.move_to(datetime.datetime(2026, 4, 13, 10, tzinfo=datetime.UTC))
    review_scores = all_scores(5, None)
    casework.record_review(
        episode,
        user=w["lead"],
        held_on=datetime.date(2026, 4, 13),
        summary="x",
        progress=progress,
        scores=review_scores,
    )
    time_machine.move_to(datetime.datetime(2026, 5, 20, 10, tzinfo=datetime.UTC))
    closing = all_scores(8, 9)
    closing["housing"] = (2, 1)
    casework.record_outcome_scores(
        episode, user=w["lead"], stage="closure", scores=closing, recorded_on=datetime.date(2026, 5, 20)
    )
    records = OutcomeRecord.objects.filter(episode=episode).prefetch_related("scores")
    distance = {d.area: d for d in outcomes.distance_travelled(records)}
    assert distance["education"].practitioner == 5 and distance["education"].family == 7
    assert distance["housing"].practitioner == -1 and distance["housing"].family == -1
    assert distance["education"].start_practitioner == 3 and distance["education"].latest_practitioner == 8


def test_distance_travelled_needs_two_scorings(w, episode):
    casework.record_outcome_scores(episode, user=w["lead"], stage="start", scores=all_scores(3), recorded_on=TODAY)
    records = OutcomeRecord.objects.filter(episode=episode).prefetch_related("scores")
    assert {d.practitioner for d in outcomes.distance_travelled(records)} == {None}


# --- Sustained-outcome check -----------------------------------------------------------------


def close(w, episode, *, reason=ClosureReason.NEEDS_MET, on=None):
    decision = casework.record_decision(
        user=w["lead"],
        kind=Decision.Kind.CLOSURE,
        rationale="Outcomes met.",
        episode=episode,
        closure_reason=reason,
        closure_summary="Done.",
    )
    casework.sign_off(
        decision,
        user=w["manager"],
        approve=True,
        now=timezone.make_aware(datetime.datetime.combine(on, datetime.time(12))),
    )
    episode.refresh_from_db()
    return episode


def test_the_sustained_check_is_prompted_six_months_after_closure_once(w, episode, time_machine):
    episode = close(w, episode, on=datetime.date(2026, 8, 31))
    assert episode.sustained_check_due == datetime.date(2027, 2, 28)  # six calendar months, end of month
    assert casework.prompt_sustained_checks(today=datetime.date(2027, 2, 27)) == 0
    assert casework.prompt_sustained_checks(today=datetime.date(2027, 2, 28)) == 1
    assert casework.prompt_sustained_checks(today=datetime.date(2027, 3, 1)) == 0
    (prompt,) = CaseworkMessage.objects.filter(kind="sustained_check")
    assert prompt.recipient == w["lead"]
    assert episode.reference in prompt.subject and "Amy" not in prompt.body
    assert f"/portal/assessments/cases/{episode.uuid}/" in prompt.body


def test_the_tick_command_prompts_and_sends(w, episode, time_machine, capsys):
    from django.core import mail

    close(w, episode, on=datetime.date(2026, 3, 2))
    time_machine.move_to(datetime.datetime(2026, 9, 2, 10, tzinfo=datetime.UTC))
    mail.outbox.clear()
    call_command("casework_tick")
    out = capsys.readouterr().out
    assert out.startswith("1 sustained-outcome checks prompted; emails sent 2")  # the prompt and the referrer
    assert any(episode.reference in m.subject for m in mail.outbox)
    call_command("casework_tick")
    assert capsys.readouterr().out.startswith("0 sustained-outcome checks prompted; emails sent 0")


def test_no_sustained_check_when_the_family_moved_away(w, episode):
    episode = close(w, episode, reason=ClosureReason.MOVED_AWAY, on=TODAY)
    assert episode.sustained_check_due is None


def test_recording_the_sustained_check(w, episode, time_machine):
    episode = close(w, episode, on=TODAY)
    time_machine.move_to(datetime.datetime(2026, 9, 3, 10, tzinfo=datetime.UTC))
    with pytest.raises(ValidationError) as excinfo:
        casework.record_sustained_check(episode, user=w["lead"], checked_on=datetime.date(2026, 9, 3), sustained=None)
    assert excinfo.value.message_dict["sustained"] == ["Select whether the family's progress has lasted"]
    casework.record_sustained_check(
        episode, user=w["lead"], checked_on=datetime.date(2026, 9, 3), sustained=True, notes="Still attending."
    )
    assert SustainedCheck.objects.get().sustained is True
    with pytest.raises(ValidationError, match="already recorded"):
        casework.record_sustained_check(episode, user=w["lead"], checked_on=datetime.date(2026, 9, 3), sustained=True)


def test_review_weeks_setting(settings):
    settings.EARLY_HELP_REVIEW_WEEKS = 4
    assert timeliness.next_review_due(TODAY) == TODAY + datetime.timedelta(weeks=4)
    assert Episode.objects.count() == 0
