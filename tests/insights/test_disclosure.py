"""Disclosure control (DESIGN.md §4; ADR 0014): primary and secondary suppression, shares,
averages and medians, free text. No database needed."""

from __future__ import annotations

import itertools
import random

import pytest

from portal.insights import disclosure as dc
from portal.insights.disclosure import Count, Share, Stat
from portal.insights.figures import Unit

pytestmark = pytest.mark.usefixtures("threshold_5")


def displays(table):
    rows = [*table.rows, *((table.total,) if table.total else ())]
    return [[c.display for c in r.cells] for r in rows]


def hidden(table):
    rows = [*table.rows, *((table.total,) if table.total else ())]
    return [[c.suppressed for c in r.cells] for r in rows]


def rows(n):
    return [(f"r{i}", f"Row {i}") for i in range(n)]


# --- Cells -------------------------------------------------------------------------------------


def test_primary_suppression_hides_1_to_4_and_shows_zero_and_5():
    t = dc.table("t", "T", "Row", rows(6), [Count("N", [0, 1, 4, 5, 20, 30])], column_totals=False)
    assert displays(t) == [["0"], ["<5"], ["<5"], ["5"], ["20"], ["30"]]
    for row in t.rows:
        cell = row.cells[0]
        assert (cell.value is None) == cell.suppressed  # a suppressed cell carries no number


def test_threshold_is_configurable(settings):
    settings.INSIGHTS_SUPPRESSION_THRESHOLD = 10
    t = dc.table("t", "T", "Row", rows(3), [Count("N", [9, 10, 0])], column_totals=False)
    assert displays(t) == [["<10"], ["10"], ["0"]]
    assert "1 to 9" in t.notes[0]


def test_share_hidden_on_small_or_suppressed_counts():
    assert dc.share_cell(3, 4).display == "–"  # denominator below the threshold
    assert dc.share_cell(3, 4).value is None
    assert dc.share_cell(0, 0).display == "–"
    assert dc.share_cell(5, 10).display == "50%"
    assert dc.share_cell(5, 10).value == 50.0
    assert dc.share_cell(6, 10, suppressed=True).value is None
    assert dc.share_cell(2, 3).suppressed is False  # not shown, but not a hidden count either


def test_average_and_median_need_threshold_observations():
    assert dc.stat_cell(1.25, 4).display == "–"
    assert dc.stat_cell(1.25, 4).value is None
    assert dc.stat_cell(1.25, 5).display == "+1.2"  # one decimal (banker's rounding of 1.25)
    assert dc.stat_cell(-1.0, 5).display == "-1.0"  # always one decimal: "-1.0" beside "-1.2"
    assert dc.stat_cell(2, 5).display == "+2.0"
    assert dc.stat_cell(0, 5).display == "0.0"
    assert dc.stat_cell(7.8, 5, Unit.HOURS).display == "7.8 hours"
    assert dc.stat_cell(4, 5, Unit.HOURS).display == "4.0 hours"
    assert dc.stat_cell(12, 5, Unit.DAYS).display == "12.0 days"
    assert dc.stat_cell(25.75, 5, Unit.HOURS).display == "25.8 hours"
    assert dc.stat_cell(None, 50).display == "–"


def test_frequent_terms_drop_rare_free_text():
    terms = [("food bank", 12), ("jane smith 07700 900123", 1), ("refuge", 5), ("x", 4)]
    assert dc.frequent_terms(terms) == [("food bank", 12), ("refuge", 5)]


# --- Secondary suppression ---------------------------------------------------------------------


def test_one_dimensional_series_with_total_hides_a_second_cell():
    # 3 is hidden; the total 33 would give it away (33 - 10 - 20), so the next smallest
    # non-zero cell (10) is hidden too. The zero stays shown.
    t = dc.table("t", "T", "Row", rows(4), [Count("N", [3, 10, 20, 0])])
    assert displays(t) == [["<5"], ["[c]"], ["20"], ["0"], ["33"]]
    assert t.rows[1].cells[0].value is None


def test_two_small_cells_in_a_series_need_no_more():
    t = dc.table("t", "T", "Row", rows(3), [Count("N", [3, 2, 20])])
    assert displays(t) == [["<5"], ["<5"], ["20"], ["25"]]


def test_row_and_column_totals_cascade():
    # Team × level with row and column totals:
    #            L1  L2  L3 | total
    #   A         2  10  12 |  24
    #   B         8   9  30 |  47
    #   total    10  19  42 |  71
    # Primary: A/L1 (2). Row A holds one hidden cell → hide A's next smallest, L2 (10).
    # Column L1 holds one hidden cell → hide B/L1 (8). Column L2 now holds A/L2 alone
    # → hide B/L2 (9). Row B now holds two (8, 9): stable. Every line has 0 or ≥2 hidden.
    t = dc.table(
        "t",
        "T",
        "Team",
        [("a", "A"), ("b", "B")],
        [Count("L1", [2, 8]), Count("L2", [10, 9]), Count("L3", [12, 30])],
        row_total="Total",
    )
    assert displays(t) == [
        ["<5", "[c]", "12", "24"],
        ["[c]", "[c]", "30", "47"],
        ["10", "19", "42", "71"],
    ]
    assert_no_line_with_one_hidden(t, rows_have_total=True)


def test_suppressing_a_total_counts():
    # Row [1, 0, 0] with total 1: the cell and the total are both hidden (two in the line).
    t = dc.table("t", "T", "Team", [("a", "A")], [Count("L1", [1]), Count("L2", [0])], row_total="Total")
    assert displays(t)[0] == ["<5", "0", "<5"]
    # The column lines: L1 = [1 | total 1] both hidden; L2 = [0 | 0].
    assert displays(t)[1] == ["<5", "0", "<5"]


def test_part_of_a_whole_protects_the_remainder():
    # Referrals 20, re-referrals 17: the remainder 3 (not re-referred) would be revealed by
    # subtraction, so the pair is hidden (the smaller of the two visible, 17) and the rate too.
    t = dc.table(
        "t",
        "T",
        "Month",
        [("m1", "M1"), ("m2", "M2")],
        [Count("Referrals", [20, 30]), Count("Re", [17, 10], part_of="Referrals"), Share("Rate", "Re", "Referrals")],
    )
    m1 = t.rows[0].cells
    assert m1[1].suppressed and m1[1].value is None
    assert m1[2].display == "–"
    # The column of re-referrals now holds one hidden cell: M2's 10 goes too (smaller than 27).
    assert t.rows[1].cells[1].suppressed
    assert t.total.cells[0].display == "50"
    for row in (*t.rows, t.total):
        for cell in row.cells:
            assert cell.value is None or not cell.suppressed


def test_stat_column_totals_and_notes():
    t = dc.table(
        "t",
        "T",
        "Area",
        rows(2),
        [Count("n", [5, 4], in_row_total=False), Stat("Average", [1.5, 2.0], [5, 4], total=(1.7, 9))],
        column_totals=True,
    )
    assert [r.cells[1].display for r in t.rows] == ["+1.5", "–"]
    assert t.total.cells[1].display == "+1.7"
    assert any("average" in n.lower() for n in t.notes)


def assert_no_line_with_one_hidden(table, *, rows_have_total: bool):
    grid = hidden(table)
    if rows_have_total:
        for row in grid:
            assert sum(row) != 1, grid
    for col in zip(*grid, strict=True):
        assert sum(col) != 1, grid


@pytest.mark.parametrize("seed", range(40))
def test_random_tables_never_leave_one_hidden_cell_in_a_line(seed):
    rng = random.Random(seed)
    n_rows, n_cols = rng.randint(1, 6), rng.randint(1, 5)
    values = [[rng.choice([0, 0, 1, 2, 3, 4, 5, 6, 9, 15, 40]) for _ in range(n_rows)] for _ in range(n_cols)]
    t = dc.table("t", "T", "Row", rows(n_rows), [Count(f"c{j}", v) for j, v in enumerate(values)], row_total="Total")
    assert_no_line_with_one_hidden(t, rows_have_total=True)
    # Primary suppression: every 1–4 count is hidden; every hidden cell has no value.
    for i, j in itertools.product(range(n_rows), range(n_cols)):
        cell = t.rows[i].cells[j]
        if 0 < values[j][i] < 5:
            assert cell.suppressed
        if cell.suppressed:
            assert cell.value is None and cell.display in ("<5", "[c]")
        else:
            assert cell.value == values[j][i]


def test_suppress_on_a_grid_directly():
    # A line [4, 6, 10]: 4 hidden → 6 hidden (smallest other non-zero); the total stays.
    mask = dc.suppress([[4, 6, 10]], [[(0, 0), (0, 1), (0, 2)]])
    assert mask == [[True, True, False]]
    # A line [4, 0, 4]: the total is itself small: two hidden, nothing more.
    assert dc.suppress([[4, 0, 4]], [[(0, 0), (0, 1), (0, 2)]]) == [[True, False, True]]


@pytest.mark.parametrize("seed", range(40))
def test_random_tables_with_parts_leave_no_hidden_cell_to_solve_for(seed):
    # Beyond the single-line rule: adding and subtracting any lines never isolates a hidden cell.
    from tests.insights.test_early_help_joint import worked_out

    rng = random.Random(seed)
    n_rows = rng.randint(1, 6)
    small = [0, 0, 1, 2, 3, 4, 5, 6, 9, 15, 40]
    a = [rng.choice(small) for _ in range(n_rows)]
    b = [rng.choice(small) for _ in range(n_rows)]
    part = [rng.randint(0, x) for x in a]
    t = dc.table(
        "t", "T", "Row", rows(n_rows), [Count("a", a), Count("p", part, part_of="a"), Count("b", b)], row_total="Total"
    )
    assert worked_out([t], meaning={"t": (["a", "p", "b"], [("p", "a")], "Total")}, shared=[]) == {}


def test_suppress_cells_solves_lines_together():
    # Three small cells 4, 3, 2 in lines 4+3=7, 3+2=5, 4+2=6: every line holds two hidden cells,
    # so the single-line rule is content, yet (7 + 6 − 5) / 2 = 4. One more total must go.
    values = [4, 3, 2, 7, 5, 6]
    lines = [[0, 1, 3], [1, 2, 4], [0, 2, 5]]
    mask = dc.suppress_cells(values, lines)
    assert mask[:3] == [True, True, True]
    assert any(mask[3:])
    # Solving by hand with what is still shown: no hidden cell is determined any more.
    shown = {k: values[k] for k in range(6) if not mask[k]}
    assert not (3 in shown and 4 in shown and 5 in shown)


# --- Rounding (INSIGHTS_ROUND_TO) ---------------------------------------------------------------


@pytest.mark.parametrize(("n", "shown"), [(0, "0"), (5, "5"), (7, "5"), (8, "10"), (13, "15"), (1234, "1,235")])
def test_counts_are_rounded_to_the_nearest_five(settings, n, shown):
    settings.INSIGHTS_ROUND_TO = 5
    cell = dc.count_cell(n, suppressed=0 < n < 5)
    assert cell.display == shown
    assert cell.value == int(shown.replace(",", ""))


def test_rounding_is_said_in_the_note_and_off_at_one(settings):
    settings.INSIGHTS_ROUND_TO = 5
    assert "rounded to the nearest 5" in dc.primary_note()
    settings.INSIGHTS_ROUND_TO = 1
    assert "rounded" not in dc.primary_note()
    assert dc.count_cell(13, suppressed=False).display == "13"


def _candidates(shown: int, base: int = 5) -> range:
    """Every true count a rounded display could stand for."""
    return range(max(shown - base // 2, 0), shown + base // 2 + 1)


def test_two_views_cannot_be_subtracted_to_recover_a_hidden_count(settings):
    # The leak a reviewer found with exact counts: the whole page hides step-ups (3) and shows
    # step-ups + step-downs (16); a view filtered to level 2 shows the step-downs (13); so
    # step-ups = 16 - 13 = 3. Rounded, the two views say 15 and 15, which fits step-ups of 1, 2, 3
    # or 4 (and none): the hidden count stays hidden.
    settings.INSIGHTS_ROUND_TO = 5
    total = dc.count_cell(16, suppressed=False)
    step_downs = dc.count_cell(13, suppressed=False)
    step_ups = dc.count_cell(3, suppressed=True)
    assert step_ups.value is None
    possible = {
        t - d
        for t in _candidates(total.value)
        for d in _candidates(step_downs.value)
        if 0 < t - d < 5  # what the reader knows: the hidden count is 1 to 4
    }
    assert possible == {1, 2, 3, 4}
