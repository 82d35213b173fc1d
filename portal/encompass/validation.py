"""Rules a notification must meet beyond field types, shared by the API, the police web form
and the CSV import. Each problem names its field."""

from __future__ import annotations

import datetime

from django.utils import timezone

CLOCK_SKEW = datetime.timedelta(minutes=5)
MAX_AGE_YEARS = 25
# No notification can be about an incident before Operation Encompass existed; the bound also
# keeps deadline arithmetic far from the calendar's limits.
EARLIEST = datetime.datetime(2011, 1, 1, tzinfo=datetime.UTC)


def _years_before(day: datetime.date, years: int) -> datetime.date:
    """The same day ``years`` earlier; 29 February becomes 28 February in a common year."""
    year = max(day.year - years, datetime.MINYEAR)
    try:
        return day.replace(year=year)
    except ValueError:
        return day.replace(year=year, day=28)


def _text_errors(data: dict, prefix: str = "") -> list[tuple[str, str]]:
    """NUL characters are refused in every text field (PostgreSQL cannot store them)."""
    errors = []
    for key, value in data.items():
        name = f"{prefix}{key}"
        if isinstance(value, str) and "\x00" in value:
            errors.append((name, "must not contain NUL characters"))
        elif isinstance(value, list):
            for index, item in enumerate(value):
                if isinstance(item, dict):
                    errors.extend(_text_errors(item, f"{name}[{index}]."))
    return errors


def rule_errors(data: dict, *, now: datetime.datetime | None = None) -> list[tuple[str, str]]:
    now = now or timezone.now()
    errors: list[tuple[str, str]] = []
    incident_at, reported_at = data["incident_at"], data["reported_at"]
    if incident_at > now + CLOCK_SKEW:
        errors.append(("incident_at", "must not be in the future"))
    if reported_at > now + CLOCK_SKEW:
        errors.append(("reported_at", "must not be in the future"))
    if reported_at < incident_at:
        errors.append(("reported_at", "must not be before incident_at"))
    if incident_at < EARLIEST:
        errors.append(("incident_at", f"must be after {EARLIEST:%-d %B %Y}"))
    errors.extend(_text_errors(data))
    seen = set()
    for index, child in enumerate(data["children"]):
        dob = child["date_of_birth"]
        if dob > incident_at.date():
            errors.append((f"children[{index}].date_of_birth", "must not be after the incident"))
        elif dob < _years_before(incident_at.date(), MAX_AGE_YEARS):
            errors.append((f"children[{index}].date_of_birth", "must be a child's or young person's date of birth"))
        identity = (child["given_name"].strip().casefold(), child["family_name"].strip().casefold(), dob)
        if identity in seen:
            errors.append((f"children[{index}]", "the same child is listed twice"))
        seen.add(identity)
    return errors
