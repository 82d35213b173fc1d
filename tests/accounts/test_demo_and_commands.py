from __future__ import annotations

from io import StringIO

import pytest
from allauth.account.models import EmailAddress

from django.contrib.auth.models import Group
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command
from django.test import override_settings

from portal.accounts import roles as roles_module
from portal.accounts.demo import DEMO_TEAM, create_demo_accounts
from portal.accounts.models import Team, User
from portal.accounts.roles import ROLES, Role

pytestmark = pytest.mark.django_db

EXPECTED_EMAILS = {
    "service_provider_editor": "provider.editor@example.org",
    "directory_manager": "directory.manager@example.org",
    "lead_professional": "lead.professional@example.org",
    "school_key_adult": "key.adult@example.org",
    "school_deputy": "deputy.key.adult@example.org",
    "police_encompass_officer": "police.officer@example.org",
    "early_help_manager": "early.help.manager@example.org",
    "front_door": "front.door@example.org",
    "la_encompass_lead": "encompass.lead@example.org",
    "commissioner": "commissioner@example.org",
    "administrator": "administrator@example.org",
}


def test_one_demo_account_per_role_that_can_sign_in(client):
    accounts = create_demo_accounts("demo-password-123")
    assert {role.slug: user.email for role, user in accounts} == EXPECTED_EMAILS
    assert {role.slug for role, _ in accounts} == {role.slug for role in ROLES}
    for role, user in accounts:
        assert [g.name for g in user.groups.all()] == [role.name]
        assert user.first_name and user.last_name and user.job_title
        assert EmailAddress.objects.get(user=user).verified
    response = client.post(
        "/accounts/login/", {"login": "lead.professional@example.org", "password": "demo-password-123"}
    )
    assert response.status_code == 302


def test_demo_accounts_have_their_scopes():
    accounts = {role.slug: user for role, user in create_demo_accounts("demo-password-123")}
    assert accounts["police_encompass_officer"].police_force == "NBR"
    for slug in ("lead_professional", "early_help_manager"):
        assert accounts[slug].team.name == DEMO_TEAM
    assert accounts["commissioner"].team is None
    superuser = User.objects.get(email="superuser@example.org")
    assert superuser.is_superuser and superuser.is_staff
    assert not any(user.is_superuser for user in accounts.values())


def test_running_again_resets_passwords_and_makes_no_duplicates():
    create_demo_accounts("first-password-1")
    lead = User.objects.get(email="lead.professional@example.org")
    lead.groups.add(Group.objects.get(name="Administrator"))
    lead.first_name = "Changed"
    lead.save()

    create_demo_accounts("second-password-2")

    assert User.objects.count() == len(EXPECTED_EMAILS) + 1
    assert Team.objects.filter(name=DEMO_TEAM).count() == 1
    assert EmailAddress.objects.count() == len(EXPECTED_EMAILS) + 1
    lead.refresh_from_db()
    assert lead.check_password("second-password-2")
    assert not lead.check_password("first-password-1")
    assert lead.first_name == "Rachel"
    assert [g.name for g in lead.groups.all()] == ["Lead professional"]


@override_settings(DEMO_MODE=False)
def test_demo_accounts_are_refused_outside_demo_mode():
    with pytest.raises(ImproperlyConfigured, match="DEMO_MODE"):
        create_demo_accounts("demo-password-123")
    assert not User.objects.exists()


def test_sync_roles_command_lists_roles_and_permission_counts():
    out = StringIO()
    call_command("sync_roles", stdout=out)
    output = out.getvalue()
    for role in ROLES:
        assert role.name in output
    administrator_line = next(line for line in output.splitlines() if line.startswith("Administrator"))
    assert f"{len(roles_module.ROLES_BY_SLUG['administrator'].permissions):>3} permissions" in administrator_line


def test_sync_roles_command_fails_when_a_permission_is_missing(monkeypatch):
    broken = (
        *ROLES,
        Role(slug="broken", name="Broken", description="", scope="", capabilities=(), permissions=("accounts.fly",)),
    )
    monkeypatch.setattr(roles_module, "ROLES", broken)
    monkeypatch.setattr("portal.accounts.management.commands.sync_roles.ROLES", broken)
    with pytest.raises(CommandError, match=r"accounts\.fly"):
        call_command("sync_roles", stdout=StringIO())
