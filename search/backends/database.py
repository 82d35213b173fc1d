"""The database backend (the embedded default): SQLite FTS5 or PostgreSQL full text over
search/'s own denormalised index (:mod:`search.models`), the thesaurus expanded at query
time, misspellings corrected against the indexed vocabulary (trigram similarity on
PostgreSQL, edit distance on SQLite), a bounding box then the exact great-circle distance,
and facets by aggregates — all in one SQL statement per search (see "Searching" below;
tests/search pin the query count; docs/decisions/0007-search.md explains the design)."""

# ruff: noqa: S608 — SQL here names only the constant FTS_TABLE; every value is a parameter.
from __future__ import annotations

import datetime
import html
import math
from collections import defaultdict
from collections.abc import Iterable

from django.db import connection, transaction
from django.db.models import Q
from django.db.models.functions import Length
from django.utils.safestring import mark_safe

from directory.languages import LANGUAGE_NAMES
from directory.models import TaxonomyTerm
from directory.models.choices import AttendanceMode, LevelOfNeed, Weekday
from directory.selectors import verification_cutoff
from search import cache as search_cache
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
    WEEKDAYS,
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
# A search is ONE SQL statement (postcode coordinates, category names and the thesaurus come
# from per-process memos: search/cache.py):
#
#   d   (with a centre; not on SQLite with text, see _Plan._near_sql) the services near it: a
#       public location in the bounding box (an index range scan) and within the radius by
#       the exact great-circle distance;
#   f   every verified service matching the text (FTS5 MATCH / tsvector @@) that is near the
#       centre or has no public location, with its distance and its failed filters as a bit
#       mask; the text score (bm25 / ts_rank) only for rows passing the column filters;
#   c   the rows that can count anywhere: those passing every filter, and those failing
#       exactly one facet dimension (a dimension's counts leave its own filter out);
#   then, from c, UNION ALL of: the page of hits (ranked by ROW_NUMBER() over the sort, then
#   LIMIT/OFFSET, joined back to the service rows for their display columns; the snippets are
#   highlighted in Python), the total, the tag facet counts (GROUP BY dimension, value) and
#   the age facet counts (a join with the ages 0..18).
#
# The text is matched once (f is materialised), no candidate rows travel to Python (only the
# page of hits and the aggregate rows do), and the statement count does not grow with the
# size of the directory or of the result.

DISTANCE_DECAY_M = 5 * 1609.344  # relevance halves at 5 miles when blended with distance
SNIPPET_TOKENS = 24


def _fts5_expression(clauses: list[textmod.Clause], operator: str = "AND") -> str:
    """An FTS5 MATCH expression built only from quoted [0-9a-z] words: no user syntax."""
    parts = []
    for clause in clauses:
        alternatives = ['"' + " ".join(words) + '"' for words in clause.alternatives]
        parts.append("(" + " OR ".join(alternatives) + ")")
    return f" {operator} ".join(parts)


def _tsquery_sql(clauses: list[textmod.Clause], operator: str = "AND") -> tuple[str, list[str]]:
    """A PostgreSQL tsquery expression: each clause any of its alternatives (a phrase for
    several words), the clauses joined by AND or OR. Words are parameters, never syntax."""
    parts, params = [], []
    for clause in clauses:
        alternatives = []
        for words in clause.alternatives:
            function = "phraseto_tsquery" if len(words) > 1 else "plainto_tsquery"
            alternatives.append(f"{function}('english'::regconfig, %s)")
            params.append(" ".join(words))
        parts.append("(" + " || ".join(alternatives) + ")")
    joiner = " && " if operator == "AND" else " || "
    return "(" + joiner.join(parts) + ")", params


class _Sql:
    """SQL text with its parameters, built in order."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.params: list = []

    def add(self, sql: str, *params) -> _Sql:
        self.parts.append(sql)
        self.params.extend(params)
        return self

    def __str__(self) -> str:
        return "".join(self.parts)


class _Plan:
    """The single statement behind one search (see the comment above)."""

    def __init__(self, query: SearchQuery, clauses: list[textmod.Clause], operator: str):
        self.query = query
        self.clauses = clauses
        self.operator = operator
        self.postgres = is_postgres()
        self.has_text = bool(clauses)
        self.stems: frozenset[str] | None = None  # for the snippets, computed once
        # SQLite with text: the exact distance only for the services matching the text (see _near_sql).
        self.late_distance = self.has_text and not self.postgres and query.has_centre
        if self.has_text:
            if self.postgres:
                self.tsquery, self.tsquery_params = _tsquery_sql(clauses, operator)
            else:
                self.match = _fts5_expression(clauses, operator)

    # --- pieces ---
    def _metres_sql(self) -> tuple[str, list]:
        """The exact great-circle distance in metres from the centre to the location ``l``
        (haversine, as :func:`haversine_m`: 2R·asin(√(sin²(Δφ/2) + cos φ1 cos φ2 sin²(Δλ/2))))."""
        q = self.query
        lat0, lon0 = math.radians(q.latitude), math.radians(q.longitude)
        clamp = "LEAST" if self.postgres else "MIN"
        metres = (
            f"2 * {EARTH_RADIUS_M} * ASIN({clamp}(1.0, SQRT("
            "SIN((RADIANS(l.latitude) - %s) / 2) * SIN((RADIANS(l.latitude) - %s) / 2)"
            " + %s * COS(RADIANS(l.latitude))"
            " * SIN((RADIANS(l.longitude) - %s) / 2) * SIN((RADIANS(l.longitude) - %s) / 2))))"
        )
        return metres, [lat0, lat0, math.cos(lat0), lon0, lon0]

    def _near_sql(self, sql: _Sql) -> None:
        """``d``: the services with a public location inside the bounding box (found by the
        latitude/longitude index). A service is near when its nearest public location is within
        the radius by the exact great-circle distance, or when it has no public location at all
        (refuges, phone and online services: they serve the area, and have no distance). A
        service failing near counts nowhere (near is not a facet).

        With text on SQLite (``late_distance``) there is no ``d``: each service matching the
        text is probed for a public location in the box (the service/latitude/longitude index,
        no table read), the exact distance is computed in ``f`` for those only, and ``c`` drops
        the box's corners (beyond the radius). The text is usually far more selective than the
        box, and building ``d`` (every location in the box) cost more than the whole search.
        Otherwise ``d`` is (service_id, metres) of the services within the radius, joined in
        ``f`` before the service row is read."""
        q = self.query
        if self.late_distance:
            return
        metres, metres_params = self._metres_sql()
        sql.add(
            "d AS (SELECT service_id, metres FROM (SELECT l.service_id, "
            f"MIN({metres}) AS metres FROM {IndexedLocation._meta.db_table} l "
            f"WHERE {self._box_sql()} GROUP BY l.service_id) box "
            "WHERE metres <= %s), ",
            *metres_params,
            *self._box_params(),
            q.radius,
        )

    @staticmethod
    def _box_sql() -> str:
        return "l.latitude BETWEEN %s AND %s AND l.longitude BETWEEN %s AND %s"

    def _box_params(self) -> list[float]:
        return list(bounding_box(self.query.latitude, self.query.longitude, self.query.radius))

    def _fails(self) -> list[tuple[str, str, list]]:
        """(dimension, SQL that is 1 when a row fails the filter, parameters) for every facet
        filter, over the service row ``s``: free and age read columns, the others are
        correlated EXISTS on the page id. (Near is a join: see _near_sql.)"""
        q, fails = self.query, []
        ops = connection.ops
        if q.free_only:
            fails.append((FREE, "CASE WHEN s.is_free THEN 0 ELSE 1 END", []))
        if q.age is not None:
            fails.append(
                (
                    AGE,
                    "CASE WHEN (s.minimum_age IS NULL OR s.minimum_age <= %s) "
                    "AND (s.maximum_age IS NULL OR s.maximum_age >= %s) THEN 0 ELSE 1 END",
                    [q.age, q.age],
                )
            )
        day = q.effective_date()
        if day is not None:
            opening, closure = IndexedOpening._meta.db_table, IndexedClosure._meta.db_table
            when = ops.adapt_datefield_value(day)
            opening_sql = (
                f"SELECT 1 FROM {opening} o WHERE o.service_id = s.page_id AND o.day = %s "
                "AND (o.valid_from IS NULL OR o.valid_from <= %s) AND (o.valid_to IS NULL OR o.valid_to >= %s)"
            )
            params: list = [WEEKDAYS[day.weekday()], when, when]
            if q.open_time is not None:
                at = ops.adapt_timefield_value(q.open_time)
                opening_sql += (
                    " AND (o.opens_at IS NULL OR o.opens_at <= %s) AND (o.closes_at IS NULL OR o.closes_at > %s)"
                )
                params += [at, at]
            fails.append(
                (
                    DAY,
                    f"CASE WHEN s.status <> 'temporarily closed' AND EXISTS ({opening_sql}) AND NOT EXISTS "
                    f"(SELECT 1 FROM {closure} x WHERE x.service_id = s.page_id AND x.start_date <= %s "
                    "AND x.end_date >= %s) THEN 0 ELSE 1 END",
                    [*params, when, when],
                )
            )
        tag = IndexedTag._meta.db_table
        for dimension, wanted in _tag_filters(q).items():
            values = sorted(wanted)
            fails.append(
                (
                    dimension,
                    f"CASE WHEN EXISTS (SELECT 1 FROM {tag} t WHERE t.service_id = s.page_id AND t.dimension = %s "
                    f"AND t.value IN ({', '.join(['%s'] * len(values))})) THEN 0 ELSE 1 END",
                    [dimension, *values],
                )
            )
        return fails

    def _order_sql(self) -> str:
        q = self.query
        if q.sort == DISTANCE and q.has_centre:
            keys = ["(c.dist IS NULL)", "c.dist", "c.score DESC"]
        elif not self.has_text:
            keys = ["(c.dist IS NULL)", "c.dist"] if q.has_centre else []
        elif q.has_centre:
            # Relevance blended with distance: a gentle decay, halving the score at 5 miles.
            keys = [f"c.score / (1 + COALESCE(c.dist, {float(q.radius)}) / {DISTANCE_DECAY_M}) DESC"]
        else:
            keys = ["c.score DESC"]
        return ", ".join([*keys, "c.title", "c.page_id"])

    # --- the statement ---
    def statement(self, facets: bool, limit: int | None, offset: int = 0, display: bool = True) -> _Sql:
        q, sql = self.query, _Sql()
        service = IndexedService._meta.db_table
        fails = self._fails()

        # f: every verified service matching the text (and near the centre), with its distance
        # and its failed filters as a bit mask (each filter evaluated once per row). The text
        # score is computed only for rows passing the column filters (free, age): the others
        # are never ranked.
        cheap = [fail for dimension, fail, _ in fails if dimension in (FREE, AGE)]
        cheap_params = [p for dimension, _, params in fails if dimension in (FREE, AGE) for p in params]
        sql.add("WITH RECURSIVE ")
        if q.has_centre:
            self._near_sql(sql)
        sql.add("f AS MATERIALIZED (SELECT s.page_id, s.title, s.minimum_age, s.maximum_age, ")
        if not self.has_text:
            score = "0.0"
        elif self.postgres:
            score = f"ts_rank(s.search_vector, {self.tsquery}, 1)"
        else:
            score = f"-bm25({FTS_TABLE}, 10.0, 5.0, 2.0, 1.0)"
        score_params = self.tsquery_params if self.has_text and self.postgres else []
        if cheap and self.has_text:
            sql.add(f"CASE WHEN {' + '.join(f'({c})' for c in cheap)} = 0 THEN {score} ELSE 0.0 END AS score, ")
            sql.params += [*cheap_params, *score_params]
        else:
            sql.add(f"{score} AS score, ", *score_params)
        text_source = self.has_text and not self.postgres
        key = f"{FTS_TABLE}.rowid" if text_source else "s.page_id"
        if self.late_distance:
            metres, metres_params = self._metres_sql()
            sql.add(
                f"(SELECT MIN({metres}) FROM {IndexedLocation._meta.db_table} l WHERE l.service_id = {key}) AS dist, ",
                *metres_params,
            )
        else:
            sql.add("d.metres AS dist, " if q.has_centre else "CAST(NULL AS FLOAT) AS dist, ")
        if fails:
            sql.add(" + ".join(f"({fail}) * {1 << bit}" for bit, (_, fail, _) in enumerate(fails)))
            sql.add(" AS mask ", *[p for _, _, params in fails for p in params])
        else:
            sql.add("0 AS mask ")
        # Join order on SQLite: the text match, then the near set (an automatic index on d),
        # then the service rows, so services that are not near are dropped before their row is
        # read. PostgreSQL's planner chooses its own order.
        sql.add(f"FROM {FTS_TABLE} " if text_source else f"FROM {service} s ")
        if q.has_centre and not self.late_distance:
            sql.add(f"LEFT JOIN d ON d.service_id = {key} ")
        if text_source:
            sql.add(f"CROSS JOIN {service} s ")
        sql.add("WHERE s.review_due_on >= %s", connection.ops.adapt_datefield_value(verification_cutoff()))
        if text_source:
            sql.add(f" AND s.page_id = {key}")
        if q.has_centre:
            # (The unary + keeps SQLite from offering the IN list to FTS5 as a rowid constraint.)
            if self.late_distance:
                sql.add(
                    f" AND (EXISTS (SELECT 1 FROM {IndexedLocation._meta.db_table} l WHERE l.service_id = {key} "
                    f"AND {self._box_sql()}) OR +{key} IN (SELECT page_id FROM {service} WHERE NOT has_public_location))",
                    *self._box_params(),
                )
            else:
                sql.add(
                    f" AND (d.service_id IS NOT NULL OR {key} IN (SELECT page_id FROM {service} "
                    "WHERE NOT has_public_location))"
                )
        if self.has_text:
            if self.postgres:
                sql.add(f" AND s.search_vector @@ {self.tsquery}", *self.tsquery_params)
            else:
                sql.add(f" AND {FTS_TABLE} MATCH %s", self.match)
        sql.add("), ")

        # c: the rows that can count (pass every filter, or fail one facet dimension), with the
        # dimension each fails ('' for none).
        # (With late_distance, also drop the box's corners: services beyond the radius.)
        near = " AND (f.dist IS NULL OR f.dist <= %s)" if self.late_distance else ""
        near_params = [q.radius] if self.late_distance else []
        if not fails:
            sql.add(f"c AS (SELECT f.*, '' AS miss FROM f WHERE 1 = 1{near})", *near_params)
        else:
            sql.add("c AS (SELECT f.*, CASE f.mask")
            for bit, (dimension, _, _) in enumerate(fails):
                sql.add(f" WHEN {1 << bit} THEN '{dimension}'")
            sql.add(" ELSE '' END AS miss FROM f WHERE f.mask ")
            allowed = [0, *(1 << bit for bit in range(len(fails)))] if facets else [0]
            sql.add(f"IN ({', '.join(str(m) for m in allowed)}){near})", *near_params)

        # The page of hits, in order.
        sql.add(" SELECT 'hit' AS kind, h.page_id AS id, h.position AS n, h.score AS score, h.dist AS dist, ")
        if display:
            sql.add("s.title AS t1, s.url AS t2, s.summary AS t3, s.organisation AS t4, s.status AS t5, ")
            self._snippet_sql(sql)
        else:
            sql.add(
                "CAST(NULL AS TEXT) AS t1, CAST(NULL AS TEXT) AS t2, CAST(NULL AS TEXT) AS t3, "
                "CAST(NULL AS TEXT) AS t4, CAST(NULL AS TEXT) AS t5, CAST(NULL AS TEXT) AS t6 "
            )
        sql.add(
            f"FROM (SELECT c.page_id, c.score, c.dist, ROW_NUMBER() OVER (ORDER BY {self._order_sql()}) AS position "
            f"FROM c WHERE c.miss = '' ORDER BY position"
        )
        if limit is not None:
            sql.add(" LIMIT %s OFFSET %s", limit, offset)
        sql.add(f") h JOIN {service} s ON s.page_id = h.page_id")
        if limit is not None:
            # The total: one row, counted over the same set.
            sql.add(
                " UNION ALL SELECT 'total', COUNT(*), 0, 0.0, 0.0, NULL, NULL, NULL, NULL, NULL, NULL "
                "FROM c WHERE c.miss = ''"
            )
        if facets:
            # Every tag dimension is a facet (the free facet is the ('free', 'yes') tag).
            sql.add(
                " UNION ALL SELECT 'tag', COUNT(*), 0, 0.0, 0.0, t.dimension, t.value, NULL, NULL, NULL, NULL "
                f"FROM c CROSS JOIN {IndexedTag._meta.db_table} t WHERE t.service_id = c.page_id "
                "AND (c.miss = '' OR c.miss = t.dimension) GROUP BY t.dimension, t.value"
            )
            # The age facet: the count of each distinct age range (a handful of rows, one pass
            # over c); _run adds up the ranges containing each age 0..18.
            sql.add(
                " UNION ALL SELECT 'ages', COUNT(*), c.minimum_age, 0.0, CAST(c.maximum_age AS FLOAT), "
                "NULL, NULL, NULL, NULL, NULL, NULL FROM c WHERE c.miss = '' OR c.miss = 'age' "
                "GROUP BY c.minimum_age, c.maximum_age"
            )
        return sql

    def _snippet_sql(self, sql: _Sql) -> None:
        """``t6``: the description, highlighted in Python (:func:`search.text.snippet`) with the
        summary, on both engines: FTS5's snippet() needs the match cursor on the row (a doclist
        seek per hit that costs more than the whole search for a common word), and PostgreSQL's
        ts_headline re-parses both texts against the whole expanded query for every hit."""
        sql.add("s.description AS t6 " if self.has_text else "CAST(NULL AS TEXT) AS t6 ")

    def snippet(self, summary: str, t6: str | None) -> str:
        if not self.has_text or not t6:
            return ""
        if self.stems is None:
            self.stems = textmod.query_stems(self.clauses)
        marked = textmod.snippet([summary, t6], self.clauses, SNIPPET_TOKENS, MARK_START, MARK_END, self.stems)
        return highlight(marked) if marked else ""

    def execute(self, facets: bool, limit: int | None, offset: int = 0, display: bool = True) -> list[tuple]:
        sql = self.statement(facets, limit, offset, display)
        with connection.cursor() as cursor:
            cursor.execute(str(sql), sql.params)
            return cursor.fetchall()


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

    # --- running the statement ---
    def ranked_ids(self, query: SearchQuery) -> list[int]:
        """All matching page ids in relevance order (the ORUK API's ``search``)."""
        clauses = textmod.parse(query.text)
        ordered = self._ids(query, clauses, "AND")
        if not ordered and len(clauses) > 1:
            ordered = self._ids(query, clauses, "OR")
        return ordered

    @staticmethod
    def _ids(query: SearchQuery, clauses, operator: str) -> list[int]:
        rows = _Plan(query, clauses, operator).execute(facets=False, limit=None, display=False)
        return [row[1] for row in sorted(rows, key=lambda row: row[2])]

    def _run(self, query: SearchQuery, clauses, operator: str, allow_empty: bool = False) -> SearchResults | None:
        plan = _Plan(query, clauses, operator)
        rows = plan.execute(facets=query.facets, limit=query.size, offset=query.offset)
        total, hits, tag_counts, age_ranges = 0, [], defaultdict(dict), []
        for kind, number, position, score, dist, t1, t2, t3, t4, t5, t6 in rows:
            if kind == "hit":
                hits.append(
                    (
                        position,
                        Hit(
                            page_id=number,
                            title=t1,
                            url=t2,
                            summary=t3,
                            organisation=t4,
                            status=t5,
                            score=float(score or 0.0),
                            distance_m=dist,
                            snippet=plan.snippet(t3, t6),
                        ),
                    )
                )
            elif kind == "total":
                total = number
            elif kind == "tag":
                tag_counts[t1][t2] = number
            elif kind == "ages":  # services aged minimum (position) to maximum (dist); None: open
                age_ranges.append((position, dist, number))
        if not total and not allow_empty:
            return None
        hits.sort(key=lambda pair: pair[0])
        age_counts = {
            age: sum(n for low, high, n in age_ranges if (low is None or low <= age) and (high is None or high >= age))
            for age in AGE_BUCKETS
        }
        facets = self._facets(query, tag_counts, age_counts) if query.facets else {}
        return SearchResults(query=query, hits=[hit for _, hit in hits], total=total, facets=facets, backend=self.name)

    @staticmethod
    def _facets(
        query: SearchQuery, counts: dict[str, dict[str, int]], age_counts: dict[int, int]
    ) -> dict[str, list[FacetValue]]:
        """FacetValues from the counts the statement aggregated: only labels are added here
        (category names from a per-process memo of the taxonomy: :func:`category_names`)."""
        counts = defaultdict(dict, counts)
        term_names = category_names() if counts[CATEGORY] or query.categories else {}

        def values(dim: str, labels: dict[str, str], selected: Iterable[str], order: list[str] | None = None):
            selected = set(selected)
            keys = order if order is not None else sorted(counts[dim], key=lambda v: labels.get(v, v))
            keys = [k for k in keys if counts[dim].get(k) or k in selected]
            return [FacetValue(k, labels.get(k, k), counts[dim].get(k, 0), k in selected) for k in keys]

        return {
            CATEGORY: values(CATEGORY, term_names, query.categories),
            ACCESS: values(ACCESS, ACCESS_LABELS, [query.access] if query.access else [], list(ACCESS_LABELS)),
            ATTEND: values(ATTEND, ATTEND_LABELS, query.attendance, list(ATTEND_LABELS)),
            DAY: values(DAY, DAY_LABELS, [query.open_day] if query.open_day else [], list(DAY_LABELS)),
            NEED: values(NEED, NEED_LABELS, query.needs, list(NEED_LABELS)),
            LANGUAGE: values(LANGUAGE, LANGUAGE_NAMES, [query.language] if query.language else []),
            FREE: values(FREE, FREE_LABELS, ["yes"] if query.free_only else [], ["yes"]),
            AGE: [FacetValue(str(age), str(age), age_counts.get(age, 0), query.age == age) for age in AGE_BUCKETS],
        }


def category_names() -> dict[str, str]:
    """Every taxonomy term's name by its ORUK id, remembered per process until a term is saved
    or deleted (:mod:`search.cache`)."""
    return search_cache.memo(search_cache.TAXONOMY, "names", _load_category_names)


def _load_category_names() -> dict[str, str]:
    return {str(pk): name for pk, name in TaxonomyTerm.objects.values_list("oruk_id", "name")}


def next_weekday(code: str, today: datetime.date) -> datetime.date:
    order = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
    return today + datetime.timedelta(days=(order.index(code) - today.weekday()) % 7)
