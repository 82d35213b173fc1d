"""The access matrix: every named URL of the project × every role (and anonymous) → the
expected outcome. A URL of ours that is missing from the table fails the suite, so no later
URL can skip it.

Every user here has MFA set up and REQUIRE_MFA is on, as in production.
Outcomes: an HTTP status, or LOGIN (a redirect to the sign-in page).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest

from django.test import override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from portal.accounts.roles import ROLES
from tests.conftest import enable_totp
from tests.factories import UserFactory

ANONYMOUS = "anonymous"
LOGIN = "login"
ALL_ROLES = [role.slug for role in ROLES]
EVERYONE = [ANONYMOUS, *ALL_ROLES]
OUR_PACKAGES = ("portal", "directory", "search", "eh_assessments")


@dataclass
class Row:
    """Expected outcomes for one URL. ``default`` applies to every role not listed in
    ``only``; anonymous has its own expectation."""

    name: str
    anonymous: int | str
    default: int | str
    only: dict[str, int | str] = field(default_factory=dict)
    kwargs: Callable[[], dict] | None = None
    method: str = "get"

    def expected(self, who: str) -> int | str:
        if who == ANONYMOUS:
            return self.anonymous
        return self.only.get(who, self.default)


def _admin_only(ok: int = 200) -> dict[str, int]:
    return {"administrator": ok}


MATRIX: list[Row] = [
    Row("portal_home", anonymous=LOGIN, default=200),
    Row("wagtailadmin_login_redirect", anonymous=LOGIN, default=LOGIN),
    # Accounts: invitations, MFA management (our subclasses of allauth's views), users.
    Row("accept_invitation", anonymous=404, default=200, kwargs=lambda: {"token": "not-a-token"}),
    Row("account_email", anonymous=LOGIN, default=200),
    Row("mfa_index", anonymous=LOGIN, default=200),
    Row("mfa_activate_totp", anonymous=LOGIN, default=302),  # allauth asks for the password again
    Row("mfa_add_webauthn", anonymous=LOGIN, default=302),
    Row("mfa_view_recovery_codes", anonymous=LOGIN, default=404),  # none generated for these users
    Row("users:list", anonymous=LOGIN, default=403, only=_admin_only()),
    Row("users:invite", anonymous=LOGIN, default=403, only=_admin_only()),
    Row("users:resend", anonymous=LOGIN, default=403, only=_admin_only(405), kwargs=lambda: {"uuid": uuid.UUID(int=1)}),
    # Django's own admin (superusers only) signs in through allauth, so MFA applies.
    Row("superadmin:login", anonymous=LOGIN, default=LOGIN),
    Row("audit:list", anonymous=LOGIN, default=403, only=_admin_only()),
    Row("audit:export", anonymous=LOGIN, default=403, only=_admin_only()),
    Row("users:revoke", anonymous=LOGIN, default=403, only=_admin_only(404), kwargs=lambda: {"uuid": uuid.UUID(int=1)}),
]

# Third-party pages professionals meet, checked as well (they are not ours, so they are not
# required by the completeness check, but their protection matters).
THIRD_PARTY: list[Row] = [
    Row("account_login", anonymous=200, default=302),
    Row("account_reset_password", anonymous=200, default=200),
    Row("superadmin:index", anonymous=302, default=302),  # to its own login, which goes to ours
    # Wagtail sends a signed-in user without admin access back to sign-in with a message.
    Row(
        "wagtailadmin_home",
        anonymous=LOGIN,
        default=LOGIN,
        only={
            "service_provider_editor": 200,
            "directory_manager": 200,
            "administrator": 200,
        },
    ),
]


def _walk(resolver: URLResolver, namespace: str = ""):
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            ns = namespace
            if entry.namespace:
                ns = f"{namespace}{entry.namespace}:"
            yield from _walk(entry, ns)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}{entry.name}", entry


def our_url_names() -> set[str]:
    names = set()
    for name, pattern in _walk(get_resolver()):
        callback = pattern.callback
        module = getattr(callback, "__module__", "") or ""
        view_class = getattr(callback, "view_class", None)
        if view_class is not None:
            module = view_class.__module__
        if module.split(".")[0] in OUR_PACKAGES:
            names.add(name)
    return names


def test_every_url_of_ours_is_in_the_matrix():
    listed = {row.name for row in MATRIX}
    missing = sorted(our_url_names() - listed)
    assert not missing, f"URLs missing from the access matrix: {missing}"
    assert "portal_home" in our_url_names()  # the walk itself finds our URLs


@pytest.fixture
def users(db):
    people = {}
    for slug in ALL_ROLES:
        user = UserFactory(roles=[slug], email=f"matrix.{slug}@example.org")
        enable_totp(user)
        people[slug] = user
    return people


def _outcome(response) -> int | str:
    if response.status_code in (301, 302) and "/accounts/login/" in response.get("Location", ""):
        return LOGIN
    return response.status_code


@pytest.mark.parametrize("row", MATRIX + THIRD_PARTY, ids=lambda row: row.name)
@override_settings(REQUIRE_MFA=True)
def test_access(row: Row, users, client):
    url = reverse(row.name, kwargs=row.kwargs() if row.kwargs else None)
    problems = []
    for who in EVERYONE:
        client.logout()
        if who != ANONYMOUS:
            client.force_login(users[who])
        response = getattr(client, row.method)(url)
        got = _outcome(response)
        if got != row.expected(who):
            problems.append(f"{who}: expected {row.expected(who)}, got {got}")
    assert not problems, f"{row.name} ({url}):\n" + "\n".join(problems)
