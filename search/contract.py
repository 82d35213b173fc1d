"""The directory-search contract. Views and the ORUK API build a :class:`SearchQuery`, call
:func:`search` and read a :class:`SearchResults`; the backend behind it is chosen by
``settings.SEARCH_BACKEND`` ("database" or "elasticsearch")."""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass, field, replace
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string
from django.utils.safestring import SafeString

from search import cache as search_cache

logger = logging.getLogger(__name__)

METRES_PER_MILE = 1609.344
DEFAULT_RADIUS_M = 10 * METRES_PER_MILE
MAX_PAGE_SIZE = 100
WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")

# Facet dimensions (the keys of SearchResults.facets and of IndexedTag.dimension).
CATEGORY, AGE, FREE, ACCESS, ATTEND, DAY, NEED, LANGUAGE = (
    "category",
    "age",
    "free",
    "access",
    "attend",
    "day",
    "need",
    "language",
)
DIMENSIONS = (CATEGORY, AGE, FREE, ACCESS, ATTEND, DAY, NEED, LANGUAGE)
ACCESS_VALUES = ("self_referral", "professional_referral")
RELEVANCE, DISTANCE = "relevance", "distance"


@dataclass(frozen=True)
class SearchQuery:
    text: str = ""
    postcode: str = ""  # a full postcode or an outcode; resolved by the contract
    latitude: float | None = None
    longitude: float | None = None
    radius_m: float | None = None  # None with a centre: DEFAULT_RADIUS_M
    categories: tuple[str, ...] = ()  # taxonomy term ORUK ids (any of)
    age: int | None = None  # a child's age: services whose range contains it
    free_only: bool = False
    access: str = ""  # "self_referral" or "professional_referral" ("both" matches either)
    attendance: tuple[str, ...] = ()  # AttendanceMode values (any of)
    language: str = ""  # ISO 639 code
    open_day: str = ""  # "MO".."SU": open on the next such day (closure dates honoured)
    open_date: datetime.date | None = None  # or a date (sets the day, closures honoured)
    open_time: datetime.time | None = None  # open at this time on that day
    needs: tuple[str, ...] = ()  # LevelOfNeed values (any of)
    page: int = 1
    page_size: int = 10
    sort: str = RELEVANCE
    facets: bool = True
    suggest: bool = True  # did-you-mean and rewriting of misspelt queries

    def with_centre(self, latitude: float, longitude: float) -> SearchQuery:
        return replace(self, latitude=latitude, longitude=longitude)

    @property
    def has_centre(self) -> bool:
        return self.latitude is not None and self.longitude is not None

    @property
    def radius(self) -> float:
        return self.radius_m if self.radius_m is not None else DEFAULT_RADIUS_M

    @property
    def offset(self) -> int:
        return (max(self.page, 1) - 1) * self.size

    @property
    def size(self) -> int:
        return min(max(self.page_size, 1), MAX_PAGE_SIZE)

    def effective_date(self, today: datetime.date | None = None) -> datetime.date | None:
        """The date the day filter means: ``open_date``, or the next ``open_day`` from today."""
        if self.open_date:
            return self.open_date
        if self.open_day in WEEKDAYS:
            from django.utils import timezone

            today = today or timezone.localdate()
            return today + datetime.timedelta(days=(WEEKDAYS.index(self.open_day) - today.weekday()) % 7)
        return None

    def filters_for_log(self) -> dict:
        out = {
            "categories": list(self.categories),
            "age": self.age,
            "free": self.free_only,
            "access": self.access,
            "attendance": list(self.attendance),
            "language": self.language,
            "day": self.open_day,
            "needs": list(self.needs),
            "sort": self.sort,
        }
        return {k: v for k, v in out.items() if v not in (None, "", [], False)}


@dataclass
class Hit:
    page_id: int
    title: str
    url: str
    summary: str
    organisation: str = ""
    status: str = "active"
    score: float = 0.0
    distance_m: float | None = None
    snippet: SafeString | str = ""

    @property
    def distance_miles(self) -> float | None:
        return None if self.distance_m is None else self.distance_m / METRES_PER_MILE

    @property
    def temporarily_closed(self) -> bool:
        return self.status == "temporarily closed"


@dataclass
class FacetValue:
    value: str
    label: str
    count: int
    selected: bool = False


@dataclass
class SearchResults:
    query: SearchQuery
    hits: list[Hit]
    total: int
    facets: dict[str, list[FacetValue]] = field(default_factory=dict)
    did_you_mean: str = ""  # a corrected query to offer
    rewritten_from: str = ""  # set when the results are for did_you_mean instead of the text
    backend: str = "database"
    place: object = None  # the resolved search.postcodes.Place, if any
    unknown_postcode: bool = False  # a valid postcode nobody knows: results are without distance

    def facet(self, dimension: str) -> list[FacetValue]:
        return self.facets.get(dimension, [])


class Backend(Protocol):
    name: str

    def search(self, query: SearchQuery) -> SearchResults: ...
    def suggest(self, prefix: str, limit: int = 8) -> list[str]: ...
    def ranked_ids(self, query: SearchQuery) -> list[int]: ...
    def index_service(self, page_id: int) -> None: ...
    def remove_service(self, page_id: int) -> None: ...
    def rebuild(self, progress=None) -> int: ...


_BACKENDS = {
    "database": "search.backends.database.DatabaseBackend",
    "elasticsearch": "search.backends.elastic.ElasticsearchBackend",
}


def get_backend(name: str | None = None) -> Backend:
    name = name or getattr(settings, "SEARCH_BACKEND", "database")
    return import_string(_BACKENDS[name])()


def search(query: SearchQuery, backend: Backend | None = None) -> SearchResults:
    """Run ``query`` through the configured backend. A backend that fails (a cluster that is
    down) falls back to the database backend with a logged warning: families never see an error."""
    backend = backend or get_backend()
    with search_cache.pinned():  # one cache round trip for the postcode, thesaurus and category memos
        query, place, unknown = resolve_place(query)
        try:
            results = backend.search(query)
        except Exception:
            if backend.name == "database":
                raise
            logger.warning(
                "Search backend %s failed; falling back to the database backend", backend.name, exc_info=True
            )
            results = get_backend("database").search(query)
    results.place, results.unknown_postcode = place, unknown
    return results


def resolve_place(query: SearchQuery):
    """Give a query with a postcode its centre. A malformed or unknown postcode leaves the
    query without one (the search still runs, without distance)."""
    if query.has_centre or not query.postcode:
        return query, None, False
    from django.core.exceptions import ValidationError

    from search import postcodes

    try:
        place = postcodes.lookup(query.postcode)
    except ValidationError:
        return query, None, True
    if place is None:
        return query, None, True
    return query.with_centre(place.latitude, place.longitude), place, False


def ranked_ids(text: str, backend: Backend | None = None) -> list[int]:
    """Page ids of every public service matching ``text``, most relevant first (no facets,
    no paging): the ORUK API's ``search`` parameter."""
    backend = backend or get_backend()
    query = SearchQuery(text=text, facets=False, suggest=False)
    try:
        return backend.ranked_ids(query)
    except Exception:
        if backend.name == "database":
            raise
        logger.warning("Search backend %s failed; falling back to the database backend", backend.name, exc_info=True)
        return get_backend("database").ranked_ids(query)


def suggest(prefix: str, limit: int = 8, backend: Backend | None = None) -> list[str]:
    backend = backend or get_backend()
    try:
        return backend.suggest(prefix, limit)
    except Exception:
        if backend.name == "database":
            raise
        logger.warning("Suggest on %s failed; falling back to the database backend", backend.name, exc_info=True)
        return get_backend("database").suggest(prefix, limit)
