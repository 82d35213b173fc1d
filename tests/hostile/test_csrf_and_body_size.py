"""CSRF on every form, and oversized bodies refused.

CSRF: every URL of our packages (the access matrix's rows, which carry the arguments each
URL needs), POSTed by a signed-in user without a CSRF token, is refused by Django's CSRF
check. The only exceptions are the two token-authenticated JSON APIs, and the test pins why
they are safe: the ORUK API is read-only and the Encompass API ignores the session cookie.

Bodies: a POST larger than DATA_UPLOAD_MAX_MEMORY_SIZE to a public form is a 400, and one
larger than ENCOMPASS_MAX_BODY_BYTES to the police intake API a 413, never a 500."""

from __future__ import annotations

import json
import uuid

import pytest

from django.conf import settings as django_settings
from django.http import HttpResponseForbidden
from django.test import Client, override_settings
from django.urls import get_resolver, reverse

from tests.conftest import enable_totp
from tests.factories import UserFactory
from tests.test_access_matrix import MATRIX, ROLES, _walk, our_url_names

CSRF_MARKER = "csrf-refused-by-test-view"
# Token-authenticated (or open, read-only) JSON APIs: no cookie authority, so no CSRF token.
TOKEN_API_NAMESPACES = ("oruk:", "encompass_api:")


def csrf_failure(request, reason=""):
    """Stands in for Django's CSRF failure page so the test can tell a CSRF refusal from any
    other 403 (a role without permission)."""
    return HttpResponseForbidden(f"{CSRF_MARKER}: {reason}")


@pytest.fixture
def everyone(db):
    """A signed-in user with every role and MFA set up, as a POST can come from anybody."""
    user = UserFactory(roles=[role.slug for role in ROLES], email="csrf.everyone@example.org")
    enable_totp(user)
    return user


def _csrf_client(user) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    client.get(reverse("portal_home"))  # a real session, with a CSRF cookie set
    return client


def _is_token_api(name: str) -> bool:
    return name.startswith(TOKEN_API_NAMESPACES)


def _our_patterns() -> dict[str, object]:
    names = our_url_names()
    return {name: pattern for name, pattern, _owner in _walk(get_resolver()) if name in names}


_MATRIX_KWARGS = {row.name: row.kwargs for row in MATRIX}
_SAMPLE_VALUES = {"int": 999999, "uuid": uuid.UUID(int=7), "slug": "no-such-thing", "str": "no-such-thing", "path": "x"}


def _url_for(name: str, pattern) -> str:
    """The URL of ``name`` with arguments: the access matrix's when it lists the URL,
    otherwise a value of each path converter's type (a URL added since is still walked)."""
    if _MATRIX_KWARGS.get(name):
        return reverse(name, kwargs=_MATRIX_KWARGS[name]())
    converters = getattr(pattern.pattern, "converters", {})
    kwargs = {
        key: _SAMPLE_VALUES.get(type(conv).__name__.replace("Converter", "").lower(), "x")
        for key, conv in converters.items()
    }
    if not converters:
        kwargs = dict.fromkeys(pattern.pattern.regex.groupindex, "x")
    return reverse(name, kwargs=kwargs or None)


BROWSER_URLS = sorted(name for name in _our_patterns() if not _is_token_api(name))


def test_the_walk_finds_our_forms():
    assert {"portal_home", "users:invite", "encompass:submit", "directory:shortlist_add"} <= set(BROWSER_URLS)


@pytest.mark.parametrize("name", BROWSER_URLS)
@override_settings(REQUIRE_MFA=True, CSRF_FAILURE_VIEW="tests.hostile.test_csrf_and_body_size.csrf_failure")
def test_post_without_a_csrf_token_is_refused(name, everyone):
    client = _csrf_client(everyone)
    url = _url_for(name, _our_patterns()[name])
    response = client.post(url, {"anything": "x"})
    assert response.status_code == 403, f"{name} ({url}) answered {response.status_code}"
    assert CSRF_MARKER in response.content.decode(), f"{name} refused for another reason"


@override_settings(CSRF_FAILURE_VIEW="tests.hostile.test_csrf_and_body_size.csrf_failure")
def test_public_problem_report_form_needs_a_csrf_token(db):
    from tests.directory.factories import ServicePageFactory

    page = ServicePageFactory(slug="csrf-service")
    client = Client(enforce_csrf_checks=True)
    client.get(page.url + "report-a-problem/")
    response = client.post(page.url + "report-a-problem/", {"kind": "other", "details": "x"})
    assert response.status_code == 403
    assert CSRF_MARKER in response.content.decode()


def test_only_the_token_apis_are_csrf_exempt():
    exempt = {
        name
        for name, pattern, _owner in _walk(get_resolver())
        if getattr(pattern.callback, "csrf_exempt", False) and name in our_url_names()
    }
    assert exempt, "the APIs are expected to be exempt"
    assert all(_is_token_api(name) for name in exempt), sorted(exempt)


@pytest.mark.parametrize("row", [row for row in MATRIX if row.name.startswith("oruk:")], ids=lambda row: row.name)
def test_the_oruk_api_is_read_only(row, everyone):
    client = _csrf_client(everyone)
    url = reverse(row.name, kwargs=row.kwargs() if row.kwargs else None)
    for method in ("post", "put", "patch", "delete"):
        response = getattr(client, method)(url, data="{}", content_type="application/json")
        if row.name in ("oruk:openapi-json", "oruk:openapi-view"):
            # django-ninja serves its documents to any method: the same page as GET, no state.
            assert response.content == client.get(url).content
        else:
            assert response.status_code in (404, 405), f"{method.upper()} {url}: {response.status_code}"


def test_the_encompass_api_ignores_the_session_cookie(everyone, settings):
    """A signed-in browser (session cookie, no bearer token) cannot submit or read: the API's
    authority comes only from the Authorization header, so a cross-site form cannot use it."""
    settings.ENCOMPASS_LA_CODE = "394"
    client = _csrf_client(everyone)
    body = json.dumps({"police_reference": "X", "force": "NBR"})
    response = client.post(reverse("encompass_api:notifications"), data=body, content_type="application/json")
    assert response.status_code == 401
    read = client.get(
        reverse("encompass_api:notification", kwargs={"notification_id": "00000000-0000-0000-0000-000000000007"})
    )
    assert read.status_code == 401


# --- Oversized bodies ----------------------------------------------------------------------------


def test_settings_bound_request_bodies():
    assert django_settings.DATA_UPLOAD_MAX_MEMORY_SIZE <= 10 * 1024 * 1024
    assert django_settings.ENCOMPASS_MAX_BODY_BYTES <= django_settings.DATA_UPLOAD_MAX_MEMORY_SIZE


@pytest.mark.parametrize("size", ["over_api_limit", "over_django_limit"])
def test_oversized_body_to_the_encompass_api_is_413(client, db, size):
    from portal.encompass import services

    token = services.create_token("NBR")[1]
    limit = (
        django_settings.ENCOMPASS_MAX_BODY_BYTES
        if size == "over_api_limit"
        else django_settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    )
    body = json.dumps({"summary": "x" * (limit + 1)})
    response = client.post(
        reverse("encompass_api:notifications"),
        data=body,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert response.status_code == 413
    assert response.json()["status"] == 413


@pytest.mark.parametrize("content_type", ["application/x-www-form-urlencoded", "multipart/form-data"])
def test_oversized_post_to_a_public_form_is_400(db, content_type):
    from tests.directory.factories import ServicePageFactory

    page = ServicePageFactory(slug="big-body-service")
    client = Client(raise_request_exception=False)
    url = page.url + "report-a-problem/"
    details = "x" * (django_settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)
    if content_type == "multipart/form-data":
        response = client.post(url, {"kind": "other", "details": details})  # the client's default encoding
    else:
        from urllib.parse import urlencode

        response = client.post(url, urlencode({"kind": "other", "details": details}), content_type=content_type)
    assert response.status_code in (400, 413), response.status_code
    from directory.models import ProblemReport

    assert not ProblemReport.objects.exists()


def test_too_many_fields_is_400(db):
    client = Client(raise_request_exception=False)
    fields = "&".join(f"f{i}=x" for i in range(django_settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1))
    response = client.post("/services/", fields, content_type="application/x-www-form-urlencoded")
    assert response.status_code in (400, 403, 405)
