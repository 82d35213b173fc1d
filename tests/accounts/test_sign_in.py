"""Sign-in protections a professional (and an attacker) meets: lockout after repeated
failures, no way to tell from the responses whether an address has an account, and sessions
that end after a period of inactivity."""

from __future__ import annotations

import datetime

import pytest
import time_machine

from django.conf import settings
from django.core import mail

from tests.accounts.helpers import error_summary, h1, page, sign_in
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db

LOCKOUT_MESSAGE = "You have tried to sign in too many times."


@pytest.fixture
def professional(make_user):
    return make_user("lead_professional", email="rachel.armstrong@example.org")


def visible_text(response) -> str:
    main = page(response).find("main")
    return " ".join(main.get_text(" ").split())


# --- Lockout --------------------------------------------------------------------------
def test_after_too_many_failures_even_the_right_password_is_refused(client, professional):
    for _ in range(settings.SIGN_IN_ATTEMPTS):
        response = sign_in(client, professional.email, "not my password")
        assert error_summary(response) == ["Enter a correct email address and password"]

    response = sign_in(client, professional.email, TEST_PASSWORD)

    assert response.status_code == 200, "signed in despite the lockout"
    assert "_auth_user_id" not in client.session
    [message] = error_summary(response)
    assert message.startswith(LOCKOUT_MESSAGE)
    assert f"Wait {settings.SIGN_IN_LOCKOUT_MINUTES} minutes" in message


def test_fewer_failures_than_the_limit_do_not_lock_the_account(client, professional):
    for _ in range(settings.SIGN_IN_ATTEMPTS - 1):
        sign_in(client, professional.email, "not my password")
    response = sign_in(client, professional.email, TEST_PASSWORD)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(professional.pk)


def test_lockout_is_per_account(client, professional, make_user):
    other = make_user("lead_professional", email="other@example.org")
    for _ in range(settings.SIGN_IN_ATTEMPTS):
        sign_in(client, professional.email, "not my password")
    assert sign_in(client, other.email, TEST_PASSWORD).status_code == 302


def test_lockout_ends_after_the_lockout_period(client, professional):
    with time_machine.travel(datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC), tick=False) as traveller:
        for _ in range(settings.SIGN_IN_ATTEMPTS):
            sign_in(client, professional.email, "not my password")
        assert sign_in(client, professional.email, TEST_PASSWORD).status_code == 200
        traveller.shift(datetime.timedelta(minutes=settings.SIGN_IN_LOCKOUT_MINUTES, seconds=1))
        assert sign_in(client, professional.email, TEST_PASSWORD).status_code == 302


def test_unknown_addresses_are_locked_out_the_same_way(client):
    """Otherwise the lockout itself would reveal which addresses have accounts."""
    for _ in range(settings.SIGN_IN_ATTEMPTS):
        sign_in(client, "nobody@example.org", "a guess")
    [message] = error_summary(sign_in(client, "nobody@example.org", "a guess"))
    assert message.startswith(LOCKOUT_MESSAGE)


# --- No enumeration ---------------------------------------------------------------------
def test_unknown_email_and_wrong_password_look_the_same(client, professional):
    known = sign_in(client, professional.email, "not my password")
    unknown = sign_in(client, "nobody@example.org", "not my password")

    assert known.status_code == unknown.status_code == 200
    assert error_summary(known) == error_summary(unknown) == ["Enter a correct email address and password"]
    assert visible_text(known).replace(professional.email, "EMAIL") == visible_text(unknown).replace(
        "nobody@example.org", "EMAIL"
    )


def test_password_reset_looks_the_same_but_only_emails_a_real_account(client, professional):
    unknown = client.post("/accounts/password/reset/", {"email": "nobody@example.org"})
    assert mail.outbox == [], "an address without an account must get no email"
    known = client.post("/accounts/password/reset/", {"email": professional.email})

    assert unknown.status_code == known.status_code == 302
    assert unknown["Location"] == known["Location"] == "/accounts/password/reset/done/"
    assert [m.to for m in mail.outbox] == [[professional.email]]
    assert "/accounts/password/reset/key/" in mail.outbox[0].body
    done = client.get(known["Location"])
    assert h1(done) == "Check your email"
    assert "If the address you gave has an account" in visible_text(done)


def test_password_reset_with_a_badly_typed_address_keeps_it(client):
    response = client.post("/accounts/password/reset/", {"email": "not an email"})
    assert response.status_code == 200
    assert error_summary(response)
    assert page(response).select_one("#id_email")["value"] == "not an email"


# --- Idle timeout -------------------------------------------------------------------------
def minutes(n: float) -> datetime.timedelta:
    return datetime.timedelta(minutes=n)


def test_session_expires_after_the_idle_timeout(client, professional):
    idle = settings.SESSION_IDLE_TIMEOUT
    with time_machine.travel(datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC), tick=False) as traveller:
        assert sign_in(client, professional.email, TEST_PASSWORD).status_code == 302
        assert client.get("/portal/").status_code == 200

        traveller.shift(minutes(idle) + datetime.timedelta(seconds=1))
        response = client.get("/portal/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_session_stays_alive_while_the_professional_is_active(client, professional):
    idle = settings.SESSION_IDLE_TIMEOUT
    with time_machine.travel(datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC), tick=False) as traveller:
        assert sign_in(client, professional.email, TEST_PASSWORD).status_code == 302
        # A request every (idle - 1) minutes, for three times the idle timeout.
        for _ in range(3):
            traveller.shift(minutes(idle - 1))
            assert client.get("/portal/").status_code == 200, "signed out while active"


def test_session_cookie_ends_with_the_browser(client, professional):
    response = sign_in(client, professional.email, TEST_PASSWORD)
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert not cookie["expires"] and not cookie["max-age"], "the session cookie must not outlive the browser"
