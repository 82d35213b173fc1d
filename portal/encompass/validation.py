"""Rules a notification must meet beyond field types, shared by the API, the police web form
and the CSV import. Each problem names its field."""

from __future__ import annotations

import datetime

from django.utils import timezone

CLOCK_SKEW = datetime.timedelta(minutes=5)


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
    seen = set()
    for index, child in enumerate(data["children"]):
        dob = child["date_of_birth"]
        if dob > incident_at.date():
            errors.append((f"children[{index}].date_of_birth", "must not be after the incident"))
        elif dob < incident_at.date().replace(year=incident_at.year - 25):
            errors.append((f"children[{index}].date_of_birth", "must be a child's or young person's date of birth"))
        identity = (child["given_name"].strip().casefold(), child["family_name"].strip().casefold(), dob)
        if identity in seen:
            errors.append((f"children[{index}]", "the same child is listed twice"))
        seen.add(identity)
    return errors
