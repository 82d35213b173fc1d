"""The Wagtail admin: branded with the council's name, and able to edit the home app's
pages and the council's details."""

import pytest

from django.conf import settings

from wagtail.models import Site

from portal.home.demo import build_page_tree
from portal.home.models import HomePage, StandardPage

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(signed_in, make_user):
    build_page_tree()
    return signed_in(make_user(is_superuser=True, is_staff=True))


def test_admin_is_branded_with_the_council_name(admin_client):
    html = admin_client.get("/admin/").content.decode()
    assert f"{settings.COUNCIL_NAME} early help admin</title>" in html
    assert f"{settings.COUNCIL_NAME}: early help directory" in html


@pytest.mark.parametrize("model", [HomePage, StandardPage])
def test_page_editor_opens(admin_client, model):
    page = model.objects.first()
    response = admin_client.get(f"/admin/pages/{page.pk}/edit/")
    assert response.status_code == 200
    assert '"fieldName": "body"' in response.content.decode()


def test_council_details_can_be_edited(admin_client):
    site = Site.objects.get(is_default_site=True)
    response = admin_client.get(f"/admin/settings/home/sitesettings/{site.pk}/")
    assert response.status_code == 200
    assert "Sunderland City Council" in response.content.decode()
