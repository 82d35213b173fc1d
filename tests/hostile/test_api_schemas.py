"""Schemathesis against the OpenAPI descriptions the portal publishes at /api/docs: the Open
Referral UK directory API and the Operation Encompass police intake API.

Every generated request (valid and deliberately invalid) must get an answer that is not a
server error, whose status code is documented, and whose body matches the documented schema.
The Django WSGI application is called in-process inside the test's database transaction.
"""

from __future__ import annotations

import pytest
import schemathesis
from schemathesis.checks import positive_data_acceptance

from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections

from tests.hostile.conftest import hostile

ORUK_OPENAPI = "/api/oruk/openapi.json"
ENCOMPASS_OPENAPI = "/api/encompass/openapi.json"


@pytest.fixture(autouse=True)
def _keep_test_connection(db):
    """Keep the WSGI handler from closing the test's database connection at the end of each
    request (Django's test client does the same)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def encompass_token(db, settings):
    from portal.encompass import services
    from tests.encompass.factories import SchoolFactory

    settings.ENCOMPASS_LA_CODE = "394"
    SchoolFactory(urn=100001, name="Hylton Primary School", la_code="394")
    return services.create_token("NBR")[1]


# The OpenAPI documents are fetched through the application, as a client would, at collection
# time (generating them touches no database).
APP = WSGIHandler()
oruk = schemathesis.openapi.from_wsgi(ORUK_OPENAPI, APP)
encompass = schemathesis.openapi.from_wsgi(ENCOMPASS_OPENAPI, APP)


# Services at locations have rules across parameters that OpenAPI cannot state for a query
# (latitude needs longitude, proximity needs a centre, a well-formed postcode may be unknown):
# a schema-valid request may rightly get the documented 400 there, so that one check is off
# for that operation; every other check still applies to it.
CROSS_PARAMETER_RULES = {"/api/oruk/service_at_locations"}


@oruk.parametrize()
@hostile(max_examples=40)
def test_oruk_api_conforms_to_its_openapi(case, seeded_directory):
    excluded = [positive_data_acceptance] if case.operation.path in CROSS_PARAMETER_RULES else []
    response = case.call_and_validate(excluded_checks=excluded)
    headers = {name.lower(): value for name, value in response.headers.items()}
    assert headers["access-control-allow-origin"] == ["*"]  # errors too: the UK profile's one rule


# A notification has rules OpenAPI cannot state either: its dates must be storable and in
# order (an incident in year 1 with a +03:04 offset is a valid date-time, and rightly refused),
# and a child's date of birth must come before the incident. A schema-valid body may rightly get
# the documented 422, so that one check is off for the intake; the tests in tests/encompass pin
# which bodies are accepted, and every other check (no 5xx, documented status, response schema)
# still applies here.
CONTENT_RULES = {"/api/encompass/notifications"}


@encompass.parametrize()
@hostile(max_examples=60)
def test_encompass_api_conforms_to_its_openapi(case, encompass_token):
    excluded = [positive_data_acceptance] if case.operation.path in CONTENT_RULES else []
    case.call_and_validate(headers={"Authorization": f"Bearer {encompass_token}"}, excluded_checks=excluded)
