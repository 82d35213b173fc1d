"""MFA enforcement: with REQUIRE_MFA on, a professional without a second factor is taken to
set one up before any page with personal data, and comes back to the page they asked for."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from allauth.mfa.models import Authenticator

from django.conf import settings
from django.test import override_settings

from tests.accounts.helpers import h1, page, sign_in, totp_code
from tests.conftest import enable_totp
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db

require_mfa = override_settings(REQUIRE_MFA=True)
DJANGO_ADMIN = "/" + settings.DJANGO_ADMIN_URL


def next_of(location: str) -> str | None:
    values = parse_qs(urlsplit(location).query).get("next")
    return values[-1] if values else None


@pytest.fixture
def superuser(make_user):
    return make_user(email="root@example.org", is_superuser=True, is_staff=True)


@require_mfa
@pytest.mark.parametrize("path", ["/portal/", "/portal/users/", "/admin/", DJANGO_ADMIN])
def test_professional_without_mfa_is_sent_to_set_it_up(signed_in, administrator, path):
    response = signed_in(administrator).get(path)
    assert response.status_code == 302
    assert response["Location"].startswith(settings.MFA_SETUP_URL + "?")
    assert next_of(response["Location"]) == path


@require_mfa
@pytest.mark.parametrize("path", ["/portal/", "/admin/"])
def test_professional_with_mfa_passes(signed_in, make_user, path):
    user = make_user("administrator", mfa=True)
    assert signed_in(user).get(path).status_code == 200


@require_mfa
def test_superuser_with_mfa_reaches_the_django_admin(signed_in, superuser):
    enable_totp(superuser)
    assert signed_in(superuser).get(DJANGO_ADMIN).status_code == 200


@require_mfa
def test_recovery_codes_alone_are_not_a_second_factor(signed_in, lead_professional):
    Authenticator.objects.create(user=lead_professional, type=Authenticator.Type.RECOVERY_CODES, data={})
    assert signed_in(lead_professional).get("/portal/").status_code == 302


@override_settings(REQUIRE_MFA=False)
def test_without_require_mfa_professionals_pass(signed_in, lead_professional):
    assert signed_in(lead_professional).get("/portal/").status_code == 200


@require_mfa
def test_anonymous_visitors_are_unaffected(client):
    response = client.get("/portal/")
    assert response["Location"].startswith("/accounts/login/"), "anonymous visitors go to sign in, not MFA set-up"
    assert client.get("/accounts/login/").status_code == 200


@require_mfa
def test_mfa_pages_and_sign_out_stay_reachable(signed_in, lead_professional):
    client = signed_in(lead_professional)
    assert client.get(settings.MFA_SETUP_URL).status_code == 200, "the set-up page must not redirect to itself"
    assert client.get("/accounts/logout/").status_code == 200


@require_mfa
def test_the_original_query_string_cannot_smuggle_in_another_next(signed_in, lead_professional):
    response = signed_in(lead_professional).get("/portal/?page=2&next=https://evil.example/")
    assert next_of(response["Location"]) == "/portal/?page=2&next=https://evil.example/"
    assert "evil" not in urlsplit(response["Location"]).path


@require_mfa
def test_set_up_page_explains_why_and_passes_next_on(signed_in, lead_professional):
    client = signed_in(lead_professional)
    location = client.get("/portal/users/").get("Location") or ""
    response = client.get(location)
    assert "You need to set up two-factor authentication before you can use the portal" in response.content.decode()
    activate = page(response).find("a", string=lambda s: s and "Set up an authenticator app" in s)
    assert next_of(activate["href"]) == "/portal/users/"


@pytest.mark.parametrize(
    "bad_next",
    ["https://evil.example/", "//evil.example/", "/\\evil.example/", "javascript:alert(1)", "evil.example"],
)
def test_mfa_pages_ignore_a_next_that_is_not_a_local_path(client, lead_professional, bad_next):
    client.force_login(lead_professional)
    client.post("/accounts/reauthenticate/", {"password": TEST_PASSWORD})
    response = client.get("/accounts/2fa/", {"next": bad_next})
    assert "evil" not in "".join(a.get("href", "") for a in page(response).find_all("a"))
    client.get("/accounts/2fa/totp/activate/")
    secret = client.session["mfa.totp.secret"]
    response = client.post("/accounts/2fa/totp/activate/", {"code": totp_code(secret), "next": bad_next})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/2fa/recovery-codes/"


@require_mfa
def test_setting_up_totp_returns_to_the_page_asked_for(client, lead_professional):
    # Sign in for real, ask for a protected page, and follow the journey.
    assert sign_in(client, lead_professional.email, TEST_PASSWORD).status_code == 302
    setup = client.get("/portal/users/?tab=invitations")["Location"]
    index = client.get(setup)
    activate_url = page(index).find("a", string=lambda s: s and "Set up an authenticator app" in s)["href"]

    # allauth asks for the password again before changing two-factor settings.
    response = client.get(activate_url)
    assert response["Location"].startswith("/accounts/reauthenticate/")
    response = client.post(response["Location"], {"password": TEST_PASSWORD})
    assert response["Location"] == activate_url

    form_page = client.get(activate_url)
    assert h1(form_page) == "Set up an authenticator app"
    assert page(form_page).find("input", attrs={"name": "next"})["value"] == "/portal/users/?tab=invitations"
    secret = client.session["mfa.totp.secret"]
    response = client.post(activate_url, {"code": totp_code(secret), "next": "/portal/users/?tab=invitations"})

    # First the new recovery codes, then "Continue" to where they were going.
    assert response.status_code == 302
    codes = client.get(response["Location"])
    assert h1(codes) == "Your recovery codes"
    continue_link = page(codes).find("a", string=lambda s: s and s.strip() == "Continue")
    assert continue_link["href"] == "/portal/users/?tab=invitations"
    assert Authenticator.objects.filter(user=lead_professional, type=Authenticator.Type.TOTP).exists()
    assert client.get("/portal/").status_code == 200, "with MFA set up, the portal opens"


def test_sign_in_with_totp_asks_for_the_code_and_then_signs_in(client, lead_professional):
    secret = enable_totp(lead_professional)
    response = sign_in(client, lead_professional.email, TEST_PASSWORD, next="/portal/")
    assert response["Location"] == "/accounts/2fa/authenticate/"
    assert "_auth_user_id" not in client.session, "not signed in before the second step"
    response = client.post("/accounts/2fa/authenticate/", {"code": totp_code(secret)})
    assert response.status_code == 302
    assert response["Location"] == "/portal/"
    assert client.session["_auth_user_id"] == str(lead_professional.pk)


def test_cancelling_the_second_step_returns_to_sign_in(client, lead_professional):
    enable_totp(lead_professional)
    sign_in(client, lead_professional.email, TEST_PASSWORD)
    form = page(client.get("/accounts/2fa/authenticate/")).find("form", id="logout-from-stage")
    response = client.post(form["action"], {"next": "/accounts/login/"})
    assert response["Location"] == "/accounts/login/"
    assert client.get("/accounts/2fa/authenticate/")["Location"].startswith("/accounts/login/")
