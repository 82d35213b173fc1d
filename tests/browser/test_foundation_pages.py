"""The first journeys in a real browser, each page checked with axe-core at WCAG 2.2 AA:
the home page, sign-in, MFA set-up and the professional portal."""

from __future__ import annotations

import pytest

from django.test import override_settings

from tests.factories import TEST_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_home_page_is_accessible_on_desktop_and_phone(site, browser_page, phone_page):
    for page in (browser_page, phone_page):
        response = page.goto("/")
        assert response.status == 200
        assert page.page.locator("h1").count() == 1
        page.check_accessibility("home page")


def test_home_page_works_and_styles_load(site, browser_page):
    browser_page.goto("/")
    # GOV.UK Frontend's stylesheet loaded: the body uses the GOV.UK font stack.
    font = browser_page.page.evaluate("() => getComputedStyle(document.body).fontFamily")
    assert "GDS Transport" in font or "arial" in font.lower()
    assert browser_page.page.evaluate("() => document.body.classList.contains('js-enabled')")
    # Skip link is the first focusable element and targets the main content.
    browser_page.page.keyboard.press("Tab")
    focused = browser_page.page.evaluate("() => document.activeElement.getAttribute('href')")
    assert focused == "#main-content"


def test_sign_in_page_and_error_summary_are_accessible(site, browser_page, make_user):
    make_user("lead_professional", email="lead@example.org")
    browser_page.goto("/accounts/login/")
    browser_page.check_accessibility("sign-in page")
    browser_page.sign_in("lead@example.org", "not-the-password")
    assert browser_page.page.title().startswith("Error:")
    assert browser_page.page.locator(".govuk-error-summary").is_visible()
    browser_page.check_accessibility("sign-in page with errors")


def test_professional_signs_in_and_sees_their_portal(site, browser_page, make_user):
    make_user("lead_professional", email="lead@example.org")
    browser_page.sign_in("lead@example.org", TEST_PASSWORD)
    assert browser_page.page.url.endswith("/portal/")
    assert browser_page.page.get_by_role("heading", level=1).count() == 1
    assert browser_page.page.get_by_text("Lead professional").first.is_visible()
    browser_page.check_accessibility("portal home")


@override_settings(REQUIRE_MFA=True)
def test_mfa_is_set_up_before_the_portal_when_required(site, browser_page, make_user):
    make_user("school_key_adult", email="dsl@example.org")
    browser_page.sign_in("dsl@example.org", TEST_PASSWORD)
    assert "/accounts/2fa/" in browser_page.page.url
    browser_page.check_accessibility("MFA set-up")
