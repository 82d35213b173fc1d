""" "Report a problem with this page": the public form on every service page (validation,
honeypot, rate limit, emails) and tracking reports in the admin until resolved (scoped to
the provider's own services)."""

from __future__ import annotations

import datetime
import re

import pytest
import time_machine

from django.core import mail
from django.urls import reverse

from directory.models import ProblemReport
from portal.audit.models import AuditEvent
from tests.directory.factories import OrganisationFactory, ServicePageFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _settings(settings):
    settings.BASE_URL = "https://directory.example.gov.uk"
    settings.DIRECTORY_PROBLEM_REPORTS_PER_HOUR = 5


@pytest.fixture
def service(org):
    return ServicePageFactory(title="Pennywell youth club", organisation=org)


def form_url(page) -> str:
    return page.url + "report-a-problem/"


GOOD = {"kind": "wrong_contact", "details": "The phone number rings a dentist.", "email": "parent@example.net"}


# --- The form ------------------------------------------------------------------------------------


def test_every_service_page_has_the_form(client, service):
    assert service.report_a_problem_url() == form_url(service)
    response = client.get(form_url(service))
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1" in html and "Report a problem with this page" in html
    for label in (
        "The information is out of date",
        "The service has closed",
        "The contact details are wrong",
        "Something else",
        "Tell us what is wrong",
        "Your email address (optional)",
    ):
        assert label in html


def test_validation_errors_are_summarised_and_input_is_kept(client, service):
    response = client.post(form_url(service), {"kind": "", "details": "", "email": "not-an-email"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "<title>Error: " in html
    assert "There is a problem" in html
    assert "Select what is wrong with this page" in html
    assert "Enter what is wrong with this page" in html
    assert "Enter an email address in the correct format" in html
    assert 'value="not-an-email"' in html  # kept
    assert ProblemReport.objects.count() == 0

    response = client.post(form_url(service), {"kind": "other", "details": "x" * 1201})
    html = response.content.decode()
    assert "What is wrong must be 1200 characters or fewer" in html
    assert re.search(r'<input[^>]*value="other"[^>]*checked', html)  # the choice is kept
    assert "x" * 1201 in html  # and so is the text
    assert ProblemReport.objects.count() == 0


def test_a_report_is_stored_and_confirmed(client, service):
    response = client.post(form_url(service), GOOD)
    assert response.status_code == 302
    assert response["Location"] == form_url(service) + "sent/"
    confirmation = client.get(response["Location"])
    assert confirmation.status_code == 200
    assert "Report sent" in confirmation.content.decode()
    report = ProblemReport.objects.get()
    assert (report.service.pk, report.kind, report.details, report.reporter_email) == (
        service.pk,
        "wrong_contact",
        "The phone number rings a dentist.",
        "parent@example.net",
    )
    assert report.status == ProblemReport.Status.OPEN


def test_owners_and_the_directory_team_are_emailed_and_only_the_team_sees_the_reporter(
    client, service, editor, manager, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(form_url(service), GOOD)
    by_recipient = {m.to[0]: m for m in mail.outbox}
    assert set(by_recipient) == {"editor@wearside.example.org", "team@council.example.org"}
    for message in by_recipient.values():
        assert message.subject == "Problem reported with the listing: Pennywell youth club"
        assert "The contact details are wrong" in message.body
        report = ProblemReport.objects.get()
        assert f"https://directory.example.gov.uk/admin/directory/problems/edit/{report.pk}/" in message.body
        assert message.alternatives
    assert "parent@example.net" not in by_recipient["editor@wearside.example.org"].body
    assert "parent@example.net" not in by_recipient["editor@wearside.example.org"].alternatives[0][0]
    assert "parent@example.net" in by_recipient["team@council.example.org"].body


def test_honeypot_looks_like_success_but_stores_and_sends_nothing(
    client, service, editor, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(form_url(service), {**GOOD, "website": "https://spam.example"})
    assert response.status_code == 302
    assert ProblemReport.objects.count() == 0
    assert mail.outbox == []


def test_rate_limited_per_address(client, service):
    with time_machine.travel(datetime.datetime(2026, 5, 1, 10, 0, tzinfo=datetime.UTC), tick=False) as clock:
        for _ in range(5):
            assert client.post(form_url(service), GOOD).status_code == 302
        response = client.post(form_url(service), GOOD)
        assert response.status_code == 429
        assert "You have sent too many reports" in response.content.decode()
        assert ProblemReport.objects.count() == 5
        # Another address is not affected.
        assert client.post(form_url(service), GOOD, REMOTE_ADDR="203.0.113.9").status_code == 302
        clock.shift(datetime.timedelta(hours=1, minutes=1))
        assert client.post(form_url(service), GOOD).status_code == 302
    assert ProblemReport.objects.count() == 7


def test_hidden_services_take_no_reports(client, service):
    hidden = ServicePageFactory(verified=False)
    assert client.get(form_url(hidden)).status_code == 404
    assert client.post(form_url(hidden), GOOD).status_code == 404


# --- Tracking in the admin ------------------------------------------------------------------------


@pytest.fixture
def reports(service):
    other = ServicePageFactory(title="Another organisation's service", organisation=OrganisationFactory())
    mine = ProblemReport.objects.create(
        service=service, kind="closed", details="Shut since May.", reporter_email="a@example.net"
    )
    theirs = ProblemReport.objects.create(service=other, kind="other", details="Wrong map.")
    return mine, theirs


def test_manager_lists_filters_and_resolves_with_a_note(signed_in, manager, reports):
    mine, _theirs = reports
    client = signed_in(manager)
    index = reverse("directory_problem_reports:index")
    html = client.get(index).content.decode()
    assert "Pennywell youth club" in html and "Another organisation&#x27;s service" in html

    edit = reverse("directory_problem_reports:edit", args=[mine.pk])
    response = client.post(edit, {"resolution_note": ""})
    assert response.status_code == 200
    assert "Say what was done about the problem" in response.content.decode()
    mine.refresh_from_db()
    assert mine.is_open

    response = client.post(edit, {"resolution_note": "Marked the service closed."})
    assert response.status_code == 302
    assert "is marked resolved" in client.get(response["Location"]).content.decode()
    mine.refresh_from_db()
    assert mine.status == ProblemReport.Status.RESOLVED
    assert mine.resolved_by == manager and mine.resolved_at is not None
    assert mine.resolution_note == "Marked the service closed."
    assert AuditEvent.objects.filter(object_type="directory.problemreport", object_id=str(mine.pk)).exists()

    open_only = client.get(index, {"status": "open"}).content.decode()
    assert "Another organisation&#x27;s service" in open_only
    assert "Pennywell youth club" not in open_only
    resolved = client.get(index, {"status": "resolved"}).content.decode()
    assert "Pennywell youth club" in resolved

    inspect = client.get(reverse("directory_problem_reports:inspect", args=[mine.pk])).content.decode()
    assert "a@example.net" in inspect


def test_editor_sees_and_resolves_only_their_own_services_reports(signed_in, editor, reports):
    mine, theirs = reports
    client = signed_in(editor)
    html = client.get(reverse("directory_problem_reports:index")).content.decode()
    assert "Pennywell youth club" in html
    assert "Another organisation" not in html

    assert client.get(reverse("directory_problem_reports:edit", args=[theirs.pk])).status_code == 404
    assert (
        client.post(reverse("directory_problem_reports:edit", args=[theirs.pk]), {"resolution_note": "x"}).status_code
        == 404
    )
    assert client.get(reverse("directory_problem_reports:inspect", args=[theirs.pk])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.is_open

    inspect = client.get(reverse("directory_problem_reports:inspect", args=[mine.pk])).content.decode()
    assert "Shut since May." in inspect
    assert "a@example.net" not in inspect  # the reporter's address is for the directory team only

    response = client.post(
        reverse("directory_problem_reports:edit", args=[mine.pk]), {"resolution_note": "Updated our page."}
    )
    assert response.status_code == 302
    mine.refresh_from_db()
    assert mine.status == ProblemReport.Status.RESOLVED and mine.resolved_by == editor


def test_other_roles_cannot_see_reports(signed_in, make_user, reports):
    for role in ("lead_professional", "administrator"):
        response = signed_in(make_user(role)).get(reverse("directory_problem_reports:index"))
        assert response.status_code == 302  # to sign-in (no admin access) or the admin home (no permission)
