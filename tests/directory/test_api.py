"""The Open Referral UK v3 API at /api/oruk/."""

from __future__ import annotations

import datetime
import json
import uuid

import pytest
import time_machine

from django.utils import timezone

from directory.models import ServicePage, ServiceStatus
from tests.directory import oruk_contract
from tests.directory.factories import (
    PUBLIC_LAT,
    PUBLIC_LNG,
    PUBLIC_POSTCODE,
    REFUGE_ADDRESS,
    REFUGE_LAT,
    REFUGE_LNG,
    REFUGE_POSTCODE,
    ServicePageFactory,
    TaxonomyFactory,
    TaxonomyTermFactory,
    confidential_location,
    public_location,
    weekly_schedule,
)

pytestmark = pytest.mark.django_db


def ids(response_or_data) -> list[str]:
    data = response_or_data if isinstance(response_or_data, dict) else response_or_data.json()
    return [item["id"] for item in data["contents"]]


def ok(response, kind: str) -> dict:
    assert response.status_code == 200, response.content
    assert response["Access-Control-Allow-Origin"] == "*"
    data = response.json()
    oruk_contract.validate(kind, data)
    return data


# --- Root ------------------------------------------------------------------------------------


def test_root_describes_the_api(api):
    data = ok(api("/"), "info")
    assert data["version"] == "3.0"
    assert "open-referral-uk-profile" in data["profile"]
    assert data["openapi_url"].endswith("/api/oruk/openapi.json")


def test_openapi_document_is_served(client):
    response = client.get("/api/oruk/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    for path in ("/services", "/services/{id}", "/service_at_locations", "/taxonomies", "/taxonomy_terms"):
        assert f"/api/oruk{path}" in paths


# --- Services --------------------------------------------------------------------------------


def test_services_list_shape_and_full_service(api):
    service = ServicePageFactory(
        title="Bump to Baby", languages=["en", "pl"], locations=[public_location(), confidential_location()]
    )
    data = ok(api("/services"), "services")
    assert data["total_items"] == 1
    item = data["contents"][0]
    assert item["id"] == str(service.oruk_id)
    assert item["name"] == "Bump to Baby"
    assert item["organization"]["id"] == str(service.organisation.oruk_id)
    assert item["last_modified"].endswith("Z")

    full = ok(api(f"/services/{service.oruk_id}"), "service")
    assert [sal["location"]["name"] for sal in full["service_at_locations"]] == ["Sunderland Family Hub"]
    address = full["service_at_locations"][0]["location"]["addresses"][0]
    assert address["postal_code"] == PUBLIC_POSTCODE
    assert {lang["code"] for lang in full["languages"]} == {"en", "pl"}
    assert full["schedules"][0]["byday"] == "MO,WE"
    assert full["schedules"][0]["opens_at"] == "09:00:00"
    assert full["attributes"][0]["taxonomy_term"]["id"] == str(service.taxonomy_terms.first().oruk_id)
    assert full["cost_options"][0]["amount"] == 0 and full["cost_options"][0]["x_free"] is True
    assert full["phones"][0]["number"] == "0191 498 0001"


def test_derived_ids_are_stable_between_responses(api):
    service = ServicePageFactory()
    first = api(f"/services/{service.oruk_id}").json()
    second = api(f"/services/{service.oruk_id}").json()
    assert first == second


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(lambda: ServicePageFactory(publish=False), id="unpublished"),
        pytest.param(lambda: ServicePageFactory(status=ServiceStatus.INACTIVE), id="inactive"),
        pytest.param(lambda: ServicePageFactory(status=ServiceStatus.DEFUNCT), id="defunct"),
        pytest.param(lambda: ServicePageFactory(status=ServiceStatus.TEMPORARILY_CLOSED), id="temporarily-closed"),
        pytest.param(lambda: ServicePageFactory(verified=False), id="never-verified"),
        pytest.param(
            lambda: ServicePageFactory(assured_date=timezone.localdate() - datetime.timedelta(days=400)),
            id="verification-lapsed",
        ),
    ],
)
def test_hidden_services_are_not_listed_and_404(api, make):
    service = make()
    assert str(service.oruk_id) not in ids(api("/services"))
    assert str(service.oruk_id) not in [c["service_id"] for c in api("/service_at_locations").json()["contents"]]
    response = api(f"/services/{service.oruk_id}")
    assert response.status_code == 404
    assert response["Access-Control-Allow-Origin"] == "*"
    location = service.locations.first()
    assert api(f"/service_at_locations/{location.service_at_location_id}").status_code == 404


@pytest.mark.parametrize("bad_id", ["not-a-uuid", str(uuid.uuid4()), "1"])
def test_unknown_or_malformed_ids_are_404(api, bad_id):
    for path in ("services", "service_at_locations", "taxonomies", "taxonomy_terms"):
        response = api(f"/{path}/{bad_id}")
        assert response.status_code == 404, path
        assert response.json()["status"] == 404
        assert response["Access-Control-Allow-Origin"] == "*"


def test_verification_is_within_review_interval_plus_grace(api, settings):
    settings.DIRECTORY_VERIFICATION_GRACE_DAYS = 28
    service = ServicePageFactory(assured_date=datetime.date(2025, 1, 10), review_interval_months=6)
    with time_machine.travel(datetime.datetime(2025, 8, 7, 12, tzinfo=datetime.UTC)):  # due 10 July + 28 days
        assert str(service.oruk_id) in ids(api("/services"))
    with time_machine.travel(datetime.datetime(2025, 8, 8, 12, tzinfo=datetime.UTC)):
        assert str(service.oruk_id) not in ids(api("/services"))


def test_search_parameter(api):
    wanted = ServicePageFactory(title="Young carers group", summary="Time out for young carers.")
    ServicePageFactory(title="Money advice")
    by_term = ServicePageFactory(title="Fun club", terms=[TaxonomyTermFactory(name="Bereavement support")])
    assert ids(api("/services", search="young carers")) == [str(wanted.oruk_id)]
    assert ids(api("/services", search="BEREAVEMENT")) == [str(by_term.oruk_id)]
    assert ids(api("/services", search="nothing matches this")) == []


def test_taxonomy_filters(api):
    taxonomy = TaxonomyFactory(name="Needs")
    other = TaxonomyFactory(name="Other")
    term = TaxonomyTermFactory(taxonomy=taxonomy)
    with_term = ServicePageFactory(terms=[term])
    with_other = ServicePageFactory(terms=[TaxonomyTermFactory(taxonomy=other)])
    assert ids(api("/services", taxonomy_term_id=str(term.oruk_id))) == [str(with_term.oruk_id)]
    assert ids(api("/services", taxonomy_id=str(other.oruk_id))) == [str(with_other.oruk_id)]
    assert ids(api("/services", taxonomy_term_id=str(uuid.uuid4()))) == []
    # organization_id: an extension, as in HSDS.
    assert ids(api("/services", organization_id=str(with_other.organisation.oruk_id))) == [str(with_other.oruk_id)]


def test_age_filters_follow_the_oruk_wording(api):
    babies = ServicePageFactory(minimum_age=0, maximum_age=4)
    teens = ServicePageFactory(minimum_age=11, maximum_age=18)
    adults = ServicePageFactory(minimum_age=18, maximum_age=None)
    assert set(ids(api("/services", minimum_age=11))) == {str(teens.oruk_id), str(adults.oruk_id)}
    assert set(ids(api("/services", maximum_age=4))) == {str(babies.oruk_id)}
    assert set(ids(api("/services", minimum_age=0, maximum_age=18))) == {str(babies.oruk_id), str(teens.oruk_id)}


def test_day_and_time_filters_match_one_schedule(api):
    mornings = ServicePageFactory(schedules=[weekly_schedule("MO,TU", "09:00", "12:00")])
    evenings = ServicePageFactory(schedules=[weekly_schedule("FR", "17:00", "20:00")])
    ServicePageFactory(schedules=[])
    assert ids(api("/services", day="MO")) == [str(mornings.oruk_id)]
    assert ids(api("/services", day="friday")) == [str(evenings.oruk_id)]
    assert ids(api("/services", start_time="16:00")) == [str(evenings.oruk_id)]
    assert ids(api("/services", end_time="12:00")) == [str(mornings.oruk_id)]
    assert ids(api("/services", day="MO", start_time="16:00")) == []


def test_modified_after(api):
    with time_machine.travel(datetime.datetime(2025, 1, 1, 9, tzinfo=datetime.UTC), tick=False):
        old = ServicePageFactory()
    with time_machine.travel(datetime.datetime(2025, 3, 1, 9, tzinfo=datetime.UTC), tick=False):
        new = ServicePageFactory()
    with time_machine.travel(datetime.datetime(2025, 3, 2, tzinfo=datetime.UTC)):
        assert ids(api("/services", modified_after="2025-02-01T00:00:00Z")) == [str(new.oruk_id)]
        assert set(ids(api("/services", modified_after="2024-12-31"))) == {str(old.oruk_id), str(new.oruk_id)}
        # A change to the organisation counts as a change to the service.
        with time_machine.travel(datetime.datetime(2025, 3, 2, 9, tzinfo=datetime.UTC), tick=False):
            old.organisation.description = "New description"
            old.organisation.save()
        assert str(old.oruk_id) in ids(api("/services", modified_after="2025-03-02T08:00:00+00:00"))


# --- Parameters: 400 naming the parameter ------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "params", "parameter"),
    [
        ("/services", {"page": "0"}, "page"),
        ("/services", {"page": "abc"}, "page"),
        ("/services", {"per_page": "0"}, "per_page"),
        ("/services", {"per_page": "201"}, "per_page"),
        ("/services", {"minimum_age": "-1"}, "minimum_age"),
        ("/services", {"maximum_age": "121"}, "maximum_age"),
        ("/services", {"maximum_age": "old"}, "maximum_age"),
        ("/services", {"day": "someday"}, "day"),
        ("/services", {"start_time": "25:00"}, "start_time"),
        ("/services", {"end_time": "noon"}, "end_time"),
        ("/services", {"taxonomy_term_id": "nope"}, "taxonomy_term_id"),
        ("/services", {"taxonomy_id": "nope"}, "taxonomy_id"),
        ("/services", {"modified_after": "last tuesday"}, "modified_after"),
        ("/service_at_locations", {"postcode": "NOT A POSTCODE"}, "postcode"),
        ("/service_at_locations", {"postcode": "TR1 1AA"}, "postcode"),
        ("/service_at_locations", {"proximity": "1000"}, "proximity"),
        ("/service_at_locations", {"postcode": PUBLIC_POSTCODE, "proximity": "-5"}, "proximity"),
        ("/service_at_locations", {"postcode": PUBLIC_POSTCODE, "proximity": "far"}, "proximity"),
        ("/service_at_locations", {"latitude": "54.9"}, "longitude"),
        ("/service_at_locations", {"latitude": "95", "longitude": "0"}, "latitude"),
        ("/taxonomies", {"per_page": "1000"}, "per_page"),
        ("/taxonomy_terms", {"page": "-1"}, "page"),
    ],
)
def test_bad_parameters_are_400_naming_the_parameter(client, path, params, parameter):
    ServicePageFactory()
    response = client.get(f"/api/oruk{path}", params)
    assert response.status_code == 400, response.content
    assert response["Access-Control-Allow-Origin"] == "*"
    body = response.json()
    assert body["status"] == 400
    assert body["parameter"] == parameter
    assert parameter in body["message"]
    assert body["errors"][0]["parameter"] == parameter


def test_unrecognised_postcode_message(api):
    response = api("/service_at_locations", postcode="TR1 1AA")
    assert response.json()["message"] == "Invalid parameter postcode: postcode not recognised"


# --- Pagination --------------------------------------------------------------------------------


def test_pagination_envelope(api):
    services = [ServicePageFactory(title=f"Service {n:02}") for n in range(5)]
    first = ok(api("/services", per_page=2), "services")
    assert first | {"contents": None} == {
        "total_items": 5,
        "total_pages": 3,
        "page_number": 1,
        "size": 2,
        "first_page": True,
        "last_page": False,
        "empty": False,
        "contents": None,
    }
    last = ok(api("/services", per_page=2, page=3), "services")
    assert (last["size"], last["first_page"], last["last_page"], last["empty"]) == (1, False, True, False)
    assert ids(last) == [str(services[4].oruk_id)]
    walked = []
    for page in (1, 2, 3):
        walked += ids(api("/services", per_page=2, page=page))
    assert walked == [str(s.oruk_id) for s in services]


def test_page_beyond_the_last_is_empty_not_an_error(api):
    ServicePageFactory()
    data = ok(api("/services", page=7), "services")
    assert (data["total_items"], data["total_pages"], data["page_number"]) == (1, 1, 7)
    assert (data["size"], data["empty"], data["last_page"], data["first_page"]) == (0, True, True, False)


def test_empty_directory(api):
    data = ok(api("/services"), "services")
    assert (data["total_items"], data["total_pages"], data["size"], data["empty"]) == (0, 0, 0, True)
    assert data["first_page"] and data["last_page"]


def test_per_page_bounds(api):
    for _ in range(3):
        ServicePageFactory()
    assert ok(api("/services", per_page=1), "services")["size"] == 1
    assert ok(api("/services", per_page=200), "services")["size"] == 3
    assert ok(api("/services"), "services")["size"] == 3  # default 50


# --- Service at location ------------------------------------------------------------------------


def test_service_at_locations_list_and_detail(api):
    service = ServicePageFactory(locations=[public_location(name="Hub A"), public_location(name="Hub B")])
    data = ok(api("/service_at_locations"), "service_at_locations")
    assert [c["location"]["name"] for c in data["contents"]] == ["Hub A", "Hub B"]
    assert {c["service"]["id"] for c in data["contents"]} == {str(service.oruk_id)}
    sal_id = data["contents"][0]["id"]
    detail = ok(api(f"/service_at_locations/{sal_id}"), "service_at_location")
    assert detail["location"]["addresses"][0]["address_1"] == "City Hall, Plater Way"
    assert detail["service"]["id"] == str(service.oruk_id)


def test_service_at_locations_by_postcode_and_proximity(api):
    near = ServicePageFactory(title="Near", locations=[public_location(latitude=PUBLIC_LAT, longitude=PUBLIC_LNG)])
    middle = ServicePageFactory(
        title="Middle", locations=[public_location(postal_code="SR2 7AA", latitude=54.8950, longitude=-1.3815)]
    )  # about 1.2 km south
    far = ServicePageFactory(
        title="Far", locations=[public_location(postal_code="NE1 4ST", latitude=54.9783, longitude=-1.6178)]
    )  # Newcastle
    nearest_first = api("/service_at_locations", postcode="sr13aa")
    ok(nearest_first, "service_at_locations")
    assert [c["service"]["id"] for c in nearest_first.json()["contents"]] == [
        str(near.oruk_id),
        str(middle.oruk_id),
        str(far.oruk_id),
    ]
    within_2km = api("/service_at_locations", postcode=PUBLIC_POSTCODE, proximity="2000")
    assert [c["service"]["id"] for c in within_2km.json()["contents"]] == [str(near.oruk_id), str(middle.oruk_id)]
    assert within_2km.json()["total_items"] == 2
    by_point = api("/service_at_locations", latitude=54.9783, longitude=-1.6178, proximity=500)
    assert [c["service"]["id"] for c in by_point.json()["contents"]] == [str(far.oruk_id)]


def test_service_filters_apply_to_service_at_locations(api):
    wanted = ServicePageFactory(title="Dads group", minimum_age=0, maximum_age=4)
    ServicePageFactory(title="Teen space", minimum_age=11, maximum_age=18)
    data = api("/service_at_locations", search="dads").json()
    assert [c["service"]["id"] for c in data["contents"]] == [str(wanted.oruk_id)]
    data = api("/service_at_locations", maximum_age=4).json()
    assert [c["service"]["id"] for c in data["contents"]] == [str(wanted.oruk_id)]


# --- Taxonomies ------------------------------------------------------------------------------------


def test_taxonomies_and_terms(api):
    taxonomy = TaxonomyFactory(name="Early help categories", uri="https://example.org/taxonomy")
    parent = TaxonomyTermFactory(taxonomy=taxonomy, name="Family support", code="family")
    child = TaxonomyTermFactory(taxonomy=taxonomy, name="Parenting", code="parenting", parent=parent)
    listed = ok(api("/taxonomies"), "taxonomies")
    assert [t["id"] for t in listed["contents"]] == [str(taxonomy.oruk_id)]
    detail = ok(api(f"/taxonomies/{taxonomy.oruk_id}"), "taxonomy")
    assert {t["id"] for t in detail["taxonomy_terms"]} == {str(parent.oruk_id), str(child.oruk_id)}
    terms = ok(api("/taxonomy_terms", per_page=1), "taxonomy_terms")
    assert (terms["total_items"], terms["size"]) == (2, 1)
    term = ok(api(f"/taxonomy_terms/{child.oruk_id}"), "taxonomy_term")
    assert term["parent_id"] == str(parent.oruk_id)
    assert term["taxonomy_id"] == str(taxonomy.oruk_id)
    assert term["taxonomy"] == "Early help categories"
    other = TaxonomyFactory(name="Other")
    TaxonomyTermFactory(taxonomy=other)
    filtered = api("/taxonomy_terms", taxonomy_id=str(other.oruk_id)).json()
    assert filtered["total_items"] == 1


# --- CORS ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path", ["/", "/services", "/services/nope", "/taxonomies", "/no/such/endpoint", "/services?per_page=0"]
)
def test_every_response_allows_any_origin(client, path):
    response = client.get(f"/api/oruk{path}", HTTP_ORIGIN="https://other.example")
    assert response["Access-Control-Allow-Origin"] == "*"


def test_preflight(client):
    response = client.options(
        "/api/oruk/services",
        HTTP_ORIGIN="https://other.example",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="x-requested-with",
    )
    assert response.status_code == 204
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "GET" in response["Access-Control-Allow-Methods"]
    assert response["Access-Control-Allow-Headers"] == "x-requested-with"


def test_unknown_path_is_json_404(api):
    response = api("/nothing-here")
    assert response.status_code == 404
    assert response.json() == {"status": 404, "message": "Not found"}


# --- Confidential locations --------------------------------------------------------------------------


def test_confidential_location_never_appears_in_any_response(client):
    refuge = ServicePageFactory(
        title="Wearside Women's Refuge",
        locations=[confidential_location()],
        service_areas=None,
    )
    mixed = ServicePageFactory(title="Outreach", locations=[public_location(), confidential_location(name="Safe flat")])
    refuge_location = refuge.locations.get()
    secret_location = mixed.locations.get(confidential=True)
    bodies = []
    for path, params in [
        ("/services", {}),
        (f"/services/{refuge.oruk_id}", {}),
        (f"/services/{mixed.oruk_id}", {}),
        ("/service_at_locations", {}),
        ("/service_at_locations", {"postcode": PUBLIC_POSTCODE}),
        ("/service_at_locations", {"latitude": REFUGE_LAT, "longitude": REFUGE_LNG, "proximity": 100}),
        ("/service_at_locations", {"search": "refuge"}),
        (f"/service_at_locations/{refuge_location.service_at_location_id}", {}),
        (f"/service_at_locations/{secret_location.service_at_location_id}", {}),
    ]:
        response = client.get(f"/api/oruk{path}", params)
        bodies.append(response.content.decode())
    text = "\n".join(bodies)
    assert "Wearside Women's Refuge" in text  # the service itself is listed
    for secret in (
        REFUGE_ADDRESS,
        REFUGE_POSTCODE,
        str(REFUGE_LAT),
        str(REFUGE_LNG),
        "54.89371",
        "-1.41234",
        str(refuge_location.oruk_id),
        str(refuge_location.service_at_location_id),
        str(secret_location.oruk_id),
        "Safe house",
        "Safe flat",
        "Ground floor rooms at the refuge",
    ):
        assert secret not in text, secret
    # The refuge's own service shows no locations at all, and its service_at_location is 404.
    full = json.loads(bodies[1])
    assert full["service_at_locations"] == []
    assert json.loads(bodies[-2])["status"] == 404


def test_refuge_postcode_is_not_recognised_for_proximity(api):
    ServicePageFactory(locations=[confidential_location()])
    response = api("/service_at_locations", postcode=REFUGE_POSTCODE)
    assert response.status_code == 400
    assert response.json()["message"].endswith("postcode not recognised")


# --- Query counts --------------------------------------------------------------------------------------


def _make_services(count: int) -> None:
    for n in range(count):
        ServicePageFactory(
            title=f"Counted service {n:03}",
            terms=[TaxonomyTermFactory(), TaxonomyTermFactory()],
            locations=[public_location(), public_location(name="Second"), confidential_location()],
            schedules=[weekly_schedule(), weekly_schedule("FR")],
        )


def _count_queries(client, path: str) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("path", ["/api/oruk/services?per_page=50", "/api/oruk/service_at_locations?per_page=50"])
def test_list_endpoints_run_a_constant_number_of_queries(client, path, django_assert_max_num_queries):
    _make_services(5)
    with_five = _count_queries(client, path)
    _make_services(45)
    with django_assert_max_num_queries(with_five):
        response = client.get(path)
    assert response.json()["size"] == 50
    assert with_five <= 8


def test_proximity_list_runs_a_constant_number_of_queries(client, django_assert_max_num_queries):
    _make_services(5)
    path = f"/api/oruk/service_at_locations?postcode={PUBLIC_POSTCODE}&proximity=5000&per_page=50"
    with_five = _count_queries(client, path)
    _make_services(20)
    with django_assert_max_num_queries(with_five):
        client.get(path)


def test_full_service_query_count_does_not_grow_with_children(client, django_assert_max_num_queries):
    small = ServicePageFactory()
    big = ServicePageFactory(
        terms=[TaxonomyTermFactory() for _ in range(6)],
        locations=[public_location(name=f"Hub {n}") for n in range(6)],
        schedules=[weekly_schedule() for _ in range(6)],
    )
    count = _count_queries(client, f"/api/oruk/services/{small.oruk_id}")
    with django_assert_max_num_queries(count):
        client.get(f"/api/oruk/services/{big.oruk_id}")


def test_assurer_email_is_the_directory_mailbox_never_a_person(api, settings, make_user):
    checker = make_user("directory_manager", email="named.person@example.org")
    service = ServicePageFactory()
    ServicePage.objects.filter(pk=service.pk).update(assurer=checker)
    settings.DIRECTORY_ASSURER_EMAIL = "directory@council.example.org"
    full = api(f"/services/{service.oruk_id}").json()
    assert full["assurer_email"] == "directory@council.example.org"
    assert "named.person" not in json.dumps(full)
