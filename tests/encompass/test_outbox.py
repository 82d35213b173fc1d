"""Alerts go through the outbox: retried with backoff when the mail server or Notify fails,
never sent twice, never blocking intake, and never carrying details."""

import datetime
import json

import pytest
import time_machine

from django.core import mail
from django.utils import timezone

from portal import outbox
from portal.encompass import services
from portal.encompass.models import OutboxMessage

from . import notify_fake
from .factories import NotifiedChildFactory

fake_notify = notify_fake.fixture


@pytest.fixture
def child(school, key_adult):
    return NotifiedChildFactory(school=school)


def queue(child, key_adult, kind="new"):
    return services.queue_alerts(child, kind, [key_adult])


def test_queueing_twice_makes_one_message(child, key_adult):
    queue(child, key_adult)
    queue(child, key_adult)
    assert OutboxMessage.objects.count() == 1
    services.deliver_due()
    services.deliver_due()
    assert len(mail.outbox) == 1


def test_failing_mail_server_is_retried_with_backoff_then_sent_once(child, key_adult, monkeypatch):
    queue(child, key_adult)
    calls = []

    def broken(*args, **kwargs):
        calls.append(args)
        raise ConnectionRefusedError("mail server down")

    monkeypatch.setattr(outbox, "send_mail", broken)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        assert services.deliver_due() == {"sent": 0, "retry": 1, "failed": 0}
        message = OutboxMessage.objects.get()
        assert message.status == "pending" and message.attempts == 1
        assert message.next_attempt_at == start + datetime.timedelta(minutes=1)
        assert "mail server down" in message.last_error
        assert services.deliver_due() == {"sent": 0, "retry": 0, "failed": 0}  # not due yet
    with time_machine.travel(start + datetime.timedelta(minutes=1), tick=False):
        services.deliver_due()
        assert OutboxMessage.objects.get().next_attempt_at == start + datetime.timedelta(minutes=3)  # then 2 minutes
    monkeypatch.undo()
    with time_machine.travel(start + datetime.timedelta(minutes=3), tick=False):
        assert services.deliver_due()["sent"] == 1
    with time_machine.travel(start + datetime.timedelta(hours=5), tick=False):
        services.deliver_due()
    assert len(mail.outbox) == 1
    assert len(calls) == 2


def test_backoff_doubles_up_to_an_hour():
    assert [services.backoff(n).total_seconds() / 60 for n in (1, 2, 3, 4, 7, 8, 20)] == [1, 2, 4, 8, 60, 60, 60]


def test_gives_up_after_the_maximum_attempts(child, key_adult, monkeypatch, settings):
    settings.ENCOMPASS_OUTBOX_MAX_ATTEMPTS = 2
    queue(child, key_adult)
    monkeypatch.setattr(outbox, "send_mail", lambda *a, **k: (_ for _ in ()).throw(OSError("down")))
    services.deliver_due()
    services.deliver_due(now=timezone.now() + datetime.timedelta(hours=1))
    assert OutboxMessage.objects.get().status == "failed"


def test_a_failing_mail_server_never_blocks_intake(school, key_adult, monkeypatch, django_capture_on_commit_callbacks):
    monkeypatch.setattr(outbox, "send_mail", lambda *a, **k: (_ for _ in ()).throw(OSError("down")))
    data = {
        "force": "NBR",
        "police_reference": "R1",
        "incident_at": timezone.now() - datetime.timedelta(hours=2),
        "reported_at": timezone.now() - datetime.timedelta(hours=1),
        "summary": "s",
        "officer": "o",
        "location": "",
        "children": [
            {
                "given_name": "A",
                "family_name": "B",
                "date_of_birth": datetime.date(2015, 1, 1),
                "school_urn": school.urn,
                "present_at_incident": False,
                "welfare_check_done": False,
                "voice_of_child": "",
                "social_care_informed": False,
                "electively_home_educated": False,
            }
        ],
    }
    with django_capture_on_commit_callbacks(execute=True):
        notification, created = services.submit_notification(data)
    assert created and notification.children.count() == 1
    assert OutboxMessage.objects.get().status == "pending"


# --- GOV.UK Notify -------------------------------------------------------------------------
def test_alerts_go_through_notify_when_a_key_is_set(child, key_adult, fake_notify, settings):
    queue(child, key_adult)
    assert services.deliver_due()["sent"] == 1
    assert mail.outbox == []
    [request] = fake_notify.received
    assert request["path"] == "/v2/notifications/email"
    assert request["auth"].startswith("Bearer ")
    assert request["body"]["email_address"] == key_adult.email
    assert request["body"]["template_id"] == settings.ENCOMPASS_NOTIFY_TEMPLATE_ID
    assert request["body"]["reference"] == f"new:{child.pk}:{key_adult.pk}"
    text = json.dumps(request["body"]["personalisation"])
    assert child.given_name not in text and child.family_name not in text
    assert child.notification.summary not in text


def test_notify_errors_are_retried(child, key_adult, fake_notify):
    fake_notify.status = 500
    queue(child, key_adult)
    assert services.deliver_due()["retry"] == 1
    fake_notify.status = 201
    assert services.deliver_due(now=timezone.now() + datetime.timedelta(minutes=2))["sent"] == 1
    assert len(fake_notify.received) == 2
