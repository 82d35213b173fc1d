"""The directory's settings, read through these helpers. Their defaults live in one place:
portal/settings/base.py (documented in README.md)."""

from django.conf import settings


def verification_grace_days() -> int:
    """Days after a service's review falls due before it is hidden from families and the API."""
    return int(settings.DIRECTORY_VERIFICATION_GRACE_DAYS)


def assurer_email() -> str:
    """The address published as ORUK ``assurer_email`` (the directory team's mailbox). Never a
    member of staff's own address; blank leaves the property out."""
    return settings.DIRECTORY_ASSURER_EMAIL


def import_timeout_seconds() -> int:
    return int(settings.DIRECTORY_IMPORT_TIMEOUT)


def verification_escalate_weeks() -> int:
    """Weeks a "still correct?" request may go unanswered before the directory team is told."""
    return int(settings.DIRECTORY_VERIFICATION_ESCALATE_WEEKS)


def verification_link_max_age_days() -> int:
    """Days a "still correct" link works after it is sent."""
    return int(settings.DIRECTORY_VERIFICATION_LINK_MAX_AGE_DAYS)


def problem_reports_per_hour() -> int:
    """Problem reports accepted from one IP address per hour."""
    return int(settings.DIRECTORY_PROBLEM_REPORTS_PER_HOUR)


def base_url() -> str:
    return settings.BASE_URL.rstrip("/")
