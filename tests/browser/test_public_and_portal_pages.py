"""The pages around the journeys: the public home page, a content page, the error pages, and
the professional portal's home for someone with several roles and for someone with none."""

from __future__ import annotations

import pytest

from tests.browser.conftest import PHONE
from tests.browser.pages import GovUKPage, PortalHomePage, SignInPage
from tests.factories import TEST_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

COUNCIL = "Sunderland City Council"


@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_home_page_tells_families_where_to_get_help(site, open_browser_page, device):
    bp = open_browser_page(**(PHONE if device == "phone" else {}))
    response = bp.goto("/")
    home = GovUKPage(bp)
    assert response.status == 200
    assert home.heading == "Early help and family support in Sunderland"
    assert home.title.startswith("Early help and family support in Sunderland – ")
    assert (
        "If you or a child are in immediate danger, call 999"
        in home.page.locator(".govuk-warning-text").first.inner_text()
    )
    assert home.page.get_by_role("link", name="Search for a service").is_visible()
    assert home.page.get_by_role("button", name="Sign in to the professional portal").is_visible()
    home.assert_fits_the_screen()
    home.check_accessibility(f"home page, {device}")


@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_accessibility_statement_is_reached_from_the_footer(site, open_browser_page, device):
    bp = open_browser_page(**(PHONE if device == "phone" else {}))
    bp.goto("/")
    bp.page.get_by_role("contentinfo").get_by_role("link", name="Accessibility statement").click()
    bp.page.wait_for_load_state()
    statement = GovUKPage(bp)
    assert statement.path == "/accessibility-statement/"
    assert statement.heading == "Accessibility statement"
    breadcrumbs = statement.page.get_by_role("navigation", name="Breadcrumb")
    assert breadcrumbs.get_by_role("link").all_inner_texts() == ["Home"]
    assert statement.page.get_by_text("Last updated").is_visible()
    statement.assert_fits_the_screen()
    statement.check_accessibility(f"accessibility statement, {device}")


def test_page_not_found(site, browser_page):
    response = browser_page.goto("/no-such-page/")
    page = GovUKPage(browser_page)
    assert response.status == 404
    assert page.heading == "Page not found"
    assert page.title.startswith("Page not found – ")
    assert page.page.get_by_text("If you typed the web address, check it is correct.").is_visible()
    assert "call 999" in page.page.locator(".govuk-warning-text").inner_text()
    page.check_accessibility("404 page")
    page.page.get_by_role("link", name="go to the home page").click()
    assert GovUKPage(browser_page).heading == "Early help and family support in Sunderland"


def test_page_a_role_does_not_allow(site, browser_page, make_user):
    person = make_user("lead_professional")
    SignInPage(browser_page).open().sign_in(person.email, TEST_PASSWORD)
    response = browser_page.goto("/portal/audit/")
    page = GovUKPage(browser_page)
    assert response.status == 403
    assert page.heading == "You cannot view this page"
    assert page.page.get_by_text("ask an administrator in your organisation to check your role").is_visible()
    page.check_accessibility("403 page")


@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_portal_home_for_someone_with_several_roles(site, open_browser_page, make_user, device):
    person = make_user("school_key_adult", "lead_professional", "administrator", first_name="Priya", last_name="Shah")
    bp = open_browser_page(**(PHONE if device == "phone" else {}))
    SignInPage(bp).open().sign_in(person.email, TEST_PASSWORD)
    home = PortalHomePage(bp).assert_here()
    assert home.page.locator(".govuk-caption-l").inner_text() == "Priya Shah"
    assert home.role_names() == ["Lead professional", "School key adult", "Administrator"]
    cards = home.card_titles()
    # Each role's cards, in the portal's order (other apps add their own cards between them).
    wanted = ["Professionals and invitations", "Audit log", "Two-factor authentication"]
    assert [card for card in cards if card in wanted] == wanted
    assert "Sign out" in home.navigation_items()
    home.assert_fits_the_screen()
    home.check_accessibility(f"portal home, several roles, {device}")


def test_portal_home_for_someone_with_no_role(site, browser_page, make_user):
    person = make_user()
    SignInPage(browser_page).open().sign_in(person.email, TEST_PASSWORD)
    home = PortalHomePage(browser_page).assert_here()
    assert home.role_names() == []
    assert home.page.get_by_role("heading", name="You do not have a role yet").is_visible()
    assert home.page.get_by_text(f"Ask the person who invited you, or an administrator at {COUNCIL}").is_visible()
    assert home.page.get_by_role("main").get_by_role("link", name="early.help@example.org").is_visible()
    assert home.card_titles() == []
    home.check_accessibility("portal home, no role")


def test_api_documentation_page_is_accessible(site, browser_page):
    response = browser_page.goto("/api/docs")
    assert response.status == 200
    assert browser_page.page.get_by_role("heading", level=1).inner_text() == "API documentation"
    browser_page.check_accessibility("API documentation")
