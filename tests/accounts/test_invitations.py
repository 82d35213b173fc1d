"""Invitations: the only way a professional gets an account."""

from __future__ import annotations

import datetime
import re

import pytest
import time_machine
from allauth.account.models import EmailAddress

from django.conf import settings
from django.contrib.auth.models import Group
from django.core import mail, signing
from django.test import override_settings
from django.utils import timezone

from portal.accounts import services
from portal.accounts.models import Invitation, User
from portal.accounts.roles import ROLES_BY_SLUG
from portal.audit.models import AuditEvent
from tests.accounts.helpers import error_summary, field_value, h1, page
from tests.factories import TeamFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "river-lantern-quietly-47"
START = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)


@pytest.fixture
def team():
    return TeamFactory(name="Sunderland North early help team")


@pytest.fixture
def invitation(administrator, team):
    return services.invite(
        email="Nadia.Hussain@Example.org",
        first_name="Nadia",
        last_name="Hussain",
        roles=["lead_professional", "school_key_adult"],
        team=team,
        invited_by=administrator,
    )


def link_in(message) -> str:
    match = re.search(r"https?://\S+/accounts/invitation/\S+/", message.body)
    assert match, message.body
    return match.group(0)


def path_of(url: str) -> str:
    return url[url.index("/accounts/") :]


def accept_form(**overrides):
    return {
        "first_name": "Nadia",
        "last_name": "Hussain",
        "job_title": "Family support worker",
        "password1": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
        **overrides,
    }


# --- Sending ------------------------------------------------------------------------------
def test_invite_emails_a_signed_link_in_text_and_html(invitation):
    [message] = mail.outbox
    assert message.to == ["nadia.hussain@example.org"]
    url = link_in(message)
    assert url.startswith(settings.BASE_URL.rstrip("/") + "/accounts/invitation/")
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    assert url in html
    assert "Lead professional" in message.body
    invitation.refresh_from_db()
    assert invitation.sent_at is not None
    assert invitation.expires_at == invitation.created_at + datetime.timedelta(days=settings.INVITATION_MAX_AGE_DAYS)


def test_invitation_is_recorded_in_the_audit_log(invitation, administrator):
    event = AuditEvent.objects.get(object_type="accounts.invitation", object_id=str(invitation.pk))
    assert event.user_id == administrator.pk
    assert event.action == "create"


def test_the_token_is_specific_to_invitations(invitation):
    """A value signed for another purpose (another salt) is not an invitation."""
    forged = signing.dumps({"i": str(invitation.uuid), "v": invitation.send_count})
    with pytest.raises(services.InvitationInvalid):
        services.check_token(forged)


# --- Accepting ----------------------------------------------------------------------------
def test_accepting_makes_the_account_with_the_invitations_roles_team_and_force(client, invitation, team):
    path = path_of(link_in(mail.outbox[0]))
    response = client.get(path)
    assert response.status_code == 200
    assert h1(response) == "Set up your account"
    assert field_value(response, "first_name") == "Nadia"

    response = client.post(path, accept_form())

    user = User.objects.get(email="nadia.hussain@example.org")
    assert user.check_password(NEW_PASSWORD)
    assert {g.name for g in user.groups.all()} == {"Lead professional", "School key adult"}
    assert user.team == team
    assert user.job_title == "Family support worker"
    assert EmailAddress.objects.get(user=user).verified
    invitation.refresh_from_db()
    assert invitation.accepted_user == user and invitation.accepted_at is not None
    # Signed in, and straight to the portal when MFA is not required.
    assert response.status_code == 302
    assert response["Location"] == "/portal/"
    assert client.session["_auth_user_id"] == str(user.pk)


def test_police_officer_invitation_carries_the_force(client, administrator):
    services.invite(
        email="officer@example.org",
        first_name="Mark",
        last_name="Hedley",
        roles=[ROLES_BY_SLUG["police_encompass_officer"]],
        police_force="nbr",
        invited_by=administrator,
    )
    client.post(path_of(link_in(mail.outbox[0])), accept_form(first_name="Mark", last_name="Hedley"))
    assert User.objects.get(email="officer@example.org").police_force == "NBR"


@override_settings(REQUIRE_MFA=True)
def test_with_mfa_required_the_new_account_goes_to_mfa_set_up_without_a_second_password_prompt(client, invitation):
    response = client.post(path_of(link_in(mail.outbox[0])), accept_form())
    assert response["Location"] == settings.MFA_SETUP_URL + "?next=%2Fportal%2F"
    # They just chose a password, so adding an authenticator does not ask for it again.
    response = client.get("/accounts/2fa/totp/activate/?next=%2Fportal%2F")
    assert response.status_code == 200
    assert h1(response) == "Set up an authenticator app"


def test_weak_password_is_refused_and_the_names_are_kept(client, invitation):
    path = path_of(link_in(mail.outbox[0]))
    response = client.post(path, accept_form(first_name="Nadia-Marie", password1="password", password2="password"))
    assert response.status_code == 200
    assert error_summary(response), "an error summary lists what to fix"
    assert page(response).title.string.strip().startswith("Error: ")
    assert field_value(response, "first_name") == "Nadia-Marie"
    assert field_value(response, "password1") is None
    assert not User.objects.filter(email="nadia.hussain@example.org").exists()


def test_password_too_like_the_name_is_refused(client, invitation):
    response = client.post(
        path_of(link_in(mail.outbox[0])), accept_form(password1="nadiahussain1", password2="nadiahussain1")
    )
    assert any("too similar" in message for message in error_summary(response))


def test_passwords_must_match(client, invitation):
    response = client.post(path_of(link_in(mail.outbox[0])), accept_form(password2=NEW_PASSWORD + "x"))
    assert "The passwords do not match" in error_summary(response)


# --- Links that no longer work -----------------------------------------------------------
def test_expired_link_says_so(client, administrator):
    with time_machine.travel(START, tick=False) as traveller:
        services.invite(
            email="late@example.org",
            first_name="Late",
            last_name="Comer",
            roles=["commissioner"],
            invited_by=administrator,
        )
        path = path_of(link_in(mail.outbox[0]))
        traveller.shift(datetime.timedelta(days=settings.INVITATION_MAX_AGE_DAYS, seconds=1))
        response = client.get(path)
        posted = client.post(path, accept_form())
    assert response.status_code == 410
    assert h1(response) == "This invitation has expired"
    assert "Ask the administrator who invited you to send a new invitation" in response.content.decode()
    assert posted.status_code == 410
    assert not User.objects.filter(email="late@example.org").exists()


def test_link_works_until_it_expires(client, administrator):
    with time_machine.travel(START, tick=False) as traveller:
        services.invite(
            email="prompt@example.org", first_name="P", last_name="Q", roles=["commissioner"], invited_by=administrator
        )
        traveller.shift(datetime.timedelta(days=settings.INVITATION_MAX_AGE_DAYS) - datetime.timedelta(minutes=1))
        assert client.get(path_of(link_in(mail.outbox[0]))).status_code == 200


def test_used_link_says_so_and_offers_sign_in(client, invitation):
    path = path_of(link_in(mail.outbox[0]))
    client.post(path, accept_form())
    client.logout()
    response = client.get(path)
    assert response.status_code == 410
    assert h1(response) == "This invitation has already been used"
    assert page(response).find("a", href="/accounts/login/")
    assert User.objects.filter(email="nadia.hussain@example.org").count() == 1
    client.post(path, accept_form())
    assert User.objects.filter(email="nadia.hussain@example.org").count() == 1


def test_revoked_link_says_so(client, invitation, administrator):
    services.revoke(invitation, by=administrator)
    response = client.get(path_of(link_in(mail.outbox[0])))
    assert response.status_code == 410
    assert h1(response) == "This invitation has been withdrawn"
    assert "ask your portal administrator to invite you again" in response.content.decode()


def test_tampered_link_is_not_valid(client, invitation):
    path = path_of(link_in(mail.outbox[0]))
    token = path.rstrip("/").rsplit("/", 1)[1]
    tampered = token[:-2] + ("aa" if not token.endswith("aa") else "bb")
    response = client.get(path.replace(token, tampered))
    assert response.status_code == 404
    assert h1(response) == "This invitation link is not valid"
    assert client.post(path.replace(token, tampered), accept_form()).status_code == 404
    assert not User.objects.filter(email="nadia.hussain@example.org").exists()


def test_resending_replaces_the_link_and_extends_the_expiry(client, invitation, administrator):
    first = path_of(link_in(mail.outbox[0]))
    with time_machine.travel(timezone.now() + datetime.timedelta(days=settings.INVITATION_MAX_AGE_DAYS + 3)):
        services.resend(invitation, by=administrator)
        second = path_of(link_in(mail.outbox[1]))
        assert first != second
        old = client.get(first)
        assert old.status_code == 410
        assert h1(old) == "This invitation link has been replaced"
        assert client.get(second).status_code == 200


def test_someone_signed_in_is_asked_to_sign_out_first(signed_in, lead_professional, invitation):
    response = signed_in(lead_professional).get(path_of(link_in(mail.outbox[0])))
    assert h1(response) == "You are already signed in"
    assert not User.objects.filter(email="nadia.hussain@example.org").exists()


# --- Refusals ---------------------------------------------------------------------------
def test_inviting_an_address_that_has_an_account_is_refused(administrator, lead_professional):
    with pytest.raises(services.EmailAlreadyRegistered):
        services.invite(
            email=lead_professional.email.upper(),
            first_name="A",
            last_name="B",
            roles=["commissioner"],
            invited_by=administrator,
        )
    assert not Invitation.objects.exists()
    assert mail.outbox == []


def test_an_account_made_meanwhile_stops_acceptance(client, invitation, make_user):
    make_user(email="nadia.hussain@example.org")
    response = client.post(path_of(link_in(mail.outbox[0])), accept_form())
    assert h1(response) == "This invitation has already been used"
    assert User.objects.filter(email="nadia.hussain@example.org").count() == 1


def test_roles_are_the_groups_kept_on_the_invitation(invitation):
    assert set(invitation.roles.all()) == set(Group.objects.filter(name__in=["Lead professional", "School key adult"]))
