"""Every allauth page a professional meets is a GOV.UK page: our base template, an
<h1 class="govuk-heading-l">, GOV.UK buttons and inputs, an error summary when something
is wrong, what they typed kept, and no script that the content security policy would block."""

from __future__ import annotations

import pytest
from allauth.mfa.models import Authenticator

from django.core import mail
from django.urls import reverse

from tests.accounts.helpers import error_summary, field_value, h1, page, sign_in
from tests.conftest import enable_totp
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db


def assert_govuk_page(response, *, heading: str | None = None, button: bool = True):
    assert response.status_code == 200, response.status_code
    html = response.content.decode()
    soup = page(response)
    assert soup.find("html", class_="govuk-template"), "not rendered through base.html"
    headings = soup.find_all("h1")
    assert len(headings) == 1, f"expected one <h1>, found {len(headings)}"
    assert {"govuk-heading-l", "govuk-panel__title"} & set(headings[0].get("class", [])), headings[0]
    if heading is not None:
        assert heading in h1(response)
    if button:
        assert soup.select_one("main .govuk-button"), "no GOV.UK button"
    # allauth's unstyled markup must not leak through.
    assert "Menu:" not in html
    for element in soup.select("main input:not([type=hidden]):not([type=checkbox])"):
        assert "govuk-input" in element.get("class", []), element
    for script in soup.find_all("script"):
        inline_code = script.get("type") != "application/json" and not script.get("src")
        if inline_code:
            assert script.get("nonce"), f"inline script without the CSP nonce: {script}"
    return soup


@pytest.fixture
def professional(make_user):
    return make_user("lead_professional", email="rachel@example.org")


@pytest.fixture
def mfa_user(make_user):
    user = make_user("lead_professional", email="mfa@example.org")
    secret = enable_totp(user)
    user.totp_secret = secret
    return user


def reauthenticated(client, user):
    """Signed in and recently asked for the password again (allauth wants that before
    changing two-factor authentication)."""
    client.force_login(user)
    response = client.post("/accounts/reauthenticate/", {"password": TEST_PASSWORD})
    assert response.status_code == 302, "reauthentication failed"
    return client


# --- Pages for people who are not signed in ---------------------------------------------
@pytest.mark.parametrize(
    ("url", "heading", "button"),
    [
        ("/accounts/login/", "Sign in", True),
        ("/accounts/password/reset/", "Reset your password", True),
        ("/accounts/password/reset/done/", "Check your email", False),
        ("/accounts/signup/", "You need an invitation", False),
    ],
)
def test_entrance_pages_are_govuk_pages(client, url, heading, button):
    assert_govuk_page(client.get(url), heading=heading, button=button)


def test_sign_in_page_does_not_offer_sign_up(client):
    html = client.get("/accounts/login/").content.decode()
    assert "/accounts/signup/" not in html
    assert "invitation" in html.lower()


def test_sign_in_error_shows_error_summary_and_keeps_the_email(client, professional):
    response = sign_in(client, "rachel@example.org", "wrong password")
    assert response.status_code == 200
    assert error_summary(response) == ["Enter a correct email address and password"]
    assert field_value(response, "login") == "rachel@example.org"
    assert field_value(response, "password") is None, "a password must never be sent back"
    assert page(response).title.string.strip().startswith("Error: ")
    assert page(response).select_one("#id_login-error"), "the message is shown at the field too"


def test_empty_sign_in_shows_field_errors_linked_from_the_summary(client):
    response = client.post("/accounts/login/", {"login": "", "password": ""})
    links = [a["href"] for a in page(response).select(".govuk-error-summary a")]
    assert links == ["#id_login", "#id_password"]
    assert page(response).select_one("#id_login")["class"] == ["govuk-input", "govuk-input--error"]


def test_password_reset_from_key_pages(client, professional):
    client.post("/accounts/password/reset/", {"email": professional.email})
    link = next(line for line in mail.outbox[0].body.splitlines() if "/accounts/password/reset/key/" in line)
    path = link[link.index("/accounts/") :].strip()
    response = client.get(path, follow=True)
    soup = assert_govuk_page(response, heading="Choose a new password")
    form_action = soup.select_one("main form")["action"]

    response = client.post(form_action, {"password1": "short", "password2": "short"})
    assert error_summary(response), "weak passwords are refused with an error summary"
    assert_govuk_page(response)

    response = client.post(
        form_action, {"password1": "a-much-better-passphrase", "password2": "a-much-better-passphrase"}
    )
    assert response.status_code == 302
    assert_govuk_page(client.get(response["Location"]))  # "Password changed" panel

    response = client.get(path, follow=True)
    assert_govuk_page(response, heading="The link has expired or been used", button=False)


# --- Pages for signed-in professionals --------------------------------------------------
@pytest.mark.parametrize(
    ("url", "heading"),
    [
        ("/accounts/logout/", "Are you sure you want to sign out?"),
        ("/accounts/password/change/", "Change your password"),
        ("/accounts/2fa/", "Two-factor authentication"),
        ("/accounts/reauthenticate/", "Confirm it is you"),
    ],
)
def test_account_pages_are_govuk_pages(signed_in, professional, url, heading):
    assert_govuk_page(signed_in(professional).get(url), heading=heading)


def test_sign_out_needs_a_post(signed_in, professional):
    client = signed_in(professional)
    client.get("/accounts/logout/")
    assert client.get("/portal/").status_code == 200, "a GET must not sign the user out"
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert client.get("/portal/").status_code == 302


def test_password_change_keeps_nothing_and_summarises_errors(signed_in, professional):
    response = signed_in(professional).post(
        "/accounts/password/change/", {"oldpassword": "not it", "password1": "x", "password2": "y"}
    )
    assert_govuk_page(response)
    assert len(error_summary(response)) >= 2
    assert all(field_value(response, name) is None for name in ("oldpassword", "password1", "password2"))


def test_totp_activation_page_shows_qr_code_and_secret(client, professional):
    response = reauthenticated(client, professional).get("/accounts/2fa/totp/activate/")
    soup = assert_govuk_page(response, heading="Set up an authenticator app")
    image = soup.select_one("main img")
    assert image["src"].startswith("data:image/svg+xml;base64,")
    assert image["alt"]
    secret = client.session["mfa.totp.secret"]
    assert secret in soup.select_one("#authenticator-secret").get_text()


def test_totp_activation_error_keeps_the_page(client, professional):
    reauthenticated(client, professional)
    client.get("/accounts/2fa/totp/activate/")
    response = client.post("/accounts/2fa/totp/activate/", {"code": "000000"})
    assert_govuk_page(response)
    assert error_summary(response) == ["Incorrect code."]
    assert field_value(response, "code") == "000000"


def test_mfa_pages_for_a_professional_with_totp(client, mfa_user):
    reauthenticated(client, mfa_user)
    # allauth asks for the second factor when reauthenticating a user with MFA: use a code.
    from tests.accounts.helpers import totp_code

    client.post("/accounts/2fa/reauthenticate/", {"code": totp_code(mfa_user.totp_secret)})
    assert_govuk_page(client.get("/accounts/2fa/"), heading="Two-factor authentication")
    assert_govuk_page(client.get("/accounts/2fa/totp/deactivate/"), heading="turn off your authenticator app")
    assert_govuk_page(client.get("/accounts/2fa/recovery-codes/generate/"), heading="Make new recovery codes")
    response = client.post("/accounts/2fa/recovery-codes/generate/")
    assert response.status_code == 302
    soup = assert_govuk_page(client.get("/accounts/2fa/recovery-codes/"), heading="Your recovery codes")
    assert len(soup.select("main code")) == 10
    download = client.get("/accounts/2fa/recovery-codes/download/")
    assert download.status_code == 200
    assert len(download.content.decode().split()) == 10


def test_webauthn_pages_work_under_the_content_security_policy(client, mfa_user):
    from tests.accounts.helpers import totp_code

    reauthenticated(client, mfa_user)
    client.post("/accounts/2fa/reauthenticate/", {"code": totp_code(mfa_user.totp_secret)})
    response = client.get("/accounts/2fa/webauthn/add/")
    soup = assert_govuk_page(response, heading="Add a security key")
    scripts = [s["src"] for s in soup.find_all("script", src=True)]
    assert any(src.endswith("mfa/js/webauthn.js") for src in scripts)
    assert soup.select_one("#mfa_webauthn_add")
    assert soup.find("script", id="js_data", type="application/json")
    assert_govuk_page(client.get("/accounts/2fa/webauthn/"), heading="Your security keys")
    assert "'unsafe-inline'" not in response["Content-Security-Policy"].split("script-src")[1].split(";")[0]


def test_mfa_step_at_sign_in_is_a_govuk_page(client, mfa_user):
    response = sign_in(client, mfa_user.email, TEST_PASSWORD)
    assert response["Location"] == reverse("mfa_authenticate")
    response = client.get(response["Location"])
    soup = assert_govuk_page(response, heading="Enter your security code")
    assert soup.select_one("#id_code")["autocomplete"] == "one-time-code"
    response = client.post(reverse("mfa_authenticate"), {"code": "123456"})
    assert_govuk_page(response)
    assert error_summary(response) == ["Incorrect code."]


def test_reauthenticate_with_wrong_password_shows_error_summary(signed_in, professional):
    response = signed_in(professional).post("/accounts/reauthenticate/", {"password": "nope"})
    assert_govuk_page(response, heading="Confirm it is you")
    assert error_summary(response)


def test_authenticator_is_named_in_security_keys_list(client, mfa_user):
    Authenticator.objects.create(
        user=mfa_user, type=Authenticator.Type.WEBAUTHN, data={"name": "Blue USB key", "credential": {}}
    )
    client.force_login(mfa_user)
    assert "Blue USB key" in client.get("/accounts/2fa/webauthn/").content.decode()


def test_too_many_requests_page_is_a_govuk_page(rf):
    from allauth.core.internal.ratelimit import handler429

    request = rf.get("/accounts/login/")
    request.csp_nonce = ""
    from django.contrib.auth.models import AnonymousUser

    request.user = AnonymousUser()
    response = handler429(request)
    assert response.status_code == 429
    assert "Too many attempts" in response.content.decode()


def test_email_addresses_are_changed_by_an_administrator_not_by_a_form(signed_in, professional):
    client = signed_in(professional)
    response = client.get("/accounts/email/")
    assert_govuk_page(response, heading="Your email address", button=False)
    assert not page(response).select("main form")
    client.post("/accounts/email/", {"action_add": "", "email": "elsewhere@example.org"})
    from allauth.account.models import EmailAddress

    assert not EmailAddress.objects.filter(email="elsewhere@example.org").exists()
