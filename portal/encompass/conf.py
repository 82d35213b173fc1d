"""Operation Encompass settings. Their defaults live in one place: portal/settings/base.py
(README.md lists them)."""

from __future__ import annotations

import datetime

from django.conf import settings


def la_code() -> str:
    """The local authority this portal serves (its DfE LA code, e.g. '394'): its calendar is
    used for the triage queue and for schools without a calendar of their own."""
    return str(settings.ENCOMPASS_LA_CODE)


def default_day_start() -> datetime.time:
    return datetime.time(8, 30)


def school_day_end() -> datetime.time:
    value = settings.ENCOMPASS_SCHOOL_DAY_END
    return value if isinstance(value, datetime.time) else datetime.time.fromisoformat(str(value))


def escalate_after_minutes() -> int:
    return int(settings.ENCOMPASS_ESCALATE_AFTER_MINUTES)


def escalate_every_minutes() -> int:
    return int(settings.ENCOMPASS_ESCALATE_EVERY_MINUTES)


def max_body_bytes() -> int:
    return int(settings.ENCOMPASS_MAX_BODY_BYTES)


def outbox_max_attempts() -> int:
    return int(settings.ENCOMPASS_OUTBOX_MAX_ATTEMPTS)


def outbox_lease() -> datetime.timedelta:
    """How long a claimed alert is held for its sender: a send not recorded by then (the
    worker died) is tried again. Longer than any send can take (EMAIL_TIMEOUT per step)."""
    return datetime.timedelta(seconds=settings.ENCOMPASS_OUTBOX_LEASE_SECONDS)


def retention_days() -> int:
    return int(settings.RETENTION_ENCOMPASS_DAYS)


def base_url() -> str:
    return str(settings.BASE_URL).rstrip("/")
