"""The ten outcome areas (DESIGN.md §4), scoring and distance travelled.

Each scoring (at the start, at every review, at closure) gives every area a practitioner's
score from 1 (serious problems) to 10 (thriving), with the family's own score beside it when
they give one. Distance travelled for an area is the latest score minus the start score, for
the practitioner's and the family's scores separately (positive is better).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import Avg, Case, F, FloatField, Max, Sum, When
from django.db.models.functions import Cast

AREAS: tuple[tuple[str, str], ...] = (
    ("education", "Getting a good education"),
    ("early_years", "Good early years development"),
    ("health", "Improved mental and physical health"),
    ("substance_use", "Promoting recovery and reducing harm from substance use"),
    ("relationships", "Improved family relationships"),
    ("safe_from_abuse", "Children safe from abuse and exploitation"),
    ("crime", "Crime prevention and tackling crime"),
    ("domestic_abuse", "Safe from domestic abuse"),
    ("housing", "Secure housing"),
    ("financial", "Financial stability"),
)
AREA_CODES: tuple[str, ...] = tuple(code for code, _ in AREAS)


def area_columns(code: str) -> tuple[str, str]:
    """EpisodeOutcomeTotal's columns for an outcome area: the practitioner's and the family's change."""
    return f"area_{code}_practitioner", f"area_{code}_family"


AREA_LABELS: dict[str, str] = dict(AREAS)
MIN_SCORE, MAX_SCORE = 1, 10


@dataclass(frozen=True)
class AreaScore:
    practitioner: int
    family: int | None = None


def _score(value, label: str, whose: str, *, required: bool) -> int | None:
    if value in (None, ""):
        if required:
            raise ValidationError(f"Enter the {whose} score for {label.lower()}")
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ValidationError(f"The {whose} score for {label.lower()} must be a whole number from 1 to 10") from None
    if isinstance(value, float) and value != number:
        raise ValidationError(f"The {whose} score for {label.lower()} must be a whole number from 1 to 10")
    if not MIN_SCORE <= number <= MAX_SCORE:
        raise ValidationError(f"The {whose} score for {label.lower()} must be between 1 and 10")
    return number


def clean_scores(scores: Mapping[str, object]) -> dict[str, AreaScore]:
    """Check a scoring: every one of the ten areas needs the practitioner's score (1–10); the
    family's score is optional (1–10 when given). ``scores`` maps an area code to an
    :class:`AreaScore`, a ``(practitioner, family)`` pair or a dict with those keys. Unknown
    areas are refused. Raises ValidationError with one message per problem, keyed by area."""
    unknown = sorted(set(scores) - set(AREA_CODES))
    errors: dict[str, list[str]] = {}
    if unknown:
        errors["__all__"] = [f"Unknown outcome area: {', '.join(unknown)}"]
    cleaned: dict[str, AreaScore] = {}
    for code, label in AREAS:
        raw = scores.get(code)
        if isinstance(raw, AreaScore):
            practitioner, family = raw.practitioner, raw.family
        elif isinstance(raw, Mapping):
            practitioner, family = raw.get("practitioner"), raw.get("family")
        elif isinstance(raw, tuple | list) and len(raw) == 2:
            practitioner, family = raw
        else:
            practitioner, family = raw, None
        try:
            p = _score(practitioner, label, "practitioner's", required=True)
            f = _score(family, label, "family's", required=False)
        except ValidationError as exc:
            errors[code] = exc.messages
            continue
        cleaned[code] = AreaScore(practitioner=p, family=f)
    if errors:
        raise ValidationError(errors)
    return cleaned


@dataclass(frozen=True)
class Distance:
    area: str
    label: str
    start_practitioner: int | None
    latest_practitioner: int | None
    start_family: int | None
    latest_family: int | None

    @property
    def practitioner(self) -> int | None:
        if self.start_practitioner is None or self.latest_practitioner is None:
            return None
        return self.latest_practitioner - self.start_practitioner

    @property
    def family(self) -> int | None:
        if self.start_family is None or self.latest_family is None:
            return None
        return self.latest_family - self.start_family


def distance_travelled(records: Iterable) -> list[Distance]:
    """Per area, from the start scoring to the latest one (closure, else the last review).
    ``records`` are OutcomeRecords with their ``scores`` prefetched, in any order. The family's
    distance uses the family's first and latest scores, which may come from other scorings
    when the family did not score every time."""
    records = sorted(records, key=lambda r: (r.recorded_on, {"start": 0, "review": 1, "closure": 2}[r.stage], r.pk))
    start = next((r for r in records if r.stage == "start"), None)
    if start is None:
        return [Distance(code, label, None, None, None, None) for code, label in AREAS]
    ordered = [start] + [r for r in records if r is not start and r.stage != "start"]
    closure = [r for r in ordered if r.stage == "closure"]
    if closure:
        ordered = [r for r in ordered if r.stage != "closure"] + closure
    by_record = [{s.area: s for s in r.scores.all()} for r in ordered]
    result = []
    for code, label in AREAS:
        practitioner = [m[code].practitioner_score for m in by_record if code in m]
        family = [m[code].family_score for m in by_record if code in m and m[code].family_score is not None]
        first = by_record[0].get(code)
        result.append(
            Distance(
                code,
                label,
                first.practitioner_score if first else None,
                practitioner[-1] if len(practitioner) > 1 else None,
                family[0] if family else None,
                family[-1] if len(family) > 1 else None,
            )
        )
    return result


# --- The read model (EpisodeOutcome) ---------------------------------------------------------------


@dataclass
class _Record:
    """An OutcomeRecord's fields :func:`distance_travelled` reads, from ``values()`` rows."""

    pk: int
    stage: str
    recorded_on: object
    score_rows: list

    class _Scores:
        def __init__(self, rows):
            self._rows = rows

        def all(self):
            return self._rows

    @property
    def scores(self):
        return self._Scores(self.score_rows)


@dataclass(frozen=True)
class _Score:
    area: str
    practitioner_score: int
    family_score: int | None


def refresh_episode_outcomes(episode_ids: Iterable[int], *, models=None, batch_size: int = 500) -> int:
    """Rewrite the EpisodeOutcome rows of these episodes from their outcome scores, as
    :func:`distance_travelled` computes them (an area's row only when one of its four scores
    is known). Call it in the transaction that changes an episode's scores. ``models`` is an
    ``(OutcomeRecord, OutcomeScore, EpisodeOutcome)`` triple (a migration passes its historical
    models). Returns the number of rows written."""
    if models is None:
        from .models_casework import EpisodeOutcome, OutcomeRecord, OutcomeScore
    else:
        OutcomeRecord, OutcomeScore, EpisodeOutcome = models
    ids = sorted(set(episode_ids))
    written = 0
    for i in range(0, len(ids), batch_size):
        chunk = ids[i : i + batch_size]
        records: dict[int, _Record] = {}
        by_episode: dict[int, list[_Record]] = {pk: [] for pk in chunk}
        for pk, episode_id, stage, recorded_on in OutcomeRecord.objects.filter(episode_id__in=chunk).values_list(
            "pk", "episode_id", "stage", "recorded_on"
        ):
            records[pk] = _Record(pk, stage, recorded_on, [])
            by_episode[episode_id].append(records[pk])
        for record_id, area, practitioner, family in (
            OutcomeScore.objects.filter(record__episode_id__in=chunk)
            .order_by()
            .values_list("record_id", "area", "practitioner_score", "family_score")
        ):
            records[record_id].score_rows.append(_Score(area, practitioner, family))
        rows = []
        for episode_id, episode_records in by_episode.items():
            if not episode_records:
                continue
            for d in distance_travelled(episode_records):
                values = (d.start_practitioner, d.latest_practitioner, d.start_family, d.latest_family)
                if any(v is not None for v in values):
                    rows.append(
                        EpisodeOutcome(
                            episode_id=episode_id,
                            area=d.area,
                            start_practitioner=d.start_practitioner,
                            latest_practitioner=d.latest_practitioner,
                            start_family=d.start_family,
                            latest_family=d.latest_family,
                        )
                    )
        EpisodeOutcome.objects.filter(episode_id__in=chunk).delete()
        EpisodeOutcome.objects.bulk_create(rows, batch_size=batch_size)
        if models is None:  # the migration that made EpisodeOutcome came before the totals
            refresh_outcome_totals(chunk)
        written += len(rows)
    return written


def refresh_outcome_totals(episode_ids: Iterable[int], *, EpisodeOutcome=None, EpisodeOutcomeTotal=None) -> None:
    """Rewrite the EpisodeOutcomeTotal rows of these episodes from their EpisodeOutcome rows,
    in one aggregate query (migrations pass their historical models)."""
    if EpisodeOutcome is None or EpisodeOutcomeTotal is None:
        from .models_casework import EpisodeOutcome as _Outcome
        from .models_casework import EpisodeOutcomeTotal as _Total

        EpisodeOutcome, EpisodeOutcomeTotal = EpisodeOutcome or _Outcome, EpisodeOutcomeTotal or _Total
    ids = list(episode_ids)
    change_p = F("latest_practitioner") - F("start_practitioner")
    change_f = F("latest_family") - F("start_family")
    per_area = {}
    for code in AREA_CODES:
        practitioner, family = area_columns(code)
        per_area[practitioner] = Max(Case(When(area=code, then=change_p)))
        per_area[family] = Max(Case(When(area=code, then=change_f)))
    totals = (
        EpisodeOutcome.objects.filter(
            episode_id__in=ids, start_practitioner__isnull=False, latest_practitioner__isnull=False
        )
        .values("episode_id")
        .annotate(
            total=Sum(change_p),
            change_practitioner=Avg(Cast(change_p, FloatField())),
            change_family=Avg(Cast(change_f, FloatField())),
            **per_area,
        )
        .order_by()
    )
    rows = [EpisodeOutcomeTotal(improved=t.pop("total") > 0, **t) for t in totals]
    EpisodeOutcomeTotal.objects.filter(episode_id__in=ids).delete()
    EpisodeOutcomeTotal.objects.bulk_create(rows, batch_size=500)
