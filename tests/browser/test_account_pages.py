"""The account pages a professional meets when something is not straightforward: an
invitation link that no longer works, a forgotten password, and being locked out after too
many wrong passwords. Every page state is checked with axe-core."""

from __future__ import annotations

import datetime

import pytest

from django.conf import settings
from django.core import mail
from django.utils import timezone

from portal.accounts import services
from portal.accounts.models import Invitation
from tests.browser.conftest import PHONE
from tests.browser.pages import GovUKPage, PortalHomePage, SignInPage, link_in
from tests.factories import TEST_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NEW_PASSWORD = "heron-copper-orchard-77"


# --- Invitation links that no longer work --------------------------------------------------
@pytest.fixture
def invitation_links(make_user):
    """A link for each way an invitation stops working, made through the services."""
    admin = make_user("administrator")

    def invite(email):
        invitation = services.invite(
            email=email, first_name="Jo", last_name="Bloggs", roles=["lead_professional"], invited_by=admin
        )
        return invitation, services.make_token(invitation)

    links = {}
    expired, token = invite("expired@example.org")
    Invitation.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - datetime.timedelta(minutes=1))
    links["expired"] = token
    _, token = invite("used@example.org")
    services.accept(token, password=NEW_PASSWORD)
    links["used"] = token
    revoked, token = invite("revoked@example.org")
    services.revoke(revoked, by=admin)
    links["revoked"] = token
    superseded, token = invite("superseded@example.org")
    services.resend(superseded, by=admin)
    links["superseded"] = token
    links["invalid"] = "not-a-real-token"
    return {reason: f"/accounts/invitation/{token}/" for reason, token in links.items()}


INVITATION_PROBLEMS = [
    # (why the link does not work, HTTP status, heading, what the page tells them to do)
    ("expired", 410, "This invitation has expired", "Ask the administrator who invited you to send a new invitation"),
    ("used", 410, "This invitation has already been used", "you can sign in"),
    ("revoked", 410, "This invitation has been withdrawn", "ask your portal administrator to invite you again"),
    ("superseded", 410, "This invitation link has been replaced", "Use the link in the most recent invitation email"),
    ("invalid", 404, "This invitation link is not valid", "Check that you copied the whole link"),
]


def test_invitation_links_that_no_longer_work_say_what_to_do(site, browser_page, invitation_links):
    for reason, status, heading, advice in INVITATION_PROBLEMS:
        response = browser_page.goto(invitation_links[reason])
        page = GovUKPage(browser_page)
        assert response.status == status, reason
        assert page.heading == heading
        assert page.title.startswith(heading)
        assert page.page.get_by_text(advice).is_visible(), reason
        assert page.page.locator("main input[type=password]").count() == 0, "no way to set a password"
        page.check_accessibility(f"invitation {reason}")
        if reason == "used":
            page.page.get_by_role("main").get_by_role("button", name="Sign in").click()
            assert SignInPage(browser_page).heading == "Sign in"


def test_opening_an_invitation_while_signed_in_offers_to_sign_out(site, browser_page, invitation_links, make_user):
    someone = make_user("lead_professional")
    SignInPage(browser_page).open().sign_in(someone.email, TEST_PASSWORD)
    token_path = invitation_links["superseded"]
    browser_page.goto(token_path)
    page = GovUKPage(browser_page)
    assert page.heading == "You are already signed in"
    assert page.page.get_by_text(f"You are signed in as {someone.email}").is_visible()
    page.check_accessibility("invitation while signed in")
    page.page.get_by_role("main").get_by_role("button", name="Sign out").click()
    page.page.wait_for_load_state()
    assert page.path == token_path, "signing out returns to the invitation"
    assert page.heading == "This invitation link has been replaced"


# --- Forgotten password -------------------------------------------------------------------
def test_password_reset_from_request_to_signing_in(site, live_server, browser_page, open_browser_page, make_user):
    person = make_user("lead_professional", email="rachel.armstrong@example.org")
    mail.outbox.clear()

    # They ask for a link on their phone.
    phone = open_browser_page(**PHONE)
    SignInPage(phone).open().page.get_by_role("link", name="I have forgotten my password").click()
    request = GovUKPage(phone)
    assert request.heading == "Reset your password"
    request.check_accessibility("password reset request, phone")

    request.page.get_by_role("button", name="Send the link").click()
    request.assert_errors("Enter your email address")
    request.check_accessibility("password reset request, no email address, phone")

    request.page.get_by_label("Email address").fill("rachel.armstrong@")
    request.page.get_by_role("button", name="Send the link").click()
    request.assert_errors("Enter an email address in the correct format")
    assert request.page.get_by_label("Email address").input_value() == "rachel.armstrong@"
    request.check_accessibility("password reset request, invalid email address, phone")

    request.page.get_by_label("Email address").fill(person.email)
    request.page.get_by_role("button", name="Send the link").click()
    request.page.wait_for_load_state()
    done = GovUKPage(phone)
    assert done.heading == "Check your email"
    assert done.page.get_by_text("If the address you gave has an account, we have sent it a link").is_visible()
    done.check_accessibility("check your email, phone")

    [message] = mail.outbox
    assert message.to == [person.email]
    link = link_in(message, "/accounts/password/reset/key/")
    assert link.startswith(live_server.url)

    # They open the link on their computer.
    browser_page.page.goto(link)
    choose = GovUKPage(browser_page)
    assert choose.heading == "Choose a new password"
    choose.check_accessibility("choose a new password")

    choose.page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    choose.page.get_by_label("Confirm your new password").fill("heron-copper-orchard-78")
    choose.page.get_by_role("button", name="Change password").click()
    choose.page.wait_for_load_state()
    choose.assert_errors("You must type the same password each time")
    choose.check_accessibility("choose a new password, passwords differ")

    choose.page.get_by_label("New password", exact=True).fill("short")
    choose.page.get_by_label("Confirm your new password").fill("short")
    choose.page.get_by_role("button", name="Change password").click()
    choose.page.wait_for_load_state()
    choose.assert_errors("This password is too short")
    choose.check_accessibility("choose a new password, too short")

    choose.page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    choose.page.get_by_label("Confirm your new password").fill(NEW_PASSWORD)
    choose.page.get_by_role("button", name="Change password").click()
    choose.page.wait_for_load_state()
    changed = GovUKPage(browser_page)
    assert changed.heading == "Password changed"
    changed.check_accessibility("password changed")

    changed.page.get_by_role("button", name="Sign in").click()
    SignInPage(browser_page).sign_in(person.email, NEW_PASSWORD)
    PortalHomePage(browser_page).assert_here()

    # The link works once.
    again = open_browser_page()
    again.page.goto(link)
    used = GovUKPage(again)
    assert used.heading == "The link has expired or been used"
    assert used.page.get_by_role("link", name="Ask for a new link to reset your password").is_visible()
    used.check_accessibility("password reset link already used")


def test_password_reset_for_an_unknown_address_looks_the_same_and_sends_nothing(site, browser_page):
    mail.outbox.clear()
    browser_page.goto("/accounts/password/reset/")
    browser_page.page.get_by_label("Email address").fill("nobody@example.org")
    browser_page.page.get_by_role("button", name="Send the link").click()
    browser_page.page.wait_for_load_state()
    assert GovUKPage(browser_page).heading == "Check your email"
    assert mail.outbox == []


# --- Lockout ----------------------------------------------------------------------------------
def test_sign_in_is_locked_after_repeated_failures(site, browser_page, make_user):
    person = make_user("lead_professional", email="rachel.armstrong@example.org")
    sign_in = SignInPage(browser_page).open()
    sign_in.page.get_by_role("button", name="Sign in").click()
    sign_in.page.wait_for_load_state()
    sign_in.assert_errors("Enter your email address", "Enter your password")
    sign_in.check_accessibility("sign in, nothing entered")

    for _ in range(settings.SIGN_IN_ATTEMPTS):
        sign_in.sign_in(person.email, "not my password")
        assert sign_in.error_messages() == ["Enter a correct email address and password"]
        assert sign_in.page.get_by_label("Email address").input_value() == person.email

    sign_in.sign_in(person.email, TEST_PASSWORD)
    sign_in.assert_errors(
        "You have tried to sign in too many times. "
        f"Wait {settings.SIGN_IN_LOCKOUT_MINUTES} minutes, then try again, or reset your password."
    )
    assert sign_in.path.startswith("/accounts/login/"), "not signed in, even with the right password"
    sign_in.check_accessibility("sign in, locked out")
    browser_page.goto("/portal/")
    assert SignInPage(browser_page).heading == "Sign in"
