"""Error messages name what to enter (GOV.UK style), so an error summary listing several of
them says which field is which: never Django's "This field is required." or "Enter a valid
email address." on the forms a professional meets while being invited or signing in."""

from __future__ import annotations

import pytest

from django.core import mail
from django.urls import reverse

from tests.accounts.helpers import error_summary, sign_in
from tests.conftest import enable_totp
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db

EMAIL_FORMAT = "Enter an email address in the correct format, like name@example.org"


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({}, ["Enter your email address", "Enter your password"]),
        ({"login": "rachel@", "password": "x"}, [EMAIL_FORMAT]),
    ],
)
def test_sign_in(client, data, expected):
    assert error_summary(client.post("/accounts/login/", data)) == expected


@pytest.mark.parametrize(("email", "expected"), [("", ["Enter your email address"]), ("rachel@", [EMAIL_FORMAT])])
def test_password_reset_request(client, email, expected):
    assert error_summary(client.post("/accounts/password/reset/", {"email": email})) == expected


def test_new_password_from_a_reset_link(client, make_user):
    person = make_user("lead_professional")
    client.post("/accounts/password/reset/", {"email": person.email})
    link = next(line for line in mail.outbox[0].body.splitlines() if "/accounts/password/reset/key/" in line)
    response = client.get(link[link.index("/accounts/") :].strip(), follow=True)
    form_action = response.redirect_chain[-1][0] if response.redirect_chain else link
    response = client.post(form_action, {"password1": "", "password2": ""})
    assert error_summary(response) == ["Enter a new password", "Enter the same password again"]


@pytest.fixture
def admin_client_for_invitations(client, make_user):
    client.force_login(make_user("administrator"))
    return client


def test_invite_form(admin_client_for_invitations):
    response = admin_client_for_invitations.post("/portal/users/invite/", {})
    assert error_summary(response) == [
        "Enter their email address",
        "Enter their first name",
        "Enter their last name",
        "Select at least one role",
    ]
    response = admin_client_for_invitations.post(
        "/portal/users/invite/", {"email": "jo@", "roles": ["lead_professional"]}
    )
    assert EMAIL_FORMAT in error_summary(response)


def test_security_code_at_sign_in(client, make_user):
    person = make_user("lead_professional")
    enable_totp(person)
    sign_in(client, person.email, TEST_PASSWORD)
    response = client.post(reverse("mfa_authenticate"), {"code": ""})
    assert error_summary(response) == ["Enter the security code from your authenticator app"]


def test_code_when_setting_up_an_authenticator_app(client, make_user):
    person = make_user("lead_professional")
    client.force_login(person)
    client.post("/accounts/reauthenticate/", {"password": TEST_PASSWORD})
    client.get("/accounts/2fa/totp/activate/")
    response = client.post("/accounts/2fa/totp/activate/", {"code": ""})
    assert error_summary(response) == ["Enter the 6-digit code your authenticator app shows"]
