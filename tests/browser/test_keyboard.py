"""Keyboard use: the skip link, signing in without a mouse, and the "Sign out" button in the
service navigation (a POST form) reached and pressed with the keyboard, on a computer and
on a phone where the navigation folds behind "Menu"."""

from __future__ import annotations

import pytest

from tests.browser.conftest import PHONE
from tests.browser.pages import GovUKPage, PortalHomePage, SignInPage
from tests.factories import TEST_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FOCUS_YELLOW = "rgb(255, 221, 0)"


def focused(bp) -> dict:
    return bp.page.evaluate(
        """() => {
            const el = document.activeElement;
            const style = getComputedStyle(el);
            return {tag: el.tagName.toLowerCase(), id: el.id, text: el.innerText.trim(),
                    href: el.getAttribute('href'), background: style.backgroundColor,
                    visible: !!(el.offsetWidth || el.offsetHeight)};
        }"""
    )


def tab_to(bp, name: str, limit: int = 25) -> dict:
    """Press Tab until the control called ``name`` has the focus; fail if it never does."""
    for _ in range(limit):
        bp.page.keyboard.press("Tab")
        element = focused(bp)
        if element["text"] == name:
            return element
    raise AssertionError(f"{name!r} cannot be reached with the Tab key")


def test_skip_link_and_signing_in_with_the_keyboard(site, browser_page, make_user):
    person = make_user("lead_professional")
    SignInPage(browser_page).open()

    browser_page.page.keyboard.press("Tab")
    skip = focused(browser_page)
    assert (skip["text"], skip["href"], skip["visible"]) == ("Skip to main content", "#main-content", True)
    assert skip["background"] == FOCUS_YELLOW, "the focused skip link shows the GOV.UK focus style"
    browser_page.page.keyboard.press("Enter")
    assert browser_page.page.url.endswith("#main-content")
    assert focused(browser_page)["id"] == "main-content"

    # The next Tab goes into the page's content, past the header and navigation.
    browser_page.page.keyboard.press("Tab")
    assert focused(browser_page)["id"] == "id_login"
    browser_page.page.keyboard.type(person.email)
    browser_page.page.keyboard.press("Tab")
    assert focused(browser_page)["id"] == "id_password"
    browser_page.page.keyboard.type(TEST_PASSWORD)
    with browser_page.page.expect_navigation():
        browser_page.page.keyboard.press("Enter")
    PortalHomePage(browser_page).assert_here()


@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_sign_out_in_the_service_navigation_works_with_the_keyboard(site, open_browser_page, make_user, device):
    person = make_user("lead_professional")
    bp = open_browser_page(**(PHONE if device == "phone" else {}))
    SignInPage(bp).open().sign_in(person.email, TEST_PASSWORD)
    PortalHomePage(bp).assert_here()

    if device == "phone":
        menu = tab_to(bp, "Menu")
        assert menu["tag"] == "button"
        bp.page.keyboard.press("Enter")
        assert bp.page.get_by_role("button", name="Menu").get_attribute("aria-expanded") == "true"
    sign_out = tab_to(bp, "Sign out")
    assert sign_out["tag"] == "button" and sign_out["visible"]
    assert sign_out["background"] == FOCUS_YELLOW, "the focused button shows the GOV.UK focus style"
    with bp.page.expect_navigation():
        bp.page.keyboard.press("Enter")

    page = GovUKPage(bp)
    assert page.path == "/"
    assert "You have signed out" in page.banner()
    page.check_accessibility(f"signed out, {device}")
    bp.goto("/portal/")
    assert page.path.startswith("/accounts/login/?next=/portal/")
