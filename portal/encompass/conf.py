"""Operation Encompass settings, with their defaults (README.md lists them)."""

from __future__ import annotations

import datetime

from django.conf import settings


def la_code() -> str:
    """The local authority this portal serves (its DfE LA code, e.g. '394'): its calendar is
    used for the triage queue and for schools without a calendar of their own."""
    return str(getattr(settings, "ENCOMPASS_LA_CODE", ""))


def default_day_start() -> datetime.time:
    return datetime.time(8, 30)


def school_day_end() -> datetime.time:
    value = getattr(settings, "ENCOMPASS_SCHOOL_DAY_END", "15:30")
    return value if isinstance(value, datetime.time) else datetime.time.fromisoformat(str(value))


def escalate_after_minutes() -> int:
    return int(getattr(settings, "ENCOMPASS_ESCALATE_AFTER_MINUTES", 30))


def escalate_every_minutes() -> int:
    return int(getattr(settings, "ENCOMPASS_ESCALATE_EVERY_MINUTES", 60))


def max_body_bytes() -> int:
    return int(getattr(settings, "ENCOMPASS_MAX_BODY_BYTES", 262_144))


def outbox_max_attempts() -> int:
    return int(getattr(settings, "ENCOMPASS_OUTBOX_MAX_ATTEMPTS", 8))


def notify_template_id() -> str:
    return str(getattr(settings, "ENCOMPASS_NOTIFY_TEMPLATE_ID", ""))


def notify_api_key() -> str:
    return str(getattr(settings, "NOTIFY_API_KEY", ""))


def notify_base_url() -> str:
    return str(getattr(settings, "NOTIFY_BASE_URL", "https://api.notifications.service.gov.uk"))


def retention_days() -> int:
    return int(getattr(settings, "RETENTION_ENCOMPASS_DAYS", 365))


def base_url() -> str:
    return str(getattr(settings, "BASE_URL", "http://127.0.0.1:8000")).rstrip("/")
