"""The outcomes dashboard against conftest.py's world (threshold 1 unless said).

Closed in the period with scores: E2 (North, level 2) and E1 (North, level 3); E7 has a start
scoring only, E4 closes after the period.

* E2: start 4 (family 3) in every area; review 5 (no family score); closure 6 in every area
  but domestic abuse, 3 (family 5). Practitioner change +2 in nine areas, −1 in domestic
  abuse: sum +17, improved. Family change 5 − 3 = +2 everywhere.
* E1: start 5 (no family score); review 4 (family 6). Change −1 everywhere: sum −10, not
  improved. The family scored once only: no family change.

Sustained checks in the period: E8 (North, level 2, sustained), E9 (South, level 3, not).
Plans: E2 used the IDVA service and the parenting course (twice: counted once); E1 the
parenting course; E8 the IDVA service.
"""

from __future__ import annotations

import pytest

from portal.insights import selectors
from portal.insights.filters import Filters
from tests.insights.conftest import PERIOD


def cells(table, key):
    for row in table.rows:
        if row.key == key:
            return dict(zip(table.columns, (c.display for c in row.cells), strict=True))
    raise KeyError(key)


@pytest.fixture
def dash(world, no_suppression):
    return selectors.outcomes(PERIOD)


def test_distance_travelled_per_area(dash):
    t = dash.table("distance")
    assert cells(t, "education") == {
        "Families scored": "2",
        "Improved": "1",
        "Share improved": "50%",
        "Average change (practitioner)": "+0.5",  # (+2 − 1) / 2
        "Average change (family)": "+2.0",  # E2 only
    }
    assert cells(t, "domestic_abuse")["Average change (practitioner)"] == "-1.0"  # (−1 − 1) / 2
    assert cells(t, "domestic_abuse")["Improved"] == "0"
    assert t.cell("education", "Average change (practitioner)").value == 0.5


def test_families_improving_and_sustained(dash):
    overall = dash.table("families")
    assert cells(overall, "all") == {
        "Families": "2",
        "Improved": "1",
        "Share improved": "50%",
        "Average change (practitioner)": "+0.3",  # E2 +17 / 10 areas, E1 −1: (1.7 − 1) / 2 = 0.35
        "Average change (family)": "+2.0",  # E2 only (E1's family scored once)
        "Sustained checks": "2",
        "Sustained": "1",
        "Share sustained": "50%",
    }
    assert dash.headline("improving").cell.value == 50.0
    assert dash.headline("sustained").cell.value == 50.0


def test_by_service_domestic_abuse_first(world, dash):
    t = dash.table("by_service")
    assert t.page_rows == 25  # a council's 2,000 services: the page shows the first 25, the CSV all
    da, parenting = world.services["da"], world.services["parenting"]
    assert [r.key for r in t.rows] == [f"service-{da.pk}", f"service-{parenting.pk}"]
    assert cells(t, f"service-{da.pk}") == {
        "Families": "1",  # E2
        "Improved": "1",
        "Share improved": "100%",
        "Average change (practitioner)": "+1.7",  # (9 × 2 − 1) / 10 areas
        "Average change (family)": "+2.0",
        "Sustained checks": "1",  # E8
        "Sustained": "1",
        "Share sustained": "100%",
    }
    assert cells(t, f"service-{parenting.pk}")["Families"] == "2"  # E2 (once), E1
    assert cells(t, f"service-{parenting.pk}")["Share sustained"] == "–"  # no checks


def test_by_category(world, dash):
    t = dash.table("by_category")
    da, idva, parenting = world.terms["Domestic abuse"], world.terms["IDVA"], world.terms["Parenting"]
    # A category row counts the services in it or in the categories under it, as the category
    # filter does: "Domestic abuse" has no service of its own but takes in IDVA's.
    assert [r.key for r in t.rows] == [f"category-{da.pk}", f"category-{idva.pk}", f"category-{parenting.pk}"]
    assert cells(t, f"category-{da.pk}") == cells(t, f"category-{idva.pk}")
    assert cells(t, f"category-{idva.pk}")["Families"] == "1"
    assert cells(t, f"category-{idva.pk}")["Average change (practitioner)"] == "+1.7"
    assert cells(t, f"category-{parenting.pk}")["Improved"] == "1"
    filtered = selectors.outcomes(Filters(PERIOD.date_from, PERIOD.date_to, category=da.pk))
    assert cells(filtered.table("families"), "all")["Families"] == cells(t, f"category-{da.pk}")["Families"]


def test_overall_table_headers_are_distinct(dash):
    t = dash.table("families")
    assert t.row_header not in t.columns
    assert len(set(t.columns)) == len(t.columns)


def test_charts_draw_the_average_change_not_the_count(world, dash):
    from portal.insights.figures import Unit

    for key in ("distance", "by_service", "by_category"):
        t = dash.table(key)
        assert t.chart_columns == ("Average change (practitioner)", "Average change (family)"), key
        assert t.chart_unit == Unit.SCORE
        assert all(c in t.columns for c in t.chart_columns)
    da = world.services["da"]
    assert dash.table("by_service").cell(f"service-{da.pk}", "Average change (practitioner)").value == 1.7


def test_small_services_rolled_into_one_row(world, settings):
    settings.INSIGHTS_SUPPRESSION_THRESHOLD = 2
    t = selectors.outcomes(PERIOD).table("by_service")
    parenting = world.services["parenting"]
    # The parenting course has 2 scored families (E2, E1): listed. The IDVA service has 1 (E2):
    # not listed by name, but counted in the one row for the rest.
    assert [r.key for r in t.rows] == [f"service-{parenting.pk}", "other"]
    assert t.rows[-1].label == "Other services (fewer than 2 families each)"
    assert world.services["da"].title not in [r.label for r in t.rows]
    assert cells(t, "other")["Families"] == "<2"  # E2 only
    assert cells(t, "other")["Sustained checks"] == "<2"  # E8 only
    assert cells(t, f"service-{parenting.pk}")["Families"] == "2"


def test_services_at_the_threshold_listed_domestic_abuse_first(world, no_suppression):
    # With the threshold at 1 every service used by a scored family is listed, none rolled up.
    t = selectors.outcomes(PERIOD).table("by_service")
    assert "other" not in [r.key for r in t.rows]
    assert t.rows[0].key == f"service-{world.services['da'].pk}"


def test_service_and_category_filters(world, no_suppression):
    by_service = selectors.outcomes(Filters(PERIOD.date_from, PERIOD.date_to, service=world.services["parenting"].pk))
    # Families whose plan used the parenting course: E2 and E1; no sustained check (E8 used IDVA).
    assert cells(by_service.table("families"), "all")["Families"] == "2"
    assert cells(by_service.table("families"), "all")["Sustained checks"] == "0"
    # The domestic abuse category includes the terms under it (IDVA): E2, and E8's check.
    da = selectors.outcomes(Filters(PERIOD.date_from, PERIOD.date_to, category=world.terms["Domestic abuse"].pk))
    assert cells(da.table("families"), "all") == {
        "Families": "1",
        "Improved": "1",
        "Share improved": "100%",
        "Average change (practitioner)": "+1.7",
        "Average change (family)": "+2.0",
        "Sustained checks": "1",
        "Sustained": "1",
        "Share sustained": "100%",
    }
    both = selectors.outcomes(
        Filters(
            PERIOD.date_from, PERIOD.date_to, service=world.services["parenting"].pk, category=world.terms["IDVA"].pk
        )
    )
    assert cells(both.table("families"), "all")["Families"] == "0"


def test_area_and_level_filters(world, no_suppression):
    south = selectors.outcomes(Filters(PERIOD.date_from, PERIOD.date_to, area="South"))
    assert cells(south.table("families"), "all")["Families"] == "0"  # E7 has no team
    assert cells(south.table("families"), "all")["Sustained checks"] == "1"  # E9
    assert cells(south.table("families"), "all")["Sustained"] == "0"
    level2 = selectors.outcomes(Filters(PERIOD.date_from, PERIOD.date_to, level=2))
    assert cells(level2.table("families"), "all")["Families"] == "1"  # E2
    assert cells(level2.table("families"), "all")["Sustained checks"] == "1"  # E8
    assert cells(level2.table("distance"), "education")["Average change (practitioner)"] == "+2.0"


def test_suppressed_outcomes(world, threshold_5):
    dash = selectors.outcomes(PERIOD)
    t = dash.table("distance")
    # Two families scored: below 5, hidden; averages of fewer than 5 not shown.
    assert cells(t, "education")["Families scored"] == "<5"
    assert cells(t, "education")["Average change (practitioner)"] == "–"
    assert t.cell("education", "Average change (practitioner)").value is None
    assert dash.headline("improving").cell.value is None
    assert dash.headline("families").cell.display == "<5"


def test_distance_matches_outcomes_py(world, dash):
    from eh_assessments.models_casework import OutcomeRecord
    from eh_assessments.outcomes import AREA_CODES, distance_travelled

    per_episode = []
    for key in ("E1", "E2"):
        records = OutcomeRecord.objects.filter(episode=world.episodes[key]).prefetch_related("scores")
        per_episode.append({d.area: d for d in distance_travelled(records)})
    t = dash.table("distance")
    for code in AREA_CODES:
        practitioner = [d[code].practitioner for d in per_episode if d[code].practitioner is not None]
        family = [d[code].family for d in per_episode if d[code].family is not None]
        assert t.cell(code, "Average change (practitioner)").value == round(sum(practitioner) / len(practitioner), 1)
        assert t.cell(code, "Average change (family)").value == round(sum(family) / len(family), 1)
        assert t.cell(code, "Families scored").value == len(practitioner)


def test_services_are_ordered_domestic_abuse_first_then_by_families_shown():
    from portal.insights.figures import Cell, Row, Table

    def row(key, label, families, suppressed=False):
        cell = Cell(None, "<5", True) if suppressed else Cell(families, str(families))
        return Row(label, (cell,), key=key)

    table = Table(
        "by_service",
        "Outcomes by service",
        "Service",
        ("Families",),
        (
            row("other", "Other services", 40),
            row("service-1", "Alpha", 10),
            row("service-2", "Beta", 30),
            row("service-3", "Refuge", 5),
            row("service-4", "Gamma", 0, suppressed=True),
            row("service-5", "Delta", 30),
        ),
    )
    ordered = selectors._most_families_first(table, {"service-3"})
    # The domestic abuse service, then most families (ties by name), a hidden count last, "other" at the end.
    assert [r.key for r in ordered.rows] == ["service-3", "service-2", "service-5", "service-1", "service-4", "other"]


def test_the_outcomes_dashboard_pauses_the_garbage_collector_only_while_it_runs(world, monkeypatch):
    import gc

    seen = []
    real = selectors._outcome_figures

    def spy(filters):
        seen.append(gc.isenabled())
        return real(filters)

    monkeypatch.setattr(selectors, "_outcome_figures", spy)
    assert gc.isenabled()
    selectors.outcomes(PERIOD)
    assert seen == [False] and gc.isenabled()
    # An error inside still turns it back on.
    monkeypatch.setattr(selectors, "_outcome_figures", lambda filters: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        selectors.outcomes(PERIOD)
    assert gc.isenabled()
