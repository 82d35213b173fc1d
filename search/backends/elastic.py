"""The Elasticsearch backend (elasticsearch-dsl 8). Only this module imports Elasticsearch.

- One document per public service: text fields analysed in English with an edge-n-gram
  sub-field for typeahead, keyword fields for facets, a geo_point per NON-confidential
  location, ages, hour slots of opening ("SA-10") and closure dates, and a completion field.
- Synonyms: the thesaurus is expanded by the query builder at query time (search.text.parse,
  shared with the database backend), so an edit in the admin takes effect at once on both
  backends without a reindex. The index also carries a ``synonym_graph`` search analyzer
  built from the thesaurus at (re)build time for clusters that support it (real
  Elasticsearch); test servers that ignore it still pass, because of the query-time expansion.
- Relevance blended with distance by function_score (gauss decay); facets by aggregations
  with each dimension's own filter left out (post_filter); a completion suggester.
- ``rebuild`` builds a new versioned index, bulk-loads it, swaps the alias and drops the old
  index: searches answer throughout.
- The client is built by :func:`make_client`; ``settings.ELASTICSEARCH_CLIENT_OPTIONS``
  (default none) is passed to it, which is how the tests give it a transport node class that
  speaks plain ``application/json`` to an OpenSearch-API test server.
"""

from __future__ import annotations

import contextlib
import datetime
import json
import logging
import math

from elasticsearch import Elasticsearch, NotFoundError
from elasticsearch.helpers import bulk
from elasticsearch_dsl import (
    Boolean,
    Completion,
    Date,
    Document,
    GeoPoint,
    Index,
    Integer,
    Keyword,
    Q,
    Search,
    Text,
    analyzer,
    token_filter,
)

from django.conf import settings
from django.utils import timezone

from directory.selectors import verification_cutoff
from search import text as textmod
from search.backends.database import (
    ACCESS_LABELS,
    AGE_BUCKETS,
    ATTEND_LABELS,
    DAY_LABELS,
    FREE_LABELS,
    MARK_END,
    MARK_START,
    NEED_LABELS,
    DatabaseBackend,
    haversine_m,
    highlight,
)
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

logger = logging.getLogger(__name__)

english_stem = token_filter("english_stem", type="stemmer", language="english")
edge_ngram = token_filter("edge_ngram_2_20", type="edge_ngram", min_gram=2, max_gram=20)
english = analyzer("service_english", tokenizer="standard", filter=["lowercase", "asciifolding", english_stem])
autocomplete = analyzer("service_autocomplete", tokenizer="standard", filter=["lowercase", "asciifolding", edge_ngram])
MAX_CLOSED_DAYS = 400


def synonym_analyzer():
    rules = [", ".join(group) for group in textmod.synonym_groups() if len(group) > 1]
    synonyms = token_filter("thesaurus", type="synonym_graph", synonyms=rules or ["dv, domestic abuse"], lenient=True)
    return analyzer(
        "service_english_synonyms", tokenizer="standard", filter=["lowercase", "asciifolding", synonyms, english_stem]
    )


class ServiceDoc(Document):
    page_id = Integer()
    title = Text(
        analyzer=english, fields={"ngram": Text(analyzer=autocomplete, search_analyzer="standard"), "raw": Keyword()}
    )
    summary = Text(analyzer=english)
    description = Text(analyzer=english)
    taxonomy = Text(analyzer=english)
    organisation = Text(analyzer=english)
    url = Keyword(index=False)
    status = Keyword()
    minimum_age = Integer()
    maximum_age = Integer()
    is_free = Boolean()
    review_due_on = Date()
    has_public_location = Boolean()
    locations = GeoPoint(multi=True)
    category = Keyword(multi=True)
    access = Keyword(multi=True)
    attend = Keyword(multi=True)
    need = Keyword(multi=True)
    language = Keyword(multi=True)
    day = Keyword(multi=True)
    open_slots = Keyword(multi=True)  # "MO-09" … an hour the service is open
    closed_dates = Date(multi=True)
    suggest = Completion()


def make_client() -> Elasticsearch:
    options = dict(getattr(settings, "ELASTICSEARCH_CLIENT_OPTIONS", None) or {})
    options.setdefault("request_timeout", 5)
    options.setdefault("max_retries", 0)
    return Elasticsearch(settings.ELASTICSEARCH_URL, **options)


def alias_name() -> str:
    return f"{settings.ELASTICSEARCH_INDEX_PREFIX}-services"


def to_source(doc: ServiceDocument) -> dict:
    slots = set()
    for day, opens, closes, _from, _to in doc.openings:
        start = opens.hour if opens else 0
        end = (closes.hour + (1 if closes.minute else 0)) if closes else 24
        for hour in range(start, max(start, end)):
            slots.add(f"{day}-{hour:02d}")
    closed = set()
    for start, end in doc.closures:
        day = start
        while day <= end and len(closed) < MAX_CLOSED_DAYS:
            closed.add(day.isoformat())
            day += datetime.timedelta(days=1)
    return {
        "page_id": doc.page_id,
        "title": doc.title,
        "summary": doc.summary,
        "description": doc.description,
        "taxonomy": doc.taxonomy_text,
        "organisation": doc.organisation,
        "url": doc.url,
        "status": doc.status,
        "minimum_age": doc.minimum_age,
        "maximum_age": doc.maximum_age,
        "is_free": doc.is_free,
        "review_due_on": doc.review_due_on.isoformat() if doc.review_due_on else None,
        "has_public_location": bool(doc.locations),
        "locations": [{"lat": lat, "lon": lng} for lat, lng in doc.locations],
        "category": doc.tag_values("category"),
        "access": doc.tag_values("access"),
        "attend": doc.tag_values("attend"),
        "need": doc.tag_values("need"),
        "language": doc.tag_values("language"),
        "day": doc.tag_values("day"),
        "open_slots": sorted(slots),
        "closed_dates": sorted(closed),
        "suggest": {"input": [doc.title, *doc.taxonomy_names]},
    }


TEXT_FIELDS = ["title^4", "summary^2", "description", "taxonomy^1.5", "organisation"]


class ElasticsearchBackend:
    name = "elasticsearch"

    def __init__(self, client: Elasticsearch | None = None):
        self._client = client

    @property
    def client(self) -> Elasticsearch:
        if self._client is None:
            self._client = make_client()
        return self._client

    # --- index ---
    def _new_index(self, name: str) -> Index:
        index = Index(name)
        index.settings(number_of_shards=1, number_of_replicas=0)
        index.analyzer(synonym_analyzer())
        index.document(ServiceDoc)
        return index

    def rebuild(self, progress=None) -> int:
        alias = alias_name()
        new_name = f"{alias}-{timezone.now():%Y%m%d%H%M%S%f}"
        self._new_index(new_name).create(using=self.client)
        count = 0

        def actions():
            nonlocal count
            for doc in documents():
                count += 1
                if progress and count % 500 == 0:
                    progress(count)
                yield {"_index": new_name, "_id": doc.page_id, "_source": to_source(doc)}

        bulk(self.client, actions(), chunk_size=500)
        self.client.indices.refresh(index=new_name)
        old = []
        if self.client.indices.exists_alias(name=alias):
            old = list(self.client.indices.get_alias(name=alias).keys())
        elif self.client.indices.exists(index=alias):
            self.client.indices.delete(index=alias)
        swap = [{"add": {"index": new_name, "alias": alias}}] + [
            {"remove": {"index": name, "alias": alias}} for name in old
        ]
        self.client.indices.update_aliases(actions=swap)
        for name in old:
            self.client.indices.delete(index=name, ignore_unavailable=True)
        if progress:
            progress(count)
        return count

    def index_service(self, page_id: int) -> None:
        docs = list(documents([page_id]))
        if not self.client.indices.exists_alias(name=alias_name()):
            logger.warning("Search index %s does not exist: run rebuild_search_index", alias_name())
            return
        if docs:
            self.client.index(index=alias_name(), id=page_id, document=to_source(docs[0]), refresh=True)
        else:
            self.remove_service(page_id)

    def remove_service(self, page_id: int) -> None:
        with contextlib.suppress(NotFoundError):
            self.client.delete(index=alias_name(), id=page_id, refresh=True)

    def health(self, timeout: float = 2) -> bool:
        """For /healthz: the cluster answers and the search alias exists. Never raises."""
        try:
            client = self.client.options(request_timeout=timeout)
            return bool(client.ping()) and bool(client.indices.exists_alias(name=alias_name()))
        except Exception:
            logger.warning("Elasticsearch health check failed", exc_info=True)
            return False

    def dump_documents(self) -> str:
        """Every stored document and the mapping, as text (for the confidentiality tests)."""
        response = self.client.search(index=alias_name(), query={"match_all": {}}, size=10000)
        return json.dumps([h["_source"] for h in response["hits"]["hits"]])

    # --- suggest ---
    def suggest(self, prefix: str, limit: int = 8) -> list[str]:
        prefix = textmod.normalise_term(prefix)[:50]
        if len(prefix) < 2:
            return []
        s = Search(using=self.client, index=alias_name()).extra(size=0)
        s = s.suggest("services", prefix, completion={"field": "suggest", "size": limit, "skip_duplicates": True})
        response = s.execute()
        out = [option.text for option in response.suggest.services[0].options]
        for group in textmod.synonym_groups():
            out += [term for term in group if term.startswith(prefix) and term not in out]
        return list(dict.fromkeys(out))[:limit]

    # --- search ---
    def _text_query(self, clauses: list[textmod.Clause], operator: str, fuzzy: bool = False):
        parts = []
        for clause in clauses:
            alternatives = []
            for words in clause.alternatives:
                phrase = " ".join(words)
                if len(words) > 1:
                    alternatives.append(Q("multi_match", query=phrase, type="phrase", fields=TEXT_FIELDS))
                else:
                    alternatives.append(
                        Q("multi_match", query=phrase, fields=TEXT_FIELDS, **({"fuzziness": "AUTO"} if fuzzy else {}))
                    )
            parts.append(Q("bool", should=alternatives, minimum_should_match=1))
        if operator == "AND":
            return Q("bool", must=parts)
        return Q("bool", should=parts, minimum_should_match=1)

    def _facet_filters(self, query: SearchQuery) -> dict[str, Q]:
        out = {}
        if query.categories:
            out[CATEGORY] = Q("terms", category=list(query.categories))
        if query.age is not None:
            out[AGE] = self._age_q(query.age)
        if query.free_only:
            out[FREE] = Q("term", is_free=True)
        if query.access:
            out[ACCESS] = Q("term", access=query.access)
        if query.attendance:
            out[ATTEND] = Q("terms", attend=list(query.attendance))
        if query.language:
            out[LANGUAGE] = Q("term", language=query.language)
        if query.needs:
            out[NEED] = Q("terms", need=list(query.needs))
        day = query.effective_date()
        if day is not None:
            code = WEEKDAYS[day.weekday()]
            open_q = (
                Q("term", open_slots=f"{code}-{query.open_time.hour:02d}") if query.open_time else Q("term", day=code)
            )
            out[DAY] = Q(
                "bool",
                filter=[open_q],
                must_not=[Q("term", closed_dates=day.isoformat()), Q("term", status="temporarily closed")],
            )
        return out

    @staticmethod
    def _age_q(age: int):
        return Q(
            "bool",
            filter=[
                Q(
                    "bool",
                    should=[Q("range", minimum_age={"lte": age}), ~Q("exists", field="minimum_age")],
                    minimum_should_match=1,
                ),
                Q(
                    "bool",
                    should=[Q("range", maximum_age={"gte": age}), ~Q("exists", field="maximum_age")],
                    minimum_should_match=1,
                ),
            ],
        )

    def _search_object(self, query: SearchQuery, clauses, operator: str, fuzzy: bool = False) -> Search:
        base_filters = [Q("range", review_due_on={"gte": verification_cutoff().isoformat()})]
        if query.has_centre:
            base_filters.append(
                Q(
                    "bool",
                    should=[
                        Q(
                            "geo_distance",
                            distance=f"{query.radius:.0f}m",
                            locations={"lat": query.latitude, "lon": query.longitude},
                        ),
                        Q("term", has_public_location=False),
                    ],
                    minimum_should_match=1,
                )
            )
        must = [self._text_query(clauses, operator, fuzzy)] if clauses else []
        main = Q("bool", must=must or [Q("match_all")], filter=base_filters)
        if query.has_centre and clauses:
            main = Q(
                "function_score",
                query=main,
                functions=[
                    {
                        "gauss": {
                            "locations": {
                                "origin": {"lat": query.latitude, "lon": query.longitude},
                                "scale": "8km",
                                "decay": 0.5,
                            }
                        },
                        "weight": 1,
                    },
                ],
                score_mode="max",
                boost_mode="multiply",
            )
        s = Search(using=self.client, index=alias_name()).query(main)
        s = s.extra(track_total_hits=True)
        return s

    def _sorted(self, s: Search, query: SearchQuery, clauses) -> Search:
        if query.has_centre and (query.sort == DISTANCE or not clauses):
            return s.sort(
                {
                    "_geo_distance": {
                        "locations": {"lat": query.latitude, "lon": query.longitude},
                        "order": "asc",
                        "unit": "m",
                    }
                },
                "title.raw",
            )
        if not clauses:
            return s.sort("title.raw")
        return s.sort("_score", "title.raw")

    def ranked_ids(self, query: SearchQuery) -> list[int]:
        clauses = textmod.parse(query.text)
        for operator in ("AND", "OR"):
            s = self._sorted(self._search_object(query, clauses, operator), query, clauses)
            response = s.extra(size=10000, _source=["page_id"]).execute()
            ids = [int(h.meta.id) for h in response.hits]
            if ids or len(clauses) < 2:
                return ids
        return []

    def search(self, query: SearchQuery) -> SearchResults:
        clauses = textmod.parse(query.text)
        results = self._run(query, clauses, "AND", allow_empty=not clauses)
        if results is None and len(clauses) > 1:
            results = self._run(query, clauses, "OR")
        did_you_mean = ""
        if results is None and query.suggest and clauses:
            did_you_mean = DatabaseBackend()._correct(clauses)
            if did_you_mean:
                fixed = textmod.parse(did_you_mean)
                rewritten = self._run(query, fixed, "AND") or self._run(query, fixed, "OR")
                if rewritten is not None:
                    rewritten.did_you_mean, rewritten.rewritten_from = did_you_mean, query.text
                    return rewritten
        if results is None:
            results = self._run(query, clauses, "AND", allow_empty=True)
            results.did_you_mean = did_you_mean
        return results

    def _run(self, query: SearchQuery, clauses, operator: str, allow_empty: bool = False) -> SearchResults | None:
        s = self._search_object(query, clauses, operator)
        filters = self._facet_filters(query)
        if filters:
            s = s.post_filter(Q("bool", filter=list(filters.values())))
        if query.facets:
            for dim in (CATEGORY, ACCESS, ATTEND, DAY, NEED, LANGUAGE):
                others = [q for key, q in filters.items() if key != dim]
                bucket = s.aggs.bucket(f"f_{dim}", "filter", filter=Q("bool", filter=others))
                bucket.bucket("values", "terms", field=dim, size=200)
            others = [q for key, q in filters.items() if key != FREE]
            s.aggs.bucket("f_free", "filter", filter=Q("bool", filter=[*others, Q("term", is_free=True)]))
            others = [q for key, q in filters.items() if key != AGE]
            s.aggs.bucket("f_age", "filter", filter=Q("bool", filter=others)).bucket(
                "values", "filters", filters={str(age): self._age_q(age) for age in AGE_BUCKETS}
            )
        s = self._sorted(s, query, clauses)
        s = s.highlight(
            "summary",
            "description",
            pre_tags=[MARK_START],
            post_tags=[MARK_END],
            fragment_size=160,
            number_of_fragments=1,
        )
        s = s[query.offset : query.offset + query.size]
        response = s.execute()
        total = response.hits.total.value
        if not total and not allow_empty:
            return None
        hits = []
        for h in response.hits:
            distance = None
            if query.has_centre and h.locations:
                distance = min(haversine_m(query.latitude, query.longitude, p["lat"], p["lon"]) for p in h.locations)
                if distance > query.radius:
                    distance = None
            snippet = ""
            if hasattr(h.meta, "highlight"):
                fragments = [
                    f for field in ("summary", "description") for f in h.meta.highlight.to_dict().get(field, [])
                ]
                if fragments:
                    snippet = highlight(fragments[0])
            hits.append(
                Hit(
                    page_id=int(h.meta.id),
                    title=h.title,
                    url=h.url,
                    summary=h.summary,
                    organisation=h.organisation,
                    status=h.status,
                    score=float(h.meta.score or 0.0),
                    distance_m=distance,
                    snippet=snippet,
                )
            )
        facets = self._facets(query, response) if query.facets else {}
        return SearchResults(query=query, hits=hits, total=total, facets=facets, backend=self.name)

    def _facets(self, query: SearchQuery, response) -> dict[str, list[FacetValue]]:
        from directory.languages import LANGUAGE_NAMES
        from search.backends.database import category_names

        aggs = response.aggregations
        counts = {
            dim: {b.key: b.doc_count for b in getattr(aggs, f"f_{dim}").values.buckets}
            for dim in (CATEGORY, ACCESS, ATTEND, DAY, NEED, LANGUAGE)
        }
        names = category_names() if counts[CATEGORY] or query.categories else {}

        def values(dim, labels, selected, order=None):
            selected = set(selected)
            keys = order if order is not None else sorted(counts[dim], key=lambda v: labels.get(v, v))
            keys = [k for k in keys if counts[dim].get(k) or k in selected]
            return [FacetValue(k, labels.get(k, k), counts[dim].get(k, 0), k in selected) for k in keys]

        age_buckets = aggs.f_age.values.buckets.to_dict()
        return {
            CATEGORY: values(CATEGORY, names, query.categories),
            ACCESS: values(ACCESS, ACCESS_LABELS, [query.access] if query.access else [], list(ACCESS_LABELS)),
            ATTEND: values(ATTEND, ATTEND_LABELS, query.attendance, list(ATTEND_LABELS)),
            DAY: values(DAY, DAY_LABELS, [query.open_day] if query.open_day else [], list(DAY_LABELS)),
            NEED: values(NEED, NEED_LABELS, query.needs, list(NEED_LABELS)),
            LANGUAGE: values(LANGUAGE, LANGUAGE_NAMES, [query.language] if query.language else []),
            FREE: [FacetValue("yes", FREE_LABELS["yes"], aggs.f_free.doc_count, query.free_only)]
            if aggs.f_free.doc_count or query.free_only
            else [],
            AGE: [FacetValue(str(a), str(a), age_buckets[str(a)]["doc_count"], query.age == a) for a in AGE_BUCKETS],
        }


__all__ = ["ElasticsearchBackend", "make_client", "math"]
