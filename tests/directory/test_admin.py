"""The directory's admin screens render (panels, snippet viewsets)."""

import pytest

from django.urls import reverse

from tests.directory.factories import ServicePageFactory, TaxonomyTermFactory, directory_index

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, make_user):
    user = make_user(is_superuser=True, is_staff=True)
    client.force_login(user)
    return client


def test_service_page_add_and_edit_forms_render(admin_client):
    index = directory_index()
    response = admin_client.get(reverse("wagtailadmin_pages:add", args=["directory", "servicepage", index.pk]))
    assert response.status_code == 200
    page = ServicePageFactory()
    response = admin_client.get(reverse("wagtailadmin_pages:edit", args=[page.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    for label in ("Where and when", "Locations", "Opening times", "Levels of need", "Categories"):
        assert label in html


@pytest.mark.parametrize("model", ["organisation", "taxonomy", "taxonomyterm"])
def test_snippet_listings_render(admin_client, model):
    TaxonomyTermFactory()
    response = admin_client.get(reverse(f"wagtailsnippets_directory_{model}:list"))
    assert response.status_code == 200
