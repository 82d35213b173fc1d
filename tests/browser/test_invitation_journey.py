"""The invitation journey end to end, as a new professional meets it: an administrator
invites them, they open the emailed link on their phone, choose a password, set up an
authenticator app, keep their recovery codes and reach the portal; then they sign out and
sign in again with a code. Every page state is checked with axe-core."""

from __future__ import annotations

import pytest

from django.core import mail
from django.test import override_settings

from portal.accounts import services
from portal.accounts.models import Invitation, User
from tests.browser.conftest import PHONE
from tests.browser.pages import (
    AcceptInvitationPage,
    ActivateAuthenticatorPage,
    GovUKPage,
    InvitePage,
    PortalHomePage,
    RecoveryCodesPage,
    SecurityCodePage,
    SignInPage,
    TwoFactorPage,
    UsersPage,
    link_in,
    totp_code,
    wrong_totp_code,
)
from tests.conftest import enable_totp
from tests.factories import TEST_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

INVITEE = "sam.taylor@example.org"
NEW_PASSWORD = "kingfisher-lantern-meadow-42"


@pytest.fixture
def administrator_with_totp(make_user):
    admin = make_user("administrator", email="admin@example.org", first_name="Alex", last_name="Morgan")
    return admin, enable_totp(admin)


@override_settings(REQUIRE_MFA=True)
def test_invitation_to_first_sign_in_with_two_factor_authentication(
    site, settings, live_server, browser_page, open_browser_page, administrator_with_totp
):
    # The link in the email must work as sent: it is built from BASE_URL.
    settings.BASE_URL = live_server.url
    admin, admin_secret = administrator_with_totp
    mail.outbox.clear()

    # --- The administrator signs in (with their own second step) and finds the users page ---
    SignInPage(browser_page).open().sign_in(admin.email, TEST_PASSWORD)
    SecurityCodePage(browser_page).assert_here().enter(totp_code(admin_secret))
    home = PortalHomePage(browser_page).assert_here()
    assert home.role_names() == ["Administrator"]
    assert "Professionals and invitations" in home.card_titles()
    home.follow_card("Professionals and invitations")

    users = UsersPage(browser_page).assert_here()
    assert users.page.get_by_text("There are no invitations waiting to be accepted.").is_visible()
    users.check_accessibility("users page, no invitations")
    users.start_invitation()

    # --- The invite form: empty, then with mistakes, then right ---
    invite = InvitePage(browser_page).assert_here()
    invite.check_accessibility("invite form")
    invite.send()
    invite.assert_errors("Enter their email address", "Enter their first name", "Select at least one role")
    assert invite.inline_error("Email address") == "Error: Enter their email address"
    invite.check_accessibility("invite form, everything missing")

    invite.fill(email="sam.taylor@", first_name="Sam", last_name="Taylor", roles=("Lead professional",))
    invite.send()
    invite.assert_errors("Enter an email address in the correct format, like name@example.org")
    assert len(invite.error_messages()) == 1
    # What they typed is kept, so they only correct the mistake.
    assert invite.value("Email address") == "sam.taylor@"
    assert (invite.value("First name"), invite.value("Last name")) == ("Sam", "Taylor")
    assert invite.checked_roles() == ["Lead professional"]
    invite.check_accessibility("invite form, invalid email address")
    # The error summary's link takes the keyboard to the field to correct.
    invite.error_summary.get_by_role("link").first.click()
    assert invite.page.evaluate("() => document.activeElement.id") == "id_email"

    invite.page.get_by_label("Email address").fill(INVITEE)
    invite.send()

    users = UsersPage(browser_page).assert_here()
    assert f"Invitation sent to {INVITEE}" in users.banner()
    invitations = users.invitations_table()
    assert invitations.get_by_role("cell", name=INVITEE, exact=True).is_visible()
    assert invitations.get_by_role("cell", name="Lead professional", exact=True).is_visible()
    users.check_accessibility("users page, invitation sent")

    # --- The email: one message, to the invitee, with a link to this server ---
    # The live server runs in this process with the locmem backend, so its mail lands here.
    assert [message.to for message in mail.outbox] == [[INVITEE]]
    link = link_in(mail.outbox[0], "/accounts/invitation/")
    assert link.startswith(live_server.url)

    # --- The invitee opens the link on their phone (a browser with none of the admin's cookies) ---
    phone = open_browser_page(**PHONE)
    phone.page.goto(link)
    accept = AcceptInvitationPage(phone).assert_here()
    assert accept.details() == {"Email address": INVITEE, "Role": "Lead professional"}
    assert accept.page.get_by_text("Alex Morgan has invited you").is_visible()
    accept.check_accessibility("accept invitation, phone")

    accept.choose_password("short", "short")
    accept.assert_errors("This password is too short. It must contain at least 12 characters.")
    accept.check_accessibility("accept invitation, password too short, phone")

    accept.choose_password(NEW_PASSWORD, "kingfisher-lantern-meadow-24", job_title="Family support worker")
    accept.assert_errors("The passwords do not match")
    assert accept.page.get_by_label("First name").input_value() == "Sam"
    assert accept.page.get_by_label("Job title (optional)").input_value() == "Family support worker"
    assert accept.page.get_by_label("Create a password").input_value() == "", "a password is never sent back"
    accept.check_accessibility("accept invitation, passwords differ, phone")

    accept.choose_password(NEW_PASSWORD)

    # --- Signed in, and sent to set up two-factor authentication before the portal ---
    two_factor = TwoFactorPage(phone).assert_here()
    assert two_factor.path == "/accounts/2fa/?next=%2Fportal%2F"
    assert "You need to set up two-factor authentication before you can use the portal" in two_factor.banner()
    assert "Sign out" in two_factor.navigation_items()
    two_factor.check_accessibility("two-factor set-up required, phone")
    invitation = Invitation.objects.get(email=INVITEE)
    assert invitation.accepted_user.job_title == "Family support worker"
    phone.goto("/portal/")
    TwoFactorPage(phone).assert_here()  # the portal stays closed until it is set up
    two_factor.set_up_authenticator_app()

    activate = ActivateAuthenticatorPage(phone).assert_here()
    assert activate.page.get_by_role("img", name="QR code to scan with your authenticator app").is_visible()
    secret = activate.secret()
    activate.check_accessibility("set up an authenticator app, phone")

    activate.enter_code(wrong_totp_code(secret))
    activate.assert_errors("Incorrect code")
    assert activate.secret() == secret, "the key stays the same, so the app already set up still works"
    activate.check_accessibility("set up an authenticator app, wrong code, phone")

    activate.enter_code(totp_code(secret))

    codes_page = RecoveryCodesPage(phone).assert_here()
    assert "Your authenticator app is set up" in codes_page.banner()
    codes = codes_page.codes()
    assert len(codes) == 10 and all(code.strip() for code in codes)
    codes_page.check_accessibility("recovery codes, phone")
    codes_page.continue_()

    home = PortalHomePage(phone).assert_here()
    assert home.role_names() == ["Lead professional"]
    home.check_accessibility("portal home, lead professional, phone")

    # --- Signing out, and back in with a code ---
    home.sign_out()
    signed_out = GovUKPage(phone)
    assert signed_out.path == "/"
    assert "You have signed out" in signed_out.banner()
    assert "Sign in" in signed_out.navigation_items() and "Sign out" not in signed_out.navigation_items()

    SignInPage(phone).open().sign_in(INVITEE, NEW_PASSWORD)
    code_step = SecurityCodePage(phone).assert_here()
    code_step.check_accessibility("security code step, phone")
    code_step.enter(wrong_totp_code(secret))
    code_step.assert_here().assert_errors("Incorrect code")
    code_step.check_accessibility("security code step, wrong code, phone")
    code_step.enter(totp_code(secret))
    PortalHomePage(phone).assert_here()

    # --- The administrator sees the new professional, with two-factor authentication on ---
    browser_page.page.reload()
    users = UsersPage(browser_page).assert_here()
    assert users.page.get_by_text("There are no invitations waiting to be accepted.").is_visible()
    row = (
        users.page.get_by_role("table", name="Professionals with an account")
        .get_by_role("row")
        .filter(has_text=INVITEE)
    )
    assert row.get_by_role("cell", name="Sam Taylor").is_visible()
    assert row.get_by_role("cell", name="On", exact=True).is_visible()
    assert User.objects.get(email=INVITEE).groups.get().name == "Lead professional"


def test_users_page_and_invite_form_on_a_phone(site, phone_page, make_user):
    admin = make_user("administrator")
    make_user("lead_professional", mfa=True, email="rachel.armstrong@example.org")
    services.invite(
        email="jo.bloggs@example.org", first_name="Jo", last_name="Bloggs", roles=["school_key_adult"], invited_by=admin
    )
    SignInPage(phone_page).open().sign_in(admin.email, TEST_PASSWORD)
    phone_page.goto("/portal/users/")
    users = UsersPage(phone_page).assert_here()
    assert users.invitations_table().get_by_role("cell", name="jo.bloggs@example.org", exact=True).count() == 1
    users.assert_fits_the_screen()
    users.check_accessibility("users page, phone")

    users.start_invitation()
    invite = InvitePage(phone_page).assert_here()
    invite.assert_fits_the_screen()
    invite.check_accessibility("invite form, phone")
    invite.fill(email="not an email", first_name="Sam")
    invite.send()
    invite.assert_errors(
        "Enter an email address in the correct format, like name@example.org",
        "Enter their last name",
        "Select at least one role",
    )
    assert invite.value("Email address") == "not an email"
    invite.check_accessibility("invite form with errors, phone")
