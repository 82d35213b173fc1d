"""The administrator's pages under /portal/users/: who has an account, who is invited, and
inviting, resending and withdrawing."""

from __future__ import annotations

import pytest

from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from portal.accounts import services
from portal.accounts.models import Invitation
from portal.accounts.roles import ROLES
from portal.registry import cards_for
from tests.accounts.helpers import error_summary, field_value, h1, page, text
from tests.conftest import ROLE_SLUGS, enable_totp
from tests.factories import TeamFactory

pytestmark = pytest.mark.django_db

NOT_ADMINISTRATORS = [slug for slug in ROLE_SLUGS if slug != "administrator"]


@pytest.fixture
def admin_client(signed_in, administrator):
    return signed_in(administrator)


@pytest.fixture
def pending(administrator):
    return services.invite(
        email="new.starter@example.org",
        first_name="New",
        last_name="Starter",
        roles=["commissioner"],
        invited_by=administrator,
    )


def invite_data(**overrides):
    return {
        "email": "aisha.khan@example.org",
        "first_name": "Aisha",
        "last_name": "Khan",
        "roles": ["lead_professional"],
        "team": "",
        "police_force": "",
        **overrides,
    }


# --- Who may see them ---------------------------------------------------------------------
@pytest.mark.parametrize("slug", NOT_ADMINISTRATORS)
def test_other_roles_are_refused(request, signed_in, slug):
    client = signed_in(request.getfixturevalue(slug))
    assert client.get("/portal/users/").status_code == 403
    assert client.get("/portal/users/invite/").status_code == 403
    assert client.post("/portal/users/invite/", invite_data()).status_code == 403
    assert not Invitation.objects.exists()


def test_others_cannot_resend_or_revoke(signed_in, lead_professional, pending):
    client = signed_in(lead_professional)
    assert client.post(f"/portal/users/invitations/{pending.uuid}/resend/").status_code == 403
    assert client.post(f"/portal/users/invitations/{pending.uuid}/revoke/").status_code == 403
    pending.refresh_from_db()
    assert pending.revoked_at is None and pending.send_count == 1


@pytest.mark.parametrize("path", ["/portal/users/", "/portal/users/invite/"])
def test_anonymous_visitors_are_sent_to_sign_in(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


def test_administrator_sees_the_pages(admin_client):
    assert admin_client.get("/portal/users/").status_code == 200
    assert admin_client.get("/portal/users/invite/").status_code == 200


def test_cards_invitations_for_administrators_and_mfa_for_everyone(administrator, lead_professional):
    assert {"accounts.users", "accounts.mfa"} <= {card.key for card in cards_for(administrator)}
    keys = {card.key for card in cards_for(lead_professional)}
    assert "accounts.mfa" in keys and "accounts.users" not in keys


def test_portal_home_links_to_the_cards(admin_client):
    html = admin_client.get("/portal/").content.decode()
    assert 'href="/portal/users/"' in html
    assert 'href="/accounts/2fa/"' in html


# --- The list -----------------------------------------------------------------------------
def test_list_shows_professionals_with_roles_team_mfa_and_last_sign_in(admin_client, make_user, pending):
    team = TeamFactory(name="Sunderland North early help team")
    with_mfa = make_user("lead_professional", "school_key_adult", email="with.mfa@example.org", team=team)
    enable_totp(with_mfa)
    make_user("commissioner", email="without.mfa@example.org")

    soup = page(admin_client.get("/portal/users/"))

    rows = {text(row.find_all("td")[1]): row for row in soup.select("table[aria-labelledby=professionals] tbody tr")}
    mfa_row = [text(td) for td in rows["with.mfa@example.org"].find_all("td")]
    assert "Lead professional" in mfa_row[2] and "School key adult" in mfa_row[2]
    assert mfa_row[3] == "Sunderland North early help team"
    assert mfa_row[4] == "On"
    assert mfa_row[5] == "Never"
    assert [text(td) for td in rows["without.mfa@example.org"].find_all("td")][4] == "Off"
    invitations = soup.select("table[aria-labelledby=invitations]")[0]
    assert "new.starter@example.org" in text(invitations)


def test_list_does_not_query_per_professional(admin_client, make_user, administrator):
    def count_queries():
        with CaptureQueriesContext(connection) as queries:
            assert admin_client.get("/portal/users/").status_code == 200
        return len(queries)

    count_queries()  # warm the per-process caches (content types, Wagtail site) first
    for n in range(3):
        user = make_user(ROLES[n].slug, ROLES[n + 1].slug, email=f"few{n}@example.org", team=TeamFactory())
        enable_totp(user)
        services.invite(
            email=f"invitee{n}@example.org",
            first_name="I",
            last_name=str(n),
            roles=[ROLES[n].slug],
            invited_by=administrator,
        )
    few = count_queries()
    for n in range(3, 10):
        user = make_user(ROLES[n].slug, email=f"many{n}@example.org", team=TeamFactory())
        enable_totp(user)
        services.invite(
            email=f"invitee{n}@example.org",
            first_name="I",
            last_name=str(n),
            roles=[ROLES[n].slug],
            invited_by=administrator,
        )
    many = count_queries()
    assert many == few, f"{few} queries for 4 professionals, {many} for 11: a query per row"


# --- Inviting -----------------------------------------------------------------------------
def test_invite_form_lists_every_role_with_its_description(admin_client):
    soup = page(admin_client.get("/portal/users/invite/"))
    for role in ROLES:
        checkbox = soup.find("input", attrs={"name": "roles", "value": role.slug})
        assert checkbox is not None, role.slug
        hint = soup.find(id=checkbox["aria-describedby"])
        assert text(hint) == role.description


def test_inviting_sends_the_email_and_lists_the_invitation(admin_client):
    team = TeamFactory(name="Sunderland North early help team")
    response = admin_client.post(
        "/portal/users/invite/", invite_data(roles=["lead_professional", "early_help_manager"], team=team.pk)
    )
    assert response.status_code == 302
    assert response["Location"] == "/portal/users/"
    invitation = Invitation.objects.get(email="aisha.khan@example.org")
    assert {g.name for g in invitation.roles.all()} == {"Lead professional", "Early help manager"}
    assert invitation.team == team
    assert [m.to for m in mail.outbox] == [["aisha.khan@example.org"]]
    listing = admin_client.get("/portal/users/")
    assert "Invitation sent to aisha.khan@example.org" in listing.content.decode()


def test_inviting_someone_with_an_account_is_refused_with_a_clear_error(admin_client, lead_professional):
    response = admin_client.post(
        "/portal/users/invite/", invite_data(email=lead_professional.email.upper(), first_name="Kept")
    )
    assert response.status_code == 200
    [message] = error_summary(response)
    assert message.startswith(f"{lead_professional.email} already has an account")
    assert field_value(response, "first_name") == "Kept"
    assert page(response).find("input", attrs={"name": "roles", "value": "lead_professional"}).has_attr("checked")
    assert not Invitation.objects.exists() and mail.outbox == []


def test_inviting_someone_already_invited_points_to_resend(admin_client, pending):
    response = admin_client.post("/portal/users/invite/", invite_data(email=pending.email))
    [message] = error_summary(response)
    assert "waiting to be accepted" in message and "Resend" in message


def test_invite_form_errors_are_summarised_and_linked(admin_client):
    response = admin_client.post("/portal/users/invite/", invite_data(email="not-an-email", first_name="", roles=[]))
    soup = page(response)
    assert response.status_code == 200
    assert h1(response) == "Invite a professional"
    links = {a["href"] for a in soup.select(".govuk-error-summary a")}
    assert {"#id_email", "#id_first_name", "#id_roles_0"} <= links
    assert soup.find(id="id_roles_0"), "the summary's link to the roles goes to the first checkbox"
    assert field_value(response, "email") == "not-an-email"


def test_police_officer_needs_a_force_code(admin_client):
    response = admin_client.post("/portal/users/invite/", invite_data(roles=["police_encompass_officer"]))
    assert "Enter the police force code for a police Encompass officer" in error_summary(response)


# --- Resending and withdrawing --------------------------------------------------------------
def test_resend_sends_a_new_email(admin_client, pending):
    mail.outbox.clear()
    response = admin_client.post(f"/portal/users/invitations/{pending.uuid}/resend/")
    assert response["Location"] == "/portal/users/"
    assert [m.to for m in mail.outbox] == [[pending.email]]
    pending.refresh_from_db()
    assert pending.send_count == 2


def test_resend_and_revoke_need_a_post(admin_client, pending):
    assert admin_client.get(f"/portal/users/invitations/{pending.uuid}/resend/").status_code == 405
    confirm = admin_client.get(f"/portal/users/invitations/{pending.uuid}/revoke/")
    assert confirm.status_code == 200
    assert h1(confirm).startswith("Are you sure you want to withdraw the invitation")
    pending.refresh_from_db()
    assert pending.revoked_at is None


def test_revoke_withdraws_and_removes_from_the_list(admin_client, pending):
    response = admin_client.post(f"/portal/users/invitations/{pending.uuid}/revoke/")
    assert response["Location"] == "/portal/users/"
    pending.refresh_from_db()
    assert pending.revoked_at is not None
    listing = admin_client.get("/portal/users/").content.decode()
    assert "Invitation for new.starter@example.org withdrawn" in listing
    assert f"/portal/users/invitations/{pending.uuid}/resend/" not in listing


def test_a_revoked_invitation_cannot_be_resent(admin_client, pending, administrator):
    services.revoke(pending, by=administrator)
    mail.outbox.clear()
    admin_client.post(f"/portal/users/invitations/{pending.uuid}/resend/")
    assert mail.outbox == []
