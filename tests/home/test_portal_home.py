import pytest
from bs4 import BeautifulSoup

from portal.home.demo import build_page_tree

pytestmark = pytest.mark.django_db


def test_portal_home_lists_the_users_roles_and_what_they_can_do(signed_in, administrator):
    response = signed_in(administrator).get("/portal/")
    assert response.status_code == 200
    page = BeautifulSoup(response.content, "html.parser")
    assert page.h1.get_text(strip=True) == "Professional portal"
    cards = page.select(".govuk-summary-card")
    assert [c.select_one(".govuk-summary-card__title").get_text(strip=True) for c in cards] == ["Administrator"]
    assert "Invite professionals and assign their roles" in cards[0].get_text()


def test_portal_home_without_a_role_says_who_to_ask(signed_in, make_user):
    build_page_tree()
    response = signed_in(make_user()).get("/portal/")
    page = BeautifulSoup(response.content, "html.parser")
    assert "You do not have a role yet" in page.get_text()
    assert page.select_one("main a[href^=mailto]")["href"] == "mailto:early.help@example.org"
    assert not page.select(".govuk-summary-card")


def test_portal_home_needs_sign_in(client):
    response = client.get("/portal/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
