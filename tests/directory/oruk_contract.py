"""The Open Referral UK v3 response shapes, written for these tests from the UK profile's
compiled schemas (service.json, service_list.json, service_at_location.json,
service_at_location_list.json, taxonomy.json, taxonomy_term.json) and the openapi Page
component. Independent of the API's own code, so a change that breaks the standard fails here.

What is checked: required properties, JSON types (strings are strings, numbers are numbers,
never null where the standard types a value), formats (uuid, email, uri, date, time,
date-time), enums, nesting, and the pagination envelope. Extra properties are allowed, as the
profile permits local extensions.

Use ``validate(kind, data)``: it raises pydantic.ValidationError naming the bad property.
"""

from __future__ import annotations

import datetime
import re
import uuid
from typing import Annotated, Any, Literal
from urllib.parse import urlparse

from pydantic import AfterValidator, BaseModel, ConfigDict, StrictBool, StrictFloat, StrictInt, StrictStr


def _uuid(value: str) -> str:
    uuid.UUID(value)
    if not re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", value.lower()):
        raise ValueError("not a canonical UUID")
    return value


def _email(value: str) -> str:
    if not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", value):
        raise ValueError("not an email address")
    return value


def _uri(value: str) -> str:
    parts = urlparse(value)
    if not parts.scheme or not (parts.netloc or parts.path):
        raise ValueError("not a URI")
    return value


def _date(value: str) -> str:
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        raise ValueError("not a date (YYYY-MM-DD)")
    datetime.date.fromisoformat(value)
    return value


def _time(value: str) -> str:
    if not re.fullmatch(r"\d{2}:\d{2}(:\d{2})?", value):
        raise ValueError("not a time (HH:MM[:SS])")
    datetime.time.fromisoformat(value)
    return value


def _datetime(value: str) -> str:
    moment = datetime.datetime.fromisoformat(value)
    if moment.tzinfo is None:
        raise ValueError("a date-time needs a time zone")
    return value


UUIDStr = Annotated[StrictStr, AfterValidator(_uuid)]
Email = Annotated[StrictStr, AfterValidator(_email)]
Uri = Annotated[StrictStr, AfterValidator(_uri)]
DateStr = Annotated[StrictStr, AfterValidator(_date)]
TimeStr = Annotated[StrictStr, AfterValidator(_time)]
DateTimeStr = Annotated[StrictStr, AfterValidator(_datetime)]
Number = StrictInt | StrictFloat
LocationType = Literal["physical", "postal", "virtual"]


class _Obj(BaseModel):
    model_config = ConfigDict(extra="allow")


class TaxonomyTerm(_Obj):
    id: UUIDStr
    name: StrictStr
    description: StrictStr
    parent_id: UUIDStr = None
    taxonomy: StrictStr = None
    taxonomy_id: UUIDStr = None
    term_uri: Uri = None
    term: StrictStr = None


class Taxonomy(_Obj):
    id: UUIDStr
    name: StrictStr
    description: StrictStr
    uri: Uri = None
    version: StrictStr = None
    taxonomy_terms: list[TaxonomyTerm] = None


class Attribute(_Obj):
    id: UUIDStr
    link_id: UUIDStr = None
    taxonomy_term_id: UUIDStr = None
    link_type: StrictStr = None
    taxonomy_term: TaxonomyTerm = None


class OrganizationIdentifier(_Obj):
    id: UUIDStr
    organization_id: UUIDStr = None
    identifier_scheme: StrictStr = None
    identifier_type: StrictStr
    identifier: StrictStr


class Organization(_Obj):
    id: UUIDStr
    name: StrictStr
    description: StrictStr
    email: Email = None
    website: Uri = None
    logo: StrictStr = None
    uri: Uri = None
    parent_organization_id: UUIDStr = None


class OrganizationFull(Organization):
    organization_identifiers: list[OrganizationIdentifier] = None
    attributes: list[Attribute] = None


class ServiceList(_Obj):
    """service_list.json: the one-to-one fields and the organisation."""

    id: UUIDStr
    organization_id: UUIDStr = None
    name: StrictStr
    description: StrictStr = None
    url: Uri = None
    email: Email = None
    status: Literal["active", "inactive", "defunct", "temporarily closed"]
    fees: StrictStr = None
    accreditations: StrictStr = None
    minimum_age: Number = None
    maximum_age: Number = None
    assured_date: DateStr = None
    assurer_email: Email = None
    alert: StrictStr = None
    last_modified: DateTimeStr = None
    organization: Organization = None


class Schedule(_Obj):
    id: UUIDStr
    service_id: UUIDStr = None
    service_at_location_id: UUIDStr = None
    valid_from: DateStr = None
    valid_to: DateStr = None
    dtstart: DateStr = None
    freq: Literal["WEEKLY", "MONTHLY"] = None
    interval: Number = None
    byday: StrictStr = None
    bymonthday: StrictStr = None
    description: StrictStr = None
    opens_at: TimeStr = None
    closes_at: TimeStr = None
    schedule_link: Uri = None
    attending_type: StrictStr = None
    notes: StrictStr = None


class ServiceArea(_Obj):
    id: UUIDStr
    service_id: UUIDStr = None
    name: StrictStr = None
    extent: StrictStr = None
    extent_type: StrictStr = None
    uri: StrictStr = None
    service_area: StrictStr = None


class Address(_Obj):
    id: UUIDStr
    location_id: UUIDStr = None
    attention: StrictStr = None
    address_1: StrictStr
    city: StrictStr
    region: StrictStr = None
    state_province: StrictStr
    postal_code: StrictStr
    country: StrictStr
    address_type: LocationType
    attributes: list[Attribute] = None


class Accessibility(_Obj):
    id: UUIDStr
    location_id: UUIDStr = None
    description: StrictStr = None
    details: StrictStr = None
    url: Uri = None
    attributes: list[Attribute] = None


class LocationList(_Obj):
    id: UUIDStr
    location_type: LocationType
    name: StrictStr = None
    description: StrictStr = None
    latitude: Number = None
    longitude: Number = None
    external_identifier: StrictStr = None
    external_identifier_type: StrictStr = None


class LocationFull(LocationList):
    addresses: list[Address] = None
    accessibility: list[Accessibility] = None
    attributes: list[Attribute] = None


class ServiceAtLocationInService(_Obj):
    id: UUIDStr
    service_id: UUIDStr = None
    location_id: UUIDStr = None
    location: LocationFull = None


class Language(_Obj):
    id: UUIDStr
    service_id: UUIDStr = None
    phone_id: UUIDStr = None


class Funding(_Obj):
    id: UUIDStr
    service_id: UUIDStr = None
    source: StrictStr = None


class CostOption(_Obj):
    id: UUIDStr
    service_id: UUIDStr = None
    valid_from: DateStr = None
    valid_to: DateStr = None
    option: StrictStr = None
    amount: Number = None
    amount_description: StrictStr = None


class Phone(_Obj):
    """phone.json (the UK profile defines it; contacts carry it as an HSDS core extension)."""

    id: UUIDStr
    contact_id: UUIDStr = None
    number: StrictStr
    description: StrictStr = None


class Contact(_Obj):
    id: UUIDStr
    service_id: UUIDStr = None
    name: StrictStr = None
    title: StrictStr = None
    attributes: list[Attribute] = None
    phones: list[Phone] = None


class ServiceCommon(ServiceList):
    schedules: list[Schedule] = None
    service_areas: list[ServiceArea] = None
    languages: list[Language] = None
    organization: OrganizationFull = None
    funding: list[Funding] = None
    cost_options: list[CostOption] = None
    contacts: list[Contact] = None
    attributes: list[Attribute] = None


class ServiceFull(ServiceCommon):
    """compiled/service.json."""

    service_at_locations: list[ServiceAtLocationInService] = None


class ServiceAtLocationList(_Obj):
    """compiled/service_at_location_list.json."""

    id: UUIDStr
    service_id: UUIDStr = None
    location_id: UUIDStr = None
    location: LocationList = None
    service: ServiceList = None


class ServiceAtLocationFull(_Obj):
    """compiled/service_at_location.json."""

    id: UUIDStr
    service_id: UUIDStr = None
    location_id: UUIDStr = None
    location: LocationFull = None
    service: ServiceCommon = None


class Info(_Obj):
    version: StrictStr
    profile: Uri
    openapi_url: Uri


class Page(_Obj):
    """The openapi ``Page`` component plus ``contents`` (checked separately)."""

    total_items: StrictInt
    total_pages: StrictInt
    page_number: StrictInt
    size: StrictInt
    first_page: StrictBool
    last_page: StrictBool
    empty: StrictBool
    contents: list[dict[str, Any]]


ITEM_MODELS = {
    "services": ServiceList,
    "service": ServiceFull,
    "service_at_locations": ServiceAtLocationList,
    "service_at_location": ServiceAtLocationFull,
    "taxonomies": Taxonomy,
    "taxonomy": Taxonomy,
    "taxonomy_terms": TaxonomyTerm,
    "taxonomy_term": TaxonomyTerm,
    "info": Info,
}
LISTS = {"services", "service_at_locations", "taxonomies", "taxonomy_terms"}


def validate(kind: str, data: Any) -> None:
    """Validate one response body of ``kind`` (an endpoint name as in ITEM_MODELS)."""
    model = ITEM_MODELS[kind]
    if kind in LISTS:
        page = Page.model_validate(data)
        assert page.size == len(page.contents), "size must count the contents"
        assert page.empty == (not page.contents)
        for item in page.contents:
            model.model_validate(item)
    else:
        model.model_validate(data)
