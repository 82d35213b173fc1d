import pytest

from django.contrib.auth.models import Group

from portal.accounts.roles import ROLES, roles_for, sync_roles


@pytest.mark.django_db
def test_every_role_is_a_group_holding_exactly_its_permissions():
    assert sync_roles() == [], "a role names a permission that does not exist"
    for role in ROLES:
        group = Group.objects.get(name=role.name)
        held = {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.select_related("content_type")}
        assert held == set(role.permissions)


@pytest.mark.django_db
def test_roles_for_lists_only_the_users_roles(make_user):
    user = make_user("lead_professional", "school_key_adult")
    assert [r.slug for r in roles_for(user)] == ["lead_professional", "school_key_adult"]


def test_role_slugs_and_names_are_unique():
    assert len({r.slug for r in ROLES}) == len(ROLES)
    assert len({r.name for r in ROLES}) == len(ROLES)
