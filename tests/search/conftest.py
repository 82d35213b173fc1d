"""Search fixtures: a small fixed corpus of services, the project URLs with search included,
and the backends the contract tests run against."""

from __future__ import annotations

import pytest

from directory.models import ServiceStatus
from search.models import Postcode
from tests.directory.factories import (
    CostOption,
    ServicePageFactory,
    TaxonomyTermFactory,
    confidential_location,
    public_location,
    weekly_schedule,
)


@pytest.fixture
def postcode_table(db):
    rows = [
        ("SR1 3AA", 54.9058, -1.3815),
        ("SR1 1RE", 54.9069, -1.3838),
        ("SR4 7AA", 54.8990, -1.4200),
        ("SR4 6BB", 54.8950, -1.4300),
        ("SR5 2AB", 54.9250, -1.4100),
        ("NE1 4XD", 54.9738, -1.6132),
        ("DH1 3HP", 54.7761, -1.5733),
    ]
    Postcode.objects.bulk_create(
        Postcode(postcode=p, outcode=p.split()[0], latitude=a, longitude=b) for p, a, b in rows
    )
    return rows


@pytest.fixture
def corpus(db, postcode_table, monkeypatch):
    """Services with known text, places and filters. Returns a dict of name → page.
    Built with the index tasks paused (fast), then indexed once."""
    from search import indexing

    monkeypatch.setattr(indexing, "_enqueue", lambda task, *args: None)
    da = TaxonomyTermFactory(name="Domestic abuse", code="domestic-abuse")
    autism = TaxonomyTermFactory(name="SEND and autism", code="send")
    food = TaxonomyTermFactory(name="Money and food", code="money-food")
    parenting = TaxonomyTermFactory(name="Parenting", code="parenting")
    school = TaxonomyTermFactory(name="School attendance", code="school")
    pages = {}
    pages["da_city"] = ServicePageFactory(
        title="Wearside Women's Aid outreach",
        summary="Confidential support for anyone affected by domestic abuse.",
        description="Outreach workers help you make a safety plan.",
        terms=[da],
        locations=[public_location(postal_code="SR1 1RE", latitude=54.9069, longitude=-1.3838)],
        minimum_age=16,
        maximum_age=None,
        languages=["en", "pl"],
        schedules=[weekly_schedule("MO,TU,WE,TH,FR", "09:00", "17:00")],
    )
    pages["refuge"] = ServicePageFactory(
        title="Safe Haven refuge",
        summary="Emergency accommodation for women and children escaping domestic violence.",
        terms=[da],
        locations=[confidential_location()],
        minimum_age=0,
        maximum_age=None,
        attend_in_person=False,
        attend_phone=True,
        how_to_access="both",
    )
    pages["autism"] = ServicePageFactory(
        title="Autism family support",
        summary="Help for families of autistic children, before and after a diagnosis.",
        description="Workshops on sleep, routines and meltdowns.",
        terms=[autism],
        minimum_age=2,
        maximum_age=18,
        locations=[public_location(postal_code="SR4 7AA", latitude=54.8990, longitude=-1.4200)],
        schedules=[weekly_schedule("SA", "10:00", "12:00")],
    )
    pages["foodbank"] = ServicePageFactory(
        title="Millfield food bank",
        summary="Emergency food parcels with a voucher from a professional.",
        terms=[food],
        how_to_access="professional_referral",
        locations=[public_location(postal_code="SR4 6BB", latitude=54.8950, longitude=-1.4300)],
        minimum_age=None,
        maximum_age=None,
    )
    pages["parenting_newcastle"] = ServicePageFactory(
        title="Positive parenting course",
        summary="A ten week parenting course for parents of children aged 3 to 11.",
        terms=[parenting],
        minimum_age=3,
        maximum_age=11,
        cost_options=[CostOption(is_free=False, amount=20, amount_description="per course")],
        locations=[public_location(postal_code="NE1 4XD", latitude=54.9738, longitude=-1.6132)],
    )
    pages["parenting_city"] = ServicePageFactory(
        title="Parenting drop-in",
        summary="Drop in for a chat about parenting worries.",
        terms=[parenting],
        minimum_age=0,
        maximum_age=5,
        locations=[public_location()],
    )
    pages["school"] = ServicePageFactory(
        title="Attendance support team",
        summary="Help when a child is anxious about going to school or refusing to go.",
        terms=[school],
        minimum_age=5,
        maximum_age=16,
        locations=[public_location(postal_code="SR5 2AB", latitude=54.9250, longitude=-1.4100)],
    )
    pages["inactive"] = ServicePageFactory(
        title="Closed domestic abuse helpline",
        summary="Domestic abuse help.",
        status=ServiceStatus.INACTIVE,
        terms=[da],
    )
    pages["unverified"] = ServicePageFactory(
        title="Unverified domestic abuse group", summary="Domestic abuse peer group.", verified=False, terms=[da]
    )
    pages["draft"] = ServicePageFactory(
        title="Draft autism group", summary="Autism group.", publish=False, terms=[autism]
    )
    # Publishing enqueues index tasks on commit; tests run inside a transaction, so build now.
    from search.contract import get_backend

    get_backend("database").rebuild()
    monkeypatch.undo()
    pages["terms"] = {"da": da, "autism": autism, "food": food, "parenting": parenting, "school": school}
    return pages


def _database_documents() -> str:
    import json

    from django.db import connection
    from django.forms.models import model_to_dict

    from search.models import IndexedClosure, IndexedLocation, IndexedOpening, IndexedService, IndexedTag

    rows = []
    for model in (IndexedService, IndexedTag, IndexedLocation, IndexedOpening, IndexedClosure):
        rows += [model_to_dict(obj) for obj in model.objects.all()]
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("SELECT * FROM directory_search_fts")
            rows += [list(r) for r in cursor.fetchall()]
    return json.dumps(rows, default=str)


@pytest.fixture(params=["database", "elasticsearch"])
def backend(request, db):
    if request.param == "database":
        from search.backends.database import DatabaseBackend

        yield DatabaseBackend()
    else:
        yield request.getfixturevalue("elastic_backend")


@pytest.fixture
def indexed_documents(backend):
    if backend.name == "database":
        return _database_documents
    return backend.dump_documents


@pytest.fixture(scope="session")
def elasticsearch_url():
    """A real cluster when ELASTICSEARCH_URL is set, otherwise osmem-server for the session."""
    import os

    url = os.environ.get("ELASTICSEARCH_URL")
    if url:
        yield url, {}
        return
    from osmem_server import OsmemServer

    from tests.search.elastic import PlainJsonNode

    server = OsmemServer.start(japanese=False)
    try:
        yield server.url, {"node_class": PlainJsonNode}
    finally:
        server.close() if hasattr(server, "close") else server.process.kill()


@pytest.fixture
def elastic_settings(settings, elasticsearch_url):
    import uuid

    url, options = elasticsearch_url
    settings.ELASTICSEARCH_URL = url
    settings.ELASTICSEARCH_CLIENT_OPTIONS = options
    settings.ELASTICSEARCH_INDEX_PREFIX = f"test-{uuid.uuid4().hex[:10]}"
    settings.SEARCH_BACKEND = "elasticsearch"
    yield settings
    from search.backends.elastic import alias_name, make_client

    client = make_client()
    for name in list(client.indices.get(index=f"{alias_name()}*").keys()):
        client.indices.delete(index=name, ignore_unavailable=True)


@pytest.fixture
def elastic_backend(elastic_settings, request):
    from search.backends.elastic import ElasticsearchBackend

    backend = ElasticsearchBackend()
    if "corpus" in request.fixturenames:
        request.getfixturevalue("corpus")
    backend.rebuild()
    return backend
