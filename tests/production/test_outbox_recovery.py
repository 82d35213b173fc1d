"""The alert outbox under faults, in-process: a claimed alert is leased, not locked, while it
is sent (a stalled mail server holds no database lock, so intake goes on), a sender that
dies is replaced when its lease runs out, and encompass_tick recovers the task rows a killed
database worker leaves RUNNING for ever."""

from __future__ import annotations

import datetime
import io

import pytest
import time_machine

from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from portal.encompass import conf, services
from portal.encompass.models import OutboxMessage
from tests.encompass.factories import NotifiedChildFactory, SchoolFactory

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture
def alert(make_user, settings):
    settings.ENCOMPASS_LA_CODE = "394"
    school = SchoolFactory(urn=654321)
    key_adult = make_user("school_key_adult", email="key.adult@recovery.example.org")
    child = NotifiedChildFactory(school=school)
    services.queue_alerts(child, "new", [key_adult])
    return OutboxMessage.objects.get()


def test_an_alert_is_sent_with_no_transaction_open(alert, monkeypatch):
    seen = []
    send = services._send

    def watching(message):
        seen.append(connection.in_atomic_block)
        send(message)

    monkeypatch.setattr(services, "_send", watching)
    assert services.deliver_due() == {"sent": 1, "retry": 0, "failed": 0}
    # pytest-django wraps each test in a transaction: one level deep is the test's own.
    assert seen == [connection.in_atomic_block]
    assert len(mail.outbox) == 1


def test_an_alert_claimed_by_a_sender_that_died_is_sent_once_after_its_lease(alert, settings):
    settings.ENCOMPASS_OUTBOX_LEASE_SECONDS = 120
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        claimed = services._claim(start)  # a worker claims it, then is killed before sending
    assert claimed.pk == alert.pk
    alert.refresh_from_db()
    assert (alert.status, alert.attempts) == ("pending", 1)
    assert alert.next_attempt_at == start + conf.outbox_lease()
    with time_machine.travel(start + datetime.timedelta(seconds=119), tick=False):
        assert services.deliver_due() == {"sent": 0, "retry": 0, "failed": 0}  # still leased
    with time_machine.travel(start + datetime.timedelta(seconds=121), tick=False):
        assert services.deliver_due()["sent"] == 1
        assert services.deliver_due()["sent"] == 0
    alert.refresh_from_db()
    assert (alert.status, alert.attempts) == ("sent", 2)
    assert len(mail.outbox) == 1


def test_the_lease_comes_from_the_setting(settings):
    settings.ENCOMPASS_OUTBOX_LEASE_SECONDS = 120
    assert conf.outbox_lease() == datetime.timedelta(minutes=2)


def _running(task, started_at):
    from django_tasks_db.models import DBTaskResult

    result = task.enqueue()
    DBTaskResult.objects.filter(pk=result.id).update(status="RUNNING", started_at=started_at, worker_ids=["dead"])
    return DBTaskResult.objects.get(pk=result.id)


def test_tick_recovers_encompass_tasks_abandoned_by_a_killed_worker(alert, settings):
    from django_tasks_db.models import DBTaskResult

    from portal.encompass.tasks import deliver_alerts, escalate

    settings.TASKS = DATABASE_TASKS
    now = timezone.now()
    abandoned = _running(deliver_alerts, now - datetime.timedelta(hours=1))
    abandoned_escalation = _running(escalate, now - datetime.timedelta(hours=2))
    busy = _running(deliver_alerts, now - datetime.timedelta(minutes=5))  # still within its time
    out = io.StringIO()
    call_command("encompass_tick", stdout=out)
    assert "2 abandoned task(s) recovered" in out.getvalue()
    assert "alerts sent 1" in out.getvalue()  # the tick itself sends what the dead worker left
    for row in (abandoned, abandoned_escalation):
        row.refresh_from_db()
        assert row.status == "FAILED"
        assert row.exception_class_path == "portal.encompass.services.AbandonedTask"
        assert "stopped before it finished" in row.traceback
    busy.refresh_from_db()
    assert busy.status == "RUNNING"
    fresh = DBTaskResult.objects.filter(status="READY", task_path="portal.encompass.tasks.deliver_alerts")
    assert fresh.count() == 1  # one delivery for the next worker, not one per abandoned row
    out = io.StringIO()
    call_command("encompass_tick", stdout=out)
    assert "recovered" not in out.getvalue()
    assert len(mail.outbox) == 1


def test_abandoned_after_is_configurable(alert, settings):
    from portal.encompass.tasks import deliver_alerts

    settings.TASKS = DATABASE_TASKS
    row = _running(deliver_alerts, timezone.now() - datetime.timedelta(minutes=5))
    out = io.StringIO()
    call_command("encompass_tick", "--abandoned-after", "2", stdout=out)
    assert "1 abandoned task(s) recovered" in out.getvalue()
    row.refresh_from_db()
    assert row.status == "FAILED"


def test_other_task_backends_are_left_alone(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    assert services.recover_abandoned_tasks(older_than=datetime.timedelta(0)) == 0
