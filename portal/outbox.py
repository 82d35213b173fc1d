"""The one outbox for every email the portal sends: Operation Encompass alerts
(``portal.encompass.models.OutboxMessage``) and casework messages
(``eh_assessments.models_casework.CaseworkMessage``).

A message is a row saved in the same transaction as the change it tells someone about, so
the two are saved together or not at all. ``deliver_due`` sends the rows that are due:

* each message is *claimed* in its own short transaction (``SELECT … FOR UPDATE SKIP
  LOCKED`` on PostgreSQL, so several workers never take the same one): the attempt is
  counted and the message is *leased* by moving its next attempt past the lease;
* it is then sent with **no transaction open**, so a slow or stalled mail server never holds a
  database lock (on SQLite that lock would stop police intake);
* the outcome is recorded: sent; or retried after 1, 2, 4 … 60 minutes; or given up after the
  maximum number of attempts. A worker killed in the middle of a send leaves the message
  pending: it is sent, once, when the lease runs out.

``send_email`` sends through GOV.UK Notify when ``NOTIFY_API_KEY`` is set (one template,
``ENCOMPASS_NOTIFY_TEMPLATE_ID``, with ``((subject))`` and ``((body))``; ``((link))`` is given
too), else through Django's mail backend."""

from __future__ import annotations

import datetime
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from django.conf import settings
from django.core.mail import send_mail
from django.db import models, transaction
from django.utils import timezone

logger = logging.getLogger(__name__)

MAX_BACKOFF_MINUTES = 60


class OutboxBase(models.Model):
    """The fields every outbox shares. ``key`` makes each message unique, so a retry or a
    rerun never sends it twice. Each concrete outbox adds what it needs to build its text and
    names its own ``(status, next_attempt_at)`` index."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting to send"
        SENT = "sent", "Sent"
        FAILED = "failed", "Gave up"

    key = models.CharField(max_length=200, unique=True)
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    email = models.EmailField()
    kind = models.CharField(max_length=40)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    last_error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.key


Message = TypeVar("Message", bound=OutboxBase)


@dataclass(frozen=True)
class Email:
    """What is sent: built at send time from the message, never stored elsewhere."""

    subject: str
    body: str
    link: str = ""


_URL = re.compile(r"https?://\S+")


def first_link(text: str) -> str:
    """The first web address in ``text`` (for Notify's ``((link))``), or ''."""
    found = _URL.search(text)
    return found.group(0) if found else ""


def backoff(attempts: int) -> datetime.timedelta:
    """1, 2, 4, 8 … minutes between attempts, at most an hour."""
    return datetime.timedelta(minutes=min(2 ** max(attempts - 1, 0), MAX_BACKOFF_MINUTES))


def send_email(*, to: str, subject: str, body: str, link: str = "", reference: str = "") -> None:
    """Send one email: through GOV.UK Notify when ``NOTIFY_API_KEY`` is set (the template
    ``ENCOMPASS_NOTIFY_TEMPLATE_ID`` with ``subject``, ``body`` and ``link``, and the outbox
    key as Notify's ``reference``), else through Django's mail backend. Raises on failure."""
    api_key = str(settings.NOTIFY_API_KEY)
    if api_key:
        from notifications_python_client.notifications import NotificationsAPIClient

        client = NotificationsAPIClient(api_key, base_url=str(settings.NOTIFY_BASE_URL))
        client.send_email_notification(
            email_address=to,
            template_id=str(settings.ENCOMPASS_NOTIFY_TEMPLATE_ID),
            personalisation={"subject": subject, "body": body, "link": link},
            reference=reference,
        )
    else:
        send_mail(subject, body, None, [to])


def send_message(message: OutboxBase, render: Callable[[OutboxBase], Email]) -> None:
    """Render ``message`` and send it to its address, with its key as the reference."""
    email = render(message)
    send_email(to=message.email, subject=email.subject, body=email.body, link=email.link, reference=message.key)


def claim(model: type[Message], *, now: datetime.datetime, lease: datetime.timedelta) -> Message | None:
    """Take the next due message of ``model`` in a short transaction of its own: count the
    attempt and lease it until ``now + lease``. None when nothing is due."""
    with transaction.atomic():
        message = (
            model.objects.select_for_update(skip_locked=True)
            .filter(status=OutboxBase.Status.PENDING, next_attempt_at__lte=now)
            .order_by("next_attempt_at", "pk")
            .first()
        )
        if message is None:
            return None
        message.attempts += 1
        message.next_attempt_at = now + lease
        message.save(update_fields=["attempts", "next_attempt_at"])
    return message


def deliver_due(
    model: type[Message],
    render: Callable[[Message], Email],
    *,
    now: datetime.datetime | None = None,
    limit: int = 200,
    lease: datetime.timedelta,
    max_attempts: int,
    send: Callable[[Message], None] | None = None,
) -> dict[str, int]:
    """Send up to ``limit`` due messages of ``model`` (see the module docstring), each built
    by ``render`` at send time, and return how many were sent, will be retried, and were
    given up. ``send(message)``, when given, replaces the default send (an app's own
    ``_send``, which its tests watch); it is called with no transaction of this function's
    open."""
    now = now or timezone.now()
    send = send or (lambda message: send_message(message, render))
    counts = {"sent": 0, "retry": 0, "failed": 0}
    for _ in range(limit):
        message = claim(model, now=now, lease=lease)
        if message is None:
            break
        try:
            send(message)
        except Exception as exc:  # any failure of the mail server or Notify: retry later
            error = f"{type(exc).__name__}: {exc}"[:500]
            if message.attempts >= max_attempts:
                model.objects.filter(pk=message.pk).update(status=OutboxBase.Status.FAILED, last_error=error)
                counts["failed"] += 1
                logger.error(
                    "Gave up sending %s %s after %s attempts", model._meta.verbose_name, message.pk, message.attempts
                )
            else:
                model.objects.filter(pk=message.pk).update(
                    next_attempt_at=now + backoff(message.attempts), last_error=error
                )
                counts["retry"] += 1
        else:
            model.objects.filter(pk=message.pk).update(
                status=OutboxBase.Status.SENT, sent_at=timezone.now(), last_error=""
            )
            counts["sent"] += 1
    return counts
