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
import json
import math
from collections import defaultdict
from collections.abc import Iterable

from django.db import connection, transaction
from django.db.models import Exists, F, IntegerField, OuterRef, Q, QuerySet, TextField, Value
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
    # The full-text match runs once per search: one query returns every page matching the text
    # (with its score and the columns the filters read), and every filter and facet count is then
    # worked out in Python over that candidate set, with the tags (and, for a day, the opening
    # check) fetched for the candidates by id. Facet counts leave their own dimension's filter out.

    def _fail_sql(self, query: SearchQuery, t: str) -> tuple[str, str, str, list]:
        """SQL for 1 when a row fails the near, free and age filters (0 when it passes or the
        filter is off), with their parameters. ``t`` names the service table in the query."""
        params: list = []
        near = free = age = "0"
        if query.has_centre:
            south, north, west, east = bounding_box(query.latitude, query.longitude, query.radius)
            loc = IndexedLocation._meta.db_table
            near = (
                f"CASE WHEN {t}.has_public_location AND NOT EXISTS (SELECT 1 FROM {loc} l "
                f"WHERE l.service_id = {t}.page_id AND l.latitude BETWEEN %s AND %s "
                f"AND l.longitude BETWEEN %s AND %s) THEN 1 ELSE 0 END"
            )
            params += [south, north, west, east]
        if query.free_only:
            free = f"CASE WHEN {t}.is_free THEN 0 ELSE 1 END"
        if query.age is not None:
            age = (
                f"CASE WHEN ({t}.minimum_age IS NULL OR {t}.minimum_age <= %s) "
                f"AND ({t}.maximum_age IS NULL OR {t}.maximum_age >= %s) THEN 0 ELSE 1 END"
            )
            params += [query.age, query.age]
        return near, free, age, params

    def _candidates(self, query: SearchQuery, text: _TextMatch | None) -> tuple[list[tuple], dict[int, float]]:
        """(page_id, has_public_location, is_free, minimum_age, maximum_age, near_fail, free_fail,
        age_fail) for every verified page that matches the text and fails at most one of the near,
        free and age filters (no other page can count in the results or a facet), in title order,
        and the text score per page."""
        columns = ("page_id", "has_public_location", "is_free", "minimum_age", "maximum_age")
        if not is_postgres() and text is not None:
            near, free, age, params = self._fail_sql(query, "s")
            table = IndexedService._meta.db_table
            with connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT * FROM (SELECT s.page_id, s.has_public_location, s.is_free, s.minimum_age, "
                    f"s.maximum_age, {near} AS nf, {free} AS ff, {age} AS af, "
                    f"bm25({FTS_TABLE}, 10.0, 5.0, 2.0, 1.0) AS score, s.title AS title FROM {FTS_TABLE} "
                    f"JOIN {table} s ON s.page_id = {FTS_TABLE}.rowid "
                    f"WHERE {FTS_TABLE} MATCH %s AND s.review_due_on >= %s) "
                    f"WHERE nf + ff + af <= 1 ORDER BY title, page_id",
                    [*params, text.expression, verification_cutoff().isoformat()],
                )
                rows = cursor.fetchall()
            return [(r[0], bool(r[1]), r[2], r[3], r[4], r[5], r[6], r[7]) for r in rows], {r[0]: -r[8] for r in rows}
        near, free, age, params = self._fail_sql(query, IndexedService._meta.db_table)
        base = (
            self._base()
            .annotate(
                nf=RawSQL(near, params[:4] if query.has_centre else [], output_field=IntegerField()),
                ff=RawSQL(free, [], output_field=IntegerField()),
                af=RawSQL(age, params[4:] if query.has_centre else params, output_field=IntegerField()),
            )
            .annotate(fails=F("nf") + F("ff") + F("af"))
            .filter(fails__lte=1)
            .order_by("title", "page_id")
        )
        if text is None:
            return list(base.values_list(*columns, "nf", "ff", "af")), {}
        rows = list(text.annotate_rank(base.filter(text.q())).values_list(*columns, "nf", "ff", "af", "rank"))
        return [row[:8] for row in rows], {row[0]: row[8] for row in rows}

    @staticmethod
    def _ids(ids: list[int]) -> RawSQL:
        """The given ids as a subquery with one parameter (no per-id placeholders)."""
        if is_postgres():
            return RawSQL("SELECT unnest(%s::integer[])", [list(ids)])
        return RawSQL("SELECT value FROM json_each(%s)", [json.dumps(list(ids))])

    @staticmethod
    def _tag_filters(query: SearchQuery) -> dict[str, set[str]]:
        out = {}
        if query.categories:
            out[CATEGORY] = set(query.categories)
        if query.access:
            out[ACCESS] = {query.access}
        if query.attendance:
            out[ATTEND] = set(query.attendance)
        if query.language:
            out[LANGUAGE] = {query.language}
        if query.needs:
            out[NEED] = set(query.needs)
        return out

    def _open_q(self, query: SearchQuery, day: datetime.date) -> Q:
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
        return Q(Exists(openings)) & ~Q(Exists(closed)) & ~Q(status="temporarily closed")

    def _base(self) -> QuerySet[IndexedService]:
        return IndexedService.objects.filter(review_due_on__gte=verification_cutoff())

    def _ranked(self, query: SearchQuery, clauses, operator: str, facets: bool = False):
        """Every matching page id in result order, with scores and distances, and (when asked)
        the per-candidate state the facet counts are made from."""
        text = _TextMatch(clauses, operator) if clauses else None
        candidates, scores = self._candidates(query, text)

        # Which filters each candidate fails, as a set of dimension names.
        failed: dict[int, set[str]] = {}
        free_values: dict[int, bool] = {}
        ages: dict[int, tuple] = {}
        for pk, _, is_free, minimum, maximum, near_fail, free_fail, age_fail in candidates:
            free_values[pk] = bool(is_free)
            ages[pk] = (minimum, maximum)
            miss = set()
            if near_fail:
                miss.add("near")
            if free_fail:
                miss.add(FREE)
            if age_fail:
                miss.add(AGE)
            failed[pk] = miss

        # Only candidates failing at most one filter can count anywhere (results or a facet).
        live = [pk for pk, _, *_ in candidates if len(failed[pk]) <= 1]
        day = query.effective_date()
        if day is not None and live:
            open_ids = set(
                IndexedService.objects.filter(pk__in=self._ids(live))
                .filter(self._open_q(query, day))
                .values_list("pk", flat=True)
            )
            for pk in live:
                if pk not in open_ids:
                    failed[pk].add(DAY)
            live = [pk for pk in live if len(failed[pk]) <= 1]

        tag_filters = self._tag_filters(query)
        tags: dict[int, list[tuple[str, str]]] = defaultdict(list)
        if live and (facets or tag_filters):
            tag_rows = IndexedTag.objects.filter(service_id__in=self._ids(live))
            if not facets:
                tag_rows = tag_rows.filter(dimension__in=list(tag_filters))
            for service_id, dimension, value in tag_rows.values_list("service_id", "dimension", "value"):
                tags[service_id].append((dimension, value))
            if tag_filters:
                for pk in live:
                    have: dict[str, set[str]] = defaultdict(set)
                    for dimension, value in tags.get(pk, ()):
                        have[dimension].add(value)
                    for dimension, wanted in tag_filters.items():
                        if not (have[dimension] & wanted):
                            failed[pk].add(dimension)
                live = [pk for pk in live if len(failed[pk]) <= 1]

        has_location = {row[0]: row[1] for row in candidates}
        matched = [pk for pk in live if not failed[pk]]
        distances: dict[int, float] = {}
        if query.has_centre and matched:
            located = [pk for pk in matched if has_location[pk]]
            south, north, west, east = bounding_box(query.latitude, query.longitude, query.radius)
            # Run even when no result has a place, so a search costs the same number of queries.
            box_locations = IndexedLocation.objects.filter(
                service_id__in=self._ids(located),
                latitude__range=(south, north),
                longitude__range=(west, east),
            ).values_list("service_id", "latitude", "longitude")
            for service_id, lat, lng in box_locations:
                metres = haversine_m(query.latitude, query.longitude, lat, lng)
                if metres <= query.radius and metres < distances.get(service_id, math.inf):
                    distances[service_id] = metres
            matched = [pk for pk in matched if not has_location[pk] or pk in distances]
        ordered = self._order(query, matched, scores, distances)
        state = (live, failed, tags, free_values, ages, tag_filters)
        return ordered, scores, distances, state, text

    def ranked_ids(self, query: SearchQuery) -> list[int]:
        """All matching page ids in relevance order (the ORUK API's ``search``)."""
        clauses = textmod.parse(query.text)
        ordered = self._ranked(query, clauses, "AND")[0]
        if not ordered and len(clauses) > 1:
            ordered = self._ranked(query, clauses, "OR")[0]
        return ordered

    def _run(self, query: SearchQuery, clauses, operator: str, allow_empty: bool = False) -> SearchResults | None:
        ordered, scores, distances, state, text = self._ranked(query, clauses, operator, facets=query.facets)
        if not ordered and not allow_empty:
            return None
        total = len(ordered)
        page_ids = ordered[query.offset : query.offset + query.size]
        hits = self._hits(page_ids, scores, distances, text)
        facets = self._facets(query, state) if query.facets else {}
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

    def _facets(self, query: SearchQuery, state) -> dict[str, list[FacetValue]]:
        live, failed, tags, free_values, ages_of, _tag_filters = state
        tag_dims = (CATEGORY, ACCESS, ATTEND, DAY, NEED, LANGUAGE)
        counts: dict[str, dict[str, int]] = defaultdict(dict)
        for dim in tag_dims:
            counts[dim] = defaultdict(int)
        # A page counts towards a dimension's values when it passes every filter but that dimension's own.
        for pk in live:
            miss = failed[pk]
            for dimension, value in tags.get(pk, ()):
                if dimension in counts and (not miss or miss == {dimension}):
                    counts[dimension][value] += 1
        free_n = 0
        steps = [0] * (len(AGE_BUCKETS) + 1)  # a difference array over the age buckets 0..18
        for pk in live:
            miss = failed[pk]
            if free_values[pk] and (not miss or miss == {FREE}):
                free_n += 1
            if not miss or miss == {AGE}:
                minimum, maximum = ages_of[pk]
                low = max(AGE_BUCKETS[0], AGE_BUCKETS[0] if minimum is None else minimum)
                high = min(AGE_BUCKETS[-1], AGE_BUCKETS[-1] if maximum is None else maximum)
                if low <= high:
                    steps[low] += 1
                    steps[high + 1] -= 1
        ages, running = {}, 0
        for age in AGE_BUCKETS:
            running += steps[age]
            ages[f"age_{age}"] = running
        counts = {dim: {k: n for k, n in values.items() if n} for dim, values in counts.items()}
        counts = defaultdict(dict, counts)
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
