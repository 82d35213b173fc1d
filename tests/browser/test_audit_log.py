"""The audit log as an administrator reads it: every event, filtered, a filter with a
mistake in it, and the CSV export of what the filters chose."""

from __future__ import annotations

import csv
import datetime

import pytest

from django.utils import timezone

from portal.audit.models import AuditEvent
from tests.browser.conftest import PHONE
from tests.browser.pages import AuditLogPage, PortalHomePage, SignInPage
from tests.factories import TEST_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LONG_AGO = timezone.make_aware(datetime.datetime(2025, 3, 27, 10, 15))


@pytest.fixture
def events():
    """Three old events by two people, before anything the test itself does."""
    for minutes, email, action in (
        (0, "dsl@school.example.org", AuditEvent.Action.VIEW),
        (5, "dsl@school.example.org", AuditEvent.Action.ACKNOWLEDGE),
        (9, "lead@example.org", AuditEvent.Action.VIEW),
    ):
        AuditEvent.objects.create(
            at=LONG_AGO + datetime.timedelta(minutes=minutes),
            user_id=42,
            user_email=email,
            user_roles="School key adult",
            action=action,
            object_type="encompass.notification",
            object_id="1001",
            object_repr="Notification 1001",
            ip="192.0.2.10",
            request_id="req-1",
        )


@pytest.fixture
def administrator(make_user):
    return make_user("administrator", email="admin@example.org")


def test_audit_log_filters_and_exports(site, browser_page, administrator, events):
    SignInPage(browser_page).open().sign_in(administrator.email, TEST_PASSWORD)
    PortalHomePage(browser_page).assert_here().follow_card("Audit log")

    log = AuditLogPage(browser_page).assert_here()
    # The three events, the administrator's sign-in (the view itself is recorded after the page is read).
    assert log.results_heading() == "4 events"
    rows = log.rows()
    assert rows[0][1].startswith(administrator.email) and rows[0][3] == "Signed in"
    assert rows[-1][:4] == ["27 Mar 2025 10:15:00", "dsl@school.example.org user 42", "School key adult", "Viewed"]
    log.check_accessibility("audit log, all events")

    # --- Filtered: one person's events on one day ---
    log.filter(user_email="dsl@school", date_from=("27", "3", "2025"), date_to=("27", "3", "2025"))
    assert log.results_heading() == "2 events"
    assert [row[3] for row in log.rows()] == ["Acknowledged", "Viewed"]
    assert "user_email=dsl%40school" in log.page.url
    log.check_accessibility("audit log, filtered")

    # --- The CSV holds exactly what the filters chose ---
    with log.page.expect_download() as download_info:
        log.page.get_by_role("link", name="Download these events as a CSV file").click()
    download = download_info.value
    assert download.suggested_filename == f"audit-log-{timezone.localdate():%Y-%m-%d}.csv"
    with open(download.path(), encoding="utf-8-sig", newline="") as file:
        table = list(csv.DictReader(file))
    assert [(row["user_email"], row["action"]) for row in table] == [
        ("dsl@school.example.org", "acknowledge"),
        ("dsl@school.example.org", "view"),
    ]
    assert table[0]["time"] == "2025-03-27T10:20:00+00:00"
    assert AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT, user_email=administrator.email).count() == 1

    # --- Nothing matches ---
    log.filter(action="Deleted")
    assert log.results_heading() == "No events match these filters"
    assert log.page.get_by_role("table").count() == 0
    log.check_accessibility("audit log, no events match")

    # --- A date that does not exist: the error summary, what was typed kept ---
    log.open()
    log.filter(user_email="dsl", date_from=("31", "2", "2025"), date_to=("1", "3", "2024"))
    log.assert_errors("The from date must be a real date")
    from_date = log.page.get_by_role("group", name="From (optional)")
    assert [from_date.get_by_label(part).input_value() for part in ("Day", "Month", "Year")] == ["31", "2", "2025"]
    assert log.page.get_by_label("User email address contains (optional)").input_value() == "dsl"
    assert log.group_error("From (optional)") == "Error: The from date must be a real date"
    assert log.page.get_by_text("Correct the filters to see the events.").is_visible()
    assert log.page.get_by_role("link", name="Download these events as a CSV file").count() == 0
    log.check_accessibility("audit log, invalid date")

    # --- The "to" date before the "from" date ---
    log.open()
    log.filter(date_from=("2", "3", "2025"), date_to=("1", "3", "2025"))
    log.assert_errors("The to date must be the same as or after the from date")
    log.check_accessibility("audit log, dates the wrong way round")


def test_audit_log_on_a_phone(site, open_browser_page, administrator, events):
    phone = open_browser_page(**PHONE)
    SignInPage(phone).open().sign_in(administrator.email, TEST_PASSWORD)
    log = AuditLogPage(phone).open()
    assert log.results_heading() == "4 events"
    log.assert_fits_the_screen()
    log.check_accessibility("audit log, phone")
    # The table is wider than a phone: it scrolls in its own box, which the keyboard can
    # reach (with a visible focus outline) and scroll with the arrow keys.
    table_box = log.page.get_by_role("region", name="Audit events, newest first")
    table_box.focus()
    assert table_box.evaluate("box => getComputedStyle(box).outlineColor") == "rgb(255, 221, 0)"
    for _ in range(5):
        log.page.keyboard.press("ArrowRight")
    # (Scrolling may be smooth: wait for it to move.)
    log.page.wait_for_function("box => box.scrollLeft > 0", arg=table_box.element_handle(), timeout=5_000)
    log.filter(date_from=("99", "3", "2025"))
    log.assert_errors("The from date must be a real date")
    log.assert_fits_the_screen()
    log.check_accessibility("audit log with an error, phone")
