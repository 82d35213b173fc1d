"""Shared fixtures: one named user per role (healthchecks-style), an MFA-enabled variant,
and a client signed in as any of them."""

from __future__ import annotations

import pytest

from django.core.cache import cache

from portal.accounts.roles import ROLES
from tests.factories import UserFactory

ROLE_SLUGS = [role.slug for role in ROLES]


@pytest.fixture(autouse=True)
def _clear_cache():
    # Rate limits and lockouts live in the cache; each test starts clean.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def make_user(db):
    def make(*roles: str, mfa: bool = False, **kwargs):
        user = UserFactory(roles=list(roles), **kwargs)
        if mfa:
            enable_totp(user)
        return user

    return make


def enable_totp(user) -> str:
    """Give ``user`` a TOTP authenticator; returns the secret so a test can make codes."""
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return secret


def _role_fixture(slug: str):
    @pytest.fixture(name=slug)
    def fixture(make_user):
        return make_user(slug, email=f"{slug.replace('_', '.')}@example.org")

    return fixture


for _slug in ROLE_SLUGS:
    globals()[f"fixture_{_slug}"] = _role_fixture(_slug)


@pytest.fixture
def signed_in(client):
    """``signed_in(user)`` returns the test client signed in as ``user`` (MFA step passed)."""

    def sign_in(user):
        client.force_login(user)
        return client

    return sign_in
