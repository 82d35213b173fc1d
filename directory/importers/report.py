from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class RecordError:
    """One problem with one record: which record (its id and name, or CSV row), which field
    (a dotted path in the ORUK record, or a CSV column), and what is wrong."""

    record_id: str
    record_name: str
    field: str
    message: str
    row: int | None = None

    def __str__(self) -> str:
        where = f"row {self.row}" if self.row is not None else f"record {self.record_id or '(no id)'}"
        name = f" ({self.record_name})" if self.record_name else ""
        return f"{where}{name}: {self.field}: {self.message}"


@dataclass
class EntityCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def __str__(self) -> str:
        return f"{self.created} created, {self.updated} updated, {self.unchanged} unchanged"


@dataclass
class ImportReport:
    """What an import did (or, for a dry run or a rejected run, would have done)."""

    dry_run: bool = False
    draft: bool = False
    written: bool = False
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    errors: list[RecordError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    organisations: EntityCounts = field(default_factory=EntityCounts)
    taxonomy_terms: EntityCounts = field(default_factory=EntityCounts)
    changes: dict[str, list[str]] = field(default_factory=dict)  # service id -> changed fields

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged + self.rejected

    def lines(self) -> list[str]:
        if self.errors:
            head = f"Import rejected: {self.rejected} record(s) with errors. Nothing was written."
        elif self.dry_run:
            head = "Dry run: the import is valid. Nothing was written."
        else:
            head = "Import complete" + (" (left as drafts for moderation)." if self.draft else ".")
        verb = "would be " if not self.written else ""
        lines = [
            head,
            f"Services: {self.created} {verb}created, {self.updated} {verb}updated, "
            f"{self.unchanged} unchanged, {self.rejected} rejected.",
        ]
        if not self.errors:
            lines.append(f"Organisations: {self.organisations}.")
            lines.append(f"Taxonomy terms: {self.taxonomy_terms}.")
        lines.extend(f"ERROR {error}" for error in self.errors)
        lines.extend(f"warning: {warning}" for warning in self.warnings)
        return lines
