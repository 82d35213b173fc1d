"""The family-facing directory in a real browser, checked with axe-core at WCAG 2.2 AA: a
service page on desktop and phone, a domestic abuse page whose Exit this page button (and
Shift pressed three times) leaves for a neutral site, the shortlist with items and empty,
and the printed page without navigation or buttons."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from django.utils import timezone

from directory.models import ClosureDate, CostOption, Phone, ServiceArea, ServiceStatus
from tests.browser.conftest import PHONE
from tests.browser.pages import GovUKPage
from tests.directory.factories import (
    REFUGE_ADDRESS,
    REFUGE_POSTCODE,
    ServicePageFactory,
    TaxonomyTermFactory,
    confidential_location,
    weekly_schedule,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

EXIT_URL = "https://www.bbc.co.uk/weather"


@pytest.fixture
def service(site):
    return ServicePageFactory(
        title="Little Explorers stay and play",
        summary="Drop-in play sessions for babies and young children.",
        minimum_age=0,
        maximum_age=4,
        need_universal=True,
        languages=["en", "pl"],
        cost_options=[CostOption(amount=Decimal("1.50"), amount_description="per family")],
        schedules=[weekly_schedule("MO,WE", "09:00", "17:00", description="Term time only")],
        closures=[
            ClosureDate(
                start_date=timezone.localdate() + datetime.timedelta(days=10),
                end_date=timezone.localdate() + datetime.timedelta(days=12),
                reason="Staff training",
            )
        ],
        alert="Wednesday sessions are at the library this month.",
    )


@pytest.fixture
def refuge(site):
    da = TaxonomyTermFactory(name="Domestic abuse", code="domestic-abuse")
    return ServicePageFactory(
        title="Wearside Safe Haven refuge",
        locations=[confidential_location()],
        service_areas=[ServiceArea(name="Sunderland and South Tyneside")],
        phones=[Phone(number="0191 498 0101", description="24 hours")],
        terms=[TaxonomyTermFactory(name="Refuges", code="refuges", parent=da)],
    )


def _intercept_exit(page) -> list[str]:
    """Answer the neutral site from the test, so no request leaves the machine."""
    visited: list[str] = []

    def fulfil(route):
        visited.append(route.request.url)
        route.fulfill(status=200, content_type="text/html", body="<!DOCTYPE html><title>Weather</title><p>Weather")

    page.route("https://www.bbc.co.uk/**", fulfil)
    return visited


@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_service_page_is_accessible(service, open_browser_page, device):
    bp = open_browser_page(**(PHONE if device == "phone" else {}))
    response = bp.goto(service.url)
    assert response.status == 200
    page = GovUKPage(bp)
    assert page.heading == "Little Explorers stay and play"
    summary = page.page.locator(".govuk-summary-list")
    assert "Mondays and Wednesdays, 9am to 5pm" in summary.inner_text()
    assert "£1.50 per family" in summary.inner_text()
    assert "Wednesday sessions are at the library this month." in page.banner()
    assert page.page.get_by_role("button", name="Add to my list").is_visible()
    assert page.page.locator(".govuk-exit-this-page").count() == 0
    page.assert_fits_the_screen()
    bp.check_accessibility(f"service page, {device}")


def test_temporarily_closed_service_page_is_accessible(site, browser_page):
    closed = ServicePageFactory(status=ServiceStatus.TEMPORARILY_CLOSED)
    browser_page.goto(closed.url)
    assert "This service is temporarily closed." in GovUKPage(browser_page).banner()
    browser_page.check_accessibility("temporarily closed service")


@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_domestic_abuse_page_exit_this_page_leaves(refuge, open_browser_page, device):
    bp = open_browser_page(**(PHONE if device == "phone" else {}))
    visited = _intercept_exit(bp.page)
    bp.goto(refuge.url)
    html = bp.page.content()
    assert REFUGE_ADDRESS not in html and REFUGE_POSTCODE not in html
    button = bp.page.get_by_role("button", name="Emergency Exit this page")
    assert button.is_visible()
    bp.page.get_by_text("How to browse safely").click()
    assert bp.page.get_by_text("press the Shift key 3 times").is_visible()
    GovUKPage(bp).assert_fits_the_screen()
    bp.check_accessibility(f"domestic abuse service page, {device}")
    button.click()
    bp.page.wait_for_url(f"{EXIT_URL}**")
    assert visited and visited[0].startswith(EXIT_URL)


def test_exit_this_page_keyboard_shortcut(refuge, browser_page):
    visited = _intercept_exit(browser_page.page)
    browser_page.goto(refuge.url)
    browser_page.page.locator("h1").click()
    for _ in range(3):
        browser_page.page.keyboard.press("Shift")
    browser_page.page.wait_for_url(f"{EXIT_URL}**")
    assert visited


def test_exit_this_page_works_without_javascript(refuge, open_browser_page):
    bp = open_browser_page(java_script_enabled=False)
    visited = _intercept_exit(bp.page)
    bp.goto(refuge.url)
    bp.page.get_by_role("button", name="Emergency Exit this page").click()
    bp.page.wait_for_url(f"{EXIT_URL}**")
    assert visited


def test_shortlist_add_view_remove(service, refuge, browser_page):
    bp = browser_page
    bp.goto("/my-list/")
    assert "Your list is empty." in bp.page.locator("main").inner_text()
    bp.check_accessibility("empty shortlist")

    bp.goto(service.url)
    bp.page.get_by_role("button", name="Add to my list").click()
    bp.page.wait_for_load_state()
    assert "has been added to your list" in GovUKPage(bp).banner()
    assert bp.page.get_by_role("button", name="Remove from my list").is_visible()
    bp.goto(refuge.url)
    bp.page.get_by_role("button", name="Add to my list").click()
    bp.page.wait_for_load_state()

    bp.goto("/my-list/")
    main = bp.page.locator("main").inner_text()
    assert "Little Explorers stay and play" in main and "Wearside Safe Haven refuge" in main
    assert "The address is kept private to keep people safe." in main
    assert REFUGE_ADDRESS not in bp.page.content()
    # The list holds a domestic abuse service, so it can be left quickly too.
    assert bp.page.locator(".govuk-exit-this-page").count() == 1
    bp.check_accessibility("shortlist with items")

    bp.page.get_by_role("link", name="send the list to your email address").click()
    bp.page.wait_for_load_state()
    bp.check_accessibility("email my list")
    bp.page.get_by_role("button", name="Send my list").click()
    bp.page.wait_for_load_state()
    assert bp.page.title().startswith("Error:")
    bp.check_accessibility("email my list with an error")
    bp.page.get_by_label("Email address").fill("parent@example.net")
    bp.page.get_by_role("button", name="Send my list").click()
    bp.page.wait_for_load_state()
    assert "Your list has been sent" in GovUKPage(bp).banner()

    bp.page.get_by_role("button", name="Remove Little Explorers stay and play from my list").click()
    bp.page.wait_for_load_state()
    assert "Little Explorers stay and play" not in bp.page.locator(".app-shortlist").inner_text()


def test_print_hides_navigation_and_buttons(service, browser_page):
    bp = browser_page
    bp.goto(service.url)
    bp.page.emulate_media(media="print")
    assert not bp.page.locator(".govuk-service-navigation").is_visible()
    assert not bp.page.get_by_role("button", name="Add to my list").is_visible()
    assert not bp.page.locator(".govuk-breadcrumbs").is_visible()
    assert bp.page.locator("h1").is_visible()
    assert bp.page.get_by_text("Mondays and Wednesdays, 9am to 5pm").is_visible()

    bp.page.emulate_media(media="screen")
    bp.page.get_by_role("button", name="Add to my list").click()
    bp.page.wait_for_load_state()
    bp.goto("/my-list/")
    bp.page.emulate_media(media="print")
    assert not bp.page.locator(".govuk-service-navigation").is_visible()
    assert not bp.page.get_by_role("button", name="Clear my list").is_visible()
    assert bp.page.get_by_role("link", name="Little Explorers stay and play").is_visible()
