"""The ``load_demo`` step for editorial and verification (after ``directory.demo.load``):
the approval workflow and page permissions, a few of the provider editor's services due or
overdue for review (one already escalated) and an open problem report, so the admin's
"Services due for review" and "Reported problems" have something to show. Idempotent:
running it again puts the same services back in the same state, relative to today."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from directory import services
from directory.models import ProblemReport, ServicePage, VerificationRequest, add_months

PROVIDER_EDITOR = "provider.editor@example.org"


def _set_due(page: ServicePage, days_overdue: int) -> datetime.date:
    due = timezone.localdate() - datetime.timedelta(days=days_overdue)
    # The assured date that makes the review fall due on ``due`` (review interval earlier).
    assured = add_months(due, -page.review_interval_months)
    ServicePage.objects.filter(pk=page.pk).update(
        assured_date=assured, review_due_on=add_months(assured, page.review_interval_months)
    )
    return ServicePage.objects.get(pk=page.pk).review_due_on


@transaction.atomic
def load() -> str:
    services.ensure_editorial_setup()
    theirs = list(
        ServicePage.objects.live().filter(organisation__editors__email__iexact=PROVIDER_EDITOR).order_by("title")[:3]
    )
    if len(theirs) < 3:
        return "Editorial set-up done (no provider editor services to make due for review)"
    now = timezone.now()
    due_soon, escalated, hidden = theirs
    _set_due(due_soon, 3)
    due = _set_due(escalated, 20)
    VerificationRequest.objects.filter(service__in=theirs).delete()
    VerificationRequest.objects.create(
        service=escalated,
        due_on=due,
        sent_at=now - datetime.timedelta(days=19),
        escalated_at=now - datetime.timedelta(days=5),
    )
    due = _set_due(hidden, 40)
    VerificationRequest.objects.create(
        service=hidden,
        due_on=due,
        sent_at=now - datetime.timedelta(days=39),
        escalated_at=now - datetime.timedelta(days=25),
    )
    ProblemReport.objects.get_or_create(
        service=due_soon,
        kind=ProblemReport.Kind.OUT_OF_DATE,
        details="The Tuesday session has moved to the library on the high street.",
        defaults={"reporter_email": "a.parent@example.net"},
    )
    return f"Review due: {due_soon.title}; escalated: {escalated.title}; hidden until checked: {hidden.title}; 1 problem report"
