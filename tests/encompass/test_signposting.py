"""Issue 5 point 7: the notification page lists the directory's domestic abuse services for
children and young people, for signposting. Only public services (published, verified), only
those taking children, never a confidential location, and a constant number of queries."""

from __future__ import annotations

import pytest

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from directory import selectors as directory_selectors
from directory.models import Phone, ServiceStatus
from portal.encompass import selectors
from tests.directory.factories import (
    REFUGE_ADDRESS,
    REFUGE_POSTCODE,
    ServicePageFactory,
    TaxonomyTermFactory,
    confidential_location,
)

from .factories import NotifiedChildFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def child(school, key_adult):
    return NotifiedChildFactory(school=school, given_name="Amy", family_name="Jones")


@pytest.fixture
def da_term(db):
    return TaxonomyTermFactory(name="Domestic abuse", code="domestic-abuse")


@pytest.fixture
def da_children_term(da_term):
    """A term below the domestic abuse one, recognised through its parent."""
    return TaxonomyTermFactory(name="Support for children", code="da-children", parent=da_term)


def da_service(term, **kwargs):
    return ServicePageFactory(terms=[term], **kwargs)


def detail(client, child):
    response = client.get(reverse("encompass:detail", kwargs={"pk": child.pk}))
    assert response.status_code == 200
    return response


def test_lists_public_domestic_abuse_services_for_children(signed_in, key_adult, child, da_term, da_children_term):
    shown = da_service(
        da_children_term,
        title="Riverbank Children's Recovery",
        summary="Group work for children who have lived with domestic abuse.",
        phones=[Phone(number="0191 555 0101", description="Weekdays")],
        minimum_age=5,
        maximum_age=16,
    )
    no_age = da_service(da_term, title="Any age helpline", minimum_age=None, maximum_age=None)
    adults_only = da_service(da_term, title="Adults only IDVA", minimum_age=18, maximum_age=None)
    unverified = da_service(da_term, title="Unverified refuge", verified=False)
    draft = da_service(da_term, title="Draft outreach", publish=False)
    inactive = da_service(da_term, title="Closed down service", status=ServiceStatus.INACTIVE)
    not_da = ServicePageFactory(title="Parenting group")

    page = detail(signed_in(key_adult), child).content.decode()

    assert "Support services" in page
    assert "Riverbank Children&#x27;s Recovery" in page
    assert f'href="{shown.url}"' in page
    assert "Group work for children who have lived with domestic abuse." in page
    assert "0191 555 0101" in page
    assert "Any age helpline" in page and f'href="{no_age.url}"' in page
    for hidden in (adults_only, unverified, draft, inactive, not_da):
        assert hidden.title not in page


def test_the_rule_is_the_family_pages_rule(da_term):
    """Every service the selector lists is one the family pages treat as domestic abuse."""
    listed = da_service(da_term)
    by_name = da_service(TaxonomyTermFactory(name="Domestic violence outreach", code="outreach-x"))
    ServicePageFactory()
    services = directory_selectors.domestic_abuse_services_for_children()
    assert {s.pk for s in services} == {listed.pk, by_name.pk}
    da_terms = directory_selectors.domestic_abuse_term_ids()
    assert all(directory_selectors.is_domestic_abuse_service(s, da_terms=da_terms) for s in services)


def test_confidential_locations_do_not_leak(signed_in, key_adult, child, da_term):
    refuge = da_service(da_term, title="Northern Lights Refuge", locations=[confidential_location()])
    page = detail(signed_in(key_adult), child).content.decode()
    assert refuge.title in page
    assert REFUGE_ADDRESS not in page and REFUGE_POSTCODE not in page
    assert "Safe house" not in page


def test_at_most_eight_services_by_name(da_term):
    for n in range(10):
        da_service(da_term, title=f"Service {n:02d}")
    services = selectors.support_services()
    assert [s.title for s in services] == [f"Service {n:02d}" for n in range(8)]


def test_no_services_says_so(signed_in, key_adult, child):
    ServicePageFactory(title="Parenting group")
    page = detail(signed_in(key_adult), child).content.decode()
    assert "Support services" in page
    assert "no domestic abuse services for children and young people" in page


def _queries_for_detail(client, child) -> int:
    with CaptureQueriesContext(connection) as ctx:
        detail(client, child)
    return len(ctx.captured_queries)


def test_constant_query_count_for_two_and_eight_services(signed_in, key_adult, child, da_term):
    client = signed_in(key_adult)
    for n in range(2):
        da_service(
            da_term, title=f"Service {n:02d}", phones=[Phone(number="0191 555 0100"), Phone(number="0800 000 0000")]
        )
    detail(client, child)  # warm caches (site root paths, session)
    two = _queries_for_detail(client, child)
    assert detail(client, child).content.decode().count("Service 0") == 2
    for n in range(2, 8):
        da_service(
            da_term, title=f"Service {n:02d}", phones=[Phone(number="0191 555 0100"), Phone(number="0800 000 0000")]
        )
    detail(client, child)
    eight = _queries_for_detail(client, child)
    assert detail(client, child).content.decode().count("Service 0") == 8
    assert two == eight


def test_selector_query_count_is_constant(da_term, django_assert_num_queries):
    for n in range(8):
        da_service(da_term, title=f"Service {n:02d}")
    with django_assert_num_queries(3):  # the DA terms, the services, their phones
        services = directory_selectors.domestic_abuse_services_for_children(limit=8)
        for service in services:
            [p.number for p in service.phone_list]
    assert len(services) == 8
