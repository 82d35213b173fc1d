"""Retention of the search log: rows older than RETENTION_SEARCH_LOG_DAYS are deleted by
``purge_expired`` (the count is audited)."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.utils import timezone

from portal.audit.models import AuditEvent
from portal.audit.services import record

from .models import SearchLog


def purge_expired(*, now: datetime.datetime | None = None, dry_run: bool = False) -> list[tuple[str, int]]:
    days = settings.RETENTION_SEARCH_LOG_DAYS
    cutoff = (now or timezone.now()) - datetime.timedelta(days=days)
    expired = SearchLog.objects.filter(created__lt=cutoff)
    if dry_run:
        count = expired.count()
    else:
        count, _ = expired.delete()
        if count:
            record(
                None,
                AuditEvent.Action.PURGE,
                object_type=SearchLog._meta.label_lower,
                detail={"deleted": count, "before": cutoff.isoformat()},
            )
    return [(f"search log rows older than {days} days", count)]
