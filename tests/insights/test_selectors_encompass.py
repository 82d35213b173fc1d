"""The Operation Encompass dashboard against conftest.py's world (threshold 1 unless said).

In the period: N1 (10 Jan 09:00): a primary pupil acknowledged at 11:00 (2 hours, on time) and
a secondary pupil at 10:30 on 12 Jan (49.5 hours, after the 08:30 deadline). N2 (3 Feb 12:00):
a triage child never acknowledged (overdue now) and a primary pupil at 16:00 (4 hours, on
time). N3 (2 Mar 08:00): a secondary pupil at 14:00 (6 hours, on time). N0 (20 Dec) is before.
"""

from __future__ import annotations

import datetime

import pytest

from portal.insights import selectors
from portal.insights.filters import Filters
from tests.insights.conftest import PERIOD


def col(table, column):
    return [row.cells[table.columns.index(column)].display for row in table.rows]


@pytest.fixture
def dash(world, no_suppression):
    return selectors.encompass(PERIOD)


def test_notifications_per_month(dash):
    t = dash.table("notifications")
    assert col(t, "Notified children") == ["2", "2", "1"]
    assert col(t, "Acknowledged by the deadline") == ["1", "1", "1"]
    assert col(t, "Overdue now") == ["0", "1", "0"]
    # Medians: January (2 + 49.5) / 2 = 25.75; February 4; March 6.
    assert col(t, "Median hours to acknowledgement") == ["25.8 hours", "4.0 hours", "6.0 hours"]
    assert t.cell("total", "Notified children").value == 5
    assert t.cell("total", "Share acknowledged by the deadline").display == "60%"  # 3 of 5
    # The median of 2, 4, 6, 49.5 is (4 + 6) / 2 = 5.
    assert t.cell("total", "Median hours to acknowledgement").value == 5.0
    assert dash.headline("overdue").cell.value == 1
    assert dash.headline("median_hours").cell.display == "5.0 hours"


def test_by_school_phase(dash):
    t = dash.table("by_phase")
    assert t.cell("primary", "Notified children").value == 2
    assert t.cell("secondary", "Notified children").value == 2
    assert t.rows[-1].label.startswith("Triage")
    assert t.rows[-1].cells[0].value == 1
    assert t.cell("total", "Notified children").value == 5


def test_area_is_the_schools_postcode_district(world, no_suppression):
    sr4 = selectors.encompass(Filters(PERIOD.date_from, PERIOD.date_to, area="SR4"))
    t = sr4.table("notifications")
    # Hill Primary (SR4 1AA): the January and February primary pupils, both on time.
    assert col(t, "Notified children") == ["1", "1", "0"]
    assert t.cell("total", "Share acknowledged by the deadline").display == "100%"
    assert selectors.filter_choices("encompass") == {
        "areas": [("SR1", "SR1"), ("SR4", "SR4")],
        "area_label": "School postcode district",
    }


def test_suppressed_encompass(world, threshold_5):
    dash = selectors.encompass(PERIOD)
    t = dash.table("notifications")
    assert col(t, "Notified children") == ["<5", "<5", "<5"]
    assert t.cell("total", "Notified children").display == "5"
    assert t.cell("total", "Median hours to acknowledgement").display == "–"  # 4 acknowledged: fewer than 5
    assert dash.headline("on_time").cell.value is None  # 3 on time: hidden, so no share


def test_deadline_described_in_words_not_code(dash):
    t = dash.table("notifications")
    assert "notify_by" not in t.description
    assert "first school day after the incident" in t.description


def test_chart_draws_the_counts_not_the_median_hours(dash):
    t = dash.table("notifications")
    assert t.chart_columns == ("Notified children", "Acknowledged by the deadline", "Overdue now")
    assert "Median hours to acknowledgement" in t.columns  # still in the table and the export


def test_months_before_the_retention_horizon_are_marked_incomplete(world, no_suppression, settings):
    # Acknowledged notifications are deleted after RETENTION_ENCOMPASS_DAYS: with the horizon on
    # 10 February, January and February are partly purged, and the page says so.
    from django.utils import timezone

    settings.RETENTION_ENCOMPASS_DAYS = (timezone.localdate() - datetime.date(2026, 2, 10)).days
    dash = selectors.encompass(PERIOD)
    t = dash.table("notifications")
    assert [row.label for row in t.rows[:3]] == [
        "January 2026 (incomplete)",
        "February 2026 (incomplete)",
        "March 2026",
    ]
    assert any("figures for days before 10 February 2026 are incomplete" in note for note in dash.notes)
    # A period inside the retention period is not marked.
    settings.RETENTION_ENCOMPASS_DAYS = (timezone.localdate() - datetime.date(2025, 12, 1)).days
    dash = selectors.encompass(PERIOD)
    assert [row.label for row in dash.table("notifications").rows[:3]] == [
        "January 2026",
        "February 2026",
        "March 2026",
    ]
    assert not any("retention" in note for note in dash.notes)
