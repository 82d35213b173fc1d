"""The early help dashboard against the hand-computed world of conftest.py (period 1 January
to 31 March 2026). Figures are checked with the threshold at 1 (nothing hidden); the
suppression tests put it back to 5."""

from __future__ import annotations

import datetime

import pytest

from eh_assessments.models import Referral
from eh_assessments.rereferral import rereferrals_for_many
from portal.insights import selectors
from portal.insights.filters import Filters
from tests.insights.conftest import PERIOD, make_child, make_referral


def col(table, column):
    return [row.cells[table.columns.index(column)].display for row in table.rows]


def total(table, column):
    return table.cell("total", column).display


@pytest.fixture
def dash(world, no_suppression):
    return selectors.early_help(PERIOD)


def test_referrals_and_rereferrals_per_month(dash):
    t = dash.table("referrals")
    # Jan: r3 names B1 and B2 → 2, neither re-referred (B1's r0 of 9 Jan 2025 is 366 days
    #      before 10 Jan 2026, outside the window that starts on 10 Jan 2025).
    # Feb: r4 (B1, 5 weeks after r3: re), r5 (C1: first), r6 (C1, same day, recorded after r5: re) → 3, 2.
    # Mar: r2 (A1 on 1 March 2026, the anniversary of r1 on 1 March 2025: re) → 1, 1.
    assert [r.key for r in t.rows] == ["2026-01", "2026-02", "2026-03"]
    assert col(t, "Referrals") == ["2", "3", "1"]
    assert col(t, "Re-referrals") == ["0", "2", "1"]
    assert total(t, "Referrals") == "6"
    assert total(t, "Re-referrals") == "3"
    assert total(t, "Re-referral rate") == "50%"  # 3 of 6
    assert t.chart == "line"
    assert dash.headline("rereferral_rate").cell.display == "50%"
    assert dash.headline("referrals").cell.value == 6


def test_referrals_by_source(dash):
    t = dash.table("referrals_by_source")
    # school: r3 (2 children); gp: r4; health visitor: r5, r6; police: r2.
    assert t.cell("school", "Referrals").value == 2
    assert t.cell("gp", "Referrals").value == 1
    assert t.cell("health_visitor", "Referrals").value == 2
    assert t.cell("police", "Referrals").value == 1
    assert t.cell("other", "Referrals").display == "0"
    assert total(t, "Referrals") == "6"


def test_decisions_by_kind_count_effective_decisions_only(dash):
    t = dash.table("decisions")
    # Effective in the period: single agency, team around the family (recorded), step-up CIN,
    # step-down (approved). The pending closure, the rejected step-up to CP and the universal
    # decision of 31 December 2025 are not counted.
    assert t.cell("single_agency", "Decisions").value == 1
    assert t.cell("team_around_family", "Decisions").value == 1
    assert t.cell("step_up_cin", "Decisions").value == 1
    assert t.cell("step_down", "Decisions").value == 1
    assert t.cell("step_up_cp", "Decisions").value == 0
    assert t.cell("closure", "Decisions").value == 0
    assert t.cell("universal", "Decisions").value == 0
    assert total(t, "Decisions") == "4"


def test_step_up_and_step_down_per_month_and_flows(dash):
    steps = dash.table("steps")
    assert col(steps, "Step-up") == ["0", "1", "0"]  # 5 February
    assert col(steps, "Step-down") == ["0", "0", "1"]  # 10 March
    assert steps.columns == ("Step-up", "Step-down")  # no step-up + step-down "Total": one sum fewer to protect
    assert total(steps, "Step-up") == "1"
    flows = dash.table("flows")
    # Step-up of E1 (level 3) to level 4; step-down from child in need (level 4) to level 2.
    assert flows.cell("level-3", "To Level 4").value == 1
    assert flows.cell("level-4", "To Level 2").value == 1
    assert flows.cell("none", "Total").value == 0
    assert total(flows, "Total") == "2"
    assert flows.chart == "flow"


def test_closures_by_reason(dash):
    t = dash.table("closures")
    # Closed in the period: E1 (stepped up, 5 Feb), E2 (needs met, 31 Jan), E7 (moved away, 31 Mar).
    # E4 closes on 10 April; E8 and E9 in 2025.
    assert t.cell("stepped_up", "Episodes closed").value == 1
    assert t.cell("needs_met", "Episodes closed").value == 1
    assert t.cell("moved_away", "Episodes closed").value == 1
    assert total(t, "Episodes closed") == "3"


def test_assessment_timeliness(dash):
    t = dash.table("timeliness")
    # Jan: B's assessment submitted 15 Jan, target 20 Jan (within); its children's targets
    #      14 Jan (missed) and 16 Jan (met).
    # Feb: A's submitted on its target day (within), C's a day late; C1's own target 28 Feb met.
    # The assessment of 1 April and the one with no stored target are not counted.
    assert col(t, "Assessments submitted") == ["1", "2", "0"]
    assert col(t, "Within 45 working days") == ["1", "1", "0"]
    assert col(t, "Share within 45 working days") == ["100%", "50%", "–"]
    assert col(t, "Children with their own target") == ["2", "1", "0"]
    assert col(t, "Within the child's target") == ["1", "1", "0"]
    assert total(t, "Share within 45 working days") == "67%"  # 2 of 3
    assert total(t, "Share within the child's target") == "67%"  # 2 of 3
    assert dash.headline("within_45").cell.value == 66.7


def test_caseloads_at_the_end_of_the_period(dash):
    t = dash.table("caseloads")
    # Open at the end of 31 March 2026: E3 (South, L2), E4 (South, L3, closes 10 April),
    # E6 (North, L2, opened 31 March). E7 closed on 31 March; E5 awaits handover.
    labels = [r.label for r in t.rows]
    assert labels == ["North team", "South team"]
    assert [c.display for c in t.rows[0].cells] == ["0", "1", "0", "0", "1"]
    assert [c.display for c in t.rows[1].cells] == ["0", "1", "1", "0", "2"]
    assert total(t, "Total") == "3"
    assert t.title == "Caseloads on 31 March 2026"  # open episodes on the last day of the period
    assert dash.headline("caseload").hint == "On 31 March 2026"


def test_area_filter(world, no_suppression):
    north = selectors.early_help(Filters(PERIOD.date_from, PERIOD.date_to, area="North"))
    # North families: A and B. Referrals: r3 (2), r4 (1, re), r2 (1, re) → 4, 2 re.
    assert north.table("referrals").cell("total", "Referrals").value == 4
    assert north.table("referrals").cell("total", "Re-referrals").value == 2
    # Decisions on North families: single agency (B), team around the family (A), step-up (B).
    assert north.table("decisions").cell("total", "Decisions").value == 3
    # Closures of North team episodes: E1 and E2 (E7 has no team).
    assert north.table("closures").cell("total", "Episodes closed").value == 2
    assert [r.label for r in north.table("caseloads").rows] == ["North team"]
    south = selectors.early_help(Filters(PERIOD.date_from, PERIOD.date_to, area="South"))
    assert south.table("referrals").cell("total", "Referrals").value == 2
    assert south.table("timeliness").cell("total", "Assessments submitted").value == 1


def test_level_filter(world, no_suppression):
    level2 = selectors.early_help(Filters(PERIOD.date_from, PERIOD.date_to, level=2))
    # Decisions at level 2: single agency, step-down. Closures of level 2 episodes: E2.
    assert level2.table("decisions").cell("total", "Decisions").value == 2
    assert level2.table("closures").cell("total", "Episodes closed").value == 1
    assert level2.table("caseloads").cell("total", "Total").value == 2  # E3 and E6
    # Requests for help have no level: unchanged.
    assert level2.table("referrals").cell("total", "Referrals").value == 6


def test_date_filter(world, no_suppression):
    feb = selectors.early_help(Filters(datetime.date(2026, 2, 1), datetime.date(2026, 2, 28)))
    t = feb.table("referrals")
    assert [r.key for r in t.rows] == ["2026-02"]
    assert t.cell("total", "Referrals").value == 3
    # Caseload at the end of February: E1 closed 5 Feb; E3 (L2), E4 (L3), E7 (L4) open.
    assert feb.table("caseloads").cell("total", "Total").value == 3
    assert feb.period_label == "1 February 2026 to 28 February 2026"


def test_suppressed_dashboard(world, threshold_5):
    dash = selectors.early_help(PERIOD)
    t = dash.table("referrals")
    # Referrals 2, 3, 1 are all below 5: hidden. The total, 6, is shown (three hidden cells
    # in the column). Re-referrals total 3 is hidden, so the rate is not shown.
    assert col(t, "Referrals") == ["<5", "<5", "<5"]
    assert total(t, "Referrals") == "6"
    assert total(t, "Re-referrals") == "<5"
    assert total(t, "Re-referral rate") == "–"
    assert dash.headline("rereferral_rate").cell.value is None
    assert col(t, "Re-referrals")[0] == "0"  # zero is shown
    for section in dash.sections:
        for table in section.tables:
            for row in (*table.rows, *((table.total,) if table.total else ())):
                for cell in row.cells:
                    if cell.suppressed:
                        assert cell.value is None
                    if cell.value is not None and table.unit == "count" and isinstance(cell.value, int):
                        assert cell.value == 0 or cell.value >= 5


# --- The 12-month rule is rereferral.py's -------------------------------------------------------


@pytest.mark.parametrize(
    ("earlier", "later", "expected"),
    [
        (datetime.date(2025, 3, 1), datetime.date(2026, 3, 1), True),  # the anniversary counts
        (datetime.date(2025, 2, 28), datetime.date(2026, 3, 1), False),  # a day over
        (datetime.date(2024, 2, 29), datetime.date(2025, 2, 28), True),  # 29 Feb → 28 Feb next year
        (datetime.date(2027, 2, 28), datetime.date(2028, 2, 29), True),  # 29 Feb looks back to 28 Feb
        (datetime.date(2027, 2, 27), datetime.date(2028, 2, 29), False),
        (datetime.date(2027, 3, 1), datetime.date(2028, 2, 29), True),
        (datetime.date(2025, 12, 31), datetime.date(2026, 12, 31), True),
        (datetime.date(2025, 12, 30), datetime.date(2026, 12, 31), False),
    ],
)
def test_rereferral_edges_match_rereferral_py(db, no_suppression, earlier, later, expected):
    from eh_assessments.models import Family

    family = Family.objects.create()
    child = make_child(family, "Kim")
    sibling = make_child(family, "Lee")
    make_referral(family, [child], earlier)
    last = make_referral(family, [child, sibling], later)
    flags = rereferrals_for_many([last])
    by_rule = {f.child.pk for f in flags.get(last.pk, [])}
    links = selectors.rereferral_links(Filters(later, later))
    by_sql = {person for _, person, re in links if re}
    assert by_sql == by_rule
    assert (child.pk in by_sql) is expected
    assert sibling.pk not in by_sql  # per child: the sibling was not named before


def test_rereferral_matches_rereferral_py_for_every_family(world, no_suppression):
    wide = Filters(datetime.date(2024, 1, 1), datetime.date(2026, 12, 31))
    referrals = list(Referral.objects.all())
    flags = rereferrals_for_many(referrals)
    expected = {(pk, f.child.pk) for pk, fs in flags.items() for f in fs}
    got = {(ref, person) for ref, person, re in selectors.rereferral_links(wide) if re}
    assert got == expected
    assert len(expected) == 3
