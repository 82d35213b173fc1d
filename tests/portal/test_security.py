"""Security baseline: headers on every response, Django's admin for superusers only, and
Wagtail's and Django's own sign-in pages replaced by the portal's (MFA and lockout)."""

import re

import pytest

from django.conf import settings
from django.urls import reverse

from tests.factories import UserFactory


@pytest.mark.django_db
def test_every_response_carries_the_security_headers(client):
    response = client.get(reverse("account_login"))
    csp = response["Content-Security-Policy"]
    nonce = re.search(r"'nonce-([^']+)'", csp).group(1)
    assert "script-src 'self' 'nonce-" in csp
    assert "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert "object-src 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert "camera=()" in response["Permissions-Policy"]
    assert response["X-Request-ID"]
    # Every inline script on the page carries this response's nonce.
    html = response.content.decode()
    for attrs in re.findall(r"<script([^>]*)>", html):
        if "src=" not in attrs and 'type="application/json"' not in attrs:
            assert f'nonce="{nonce}"' in attrs


@pytest.mark.django_db
def test_the_nonce_changes_on_every_request(client):
    first = client.get(reverse("account_login"))["Content-Security-Policy"]
    second = client.get(reverse("account_login"))["Content-Security-Policy"]
    assert first != second


@pytest.mark.django_db
def test_only_the_wagtail_admin_may_frame_itself_and_use_inline_styles(client):
    admin = UserFactory(roles=["administrator"])
    client.force_login(admin)
    csp = client.get("/admin/")["Content-Security-Policy"]
    assert "frame-ancestors 'self'" in csp
    assert "style-src 'self' 'unsafe-inline'" in csp
    assert "script-src 'self' 'nonce-" in csp and "script-src 'self' 'unsafe-inline'" not in csp


@pytest.mark.django_db
def test_wagtail_sign_in_goes_to_the_portal_sign_in(client):
    response = client.get("/admin/login/?next=/admin/pages/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert "next=/admin/pages/" in response["Location"]


@pytest.mark.django_db
def test_django_admin_is_for_superusers_only(client):
    path = "/" + settings.DJANGO_ADMIN_URL
    staff = UserFactory(is_staff=True, roles=["administrator"])
    client.force_login(staff)
    assert client.get(path).status_code == 302  # not a superuser: sent to sign in
    superuser = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(superuser)
    assert client.get(path).status_code == 200
    assert path != "/admin/"


@pytest.mark.django_db
def test_django_admin_sign_in_goes_to_the_portal_sign_in(client):
    response = client.get("/" + settings.DJANGO_ADMIN_URL + "login/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
