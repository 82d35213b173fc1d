import pytest

from search import demo
from search.models import IndexedService, Postcode
from tests.directory.factories import ServicePageFactory, public_location

pytestmark = pytest.mark.django_db


def test_demo_step_loads_postcodes_and_demo_locations_and_indexes():
    page = ServicePageFactory(locations=[public_location(postal_code="SR9 9AB", latitude=54.9, longitude=-1.4)])
    summary = demo.load()
    assert Postcode.objects.filter(postcode="SR9 9AB").exists()
    assert Postcode.objects.filter(outcode="SR4").count() >= 20
    assert IndexedService.objects.filter(pk=page.pk).exists()
    assert "postcodes" in summary
    demo.load()  # idempotent
