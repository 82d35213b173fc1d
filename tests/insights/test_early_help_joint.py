"""The early help dashboard solved as a whole (ADR 0014): no hidden count on the page can be
worked out by adding and subtracting what the page shows, across all its tables and headlines.

The checker below knows only what a reader knows: what each table means (which columns add up
to which total, which count is a part of which) and which quantities two tables share (decisions
by outcome, step-up and step-down by month and the flows count the same step decisions; referrals
by month and by source count the same children). It writes those sums as equations, puts in every
figure shown, and solves for the hidden ones exactly (rational Gaussian elimination)."""

from __future__ import annotations

import datetime
import random
from fractions import Fraction

import pytest

from eh_assessments.models import SOURCE_AGENCY_CHOICES, Family
from eh_assessments.models_casework import Decision, Episode
from portal.insights import disclosure as dc
from portal.insights import selectors
from portal.insights.disclosure import Count
from tests.factories import TeamFactory, UserFactory
from tests.insights.conftest import PERIOD, at, make_child, make_referral

T = dc.TOTAL_KEY
LEVEL_COLUMNS = ["Level 1", "Level 2", "Level 3", "Level 4"]
# What each early help table means: its count columns, its parts (part, whole), its row total.
MEANING = {
    "referrals": (["Referrals", "Re-referrals"], [("Re-referrals", "Referrals")], None),
    "referrals_by_source": (["Referrals"], [], None),
    "decisions": (["Decisions"], [], None),
    "steps": (["Step-up", "Step-down"], [], None),
    "flows": ([f"To {c}" for c in LEVEL_COLUMNS], [], "Total"),
    "closures": (["Episodes closed"], [], None),
    "timeliness": (
        [
            "Assessments submitted",
            "Within 45 working days",
            "Children with their own target",
            "Within the child's target",
        ],
        [
            ("Within 45 working days", "Assessments submitted"),
            ("Within the child's target", "Children with their own target"),
        ],
        None,
    ),
    "caseloads": (LEVEL_COLUMNS, [], "Total"),
}
# Quantities two tables share (the last is the sum of the others), as a reader can see them.
SHARED = [
    [("decisions", "step_up_cin", "Decisions"), ("decisions", "step_up_cp", "Decisions"), ("steps", T, "Step-up")],
    [("decisions", "step_down", "Decisions"), ("steps", T, "Step-down")],
    [("steps", T, "Step-up"), ("steps", T, "Step-down"), ("flows", T, "Total")],
    [("referrals", T, "Referrals"), ("referrals_by_source", T, "Referrals")],
]


def equations(tables, meaning, shared):
    """Each sum a reader knows, as {variable: coefficient} = 0. Variables are (table, row key,
    column) and, for a part, ("rest", table, row key, part): the remainder no table shows."""
    eqs = []
    for t in tables:
        counts, parts, row_total = meaning[t.key]
        keys = [r.key for r in t.rows]
        for k in [*keys, *([T] if t.total else [])]:
            if row_total:
                additive = [c for c in counts if c not in {p for p, _ in parts}]
                eqs.append({**{(t.key, k, c): 1 for c in additive}, (t.key, k, row_total): -1})
            for part, whole in parts:
                eqs.append({(t.key, k, part): 1, ("rest", t.key, k, part): 1, (t.key, k, whole): -1})
        if t.total:
            for c in counts + ([row_total] if row_total else []):
                eqs.append({**{(t.key, k, c): 1 for k in keys}, (t.key, T, c): -1})
            for part, _ in parts:
                eqs.append({**{("rest", t.key, k, part): 1 for k in keys}, ("rest", t.key, T, part): -1})
    present = {t.key for t in tables}
    for line in shared:
        if not {key for key, _, _ in line} <= present:
            continue
        eq: dict = {}
        for i, ref in enumerate(line):
            eq[ref] = eq.get(ref, 0) + (-1 if i == len(line) - 1 else 1)
        eqs.append(eq)
    return eqs


def worked_out(tables, meaning=MEANING, shared=SHARED):
    """The hidden counts a reader can work out exactly: {(table, row key, column): value}."""
    by_key = {t.key: t for t in tables}

    def cell(var):
        if var[0] == "rest":
            return None
        return by_key[var[0]].cell(var[1], var[2])

    rows = []  # over the unknowns: ({unknown: coef}, constant)
    for eq in equations(tables, meaning, shared):
        unknown, constant = {}, Fraction(0)
        for var, coef in eq.items():
            c = cell(var)
            if c is None or c.suppressed:
                unknown[var] = unknown.get(var, 0) + coef
            else:
                assert isinstance(c.value, int), (var, c)
                constant -= coef * c.value
        unknown = {v: Fraction(k) for v, k in unknown.items() if k}
        if unknown:
            rows.append((unknown, constant))
    variables = sorted({v for u, _ in rows for v in u}, key=repr)
    matrix = [[u.get(v, Fraction(0)) for v in variables] + [b] for u, b in rows]
    # Reduced row echelon form: an unknown is determined when a row holds it alone.
    pivot_row = 0
    for col in range(len(variables)):
        found = next((r for r in range(pivot_row, len(matrix)) if matrix[r][col]), None)
        if found is None:
            continue
        matrix[pivot_row], matrix[found] = matrix[found], matrix[pivot_row]
        lead = matrix[pivot_row][col]
        matrix[pivot_row] = [x / lead for x in matrix[pivot_row]]
        for r in range(len(matrix)):
            if r != pivot_row and matrix[r][col]:
                f = matrix[r][col]
                matrix[r] = [a - f * b for a, b in zip(matrix[r], matrix[pivot_row], strict=True)]
        pivot_row += 1
    found = {}
    for row in matrix[:pivot_row]:
        nonzero = [i for i, x in enumerate(row[:-1]) if x]
        if len(nonzero) == 1 and variables[nonzero[0]][0] != "rest":
            found[variables[nonzero[0]]] = row[-1]
    return found


# --- The reviewer's page, without a database -------------------------------------------------------

KINDS = [
    "universal",
    "single_agency",
    "team_around_family",
    "step_up_cin",
    "step_up_cp",
    "step_down",
    "closure",
    "reopen",
]
MONTHS = [("2026-01", "January 2026"), ("2026-02", "February 2026"), ("2026-03", "March 2026")]


def decision_specs():
    """The reviewer's figures: step-down 13, step-up (CIN) 3, re-open 8, 217 decisions."""
    kinds = [60, 70, 60, 3, 0, 13, 3, 8]
    flows = {"none": [0, 0, 0, 1], "level-1": [0, 0, 0, 0], "level-2": [0, 0, 0, 0], "level-3": [0, 0, 0, 2]}
    flows["level-4"] = [0, 9, 4, 0]  # the step-downs: from child in need to level 2 or 3
    return [
        dc.Spec("decisions", "Decisions", "Decision", [(k, k) for k in KINDS], [Count("Decisions", kinds)]),
        dc.Spec("steps", "Steps", "Month", MONTHS, [Count("Step-up", [0, 3, 0]), Count("Step-down", [5, 4, 4])]),
        dc.Spec(
            "flows",
            "Flows",
            "From",
            [(k, k) for k in flows],
            [Count(f"To {c}", [v[i] for v in flows.values()]) for i, c in enumerate(LEVEL_COLUMNS)],
            row_total="Total",
        ),
    ]


def test_tables_suppressed_one_by_one_leak_the_hidden_step_ups(threshold_5):
    # The old way, each table on its own: the checker works out the hidden step-ups (3).
    tables = [dc.table(**vars(spec)) for spec in decision_specs()]
    leaked = worked_out(tables)
    assert leaked, "the checker must be able to find the reviewer's leak"
    assert leaked.get(("decisions", "step_up_cin", "Decisions")) == 3 or leaked.get(("steps", T, "Step-up")) == 3


def test_tables_suppressed_jointly_leak_nothing_and_show_one_quantity_alike(threshold_5):
    decisions, steps, flows = dc.tables(decision_specs(), selectors.DECISION_LINKS)
    assert worked_out([decisions, steps, flows]) == {}
    # A quantity shown twice reads the same in both tables.
    assert decisions.cell("step_down", "Decisions").display == steps.cell(T, "Step-down").display
    assert decisions.cell("step_up_cin", "Decisions").suppressed
    assert steps.cell(T, "Step-up").suppressed


@pytest.mark.parametrize("seed", range(30))
def test_random_linked_tables_never_leak(threshold_5, seed):
    rng = random.Random(seed)
    small = [0, 0, 1, 2, 3, 4, 5, 6, 8, 13]
    ups = [[rng.choice(small) for _ in MONTHS] for _ in range(2)]  # CIN, CP by month
    downs = [rng.choice(small) for _ in MONTHS]
    others = [rng.choice([*small, 40]) for _ in range(5)]
    kinds = [*others[:3], sum(ups[0]), sum(ups[1]), sum(downs), *others[3:]]
    # Spread the step decisions over the flows grid at random.
    grid = [[0] * 4 for _ in range(5)]
    for _ in range(sum(ups[0]) + sum(ups[1])):
        grid[rng.randrange(5)][rng.choice([2, 3, 3, 3])] += 1
    for _ in range(sum(downs)):
        grid[4][rng.choice([1, 2])] += 1
    specs = [
        dc.Spec("decisions", "D", "Decision", [(k, k) for k in KINDS], [Count("Decisions", kinds)]),
        dc.Spec(
            "steps",
            "S",
            "Month",
            MONTHS,
            [Count("Step-up", [a + b for a, b in zip(*ups, strict=True)]), Count("Step-down", downs)],
        ),
        dc.Spec(
            "flows",
            "F",
            "From",
            [("none", "none")] + [(f"level-{n}", str(n)) for n in range(1, 5)],
            [Count(f"To {c}", [grid[r][i] for r in range(5)]) for i, c in enumerate(LEVEL_COLUMNS)],
            row_total="Total",
        ),
    ]
    tables = dc.tables(specs, selectors.DECISION_LINKS)
    assert worked_out(tables) == {}
    for t in tables:
        for row in (*t.rows, t.total):
            for c in row.cells:
                assert (c.value is None) == c.suppressed


# --- The real dashboard on random small worlds --------------------------------------------------------


def random_world(rng):
    teams = [TeamFactory(name="North team", area="North"), TeamFactory(name="South team", area="South")]
    user = UserFactory(team=teams[0], email="lead@example.org")
    families = [Family.objects.create(team=rng.choice(teams), postcode="SR1 1AA") for _ in range(6)]
    children = [make_child(f, f"C{i}") for i, f in enumerate(families)]
    codes = [code for code, _ in SOURCE_AGENCY_CHOICES][:4]
    day = lambda: PERIOD.date_from + datetime.timedelta(days=rng.randrange(90))  # noqa: E731
    for _ in range(rng.randrange(3, 25)):
        child = rng.choice(children)
        make_referral(child.family, [child], day(), rng.choice(codes))
    kinds = list(Decision.Kind)
    for _ in range(rng.randrange(5, 45)):
        family = rng.choice(families)
        kind = rng.choice(kinds + [Decision.Kind.STEP_DOWN, Decision.Kind.STEP_UP_CIN] * 2)
        episode = None
        if rng.random() < 0.6:
            episode = Episode.objects.create(
                family=family,
                team=family.team,
                level_of_need=rng.choice([2, 3, 3, 4]),
                status=Episode.Status.OPEN,
                opened_on=day() - datetime.timedelta(days=rng.randrange(200)),
            )
        Decision.objects.create(
            kind=kind,
            status=rng.choice([Decision.Status.RECORDED, Decision.Status.APPROVED]),
            family=family,
            episode=episode,
            rationale="Because.",
            level_of_need=rng.choice([None, 2, 3, 4, 4]),
            proposed_by=user,
            proposed_at=at(day()),
        )


@pytest.mark.parametrize("seed", range(8))
def test_the_early_help_page_solved_as_a_whole_reveals_no_hidden_count(db, threshold_5, seed):
    random_world(random.Random(seed))
    dash = selectors.early_help(PERIOD)
    tables = [t for section in dash.sections for t in section.tables]
    assert sorted(t.key for t in tables) == sorted(MEANING)
    assert worked_out(tables) == {}
    # Every headline is a cell of a table, so it reads as the table does.
    assert dash.headline("step_ups").cell == dash.table("steps").cell(T, "Step-up")
    assert dash.headline("step_downs").cell == dash.table("steps").cell(T, "Step-down")
    assert dash.headline("referrals").cell == dash.table("referrals").cell(T, "Referrals")
    assert dash.headline("caseload").cell == dash.table("caseloads").cell(T, "Total")
    # The shared quantities hold, so the checker's equations are the page's own (when shown).
    shown = {
        (t.key, r.key, c): r.cells[t.columns.index(c)] for t in tables for r in (*t.rows, t.total) for c in t.columns
    }
    down_a, down_b = shown[("decisions", "step_down", "Decisions")], shown[("steps", T, "Step-down")]
    assert down_a.display == down_b.display
    ref_a, ref_b = shown[("referrals", T, "Referrals")], shown[("referrals_by_source", T, "Referrals")]
    assert ref_a.display == ref_b.display


def test_the_shared_quantities_are_equal_on_the_page(db, no_suppression):
    random_world(random.Random(99))
    dash = selectors.early_help(PERIOD)
    decisions, steps, flows = dash.table("decisions"), dash.table("steps"), dash.table("flows")
    up = steps.cell(T, "Step-up").value
    assert up == decisions.cell("step_up_cin", "Decisions").value + decisions.cell("step_up_cp", "Decisions").value
    assert steps.cell(T, "Step-down").value == decisions.cell("step_down", "Decisions").value
    assert flows.cell(T, "Total").value == up + steps.cell(T, "Step-down").value  # every step decision, level or not
    assert (
        dash.table("referrals").cell(T, "Referrals").value
        == dash.table("referrals_by_source").cell(T, "Referrals").value
    )
