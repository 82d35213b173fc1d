"""Query parameters of the ORUK API, validated by pydantic (through django-ninja). Anything
malformed or out of range becomes a 400 naming the parameter (see ``views.invalid_parameter``)."""

from __future__ import annotations

import datetime
import uuid

from ninja import Field, Schema
from pydantic import field_validator

from django.utils import timezone

from directory.api.pagination import DEFAULT_PER_PAGE, MAX_PER_PAGE
from directory.selectors import ServiceFilters
from directory.validators import MAX_AGE, MIN_AGE, WEEKDAY_CODES, normalise_postcode

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
    day: str | None = Field(None, description="Services open on this day: MO to SU, or a day's English name.")
    start_time: datetime.time | None = Field(None, description="Services opening at or after this time (HH:MM).")
    end_time: datetime.time | None = Field(None, description="Services closing at or before this time (HH:MM).")
    modified_after: datetime.datetime | None = Field(
        None, description="Services changed at or after this ISO 8601 date and time (an extension)."
    )

    @field_validator("day")
    @classmethod
    def _day(cls, value: str | None) -> str | None:
        if value is None or value == "":
            return None
        code = value.strip().upper()
        code = _DAY_NAMES.get(code.lower(), code)
        if code not in WEEKDAY_CODES:
            raise ValueError("use MO, TU, WE, TH, FR, SA or SU (or the day's name)")
        return code

    @field_validator("modified_after")
    @classmethod
    def _aware(cls, value: datetime.datetime | None) -> datetime.datetime | None:
        if value is not None and timezone.is_naive(value):
            return timezone.make_aware(value)
        return value

    def filters(self) -> ServiceFilters:
        return ServiceFilters(
            search=self.search.strip(),
            taxonomy_term_id=self.taxonomy_term_id,
            taxonomy_id=self.taxonomy_id,
            organisation_id=self.organization_id,
            minimum_age=self.minimum_age,
            maximum_age=self.maximum_age,
            day=self.day or "",
            start_time=self.start_time,
            end_time=self.end_time,
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
