"""The family search in a real browser: the search, results and no-results pages pass axe
(WCAG 2.2 AA) on desktop and phone, work without JavaScript, and offer typeahead with it."""

from __future__ import annotations

import pytest

from tests.search.conftest import corpus, postcode_table  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _thesaurus(db):
    """Transactional tests flush the database between tests, taking the thesaurus that a
    data migration seeded with it: seed it again, as a fresh install has it."""
    from importlib import import_module

    from django.apps import apps

    import_module("search.migrations.0003_seed_thesaurus").seed(apps, None)


def test_search_results_and_no_results_pages_are_accessible(site, corpus, browser_page, phone_page):  # noqa: F811
    for page in (browser_page, phone_page):
        page.goto("/services/")
        assert page.page.locator("h1").inner_text() == "Find a service"
        page.check_accessibility("search page")

        page.page.fill("#id_q", "dv")
        page.page.fill("#id_postcode", "SR1 3AA")
        page.page.press("#id_postcode", "Enter")
        page.page.wait_for_url("**/services/?*")
        assert "2 services within 10 miles of SR1 3AA" in page.page.content()
        page.check_accessibility("results page")

        page.goto("/services/?q=zzzzqqqq")
        assert "No services found" in page.page.content()
        page.check_accessibility("no-results page")

        page.goto("/services/?q=parenting&postcode=nonsense")
        assert page.page.title().startswith("Error:")
        page.check_accessibility("search page with an error")


def test_filters_work_without_javascript(site, corpus, open_browser_page):  # noqa: F811
    page = open_browser_page(java_script_enabled=False)
    page.goto("/services/")
    page.page.check("#free")
    page.page.click("text=Apply filters")
    assert "free=on" in page.page.url
    assert "Positive parenting course" not in page.page.content()
    page.check_accessibility("filtered results without JavaScript")


def test_typeahead_suggests_and_submits(site, corpus, browser_page):  # noqa: F811
    page = browser_page.page
    browser_page.goto("/services/")
    page.fill("#id_q", "auti")
    option = page.locator("#id_q-suggestions [role=option]").first
    option.wait_for(timeout=5000)
    assert page.get_attribute("#id_q", "aria-expanded") == "true"
    browser_page.check_accessibility("search page with suggestions open")
    page.keyboard.press("ArrowDown")
    assert page.get_attribute("#id_q", "aria-activedescendant") == "id_q-suggestions-0"
    page.keyboard.press("Enter")
    page.wait_for_url("**/services/?*")
    assert "Autism family support" in page.content()
