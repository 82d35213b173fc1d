"""The directory's settings, with their defaults. Read through these helpers so a council
that has not set them gets the documented behaviour."""

from django.conf import settings


def verification_grace_days() -> int:
    """Days after a service's review falls due before it is hidden from families and the API."""
    return int(getattr(settings, "DIRECTORY_VERIFICATION_GRACE_DAYS", 28))


def assurer_email() -> str:
    """The address published as ORUK ``assurer_email`` (the directory team's mailbox). Never a
    member of staff's own address; blank leaves the property out."""
    return getattr(settings, "DIRECTORY_ASSURER_EMAIL", "")


def import_timeout_seconds() -> int:
    return int(getattr(settings, "DIRECTORY_IMPORT_TIMEOUT", 30))


def verification_escalate_weeks() -> int:
    """Weeks a "still correct?" request may go unanswered before the directory team is told."""
    return int(getattr(settings, "DIRECTORY_VERIFICATION_ESCALATE_WEEKS", 2))


def verification_link_max_age_days() -> int:
    """Days a "still correct" link works after it is sent."""
    return int(getattr(settings, "DIRECTORY_VERIFICATION_LINK_MAX_AGE_DAYS", 28))


def problem_reports_per_hour() -> int:
    """Problem reports accepted from one IP address per hour."""
    return int(getattr(settings, "DIRECTORY_PROBLEM_REPORTS_PER_HOUR", 5))


def base_url() -> str:
    return getattr(settings, "BASE_URL", "http://127.0.0.1:8000").rstrip("/")
