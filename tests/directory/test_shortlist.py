"""The family's shortlist ("my list"): kept in the session, added to and removed from by POST
(with CSRF), printable, emailed once and never stored, rate limited, and only ever showing
services that are still public."""

from __future__ import annotations

import pytest

from django.core import mail
from django.test import Client
from django.urls import reverse

from directory.models import Phone, ServiceArea, ServicePage, ServiceStatus
from directory.shortlist import EMAILS_PER_HOUR, MAX_ITEMS, SESSION_KEY
from tests.directory.factories import (
    REFUGE_ADDRESS,
    REFUGE_POSTCODE,
    ServicePageFactory,
    TaxonomyTermFactory,
    confidential_location,
)

pytestmark = pytest.mark.django_db

LIST_URL = "/my-list/"


def add(client, service, **extra):
    return client.post(reverse("directory:shortlist_add"), {"service": service.pk, **extra})


def test_url_names():
    assert reverse("directory:shortlist") == "/my-list/"
    assert reverse("directory:shortlist_add") == "/my-list/add/"
    assert reverse("directory:shortlist_remove") == "/my-list/remove/"
    assert reverse("directory:shortlist_email") == "/my-list/email/"


def test_empty_list(client):
    response = client.get(LIST_URL)
    assert response.status_code == 200
    assert "Your list is empty." in response.content.decode()
    # Nothing to email: back to the list.
    assert client.get(reverse("directory:shortlist_email")).status_code == 302


def test_add_and_remove_without_javascript(client):
    service = ServicePageFactory(title="Toddler time")
    response = add(client, service, next=service.url)
    assert response.status_code == 302 and response["Location"] == service.url
    assert client.session[SESSION_KEY] == [service.pk]
    page = client.get(service.url).content.decode()
    assert "Toddler time has been added to your list" in page
    assert "Remove from my list" in page
    listing = client.get(LIST_URL).content.decode()
    assert "Toddler time" in listing and "0191 498 0001" in listing
    # Adding twice keeps one entry.
    add(client, service)
    assert client.session[SESSION_KEY] == [service.pk]

    response = client.post(reverse("directory:shortlist_remove"), {"service": service.pk})
    assert response.status_code == 302 and response["Location"] == LIST_URL
    assert SESSION_KEY not in client.session
    assert "Your list is empty." in client.get(LIST_URL).content.decode()


def test_clear_all(client):
    for service in ServicePageFactory.create_batch(2):
        add(client, service)
    client.post(reverse("directory:shortlist_remove"), {"all": "1"})
    assert SESSION_KEY not in client.session


def test_add_and_remove_need_post_and_csrf():
    service = ServicePageFactory()
    client = Client(enforce_csrf_checks=True)
    assert client.get(reverse("directory:shortlist_add")).status_code == 405
    assert client.get(reverse("directory:shortlist_remove")).status_code == 405
    assert add(client, service).status_code == 403


def test_only_public_services_can_be_added(client):
    for service in (
        ServicePageFactory(status=ServiceStatus.INACTIVE),
        ServicePageFactory(verified=False),
        ServicePageFactory(publish=False),
    ):
        assert add(client, service).status_code == 404
    assert client.post(reverse("directory:shortlist_add"), {"service": "x"}).status_code == 404
    assert SESSION_KEY not in client.session


def test_unsafe_next_is_ignored(client):
    service = ServicePageFactory()
    response = add(client, service, next="https://evil.example.com/")
    assert response["Location"] == LIST_URL


def test_list_is_limited(client):
    session = client.session
    session[SESSION_KEY] = list(range(100_000, 100_000 + MAX_ITEMS))
    session.save()
    service = ServicePageFactory()
    add(client, service)
    assert service.pk not in client.session[SESSION_KEY]


def test_hidden_service_drops_off_with_a_note(client):
    kept, hidden = ServicePageFactory(title="Kept service"), ServicePageFactory(title="Hidden service")
    add(client, kept)
    add(client, hidden)
    client.get(LIST_URL)  # shows (and uses up) the "added" messages
    ServicePage.objects.filter(pk=hidden.pk).update(status=ServiceStatus.INACTIVE)
    page = client.get(LIST_URL).content.decode()
    assert "Kept service" in page and "Hidden service" not in page
    assert "One service on your list is no longer available" in page
    assert client.session[SESSION_KEY] == [kept.pk]
    # The note is shown once.
    assert "no longer available" not in client.get(LIST_URL).content.decode()


def test_list_is_printable(client):
    add(client, ServicePageFactory())
    html = client.get(LIST_URL).content.decode()
    assert "Print this page" in html
    # Buttons and forms are marked to be left off the printout.
    assert 'class="app-no-print"' in html


def test_list_query_count_does_not_grow(client, django_assert_num_queries):
    services = ServicePageFactory.create_batch(2)
    for service in services:
        add(client, service)
    client.get(LIST_URL)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as two:
        client.get(LIST_URL)
    for service in ServicePageFactory.create_batch(6):
        add(client, service)
    with CaptureQueriesContext(connection) as eight:
        assert "8 services" in client.get(LIST_URL).content.decode()
    assert len(eight) == len(two), [q["sql"] for q in eight.captured_queries]


def test_email_the_list(client):
    refuge_term = TaxonomyTermFactory(name="Domestic abuse", code="domestic-abuse")
    refuge = ServicePageFactory(
        title="Safe Haven refuge",
        locations=[confidential_location()],
        terms=[refuge_term],
        service_areas=[ServiceArea(name="Sunderland")],
        phones=[Phone(number="0191 498 0999")],
    )
    hub = ServicePageFactory(title="Family hub drop-in")
    add(client, hub)
    add(client, refuge)
    form = client.get(reverse("directory:shortlist_email"))
    assert form.status_code == 200
    html = form.content.decode()
    assert "Only use an email address that nobody else can read." in html
    assert "govuk-exit-this-page" in html  # the list holds a domestic abuse service

    response = client.post(reverse("directory:shortlist_email"), {"email": "parent@example.net"})
    assert response.status_code == 302 and response["Location"] == LIST_URL
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["parent@example.net"]
    assert message.subject == "Your saved list"
    for expected in ("Family hub drop-in", "Safe Haven refuge", "0191 498 0999", "City Hall, Plater Way", hub.url):
        assert expected in message.body, expected
    assert "The address is kept private" in message.body
    assert REFUGE_ADDRESS not in message.body and REFUGE_POSTCODE not in message.body
    # Never stored: not in the session, and the confirmation does not repeat it.
    follow = client.get(LIST_URL).content.decode()
    assert "parent@example.net" not in follow
    assert "parent@example.net" not in str(dict(client.session))


def test_email_form_errors(client):
    add(client, ServicePageFactory())
    response = client.post(reverse("directory:shortlist_email"), {"email": "not an email"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "<title>Error: " in html
    assert "govuk-error-summary" in html
    assert "Enter an email address in the correct format" in html
    assert not mail.outbox


def test_email_is_rate_limited_per_session(client):
    add(client, ServicePageFactory())
    for _ in range(EMAILS_PER_HOUR):
        assert client.post(reverse("directory:shortlist_email"), {"email": "a@example.net"}).status_code == 302
    response = client.post(reverse("directory:shortlist_email"), {"email": "a@example.net"})
    assert response.status_code == 429
    assert "too many times" in response.content.decode()
    assert len(mail.outbox) == EMAILS_PER_HOUR
    # Another session (another family) is not affected.
    other = Client()
    other.post(reverse("directory:shortlist_add"), {"service": ServicePage.objects.first().pk})
    assert other.post(reverse("directory:shortlist_email"), {"email": "b@example.net"}).status_code == 302
