"""The foundation works with JavaScript switched off (GOV.UK Frontend only enhances): signing
in, reaching the portal, inviting a professional (errors included) and signing out."""

from __future__ import annotations

import pytest

from django.core import mail

from tests.browser.pages import GovUKPage, InvitePage, PortalHomePage, SignInPage, UsersPage
from tests.factories import TEST_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def no_js_page(open_browser_page):
    return open_browser_page(java_script_enabled=False)


def test_sign_in_invite_and_sign_out_without_javascript(site, no_js_page, make_user):
    admin = make_user("administrator")
    mail.outbox.clear()

    sign_in = SignInPage(no_js_page).open()
    assert not sign_in.page.evaluate("() => document.body.classList.contains('js-enabled')")
    # The password input's "Show" button needs JavaScript, so it stays hidden.
    assert not sign_in.page.get_by_role("button", name="Show password").is_visible()
    sign_in.check_accessibility("sign in, no JavaScript")
    sign_in.sign_in(admin.email, "not the password")
    sign_in.assert_errors("Enter a correct email address and password")
    sign_in.check_accessibility("sign in with an error, no JavaScript")
    sign_in.sign_in(admin.email, TEST_PASSWORD)

    home = PortalHomePage(no_js_page).assert_here()
    home.check_accessibility("portal home, no JavaScript")
    home.follow_card("Professionals and invitations")
    UsersPage(no_js_page).assert_here().start_invitation()

    invite = InvitePage(no_js_page).assert_here()
    invite.fill(email="jo.bloggs@example", first_name="Jo", last_name="Bloggs", roles=("School key adult",))
    invite.send()
    invite.assert_errors("Enter an email address in the correct format, like name@example.org")
    assert invite.checked_roles() == ["School key adult"]
    invite.check_accessibility("invite form with an error, no JavaScript")

    invite.page.get_by_label("Email address").fill("jo.bloggs@example.org")
    invite.send()
    users = UsersPage(no_js_page).assert_here()
    assert "Invitation sent to jo.bloggs@example.org" in users.banner()
    assert [message.to for message in mail.outbox] == [["jo.bloggs@example.org"]]

    # Without JavaScript the service navigation is never folded away: "Sign out" is there.
    users.navigation.get_by_role("button", name="Sign out").click()
    users.page.wait_for_load_state()
    signed_out = GovUKPage(no_js_page)
    assert signed_out.path == "/"
    assert "You have signed out" in signed_out.banner()
