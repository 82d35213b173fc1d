"""The downloads: a dashboard's figures as CSV (hidden cells stay hidden, every export is in
the audit log) and the directory's open data as Open Referral UK JSON, which never holds a
confidential location."""

from __future__ import annotations

import csv
import datetime
import io
import json
import uuid

import pytest

from django.urls import reverse

from portal.audit.models import AuditEvent
from portal.insights import selectors
from portal.insights.exports import CSV_COLUMNS, csv_text
from portal.insights.figures import Cell, Chart, Dashboard, Headline, Row, Section, Table
from tests.directory.factories import (
    REFUGE_ADDRESS,
    REFUGE_LAT,
    REFUGE_LNG,
    REFUGE_POSTCODE,
    ServicePageFactory,
    TaxonomyTermFactory,
    confidential_location,
    public_location,
)

pytestmark = pytest.mark.django_db

PERIOD = {
    "date_from_day": "1",
    "date_from_month": "4",
    "date_from_year": "2025",
    "date_to_day": "31",
    "date_to_month": "3",
    "date_to_year": "2026",
}


def read_csv(response) -> tuple[list[str], list[dict]]:
    """A plain CSV: the header row first, nothing above it. Returns the notes (rows of table
    "Notes") and the figure rows."""
    text = response.content.decode("utf-8-sig")
    assert text.splitlines()[0] == ",".join(CSV_COLUMNS)
    rows = list(csv.DictReader(io.StringIO(text)))
    assert all(None not in row and all(v is not None for v in row.values()) for row in rows)  # every row complete
    return [r["value"] for r in rows if r["table"] == "Notes"], [r for r in rows if r["table"] != "Notes"]


def hand_built(filters) -> Dashboard:
    return Dashboard(
        "early-help",
        "Early help",
        f"{filters.date_from:%-d %B %Y} to {filters.date_to:%-d %B %Y}",
        (Headline("referrals", "Referrals", Cell(140, "140")),),
        (
            Section(
                "referrals",
                "Referrals",
                (
                    Table(
                        "by_reason",
                        "Closures by reason",
                        "Reason",
                        ("Closures", "Share"),
                        (
                            Row("Needs met", (Cell(30, "30"), Cell(60.0, "60%"))),
                            Row("Moved away", (Cell(None, "<5", True), Cell(None, "–"))),
                            Row("=HYPERLINK(1)", (Cell(-1.5, "-1.5"), Cell(None, "–"))),
                        ),
                        chart=Chart.BAR,
                        total=Row("Total", (Cell(None, "<5", True), Cell(None, "–")), key="total"),
                    ),
                ),
            ),
        ),
    )


@pytest.fixture
def fake(monkeypatch):
    monkeypatch.setattr(selectors, "DASHBOARDS", {"early-help": hand_built})
    monkeypatch.setattr(selectors, "filter_choices", lambda slug: {})


def test_the_csv_holds_every_headline_and_cell_as_displayed(fake, commissioner, signed_in):
    response = signed_in(commissioner).get(reverse("insights:export", kwargs={"slug": "early-help"}), PERIOD)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="insights-early-help-2025-04-01-to-2026-03-31.csv"' in response["Content-Disposition"]
    notes, rows = read_csv(response)
    assert {r["period"] for r in rows} == {"1 April 2025 to 31 March 2026"}
    assert any("shown as <5" in line and "[c] marks a count hidden as well" in line for line in notes)
    assert list(rows[0]) == [
        "dashboard",
        "period",
        "period_from",
        "period_to",
        "filters",
        "table",
        "row",
        "column",
        "value",
    ]
    assert {(r["period_from"], r["period_to"], r["filters"]) for r in rows} == {
        ("2025-04-01", "2026-03-31", "No filters")
    }
    assert [(r["table"], r["row"], r["column"], r["value"]) for r in rows] == [
        ("Headline figures", "Referrals", "", "140"),
        ("Closures by reason", "Needs met", "Closures", "30"),
        ("Closures by reason", "Needs met", "Share", "60%"),
        ("Closures by reason", "Moved away", "Closures", "<5"),
        ("Closures by reason", "Moved away", "Share", "–"),
        ("Closures by reason", "'=HYPERLINK(1)", "Closures", "-1.5"),  # a formula is defused, a number is not
        ("Closures by reason", "'=HYPERLINK(1)", "Share", "–"),
        ("Closures by reason", "Total", "Closures", "<5"),
        ("Closures by reason", "Total", "Share", "–"),
    ]
    assert {r["dashboard"] for r in rows} == {"Early help"}


def test_a_comparison_exports_both_periods(fake, commissioner, signed_in):
    query = {
        **PERIOD,
        "compare_from_day": "1",
        "compare_from_month": "4",
        "compare_from_year": "2024",
        "compare_to_day": "31",
        "compare_to_month": "3",
        "compare_to_year": "2025",
    }
    response = signed_in(commissioner).get(reverse("insights:export", kwargs={"slug": "early-help"}), query)
    _, rows = read_csv(response)
    assert {r["period"] for r in rows} == {"1 April 2025 to 31 March 2026", "1 April 2024 to 31 March 2025"}
    assert len(rows) == 18


def test_a_bad_period_sends_the_export_back_to_the_dashboard(fake, commissioner, signed_in):
    query = {**PERIOD, "date_to_year": "2024"}  # to before from
    response = signed_in(commissioner).get(reverse("insights:export", kwargs={"slug": "early-help"}), query)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("insights:dashboard", kwargs={"slug": "early-help"}) + "?")
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).exists()


def test_every_export_is_in_the_audit_log(fake, commissioner, signed_in):
    signed_in(commissioner).get(reverse("insights:export", kwargs={"slug": "early-help"}), {**PERIOD})
    event = AuditEvent.objects.get(action=AuditEvent.Action.EXPORT)
    assert event.user_id == commissioner.pk
    assert (event.object_type, event.object_id) == ("insights.insight", "early-help")
    assert event.detail["filters"] == {"date_from": "2025-04-01", "date_to": "2026-03-31"}
    assert event.detail["rows"] == 9  # figure rows; the notes are not counted
    assert event.detail["summary"] == "No filters"


def test_someone_who_may_only_look_cannot_export(fake, early_help_manager, signed_in):
    response = signed_in(early_help_manager).get(reverse("insights:export", kwargs={"slug": "early-help"}), PERIOD)
    assert response.status_code == 403
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).exists()


@pytest.mark.parametrize(
    ("text", "safe"),
    [("=1+2", "'=1+2"), ("@SUM(A1)", "'@SUM(A1)"), ("-1.5", "-1.5"), ("+12%", "+12%"), ("-", "'-"), ("<5", "<5")],
)
def test_csv_cells_cannot_run_as_formulas(text, safe):
    assert csv_text(text) == safe


def test_a_small_count_from_the_real_directory_is_exported_as_less_than_5_never_its_number(commissioner, signed_in):
    refuges = TaxonomyTermFactory(name="Refuges")
    parenting = TaxonomyTermFactory(name="Parenting")
    for _ in range(3):
        ServicePageFactory(terms=[refuges])
    for _ in range(7):
        ServicePageFactory(terms=[parenting])
    response = signed_in(commissioner).get(reverse("insights:export", kwargs={"slug": "directory"}), PERIOD)
    assert response.status_code == 200
    _, rows = read_csv(response)
    by_category = {
        (r["row"], r["column"]): r["value"] for r in rows if r["table"].startswith("Live services by category")
    }
    assert by_category[("Parenting", "Live services")] == "7"
    assert by_category[("Refuges", "Live services")] == "<5"
    refuge_values = [value for (row, _), value in by_category.items() if row == "Refuges"]
    assert "3" not in refuge_values
    assert all(value in ("<5", "[c]", "–", "0") for value in refuge_values), by_category  # zero is no secret


# --- Open data ----------------------------------------------------------------------------


def test_the_open_data_is_oruk_services_without_confidential_locations(commissioner, signed_in):
    refuge = ServicePageFactory(title="Wearside Women's Refuge", locations=[confidential_location()])
    mixed = ServicePageFactory(title="Outreach", locations=[public_location(), confidential_location(name="Safe flat")])
    response = signed_in(commissioner).get(reverse("insights:open_data"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    text = response.content.decode()
    services = json.loads(text)
    assert isinstance(services, list)
    by_name = {service["name"]: service for service in services}
    assert {"Wearside Women's Refuge", "Outreach"} <= set(by_name)
    for service in services:
        uuid.UUID(service["id"])
        assert {"id", "name", "status", "service_at_locations", "organization"} <= set(service)
    assert by_name["Wearside Women's Refuge"]["service_at_locations"] == []
    assert len(by_name["Outreach"]["service_at_locations"]) == 1
    assert by_name["Outreach"]["id"] == str(mixed.oruk_id)
    assert by_name["Wearside Women's Refuge"]["id"] == str(refuge.oruk_id)
    for secret in (
        REFUGE_ADDRESS,
        REFUGE_POSTCODE,
        "Safe flat",
        "Safe house",
        f"{REFUGE_LAT}",
        f"{REFUGE_LNG}",
        "54.8937",
    ):
        assert secret not in text


def test_downloading_the_open_data_is_in_the_audit_log(commissioner, signed_in):
    signed_in(commissioner).get(reverse("insights:open_data"))
    event = AuditEvent.objects.get(action=AuditEvent.Action.EXPORT)
    assert (event.object_type, event.object_id) == ("insights.insight", "open-data")


def test_export_dates_in_the_filename_follow_the_period(fake, commissioner, signed_in):
    query = {**PERIOD, "date_to_day": "30", "date_to_month": "9", "date_to_year": "2025"}
    response = signed_in(commissioner).get(reverse("insights:export", kwargs={"slug": "early-help"}), query)
    end = datetime.date(2025, 9, 30)
    assert f"-to-{end:%Y-%m-%d}.csv" in response["Content-Disposition"]


def test_the_csv_says_which_filters_were_chosen_on_every_row(monkeypatch, commissioner, signed_in):
    monkeypatch.setattr(selectors, "DASHBOARDS", {"early-help": hand_built})
    monkeypatch.setattr(
        selectors,
        "filter_choices",
        lambda slug: {
            "areas": [("Sunderland West", "Sunderland West")],
            "levels": [(3, "Level 3")],
            "area_label": "Locality team area",
        },
    )
    query = {**PERIOD, "area": "Sunderland West", "level": "3"}
    response = signed_in(commissioner).get(reverse("insights:export", kwargs={"slug": "early-help"}), query)
    notes, rows = read_csv(response)
    assert {r["filters"] for r in rows} == {"Locality team area: Sunderland West · Level of need: Level 3"}
    assert notes  # the disclosure notes travel with the figures, as rows
    event = AuditEvent.objects.get(action=AuditEvent.Action.EXPORT)
    assert event.detail["summary"] == "Locality team area: Sunderland West · Level of need: Level 3"
    assert event.detail["filters"]["area"] == "Sunderland West"


def test_each_note_appears_once():
    from portal.insights import disclosure, exports
    from portal.insights.figures import Dashboard

    dashboard = Dashboard("early-help", "Early help", "a year", (), (), notes=(disclosure.primary_note(), "Own note."))
    notes = exports.notes(dashboard)
    assert notes.count(disclosure.primary_note()) == 1
    assert "Own note." in notes
