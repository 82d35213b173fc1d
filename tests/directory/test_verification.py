"""Verification: "still correct?" reminders sent once per review, signed links (valid,
expired, tampered, reused), escalation after N weeks, hiding after the grace period and
reappearing once verified (family page and ORUK API), and the admin's "Services due for
review" report."""

from __future__ import annotations

import datetime
import re

import pytest
import time_machine

from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from directory import verification
from directory.models import ServicePage, VerificationRequest
from portal.audit.models import AuditEvent
from tests.directory.factories import OrganisationFactory, ServicePageFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 3, 4)
ASSURED = datetime.date(2025, 9, 2)  # six months on: review due 2 March 2026
DUE = datetime.date(2026, 3, 2)
GRACE_DAYS = 28


@pytest.fixture(autouse=True)
def _settings(settings):
    settings.DIRECTORY_VERIFICATION_GRACE_DAYS = GRACE_DAYS
    settings.DIRECTORY_VERIFICATION_ESCALATE_WEEKS = 2
    settings.DIRECTORY_VERIFICATION_LINK_MAX_AGE_DAYS = 28
    settings.BASE_URL = "https://directory.example.gov.uk"


@pytest.fixture
def clock():
    with time_machine.travel(datetime.datetime(2026, 3, 4, 7, 0, tzinfo=datetime.UTC), tick=False) as traveller:
        yield traveller


@pytest.fixture
def org(db):
    return OrganisationFactory(name="Millfield Family Centre")


@pytest.fixture
def editors(make_user, org):
    people = [
        make_user("service_provider_editor", email="ann@millfield.example.org"),
        make_user("service_provider_editor", email="bo@millfield.example.org"),
    ]
    org.editors.add(*people)
    return people


@pytest.fixture
def due_service(clock, org):
    return ServicePageFactory(title="Millfield toddler group", organisation=org, assured_date=ASSURED)


def links_in(message) -> list[str]:
    return re.findall(r"https://directory\.example\.gov\.uk(/directory/verify/[^/\s]+/)", message.body)


def link_for(email: str) -> str:
    [message] = [m for m in mail.outbox if m.to == [email] and "still correct" in m.subject]
    [link] = links_in(message)
    return link


# --- Reminders ---------------------------------------------------------------------------------


def test_due_service_owners_get_one_reminder_each_and_only_once(due_service, editors, manager):
    ServicePageFactory(title="Checked last month", organisation=due_service.organisation, assured_date=TODAY)
    assert due_service.review_due_on == DUE

    run = verification.run_verification()
    assert run.reminders == 1
    assert sorted(m.to[0] for m in mail.outbox) == ["ann@millfield.example.org", "bo@millfield.example.org"]
    message = mail.outbox[0]
    assert message.subject == "Is the listing for Millfield toddler group still correct?"
    assert len(links_in(message)) == 1
    html = message.alternatives[0][0]
    assert "Confirm that the listing is still correct" in html
    assert "bo@millfield" not in message.body and "ann@millfield" not in message.body  # no personal data
    # Each owner has their own link.
    assert link_for("ann@millfield.example.org") != link_for("bo@millfield.example.org")

    mail.outbox.clear()
    verification.run_verification()
    call_command("directory_verification")
    assert mail.outbox == []
    assert VerificationRequest.objects.filter(service=due_service).count() == 1


def test_service_without_editors_goes_to_the_directory_team(clock, manager):
    orphan = ServicePageFactory(title="Orphan service", organisation=OrganisationFactory(), assured_date=ASSURED)
    verification.run_verification()
    assert [m.to for m in mail.outbox] == [["team@council.example.org"]]
    assert "Orphan service" in mail.outbox[0].subject
    assert VerificationRequest.objects.get(service=orphan).due_on == DUE


def test_drafts_and_services_not_yet_due_get_no_reminder(clock, org, editors):
    ServicePageFactory(organisation=org, assured_date=ASSURED, publish=False)
    ServicePageFactory(organisation=org, assured_date=TODAY - datetime.timedelta(days=30))
    assert verification.run_verification().reminders == 0
    assert mail.outbox == []


def test_the_job_is_a_task_too(due_service, editors):
    from directory.tasks import run_directory_verification

    result = run_directory_verification.enqueue()  # the immediate backend in tests
    assert result.return_value["reminders"] == 1
    assert len(mail.outbox) == 2


# --- The link ----------------------------------------------------------------------------------


def test_link_get_asks_and_post_records_the_verification(client, due_service, editors):
    verification.run_verification()
    ann = editors[0]
    link = link_for(ann.email)
    revisions_before = due_service.revisions.count()

    response = client.get(link)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Is the listing for Millfield toddler group still correct?" in html
    assert "Yes, the listing is still correct" in html
    due_service.refresh_from_db()
    assert due_service.assured_date == ASSURED  # a GET (a link scanner) changes nothing

    response = client.post(link)
    assert response.status_code == 200
    assert "Listing confirmed" in response.content.decode()
    due_service.refresh_from_db()
    assert due_service.assured_date == TODAY
    assert due_service.assurer == ann
    assert due_service.last_verified_at == timezone.now()
    assert due_service.review_due_on == datetime.date(2026, 9, 4)
    assert due_service.revisions.count() == revisions_before  # no new revision
    assert due_service.latest_revision.content["assured_date"] == TODAY.isoformat()
    assert VerificationRequest.objects.get(service=due_service).completed_by == ann
    event = AuditEvent.objects.get(object_type="directory.servicepage", object_id=str(due_service.pk))
    assert event.user_email == ann.email and event.detail["change"] == "verified"


def test_reused_link_says_already_confirmed_and_changes_nothing(client, clock, due_service, editors):
    verification.run_verification()
    ann_link, bo_link = link_for(editors[0].email), link_for(editors[1].email)
    client.post(ann_link)
    clock.shift(datetime.timedelta(days=1))
    for link in (ann_link, bo_link):
        response = client.post(link)
        assert response.status_code == 200
        assert "This listing has already been confirmed" in response.content.decode()
    due_service.refresh_from_db()
    assert due_service.assured_date == TODAY and due_service.assurer == editors[0]


def test_expired_link(client, clock, due_service, editors):
    verification.run_verification()
    link = link_for(editors[0].email)
    clock.shift(datetime.timedelta(days=29))
    for method in (client.get, client.post):
        response = method(link)
        assert response.status_code == 410
        assert "This link has expired" in response.content.decode()
    due_service.refresh_from_db()
    assert due_service.assured_date == ASSURED


@pytest.mark.parametrize(
    "tamper",
    [lambda t: t[:-3] + ("abc" if t[-3:] != "abc" else "xyz"), lambda t: "not-a-token", lambda t: t[::-1]],
)
def test_tampered_link(client, due_service, editors, tamper):
    verification.run_verification()
    token = link_for(editors[0].email).split("/")[-2]
    response = client.post(reverse("directory_verification:confirm", args=[tamper(token)]))
    assert response.status_code == 404
    assert "This link is not valid" in response.content.decode()
    due_service.refresh_from_db()
    assert due_service.assured_date == ASSURED


def test_link_of_an_editor_who_has_left_the_organisation_does_not_work(client, due_service, editors, org):
    verification.run_verification()
    link = link_for(editors[0].email)
    org.editors.remove(editors[0])
    assert client.post(link).status_code == 404
    due_service.refresh_from_db()
    assert due_service.assured_date == ASSURED


def test_verification_keeps_an_editors_pending_draft(client, due_service, editors):
    draft = due_service.get_latest_revision_as_object()
    draft.summary = "A draft change waiting for approval."
    draft.save_revision(user=editors[0])
    verification.run_verification()
    client.post(link_for(editors[0].email))
    due_service.refresh_from_db()
    assert due_service.has_unpublished_changes
    assert due_service.summary != "A draft change waiting for approval."
    latest = due_service.get_latest_revision_as_object()
    assert latest.summary == "A draft change waiting for approval."
    assert latest.assured_date == TODAY
    # Publishing the draft later keeps the verification.
    due_service.get_latest_revision().publish()
    due_service.refresh_from_db()
    assert due_service.summary == "A draft change waiting for approval."
    assert due_service.assured_date == TODAY and due_service.assurer == editors[0]


# --- Escalation, hiding and reappearing ----------------------------------------------------------


def test_unanswered_request_escalates_once_after_the_configured_weeks(clock, due_service, editors, manager):
    verification.run_verification()
    mail.outbox.clear()
    clock.shift(datetime.timedelta(days=13))
    assert verification.run_verification().escalations == 0
    assert mail.outbox == []

    clock.shift(datetime.timedelta(days=1, hours=1))
    assert verification.run_verification().escalations == 1
    [message] = mail.outbox
    assert message.to == ["team@council.example.org"]
    assert message.subject == "Listing not confirmed: Millfield toddler group"
    assert "31 March 2026" in message.body  # hidden from families from due + grace + 1
    assert reverse("directory_services_due_for_review") in message.body

    mail.outbox.clear()
    clock.shift(datetime.timedelta(days=3))
    verification.run_verification()
    assert mail.outbox == []
    assert VerificationRequest.objects.get(service=due_service).escalated_at is not None


def test_escalation_weeks_setting(settings, clock, due_service, editors, manager):
    settings.DIRECTORY_VERIFICATION_ESCALATE_WEEKS = 1
    verification.run_verification()
    mail.outbox.clear()
    clock.shift(datetime.timedelta(days=7, hours=1))
    verification.run_verification()
    assert [m.to for m in mail.outbox] == [["team@council.example.org"]]


def test_past_the_grace_period_it_is_hidden_until_verified(client, clock, due_service, editors):
    verification.run_verification()
    link = link_for(editors[0].email)
    url = due_service.url
    oruk_id = str(due_service.oruk_id)

    def visible():
        page_status = client.get(url).status_code
        api = client.get("/api/oruk/services").content.decode()
        one = client.get(f"/api/oruk/services/{oruk_id}").status_code
        return page_status, oruk_id in api, one

    clock.move_to(datetime.datetime(2026, 3, 30, 12, 0, tzinfo=datetime.UTC))  # the last day of grace
    assert visible() == (200, True, 200)

    clock.move_to(datetime.datetime(2026, 3, 31, 12, 0, tzinfo=datetime.UTC))
    assert visible() == (404, False, 404)
    assert ServicePage.objects.filter(pk=due_service.pk).exists()  # hidden, never deleted

    assert client.post(link).status_code == 200
    assert visible() == (200, True, 200)


# --- The admin report ----------------------------------------------------------------------------


def report_html(client) -> str:
    response = client.get(reverse("directory_services_due_for_review"))
    assert response.status_code == 200
    return response.content.decode()


def test_report_lists_overdue_services_for_the_directory_team(signed_in, clock, due_service, editors, manager):
    ServicePageFactory(title="Checked recently", assured_date=TODAY)
    never = ServicePageFactory(title="Never checked", verified=False)
    verification.run_verification()
    html = report_html(signed_in(manager))
    assert "Millfield toddler group" in html and "Never checked" in html
    assert "Checked recently" not in html
    assert "2 Mar 2026" in html  # due date
    assert re.search(r"<td>\s*2\s*</td>", html)  # days overdue
    assert "Waiting for the provider" in html
    assert "Mark as verified" in html
    assert never.pk


def test_manager_marks_a_service_verified_from_the_report(signed_in, clock, due_service, manager):
    client = signed_in(manager)
    response = client.post(reverse("directory_mark_verified", args=[due_service.pk]))
    assert response.status_code == 302
    due_service.refresh_from_db()
    assert due_service.assured_date == TODAY and due_service.assurer == manager
    html = report_html(client)
    assert "Millfield toddler group is marked as verified today." in html
    assert reverse("wagtailadmin_pages:edit", args=[due_service.pk]) not in html
    assert "No services are due for review." in html


def test_editor_sees_only_their_own_due_services_and_cannot_mark_verified(signed_in, clock, due_service, editors):
    ServicePageFactory(title="Someone else's overdue service", assured_date=ASSURED)
    client = signed_in(editors[0])
    html = report_html(client)
    assert "Millfield toddler group" in html
    assert "Someone else&#x27;s overdue service" not in html and "Someone else's overdue service" not in html
    assert "Mark as verified" not in html
    response = client.post(reverse("directory_mark_verified", args=[due_service.pk]), follow=True)
    assert "Sorry, you do not have permission to access this area." in response.content.decode()
    due_service.refresh_from_db()
    assert due_service.assured_date == ASSURED


def test_report_is_not_for_other_roles(signed_in, make_user):
    response = signed_in(make_user("lead_professional")).get(reverse("directory_services_due_for_review"))
    assert response.status_code == 302  # Wagtail sends people without admin access to sign in
    # Administrators use the admin, but not this report: Wagtail's "no permission" redirect.
    response = signed_in(make_user("administrator")).get(reverse("directory_services_due_for_review"))
    assert response.status_code == 302 and response["Location"] == "/admin/"


def test_command_can_queue_the_job(due_service, editors):
    from io import StringIO

    out = StringIO()
    call_command("directory_verification", "--enqueue", stdout=out)
    assert "Queued the verification job" in out.getvalue()
    assert len(mail.outbox) == 2  # the immediate backend ran it


def test_demo_step_is_idempotent_and_fills_the_report(signed_in, make_user):
    from directory import verification_demo
    from directory.models import ProblemReport

    editor = make_user("service_provider_editor", email=verification_demo.PROVIDER_EDITOR)
    org = OrganisationFactory()
    org.editors.add(editor)
    for title in ("Alpha group", "Beta group", "Gamma group"):
        ServicePageFactory(title=title, organisation=org)
    verification_demo.load()
    verification_demo.load()
    assert ProblemReport.objects.count() == 1
    assert VerificationRequest.objects.count() == 2
    html = report_html(signed_in(editor))
    for title in ("Alpha group", "Beta group", "Gamma group"):
        assert title in html
    assert "Escalated to the directory team" in html and "Hidden" in html
