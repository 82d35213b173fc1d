"""The local threshold document as the assessment uses it: the current version, its indicators
grouped by area, the domestic abuse indicators, and the level of need it recommends.

The recommendation rule (DESIGN.md §4 levels of need; pinned in tests/eh_assessments/
test_thresholds.py):

1. No indicator ticked: level 1 (universal services meet the needs).
2. Otherwise the highest level with any ticked indicator.
3. Multiple needs: when that level is 2 and level 2 indicators from three or more different
   areas are ticked, the recommendation is level 3 (multiple needs call for a team around the
   family).

The practitioner confirms the recommendation or chooses another level with a written reason;
the recommendation never decides on its own. Codes not in the document (from an older version
or typed by hand) are ignored.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from .models import INDICATOR_AREAS, LEVELS_OF_NEED, ThresholdDocument, ThresholdIndicator, ThresholdLevel

MULTIPLE_NEEDS_AREAS = 3

AREA_LABELS = dict(INDICATOR_AREAS)


@dataclass(frozen=True)
class Recommendation:
    level: int | None
    reasons: list[str] = field(default_factory=list)


def current_document() -> ThresholdDocument | None:
    """The published version with the highest number, or None before any is published."""
    return ThresholdDocument.objects.current()


def _indicators(document: ThresholdDocument) -> list[ThresholdIndicator]:
    # One query, remembered on the instance: a wizard step asks more than once per request.
    cached = getattr(document, "_eh_indicators", None)
    if cached is None:
        cached = list(
            ThresholdIndicator.objects.filter(document=document).order_by("level", "area", "sort_order", "pk")
        )
        document._eh_indicators = cached
    return cached


def indicators_for(document: ThresholdDocument | None) -> dict[str, list[ThresholdIndicator]]:
    """The document's indicators grouped by area label, in the order of INDICATOR_AREAS, each
    list ordered by level then the document's order. Areas with no indicator are left out."""
    if document is None:
        return {}
    grouped: dict[str, list[ThresholdIndicator]] = {label: [] for _, label in INDICATOR_AREAS}
    for indicator in _indicators(document):
        grouped.setdefault(AREA_LABELS.get(indicator.area, indicator.area), []).append(indicator)
    return {label: items for label, items in grouped.items() if items}


def domestic_abuse_codes(document: ThresholdDocument | None) -> set[str]:
    if document is None:
        return set()
    return {indicator.code for indicator in _indicators(document) if indicator.domestic_abuse}


def recommend_level(document: ThresholdDocument | None, codes: Iterable[str]) -> Recommendation:
    """Recommend a level of need from the ticked indicator ``codes`` (see the module docstring
    for the rule). ``reasons`` names the indicators that drove the recommendation: those at the
    recommended level (for the multiple-needs rule, the level 2 ones, with a sentence saying
    so). With no document there is nothing to recommend from: ``level`` is None."""
    if document is None:
        return Recommendation(level=None, reasons=["There is no published threshold document to recommend from."])
    wanted = set(codes or ())
    ticked = [indicator for indicator in _indicators(document) if indicator.code in wanted]
    if not ticked:
        return Recommendation(level=1, reasons=["No indicators of need were ticked."])
    highest = max(indicator.level for indicator in ticked)
    drivers = [indicator for indicator in ticked if indicator.level == highest]
    reasons = [f"Level {indicator.level}: {indicator.text}" for indicator in drivers]
    if highest == 2:
        areas = {indicator.area for indicator in drivers}
        if len(areas) >= MULTIPLE_NEEDS_AREAS:
            names = ", ".join(AREA_LABELS.get(area, area).lower() for area, _ in _ordered(areas))
            return Recommendation(
                level=3,
                reasons=[
                    f"Multiple needs: level 2 indicators in {len(areas)} different areas ({names}) "
                    "call for a team around the family.",
                    *reasons,
                ],
            )
    return Recommendation(level=highest, reasons=reasons)


def _ordered(areas: set[str]) -> list[tuple[str, str]]:
    return [(key, label) for key, label in INDICATOR_AREAS if key in areas] + sorted(
        (area, area) for area in areas if area not in AREA_LABELS
    )


# --- Versions: copy and publish (the admin's actions; every change is audited by the caller) ----
class ThresholdDocumentError(Exception):
    """The action is refused; ``str(error)`` says why, in words for an early help manager."""


def next_version() -> int:
    from django.db.models import Max

    return (ThresholdDocument.objects.aggregate(top=Max("version"))["top"] or 0) + 1


def new_version_from(document: ThresholdDocument, *, user) -> ThresholdDocument:
    """A draft copy of ``document`` (its title, levels and indicators, codes unchanged) numbered
    after every existing version. The original is not touched."""
    from django.db import transaction

    with transaction.atomic():
        draft = ThresholdDocument.objects.create(
            version=next_version(),
            title=document.title,
            summary=f"Draft based on version {document.version}.",
            created_by=user,
        )
        ThresholdLevel.objects.bulk_create(
            ThresholdLevel(
                document=draft,
                number=level.number,
                name=level.name,
                description=level.description,
                response=level.response,
            )
            for level in document.levels.all()
        )
        ThresholdIndicator.objects.bulk_create(
            ThresholdIndicator(
                document=draft,
                level=indicator.level,
                area=indicator.area,
                code=indicator.code,
                text=indicator.text,
                domestic_abuse=indicator.domestic_abuse,
                sort_order=indicator.sort_order,
            )
            for indicator in ThresholdIndicator.objects.filter(document=document).order_by(
                "level", "area", "sort_order", "pk"
            )
        )
    return draft


def publication_problems(document: ThresholdDocument) -> list[str]:
    """Why ``document`` cannot be published (empty when it can)."""
    problems = []
    if document.is_published:
        return [f"Version {document.version} is already published."]
    current = current_document()
    if current is not None and current.version > document.version:
        problems.append(
            f"A later version ({current.version}) is already published. "
            f"Create a new version from version {current.version} instead."
        )
    numbers = set(document.levels.values_list("number", flat=True))
    missing = [str(number) for number, _ in LEVELS_OF_NEED if number not in numbers]
    if missing:
        problems.append(f"Describe every level of need: level {', '.join(missing)} is missing.")
    if not document.indicators.exists():
        problems.append("Add at least one indicator of need.")
    return problems


def publish(document: ThresholdDocument, *, user) -> ThresholdDocument:
    """Publish a draft: from now on it is the current document new assessments use, and it
    can no longer change. Raises :class:`ThresholdDocumentError` saying why when refused."""
    from django.db import transaction
    from django.utils import timezone

    with transaction.atomic():
        locked = ThresholdDocument.objects.select_for_update().get(pk=document.pk)
        problems = publication_problems(locked)
        if problems:
            raise ThresholdDocumentError(" ".join(problems))
        locked.published_at = timezone.now()
        locked.published_by = user
        locked.save(update_fields=["published_at", "published_by"])
    document.published_at, document.published_by = locked.published_at, locked.published_by
    return locked
