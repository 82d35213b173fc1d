"""The administrators' audit log page and its CSV export."""

from __future__ import annotations

import csv
import datetime
import io
import zoneinfo

import pytest

from django.urls import reverse
from django.utils import timezone

from portal.audit.models import AuditEvent
from portal.registry import cards_for

pytestmark = pytest.mark.django_db

LONDON = zoneinfo.ZoneInfo("Europe/London")
LIST_URL = "/portal/audit/"
EXPORT_URL = "/portal/audit/export.csv"


def _shown_ids(response) -> list[int]:
    return [event.pk for event in response.context["page_obj"].object_list]


def _csv(response) -> list[dict[str, str]]:
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(body)))


@pytest.fixture
def admin_client(signed_in, administrator):
    return signed_in(administrator)


# --- Who may see it --------------------------------------------------------------------
def test_the_urls_are_named():
    assert reverse("audit:list") == LIST_URL
    assert reverse("audit:export") == EXPORT_URL


@pytest.mark.parametrize("url", [LIST_URL, EXPORT_URL])
def test_an_administrator_may_see_and_export_the_log(admin_client, url):
    assert admin_client.get(url).status_code == 200


@pytest.mark.parametrize("url", [LIST_URL, EXPORT_URL])
def test_a_commissioner_may_not(signed_in, commissioner, url):
    assert signed_in(commissioner).get(url).status_code == 403
    assert not AuditEvent.objects.filter(object_type="audit.auditevent").exists()


@pytest.mark.parametrize("url", [LIST_URL, EXPORT_URL])
def test_anonymous_visitors_are_sent_to_sign_in(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login") + "?next=")


def test_the_portal_shows_the_audit_card_to_administrators_only(administrator, commissioner):
    assert "Audit log" in [card.title for card in cards_for(administrator)]
    assert "Audit log" not in [card.title for card in cards_for(commissioner)]


def test_the_log_is_not_cached_by_browsers(admin_client):
    assert "no-store" in admin_client.get(LIST_URL)["Cache-Control"]


# --- The list --------------------------------------------------------------------------
def test_the_list_shows_events_newest_first_in_a_table(admin_client, make_event):
    now = timezone.now()
    older = make_event(
        at=now - datetime.timedelta(hours=2),
        user_email="a@example.org",
        user_roles="Lead professional",
        object_type="encompass.notification",
        object_id="41",
        ip="203.0.113.1",
        request_id="req-older-0001",
    )
    newer = make_event(at=now - datetime.timedelta(hours=1), user_email="b@example.org", action="export")
    response = admin_client.get(LIST_URL)
    assert response.status_code == 200
    ids = _shown_ids(response)
    assert ids.index(newer.pk) < ids.index(older.pk)
    html = response.content.decode()
    assert '<table class="govuk-table">' in html
    for text in (
        "a@example.org",
        "Lead professional",
        "encompass.notification 41",
        "203.0.113.1",
        "req-older-0001",
        "Exported",
    ):
        assert text in html


def test_viewing_the_log_is_itself_recorded_with_the_filters(admin_client, administrator):
    admin_client.get(LIST_URL, {"user_email": "someone", "action": "view"})
    line = AuditEvent.objects.get(object_type="audit.auditevent")
    assert (line.action, line.user_id) == ("view", administrator.pk)
    assert line.detail == {"filters": {"user_email": "someone", "action": "view"}, "page": 1}


def test_filters_combine(admin_client, make_event):
    target = make_event(user_email="dsl@school.example.org", object_type="encompass.notification", object_id="41")
    make_event(user_email="dsl@school.example.org", object_type="encompass.notification", object_id="42")
    make_event(user_email="other@example.org", object_type="encompass.notification", object_id="41")
    make_event(
        user_email="dsl@school.example.org", object_type="encompass.notification", object_id="41", action="acknowledge"
    )
    response = admin_client.get(
        LIST_URL,
        {"user_email": "DSL@school", "object_type": "encompass.notification", "object_id": "41", "action": "view"},
    )
    assert _shown_ids(response) == [target.pk]


def test_the_object_type_select_lists_the_types_present(admin_client, make_event):
    make_event(object_type="encompass.notification", object_id="1")
    make_event(object_type="accounts.user", object_id="2")
    form = admin_client.get(LIST_URL).context["form"]
    values = [value for value, _ in form.fields["object_type"].choices]
    assert values == ["", "accounts.user", "encompass.notification"]
    assert dict(form.fields["object_type"].choices)["accounts.user"] == "User (accounts.user)"


def test_dates_are_whole_uk_days_with_both_ends_included(admin_client, make_event):
    # 1 July 2025 is in British Summer Time: the UK day starts at 23:00 UTC the day before.
    def at(day, hour, minute=0):
        return datetime.datetime(2025, 7, day, hour, minute, tzinfo=LONDON)

    before = make_event(at=at(1, 0, 0) - datetime.timedelta(seconds=1))
    first = make_event(at=at(1, 0, 0))
    last = make_event(at=at(2, 23, 59))
    after = make_event(at=at(3, 0, 0))
    response = admin_client.get(
        LIST_URL,
        {
            "date_from_day": "1",
            "date_from_month": "7",
            "date_from_year": "2025",
            "date_to_day": "2",
            "date_to_month": "7",
            "date_to_year": "2025",
        },
    )
    shown = _shown_ids(response)
    assert set(shown) == {first.pk, last.pk}
    assert before.pk not in shown and after.pk not in shown


@pytest.mark.parametrize(
    ("query", "message", "kept"),
    [
        (
            {"date_from_day": "31", "date_from_month": "2", "date_from_year": "2025"},
            "The from date must be a real date",
            'value="31"',
        ),
        (
            {"date_to_day": "x", "date_to_month": "13", "date_to_year": "20"},
            "The to date must be a real date",
            'value="x"',
        ),
        (
            {
                "date_from_day": "2",
                "date_from_month": "7",
                "date_from_year": "2025",
                "date_to_day": "1",
                "date_to_month": "7",
                "date_to_year": "2025",
            },
            "The to date must be the same as or after the from date",
            'value="2025"',
        ),
        ({"object_id": "9" * 65}, "The record id must be 64 characters or fewer", "9" * 65),
        ({"object_type": "no.such_type"}, "Select a record type from the list", ""),
        ({"action": "steal"}, "Select an action from the list", ""),
    ],
)
def test_invalid_filters_show_an_error_summary_and_keep_what_was_typed(admin_client, make_event, query, message, kept):
    make_event()
    response = admin_client.get(LIST_URL, query)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<title>Error: Audit log" in html
    assert "There is a problem" in html
    assert message in html
    assert kept in html
    assert response.context["page_obj"] is None  # no rows under filters that were not understood
    assert not AuditEvent.objects.filter(object_type="audit.auditevent").exists()


def test_pages_hold_50_events(admin_client, make_event):
    # action "other" keeps out the sign-in and the page views that the test itself causes.
    start = timezone.now() - datetime.timedelta(days=1)
    events = [make_event(at=start + datetime.timedelta(minutes=i), action="other") for i in range(51)]
    first = admin_client.get(LIST_URL, {"action": "other"})
    assert _shown_ids(first) == [e.pk for e in reversed(events[1:])]
    second = admin_client.get(LIST_URL, {"action": "other", "page": "2"})
    assert _shown_ids(second) == [events[0].pk]
    assert "?action=other&amp;page=2" in first.content.decode()  # the next page keeps the filters
    assert admin_client.get(LIST_URL, {"page": "lots"}).status_code == 200


def test_the_list_makes_the_same_few_queries_however_many_rows(admin_client, make_event, django_assert_max_num_queries):
    admin_client.get(LIST_URL)  # warm process-wide caches (content types, sites) first
    for i in range(3):
        make_event(object_type="encompass.notification", object_id=str(i))
    with django_assert_max_num_queries(20) as few:
        admin_client.get(LIST_URL)
    for i in range(100):
        make_event(object_type="encompass.notification", object_id=str(i), user_email=f"u{i}@example.org")
    with django_assert_max_num_queries(len(few.captured_queries)):
        admin_client.get(LIST_URL)


# --- CSV export ------------------------------------------------------------------------
def test_the_export_streams_the_filtered_rows_as_csv(admin_client, make_event):
    wanted = make_event(
        at=datetime.datetime(2025, 7, 1, 9, 30, tzinfo=LONDON),
        user_id=12,
        user_email="dsl@example.org",
        user_roles="School key adult",
        object_type="encompass.notification",
        object_id="41",
        object_repr="EN-41",
        ip="203.0.113.5",
        request_id="req-0000000001",
        path="/portal/encompass/41/",
        detail={"tab": "summary"},
    )
    make_event(object_type="encompass.notification", object_id="42")
    response = admin_client.get(EXPORT_URL, {"object_id": "41"})
    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="audit-log-{timezone.localdate():%Y-%m-%d}.csv"'
    rows = _csv(response)
    assert rows == [
        {
            "time": "2025-07-01T09:30:00+01:00",
            "user_id": "12",
            "user_email": "dsl@example.org",
            "user_roles": "School key adult",
            "action": "view",
            "object_type": "encompass.notification",
            "object_id": "41",
            "object_repr": "EN-41",
            "ip": "203.0.113.5",
            "request_id": "req-0000000001",
            "path": "/portal/encompass/41/",
            "detail": '{"tab": "summary"}',
        }
    ]
    assert wanted.object_id == "41"


def test_the_export_is_recorded_with_its_filters_and_does_not_include_itself(admin_client, administrator, make_event):
    make_event(action="view")
    make_event(action="update")
    rows = _csv(admin_client.get(EXPORT_URL, {"action": "view"}))
    export = AuditEvent.objects.get(action="export")
    assert (export.user_id, export.object_type) == (administrator.pk, "audit.auditevent")
    assert export.detail == {"filters": {"action": "view"}, "rows": 1}
    assert len(rows) == 1

    rows = _csv(admin_client.get(EXPORT_URL))
    assert "export" in {row["action"] for row in rows}  # the first export, not the second
    assert len([row for row in rows if row["action"] == "export"]) == 1


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_cells_that_a_spreadsheet_would_run_are_defused(admin_client, make_event, start):
    make_event(
        user_email=f'{start}HYPERLINK("http://evil.example")', object_repr=f"{start}1+1", request_id=f"{start}abc"
    )
    [row] = [r for r in _csv(admin_client.get(EXPORT_URL)) if r["action"] == "view"]
    assert row["user_email"] == f'\'{start}HYPERLINK("http://evil.example")'
    assert row["object_repr"] == f"'{start}1+1"
    assert row["request_id"] == f"'{start}abc"


def test_an_export_with_invalid_filters_goes_back_to_the_list_with_the_errors(admin_client):
    response = admin_client.get(
        EXPORT_URL, {"date_from_day": "31", "date_from_month": "2", "date_from_year": "2025", "page": "3"}
    )
    assert response.status_code == 302
    assert response["Location"] == f"{LIST_URL}?date_from_day=31&date_from_month=2&date_from_year=2025"
    assert not AuditEvent.objects.filter(action="export").exists()
    followed = admin_client.get(response["Location"])
    assert "The from date must be a real date" in followed.content.decode()


def test_the_list_links_to_the_export_of_the_same_filters(admin_client, make_event):
    make_event(action="view")
    html = admin_client.get(LIST_URL, {"action": "view", "page": "1"}).content.decode()
    assert f'href="{EXPORT_URL}?action=view"' in html
