"""Validators and normalisers shared by the models, the ORUK importer and the CSV importer,
so a value is judged the same way wherever it comes from."""

from __future__ import annotations

import re
import zoneinfo

from django.core.exceptions import ValidationError

from directory.languages import LANGUAGE_NAMES

MIN_AGE = 0
MAX_AGE = 120

# The UK postcode format (outward code, space, inward code), plus the Girobank oddity.
_POSTCODE_RE = re.compile(
    r"^(GIR0AA|[A-PR-UWYZ]([0-9]{1,2}|[A-HK-Y][0-9][A-Z0-9]?|[0-9][A-HJKPSTUW])[0-9][ABD-HJLNP-UW-Z]{2})$"
)

# RFC 5545 BYDAY values as ORUK uses them: MO, 1MO, -1FR, comma separated.
WEEKDAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_BYDAY_ITEM_RE = re.compile(r"^([+-]?[1-5])?(MO|TU|WE|TH|FR|SA|SU)$")

_PHONE_RE = re.compile(r"^\+?[0-9 ()\-]{3,30}$")


def normalise_postcode(value: str) -> str:
    """Return ``value`` as an upper-case UK postcode with one space before the inward code.

    Raises ValidationError if it is not a UK postcode."""
    compact = re.sub(r"\s+", "", value or "").upper()
    if not _POSTCODE_RE.match(compact):
        raise ValidationError("Enter a real UK postcode, like SR1 3AA.", code="invalid_postcode")
    return f"{compact[:-3]} {compact[-3:]}"


def validate_postcode(value: str) -> None:
    if value:
        normalise_postcode(value)


def validate_latitude(value: float | None) -> None:
    if value is not None and not -90 <= value <= 90:
        raise ValidationError("Latitude must be between -90 and 90.", code="invalid_latitude")


def validate_longitude(value: float | None) -> None:
    if value is not None and not -180 <= value <= 180:
        raise ValidationError("Longitude must be between -180 and 180.", code="invalid_longitude")


def validate_age(value) -> None:
    if value is not None and not MIN_AGE <= value <= MAX_AGE:
        raise ValidationError(f"Age must be between {MIN_AGE} and {MAX_AGE}.", code="invalid_age")


def validate_age_range(minimum, maximum) -> None:
    """Raise a ValidationError keyed by field if the range is impossible."""
    if minimum is not None and maximum is not None and minimum > maximum:
        raise ValidationError({"minimum_age": "The minimum age must not be above the maximum age."}, code="age_range")


def validate_language_codes(value) -> None:
    if not isinstance(value, list):
        raise ValidationError("Languages must be a list of ISO 639 codes.", code="invalid_languages")
    unknown = [code for code in value if not isinstance(code, str) or code not in LANGUAGE_NAMES]
    if unknown:
        raise ValidationError(
            "Not ISO 639 language codes this directory knows: %(codes)s.",
            params={"codes": ", ".join(str(c) for c in unknown)},
            code="invalid_language",
        )
    if len(set(value)) != len(value):
        raise ValidationError("Each language must be listed once.", code="duplicate_language")


def normalise_language_code(value: str) -> str:
    code = (value or "").strip().lower()
    if code not in LANGUAGE_NAMES:
        raise ValidationError(f"'{value}' is not an ISO 639 language code.", code="invalid_language")
    return code


def validate_byday(value: str) -> None:
    if not value:
        return
    bad = [item for item in value.split(",") if not _BYDAY_ITEM_RE.match(item.strip().upper())]
    if bad:
        raise ValidationError(
            "Use two-letter day codes separated by commas, like MO,WE or 1MO for the first Monday.",
            code="invalid_byday",
        )


def normalise_byday(value: str) -> str:
    return ",".join(item.strip().upper() for item in (value or "").split(",") if item.strip())


def validate_bymonthday(value: str) -> None:
    if not value:
        return
    for item in value.split(","):
        try:
            day = int(item.strip())
        except ValueError:
            day = 0
        if not (1 <= day <= 31 or -31 <= day <= -1):
            raise ValidationError(
                "Use days of the month separated by commas, like 1,15 or -1 for the last day.",
                code="invalid_bymonthday",
            )


def validate_timezone(value: str) -> None:
    if value and value not in zoneinfo.available_timezones():
        raise ValidationError("Use a time zone name such as Europe/London.", code="invalid_timezone")


def validate_phone_number(value: str) -> None:
    if value and not _PHONE_RE.match(value.strip()):
        raise ValidationError("Enter a phone number, like 0191 520 5555.", code="invalid_phone")
