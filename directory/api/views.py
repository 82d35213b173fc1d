"""The Open Referral UK v3 API (``/api/oruk/``): thin views over the directory's selectors
and the ORUK serialisers. Open (no keys), read-only, CORS for everyone (see ``urls.py``)."""

from __future__ import annotations

import uuid

from ninja import NinjaAPI, Query, Schema
from ninja.errors import ValidationError

from django.http import Http404, HttpRequest
from django.urls import reverse

from directory import selectors
from directory.api import serializers
from directory.api.pagination import envelope, page_slice, paginate_queryset
from directory.api.params import (
    InvalidParameter,
    PageQuery,
    ServiceAtLocationQuery,
    ServiceQuery,
    TaxonomyTermQuery,
)

ORUK_VERSION = "3.0"
ORUK_UK_PROFILE_URL = "https://open-referral-uk-profile.readthedocs.io/en/latest/"

api = NinjaAPI(
    title="Open Referral UK v3",
    version=ORUK_VERSION,
    description=(
        "The service directory as Open Referral UK (HSDS 3.0, UK profile). Open: no keys. "
        "Only published, active and verified services; confidential locations are never included."
    ),
    urls_namespace="oruk",
    docs_url="/docs",
    openapi_url="/openapi.json",
)


# --- Errors: one JSON shape, naming the parameter -----------------------------------------------


class ParameterError(Schema):
    parameter: str
    message: str


class ErrorOut(Schema):
    status: int
    message: str
    parameter: str | None = None
    errors: list[ParameterError] | None = None


class PageOut(Schema):
    """The UK profile's pagination envelope; ``contents`` holds the endpoint's items."""

    total_items: int
    total_pages: int
    page_number: int
    size: int
    first_page: bool
    last_page: bool
    empty: bool
    contents: list[dict]


# Documented answers: a list answers 200 or 400 (a parameter it cannot use); an item answers
# 200 or 404 (including an id that is not a UUID).
LIST_RESPONSES = {200: PageOut, 400: ErrorOut}
ITEM_RESPONSES = {200: dict, 404: ErrorOut}


def _error(request, status: int, message: str, errors: list[dict] | None = None):
    body = {"status": status, "message": message}
    if errors:
        body["parameter"] = errors[0]["parameter"]
        body["errors"] = errors
    return api.create_response(request, body, status=status)


@api.exception_handler(InvalidParameter)
def invalid_parameter(request, exc: InvalidParameter):
    return _error(
        request,
        400,
        f"Invalid parameter {exc.parameter}: {exc.message}",
        [{"parameter": exc.parameter, "message": exc.message}],
    )


PATTERN_MESSAGES = {
    "day": "use MO, TU, WE, TH, FR, SA or SU (or the day's name)",
    "start_time": "give a local time as HH:MM (or HH:MM:SS), without a time zone",
    "end_time": "give a local time as HH:MM (or HH:MM:SS), without a time zone",
}


@api.exception_handler(ValidationError)
def invalid_parameters(request, exc: ValidationError):
    errors = []
    for error in exc.errors:
        names = [str(part) for part in error.get("loc", ()) if part not in ("query", "path", "params")]
        parameter = names[-1] if names else "query"
        message = error.get("msg", "invalid value")
        if message.startswith("Value error, "):
            message = message[len("Value error, ") :]
        if error.get("type") == "string_pattern_mismatch":
            message = PATTERN_MESSAGES.get(parameter, message)
        errors.append({"parameter": parameter, "message": message})
    first = errors[0]
    return _error(request, 400, f"Invalid parameter {first['parameter']}: {first['message']}", errors)


@api.exception_handler(Http404)
def not_found(request, exc):
    return _error(request, 404, "Not found")


def _uuid_or_404(value: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except (ValueError, TypeError, AttributeError):
        raise Http404 from None


# --- Endpoints -------------------------------------------------------------------------------------


@api.get(
    "/", summary="Information about this API and its relationship with HSDS", url_name="info", response={200: dict}
)
def info(request: HttpRequest):
    return {
        "version": ORUK_VERSION,
        "profile": ORUK_UK_PROFILE_URL,
        "openapi_url": request.build_absolute_uri(reverse("oruk:openapi-json")),
    }


@api.get(
    "/services", summary="Paginated list of services (one-to-one fields)", url_name="services", response=LIST_RESPONSES
)
def list_services(request: HttpRequest, params: Query[ServiceQuery]):
    services = selectors.api_service_list(params.filters())
    return paginate_queryset(
        services, page=params.page, per_page=params.per_page, serialise=serializers.service_summary
    )


@api.get("/services/{id}", summary="A fully nested service", url_name="service", response=ITEM_RESPONSES)
def get_service(request: HttpRequest, id: str):
    page = selectors.api_service(_uuid_or_404(id))
    if page is None:
        raise Http404
    return serializers.service_full(page)


@api.get(
    "/service_at_locations",
    summary="Paginated list of services at locations (one-to-one fields)",
    url_name="service_at_locations",
    response=LIST_RESPONSES,
)
def list_service_at_locations(request: HttpRequest, params: Query[ServiceAtLocationQuery]):
    centre = params.centre(selectors.postcode_centroid)
    locations = selectors.api_locations(params.filters())
    if centre is None:
        return paginate_queryset(
            locations, page=params.page, per_page=params.per_page, serialise=serializers.service_at_location_summary
        )
    ranked = selectors.locations_by_distance(locations, centre[0], centre[1], params.proximity)
    page_rows = page_slice(ranked, page=params.page, per_page=params.per_page)
    distances = dict(page_rows)
    contents = []
    for location in selectors.locations_in_order([pk for pk, _ in page_rows]):
        item = serializers.service_at_location_summary(location)
        if distances[location.pk] is not None:
            item["x_distance_m"] = round(distances[location.pk])
        contents.append(item)
    return envelope(total_items=len(ranked), page=params.page, per_page=params.per_page, contents=contents)


@api.get(
    "/service_at_locations/{id}",
    summary="A fully nested service at a location",
    url_name="service_at_location",
    response=ITEM_RESPONSES,
)
def get_service_at_location(request: HttpRequest, id: str):
    location = selectors.api_service_at_location(_uuid_or_404(id))
    if location is None:
        raise Http404
    return serializers.service_at_location_full(location)


@api.get("/taxonomies", summary="Paginated list of taxonomies", url_name="taxonomies", response=LIST_RESPONSES)
def list_taxonomies(request: HttpRequest, params: Query[PageQuery]):
    return paginate_queryset(
        selectors.taxonomies(), page=params.page, per_page=params.per_page, serialise=serializers.taxonomy
    )


@api.get("/taxonomies/{id}", summary="A taxonomy with its terms", url_name="taxonomy", response=ITEM_RESPONSES)
def get_taxonomy(request: HttpRequest, id: str):
    taxonomy = selectors.taxonomy(_uuid_or_404(id))
    if taxonomy is None:
        raise Http404
    return serializers.taxonomy(taxonomy, with_terms=True)


@api.get(
    "/taxonomy_terms", summary="Paginated list of taxonomy terms", url_name="taxonomy_terms", response=LIST_RESPONSES
)
def list_taxonomy_terms(request: HttpRequest, params: Query[TaxonomyTermQuery]):
    return paginate_queryset(
        selectors.taxonomy_terms(params.taxonomy_id),
        page=params.page,
        per_page=params.per_page,
        serialise=serializers.taxonomy_term,
    )


@api.get("/taxonomy_terms/{id}", summary="A taxonomy term", url_name="taxonomy_term", response=ITEM_RESPONSES)
def get_taxonomy_term(request: HttpRequest, id: str):
    term = selectors.taxonomy_term(_uuid_or_404(id))
    if term is None:
        raise Http404
    return serializers.taxonomy_term(term)
