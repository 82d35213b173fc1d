"""Escalation with time travel: not acknowledged by notify_by + 30 minutes → the deputies
and the LA Encompass lead are alerted; again every hour during school hours until it is
acknowledged; every step recorded."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from django.core.management import call_command

from portal.audit.models import AuditEvent
from portal.encompass import services
from portal.encompass.models import EscalationStep, OutboxMessage

from .calendars import LA_2025_26
from .factories import NotificationFactory, NotifiedChildFactory

UK = ZoneInfo("Europe/London")


def uk(*args):
    return datetime.datetime(*args, tzinfo=UK)


@pytest.fixture
def setup(school, key_adult, deputy, make_user):
    services.import_term_dates(LA_2025_26, la_code="394")
    lead = make_user("la_encompass_lead", email="lead@example.org")
    notification = NotificationFactory(incident_at=uk(2025, 9, 16, 21, 0), received_at=uk(2025, 9, 16, 23, 0))
    child = NotifiedChildFactory(notification=notification, school=school, notify_by=uk(2025, 9, 17, 8, 30))
    return child, lead


def tick(*moment):
    with time_machine.travel(uk(*moment), tick=False):
        return services.escalate_due()


def test_escalation_timeline(setup, deputy):
    child, lead = setup
    assert tick(2025, 9, 17, 8, 59) == 0
    assert tick(2025, 9, 17, 9, 0) == 1
    assert tick(2025, 9, 17, 9, 0) == 0  # run again in the same minute: nothing new
    step = EscalationStep.objects.get()
    assert step.number == 1 and step.recipients == 2
    recipients = set(OutboxMessage.objects.filter(kind="escalation-1").values_list("email", flat=True))
    assert recipients == {deputy.email, lead.email}
    assert tick(2025, 9, 17, 9, 59) == 0
    assert tick(2025, 9, 17, 10, 0) == 1
    for hour in (11, 12, 13, 14, 15):
        assert tick(2025, 9, 17, hour, 0) == 1
    assert tick(2025, 9, 17, 16, 0) == 0  # after the school day
    assert tick(2025, 9, 17, 23, 0) == 0
    assert tick(2025, 9, 18, 8, 29) == 0  # before it starts
    assert tick(2025, 9, 18, 8, 30) == 1
    assert EscalationStep.objects.count() == 8
    audit = AuditEvent.objects.filter(object_id=str(child.pk), action="other")
    assert audit.count() == 8 and audit.latest("id").detail == {"escalation": 8, "recipients": 2}


def test_no_escalation_at_weekends_or_in_holidays(setup):
    child, _ = setup
    child.notify_by = uk(2025, 10, 24, 8, 30)  # the Friday before half term
    child.save()
    assert tick(2025, 10, 24, 9, 0) == 1
    assert tick(2025, 10, 24, 15, 0) == 1
    assert tick(2025, 10, 25, 10, 0) == 0  # Saturday
    assert tick(2025, 10, 29, 10, 0) == 0  # half term
    assert tick(2025, 11, 3, 8, 30) == 1


def test_acknowledgement_stops_escalation(setup, key_adult):
    child, _ = setup
    assert tick(2025, 9, 17, 9, 0) == 1
    with time_machine.travel(uk(2025, 9, 17, 9, 20), tick=False):
        services.acknowledge(None, child, user=key_adult, action_taken="overt_support")
    assert tick(2025, 9, 17, 10, 0) == 0
    assert tick(2025, 9, 18, 9, 0) == 0


def test_overdue_on_arrival_escalates_30_minutes_after_arrival(setup):
    child, _ = setup
    child.notification.received_at = uk(2025, 9, 17, 11, 0)
    child.notification.save()
    assert tick(2025, 9, 17, 11, 29) == 0
    assert tick(2025, 9, 17, 11, 30) == 1


def test_escalate_after_is_a_setting(setup, settings):
    settings.ENCOMPASS_ESCALATE_AFTER_MINUTES = 10
    assert tick(2025, 9, 17, 8, 40) == 1


def test_tick_command_escalates_and_sends(setup, capsys):
    with time_machine.travel(uk(2025, 9, 17, 9, 0), tick=False):
        call_command("encompass_tick")
    assert "1 escalated; alerts sent 2" in capsys.readouterr().out
