import pytest

from django.urls import reverse


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "sees_admin"),
    [
        ("service_provider_editor", True),
        ("directory_manager", True),
        ("administrator", True),
        ("commissioner", False),
        ("lead_professional", False),
    ],
)
def test_content_admin_card_only_for_roles_with_admin_access(make_user, signed_in, role, sees_admin):
    client = signed_in(make_user(role))
    html = client.get(reverse("portal_home")).content.decode()
    assert ('href="/admin/"' in html) is sees_admin
    assert ("Manage the directory and website" in html) is sees_admin
