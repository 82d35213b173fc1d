"""Read queries for the directory. Every list of services shown to families or sent to
other systems starts from one of the two selectors here, so the rules for what is public
(published, status, verified, confidential locations) live in one place.

- :func:`public_services` — what families may see: live, active or temporarily closed
  (shown with a banner), and verified.
- :func:`api_services` — what the ORUK API and the export send: the same, but active only
  (issue 3: "only published, active, verified services").
"""

from __future__ import annotations

import datetime
import math
import uuid
from dataclasses import dataclass

from django.db.models import F, Prefetch, Q, QuerySet
from django.utils import timezone

from directory import conf
from directory.models import (
    Location,
    Phone,
    Schedule,
    ServicePage,
    ServiceStatus,
    Taxonomy,
    TaxonomyTerm,
)
from directory.validators import normalise_postcode

FAMILY_VISIBLE_STATUSES = (ServiceStatus.ACTIVE, ServiceStatus.TEMPORARILY_CLOSED)
EARTH_RADIUS_M = 6_371_000


# --- Verification: the one rule --------------------------------------------------------


def verification_cutoff(today: datetime.date | None = None) -> datetime.date:
    """A service is verified while its review due date is on or after this date: it was
    assured, and its review interval plus the grace period has not run out."""
    today = today or timezone.localdate()
    return today - datetime.timedelta(days=conf.verification_grace_days())


def verified_q(today: datetime.date | None = None) -> Q:
    return Q(review_due_on__isnull=False, review_due_on__gte=verification_cutoff(today))


def is_verified(page: ServicePage, today: datetime.date | None = None) -> bool:
    if page.assured_date is None:
        return False
    from directory.models import add_months

    due = add_months(page.assured_date, page.review_interval_months)
    return due >= verification_cutoff(today)


def is_publicly_visible(page: ServicePage) -> bool:
    """Whether families may see this page (the same rule as :func:`public_services`)."""
    return page.live and page.status in FAMILY_VISIBLE_STATUSES and is_verified(page)


# --- Which services are public ----------------------------------------------------------


def public_services() -> QuerySet[ServicePage]:
    """Services families may see: published, active or temporarily closed, verified."""
    return ServicePage.objects.live().filter(status__in=FAMILY_VISIBLE_STATUSES).filter(verified_q())


def api_services() -> QuerySet[ServicePage]:
    """Services the ORUK API and export send: published, active, verified."""
    return public_services().filter(status=ServiceStatus.ACTIVE)


def services_needing_review(today: datetime.date | None = None) -> QuerySet[ServicePage]:
    """Live services whose review is due: never assured first, then the longest overdue."""
    today = today or timezone.localdate()
    return (
        ServicePage.objects.live()
        .filter(Q(review_due_on__isnull=True) | Q(review_due_on__lte=today))
        .order_by(F("review_due_on").asc(nulls_first=True), "title")
    )


# --- Prefetching: constant query counts for lists ---------------------------------------


def with_list_relations(queryset: QuerySet[ServicePage]) -> QuerySet[ServicePage]:
    """What a list of services needs: the organisation and the terms (for last_modified)."""
    return queryset.select_related("organisation", "organisation__logo").prefetch_related(
        Prefetch("taxonomy_terms", queryset=TaxonomyTerm.objects.select_related("taxonomy", "parent"))
    )


def with_full_relations(queryset: QuerySet[ServicePage]) -> QuerySet[ServicePage]:
    """Everything a fully nested ORUK service needs. ``public_location_list`` holds the
    service's non-confidential locations only: confidential ones are never loaded."""
    return with_list_relations(queryset).prefetch_related(
        Prefetch(
            "locations",
            queryset=Location.objects.filter(confidential=False).order_by("sort_order", "pk"),
            to_attr="public_location_list",
        ),
        "schedules",
        "service_areas",
        "cost_options",
        "contacts",
        "phones",
        "closures",
    )


def last_modified(page: ServicePage) -> datetime.datetime | None:
    """When the service or anything shown with it last changed (ORUK ``last_modified``)."""
    stamps = [page.last_published_at, page.last_verified_at]
    if page.organisation is not None:
        stamps.append(page.organisation.updated_at)
    stamps.extend(term.updated_at for term in page.taxonomy_terms.all())
    stamps = [s for s in stamps if s is not None]
    return max(stamps) if stamps else None


# --- Filters (the ORUK parameters) -------------------------------------------------------


@dataclass(frozen=True)
class ServiceFilters:
    search: str = ""
    taxonomy_term_id: uuid.UUID | None = None
    taxonomy_id: uuid.UUID | None = None
    organisation_id: uuid.UUID | None = None
    minimum_age: float | None = None
    maximum_age: float | None = None
    day: str = ""  # a two-letter RFC 5545 day code
    start_time: datetime.time | None = None
    end_time: datetime.time | None = None
    modified_after: datetime.datetime | None = None


def search_services(text: str, queryset: QuerySet[ServicePage]) -> QuerySet[ServicePage]:
    """THE search seam: the ORUK ``search`` parameter calls this and nothing else. It runs
    through the directory-search contract (search.contract: the configured backend, with
    synonyms, stemming and misspelling handling) and keeps the matches, most relevant first
    (a later ``order_by`` replaces that order)."""
    from django.db.models import Case, IntegerField, Value, When

    from search.contract import ranked_ids

    text = (text or "").strip()
    if not text:
        return queryset
    ids = ranked_ids(text)
    if not ids:
        return queryset.none()
    order = Case(*(When(pk=pk, then=Value(i)) for i, pk in enumerate(ids)), output_field=IntegerField())
    return queryset.filter(pk__in=ids).order_by(order)


def filter_services(queryset: QuerySet[ServicePage], filters: ServiceFilters) -> QuerySet[ServicePage]:
    """Apply the ORUK list parameters. Ages follow the ORUK wording: ``minimum_age`` keeps
    services whose minimum age is at least the value, ``maximum_age`` those whose maximum
    age is at most the value (no minimum counts as 0, no maximum as unlimited)."""
    if filters.taxonomy_term_id:
        queryset = queryset.filter(
            pk__in=ServicePage.objects.filter(taxonomy_terms__oruk_id=filters.taxonomy_term_id).values("pk")
        )
    if filters.taxonomy_id:
        queryset = queryset.filter(
            pk__in=ServicePage.objects.filter(taxonomy_terms__taxonomy__oruk_id=filters.taxonomy_id).values("pk")
        )
    if filters.organisation_id:
        queryset = queryset.filter(organisation__oruk_id=filters.organisation_id)
    if filters.minimum_age is not None and filters.minimum_age > 0:  # every service's minimum is at least 0
        queryset = queryset.filter(minimum_age__gte=filters.minimum_age)
    if filters.maximum_age is not None:
        queryset = queryset.filter(maximum_age__isnull=False, maximum_age__lte=filters.maximum_age)
    if filters.day or filters.start_time or filters.end_time:
        schedules = Schedule.objects.all()
        if filters.day:
            schedules = schedules.filter(byday__contains=filters.day)
        if filters.start_time:
            schedules = schedules.filter(opens_at__gte=filters.start_time)
        if filters.end_time:
            schedules = schedules.filter(closes_at__lte=filters.end_time)
        queryset = queryset.filter(pk__in=schedules.values("page_id"))
    if filters.modified_after:
        since = filters.modified_after
        changed = ServicePage.objects.filter(
            Q(last_published_at__gte=since)
            | Q(last_verified_at__gte=since)
            | Q(organisation__updated_at__gte=since)
            | Q(taxonomy_terms__updated_at__gte=since)
        ).values("pk")
        queryset = queryset.filter(pk__in=changed)
    if filters.search:
        queryset = search_services(filters.search, queryset)
    return queryset


def api_service_list(filters: ServiceFilters) -> QuerySet[ServicePage]:
    """The ORUK ``/services`` list: in relevance order when searching (DESIGN.md §5), else by name."""
    queryset = with_list_relations(filter_services(api_services(), filters))
    if filters.search:
        return queryset  # search_services has already ordered it by relevance
    return queryset.order_by("title", "pk")


def api_service(oruk_id: uuid.UUID) -> ServicePage | None:
    return with_full_relations(api_services()).filter(oruk_id=oruk_id).first()


def export_services(*, include_hidden: bool = False) -> QuerySet[ServicePage]:
    """Services for ``export_open_referral``: the API's set, or every published service."""
    queryset = ServicePage.objects.live() if include_hidden else api_services()
    return with_full_relations(queryset).order_by("title", "pk")


# --- Service at location ------------------------------------------------------------------


def with_location_relations(queryset: QuerySet[Location]) -> QuerySet[Location]:
    """What a list of services at locations needs: each location's service (one-to-one
    fields), its organisation and its terms."""
    return queryset.select_related("page", "page__organisation", "page__organisation__logo").prefetch_related(
        Prefetch("page__taxonomy_terms", queryset=TaxonomyTerm.objects.select_related("taxonomy", "parent"))
    )


def api_locations(filters: ServiceFilters) -> QuerySet[Location]:
    """Non-confidential locations of the API's services, matching the service filters."""
    services = filter_services(api_services(), filters)
    return with_location_relations(
        Location.objects.filter(confidential=False, page__in=services.values("pk"))
    ).order_by("page__title", "sort_order", "pk")


def locations_in_order(pks: list[int]) -> list[Location]:
    """The locations with these pks, in this order, with their list relations."""
    by_pk = with_location_relations(Location.objects.filter(pk__in=pks, confidential=False)).in_bulk()
    return [by_pk[pk] for pk in pks if pk in by_pk]


def api_service_at_location(service_at_location_id: uuid.UUID) -> Location | None:
    location = (
        Location.objects.filter(confidential=False, service_at_location_id=service_at_location_id)
        .select_related("page")
        .first()
    )
    if location is None:
        return None
    page = api_service(location.page.oruk_id)
    if page is None:
        return None
    location.page = page
    return location


def postcode_centroid(postcode: str) -> tuple[float, float] | None:
    """Coordinates for a postcode (or an outcode such as "SR4"), or None if it is not known.

    The search app's postcode table answers first (search.postcodes.lookup: the table, the
    outcode's centroid, postcodes.io if configured). Failing that, a postcode is known if a
    public location of a public service has it with coordinates (their average). Confidential
    locations are never consulted, so a refuge's postcode is never confirmed to exist."""
    from search import postcodes

    try:
        place = postcodes.lookup(postcode)
    except Exception:
        return None
    if place is not None:
        return (place.latitude, place.longitude)
    try:
        postcode = normalise_postcode(postcode)
    except Exception:
        return None
    rows = Location.objects.filter(
        confidential=False,
        postal_code=postcode,
        latitude__isnull=False,
        longitude__isnull=False,
        page__in=public_services().values("pk"),
    ).values_list("latitude", "longitude")
    rows = list(rows)
    if not rows:
        return None
    return (sum(r[0] for r in rows) / len(rows), sum(r[1] for r in rows) / len(rows))


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres (haversine)."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi, dlambda = math.radians(lat2 - lat1), math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(a))


def locations_by_distance(
    locations: QuerySet[Location], latitude: float, longitude: float, radius_m: float | None = None
) -> list[tuple[int, float | None]]:
    """(location pk, metres) nearest first. With ``radius_m``, only locations within it
    (a bounding box in the database, then the exact distance); without, every location, those
    without coordinates last."""
    if radius_m is not None:
        dlat = math.degrees(radius_m / EARTH_RADIUS_M)
        dlon = math.degrees(radius_m / (EARTH_RADIUS_M * max(math.cos(math.radians(latitude)), 0.01)))
        locations = locations.filter(
            latitude__range=(latitude - dlat, latitude + dlat),
            longitude__range=(longitude - dlon, longitude + dlon),
        )
    rows = []
    for pk, lat, lon in locations.values_list("pk", "latitude", "longitude"):
        if lat is None or lon is None:
            if radius_m is None:
                rows.append((pk, None))
            continue
        metres = distance_m(latitude, longitude, lat, lon)
        if radius_m is None or metres <= radius_m:
            rows.append((pk, metres))
    rows.sort(key=lambda row: (row[1] is None, row[1] or 0))
    return rows


# --- Organisations and taxonomy -------------------------------------------------------------


def taxonomies() -> QuerySet[Taxonomy]:
    return Taxonomy.objects.order_by("name", "pk")


def taxonomy(oruk_id: uuid.UUID) -> Taxonomy | None:
    return Taxonomy.objects.filter(oruk_id=oruk_id).first()


def taxonomy_terms(taxonomy_id: uuid.UUID | None = None) -> QuerySet[TaxonomyTerm]:
    terms = TaxonomyTerm.objects.select_related("taxonomy", "parent").order_by("taxonomy__name", "name", "pk")
    if taxonomy_id:
        terms = terms.filter(taxonomy__oruk_id=taxonomy_id)
    return terms


def taxonomy_term(oruk_id: uuid.UUID) -> TaxonomyTerm | None:
    return TaxonomyTerm.objects.select_related("taxonomy", "parent").filter(oruk_id=oruk_id).first()


# --- Family-facing pages -------------------------------------------------------------------

# A service is "sensitive" (its page carries Exit this page and the browsing-safely guide) if
# it has a confidential location, or any of its terms is, or sits under, a domestic abuse term:
# one whose code is listed here, or whose name says domestic abuse or violence (so an
# imported taxonomy, such as the LGA's, is recognised without configuration).
DOMESTIC_ABUSE_CODES = frozenset({"domestic-abuse", "domestic-violence", "da"})
DOMESTIC_ABUSE_WORDS = ("domestic abuse", "domestic violence")


def domestic_abuse_term_ids() -> set[int]:
    """The pks of every domestic abuse term and every term below one (one query)."""
    rows = list(TaxonomyTerm.objects.values_list("pk", "parent_id", "code", "name"))
    parents = {pk: parent for pk, parent, _code, _name in rows}
    roots = {
        pk
        for pk, _parent, code, name in rows
        if (code or "").strip().lower() in DOMESTIC_ABUSE_CODES
        or any(word in (name or "").lower() for word in DOMESTIC_ABUSE_WORDS)
    }
    found = set()
    for pk in parents:
        node, seen = pk, set()
        while node is not None and node not in seen:
            if node in roots:
                found.add(pk)
                break
            seen.add(node)
            node = parents.get(node)
    return found


def confidential_service_ids(pks) -> set[int]:
    """Which of these services have a confidential location (never loading the location)."""
    return set(Location.objects.filter(page_id__in=list(pks), confidential=True).values_list("page_id", flat=True))


def is_domestic_abuse_service(page: ServicePage, *, da_terms: set[int] | None = None) -> bool:
    da_terms = domestic_abuse_term_ids() if da_terms is None else da_terms
    term_ids = {term.pk for term in page.taxonomy_terms.all()}
    if term_ids & da_terms:
        return True
    flag = getattr(page, "has_confidential", None)
    return bool(flag) if flag is not None else page.has_confidential_location()


CHILD_AGE_LIMIT = 18


def domestic_abuse_services_for_children(limit: int = 8) -> list[ServicePage]:
    """Up to ``limit`` public domestic abuse services that take children or young people
    (no minimum age, or one under 18), by name, for signposting from other apps (the
    Operation Encompass notification page). A domestic abuse service is one whose terms are
    in :func:`domestic_abuse_term_ids` (the same rule the family pages use). Each page has
    ``phone_list`` prefetched; locations are never loaded, so no confidential address can
    leak. Three queries whatever the limit."""
    da_terms = domestic_abuse_term_ids()
    if not da_terms or limit <= 0:
        return []
    tagged = ServicePage.objects.filter(taxonomy_terms__in=da_terms).values("pk")
    return list(
        public_services()
        .filter(pk__in=tagged)
        .filter(Q(minimum_age__isnull=True) | Q(minimum_age__lt=CHILD_AGE_LIMIT))
        .prefetch_related(Prefetch("phones", queryset=Phone.objects.order_by("sort_order", "pk"), to_attr="phone_list"))
        .order_by("title", "pk")[:limit]
    )


def service_page_details(page: ServicePage) -> ServicePage:
    """The page with everything its family-facing template shows, in a fixed number of
    queries. ``public_location_list`` never holds a confidential location."""
    return with_full_relations(ServicePage.objects.filter(pk=page.pk)).get()


def shortlist_services(pks) -> list[ServicePage]:
    """The publicly visible services among ``pks``, in that order, with what the shortlist
    and its email show (a constant number of queries however long the list).
    ``has_confidential`` says whether a service has a confidential location."""
    pks = [pk for pk in pks if isinstance(pk, int)]
    if not pks:
        return []
    queryset = (
        public_services()
        .filter(pk__in=pks)
        .select_related("organisation")
        .prefetch_related(
            Prefetch(
                "locations",
                queryset=Location.objects.filter(confidential=False).order_by("sort_order", "pk"),
                to_attr="public_location_list",
            ),
            "phones",
            "service_areas",
            "cost_options",
            Prefetch(
                "taxonomy_terms", queryset=TaxonomyTerm.objects.only("pk", "parent_id", "name", "code", "taxonomy_id")
            ),
        )
    )
    by_pk = {page.pk: page for page in queryset}
    confidential = confidential_service_ids(by_pk)
    for pk, page in by_pk.items():
        page.has_confidential = pk in confidential
    return [by_pk[pk] for pk in pks if pk in by_pk]


def category_groups() -> list[tuple[TaxonomyTerm, list[ServicePage]]]:
    """Public services grouped under their top-level categories (each service under every
    top-level term it belongs to, directly or through a child term), for the directory index."""
    terms = {term.pk: term for term in TaxonomyTerm.objects.select_related("taxonomy")}

    def root(term_id):
        node, seen = terms.get(term_id), set()
        while node is not None and node.parent_id is not None and node.parent_id in terms and node.pk not in seen:
            seen.add(node.pk)
            node = terms[node.parent_id]
        return node

    groups: dict[int, list[ServicePage]] = {}
    services = (
        public_services()
        .select_related("organisation")
        .prefetch_related(Prefetch("taxonomy_terms", queryset=TaxonomyTerm.objects.only("pk", "parent_id")))
        .order_by("title")
    )
    for service in services:
        for top in {root(t.pk) for t in service.taxonomy_terms.all()} - {None}:
            groups.setdefault(top.pk, []).append(service)
    ordered = sorted(groups, key=lambda pk: terms[pk].name.lower())
    return [(terms[pk], groups[pk]) for pk in ordered]


# --- Editorial: what each admin user may see -----------------------------------------------


def services_for_editor(user, queryset: QuerySet[ServicePage] | None = None) -> QuerySet[ServicePage]:
    """Services a user works on in the admin: all for directory managers, their own
    organisations' for a service provider editor."""
    from directory.editorial import is_scoped_editor, organisation_ids_for

    queryset = ServicePage.objects.all() if queryset is None else queryset
    if is_scoped_editor(user):
        queryset = queryset.filter(organisation__in=organisation_ids_for(user))
    return queryset


def services_due_for_review(user, today: datetime.date | None = None) -> QuerySet[ServicePage]:
    """The admin's "Services due for review" list, scoped to the user, with each service's
    verification requests (newest first) prefetched."""
    from directory.models import VerificationRequest

    return (
        services_for_editor(user, services_needing_review(today))
        .select_related("organisation")
        .prefetch_related(Prefetch("verification_requests", queryset=VerificationRequest.objects.order_by("-sent_at")))
    )


def problem_reports_for(user):
    """Reported problems a user may see: all for directory managers, their own
    organisations' services' for a service provider editor."""
    from directory.editorial import is_scoped_editor, organisation_ids_for
    from directory.models import ProblemReport

    reports = ProblemReport.objects.select_related("service", "resolved_by")
    if is_scoped_editor(user):
        reports = reports.filter(service__organisation__in=organisation_ids_for(user))
    return reports
