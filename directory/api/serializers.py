"""Directory objects as Open Referral UK v3 JSON (plain dicts), for the API and the export.

Shapes follow the UK profile's compiled schemas. Optional properties with no value are
left out rather than sent as null or "" (the standard types them as strings with formats).
Properties the UK profile lacks are sent under their HSDS 3.0 core names where HSDS has
them (``eligibility_description``, ``application_process``, ``phones``, language ``code``
and ``name``, cost ``currency``, service area ``description``), and otherwise with an ``x_``
prefix (``x_summary``, ``x_attendance_modes``…), as the profile's compliance rules allow.

Confidential locations are never passed in: callers use ``ServicePage.public_locations()``
(the ``public_location_list`` prefetch), so no code here can leak one by mistake.

Sub-objects the directory does not store separately (a location's address and accessibility,
a service's languages and attributes, a contact's phone) get ids derived from their parent's
id with uuid5, so they are stable from one response to the next.
"""

from __future__ import annotations

import datetime
import uuid
from decimal import Decimal
from typing import Any

from directory import conf, selectors
from directory.languages import LANGUAGE_NAMES
from directory.models import (
    ClosureDate,
    Contact,
    CostOption,
    Location,
    Organisation,
    Phone,
    Schedule,
    ServiceArea,
    ServicePage,
    Taxonomy,
    TaxonomyTerm,
)

Json = dict[str, Any]


def derived_id(parent: uuid.UUID, kind: str, key: str = "") -> str:
    return str(uuid.uuid5(parent, f"{kind}:{key}"))


def _compact(data: Json) -> Json:
    """Drop optional properties that have no value."""
    return {key: value for key, value in data.items() if value not in (None, "")}


def _date(value: datetime.date | None) -> str | None:
    return value.isoformat() if value else None


def _time(value: datetime.time | None) -> str | None:
    return value.isoformat() if value else None


def _datetime(value: datetime.datetime | None) -> str | None:
    if value is None:
        return None
    return value.astimezone(datetime.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _number(value: Decimal | float | int | None) -> float | int | None:
    if value is None:
        return None
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


# --- Organisations and the taxonomy -----------------------------------------------------------


def organisation(org: Organisation) -> Json:
    logo = org.logo_url or (org.logo.file.url if org.logo_id and org.logo else "")
    return {
        "id": str(org.oruk_id),
        "name": org.name,
        "description": org.description,
        **_compact({"email": org.email, "website": org.website, "logo": logo, "uri": org.uri}),
    }


def taxonomy(tax: Taxonomy, *, with_terms: bool = False) -> Json:
    data = {
        "id": str(tax.oruk_id),
        "name": tax.name,
        "description": tax.description,
        **_compact({"uri": tax.uri, "version": tax.version}),
    }
    if with_terms:
        terms = tax.terms.select_related("parent").order_by("name", "pk")
        data["taxonomy_terms"] = [taxonomy_term(term, tax=tax) for term in terms]
    return data


def taxonomy_term(term: TaxonomyTerm, *, tax: Taxonomy | None = None) -> Json:
    tax = tax or term.taxonomy
    parent_id = None
    if term.parent_id is not None:
        parent_id = str(term.parent.oruk_id)
    return {
        "id": str(term.oruk_id),
        "name": term.name,
        "description": term.description,
        **_compact(
            {
                "parent_id": parent_id,
                "taxonomy": tax.name,
                "taxonomy_id": str(tax.oruk_id),
                "term_uri": term.term_uri,
                "term": term.code or term.name,
                "code": term.code,
                "language": term.language,
            }
        ),
    }


# --- Services ---------------------------------------------------------------------------------


def service_summary(page: ServicePage) -> Json:
    """The one-to-one fields of a service and its organisation (``service_list.json``)."""
    org = page.organisation
    return {
        "id": str(page.oruk_id),
        "name": page.title,
        "description": page.description,
        "status": page.status,
        **_compact(
            {
                "organization_id": str(org.oruk_id) if org else None,
                "url": page.website,
                "email": page.email,
                "minimum_age": page.minimum_age,
                "maximum_age": page.maximum_age,
                "assured_date": _date(page.assured_date),
                "assurer_email": conf.assurer_email() if page.assured_date else None,
                "alert": page.alert,
                "last_modified": _datetime(selectors.last_modified(page)),
                "x_summary": page.summary,
            }
        ),
        **({"organization": organisation(org)} if org else {}),
    }


def service_full(page: ServicePage, *, with_locations: bool = True) -> Json:
    """A fully nested service (``compiled/service.json``). Expects the prefetches of
    ``selectors.with_full_relations`` (terms with their taxonomy and parent joined)."""
    service_id = page.oruk_id
    terms = list(page.taxonomy_terms.all())
    data = service_summary(page)
    data.update(
        _compact(
            {
                "eligibility_description": page.eligibility_description,
                "application_process": page.referral_instructions,
                "x_how_to_access": page.how_to_access,
                "x_referral_url": page.referral_url,
                "x_accessibility": page.accessibility,
            }
        )
    )
    data["x_attendance_modes"] = [mode.value for mode in page.attendance_modes]
    data["x_levels_of_need"] = [level.value for level in page.levels_of_need]
    data["schedules"] = [schedule(s, service_id) for s in page.schedules.all()]
    data["service_areas"] = [service_area(a, service_id) for a in page.service_areas.all()]
    if with_locations:
        data["service_at_locations"] = [
            service_at_location_stub(location, service_id) for location in page.public_locations()
        ]
    data["languages"] = [language(code, service_id) for code in page.languages]
    data["cost_options"] = [cost_option(c, service_id) for c in page.cost_options.all()]
    data["contacts"] = [contact(c, service_id) for c in page.contacts.all()]
    data["phones"] = [phone(p, service_id) for p in page.phones.all()]
    data["attributes"] = [
        {
            "id": derived_id(service_id, "attribute", str(term.oruk_id)),
            "link_id": str(service_id),
            "link_entity": "service",
            "link_type": "service_type",
            "taxonomy_term_id": str(term.oruk_id),
            "taxonomy_term": taxonomy_term(term),
        }
        for term in terms
    ]
    data["x_closures"] = [closure(c) for c in page.closures.all()]
    return data


def schedule(s: Schedule, service_id: uuid.UUID) -> Json:
    return {
        "id": str(s.oruk_id),
        "service_id": str(service_id),
        "freq": s.freq,
        "interval": s.interval,
        **_compact(
            {
                "byday": s.byday,
                "bymonthday": s.bymonthday,
                "opens_at": _time(s.opens_at),
                "closes_at": _time(s.closes_at),
                "valid_from": _date(s.valid_from),
                "valid_to": _date(s.valid_to),
                "dtstart": _date(s.dtstart),
                "until": _date(s.until),
                "wkst": s.wkst,
                "description": s.description,
                "schedule_link": s.schedule_link,
                "attending_type": s.attending_type,
                "notes": s.notes,
                "x_timezone": s.timezone,
            }
        ),
    }


def service_area(area: ServiceArea, service_id: uuid.UUID) -> Json:
    return {
        "id": str(area.oruk_id),
        "service_id": str(service_id),
        "name": area.name,
        "service_area": area.name,
        **_compact(
            {"description": area.description, "extent": area.extent, "extent_type": area.extent_type, "uri": area.uri}
        ),
    }


def language(code: str, service_id: uuid.UUID) -> Json:
    return {
        "id": derived_id(service_id, "language", code),
        "service_id": str(service_id),
        "code": code,
        "name": LANGUAGE_NAMES.get(code, code),
    }


def cost_option(option: CostOption, service_id: uuid.UUID) -> Json:
    amount = Decimal(0) if option.is_free else option.amount
    return {
        "id": str(option.oruk_id),
        "service_id": str(service_id),
        **_compact(
            {
                "option": option.option or ("Free" if option.is_free else ""),
                "amount": _number(amount),
                "currency": option.currency if amount is not None else None,
                "amount_description": option.amount_description,
                "valid_from": _date(option.valid_from),
                "valid_to": _date(option.valid_to),
            }
        ),
        "x_free": option.is_free,
    }


def contact(c: Contact, service_id: uuid.UUID) -> Json:
    data = {
        "id": str(c.oruk_id),
        "service_id": str(service_id),
        **_compact({"name": c.name, "title": c.title, "department": c.department, "email": c.email}),
    }
    data["phones"] = [{"id": str(c.phone_oruk_id), "contact_id": str(c.oruk_id), "number": c.phone}] if c.phone else []
    return data


def phone(p: Phone, service_id: uuid.UUID) -> Json:
    return {
        "id": str(p.oruk_id),
        "service_id": str(service_id),
        "number": p.number,
        **_compact({"extension": p.extension, "type": p.type, "description": p.description}),
    }


def closure(c: ClosureDate) -> Json:
    return _compact({"start_date": _date(c.start_date), "end_date": _date(c.end_date), "reason": c.reason})


# --- Locations ----------------------------------------------------------------------------------


def _assert_public(location: Location) -> None:
    # Belt and braces: the selectors never load confidential locations for the API.
    if location.confidential:
        raise ValueError("A confidential location must never be serialised.")


def location_summary(location: Location) -> Json:
    """A location's one-to-one fields (``service_at_location_list.json``)."""
    _assert_public(location)
    return {
        "id": str(location.oruk_id),
        "location_type": location.location_type,
        **_compact(
            {
                "name": location.name,
                "description": location.description,
                "latitude": location.latitude,
                "longitude": location.longitude,
            }
        ),
    }


def location_full(location: Location) -> Json:
    data = location_summary(location)
    location_id = location.oruk_id
    data["addresses"] = []
    if location.address_1 or location.postal_code:
        data["addresses"].append(
            {
                "id": derived_id(location_id, "address"),
                "location_id": str(location_id),
                "address_1": location.address_1,
                "city": location.city,
                "state_province": location.state_province,
                "postal_code": location.postal_code,
                "country": location.country,
                "address_type": "postal" if location.location_type == "postal" else "physical",
                **_compact({"address_2": location.address_2}),
            }
        )
    data["accessibility"] = (
        [
            {
                "id": derived_id(location_id, "accessibility"),
                "location_id": str(location_id),
                "description": location.accessibility,
            }
        ]
        if location.accessibility
        else []
    )
    return data


def service_at_location_stub(location: Location, service_id: uuid.UUID) -> Json:
    """A service_at_location inside a full service: the location fully nested."""
    return {
        "id": str(location.service_at_location_id),
        "service_id": str(service_id),
        "location_id": str(location.oruk_id),
        "location": location_full(location),
    }


def service_at_location_summary(location: Location) -> Json:
    """``service_at_location_list.json``: the location and service one-to-one fields."""
    page = location.page
    return {
        "id": str(location.service_at_location_id),
        "service_id": str(page.oruk_id),
        "location_id": str(location.oruk_id),
        "location": location_summary(location),
        "service": service_summary(page),
    }


def service_at_location_full(location: Location) -> Json:
    """``compiled/service_at_location.json``: the location and its service fully nested."""
    page = location.page
    return {
        "id": str(location.service_at_location_id),
        "service_id": str(page.oruk_id),
        "location_id": str(location.oruk_id),
        "location": location_full(location),
        "service": service_full(page, with_locations=False),
    }
