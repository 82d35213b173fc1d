"""Decisions on requests for help, assessments and episodes (issue 7 point 1): every path with
its sign-off rule and permissions, bad input refused with nothing saved, the referrer told
exactly once, the front door alerted at once for child protection."""

from __future__ import annotations

import datetime

import pytest

from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from eh_assessments import casework
from eh_assessments.models import Assessment
from eh_assessments.models_casework import (
    CaseworkMessage,
    ChronologyEntry,
    ClosureReason,
    Decision,
    Episode,
    Meeting,
)
from portal.audit.models import AuditEvent
from tests.directory.factories import ServicePageFactory
from tests.eh_assessments.casework_factories import open_episode, referral_for, submitted_assessment, world
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

Kind = Decision.Kind


@pytest.fixture
def w(db):
    return world()


def messages(kind=None):
    qs = CaseworkMessage.objects.all()
    return list(qs.filter(kind=kind) if kind else qs)


def errors_of(excinfo) -> dict:
    return excinfo.value.message_dict


# --- Universal and signposting ---------------------------------------------------------------


def test_signposting_stores_directory_services_and_tells_the_referrer(w, django_capture_on_commit_callbacks):
    services = [ServicePageFactory(title="Toddler group"), ServicePageFactory(title="Debt advice")]
    referral = referral_for(w["team"], "Amy")
    with django_capture_on_commit_callbacks(execute=True):
        decision = casework.record_decision(
            user=w["manager"],
            kind=Kind.UNIVERSAL,
            rationale="Needs met by universal services.",
            referral=referral,
            service_page_ids=[services[1].pk, services[0].pk],
        )
    assert decision.status == Decision.Status.RECORDED
    assert decision.service_page_ids == [services[1].pk, services[0].pk]
    assert decision.opened_episode is None
    from eh_assessments.casework_selectors import printable_services

    assert [p.title for p in printable_services(decision.service_page_ids)] == ["Debt advice", "Toddler group"]
    (message,) = messages("referral_outcome")
    assert message.email == "referrer@school.example.org"
    assert message.body.startswith(
        f"Your request for help {referral.reference} has been considered: "
        "the family has been given information about services that can help."
    )
    # Sent after commit by the immediate task backend.
    assert [m.subject for m in mail.outbox] == [f"Your request for help {referral.reference} has been considered"]


def test_signposting_needs_a_service_from_the_directory(w):
    referral = referral_for(w["team"], "Amy")
    with pytest.raises(ValidationError) as excinfo:
        casework.record_decision(user=w["manager"], kind=Kind.UNIVERSAL, rationale="Signpost.", referral=referral)
    assert errors_of(excinfo)["service_page_ids"] == ["Choose at least one service from the directory"]
    unpublished = ServicePageFactory(publish=False)
    with pytest.raises(ValidationError) as excinfo:
        casework.record_decision(
            user=w["manager"],
            kind=Kind.UNIVERSAL,
            rationale="Signpost.",
            referral=referral,
            service_page_ids=[unpublished.pk],
        )
    assert "not in the directory" in errors_of(excinfo)["service_page_ids"][0]
    assert not Decision.objects.exists()


# --- Single agency and team around the family -----------------------------------------------


def test_single_agency_opens_an_episode_with_the_children_of_the_referral(w):
    referral = referral_for(w["team"], "Amy", "Ben")
    decision = casework.record_decision(
        user=w["manager"],
        kind=Kind.SINGLE_AGENCY,
        rationale="Attendance support from school.",
        referral=referral,
        lead_professional=w["lead"],
    )
    episode = decision.opened_episode
    assert episode.status == Episode.Status.OPEN
    assert episode.level_of_need == 2
    assert episode.lead_professional == w["lead"]
    assert episode.team == w["team"]
    assert sorted(c.given_name for c in episode.children.all()) == ["Amy", "Ben"]
    assert episode.opened_on == timezone.localdate()
    assert episode.reference == f"EP-{episode.pk:06d}"
    body = messages("referral_outcome")[0].body
    assert f"the family has been offered early help from the {w['team'].name} team." in body
    assert "Amy" not in body and "Doe" not in body
    assert AuditEvent.objects.filter(object_type="eh_assessments.decision", object_id=str(decision.pk)).exists()


def test_team_around_the_family_needs_a_lead_professional_and_members(w):
    referral = referral_for(w["team"], "Amy")
    with pytest.raises(ValidationError) as excinfo:
        casework.record_decision(
            user=w["manager"], kind=Kind.TEAM_AROUND_FAMILY, rationale="Complex needs.", referral=referral
        )
    errors = errors_of(excinfo)
    assert errors["lead_professional"] == ["Select the lead professional"]
    assert errors["members"] == ["Add at least one other professional to the team around the family"]
    decision = casework.record_decision(
        user=w["manager"],
        kind=Kind.TEAM_AROUND_FAMILY,
        rationale="Complex needs.",
        referral=referral,
        lead_professional=w["lead"],
        members=[w["colleague"], w["lead"]],
    )
    episode = decision.opened_episode
    assert episode.level_of_need == 3
    assert list(episode.members.all()) == [w["colleague"]]


def test_a_decision_on_the_assessment_updates_the_episode_its_referral_opened(w):
    episode = open_episode(w, "Amy")
    assessment = submitted_assessment(w["lead"], episode.referral)
    decision = casework.record_decision(
        user=w["lead"],
        kind=Kind.TEAM_AROUND_FAMILY,
        rationale="The assessment shows needs across three areas.",
        assessment=assessment,
        lead_professional=w["lead"],
        members=[w["colleague"]],
    )
    assert decision.opened_episode == episode
    episode.refresh_from_db()
    assert episode.level_of_need == 3 and episode.assessment == assessment
    assessment.refresh_from_db()
    assert assessment.status == Assessment.Status.DECIDED and assessment.decided_at is not None
    assert Episode.objects.count() == 1
    # The referrer was told when the front door decided; not again.
    assert len(messages("referral_outcome")) == 1


def test_a_draft_assessment_cannot_be_decided_and_a_decided_one_not_twice(w):
    assessment = submitted_assessment(w["lead"])
    Assessment.objects.filter(pk=assessment.pk).update(status=Assessment.Status.DRAFT)
    assessment.refresh_from_db()
    with pytest.raises(ValidationError, match="Submit assessment"):
        casework.record_decision(
            user=w["lead"], kind=Kind.SINGLE_AGENCY, rationale="x", assessment=assessment, lead_professional=w["lead"]
        )
    Assessment.objects.filter(pk=assessment.pk).update(status=Assessment.Status.SUBMITTED)
    casework.record_decision(
        user=w["lead"], kind=Kind.SINGLE_AGENCY, rationale="x", assessment=assessment, lead_professional=w["lead"]
    )
    with pytest.raises(ValidationError, match="already been decided"):
        casework.record_decision(
            user=w["lead"], kind=Kind.SINGLE_AGENCY, rationale="y", assessment=assessment, lead_professional=w["lead"]
        )


# --- Rationale, permissions ---------------------------------------------------------------------


@pytest.mark.parametrize("rationale", ["", "   ", None])
def test_a_decision_without_a_rationale_is_refused_and_nothing_is_saved(w, rationale):
    referral = referral_for(w["team"], "Amy")
    with pytest.raises(ValidationError) as excinfo:
        casework.record_decision(
            user=w["manager"],
            kind=Kind.SINGLE_AGENCY,
            rationale=rationale,
            referral=referral,
            lead_professional=w["lead"],
        )
    assert errors_of(excinfo)["rationale"] == ["Enter the reasons for the decision"]
    assert not Decision.objects.exists() and not Episode.objects.exists() and not CaseworkMessage.objects.exists()


def test_an_oversized_rationale_is_refused(w):
    referral = referral_for(w["team"], "Amy")
    with pytest.raises(ValidationError) as excinfo:
        casework.record_decision(
            user=w["manager"],
            kind=Kind.SINGLE_AGENCY,
            rationale="x" * 5001,
            referral=referral,
            lead_professional=w["lead"],
        )
    assert errors_of(excinfo)["rationale"] == ["The reasons must be 5000 characters or fewer"]


def test_who_may_decide_on_a_request_for_help(w):
    front_door = UserFactory(roles=["front_door"])
    other_manager = world("South locality")["manager"]
    for user in (w["lead"], other_manager, UserFactory(roles=["commissioner"]), UserFactory(is_superuser=True)):
        with pytest.raises(PermissionDenied):
            casework.record_decision(
                user=user,
                kind=Kind.SINGLE_AGENCY,
                rationale="x",
                referral=referral_for(w["team"], "Amy"),
                lead_professional=w["lead"],
            )
    decision = casework.record_decision(
        user=front_door,
        kind=Kind.SINGLE_AGENCY,
        rationale="x",
        referral=referral_for(w["team"], "Amy"),
        lead_professional=w["lead"],
    )
    assert decision.proposed_by == front_door


def test_a_request_for_help_is_decided_once(w):
    referral = referral_for(w["team"], "Amy")
    casework.record_decision(
        user=w["manager"], kind=Kind.SINGLE_AGENCY, rationale="x", referral=referral, lead_professional=w["lead"]
    )
    with pytest.raises(ValidationError, match="already been decided"):
        casework.record_decision(
            user=w["manager2"], kind=Kind.SINGLE_AGENCY, rationale="x", referral=referral, lead_professional=w["lead"]
        )


# --- Step-up -----------------------------------------------------------------------------------


def test_child_protection_step_up_alerts_the_front_door_at_once_and_closes_only_when_signed_off(
    w, django_capture_on_commit_callbacks
):
    front_door = UserFactory(roles=["front_door"], email="mash@example.org")
    episode = open_episode(w, "Amy")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        decision = casework.record_decision(
            user=w["lead"], kind=Kind.STEP_UP_CP, rationale="Disclosure of harm at school today.", episode=episode
        )
    assert decision.status == Decision.Status.PENDING
    decision.refresh_from_db()
    assert decision.front_door_alerted_at is not None
    (alert,) = messages("step_up_cp")
    assert alert.recipient == front_door
    assert [m.subject for m in mail.outbox if m.to == ["mash@example.org"]] == [
        "A child protection concern needs the front door now"
    ]
    assert "Disclosure" not in alert.body and "Amy" not in alert.body
    episode.refresh_from_db()
    assert episode.status == Episode.Status.OPEN  # pending until signed off

    casework.sign_off(decision, user=w["manager"], approve=True)
    episode.refresh_from_db()
    assert episode.status == Episode.Status.CLOSED
    assert episode.closure_reason == ClosureReason.STEPPED_UP
    assert episode.sustained_check_due is None
    assert len(messages("step_up_cp")) == 1  # not alerted again on sign-off


def test_child_in_need_step_up_alerts_the_front_door_on_sign_off(w):
    UserFactory(roles=["front_door"], email="mash@example.org")
    episode = open_episode(w, "Amy")
    decision = casework.record_decision(
        user=w["lead"], kind=Kind.STEP_UP_CIN, rationale="Needs escalated.", episode=episode
    )
    assert messages("step_up_cin") == []
    casework.sign_off(decision, user=w["manager"], approve=True)
    assert len(messages("step_up_cin")) == 1


def test_sign_off_rules(w):
    episode = open_episode(w, "Amy")
    decision = casework.record_decision(
        user=w["manager"], kind=Kind.STEP_UP_CIN, rationale="Needs escalated.", episode=episode
    )
    with pytest.raises(ValidationError, match="another early help manager must sign it off"):
        casework.sign_off(decision, user=w["manager"], approve=True)
    with pytest.raises(PermissionDenied):
        casework.sign_off(decision, user=w["lead"], approve=True)
    with pytest.raises(PermissionDenied):
        casework.sign_off(decision, user=world("South locality")["manager"], approve=True)
    with pytest.raises(ValidationError) as excinfo:
        casework.sign_off(decision, user=w["manager2"], approve=False)
    assert errors_of(excinfo)["note"] == ["Enter why you do not agree with the decision"]
    decision.refresh_from_db()
    assert decision.status == Decision.Status.PENDING and decision.signed_off_by is None

    casework.sign_off(decision, user=w["manager2"], approve=False, note="Try a team around the family first.")
    decision.refresh_from_db()
    assert decision.status == Decision.Status.REJECTED
    assert decision.signed_off_by == w["manager2"] and decision.signed_off_at is not None
    episode.refresh_from_db()
    assert episode.status == Episode.Status.OPEN
    with pytest.raises(ValidationError, match="already been signed off"):
        casework.sign_off(decision, user=w["manager2"], approve=True)


def test_the_database_refuses_a_self_signed_decision(w):
    from django.db import IntegrityError

    episode = open_episode(w, "Amy")
    decision = casework.record_decision(user=w["lead"], kind=Kind.STEP_UP_CIN, rationale="x", episode=episode)
    with pytest.raises(IntegrityError):
        Decision.objects.filter(pk=decision.pk).update(signed_off_by=w["lead"])


# --- Step-down ---------------------------------------------------------------------------------


def step_down_referral(w):
    return referral_for(w["team"], "Amy", source_agency="social_care", referrer_email="sw@council.example.org")


def test_step_down_needs_handover_meeting_consent_and_lead(w):
    referral = step_down_referral(w)
    with pytest.raises(ValidationError) as excinfo:
        casework.record_decision(user=w["manager"], kind=Kind.STEP_DOWN, rationale="CIN plan ended.", referral=referral)
    errors = errors_of(excinfo)
    assert errors["handover_meeting_on"] == ["Enter the date of the handover meeting"]
    assert errors["family_consent"] == ["A step-down needs the family's consent: record that they agree"]
    assert errors["lead_professional"] == ["Select the lead professional"]
    assert not Decision.objects.exists()


def test_step_down_is_for_cases_from_social_care(w):
    referral = referral_for(w["team"], "Amy", source_agency="school")
    with pytest.raises(ValidationError, match="coming from children's social care"):
        casework.record_decision(
            user=w["manager"],
            kind=Kind.STEP_DOWN,
            rationale="x",
            referral=referral,
            lead_professional=w["lead"],
            handover_meeting_on=timezone.localdate(),
            family_consent=True,
        )


def test_step_down_transfers_only_after_the_handover_meeting(w, time_machine):
    today = datetime.date(2026, 3, 2)
    time_machine.move_to(datetime.datetime(2026, 3, 2, 10, tzinfo=datetime.UTC))
    meeting_on = datetime.date(2026, 3, 9)
    decision = casework.record_decision(
        user=w["manager2"],
        kind=Kind.STEP_DOWN,
        rationale="Child in need plan closing; early help to continue.",
        referral=step_down_referral(w),
        lead_professional=w["lead"],
        handover_meeting_on=meeting_on,
        family_consent=True,
    )
    assert decision.status == Decision.Status.PENDING and decision.opened_episode is None
    casework.sign_off(decision, user=w["manager"], approve=True)
    decision.refresh_from_db()
    episode = decision.opened_episode
    assert episode.status == Episode.Status.AWAITING_HANDOVER and episode.opened_on is None
    assert episode.meetings.get().kind == Meeting.Kind.HANDOVER
    with pytest.raises(ValidationError) as excinfo:
        casework.complete_handover(episode, user=w["lead"], held_on=today)
    assert errors_of(excinfo)["held_on"] == ["The transfer happens only after the handover meeting on 9 March 2026"]
    time_machine.move_to(datetime.datetime(2026, 3, 9, 15, tzinfo=datetime.UTC))
    casework.complete_handover(episode, user=w["lead"], held_on=meeting_on)
    episode.refresh_from_db()
    assert episode.status == Episode.Status.OPEN and episode.opened_on == meeting_on
    assert episode.first_meeting_due == datetime.date(2026, 3, 23)  # 10 working days
    assert "offered early help" in messages("referral_outcome")[0].body


# --- Closure and re-opening ------------------------------------------------------------------


def test_closure_needs_a_reason_a_summary_and_sign_off(w):
    episode = open_episode(w, "Amy")
    with pytest.raises(ValidationError) as excinfo:
        casework.record_decision(user=w["lead"], kind=Kind.CLOSURE, rationale="Done.", episode=episode)
    errors = errors_of(excinfo)
    assert errors["closure_reason"] == ["Select why the episode is closing"]
    assert errors["closure_summary"] == ["Enter a closing summary"]
    with pytest.raises(ValidationError) as excinfo:
        casework.record_decision(
            user=w["lead"],
            kind=Kind.CLOSURE,
            rationale="Done.",
            episode=episode,
            closure_reason=ClosureReason.OTHER,
            closure_summary="Summary.",
        )
    assert errors_of(excinfo)["closure_other"] == ["Enter the other reason for closing"]
    assert not Decision.objects.filter(kind=Kind.CLOSURE).exists()

    decision = casework.record_decision(
        user=w["lead"],
        kind=Kind.CLOSURE,
        rationale="All outcomes met at the last review.",
        episode=episode,
        closure_reason=ClosureReason.NEEDS_MET,
        closure_summary="Attendance back above 95%; routines settled.",
    )
    episode.refresh_from_db()
    assert episode.status == Episode.Status.OPEN
    casework.sign_off(
        decision, user=w["manager"], approve=True, now=timezone.make_aware(datetime.datetime(2026, 1, 31, 12))
    )
    episode.refresh_from_db()
    assert episode.status == Episode.Status.CLOSED
    assert episode.closed_on == datetime.date(2026, 1, 31)
    assert episode.how_it_ended == "Closed: Needs met"
    assert episode.sustained_check_due == datetime.date(2026, 7, 31)


def test_reopening_makes_a_new_episode_linked_to_the_closed_one(w):
    episode = open_episode(w, "Amy", members=())
    closure = casework.record_decision(
        user=w["lead"],
        kind=Kind.CLOSURE,
        rationale="x",
        episode=episode,
        closure_reason=ClosureReason.MOVED_AWAY,
        closure_summary="Moved to another area.",
    )
    casework.sign_off(closure, user=w["manager"], approve=True)
    episode.refresh_from_db()
    reopen = casework.record_decision(
        user=w["lead"], kind=Kind.REOPEN, rationale="Family moved back; needs unchanged.", episode=episode
    )
    new = reopen.opened_episode
    assert reopen.status == Decision.Status.RECORDED
    assert new.pk != episode.pk and new.previous == episode and new.status == Episode.Status.OPEN
    assert list(new.children.all()) == list(episode.children.all())
    episode.refresh_from_db()
    assert episode.status == Episode.Status.CLOSED and episode.closure_reason == ClosureReason.MOVED_AWAY
    with pytest.raises(ValidationError, match="already been re-opened"):
        casework.record_decision(user=w["lead"], kind=Kind.REOPEN, rationale="again", episode=episode)
    with pytest.raises(ValidationError, match="is not closed"):
        casework.record_decision(user=w["lead"], kind=Kind.REOPEN, rationale="x", episode=new)
    from eh_assessments.casework_selectors import episode_history

    assert episode_history(new) == [episode, new]
    summaries = list(ChronologyEntry.objects.filter(family=episode.family).values_list("summary", flat=True))
    assert f"Episode {episode.reference} re-opened as {new.reference}" in summaries


# --- The referrer, once ------------------------------------------------------------------------


def test_the_referrer_is_told_exactly_once(w, django_capture_on_commit_callbacks):
    referral = referral_for(w["team"], "Amy")
    with django_capture_on_commit_callbacks(execute=True):
        casework.record_decision(
            user=w["manager"], kind=Kind.SINGLE_AGENCY, rationale="x", referral=referral, lead_professional=w["lead"]
        )
    with django_capture_on_commit_callbacks(execute=True):
        assessment = submitted_assessment(w["lead"], referral)
        casework.record_decision(
            user=w["lead"], kind=Kind.STEP_UP_CIN, rationale="Assessment shows statutory need.", assessment=assessment
        )
    decision = Decision.objects.get(kind=Kind.STEP_UP_CIN)
    with django_capture_on_commit_callbacks(execute=True):
        casework.sign_off(decision, user=w["manager"], approve=True)
        casework.deliver_due()
    assert len(messages("referral_outcome")) == 1
    assert len([m for m in mail.outbox if referral.reference in m.subject]) == 1


def test_no_referrer_email_means_no_message(w):
    referral = referral_for(w["team"], "Amy", referrer_email="")
    casework.record_decision(
        user=w["manager"], kind=Kind.SINGLE_AGENCY, rationale="x", referral=referral, lead_professional=w["lead"]
    )
    assert messages("referral_outcome") == []


def test_a_failed_email_is_retried_and_not_sent_twice(w, monkeypatch):
    referral = referral_for(w["team"], "Amy")
    casework.record_decision(
        user=w["manager"], kind=Kind.SINGLE_AGENCY, rationale="x", referral=referral, lead_professional=w["lead"]
    )
    calls = []

    def boom(message):
        calls.append(message.pk)
        raise ConnectionError("mail server down")

    monkeypatch.setattr(casework, "_send", boom)
    now = timezone.now()
    assert casework.deliver_due(now=now) == {"sent": 0, "retry": 1, "failed": 0}
    monkeypatch.undo()
    assert casework.deliver_due(now=now) == {"sent": 0, "retry": 0, "failed": 0}  # backing off
    assert casework.deliver_due(now=now + datetime.timedelta(minutes=2)) == {"sent": 1, "retry": 0, "failed": 0}
    assert casework.deliver_due(now=now + datetime.timedelta(hours=2))["sent"] == 0
    assert len(calls) == 1


def test_one_subject_per_decision(w):
    episode = open_episode(w, "Amy")
    with pytest.raises(ValidationError, match="Decide on one thing"):
        casework.record_decision(
            user=w["manager"], kind=Kind.STEP_UP_CIN, rationale="x", referral=episode.referral, episode=episode
        )
    with pytest.raises(ValidationError, match="Decide on one thing"):
        casework.record_decision(user=w["manager"], kind=Kind.STEP_UP_CIN, rationale="x")
    with pytest.raises(ValidationError, match="decided on an episode"):
        casework.record_decision(user=w["manager"], kind=Kind.CLOSURE, rationale="x", referral=episode.referral)


def test_the_team_around_the_family_must_be_practitioners(w):
    with pytest.raises(ValidationError) as excinfo:
        casework.record_decision(
            user=w["manager"],
            kind=Kind.TEAM_AROUND_FAMILY,
            rationale="x",
            referral=referral_for(w["team"], "Amy"),
            lead_professional=UserFactory(roles=["commissioner"]),
            members=[UserFactory(roles=["police_encompass_officer"])],
        )
    errors = errors_of(excinfo)
    assert errors["lead_professional"] == ["The lead professional must be an active early help practitioner"]
    assert errors["members"] == ["Everyone in the team around the family must be an active practitioner"]


def test_sign_off_is_audited_and_in_the_chronology(w):
    episode = open_episode(w, "Amy")
    decision = casework.record_decision(user=w["lead"], kind=Kind.STEP_UP_CIN, rationale="x", episode=episode)
    casework.sign_off(decision, user=w["manager"], approve=True)
    event = AuditEvent.objects.filter(object_type="eh_assessments.decision", action="update").get()
    assert event.user_id == w["manager"].pk and event.detail == {"signed_off": True}
    summaries = list(ChronologyEntry.objects.filter(episode=episode).values_list("summary", flat=True))
    assert "Step up: child in need assessment signed off by a manager" in summaries
    assert f"Episode {episode.reference} closed: Stepped up to children's social care" in summaries
