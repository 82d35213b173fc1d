"""Import Open Referral UK v3 services into the directory.

Two phases, so that nothing is written unless everything is valid:

1. **Plan** (reads only): each record is parsed (pydantic), normalised and checked with the
   same validators as the models; every referenced taxonomy term must be in the payload or
   the database; the wanted state of each service is compared with its current state to
   decide created / updated / unchanged. A dry run stops here.
2. **Apply** (one transaction): organisations, taxonomies and terms are upserted, then each
   created or updated service gets a new revision, published unless ``draft``. Unchanged
   services get no revision.

Everything is keyed by ORUK id, so running an import twice changes nothing the second time.
"""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator
from pydantic import ValidationError as PydanticValidationError

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.db import transaction
from django.utils import timezone

from directory import services as directory_services
from directory.importers.report import ImportReport, RecordError
from directory.languages import LANGUAGE_NAMES
from directory.models import (
    AttendanceMode,
    ClosureDate,
    Contact,
    CostOption,
    HowToAccess,
    LevelOfNeed,
    Location,
    Organisation,
    Phone,
    Schedule,
    ServiceArea,
    ServicePage,
    ServiceStatus,
    Taxonomy,
    TaxonomyTerm,
)
from directory.validators import validate_age_range

STATUS_ALIASES = {"temporarily_closed": ServiceStatus.TEMPORARILY_CLOSED}
_NAME_TO_LANGUAGE = {name.lower(): code for code, name in LANGUAGE_NAMES.items()}


class ImportFailed(Exception):
    def __init__(self, report: ImportReport):
        self.report = report
        super().__init__("\n".join(report.lines()))


# --- The incoming shape (lenient: unknown properties are ignored) -----------------------------


def _text(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return str(value)
    return value


Text = Annotated[str, BeforeValidator(_text)]


class _In(BaseModel):
    model_config = ConfigDict(extra="ignore")

    @field_validator("*")
    @classmethod
    def _no_nul(cls, value: Any) -> Any:
        # PostgreSQL cannot store NUL, and it is never meaningful in a directory record.
        texts = value if isinstance(value, list) else [value]
        if any(isinstance(text, str) and "\x00" in text for text in texts):
            raise ValueError("must not contain NUL characters")
        return value


class InOrganisation(_In):
    id: uuid.UUID
    name: str = Field(min_length=1)
    description: Text = ""
    email: Text = ""
    website: Text = ""
    logo: Text = ""
    uri: Text = ""


class InTerm(_In):
    id: uuid.UUID
    name: str = Field(min_length=1)
    description: Text = ""
    parent_id: uuid.UUID | None = None
    taxonomy: Text = ""
    taxonomy_id: uuid.UUID | None = None
    term_uri: Text = ""
    term: Text = ""
    code: Text = ""
    language: Text = ""


class InAttribute(_In):
    taxonomy_term_id: uuid.UUID | None = None
    taxonomy_term: InTerm | None = None


class InAddress(_In):
    address_1: Text = ""
    address_2: Text = ""
    city: Text = ""
    state_province: Text = ""
    postal_code: Text = ""
    country: Text = "GB"
    address_type: Text = ""


class InAccessibility(_In):
    description: Text = ""
    details: Text = ""
    accessibility: Text = ""


class InLocation(_In):
    id: uuid.UUID | None = None
    location_type: Literal["physical", "postal", "virtual"] = "physical"
    name: Text = ""
    description: Text = ""
    latitude: float | None = None
    longitude: float | None = None
    addresses: list[InAddress] = []
    accessibility: list[InAccessibility] = []
    x_confidential: bool = False


class InServiceAtLocation(_In):
    id: uuid.UUID | None = None
    location: InLocation


class InSchedule(_In):
    id: uuid.UUID | None = None
    freq: Literal["WEEKLY", "MONTHLY"] = "WEEKLY"
    interval: int = Field(1, ge=1)
    byday: Text = ""
    bymonthday: Text = ""
    opens_at: datetime.time | None = None
    closes_at: datetime.time | None = None
    valid_from: datetime.date | None = None
    valid_to: datetime.date | None = None
    dtstart: datetime.date | None = None
    until: datetime.date | None = None
    wkst: Text = ""
    description: Text = ""
    schedule_link: Text = ""
    attending_type: Text = ""
    notes: Text = ""
    x_timezone: Text = "Europe/London"


class InCostOption(_In):
    id: uuid.UUID | None = None
    option: Text = ""
    amount: Decimal | None = None
    currency: Text = "GBP"
    amount_description: Text = ""
    valid_from: datetime.date | None = None
    valid_to: datetime.date | None = None
    x_free: bool | None = None


class InServiceArea(_In):
    id: uuid.UUID | None = None
    name: Text = ""
    service_area: Text = ""
    description: Text = ""
    extent: Text = ""
    extent_type: Text = ""
    uri: Text = ""


class InPhone(_In):
    id: uuid.UUID | None = None
    number: str = Field(min_length=1)
    extension: Text = ""
    type: Text = "voice"
    description: Text = ""


class InContact(_In):
    id: uuid.UUID | None = None
    name: Text = ""
    title: Text = ""
    department: Text = ""
    email: Text = ""
    phones: list[InPhone] = []


class InLanguage(_In):
    code: Text = ""
    name: Text = ""


class InClosure(_In):
    start_date: datetime.date
    end_date: datetime.date
    reason: Text = ""


class InService(_In):
    id: uuid.UUID
    name: str = Field(min_length=1, max_length=255)
    status: str
    description: Text = ""
    url: Text = ""
    email: Text = ""
    minimum_age: float | None = None
    maximum_age: float | None = None
    assured_date: datetime.date | None = None
    alert: Text = ""
    organization_id: uuid.UUID | None = None
    organization: InOrganisation | None = None
    eligibility_description: Text = ""
    application_process: Text = ""
    schedules: list[InSchedule] = []
    service_areas: list[InServiceArea] = []
    service_at_locations: list[InServiceAtLocation] = []
    languages: list[InLanguage] = []
    cost_options: list[InCostOption] = []
    contacts: list[InContact] = []
    phones: list[InPhone] = []
    attributes: list[InAttribute] = []
    x_summary: Text = ""
    x_how_to_access: Text = ""
    x_referral_url: Text = ""
    x_accessibility: Text = ""
    x_attendance_modes: list[str] = []
    x_levels_of_need: list[str] = []
    x_closures: list[InClosure] = []


# --- Reading the payload ---------------------------------------------------------------------


def records_from_json(data: Any) -> list[dict]:
    """The service records in a parsed JSON document: a list of services, or one ORUK page
    (``{"contents": [...]}``), or a single service object."""
    if isinstance(data, list):
        records = data
    elif isinstance(data, dict) and isinstance(data.get("contents"), list):
        records = data["contents"]
    elif isinstance(data, dict) and "id" in data and "name" in data:
        records = [data]
    else:
        raise ValueError("expected a list of ORUK services or an ORUK page with 'contents'")
    for index, record in enumerate(records):
        if not isinstance(record, dict):
            raise ValueError(f"item {index} of the list is not a JSON object")
    return records


# --- Plan -------------------------------------------------------------------------------------

_URL = URLValidator(schemes=["http", "https"])
_EMAIL = EmailValidator()
_CHILD_RELATIONS = ("locations", "schedules", "service_areas", "cost_options", "contacts", "phones", "closures")
_SKIP_FIELDS = {"id", "page", "sort_order"}


class RecordInvalid(Exception):
    def __init__(self, errors: list[tuple[str, str]]):
        self.errors = errors


@dataclass
class ServicePlan:
    record_id: uuid.UUID
    name: str
    action: str  # created, updated, unchanged
    fields: dict[str, Any]
    organisation_id: uuid.UUID
    term_ids: list[uuid.UUID]
    children: dict[str, list[Any]]  # relation -> unsaved model instances
    publish_only: bool = False
    changed: list[str] = field(default_factory=list)


def _loc_path(loc: tuple) -> str:
    parts: list[str] = []
    for part in loc:
        if isinstance(part, int):
            parts[-1] = f"{parts[-1]}[{part}]" if parts else f"[{part}]"
        else:
            parts.append(str(part))
    return ".".join(parts) or "(record)"


def _url(value: str, path: str, errors: list) -> str:
    value = (value or "").strip()
    if not value:
        return ""
    if "://" not in value and "." in value and " " not in value:
        value = "https://" + value
    try:
        _URL(value)
    except ValidationError:
        errors.append((path, f"'{value}' is not a web address"))
    return value


def _email(value: str, path: str, errors: list) -> str:
    value = (value or "").strip()
    if value:
        try:
            _EMAIL(value)
        except ValidationError:
            errors.append((path, f"'{value}' is not an email address"))
    return value


def _age(value: float | None, path: str, errors: list) -> int | None:
    if value is None:
        return None
    if value != int(value) or not 0 <= value <= 120:
        errors.append((path, f"{value:g} is not an age in whole years from 0 to 120"))
        return None
    return int(value)


def _full_clean(instance, path: str, errors: list, exclude=("page",)) -> None:
    try:
        instance.full_clean(exclude=list(exclude), validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        for field_name, messages in exc.message_dict.items():
            target = path if field_name == "__all__" else f"{path}.{field_name}"
            errors.extend((target, message) for message in messages)


def _stable_id(
    given: uuid.UUID | None, service_id: uuid.UUID, kind: str, index: int, taken: set[uuid.UUID]
) -> uuid.UUID:
    """The child's id from the payload when it has one that no other service uses; otherwise
    one derived from the service's id, so re-imports still match it."""
    if given is not None and given not in taken:
        return given
    return uuid.uuid5(service_id, f"{kind}:{given or index}")


class _Planner:
    def __init__(self, records: list[dict], *, draft: bool):
        self.records = records
        self.draft = draft
        self.report = ImportReport(draft=draft)
        self.payload_terms: dict[uuid.UUID, InTerm] = {}
        self.payload_orgs: dict[uuid.UUID, InOrganisation] = {}
        self.plans: list[ServicePlan] = []
        self.child_ids_in_payload: dict[str, dict[uuid.UUID, uuid.UUID]] = {}

    # Child ids already used by another service (in the database or earlier in the payload).
    def _taken(self, model, field_name: str, service_id: uuid.UUID) -> set[uuid.UUID]:
        key = f"{model.__name__}.{field_name}"
        in_payload = {cid for cid, owner in self.child_ids_in_payload.get(key, {}).items() if owner != service_id}
        in_database = self._db_taken.get(key, set()) - self._own_ids.get((key, service_id), set())
        return in_payload | in_database

    def plan(self) -> tuple[ImportReport, list[ServicePlan]]:
        parsed: list[tuple[int, dict, InService | None]] = []
        seen_ids: set[uuid.UUID] = set()
        for index, raw in enumerate(self.records):
            try:
                service = InService.model_validate(raw)
            except PydanticValidationError as exc:
                self._reject(raw, [(_loc_path(e["loc"]), e["msg"]) for e in exc.errors()])
                continue
            if service.id in seen_ids:
                self._reject(raw, [("id", "the same service id appears twice in the payload")])
                continue
            seen_ids.add(service.id)
            parsed.append((index, raw, service))
            for attribute in service.attributes:
                if attribute.taxonomy_term is not None:
                    self.payload_terms[attribute.taxonomy_term.id] = attribute.taxonomy_term
            if service.organization is not None:
                self.payload_orgs[service.organization.id] = service.organization

        self._load_existing(seen_ids)
        for _, raw, service in parsed:
            try:
                self.plans.append(self._plan_service(service))
            except RecordInvalid as invalid:
                self._reject(raw, invalid.errors)

        if not self.report.errors:
            self._plan_reference_data()
        return self.report, self.plans

    def _load_existing(self, service_ids: set[uuid.UUID]) -> None:
        self.existing_pages = {page.oruk_id: page for page in ServicePage.objects.filter(oruk_id__in=service_ids)}
        self.existing_orgs = {org.oruk_id: org for org in Organisation.objects.all()}
        self.existing_terms = {term.oruk_id: term for term in TaxonomyTerm.objects.select_related("taxonomy", "parent")}
        self._db_taken: dict[str, set[uuid.UUID]] = {}
        self._own_ids: dict[tuple[str, uuid.UUID], set[uuid.UUID]] = {}
        page_ids = {page.pk: oruk_id for oruk_id, page in self.existing_pages.items()}
        for model, fields in (
            (Location, ("oruk_id", "service_at_location_id")),
            (Schedule, ("oruk_id",)),
            (ServiceArea, ("oruk_id",)),
            (CostOption, ("oruk_id",)),
            (Contact, ("oruk_id", "phone_oruk_id")),
            (Phone, ("oruk_id",)),
        ):
            for row in model.objects.values("page_id", *fields):
                for field_name in fields:
                    key = f"{model.__name__}.{field_name}"
                    self._db_taken.setdefault(key, set()).add(row[field_name])
                    if row["page_id"] in page_ids:
                        self._own_ids.setdefault((key, page_ids[row["page_id"]]), set()).add(row[field_name])

    def _claim(
        self, model, field_name: str, service_id: uuid.UUID, given: uuid.UUID | None, kind: str, index: int
    ) -> uuid.UUID:
        key = f"{model.__name__}.{field_name}"
        child_id = _stable_id(given, service_id, kind, index, self._taken(model, field_name, service_id))
        self.child_ids_in_payload.setdefault(key, {})[child_id] = service_id
        return child_id

    def _reject(self, raw: dict, errors: list[tuple[str, str]]) -> None:
        record_id = str(raw.get("id", "")) if isinstance(raw, dict) else ""
        name = str(raw.get("name", "")) if isinstance(raw, dict) else ""
        self.report.rejected += 1
        for path, message in errors:
            self.report.errors.append(RecordError(record_id, name, path, message))

    # --- one service ---

    def _plan_service(self, s: InService) -> ServicePlan:
        errors: list[tuple[str, str]] = []
        status = STATUS_ALIASES.get(s.status, s.status)
        if status not in ServiceStatus.values:
            errors.append(("status", f"'{s.status}' is not an ORUK status ({', '.join(ServiceStatus.values)})"))

        organisation_id = s.organization.id if s.organization else s.organization_id
        if organisation_id is None:
            errors.append(("organization", "every service needs its organisation"))
        elif organisation_id not in self.payload_orgs and organisation_id not in self.existing_orgs:
            errors.append(("organization_id", f"organisation {organisation_id} is not in the payload or the directory"))
        if s.organization:
            _organisation_values(s.organization, errors)

        minimum_age = _age(s.minimum_age, "minimum_age", errors)
        maximum_age = _age(s.maximum_age, "maximum_age", errors)
        try:
            validate_age_range(minimum_age, maximum_age)
        except ValidationError:
            errors.append(("minimum_age", f"the minimum age ({minimum_age}) is above the maximum age ({maximum_age})"))

        term_ids: list[uuid.UUID] = []
        for i, attribute in enumerate(s.attributes):
            term_id = attribute.taxonomy_term.id if attribute.taxonomy_term else attribute.taxonomy_term_id
            if term_id is None:
                continue
            if term_id not in self.payload_terms and term_id not in self.existing_terms:
                errors.append(
                    (
                        f"attributes[{i}].taxonomy_term_id",
                        f"taxonomy term {term_id} is not in the payload or the directory",
                    )
                )
            elif term_id not in term_ids:
                term_ids.append(term_id)

        how_to_access = s.x_how_to_access or HowToAccess.SELF_REFERRAL
        if how_to_access not in HowToAccess.values:
            errors.append(("x_how_to_access", f"'{how_to_access}' is not one of {', '.join(HowToAccess.values)}"))
        modes = set(s.x_attendance_modes)
        if bad := modes - set(AttendanceMode.values):
            errors.append(("x_attendance_modes", f"unknown attendance modes: {', '.join(sorted(bad))}"))
        levels = set(s.x_levels_of_need)
        if bad := levels - set(LevelOfNeed.values):
            errors.append(("x_levels_of_need", f"unknown levels of need: {', '.join(sorted(bad))}"))

        languages = []
        for i, language in enumerate(s.languages):
            code = (language.code or "").strip().lower() or _NAME_TO_LANGUAGE.get(language.name.strip().lower(), "")
            if not code and not language.name:
                continue  # the UK profile's bare {id} carries no language
            if code not in LANGUAGE_NAMES:
                errors.append((f"languages[{i}]", f"'{language.code or language.name}' is not an ISO 639 language"))
            elif code not in languages:
                languages.append(code)

        fields = {
            "title": s.name.strip(),
            "summary": (s.x_summary or _first_sentence(s.description) or s.name)[:300],
            "description": s.description,
            "status": status,
            "alert": s.alert,
            "website": _url(s.url, "url", errors),
            "email": _email(s.email, "email", errors),
            "minimum_age": minimum_age,
            "maximum_age": maximum_age,
            "eligibility_description": s.eligibility_description,
            "how_to_access": how_to_access,
            "referral_instructions": s.application_process,
            "referral_url": _url(s.x_referral_url, "x_referral_url", errors),
            "accessibility": s.x_accessibility,
            "languages": languages,
            **{f"attend_{mode}": mode in modes for mode in AttendanceMode.values},
            **{f"need_{level}": level in levels for level in LevelOfNeed.values},
        }
        if s.assured_date is not None:
            fields["assured_date"] = s.assured_date

        children = self._plan_children(s, errors)
        try:
            ServicePage(**fields).clean_fields(exclude=_PAGE_TREE_FIELDS)
        except ValidationError as exc:
            for field_name, messages in exc.message_dict.items():
                errors.extend((_ORUK_NAMES.get(field_name, field_name), message) for message in messages)
        if errors:
            raise RecordInvalid(_dedupe(errors))

        existing = self.existing_pages.get(s.id)
        if (
            existing is not None
            and existing.assured_date
            and fields.get("assured_date", existing.assured_date) < existing.assured_date
        ):
            # A listing checked here more recently than the feed says keeps its later date.
            fields["assured_date"] = existing.assured_date
        if existing is None and "assured_date" not in fields:
            # The directory team runs imports: a new service without an assured date counts
            # as checked today, so it is not hidden the moment it arrives.
            fields["assured_date"] = timezone.localdate()
        plan = ServicePlan(s.id, fields["title"], "created", fields, organisation_id, term_ids, children)
        if existing is not None:
            self._compare(plan, existing)
        return plan

    def _plan_children(self, s: InService, errors: list) -> dict[str, list[Any]]:
        sid = s.id
        locations = []
        for i, sal in enumerate(s.service_at_locations):
            loc = sal.location
            path = f"service_at_locations[{i}].location"
            address = next((a for a in loc.addresses if a.address_type != "postal"), None) or (
                loc.addresses[0] if loc.addresses else InAddress()
            )
            access = "\n\n".join(a.description or a.accessibility or a.details for a in loc.accessibility if a)
            location = Location(
                oruk_id=self._claim(Location, "oruk_id", sid, loc.id, "location", i),
                service_at_location_id=self._claim(
                    Location, "service_at_location_id", sid, sal.id, "service_at_location", i
                ),
                location_type=loc.location_type,
                name=loc.name[:255],
                description=loc.description,
                address_1=address.address_1,
                address_2=address.address_2,
                city=address.city,
                state_province=address.state_province,
                postal_code=address.postal_code,
                country=(address.country or "GB")[:2].upper(),
                latitude=loc.latitude,
                longitude=loc.longitude,
                accessibility=access,
                confidential=loc.x_confidential,
                sort_order=i,
            )
            _full_clean(location, path, errors)
            for err_path, message in list(errors):
                if err_path == f"{path}.postal_code":
                    errors.remove((err_path, message))
                    errors.append((f"{path}.addresses[0].postal_code", f"'{address.postal_code}' is not a UK postcode"))
            locations.append(location)

        schedules = []
        for i, item in enumerate(s.schedules):
            schedule = Schedule(
                oruk_id=self._claim(Schedule, "oruk_id", sid, item.id, "schedule", i),
                sort_order=i,
                **item.model_dump(exclude={"id", "x_timezone"}),
                timezone=item.x_timezone or "Europe/London",
            )
            _full_clean(schedule, f"schedules[{i}]", errors)
            schedules.append(schedule)

        areas = []
        for i, item in enumerate(s.service_areas):
            area = ServiceArea(
                oruk_id=self._claim(ServiceArea, "oruk_id", sid, item.id, "service_area", i),
                sort_order=i,
                name=(item.name or item.service_area)[:255],
                description=item.description if item.description != item.name else "",
                extent=item.extent,
                extent_type=item.extent_type if item.extent_type in ("text", "geojson", "topojson", "kml") else "",
                uri=item.uri,
            )
            _full_clean(area, f"service_areas[{i}]", errors)
            areas.append(area)

        costs = []
        for i, item in enumerate(s.cost_options):
            is_free = item.x_free if item.x_free is not None else (item.amount is not None and item.amount == 0)
            cost = CostOption(
                oruk_id=self._claim(CostOption, "oruk_id", sid, item.id, "cost_option", i),
                sort_order=i,
                is_free=is_free,
                option="" if is_free and item.option == "Free" else item.option,
                amount=None if is_free else item.amount,
                currency=(item.currency or "GBP").upper(),
                amount_description=item.amount_description,
                valid_from=item.valid_from,
                valid_to=item.valid_to,
            )
            _full_clean(cost, f"cost_options[{i}]", errors)
            costs.append(cost)

        contacts = []
        for i, item in enumerate(s.contacts):
            phone = item.phones[0] if item.phones else None
            contact = Contact(
                oruk_id=self._claim(Contact, "oruk_id", sid, item.id, "contact", i),
                phone_oruk_id=self._claim(
                    Contact, "phone_oruk_id", sid, phone.id if phone else None, "contact_phone", i
                ),
                sort_order=i,
                name=item.name,
                title=item.title,
                department=item.department,
                email=item.email,
                phone=phone.number if phone else "",
            )
            _full_clean(contact, f"contacts[{i}]", errors)
            contacts.append(contact)

        phones = []
        for i, item in enumerate(s.phones):
            phone = Phone(
                oruk_id=self._claim(Phone, "oruk_id", sid, item.id, "phone", i),
                sort_order=i,
                number=item.number,
                extension=item.extension,
                type=item.type if item.type in ("voice", "text", "textphone", "video", "fax") else "voice",
                description=item.description,
            )
            _full_clean(phone, f"phones[{i}]", errors)
            phones.append(phone)

        closures = []
        for i, item in enumerate(s.x_closures):
            closure = ClosureDate(sort_order=i, start_date=item.start_date, end_date=item.end_date, reason=item.reason)
            _full_clean(closure, f"x_closures[{i}]", errors)
            closures.append(closure)

        return {
            "locations": locations,
            "schedules": schedules,
            "service_areas": areas,
            "cost_options": costs,
            "contacts": contacts,
            "phones": phones,
            "closures": closures,
        }

    def _compare(self, plan: ServicePlan, existing: ServicePage) -> None:
        current = existing.get_latest_revision_as_object()
        # Confidential locations never appear in a feed or export (by design), so a feed's
        # silence about them is no reason to delete them: they are kept as they are.
        imported_ids = {location.oruk_id for location in plan.children["locations"]}
        kept = [
            location
            for location in current.locations.all()
            if location.confidential and location.oruk_id not in imported_ids
        ]
        plan.children["locations"] = plan.children["locations"] + kept
        changed = [name for name, value in plan.fields.items() if getattr(current, name) != value]
        if current.organisation_id is None or (
            self.existing_orgs.get(plan.organisation_id) is None
            or current.organisation_id != self.existing_orgs[plan.organisation_id].pk
        ):
            changed.append("organization")
        current_terms = sorted(str(t.oruk_id) for t in current.taxonomy_terms.all())
        if current_terms != sorted(str(t) for t in plan.term_ids):
            changed.append("attributes")
        for relation in _CHILD_RELATIONS:
            if _child_values(getattr(current, relation).all()) != _child_values(plan.children[relation]):
                changed.append(relation)
        plan.changed = changed
        if changed:
            plan.action = "updated"
        elif not self.draft and (not existing.live or existing.has_unpublished_changes):
            plan.action = "updated"
            plan.publish_only = True
            plan.changed = ["(publish the waiting draft)"]
        else:
            plan.action = "unchanged"

    def _plan_reference_data(self) -> None:
        for org_id, org in self.payload_orgs.items():
            existing = self.existing_orgs.get(org_id)
            values = _organisation_values(org)
            if existing is None:
                self.report.organisations.created += 1
            elif any(getattr(existing, k) != v for k, v in values.items()):
                self.report.organisations.updated += 1
            else:
                self.report.organisations.unchanged += 1
        for term_id, term in self.payload_terms.items():
            existing = self.existing_terms.get(term_id)
            if existing is None:
                self.report.taxonomy_terms.created += 1
            elif _term_changed(existing, term):
                self.report.taxonomy_terms.updated += 1
            else:
                self.report.taxonomy_terms.unchanged += 1
        for plan in self.plans:
            setattr(self.report, plan.action, getattr(self.report, plan.action) + 1)
            if plan.changed:
                self.report.changes[str(plan.record_id)] = plan.changed


# Model field names as the ORUK record calls them, for error reports.
_ORUK_NAMES = {
    "title": "name",
    "website": "url",
    "referral_instructions": "application_process",
    "referral_url": "x_referral_url",
    "summary": "x_summary",
    "accessibility": "x_accessibility",
}

_PAGE_TREE_FIELDS = (
    "path",
    "depth",
    "numchild",
    "slug",
    "url_path",
    "content_type",
    "page_ptr",
    "organisation",
    "locale",
    "translation_key",
    "owner",
    "draft_title",
    "live_revision",
    "latest_revision",
)


def _first_sentence(text: str) -> str:
    text = (text or "").strip().split("\n")[0]
    end = text.find(". ")
    return text[: end + 1] if 0 < end < 300 else text[:300]


def _dedupe(errors: list[tuple[str, str]]) -> list[tuple[str, str]]:
    seen, result = set(), []
    for error in errors:
        if error not in seen:
            seen.add(error)
            result.append(error)
    return result


def _child_values(objects) -> list[dict]:
    """Comparable values of child objects. Order is ignored: kept confidential locations sit
    after the imported ones, and a feed that only reorders is no reason for a revision."""
    rows = [
        {f.attname: f.value_from_object(obj) for f in obj._meta.concrete_fields if f.name not in _SKIP_FIELDS}
        for obj in objects
    ]
    return sorted(rows, key=repr)


def _organisation_values(org: InOrganisation, errors: list | None = None) -> dict[str, Any]:
    """The organisation's model values; problems go to ``errors`` (checked in the plan)."""
    errors = [] if errors is None else errors
    return {
        "name": org.name[:255],
        "description": org.description,
        "email": _email(org.email, "organization.email", errors),
        "website": _url(org.website, "organization.website", errors),
        "logo_url": org.logo if org.logo.startswith(("http://", "https://")) else "",
        "uri": _url(org.uri, "organization.uri", errors),
    }


def _term_code(term: InTerm) -> str:
    return (term.code or (term.term if term.term and term.term != term.name else ""))[:100]


def _term_changed(existing: TaxonomyTerm, term: InTerm) -> bool:
    return (
        existing.name != term.name[:255]
        or existing.description != term.description
        or existing.term_uri != term.term_uri
        or (existing.parent.oruk_id if existing.parent_id else None) != term.parent_id
        or (term.taxonomy_id is not None and existing.taxonomy.oruk_id != term.taxonomy_id)
    )


# --- Apply ------------------------------------------------------------------------------------


def _apply(planner: _Planner, plans: list[ServicePlan], *, draft: bool, user=None) -> None:
    orgs = {}
    for org_id, org in planner.payload_orgs.items():
        orgs[org_id] = directory_services.upsert_organisation(org_id, **_organisation_values(org))
    terms = _apply_terms(planner)
    index = directory_services.get_or_create_directory_index()
    for plan in plans:
        if plan.action == "unchanged":
            continue
        organisation = orgs.get(plan.organisation_id) or Organisation.objects.get(oruk_id=plan.organisation_id)
        try:
            directory_services.save_imported_service(
                index,
                oruk_id=plan.record_id,
                fields=plan.fields,
                organisation=organisation,
                terms=[terms.get(t) or TaxonomyTerm.objects.get(oruk_id=t) for t in plan.term_ids],
                children=plan.children,
                publish=not draft,
                publish_only=plan.publish_only,
                user=user,
            )
        except Exception as exc:
            planner.report.rejected += 1
            planner.report.errors.append(RecordError(str(plan.record_id), plan.name, "(saving)", str(exc)))
            raise


def _apply_terms(planner: _Planner) -> dict[uuid.UUID, TaxonomyTerm]:
    saved: dict[uuid.UUID, TaxonomyTerm] = {}
    for term_id, term in planner.payload_terms.items():
        taxonomy = _taxonomy_for(term)
        code = _term_code(term)
        if code and TaxonomyTerm.objects.filter(taxonomy=taxonomy, code=code).exclude(oruk_id=term_id).exists():
            planner.report.warnings.append(
                f"term {term_id} ({term.name}): code '{code}' is taken in {taxonomy}; stored without a code"
            )
            code = ""
        saved[term_id] = directory_services.upsert_taxonomy_term(
            term_id,
            taxonomy=taxonomy,
            name=term.name[:255],
            description=term.description,
            code=code,
            term_uri=term.term_uri,
            language=(term.language or "en")[:10],
        )
    for term_id, term in planner.payload_terms.items():
        parent = None
        if term.parent_id is not None:
            parent = saved.get(term.parent_id) or TaxonomyTerm.objects.filter(oruk_id=term.parent_id).first()
            if parent is None:
                planner.report.warnings.append(
                    f"term {term_id} ({term.name}): parent {term.parent_id} is unknown; left at the top level"
                )
            elif parent.taxonomy_id != saved[term_id].taxonomy_id:
                planner.report.warnings.append(
                    f"term {term_id} ({term.name}): parent is in another taxonomy; left at the top level"
                )
                parent = None
        if saved[term_id].parent_id != (parent.pk if parent else None):
            saved[term_id].parent = parent
            saved[term_id].save()
    return saved


def _taxonomy_for(term: InTerm) -> Taxonomy:
    name = (term.taxonomy or "").strip()[:255]
    if term.taxonomy_id is not None:
        existing = Taxonomy.objects.filter(oruk_id=term.taxonomy_id).first()
        if existing is not None:
            return existing
        name = name or f"Imported taxonomy {str(term.taxonomy_id)[:8]}"
        if Taxonomy.objects.filter(name=name).exists():
            name = f"{name} ({str(term.taxonomy_id)[:8]})"
        return Taxonomy.objects.create(oruk_id=term.taxonomy_id, name=name)
    name = name or "Imported categories"
    taxonomy = Taxonomy.objects.filter(name=name).first()
    return taxonomy or Taxonomy.objects.create(oruk_id=uuid.uuid5(uuid.NAMESPACE_URL, f"taxonomy:{name}"), name=name)


# --- The entry point --------------------------------------------------------------------------


def import_services(records: list[dict], *, dry_run: bool = False, draft: bool = False, user=None) -> ImportReport:
    """Validate and (unless ``dry_run``) write ``records``. All or nothing: if any record is
    invalid, nothing is written and the report lists every error; raises nothing for bad
    data (check ``report.ok``)."""
    planner = _Planner(records, draft=draft)
    report, plans = planner.plan()
    report.dry_run = dry_run
    if report.errors:
        report.created = report.updated = report.unchanged = 0
        return report
    if dry_run:
        return report
    try:
        with transaction.atomic():
            _apply(planner, plans, draft=draft, user=user)
    except Exception:
        report.created = report.updated = report.unchanged = 0
        if not report.errors:
            raise
        return report
    report.written = True
    return report
