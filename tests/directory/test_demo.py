"""The demo directory: about 150 services in every category, exactly one confidential
refuge, some closed, inactive, overdue or unchecked, editors for the provider account, and
idempotent (a second run changes nothing and makes no revisions)."""

from __future__ import annotations

import time

import pytest

from wagtail.models import Revision

from directory import demo
from directory.models import Location, Organisation, ServicePage, ServiceStatus, Taxonomy, TaxonomyTerm
from directory.selectors import is_domestic_abuse_service, public_services, services_needing_review

pytestmark = pytest.mark.django_db


@pytest.fixture
def loaded(site):
    from portal.accounts.demo import load as load_accounts

    load_accounts()
    started = time.perf_counter()
    summary = demo.load()
    return summary, time.perf_counter() - started


@pytest.fixture
def site(db):
    from portal.home.demo import build_page_tree

    return build_page_tree()


def _counts():
    return {
        "pages": ServicePage.objects.count(),
        "revisions": Revision.objects.count(),
        "organisations": Organisation.objects.count(),
        "terms": TaxonomyTerm.objects.count(),
        "locations": Location.objects.count(),
        "editors": Organisation.editors.through.objects.count(),
    }


def _check_loads_about_150_services_quickly(loaded):
    summary, _seconds = loaded
    assert "directory services" in summary and "\n" not in summary
    count = ServicePage.objects.count()
    assert 140 <= count <= 170
    assert ServicePage.objects.live().count() == count
    assert public_services().count() >= 130
    # Not a timed test (DESIGN.md §7): the load time is measured with load_demo's own settings.


def test_demo_is_idempotent(loaded):
    before = _counts()
    summary = demo.load()
    assert "(0 new)" in summary
    assert _counts() == before


def _check_covers_every_category(loaded):
    taxonomy = Taxonomy.objects.get(name=demo.TAXONOMY)
    for code, _name, _description, children in demo.CATEGORIES:
        term = TaxonomyTerm.objects.get(taxonomy=taxonomy, code=code)
        codes = [code, *(c for c, _ in children)]
        assert public_services().filter(taxonomy_terms__code__in=codes).exists(), code
        for child_code, _ in children:
            assert TaxonomyTerm.objects.get(taxonomy=taxonomy, code=child_code).parent == term


def _check_has_exactly_one_confidential_refuge(loaded, client):
    confidential = Location.objects.filter(confidential=True)
    assert confidential.count() == 1
    refuge = confidential.get().page
    assert refuge.slug == demo.REFUGE_SLUG
    assert refuge.is_publicly_visible
    assert is_domestic_abuse_service(refuge)
    html = client.get(refuge.url).content.decode()
    location = confidential.get()
    for secret in (location.address_1, location.postal_code, str(location.latitude), str(location.longitude)):
        assert secret not in html
    assert "govuk-exit-this-page" in html
    assert "The address is kept private" in html


def _check_has_closed_inactive_overdue_and_unchecked_services(loaded):
    assert ServicePage.objects.filter(status=ServiceStatus.TEMPORARILY_CLOSED).exists()
    assert ServicePage.objects.filter(status=ServiceStatus.INACTIVE).exists()
    assert ServicePage.objects.filter(assured_date__isnull=True).exists()
    assert services_needing_review().filter(assured_date__isnull=False).exists()


def _check_provider_editor_edits_a_few_organisations(loaded):
    from portal.accounts.models import User

    editor = User.objects.get(email=demo.PROVIDER_EDITOR)
    names = set(editor.directory_organisations.values_list("name", flat=True))
    assert names == set(demo.EDITOR_ORGANISATIONS)
    assert ServicePage.objects.filter(organisation__editors=editor).count() >= 10


def _check_pages_are_published_with_a_revision(loaded, client):
    for page in ServicePage.objects.order_by("pk")[:5]:
        assert page.live_revision_id == page.latest_revision_id is not None
        assert not page.has_unpublished_changes
    page = public_services().order_by("title").first()
    assert client.get(page.url).status_code == 200


def test_demo_content(loaded, client):
    """One load, every check (loading takes seconds: the checks share it)."""
    _check_loads_about_150_services_quickly(loaded)
    _check_covers_every_category(loaded)
    _check_has_exactly_one_confidential_refuge(loaded, client)
    _check_has_closed_inactive_overdue_and_unchecked_services(loaded)
    _check_provider_editor_edits_a_few_organisations(loaded)
    _check_pages_are_published_with_a_revision(loaded, client)
