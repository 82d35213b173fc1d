"""The chronology (issue 7 point 8) and the Operation Encompass hook: events in one ordered
list, manual entries, linked notifications (never their details), constant queries."""

from __future__ import annotations

import datetime

import pytest

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from eh_assessments import casework
from eh_assessments.chronology import chronology_for
from eh_assessments.models_casework import CaseworkMessage, ChronologyEntry, ClosureReason, Decision
from tests.eh_assessments.casework_factories import open_episode, submitted_assessment, world
from tests.encompass.factories import NotificationFactory, NotifiedChildFactory, SchoolFactory
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def w(db):
    return world()


def notify(given="Amy", family="Doe", dob=datetime.date(2015, 6, 1), **kwargs):
    school = SchoolFactory(name="Hylton Primary")
    return NotifiedChildFactory(
        given_name=given,
        family_name=family,
        date_of_birth=dob,
        school=school,
        notification=NotificationFactory(received_at=kwargs.pop("received_at", timezone.now())),
        **kwargs,
    )


def test_the_chronology_orders_every_kind_of_event(w, time_machine):
    time_machine.move_to(datetime.datetime(2026, 3, 2, 9, tzinfo=datetime.UTC))
    episode = open_episode(w, "Amy", received_on=datetime.date(2026, 2, 27))
    time_machine.move_to(datetime.datetime(2026, 3, 3, 9, tzinfo=datetime.UTC))
    submitted_assessment(w["lead"], episode.referral, started_at=timezone.now() - datetime.timedelta(hours=1))
    casework.add_chronology_entry(
        episode,
        user=w["lead"],
        occurred_at=timezone.make_aware(datetime.datetime(2026, 3, 1, 15)),
        summary="Mum phoned the school about a house move",
    )
    closure = casework.record_decision(
        user=w["lead"],
        kind=Decision.Kind.CLOSURE,
        rationale="Done.",
        episode=episode,
        closure_reason=ClosureReason.NEEDS_MET,
        closure_summary="Good progress.",
    )
    casework.sign_off(closure, user=w["manager"], approve=True)
    kinds = [item.kind for item in chronology_for(episode.family)]
    assert kinds == [
        "referral",
        "manual",
        "decision",
        "episode",
        "assessment_started",
        "assessment_submitted",
        "decision",
        "sign_off",
        "closure",
    ]
    items = chronology_for(episode.family)
    assert items[1].source == "manual" and items[1].recorded_by == w["lead"].get_full_name()
    assert items[0].summary == f"Request for help {episode.referral.reference} received from school or college"


def test_manual_entries_are_checked(w):
    episode = open_episode(w, "Amy")
    with pytest.raises(ValidationError) as excinfo:
        casework.add_chronology_entry(
            episode, user=w["lead"], occurred_at=timezone.now() + datetime.timedelta(days=1), summary=""
        )
    assert excinfo.value.message_dict == {
        "summary": ["Enter what happened"],
        "occurred_at": ["The date must be today or in the past"],
    }
    with pytest.raises(PermissionDenied):
        casework.add_chronology_entry(
            episode, user=UserFactory(roles=["lead_professional"]), occurred_at=timezone.now(), summary="x"
        )
    assert not ChronologyEntry.objects.filter(source="manual").exists()


def test_linked_encompass_notifications_appear_without_their_details(w):
    episode = open_episode(w, "Amy")
    notify(given=" amy ", family="DOE")  # case and spacing ignored, like Pupil.key_for
    notify(given="Amy", family="Doe", dob=datetime.date(2015, 6, 2))  # another child
    notify(given="Amelia", family="Doe")  # another child
    items = [i for i in chronology_for(episode.family) if i.kind == "encompass"]
    assert len(items) == 1
    assert items[0].summary.startswith("Operation Encompass notification ")
    assert items[0].summary.endswith("received, sent to Hylton Primary")
    assert "argument" not in items[0].summary.lower()
    assert items[0].child.given_name == "Amy"


def test_alert_open_cases_for_alerts_the_lead_professional_once(w):
    episode = open_episode(w, "Amy")
    other_family_open = open_episode(w, "Zed")
    notified = notify()
    assert casework.alert_open_cases_for(notified) == 1
    assert casework.alert_open_cases_for(notified) == 1  # run twice: still one alert, one entry
    (alert,) = CaseworkMessage.objects.filter(kind="encompass")
    assert alert.recipient == w["lead"] and alert.episode == episode
    assert "argument" not in alert.body.lower() and "Amy" not in alert.body
    assert episode.reference in alert.body
    entries = ChronologyEntry.objects.filter(kind="encompass")
    assert [e.episode for e in entries] == [episode]
    # The stored entry and the matched notification are the same event: shown once.
    assert [i.kind for i in chronology_for(episode.family)].count("encompass") == 1
    assert not ChronologyEntry.objects.filter(episode=other_family_open, kind="encompass").exists()


def test_no_alert_for_a_closed_episode_or_an_unknown_child(w):
    episode = open_episode(w, "Amy")
    closure = casework.record_decision(
        user=w["lead"],
        kind=Decision.Kind.CLOSURE,
        rationale="x",
        episode=episode,
        closure_reason=ClosureReason.NEEDS_MET,
        closure_summary="x",
    )
    casework.sign_off(closure, user=w["manager"], approve=True)
    assert casework.alert_open_cases_for(notify()) == 0
    assert casework.alert_open_cases_for(notify(given="Nobody")) == 0
    assert not CaseworkMessage.objects.filter(kind="encompass").exists()


def test_a_child_in_two_open_episodes_alerts_both_leads(w):
    first = open_episode(w, "Amy")
    second_lead = w["colleague"]
    decision = casework.record_decision(
        user=w["manager"],
        kind=Decision.Kind.SINGLE_AGENCY,
        rationale="x",
        referral=__import__("tests.eh_assessments.casework_factories", fromlist=["referral_for"]).referral_for(
            w["team"], "Amy", family=first.family
        ),
        lead_professional=second_lead,
    )
    # The second request for help for the same family re-used the open episode only when it
    # came from the same request; this one opened a second episode.
    assert decision.opened_episode != first
    assert casework.alert_open_cases_for(notify()) == 2
    assert {m.recipient for m in CaseworkMessage.objects.filter(kind="encompass")} == {w["lead"], second_lead}


def test_the_chronology_takes_constant_queries(w, django_assert_max_num_queries):
    episode = open_episode(w, "Amy", "Ben")
    notify()
    with django_assert_max_num_queries(6) as few:
        chronology_for(episode.family)
    for _ in range(5):
        casework.add_chronology_entry(episode, user=w["lead"], occurred_at=timezone.now(), summary="Visit")
        notify(given="Ben")
        submitted_assessment(w["lead"], episode.referral)
    with django_assert_max_num_queries(len(few.captured_queries)):
        items = chronology_for(episode.family)
    assert len(items) > 15


def test_the_hook_works_on_a_notification_submitted_through_encompass(w):
    """What the lead's one-line hook in portal/encompass/services.py will do, called here on
    the children an ordinary submission creates (a child with no school goes to triage)."""
    from portal.encompass.services import submit_notification

    episode = open_episode(w, "Amy")
    now = timezone.now()
    notification, _created = submit_notification(
        {
            "force": "NBR",
            "police_reference": "NBR-HOOK-1",
            "incident_at": now - datetime.timedelta(hours=2),
            "reported_at": now - datetime.timedelta(hours=1),
            "location": "",
            "summary": "Details that must not travel.",
            "officer": "PC 1",
            "children": [
                {
                    "given_name": "Amy",
                    "family_name": "Doe",
                    "date_of_birth": datetime.date(2015, 6, 1),
                    "school_urn": None,
                    "electively_home_educated": False,
                    "present_at_incident": True,
                    "welfare_check_done": True,
                    "voice_of_child": "",
                    "social_care_informed": False,
                }
            ],
        }
    )
    (child,) = notification.children.all()
    # Intake itself alerted the open case; running the hook again changes nothing.
    assert CaseworkMessage.objects.filter(kind="encompass").count() == 1
    assert casework.alert_open_cases_for(child) == 1
    (alert,) = CaseworkMessage.objects.filter(kind="encompass")
    assert alert.recipient == episode.lead_professional
    assert "Details" not in alert.body
    (item,) = [i for i in chronology_for(episode.family) if i.kind == "encompass"]
    assert item.summary.endswith("received, sent to the local authority's Encompass triage")


def test_a_failing_early_help_hook_never_loses_the_police_notification(w, monkeypatch):
    from portal.encompass.models import Notification
    from portal.encompass.services import submit_notification

    def broken(*args, **kwargs):
        raise RuntimeError("casework is down")

    monkeypatch.setattr(casework, "alert_open_cases_for", broken)
    now = timezone.now()
    notification, created = submit_notification(
        {
            "force": "NBR",
            "police_reference": "NBR-HOOK-2",
            "incident_at": now - datetime.timedelta(hours=2),
            "reported_at": now - datetime.timedelta(hours=1),
            "location": "",
            "summary": "",
            "officer": "PC 2",
            "children": [
                {
                    "given_name": "Ben",
                    "family_name": "Doe",
                    "date_of_birth": datetime.date(2016, 6, 1),
                    "school_urn": None,
                    "electively_home_educated": False,
                    "present_at_incident": True,
                    "welfare_check_done": True,
                    "voice_of_child": "",
                    "social_care_informed": False,
                }
            ],
        }
    )
    assert created and Notification.objects.filter(pk=notification.pk).exists()
    assert notification.children.count() == 1
