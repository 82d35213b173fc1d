"""The base template, error pages, shared partials and the content security policy."""

import re

import pytest
from bs4 import BeautifulSoup

from django import forms
from django.contrib.messages import constants
from django.contrib.messages.storage.base import Message
from django.core.paginator import Paginator
from django.db import IntegrityError, InterfaceError, OperationalError
from django.template.loader import render_to_string
from django.test import RequestFactory

from portal.home.demo import build_page_tree
from portal.views import server_error


def soup(html) -> BeautifulSoup:
    return BeautifulSoup(html, "html.parser")


@pytest.mark.django_db
def test_every_inline_script_carries_the_requests_nonce(client):
    build_page_tree()
    response = client.get("/")
    nonce = re.search(r"'nonce-([^']+)'", response["Content-Security-Policy"])[1]
    scripts = soup(response.content).find_all("script")
    inline = [s for s in scripts if not s.get("src")]
    assert inline, "the js-enabled script should be there"
    assert all(s.get("nonce") == nonce for s in inline)
    assert not soup(response.content).select("[style]"), "inline style attributes break the CSP"
    module = [s for s in scripts if s.get("src")]
    assert [s.get("type") for s in module] == ["module"]
    assert module[0]["src"].endswith("portal/init.js")


@pytest.mark.django_db
def test_base_page_is_a_council_page_not_gov_uk(client):
    build_page_tree()
    page = soup(client.get("/").content)
    assert "govuk-template" in page.html["class"]
    assert page.select_one("a.govuk-skip-link")["href"] == "#main-content"
    assert page.select_one("main#main-content")
    assert page.select_one(".govuk-generic-header__homepage-link").get_text(strip=True) == "Sunderland City Council"
    assert not page.select(".govuk-header__logotype, .govuk-footer__crown, .govuk-footer__copyright-logo")
    assert "GOV.UK" not in page.get_text()
    banner = page.select_one(".govuk-phase-banner")
    assert "Beta" in banner.get_text()
    assert banner.select_one("a")["href"].startswith("mailto:early.help@example.org")
    footer_links = [a.get_text(strip=True) for a in page.select(".govuk-footer__inline-list a")]
    assert footer_links == ["Accessibility statement", "Privacy notice", "Cookies"]


@pytest.mark.django_db
def test_service_navigation_signed_out_and_signed_in(client, signed_in, lead_professional):
    build_page_tree()
    nav = soup(client.get("/").content).select_one(".govuk-service-navigation")
    assert [a.get_text(strip=True) for a in nav.select("li a")] == ["Find a service", "For professionals", "Sign in"]
    assert not nav.select("form")

    nav = soup(signed_in(lead_professional).get("/").content).select_one(".govuk-service-navigation")
    assert [a.get_text(strip=True) for a in nav.select("li a")] == ["Find a service", "For professionals"]
    form = nav.select_one("form")
    assert form["method"] == "post" and form["action"] == "/accounts/logout/"
    assert form.select_one("input[name=csrfmiddlewaretoken]")["value"]
    assert form.select_one("button[type=submit]").get_text(strip=True) == "Sign out"


@pytest.mark.django_db
def test_404_uses_the_govuk_page_not_found_pattern(client):
    build_page_tree()
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    page = soup(response.content)
    assert page.title.get_text().startswith("Page not found")
    assert page.h1.get_text(strip=True) == "Page not found"
    assert page.select_one("link[rel=stylesheet]")["href"].endswith("govuk-frontend.min.css")
    assert "early.help@example.org" in page.get_text()


def test_500_renders_without_a_database_or_context_processors():
    # No django_db mark: any query would raise, so this proves the page needs no database.
    response = server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    page = soup(response.content)
    assert page.h1.get_text(strip=True) == "Sorry, there is a problem with the service"
    assert page.select_one("link[rel=stylesheet]")["href"] == "/static/govuk/govuk-frontend.min.css"
    assert "call 999" in page.get_text()
    assert not page.find("script", src=False), "no inline script without a nonce"


@pytest.mark.parametrize("error", [OperationalError("server closed the connection unexpectedly"), InterfaceError()])
def test_a_database_outage_is_a_503_with_retry_after_not_a_500(error):
    """A restart or failover of the database: proxies and police systems retry, monitors
    see an outage rather than a bug (tests/production/test_faults.py restarts a real one)."""
    try:
        raise error
    except type(error):
        response = server_error(RequestFactory().get("/"))
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    page = soup(response.content)
    assert page.h1.get_text(strip=True) == "Sorry, the service is unavailable"
    assert "call 999" in page.get_text()


def test_other_database_errors_stay_500s():
    try:
        raise IntegrityError("duplicate key")
    except IntegrityError:
        response = server_error(RequestFactory().get("/"))
    assert response.status_code == 500


def test_messages_become_notification_banners():
    messages = [
        Message(constants.SUCCESS, "Invitation sent"),
        Message(constants.INFO, "Your session will end soon"),
        Message(constants.SUCCESS, "Role added"),
    ]
    page = soup(render_to_string("components/messages.html", {"messages": messages}))
    success, important = page.select(".govuk-notification-banner")
    assert "govuk-notification-banner--success" in success["class"] and success["role"] == "alert"
    assert [p.get_text() for p in success.select(".govuk-notification-banner__heading")] == [
        "Invitation sent",
        "Role added",
    ]
    assert important["role"] == "region" and "govuk-notification-banner--success" not in important["class"]
    assert important.select_one(".govuk-notification-banner__title").get_text(strip=True) == "Important"
    for banner in (success, important):
        assert page.find(id=banner["aria-labelledby"])
    assert render_to_string("components/messages.html", {"messages": []}).strip() == ""


class ContactForm(forms.Form):
    name = forms.CharField()
    choice = forms.ChoiceField(choices=[("a", "A"), ("b", "B")], widget=forms.RadioSelect)
    secret = forms.CharField(widget=forms.HiddenInput)

    def clean(self):
        raise forms.ValidationError("Something is wrong with the whole form")


def test_error_summary_links_to_each_field_and_lists_form_errors():
    form = ContactForm(data={"name": ""})
    page = soup(render_to_string("components/error_summary.html", {"form": form}))
    summary = page.select_one(".govuk-error-summary")
    assert summary.select_one("[role=alert] .govuk-error-summary__title").get_text(strip=True) == "There is a problem"
    items = summary.select(".govuk-error-summary__list li")
    assert items[0].get_text(strip=True) == "Something is wrong with the whole form" and not items[0].a
    links = {a["href"]: a.get_text() for a in summary.select("a")}
    assert links == {"#id_name": "This field is required.", "#id_choice_0": "This field is required."}
    assert "secret" not in str(summary.select("a")), "hidden fields have nothing to link to"
    assert render_to_string("components/error_summary.html", {"form": ContactForm()}).strip() == ""


def test_pagination_keeps_other_query_parameters():
    request = RequestFactory().get("/services/", {"q": "parenting", "page": "5"})
    page_obj = Paginator(range(200), 10).page(5)
    nav = soup(render_to_string("components/pagination.html", {"page_obj": page_obj}, request=request))
    assert nav.select_one(".govuk-pagination__prev a")["href"] == "?q=parenting&page=4"
    assert nav.select_one(".govuk-pagination__next a")["href"] == "?q=parenting&page=6"
    current = nav.select_one(".govuk-pagination__item--current a")
    assert current["aria-current"] == "page" and current.get_text(strip=True) == "5"
    assert nav.select(".govuk-pagination__item--ellipsis")
    one_page = Paginator(range(5), 10).page(1)
    assert render_to_string("components/pagination.html", {"page_obj": one_page}, request=request).strip() == ""


def test_rich_text_gets_govuk_typography():
    from portal.templatetags.portal_tags import govuk_rich_text

    html = govuk_rich_text(
        '<h2>Help</h2><p>Call <a href="/x">us</a></p><ul><li>a</li></ul><a class="own" href="/">k</a>'
    )
    assert html == (
        '<h2 class="govuk-heading-l">Help</h2><p class="govuk-body">Call <a class="govuk-link" href="/x">us</a></p>'
        '<ul class="govuk-list govuk-list--bullet"><li>a</li></ul><a class="own" href="/">k</a>'
    )
