"""Reading the audit log. Only administrators (``audit.view_auditevent``) reach these
through the views; the filters are the ones an investigator asks: who, what, when."""

from __future__ import annotations

import datetime

from django.apps import apps
from django.db.models import QuerySet
from django.utils import timezone

from .models import AuditEvent


def _start_of_day(day: datetime.date) -> datetime.datetime:
    """Midnight at the start of ``day`` in the portal's time zone (Europe/London)."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def audit_events(
    *,
    user_email: str = "",
    object_type: str = "",
    object_id: str = "",
    action: str = "",
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
) -> QuerySet[AuditEvent]:
    """Events matching every filter given, newest first. Dates are whole days in the
    portal's time zone, both ends included; they filter on ``at`` as a range so the index
    is used."""
    events = AuditEvent.objects.all()
    if user_email:
        events = events.filter(user_email__icontains=user_email.strip())
    if object_type:
        events = events.filter(object_type=object_type)
    if object_id:
        events = events.filter(object_id=object_id.strip())
    if action:
        events = events.filter(action=action)
    if date_from:
        events = events.filter(at__gte=_start_of_day(date_from))
    if date_to:
        events = events.filter(at__lt=_start_of_day(date_to + datetime.timedelta(days=1)))
    return events.order_by("-at", "-id")


def object_types_present() -> list[tuple[str, str]]:
    """(label, readable name) for each object type in the log, for the filter's select."""
    labels = (
        AuditEvent.objects.exclude(object_type="")
        .order_by("object_type")
        .values_list("object_type", flat=True)
        .distinct()
    )
    return [(label, _readable(label)) for label in labels]


def _readable(label: str) -> str:
    try:
        model = apps.get_model(label)
    except (LookupError, ValueError):
        return label
    return f"{str(model._meta.verbose_name).capitalize()} ({label})"
