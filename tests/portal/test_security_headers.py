"""Security headers under production settings, on every kind of page a family, a
professional, a police system or a load balancer meets.

The settings are read from ``portal.settings.production`` itself (in a subprocess, with a
valid environment) and applied to the test run, so the test follows production.py rather
than a copy of it. tests/portal/test_security.py covers the nonce mechanics on one page
under the test settings; this covers HSTS, the cookies and the HTTPS redirect, which only
production turns on, across the kinds of page."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from django.urls import include, path

from portal.health import healthz
from tests.factories import TEST_PASSWORD

ROOT = Path(__file__).resolve().parents[2]
GOOD_KEY = "k" * 20 + "abcdefghijklmnopqrstuvwxyz0123456789-_"
SECURITY_SETTINGS = (
    "SECURE_SSL_REDIRECT",
    "SECURE_PROXY_SSL_HEADER",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SECURE_CONTENT_TYPE_NOSNIFF",
    "SECURE_REFERRER_POLICY",
    "SECURE_CROSS_ORIGIN_OPENER_POLICY",
    "SECURE_REDIRECT_EXEMPT",
    "X_FRAME_OPTIONS",
    "SESSION_COOKIE_SECURE",
    "SESSION_COOKIE_NAME",
    "SESSION_COOKIE_HTTPONLY",
    "SESSION_COOKIE_SAMESITE",
    "CSRF_COOKIE_SECURE",
    "CSRF_COOKIE_NAME",
    "CSRF_COOKIE_HTTPONLY",
    "REQUIRE_MFA",
)

# /healthz as portal.urls mounts it (see test_health.py).
urlpatterns = [path("healthz", healthz, name="healthz"), path("", include("portal.urls"))]
pytestmark = pytest.mark.urls(__name__)


@pytest.fixture(scope="module")
def production_values() -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SECURE_", "DEBUG", "DATABASE_URL"))}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "portal.settings.production",
            "SECRET_KEY": GOOD_KEY,
            "ALLOWED_HOSTS": "portal.example.gov.uk",
        }
    )
    script = (
        "import json; from django.conf import settings as s; "
        f"print(json.dumps({{n: getattr(s, n) for n in {SECURITY_SETTINGS!r}}}))"
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout.strip().splitlines()[-1])
    values["SECURE_PROXY_SSL_HEADER"] = tuple(values["SECURE_PROXY_SSL_HEADER"])
    return values


@pytest.fixture
def production(settings, production_values):
    for name, value in production_values.items():
        setattr(settings, name, value)
    settings.ALLOWED_HOSTS = ["portal.example.gov.uk"]
    return settings


HTTPS = {"HTTP_HOST": "portal.example.gov.uk", "HTTP_X_FORWARDED_PROTO": "https"}


@pytest.fixture
def pages(db, make_user):
    """(name, who, path, expected status): a public page, family search, the ORUK API, the
    sign-in page, a professional's page, an error page and the health check."""
    from tests.directory.factories import ServicePageFactory

    service = ServicePageFactory(title="Little Explorers stay and play")
    professional = make_user("lead_professional", mfa=True)
    return [
        ("home", None, "/", 200),
        ("family search", None, "/services/?q=stay+and+play", 200),
        ("service page", None, service.url, 200),
        ("ORUK API", None, "/api/oruk/services", 200),
        ("sign in", None, "/accounts/login/", 200),
        ("portal home", professional, "/portal/", 200),
        ("not found", None, "/no-such-page/", 404),
        ("health check", None, "/healthz", 200),
    ]


def _directives(csp: str) -> dict[str, str]:
    return {part.split()[0]: part.strip() for part in csp.split(";") if part.strip()}


def test_every_kind_of_page_carries_the_production_headers(production, pages, client):
    problems = []
    for name, who, url, status in pages:
        client.logout()
        if who is not None:
            client.force_login(who)
        response = client.get(url, **HTTPS)
        if response.status_code != status:
            problems.append(f"{name}: status {response.status_code}")
            continue
        csp = _directives(response["Content-Security-Policy"])
        nonce = re.search(r"'nonce-([^']+)'", csp["script-src"]).group(1)
        checks = {
            "script-src nonce, no unsafe-inline": csp["script-src"] == f"script-src 'self' 'nonce-{nonce}'",
            "no unsafe-inline or unsafe-eval anywhere": "unsafe-" not in response["Content-Security-Policy"],
            "frame-ancestors 'none'": csp["frame-ancestors"] == "frame-ancestors 'none'",
            "object-src 'none'": csp["object-src"] == "object-src 'none'",
            "HSTS a year, subdomains, preload": response.get("Strict-Transport-Security")
            == "max-age=31536000; includeSubDomains; preload",
            "X-Frame-Options DENY": response.get("X-Frame-Options") == "DENY",
            "nosniff": response.get("X-Content-Type-Options") == "nosniff",
            "Referrer-Policy": response.get("Referrer-Policy") == "same-origin",
            "Permissions-Policy": all(
                f"{feature}=()" in response.get("Permissions-Policy", "")
                for feature in ("camera", "geolocation", "microphone", "payment")
            ),
            "COOP": response.get("Cross-Origin-Opener-Policy") == "same-origin",
            "request id": bool(response.get("X-Request-ID")),
        }
        problems += [f"{name}: {check}" for check, ok in checks.items() if not ok]
        if response["Content-Type"].startswith("text/html"):
            for attrs in re.findall(r"<script([^>]*)>", response.content.decode()):
                if "src=" not in attrs and 'type="application/json"' not in attrs and f'nonce="{nonce}"' not in attrs:
                    problems.append(f"{name}: inline script without this response's nonce: <script{attrs}>")
            if re.search(r"\son[a-z]+\s*=", response.content.decode()):
                problems.append(f"{name}: an inline event handler attribute (blocked by the CSP)")
    assert not problems, "\n".join(problems)


@pytest.mark.django_db
def test_plain_http_is_sent_to_https(production, client):
    response = client.get("/services/?q=refuge", HTTP_HOST="portal.example.gov.uk")
    assert response.status_code == 301
    assert response["Location"] == "https://portal.example.gov.uk/services/?q=refuge"
    # HSTS only on HTTPS responses, as browsers ignore it over HTTP.
    assert "Strict-Transport-Security" not in response


@pytest.mark.django_db
def test_cookies_are_host_only_secure_httponly_and_same_site(production, client, make_user):
    user = make_user("lead_professional", mfa=True)
    page = client.get("/accounts/login/", **HTTPS)
    csrf = page.cookies["__Host-csrftoken"]
    response = client.post(
        "/accounts/login/",
        {"login": user.email, "password": TEST_PASSWORD, "csrfmiddlewaretoken": csrf.value},
        **HTTPS,
    )
    assert response.status_code == 302  # on to the authenticator code
    session = response.cookies["__Host-sessionid"]
    for cookie in (csrf, session):
        assert cookie["secure"] is True
        assert cookie["httponly"] is True
        assert cookie["samesite"] == "Lax"
        assert cookie["path"] == "/"
        assert not cookie["domain"]  # __Host- cookies may not set a domain
    assert not session["max-age"] or int(session["max-age"]) <= production.SESSION_COOKIE_AGE


def test_pages_with_personal_data_are_never_stored_by_a_cache(production, client, make_user):
    """A shared computer at a school or a children's centre: the next person must not find a
    professional's pages in the browser's cache or behind the back button."""
    key_adult = make_user("school_key_adult", mfa=True)
    private = [
        (key_adult, "/portal/"),
        (key_adult, "/portal/encompass/"),
        (None, "/accounts/login/"),
        (None, "/accounts/password/reset/"),
    ]
    problems = []
    for who, url in private:
        client.logout()
        if who is not None:
            client.force_login(who)
        response = client.get(url, **HTTPS)
        cache_control = response.get("Cache-Control", "")
        if response.status_code != 200 or not {"no-store", "private"} <= {
            part.strip() for part in cache_control.split(",")
        }:
            problems.append(f"{url}: {response.status_code} Cache-Control: {cache_control!r}")
    # Family pages stay cacheable: they hold nothing personal and must be quick on a phone.
    client.logout()
    search = client.get("/services/?q=stay+and+play", **HTTPS)
    assert "no-store" not in search.get("Cache-Control", "")
    assert not problems, "\n".join(problems)
