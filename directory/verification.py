"""Keeping listings verified: the daily job and the signed "still correct" links.

``run_verification()`` (``manage.py directory_verification``, or the
``directory.tasks.run_directory_verification`` task) does, for the live services:

1. every service whose review is due (``selectors.services_needing_review``) and has had no
   request for this review date gets one :class:`VerificationRequest` and one email to each
   owner (its organisation's editors; if none, the directory team), each with their own
   signed, expiring link;
2. every request unanswered for ``DIRECTORY_VERIFICATION_ESCALATE_WEEKS`` is escalated once
   by email to the directory team;
3. nothing else: hiding an unverified service from families and the API is the one rule in
   ``selectors.verified_q`` (review date + grace period), so it needs no job, and a service
   reappears the moment it is verified.

Re-running the job on the same day, or every hour, sends nothing twice.
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import asdict, dataclass, field

from django.core import signing
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from directory import conf, notifications
from directory.editorial import is_directory_manager
from directory.models import ServicePage, VerificationRequest
from directory.selectors import services_needing_review

logger = logging.getLogger(__name__)

TOKEN_SALT = "directory.verification.still-correct"  # noqa: S105 (a signing salt, not a secret)


@dataclass
class VerificationRun:
    reminders: int = 0
    emails: int = 0
    escalations: int = 0
    closed: int = 0
    services: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return asdict(self)


# --- Links ----------------------------------------------------------------------------


def make_token(request: VerificationRequest, user) -> str:
    return signing.dumps({"r": request.pk, "n": request.nonce, "u": user.pk}, salt=TOKEN_SALT, compress=True)


def confirm_url(request: VerificationRequest, user) -> str:
    return conf.base_url() + reverse("directory_verification:confirm", args=[make_token(request, user)])


class LinkExpired(Exception):
    pass


class LinkInvalid(Exception):
    pass


@dataclass
class LinkTarget:
    request: VerificationRequest
    user: object

    @property
    def service(self) -> ServicePage:
        return self.request.service


def read_token(token: str) -> LinkTarget:
    """The request and the user a link was sent to. Raises LinkExpired for a genuine but
    old link, LinkInvalid for anything else (tampered, unknown, an owner who has since lost
    access). A completed request is returned: the caller says it was already confirmed."""
    from django.contrib.auth import get_user_model

    max_age = datetime.timedelta(days=conf.verification_link_max_age_days())
    try:
        data = signing.loads(token, salt=TOKEN_SALT, max_age=max_age)
    except signing.SignatureExpired:
        raise LinkExpired from None
    except signing.BadSignature:
        raise LinkInvalid from None
    if not isinstance(data, dict):
        raise LinkInvalid
    request = (
        VerificationRequest.objects.select_related("service", "service__organisation")
        .filter(pk=data.get("r"), nonce=data.get("n"))
        .first()
    )
    user = get_user_model().objects.filter(pk=data.get("u"), is_active=True).first()
    if request is None or user is None or not may_verify(user, request.service):
        raise LinkInvalid
    return LinkTarget(request=request, user=user)


def may_verify(user, page: ServicePage) -> bool:
    """Owners of the service and the directory team may confirm it."""
    if is_directory_manager(user):
        return True
    return page.organisation_id is not None and page.organisation.editors.filter(pk=user.pk).exists()


# --- The job ----------------------------------------------------------------------------


def run_verification(today: datetime.date | None = None) -> VerificationRun:
    today = today or timezone.localdate()
    run = VerificationRun()
    for page in services_needing_review(today).select_related("organisation"):
        if VerificationRequest.objects.filter(service=page, due_on=page.review_due_on).exists():
            continue
        if (
            page.review_due_on is None
            and VerificationRequest.objects.filter(service=page, completed_at__isnull=True).exists()
        ):
            continue
        try:
            with transaction.atomic():
                request = VerificationRequest.objects.create(service=page, due_on=page.review_due_on)
        except IntegrityError:  # another run got there first
            continue
        run.reminders += 1
        run.services.append(page.title)
        run.emails += send_reminder(request)
    run.escalations, run.closed = escalate_overdue(today)
    logger.info("Directory verification: %s", run.as_dict())
    return run


def send_reminder(request: VerificationRequest) -> int:
    page = request.service
    recipients = list(notifications.owners_of(page)) or list(notifications.directory_team())
    sent = 0
    for user in recipients:
        if not user.email:
            continue
        sent += notifications.send(
            "verification_reminder",
            f"Is the listing for {page.title} still correct?",
            [user.email],
            {
                "service_name": page.title,
                "link": confirm_url(request, user),
                "due_on": request.due_on,
                "link_days": conf.verification_link_max_age_days(),
                "edit_link": notifications.admin_url("wagtailadmin_pages:edit", page.pk),
            },
        )
    return sent


def escalate_overdue(today: datetime.date) -> tuple[int, int]:
    """Escalate each request unanswered for the configured weeks, once. A request whose
    service has since been verified some other way (an import, an edit of the assured date)
    is closed instead."""
    now = timezone.now()
    cutoff = now - datetime.timedelta(weeks=conf.verification_escalate_weeks())
    escalated = closed = 0
    waiting = VerificationRequest.objects.filter(
        completed_at__isnull=True, escalated_at__isnull=True, sent_at__lte=cutoff
    ).select_related("service")
    for request in waiting:
        page = request.service
        if not page.live or (page.review_due_on is not None and page.review_due_on > today):
            VerificationRequest.objects.filter(pk=request.pk).update(completed_at=now)
            closed += 1
            continue
        updated = VerificationRequest.objects.filter(pk=request.pk, escalated_at__isnull=True).update(escalated_at=now)
        if not updated:
            continue
        escalated += 1
        notifications.send(
            "verification_escalation",
            f"Listing not confirmed: {page.title}",
            notifications.team_addresses(),
            {
                "service_name": page.title,
                "sent_on": timezone.localtime(request.sent_at).date(),
                "weeks": conf.verification_escalate_weeks(),
                "hidden_from": hidden_from(page),
                "report_link": notifications.admin_url("directory_services_due_for_review"),
            },
        )
    return escalated, closed


def hidden_from(page: ServicePage) -> datetime.date | None:
    """The first day the service is hidden from families if nobody verifies it."""
    if page.review_due_on is None:
        return None
    return page.review_due_on + datetime.timedelta(days=conf.verification_grace_days() + 1)
