"""Operation Encompass in a real browser, with axe-core on every page: the police form, the
key adult's list, notification and acknowledgement pages, and the LA dashboard."""

from __future__ import annotations

import datetime
import re

import pytest
from playwright.sync_api import expect

from django.utils import timezone

from tests.encompass.conftest import _encompass_settings  # noqa: F401  (autouse fixture)
from tests.encompass.factories import NotifiedChildFactory, SchoolFactory
from tests.factories import TEST_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def school_with_key_adult(make_user):
    school = SchoolFactory(urn=100001, name="Hylton Primary School")
    key_adult = make_user("school_key_adult", email="dsl@example.org")
    school.key_adults.add(key_adult)
    return school, key_adult


def test_key_adult_reads_and_acknowledges(site, browser_page, school_with_key_adult):
    school, _ = school_with_key_adult
    child = NotifiedChildFactory(school=school, given_name="Amy", family_name="Jones")
    NotifiedChildFactory(school=school, given_name="Ben", notify_by=timezone.now() - datetime.timedelta(hours=1))
    page = browser_page
    page.sign_in("dsl@example.org", TEST_PASSWORD)
    page.goto("/portal/encompass/")
    page.check_accessibility("notification list")
    page.page.get_by_role("link", name="Amy Jones").click()
    assert page.page.get_by_role("heading", level=1).inner_text() == "Amy Jones"
    page.check_accessibility("notification page")
    page.page.get_by_role("button", name="Acknowledge this notification").click()
    page.page.get_by_role("button", name="Acknowledge").click()
    expect(page.page).to_have_title(re.compile(r"^Error:"))
    page.check_accessibility("acknowledgement page with errors")
    page.page.get_by_label("Silent support").check()
    page.page.get_by_role("button", name="Acknowledge").click()
    assert f"/portal/encompass/notifications/{child.pk}/" in page.page.url
    assert page.page.get_by_text("Silent support").first.is_visible()
    page.check_accessibility("acknowledged notification")


def test_police_officer_sends_a_notification(site, browser_page, make_user, school_with_key_adult):
    make_user("police_encompass_officer", email="officer@example.org", police_force="NBR")
    page = browser_page
    page.sign_in("officer@example.org", TEST_PASSWORD)
    page.goto("/portal/encompass/submit/")
    page.check_accessibility("police form")
    page.page.get_by_role("button", name="Send notification").click()
    expect(page.page).to_have_title(re.compile(r"^Error:"))
    page.check_accessibility("police form with errors")
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    form = page.page
    form.get_by_label("Police reference").fill("NBR-BROWSER-1")
    incident = form.get_by_role("group", name="Date of the incident")
    incident.get_by_label("Day").fill(str(yesterday.day))
    incident.get_by_label("Month").fill(str(yesterday.month))
    incident.get_by_label("Year").fill(str(yesterday.year))
    form.get_by_label("Time of the incident").fill("21:40")
    form.get_by_label("What happened").fill("Argument between the adults.")
    form.get_by_label("Officer").fill("PC 1 Smith")
    form.get_by_label("Child's first name").fill("Amy")
    form.get_by_label("Child's last name").fill("Jones")
    dob = form.get_by_role("group", name="Child's date of birth")
    dob.get_by_label("Day").fill("4")
    dob.get_by_label("Month").fill("5")
    dob.get_by_label("Year").fill("2016")
    form.get_by_label("School URN (optional)").fill("100001")
    for question in (
        "Was the child present at the incident?",
        "Was a welfare check done?",
        "Has children's social care been told?",
    ):
        form.get_by_role("group", name=question).get_by_label("No").check()
    form.get_by_role("button", name="Send notification").click()
    assert page.page.get_by_role("heading", name="Notification sent").is_visible()
    assert page.page.get_by_text("Hylton Primary School").is_visible()
    page.check_accessibility("notification sent")


def test_la_dashboard(site, browser_page, make_user, school_with_key_adult):
    school, _ = school_with_key_adult
    NotifiedChildFactory(school=school, notify_by=timezone.now() - datetime.timedelta(hours=2))
    NotifiedChildFactory(school=None, routed_to="triage")
    make_user("la_encompass_lead", email="lead@example.org")
    browser_page.sign_in("lead@example.org", TEST_PASSWORD)
    browser_page.goto("/portal/encompass/dashboard/")
    assert browser_page.page.get_by_role("heading", name="Triage queue").is_visible()
    browser_page.check_accessibility("Encompass dashboard")
