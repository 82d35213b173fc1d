"""The access-matrix rows for Operation Encompass's URLs (to be pasted into
tests/test_access_matrix.py's MATRIX), checked here with the matrix's own rules until then."""

import uuid

import pytest

from django.test import override_settings
from django.urls import reverse

from tests.conftest import enable_totp
from tests.factories import UserFactory
from tests.test_access_matrix import ALL_ROLES, ANONYMOUS, EVERYONE, LOGIN, Row, _outcome

_readers = {"school_key_adult": 200, "school_deputy": 200, "front_door": 200, "la_encompass_lead": 200}
_readers_404 = dict.fromkeys(_readers, 404)

ENCOMPASS_ROWS = [
    Row("encompass:list", anonymous=LOGIN, default=403, only=_readers),
    Row("encompass:detail", anonymous=LOGIN, default=403, only=_readers_404, kwargs=lambda: {"pk": uuid.UUID(int=7)}),
    Row(
        "encompass:acknowledge",
        anonymous=LOGIN,
        default=403,
        only=_readers_404,
        kwargs=lambda: {"pk": uuid.UUID(int=7)},
    ),
    # The matrix's police account has no force: refused until an administrator sets one.
    Row("encompass:submit", anonymous=LOGIN, default=403),
    Row(
        "encompass:submitted",
        anonymous=LOGIN,
        default=403,
        only={"police_encompass_officer": 404},
        kwargs=lambda: {"pk": uuid.UUID(int=7)},
    ),
    Row("encompass:dashboard", anonymous=LOGIN, default=403, only={"la_encompass_lead": 200}),
    # The intake API: bearer tokens only (a session counts for nothing); its docs are open.
    Row("encompass_api:api-root", anonymous=404, default=404),  # django-ninja's root: docs are at docs/
    Row("encompass_api:notifications", anonymous=405, default=405),  # POST only
    Row("encompass_api:notification", anonymous=401, default=401, kwargs=lambda: {"notification_id": uuid.UUID(int=7)}),
    Row("encompass_api:openapi-json", anonymous=200, default=200),
    Row("encompass_api:openapi-view", anonymous=200, default=200),
]


@pytest.fixture
def users(db):
    people = {}
    for slug in ALL_ROLES:
        user = UserFactory(roles=[slug], email=f"matrix.{slug}@example.org")
        enable_totp(user)
        people[slug] = user
    return people


@pytest.mark.parametrize("row", ENCOMPASS_ROWS, ids=lambda row: row.name)
@override_settings(REQUIRE_MFA=True)
def test_access(row, users, client):
    url = reverse(row.name, kwargs=row.kwargs() if row.kwargs else None)
    problems = []
    for who in EVERYONE:
        client.logout()
        if who != ANONYMOUS:
            client.force_login(users[who])
        got = _outcome(getattr(client, row.method)(url))
        if got != row.expected(who):
            problems.append(f"{who}: expected {row.expected(who)}, got {got}")
    assert not problems, f"{row.name} ({url}):\n" + "\n".join(problems)


def test_every_encompass_url_has_a_row():
    from tests.test_access_matrix import our_url_names

    ours = {name for name in our_url_names() if name.startswith(("encompass:", "encompass_api:"))}
    assert ours == {row.name for row in ENCOMPASS_ROWS}
