"""Query parameters of the ORUK API, validated by pydantic (through django-ninja). Anything
malformed or out of range becomes a 400 naming the parameter (see ``views.invalid_parameter``)."""

from __future__ import annotations

import datetime
import uuid

from ninja import Field, Schema
from pydantic import field_validator

from django.utils import timezone
from django.utils.dateparse import parse_datetime

from directory.api.pagination import DEFAULT_PER_PAGE, MAX_PER_PAGE
from directory.selectors import ServiceFilters
from directory.validators import MAX_AGE, MIN_AGE, normalise_postcode

MAX_PROXIMITY_M = 200_000

_DAY_NAMES = {
    "monday": "MO",
    "tuesday": "TU",
    "wednesday": "WE",
    "thursday": "TH",
    "friday": "FR",
    "saturday": "SA",
    "sunday": "SU",
}


def _any_case(word: str) -> str:
    return "".join(f"[{letter.upper()}{letter.lower()}]" for letter in word)


# What the OpenAPI description promises is exactly what is accepted (pydantic applies the same
# patterns): a weekday code or English day name in any case, and a local time without a zone
# (opening hours are wall-clock times; an offset has no single meaning across the clock change).
DAY_PATTERN = "^ *(" + "|".join(_any_case(word) for word in (*_DAY_NAMES, *_DAY_NAMES.values())) + ")? *$"
LOCAL_TIME_PATTERN = r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?$"


def _local_time(value: str | None) -> datetime.time | None:
    return datetime.time.fromisoformat(value) if value else None


class InvalidParameter(Exception):
    """A query parameter that cannot be used; becomes a 400 naming it."""

    def __init__(self, parameter: str, message: str):
        self.parameter = parameter
        self.message = message
        super().__init__(f"{parameter}: {message}")


class PageQuery(Schema):
    page: int = Field(1, ge=1, description="Page number of paginated result, from 1.")
    per_page: int = Field(
        DEFAULT_PER_PAGE, ge=1, le=MAX_PER_PAGE, description=f"Results per page, 1 to {MAX_PER_PAGE}."
    )


class TaxonomyTermQuery(PageQuery):
    taxonomy_id: uuid.UUID | None = Field(None, description="Only terms of this taxonomy (an extension).")


class ServiceQuery(PageQuery):
    search: str = Field("", max_length=200, description="Full text search.")
    taxonomy_term_id: uuid.UUID | None = Field(None, description="Services with this taxonomy term.")
    taxonomy_id: uuid.UUID | None = Field(None, description="Services with any term of this taxonomy.")
    organization_id: uuid.UUID | None = Field(None, description="Services of this organisation.")
    minimum_age: float | None = Field(
        None, ge=MIN_AGE, le=MAX_AGE, description="Services whose minimum age is at least this."
    )
    maximum_age: float | None = Field(
        None, ge=MIN_AGE, le=MAX_AGE, description="Services whose maximum age is at most this."
    )
    day: str | None = Field(
        None, pattern=DAY_PATTERN, description="Services open on this day: MO to SU, or a day's English name."
    )
    start_time: str | None = Field(
        None, pattern=LOCAL_TIME_PATTERN, description="Services opening at or after this local time (HH:MM)."
    )
    end_time: str | None = Field(
        None, pattern=LOCAL_TIME_PATTERN, description="Services closing at or before this local time (HH:MM)."
    )
    modified_after: datetime.datetime | None = Field(
        None, description="Services changed at or after this ISO 8601 date and time (an extension)."
    )

    @field_validator("day")
    @classmethod
    def _day(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        code = value.strip().upper()
        return _DAY_NAMES.get(code.lower(), code)

    @field_validator("modified_after", mode="before")
    @classmethod
    def _iso_datetime(cls, value):
        # Only ISO 8601 text: pydantic would otherwise take a bare number as seconds since 1970.
        if value is None or isinstance(value, datetime.datetime):
            return value
        parsed = parse_datetime(value) if isinstance(value, str) else None
        if parsed is None:
            raise ValueError("give an ISO 8601 date and time, such as 2025-01-31T09:00:00Z")
        return parsed

    @field_validator("modified_after")
    @classmethod
    def _aware(cls, value: datetime.datetime | None) -> datetime.datetime | None:
        if value is None:
            return None
        try:
            if timezone.is_naive(value):
                value = timezone.make_aware(value)
            # Compared in UTC: PostgreSQL refuses UTC offsets beyond ±15:59 that ISO 8601 allows.
            return value.astimezone(datetime.UTC)
        except (OverflowError, ValueError):
            raise ValueError("is outside the range of dates that can be compared") from None

    def filters(self) -> ServiceFilters:
        return ServiceFilters(
            search=self.search.strip(),
            taxonomy_term_id=self.taxonomy_term_id,
            taxonomy_id=self.taxonomy_id,
            organisation_id=self.organization_id,
            minimum_age=self.minimum_age,
            maximum_age=self.maximum_age,
            day=self.day or "",
            start_time=_local_time(self.start_time),
            end_time=_local_time(self.end_time),
            modified_after=self.modified_after,
        )


class ServiceAtLocationQuery(ServiceQuery):
    postcode: str | None = Field(None, description="Results nearest this UK postcode first.")
    proximity: float | None = Field(
        None,
        gt=0,
        le=MAX_PROXIMITY_M,
        description="Only results within this many metres of the postcode (or of latitude and longitude).",
    )
    latitude: float | None = Field(None, ge=-90, le=90, description="Centre point instead of a postcode (extension).")
    longitude: float | None = Field(
        None, ge=-180, le=180, description="Centre point instead of a postcode (extension)."
    )

    @field_validator("postcode")
    @classmethod
    def _postcode(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        try:
            return normalise_postcode(value)
        except Exception:
            raise ValueError("not a valid UK postcode") from None

    def centre(self, resolve_postcode) -> tuple[float, float] | None:
        """The point to measure from, or None. Raises InvalidParameter for combinations
        that cannot be used."""
        if (self.latitude is None) != (self.longitude is None):
            missing = "longitude" if self.longitude is None else "latitude"
            raise InvalidParameter(missing, "give latitude and longitude together")
        if self.postcode:
            point = resolve_postcode(self.postcode)
            if point is None:
                raise InvalidParameter("postcode", "postcode not recognised")
            return point
        if self.latitude is not None:
            return (self.latitude, self.longitude)
        if self.proximity is not None:
            raise InvalidParameter("proximity", "proximity needs a postcode (or latitude and longitude)")
        return None
