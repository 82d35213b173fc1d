"""The one outbox (portal.outbox) for every email the portal sends: Operation Encompass
alerts and casework messages alike are sent with no transaction open (a stalled mail server
holds no database lock), retried with back-off, given up after the maximum attempts, sent
through GOV.UK Notify when it is configured, and never sent twice by two workers."""

from __future__ import annotations

import datetime
import json
import threading
import uuid
from dataclasses import dataclass
from typing import Any

import pytest
import time_machine

from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.db import connection, connections, transaction
from django.utils import timezone

from eh_assessments import casework
from eh_assessments.models_casework import CaseworkMessage, Decision
from portal import outbox
from portal.encompass import services
from portal.encompass.models import OutboxMessage
from tests.eh_assessments.casework_factories import referral_for, world
from tests.encompass import notify_fake

fake_notify = notify_fake.fixture
BACKEND = f"{__name__}.RecordingBackend"


# --- The two outboxes --------------------------------------------------------------------------
@dataclass(frozen=True)
class Outbox:
    name: str
    model: Any
    deliver: Any

    def make(self, n: int = 1, *, email: str = "") -> Any:
        key = f"{self.name}:{n}:{uuid.uuid4()}"
        email = email or f"person{n}@example.org"
        if self.model is OutboxMessage:
            return OutboxMessage.objects.create(key=key, email=email, kind="new", link=f"/portal/encompass/{n}/")
        return CaseworkMessage.objects.create(
            key=key,
            email=email,
            kind="referral_outcome",
            subject=f"Request for help RF-{n}: a decision has been made",
            body=f"Your request for help RF-{n} has been considered: see https://portal.example.org/cases/{n}/",
        )


ENCOMPASS = Outbox("encompass", OutboxMessage, services.deliver_due)
CASEWORK = Outbox("casework", CaseworkMessage, casework.deliver_due)
BOTH = pytest.mark.parametrize("box", [ENCOMPASS, CASEWORK], ids=["encompass", "casework"])


class RecordingBackend(BaseEmailBackend):
    """Django's mail backend seen from inside: for each email, whether a transaction was open
    on the sending thread's connection. ``barrier``, when set, holds each worker's first send
    until the other worker is sending too."""

    sent: list[dict] = []
    barrier: threading.Barrier | None = None
    waited: set[str] = set()
    lock = threading.Lock()

    def send_messages(self, messages):
        name = threading.current_thread().name
        barrier = RecordingBackend.barrier
        if barrier is not None and name not in RecordingBackend.waited:
            RecordingBackend.waited.add(name)
            barrier.wait()  # raises BrokenBarrierError if the other worker never sends
        with RecordingBackend.lock:
            for message in messages:
                RecordingBackend.sent.append(
                    {
                        "to": message.to,
                        "subject": message.subject,
                        "body": message.body,
                        "in_atomic_block": transaction.get_connection().in_atomic_block,
                        "depth": len(transaction.get_connection().atomic_blocks),
                        "worker": name,
                    }
                )
        return len(messages)


@pytest.fixture
def recording(settings):
    RecordingBackend.sent = []
    RecordingBackend.barrier = None
    RecordingBackend.waited = set()
    settings.EMAIL_BACKEND = BACKEND
    settings.NOTIFY_API_KEY = ""
    yield RecordingBackend
    RecordingBackend.barrier = None


# --- No transaction open while sending ---------------------------------------------------------
@BOTH
@pytest.mark.django_db(transaction=True)  # no test transaction around it: the send must see none at all
def test_each_message_is_sent_with_no_transaction_open(box, recording):
    box.make(1)
    box.make(2)
    assert box.deliver() == {"sent": 2, "retry": 0, "failed": 0}
    assert [entry["in_atomic_block"] for entry in recording.sent] == [False, False]
    assert set(box.model.objects.values_list("status", flat=True)) == {"sent"}


@BOTH
@pytest.mark.django_db
def test_the_send_is_outside_the_claiming_transaction(box, recording):
    """In a test transaction (one level deep), the send happens at that same depth: the
    claim's own transaction has been committed before the mail server is spoken to."""
    box.make()
    outer = len(connection.atomic_blocks)
    assert box.deliver()["sent"] == 1
    assert [entry["depth"] for entry in recording.sent] == [outer]


# --- Retries, back-off, giving up ----------------------------------------------------------------
@BOTH
@pytest.mark.django_db
def test_a_failing_send_backs_off_1_2_4_minutes_then_is_sent_once(box, recording, monkeypatch, settings):
    settings.ENCOMPASS_OUTBOX_MAX_ATTEMPTS = 10
    message = box.make()
    tries = []

    def down(*args, **kwargs):
        tries.append(args)
        raise ConnectionRefusedError("mail server down")

    monkeypatch.setattr(outbox, "send_mail", down)
    start = timezone.now()
    at = start
    for wait in (1, 2, 4):
        with time_machine.travel(at, tick=False):
            assert box.deliver() == {"sent": 0, "retry": 1, "failed": 0}
            assert box.deliver() == {"sent": 0, "retry": 0, "failed": 0}  # not due again yet
        message.refresh_from_db()
        assert message.status == "pending"
        assert message.next_attempt_at == at + datetime.timedelta(minutes=wait)
        assert "ConnectionRefusedError: mail server down" in message.last_error
        at += datetime.timedelta(minutes=wait)
    assert len(tries) == 3
    monkeypatch.undo()
    with time_machine.travel(at, tick=False):
        assert box.deliver() == {"sent": 1, "retry": 0, "failed": 0}
    with time_machine.travel(at + datetime.timedelta(hours=3), tick=False):
        assert box.deliver() == {"sent": 0, "retry": 0, "failed": 0}
    message.refresh_from_db()
    assert (message.status, message.attempts, message.last_error) == ("sent", 4, "")
    assert message.sent_at is not None
    assert len(recording.sent) == 1


@BOTH
@pytest.mark.django_db
def test_gives_up_after_the_maximum_attempts_and_never_sends(box, recording, monkeypatch, settings, caplog):
    settings.ENCOMPASS_OUTBOX_MAX_ATTEMPTS = 3
    message = box.make()
    monkeypatch.setattr(outbox, "send_mail", lambda *a, **k: (_ for _ in ()).throw(OSError("refused")))
    now = timezone.now()
    results = [box.deliver(now=now + datetime.timedelta(hours=hour)) for hour in range(5)]
    assert results == [
        {"sent": 0, "retry": 1, "failed": 0},
        {"sent": 0, "retry": 1, "failed": 0},
        {"sent": 0, "retry": 0, "failed": 1},
        {"sent": 0, "retry": 0, "failed": 0},
        {"sent": 0, "retry": 0, "failed": 0},
    ]
    message.refresh_from_db()
    assert (message.status, message.attempts) == ("failed", 3)
    assert "OSError: refused" in message.last_error
    assert "Gave up sending" in caplog.text
    monkeypatch.undo()
    assert box.deliver(now=now + datetime.timedelta(days=1))["sent"] == 0
    assert recording.sent == []


def test_backoff_doubles_up_to_an_hour():
    assert [outbox.backoff(n) / datetime.timedelta(minutes=1) for n in (1, 2, 3, 4, 5, 6, 7, 30)] == [
        1,
        2,
        4,
        8,
        16,
        32,
        60,
        60,
    ]


@BOTH
@pytest.mark.django_db
def test_a_claimed_message_is_leased_not_sent_again_until_the_lease_ends(box, recording, settings):
    settings.ENCOMPASS_OUTBOX_LEASE_SECONDS = 120
    message = box.make()
    start = timezone.now()
    claimed = outbox.claim(box.model, now=start, lease=datetime.timedelta(seconds=120))  # then the worker dies
    assert claimed.pk == message.pk
    assert box.deliver(now=start + datetime.timedelta(seconds=119))["sent"] == 0
    assert box.deliver(now=start + datetime.timedelta(seconds=121))["sent"] == 1
    assert box.deliver(now=start + datetime.timedelta(hours=1))["sent"] == 0
    assert len(recording.sent) == 1


# --- GOV.UK Notify -------------------------------------------------------------------------------
@pytest.mark.django_db
def test_casework_mail_goes_through_notify_when_configured(fake_notify, settings, django_capture_on_commit_callbacks):
    w = world()
    referral = referral_for(w["team"], "Amelia")
    with django_capture_on_commit_callbacks(execute=True):
        casework.record_decision(
            user=w["manager"],
            kind=Decision.Kind.SINGLE_AGENCY,
            rationale="Needs at level 2.",
            referral=referral,
            lead_professional=w["lead"],
        )
    casework.deliver_due()
    message = CaseworkMessage.objects.get(kind="referral_outcome")
    assert message.status == "sent"
    assert mail.outbox == []  # not through Django's mail
    [request] = [r for r in fake_notify.received if r["body"]["reference"] == message.key]
    assert request["path"] == "/v2/notifications/email"
    assert request["auth"].startswith("Bearer ")
    body = request["body"]
    assert body["email_address"] == message.email == referral.referrer_email
    assert body["template_id"] == settings.ENCOMPASS_NOTIFY_TEMPLATE_ID
    assert body["personalisation"]["subject"] == message.subject
    assert body["personalisation"]["body"] == message.body
    assert referral.reference in body["personalisation"]["body"]
    assert "Amelia" not in json.dumps(body)


@pytest.mark.django_db
def test_a_casework_link_is_given_to_notify_as_the_link(fake_notify):
    message = CASEWORK.make(7)
    assert casework.deliver_due()["sent"] == 1
    [request] = fake_notify.received
    assert request["body"]["reference"] == message.key
    assert request["body"]["personalisation"]["link"] == "https://portal.example.org/cases/7/"


@BOTH
@pytest.mark.django_db
def test_notify_errors_are_retried_for_both_kinds(box, fake_notify):
    fake_notify.status = 500
    message = box.make()
    assert box.deliver() == {"sent": 0, "retry": 1, "failed": 0}
    message.refresh_from_db()
    assert "HTTPError" in message.last_error
    fake_notify.status = 201
    assert box.deliver(now=timezone.now() + datetime.timedelta(minutes=2))["sent"] == 1
    assert [r["body"]["reference"] for r in fake_notify.received] == [message.key, message.key]
    assert mail.outbox == []


@pytest.mark.django_db
def test_an_encompass_alert_is_written_at_send_time(recording, settings):
    message = ENCOMPASS.make(3)
    settings.BASE_URL = "https://moved.example.gov.uk"  # changed after the alert was queued
    assert services.deliver_due()["sent"] == 1
    [sent] = recording.sent
    assert sent["subject"] == services.SUBJECTS["new"]
    assert f"https://moved.example.gov.uk{message.link}" in sent["body"]
    assert sent["body"].endswith("This message does not contain any details. Do not reply to it.")


# --- Two workers ---------------------------------------------------------------------------------
def _worker(deliver, results, errors):
    try:
        results.append(deliver())
    except Exception as exc:  # reported by the test
        errors.append(exc)
    finally:
        connections.close_all()


@BOTH
@pytest.mark.django_db(transaction=True)
def test_two_workers_never_send_the_same_message(box, recording):
    if connection.vendor != "postgresql":
        pytest.skip("SKIP LOCKED between two connections needs PostgreSQL")
    made = [box.make(n) for n in range(12)]
    recording.barrier = threading.Barrier(2, timeout=20)  # both workers are sending at once
    results, errors = [], []
    workers = [
        threading.Thread(target=_worker, args=(box.deliver, results, errors), name=f"worker-{n}") for n in range(2)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
    assert errors == []
    assert sum(result["sent"] for result in results) == len(made)
    assert sum(result["retry"] + result["failed"] for result in results) == 0
    sent_to = [entry["to"][0] for entry in recording.sent]
    assert sorted(sent_to) == sorted(m.email for m in made)  # each exactly once
    assert {entry["worker"] for entry in recording.sent} == {"worker-0", "worker-1"}
    assert set(box.model.objects.values_list("status", flat=True)) == {"sent"}
    assert set(box.model.objects.values_list("attempts", flat=True)) == {1}
