"""Import services from a CSV file, one row per service, for councils without an ORUK feed.

The columns are documented in docs/directory-csv-template.md (an example is
directory/fixtures/directory-example.csv). Each row becomes an ORUK record and goes through
the same plan-then-apply import as ORUK JSON, so the rules are the same: all or nothing,
idempotent, and errors named by row number and column.

Rows without an ``id`` get one derived from the organisation and service names, so running
the same file again updates the same services rather than adding copies.
"""

from __future__ import annotations

import csv
import datetime
import io
import uuid
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.db.models import Q

from directory.importers.oruk import import_services
from directory.importers.report import ImportReport, RecordError
from directory.models import Organisation, TaxonomyTerm

CSV_NAMESPACE = uuid.UUID("6f1c1f0e-7d55-4d4e-9d36-5a0f3c2b9e01")

COLUMNS = (
    "id",
    "name",
    "organisation",
    "organisation_id",
    "organisation_description",
    "organisation_email",
    "organisation_website",
    "status",
    "summary",
    "description",
    "alert",
    "website",
    "email",
    "phone",
    "phone_description",
    "minimum_age",
    "maximum_age",
    "eligibility",
    "how_to_access",
    "referral_instructions",
    "referral_url",
    "attendance_modes",
    "levels_of_need",
    "languages",
    "accessibility",
    "is_free",
    "cost_amount",
    "cost_description",
    "categories",
    "location_name",
    "address_1",
    "address_2",
    "town",
    "county",
    "postcode",
    "latitude",
    "longitude",
    "location_accessibility",
    "location_confidential",
    "service_area",
    "opening_days",
    "opens_at",
    "closes_at",
    "opening_description",
    "assured_date",
)
REQUIRED = ("name", "organisation")

_TRUE = {"yes", "y", "true", "1"}
_FALSE = {"no", "n", "false", "0", ""}

# Where an ORUK record's field path comes from in the CSV.
_PATH_TO_COLUMN = (
    ("organization.email", "organisation_email"),
    ("organization.website", "organisation_website"),
    ("organization", "organisation"),
    ("attributes", "categories"),
    ("languages", "languages"),
    ("x_attendance_modes", "attendance_modes"),
    ("x_levels_of_need", "levels_of_need"),
    ("x_how_to_access", "how_to_access"),
    ("x_referral_url", "referral_url"),
    ("x_summary", "summary"),
    ("x_accessibility", "accessibility"),
    ("application_process", "referral_instructions"),
    ("eligibility_description", "eligibility"),
    ("url", "website"),
    ("service_at_locations[0].location.addresses[0].postal_code", "postcode"),
    ("service_at_locations[0].location.postal_code", "postcode"),
    ("service_at_locations[0].location.latitude", "latitude"),
    ("service_at_locations[0].location.longitude", "longitude"),
    ("service_at_locations[0].location.address_1", "address_1"),
    ("service_at_locations[0].location.city", "town"),
    ("service_at_locations", "location_name"),
    ("schedules[0].byday", "opening_days"),
    ("schedules[0].opens_at", "opens_at"),
    ("schedules[0].closes_at", "closes_at"),
    ("schedules", "opening_days"),
    ("cost_options[0].amount", "cost_amount"),
    ("cost_options", "cost_description"),
    ("phones", "phone"),
    ("service_areas", "service_area"),
)


def column_for(path: str) -> str:
    for prefix, column in _PATH_TO_COLUMN:
        if path == prefix or path.startswith(prefix + ".") or path.startswith(prefix + "["):
            return column
    return path


class _Row:
    def __init__(self, number: int, values: dict[str, str]):
        self.line = number
        self.values = {k.strip().lower(): (v or "").strip() for k, v in values.items() if k}
        self.errors: list[tuple[str, str]] = []

    def get(self, column: str) -> str:
        return self.values.get(column, "")

    def error(self, column: str, message: str) -> None:
        self.errors.append((column, message))

    def boolean(self, column: str) -> bool:
        value = self.get(column).lower()
        if value in _TRUE:
            return True
        if value not in _FALSE:
            self.error(column, f"'{self.get(column)}' should be yes or no")
        return False

    def number(self, column: str) -> float | None:
        value = self.get(column)
        if not value:
            return None
        try:
            return float(value)
        except ValueError:
            self.error(column, f"'{value}' is not a number")
            return None

    def decimal(self, column: str) -> Decimal | None:
        value = self.get(column).lstrip("£")
        if not value:
            return None
        try:
            return Decimal(value)
        except InvalidOperation:
            self.error(column, f"'{self.get(column)}' is not an amount")
            return None

    def listed(self, column: str) -> list[str]:
        return [item.strip() for item in self.get(column).replace(",", ";").split(";") if item.strip()]

    def uuid(self, column: str) -> uuid.UUID | None:
        value = self.get(column)
        if not value:
            return None
        try:
            return uuid.UUID(value)
        except ValueError:
            self.error(column, f"'{value}' is not a UUID")
            return None

    def date(self, column: str) -> str | None:
        value = self.get(column)
        if not value:
            return None
        try:
            return datetime.date.fromisoformat(value).isoformat()
        except ValueError:
            self.error(column, f"'{value}' is not a date like 2025-03-31")
            return None


def _resolve_term(reference: str) -> TaxonomyTerm | None:
    try:
        return TaxonomyTerm.objects.filter(oruk_id=uuid.UUID(reference)).first()
    except ValueError:
        pass
    return TaxonomyTerm.objects.filter(Q(code__iexact=reference) | Q(name__iexact=reference)).order_by("pk").first()


def _organisation_id(row: _Row) -> uuid.UUID:
    given = row.uuid("organisation_id")
    if given:
        return given
    existing = Organisation.objects.filter(name__iexact=row.get("organisation")).order_by("pk").first()
    if existing:
        return existing.oruk_id
    return uuid.uuid5(CSV_NAMESPACE, f"organisation:{row.get('organisation').lower()}")


def row_to_record(row: _Row) -> dict[str, Any]:
    """One CSV row as an ORUK service record (with the directory's x_ extensions)."""
    for column in REQUIRED:
        if not row.get(column):
            row.error(column, "is required")
    organisation_id = _organisation_id(row)
    service_id = row.uuid("id") or uuid.uuid5(
        CSV_NAMESPACE, f"service:{row.get('organisation').lower()}|{row.get('name').lower()}"
    )

    def child(kind: str) -> str:
        return str(uuid.uuid5(service_id, f"csv-{kind}"))

    attributes = []
    for reference in row.listed("categories"):
        term = _resolve_term(reference)
        if term is None:
            row.error("categories", f"no category '{reference}' in the directory (use its code, name or id)")
        else:
            attributes.append({"taxonomy_term_id": str(term.oruk_id)})

    record: dict[str, Any] = {
        "id": str(service_id),
        "name": row.get("name"),
        "status": (row.get("status") or "active").lower(),
        "description": row.get("description"),
        "x_summary": row.get("summary"),
        "alert": row.get("alert"),
        "url": row.get("website"),
        "email": row.get("email"),
        "minimum_age": row.number("minimum_age"),
        "maximum_age": row.number("maximum_age"),
        "eligibility_description": row.get("eligibility"),
        "x_how_to_access": row.get("how_to_access").lower(),
        "application_process": row.get("referral_instructions"),
        "x_referral_url": row.get("referral_url"),
        "x_attendance_modes": [m.lower() for m in row.listed("attendance_modes")],
        "x_levels_of_need": [level.lower() for level in row.listed("levels_of_need")],
        "languages": [{"code": code.lower()} for code in row.listed("languages")],
        "x_accessibility": row.get("accessibility"),
        "organization": {
            "id": str(organisation_id),
            "name": row.get("organisation") or "(missing)",
            "description": row.get("organisation_description"),
            "email": row.get("organisation_email"),
            "website": row.get("organisation_website"),
        },
        "attributes": attributes,
    }
    existing_org = Organisation.objects.filter(oruk_id=organisation_id).first()
    if existing_org is not None:
        # Blank organisation columns keep what the directory already holds.
        for key, column, attr in (
            ("description", "organisation_description", "description"),
            ("email", "organisation_email", "email"),
            ("website", "organisation_website", "website"),
        ):
            if not row.get(column):
                record["organization"][key] = getattr(existing_org, attr)
        record["organization"]["logo"] = existing_org.logo_url
        record["organization"]["uri"] = existing_org.uri
    if assured := row.date("assured_date"):
        record["assured_date"] = assured

    if row.get("phone"):
        record["phones"] = [
            {"id": child("phone"), "number": row.get("phone"), "description": row.get("phone_description")}
        ]
    is_free = row.boolean("is_free")
    amount = row.decimal("cost_amount")
    if is_free or amount is not None or row.get("cost_description"):
        record["cost_options"] = [
            {
                "id": child("cost"),
                "x_free": is_free,
                "amount": None if amount is None else str(amount),
                "amount_description": row.get("cost_description"),
            }
        ]
    if any(row.get(c) for c in ("location_name", "address_1", "postcode", "latitude", "longitude")):
        location = {
            "id": child("location"),
            "location_type": "physical",
            "name": row.get("location_name"),
            "latitude": row.number("latitude"),
            "longitude": row.number("longitude"),
            "x_confidential": row.boolean("location_confidential"),
            "addresses": [
                {
                    "address_1": row.get("address_1"),
                    "address_2": row.get("address_2"),
                    "city": row.get("town"),
                    "state_province": row.get("county"),
                    "postal_code": row.get("postcode"),
                    "country": "GB",
                }
            ],
            "accessibility": (
                [{"description": row.get("location_accessibility")}] if row.get("location_accessibility") else []
            ),
        }
        record["service_at_locations"] = [{"id": child("service-at-location"), "location": location}]
    if row.get("service_area"):
        record["service_areas"] = [{"id": child("area"), "name": row.get("service_area")}]
    if row.get("opening_days") or row.get("opens_at") or row.get("opening_description"):
        record["schedules"] = [
            {
                "id": child("schedule"),
                "freq": "WEEKLY",
                "byday": ",".join(day.upper() for day in row.listed("opening_days")),
                "opens_at": row.get("opens_at") or None,
                "closes_at": row.get("closes_at") or None,
                "description": row.get("opening_description"),
            }
        ]
    return record


def read_rows(text: str) -> list[_Row]:
    reader = csv.DictReader(io.StringIO(text, newline=""))
    try:
        fieldnames = reader.fieldnames or []
    except csv.Error as exc:
        raise ValueError(f"not a readable CSV file: {exc}") from None
    headers = [h.strip().lower() for h in fieldnames if h]
    missing = [column for column in REQUIRED if column not in headers]
    if missing:
        raise ValueError(f"the CSV has no {', '.join(missing)} column (see docs/directory-csv-template.md)")
    unknown = [h for h in headers if h not in COLUMNS]
    if unknown:
        raise ValueError(f"unknown columns: {', '.join(unknown)} (see docs/directory-csv-template.md)")
    try:
        return [_Row(number, values) for number, values in enumerate(reader, start=2)]
    except csv.Error as exc:
        raise ValueError(f"not a readable CSV file: line {reader.line_num}: {exc}") from None


def import_csv(source: str | Path, *, dry_run: bool = False, draft: bool = False, user=None) -> ImportReport:
    """Import a CSV file (path) of services. Raises ValueError for an unreadable file or bad
    header row; row problems are in the report."""
    try:
        text = Path(source).read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise ValueError(f"cannot read {source}: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        raise ValueError(
            f"cannot read {source}: not UTF-8 text (byte {exc.start} cannot be decoded); save the CSV as UTF-8"
        ) from None
    return import_csv_text(text, dry_run=dry_run, draft=draft, user=user)


def import_csv_text(text: str, *, dry_run: bool = False, draft: bool = False, user=None) -> ImportReport:
    rows = read_rows(text)
    records, row_errors = [], []
    for row in rows:
        record = row_to_record(row)
        records.append(record)
        row_errors.extend(RecordError(record["id"], row.get("name"), c, m, row=row.line) for c, m in row.errors)
    if row_errors:
        report = ImportReport(dry_run=dry_run, draft=draft)
        report.errors = row_errors
        report.rejected = len({e.row for e in row_errors})
        return report
    report = import_services(records, dry_run=dry_run, draft=draft, user=user)
    by_id = {record["id"]: row for record, row in zip(records, rows, strict=True)}
    report.errors = [
        RecordError(
            e.record_id,
            e.record_name,
            column_for(e.field),
            e.message,
            row=by_id[e.record_id].line if e.record_id in by_id else None,
        )
        for e in report.errors
    ]
    return report
