"""The database backend (the embedded default): SQLite FTS5 or PostgreSQL full text over
search/'s own denormalised index (:mod:`search.models`), the thesaurus expanded at query
time, misspellings corrected against the indexed vocabulary (trigram similarity on
PostgreSQL, edit distance on SQLite), a bounding box then the exact great-circle distance,
and facets by aggregate queries. A search costs a bounded number of queries whatever the
size of the directory (tests/search pin it)."""

# ruff: noqa: S608, S611 — SQL here names only the constant FTS_TABLE; every value is a parameter.
from __future__ import annotations

import datetime
import html
import math
from collections import defaultdict
from collections.abc import Iterable

from django.db import connection, transaction
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, TextField, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Length
from django.utils.safestring import mark_safe

from directory.languages import LANGUAGE_NAMES
from directory.models import TaxonomyTerm
from directory.models.choices import AttendanceMode, LevelOfNeed, Weekday
from directory.selectors import verification_cutoff
from search import text as textmod
from search.contract import (
    ACCESS,
    AGE,
    ATTEND,
    CATEGORY,
    DAY,
    DISTANCE,
    FREE,
    LANGUAGE,
    NEED,
    FacetValue,
    Hit,
    SearchQuery,
    SearchResults,
)
from search.documents import ServiceDocument, documents
from search.models import (
    IndexedClosure,
    IndexedLocation,
    IndexedOpening,
    IndexedService,
    IndexedTag,
    IndexedTerm,
)

FTS_TABLE = "directory_search_fts"
EARTH_RADIUS_M = 6_371_000
MARK_START, MARK_END = "\ue000", "\ue001"
AGE_BUCKETS = tuple(range(0, 19))
ACCESS_LABELS = {"self_referral": "Contact the service yourself", "professional_referral": "Referral by a professional"}
FREE_LABELS = {"yes": "Free"}
DAY_LABELS = dict(Weekday.choices)
ATTEND_LABELS = dict(AttendanceMode.choices)
NEED_LABELS = dict(LevelOfNeed.choices)


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi, dlambda = math.radians(lat2 - lat1), math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def bounding_box(lat: float, lon: float, radius_m: float) -> tuple[float, float, float, float]:
    dlat = math.degrees(radius_m / EARTH_RADIUS_M)
    dlon = math.degrees(radius_m / (EARTH_RADIUS_M * max(math.cos(math.radians(lat)), 0.01)))
    return lat - dlat, lat + dlat, lon - dlon, lon + dlon


def highlight(snippet: str) -> str:
    """Escape a snippet and turn the engine's private-use markers into <mark> elements."""
    escaped = html.escape(snippet or "")
    return mark_safe(escaped.replace(MARK_START, "<mark>").replace(MARK_END, "</mark>"))


# --- Writing the index --------------------------------------------------------------------------


def _delete_rows(page_ids: list[int] | None) -> None:
    for model in (IndexedTag, IndexedLocation, IndexedOpening, IndexedClosure):
        rows = model.objects.all() if page_ids is None else model.objects.filter(service_id__in=page_ids)
        rows._raw_delete(rows.db)
    services = IndexedService.objects.all() if page_ids is None else IndexedService.objects.filter(pk__in=page_ids)
    services._raw_delete(services.db)
    if not is_postgres():
        with connection.cursor() as cursor:
            if page_ids is None:
                cursor.execute(f"DELETE FROM {FTS_TABLE}")
            else:
                for start in range(0, len(page_ids), 500):
                    chunk = page_ids[start : start + 500]
                    cursor.execute(f"DELETE FROM {FTS_TABLE} WHERE rowid IN ({','.join(['%s'] * len(chunk))})", chunk)


def _write(docs: list[ServiceDocument]) -> None:
    if not docs:
        return
    IndexedService.objects.bulk_create(
        IndexedService(
            page_id=d.page_id,
            title=d.title[:255],
            summary=d.summary,
            description=d.description,
            taxonomy_text=d.taxonomy_text,
            organisation=d.organisation[:255],
            url=d.url[:500],
            status=d.status,
            minimum_age=d.minimum_age,
            maximum_age=d.maximum_age,
            is_free=d.is_free,
            review_due_on=d.review_due_on,
            has_public_location=bool(d.locations),
        )
        for d in docs
    )
    IndexedTag.objects.bulk_create(
        IndexedTag(service_id=d.page_id, dimension=dim, value=val[:64]) for d in docs for dim, val in d.tags
    )
    IndexedLocation.objects.bulk_create(
        IndexedLocation(service_id=d.page_id, latitude=lat, longitude=lng) for d in docs for lat, lng in d.locations
    )
    IndexedOpening.objects.bulk_create(
        IndexedOpening(service_id=d.page_id, day=o[0], opens_at=o[1], closes_at=o[2], valid_from=o[3], valid_to=o[4])
        for d in docs
        for o in d.openings
    )
    IndexedClosure.objects.bulk_create(
        IndexedClosure(service_id=d.page_id, start_date=s, end_date=e) for d in docs for s, e in d.closures
    )
    ids = [d.page_id for d in docs]
    if is_postgres():
        from django.contrib.postgres.search import SearchVector

        IndexedService.objects.filter(pk__in=ids).update(
            search_vector=SearchVector("title", weight="A", config="english")
            + SearchVector("summary", weight="B", config="english")
            + SearchVector("description", weight="C", config="english")
            + SearchVector("taxonomy_text", "organisation", weight="D", config="english")
        )
    else:
        with connection.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO {FTS_TABLE}(rowid, title, summary, description, taxonomy) VALUES (%s, %s, %s, %s, %s)",
                [(d.page_id, d.title, d.summary, d.description, f"{d.taxonomy_text} {d.organisation}") for d in docs],
            )
    vocabulary = set()
    for d in docs:
        for field in (d.title, d.summary, d.description, d.taxonomy_text, d.organisation):
            vocabulary.update(w for w in textmod.words(field) if 3 <= len(w) <= 64 and not w.isdigit())
    IndexedTerm.objects.bulk_create(
        (IndexedTerm(term=w) for w in sorted(vocabulary)), ignore_conflicts=True, batch_size=1000
    )


def index_pages(page_ids: Iterable[int]) -> int:
    """Re-index these pages: public ones are (re)written, the rest removed."""
    page_ids = list(page_ids)
    docs = list(documents(page_ids))
    with transaction.atomic():
        _delete_rows(page_ids)
        _write(docs)
    return len(docs)


def rebuild(progress=None) -> int:
    """Rebuild the whole index in one transaction: searches keep seeing the old rows until it
    commits (PostgreSQL MVCC, SQLite WAL)."""
    count = 0
    with transaction.atomic():
        _delete_rows(None)
        IndexedTerm.objects.all().delete()
        batch: list[ServiceDocument] = []
        for doc in documents():
            batch.append(doc)
            if len(batch) >= 500:
                _write(batch)
                count += len(batch)
                batch = []
                if progress:
                    progress(count)
        _write(batch)
        count += len(batch)
        # Thesaurus words are vocabulary too, so "autisim" is corrected even if no listing says "autism".
        words = {w for g in textmod.synonym_groups() for t in g for w in t.split() if len(w) >= 3}
        IndexedTerm.objects.bulk_create((IndexedTerm(term=w) for w in sorted(words)), ignore_conflicts=True)
        if progress:
            progress(count)
    return count


# --- Searching -----------------------------------------------------------------------------------


def _fts5_expression(clauses: list[textmod.Clause], operator: str = "AND") -> str:
    """An FTS5 MATCH expression built only from quoted [0-9a-z] words: no user syntax."""
    parts = []
    for clause in clauses:
        alternatives = ['"' + " ".join(words) + '"' for words in clause.alternatives]
        parts.append("(" + " OR ".join(alternatives) + ")")
    return f" {operator} ".join(parts)


def _pg_query(clauses: list[textmod.Clause], operator: str = "AND"):
    from django.contrib.postgres.search import SearchQuery as PgQuery

    combined = None
    for clause in clauses:
        alternative_query = None
        for words in clause.alternatives:
            q = PgQuery(" ".join(words), search_type="phrase" if len(words) > 1 else "plain", config="english")
            alternative_query = q if alternative_query is None else alternative_query | q
        if combined is None:
            combined = alternative_query
        elif operator == "AND":
            combined = combined & alternative_query
        else:
            combined = combined | alternative_query
    return combined


class _TextMatch:
    """The text part of a search on this database: a filter and a score per page id."""

    def __init__(self, clauses: list[textmod.Clause], operator: str):
        self.clauses = clauses
        self.operator = operator
        if is_postgres():
            self.pg_query = _pg_query(clauses, operator)
        else:
            self.expression = _fts5_expression(clauses, operator)

    def q(self) -> Q:
        if is_postgres():
            return Q(search_vector=self.pg_query)
        return Q(page_id__in=RawSQL(f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s", [self.expression]))

    def annotate_rank(self, queryset: QuerySet) -> QuerySet:
        if is_postgres():
            from django.contrib.postgres.search import SearchRank

            return queryset.annotate(rank=SearchRank(F("search_vector"), self.pg_query, normalization=Value(1)))
        return queryset

    def sqlite_scores(self) -> dict[int, float]:
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT rowid, bm25({FTS_TABLE}, 10.0, 5.0, 2.0, 1.0) FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s",
                [self.expression],
            )
            return {row[0]: -row[1] for row in cursor.fetchall()}

    def snippets(self, page_ids: list[int]) -> dict[int, str]:
        if not page_ids:
            return {}
        if is_postgres():
            from django.contrib.postgres.search import SearchHeadline
            from django.db.models.functions import Concat

            rows = IndexedService.objects.filter(pk__in=page_ids).annotate(
                headline=SearchHeadline(
                    Concat("summary", Value(" "), "description", output_field=TextField()),
                    self.pg_query,
                    config="english",
                    start_sel=MARK_START,
                    stop_sel=MARK_END,
                    max_words=30,
                    min_words=12,
                )
            )
            return dict(rows.values_list("page_id", "headline"))
        placeholders = ",".join(["%s"] * len(page_ids))
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT rowid, snippet({FTS_TABLE}, -1, %s, %s, '…', 24) FROM {FTS_TABLE} "
                f"WHERE {FTS_TABLE} MATCH %s AND rowid IN ({placeholders})",
                [MARK_START, MARK_END, self.expression, *page_ids],
            )
            return dict(cursor.fetchall())


class DatabaseBackend:
    name = "database"

    # --- index ---
    def index_service(self, page_id: int) -> None:
        index_pages([page_id])

    def remove_service(self, page_id: int) -> None:
        with transaction.atomic():
            _delete_rows([page_id])

    def rebuild(self, progress=None) -> int:
        return rebuild(progress)

    # --- suggest (typeahead) ---
    def suggest(self, prefix: str, limit: int = 8) -> list[str]:
        prefix = textmod.normalise_term(prefix)[:50]
        if len(prefix) < 2:
            return []
        cutoff = verification_cutoff()
        titles = list(
            IndexedService.objects.filter(title__istartswith=prefix, review_due_on__gte=cutoff)
            .order_by("title")
            .values_list("title", flat=True)[:limit]
        )
        out = list(dict.fromkeys(titles))
        if len(out) < limit:
            last = prefix.split()[-1]
            head = prefix[: len(prefix) - len(last)]
            for group in textmod.synonym_groups():
                for term in group:
                    if term.startswith(prefix) and term not in out:
                        out.append(term)
            terms = IndexedTerm.objects.filter(term__startswith=last).order_by(Length("term"), "term")
            for term in terms.values_list("term", flat=True)[: limit * 2]:
                candidate = f"{head}{term}"
                if candidate not in out:
                    out.append(candidate)
        return out[:limit]

    # --- search ---
    def search(self, query: SearchQuery) -> SearchResults:
        clauses = textmod.parse(query.text)
        results = self._run(query, clauses, "AND", allow_empty=not clauses)
        if results is None and len(clauses) > 1:
            results = self._run(query, clauses, "OR")
        if results is None and query.suggest and clauses:
            corrected = self._correct(clauses)
            if corrected:
                rewritten = self._run(query, textmod.parse(corrected), "AND") or self._run(
                    query, textmod.parse(corrected), "OR"
                )
                if rewritten is not None:
                    rewritten.did_you_mean = corrected
                    rewritten.rewritten_from = query.text
                    return rewritten
        if results is None:
            results = self._run(query, clauses, "AND", allow_empty=True)
            if query.suggest and clauses:
                results.did_you_mean = self._correct(clauses)
        return results

    def _correct(self, clauses: list[textmod.Clause]) -> str:
        """The query with each unknown word replaced by the nearest indexed word ('' if none)."""
        plain = [c.original for c in clauses if not c.expanded]
        known = set(IndexedTerm.objects.filter(term__in=plain).values_list("term", flat=True))
        synonym_words = {w for g in textmod.synonym_groups() for t in g for w in t.split()}
        changed = False
        out = []
        for clause in clauses:
            word = clause.original
            if clause.expanded or word in known or word in synonym_words or textmod.allowed_edits(word) == 0:
                out.append(word)
                continue
            best = self._nearest(word, synonym_words)
            if best and best != word:
                changed = True
                out.append(best)
            else:
                out.append(word)
        return " ".join(out) if changed else ""

    def _nearest(self, word: str, extra: set[str]) -> str:
        limit = textmod.allowed_edits(word)
        if is_postgres():
            from django.contrib.postgres.search import TrigramSimilarity

            candidates = list(
                IndexedTerm.objects.annotate(sim=TrigramSimilarity("term", word))
                .filter(sim__gt=0.25)
                .order_by("-sim")
                .values_list("term", flat=True)[:20]
            )
        else:
            candidates = list(
                IndexedTerm.objects.annotate(n=Length("term"))
                .filter(n__gte=len(word) - limit, n__lte=len(word) + limit)
                .filter(Q(term__startswith=word[0]) | Q(term__startswith=word[1]))
                .values_list("term", flat=True)[:5000]
            )
        scored = []
        for candidate in set(candidates) | {w for w in extra if abs(len(w) - len(word)) <= limit}:
            distance = textmod.edit_distance(word, candidate, limit)
            if distance <= limit:
                scored.append((distance, candidate not in extra, -len(candidate), candidate))
        if not scored:
            return ""
        scored.sort()
        return scored[0][3]

    # --- the filters ---
    def _filters(self, query: SearchQuery, text: _TextMatch | None) -> dict[str, Q]:
        """One Q per active filter dimension (facet counts leave their own dimension out)."""
        out: dict[str, Q] = {}
        if text is not None:
            out["text"] = text.q()
        if query.categories:
            out[CATEGORY] = self._tag_q(CATEGORY, query.categories)
        if query.age is not None:
            out[AGE] = (Q(minimum_age__isnull=True) | Q(minimum_age__lte=query.age)) & (
                Q(maximum_age__isnull=True) | Q(maximum_age__gte=query.age)
            )
        if query.free_only:
            out[FREE] = Q(is_free=True)
        if query.access:
            out[ACCESS] = self._tag_q(ACCESS, [query.access])
        if query.attendance:
            out[ATTEND] = self._tag_q(ATTEND, query.attendance)
        if query.language:
            out[LANGUAGE] = self._tag_q(LANGUAGE, [query.language])
        if query.needs:
            out[NEED] = self._tag_q(NEED, query.needs)
        day = query.effective_date()
        if day is not None:
            code = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")[day.weekday()]
            openings = IndexedOpening.objects.filter(service=OuterRef("pk"), day=code).filter(
                Q(valid_from__isnull=True) | Q(valid_from__lte=day), Q(valid_to__isnull=True) | Q(valid_to__gte=day)
            )
            if query.open_time is not None:
                openings = openings.filter(
                    Q(opens_at__isnull=True) | Q(opens_at__lte=query.open_time),
                    Q(closes_at__isnull=True) | Q(closes_at__gt=query.open_time),
                )
            closed = IndexedClosure.objects.filter(service=OuterRef("pk"), start_date__lte=day, end_date__gte=day)
            out[DAY] = Q(Exists(openings)) & ~Q(Exists(closed)) & ~Q(status="temporarily closed")
        if query.has_centre:
            south, north, west, east = bounding_box(query.latitude, query.longitude, query.radius)
            near = IndexedLocation.objects.filter(
                service=OuterRef("pk"), latitude__range=(south, north), longitude__range=(west, east)
            )
            # Services with no public place (online, phone, refuges found by area) stay in.
            out["near"] = Q(Exists(near)) | Q(has_public_location=False)
        return out

    @staticmethod
    def _tag_q(dimension: str, values: Iterable[str]) -> Q:
        return Q(Exists(IndexedTag.objects.filter(service=OuterRef("pk"), dimension=dimension, value__in=list(values))))

    def _base(self) -> QuerySet[IndexedService]:
        return IndexedService.objects.filter(review_due_on__gte=verification_cutoff())

    def _ranked(self, query: SearchQuery, clauses, operator: str):
        """Every matching page id in result order, with scores, distances and the filters."""
        text = _TextMatch(clauses, operator) if clauses else None
        filters = self._filters(query, text)
        matched = self._base().filter(*filters.values())
        rows_qs = matched.order_by("title", "page_id")
        if text is not None and is_postgres():
            rows = list(text.annotate_rank(rows_qs).values_list("page_id", "has_public_location", "rank"))
            scores = {pk: rank for pk, _, rank in rows}
        else:
            rows = list(rows_qs.values_list("page_id", "has_public_location"))
            scores = text.sqlite_scores() if (text is not None and rows) else {}

        distances: dict[int, float] = {}
        if query.has_centre and rows:
            south, north, west, east = bounding_box(query.latitude, query.longitude, query.radius)
            located = {pk for pk, has_location, *_ in rows if has_location}
            for service_id, lat, lng in IndexedLocation.objects.filter(
                latitude__range=(south, north), longitude__range=(west, east)
            ).values_list("service_id", "latitude", "longitude"):
                if service_id in located:
                    metres = haversine_m(query.latitude, query.longitude, lat, lng)
                    if metres <= query.radius and metres < distances.get(service_id, math.inf):
                        distances[service_id] = metres
            rows = [row for row in rows if not row[1] or row[0] in distances]
        ordered = self._order(query, [row[0] for row in rows], scores, distances)
        return ordered, scores, distances, filters, text

    def ranked_ids(self, query: SearchQuery) -> list[int]:
        """All matching page ids in relevance order (the ORUK API's ``search``)."""
        clauses = textmod.parse(query.text)
        ordered = self._ranked(query, clauses, "AND")[0]
        if not ordered and len(clauses) > 1:
            ordered = self._ranked(query, clauses, "OR")[0]
        return ordered

    def _run(self, query: SearchQuery, clauses, operator: str, allow_empty: bool = False) -> SearchResults | None:
        ordered, scores, distances, filters, text = self._ranked(query, clauses, operator)
        if not ordered and not allow_empty:
            return None
        total = len(ordered)
        page_ids = ordered[query.offset : query.offset + query.size]
        hits = self._hits(page_ids, scores, distances, text)
        facets = self._facets(query, filters) if query.facets else {}
        return SearchResults(query=query, hits=hits, total=total, facets=facets, backend=self.name)

    @staticmethod
    def _order(query: SearchQuery, ids: list[int], scores: dict[int, float], distances: dict[int, float]) -> list[int]:
        # ids arrive in title order, so every sort below breaks ties by title.
        if query.sort == DISTANCE and query.has_centre:
            return sorted(ids, key=lambda pk: (pk not in distances, distances.get(pk, 0.0), -scores.get(pk, 0.0)))
        if not scores:
            if query.has_centre:
                return sorted(ids, key=lambda pk: (pk not in distances, distances.get(pk, 0.0)))
            return ids
        if query.has_centre:
            # Relevance blended with distance: a gentle decay, halving the score at 5 miles.
            scale = 5 * 1609.344
            return sorted(ids, key=lambda pk: -scores.get(pk, 0.0) / (1 + distances.get(pk, query.radius) / scale))
        return sorted(ids, key=lambda pk: -scores.get(pk, 0.0))

    def _hits(self, page_ids, scores, distances, text: _TextMatch | None) -> list[Hit]:
        if not page_ids:
            return []
        by_id = IndexedService.objects.in_bulk(page_ids)
        snippets = text.snippets(page_ids) if text is not None else {}
        hits = []
        for pk in page_ids:
            row = by_id[pk]
            snippet = snippets.get(pk)
            hits.append(
                Hit(
                    page_id=pk,
                    title=row.title,
                    url=row.url,
                    summary=row.summary,
                    organisation=row.organisation,
                    status=row.status,
                    score=float(scores.get(pk, 0.0)),
                    distance_m=distances.get(pk),
                    snippet=highlight(snippet) if snippet and MARK_START in snippet else "",
                )
            )
        return hits

    def _facets(self, query: SearchQuery, filters: dict[str, Q]) -> dict[str, list[FacetValue]]:
        tag_dims = (CATEGORY, ACCESS, ATTEND, DAY, NEED, LANGUAGE)
        counts: dict[str, dict[str, int]] = defaultdict(dict)
        base = self._base()
        everything = base.filter(*filters.values()).values("pk")
        inactive = [d for d in tag_dims if d not in filters]
        if inactive:
            rows = (
                IndexedTag.objects.filter(service__in=everything, dimension__in=inactive)
                .values_list("dimension", "value")
                .annotate(n=Count("service_id"))
            )
            for dim, value, n in rows:
                counts[dim][value] = n
        for dim in tag_dims:
            if dim in filters:
                others = base.filter(*(q for key, q in filters.items() if key != dim)).values("pk")
                rows = (
                    IndexedTag.objects.filter(service__in=others, dimension=dim)
                    .values_list("value")
                    .annotate(n=Count("service_id"))
                )
                counts[dim] = dict(rows)
        # Free and age: conditional counts in one aggregate over the set without their own filters.
        others = base.filter(*(q for key, q in filters.items() if key not in (FREE, AGE)))
        aggregates = {"free": Count("pk", filter=Q(is_free=True))}
        for age in AGE_BUCKETS:
            aggregates[f"age_{age}"] = Count(
                "pk",
                filter=(Q(minimum_age__isnull=True) | Q(minimum_age__lte=age))
                & (Q(maximum_age__isnull=True) | Q(maximum_age__gte=age)),
            )
        if FREE in filters or AGE in filters:
            # Each needs the other's filter applied: two small aggregates.
            free_n = base.filter(*(q for key, q in filters.items() if key != FREE)).aggregate(n=aggregates["free"])["n"]
            ages = base.filter(*(q for key, q in filters.items() if key != AGE)).aggregate(
                **{k: v for k, v in aggregates.items() if k != "free"}
            )
        else:
            ages = others.aggregate(**aggregates)
            free_n = ages.pop("free")
        counts[FREE] = {"yes": free_n}

        term_ids = list(counts[CATEGORY]) + list(query.categories)
        term_names = (
            dict(TaxonomyTerm.objects.filter(oruk_id__in=_uuids(term_ids)).values_list("oruk_id", "name"))
            if term_ids
            else {}
        )
        term_names = {str(k): v for k, v in term_names.items()}

        def values(dim: str, labels: dict[str, str], selected: Iterable[str], order: list[str] | None = None):
            selected = set(selected)
            keys = order if order is not None else sorted(counts[dim], key=lambda v: labels.get(v, v))
            keys = [k for k in keys if counts[dim].get(k) or k in selected]
            return [FacetValue(k, labels.get(k, k), counts[dim].get(k, 0), k in selected) for k in keys]

        facets = {
            CATEGORY: values(CATEGORY, term_names, query.categories),
            ACCESS: values(ACCESS, ACCESS_LABELS, [query.access] if query.access else [], list(ACCESS_LABELS)),
            ATTEND: values(ATTEND, ATTEND_LABELS, query.attendance, list(ATTEND_LABELS)),
            DAY: values(DAY, DAY_LABELS, [query.open_day] if query.open_day else [], list(DAY_LABELS)),
            NEED: values(NEED, NEED_LABELS, query.needs, list(NEED_LABELS)),
            LANGUAGE: values(LANGUAGE, LANGUAGE_NAMES, [query.language] if query.language else []),
            FREE: values(FREE, FREE_LABELS, ["yes"] if query.free_only else [], ["yes"]),
            AGE: [FacetValue(str(age), str(age), ages[f"age_{age}"], query.age == age) for age in AGE_BUCKETS],
        }
        return facets


def _uuids(values: Iterable[str]) -> list:
    import uuid

    out = []
    for value in values:
        try:
            out.append(uuid.UUID(str(value)))
        except ValueError:
            continue
    return out


def next_weekday(code: str, today: datetime.date) -> datetime.date:
    order = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
    return today + datetime.timedelta(days=(order.index(code) - today.weekday()) % 7)
