"""The outcomes dashboard reads the EpisodeOutcome read model (issue 8); its figures must be
the ones the raw-score computation gave. Randomised: many scoring histories (no start scoring,
start only, reviews out of date order, a closure dated before a review, families scoring
sometimes), compared figure by figure with the old CTE (tests/insights/raw_outcomes.py)."""

from __future__ import annotations

import dataclasses
import random

import pytest

from eh_assessments.models_casework import ClosureReason, Episode, EpisodeOutcome, EpisodeOutcomeTotal, OutcomeRecord
from eh_assessments.outcomes import AREA_CODES, area_columns
from portal.insights import selectors
from portal.insights.filters import Filters
from tests.insights.conftest import PERIOD, D, score, use_services
from tests.insights.raw_outcomes import raw_outcome_figures


def figures(dashboard):
    """Every table's rows: (key, displays, values) — what a reader and an export see."""
    out = {}
    for section in dashboard.sections:
        for table in section.tables:
            rows = list(table.rows) + ([table.total] if table.total else [])
            out[table.key] = [(r.key, [c.display for c in r.cells], [c.value for c in r.cells]) for r in rows]
    return out, [dataclasses.astuple(h) for h in dashboard.headlines]


def assert_same(ours, theirs):
    (ours_tables, ours_heads), (their_tables, their_heads) = figures(ours), figures(theirs)
    assert ours_heads == their_heads
    assert ours_tables.keys() == their_tables.keys()
    for key, rows in ours_tables.items():
        assert [k for k, _, _ in rows] == [k for k, _, _ in their_tables[key]], key
        for (row, displays, values), (_, their_displays, expected) in zip(rows, their_tables[key], strict=True):
            for display, their_display, value, their_value in zip(
                displays, their_displays, values, expected, strict=True
            ):
                if display == their_display:
                    continue
                # An average change exactly between two shown values (-0.35) may round either
                # way: the two computations add the same numbers in a different order. Counts
                # and shares must agree exactly.
                assert display.startswith(("+", "-")) and abs(value - their_value) == pytest.approx(0.1), (key, row)


def random_history(rng: random.Random, episode):
    """Some scorings of all ten areas (the service refuses fewer), in a random shape."""
    shape = rng.choice(["none", "no_start", "start_only", "full", "full", "full", "no_closure"])
    if shape == "none":
        return

    def scores():
        p = {code: rng.randint(1, 10) for code in AREA_CODES}
        who = rng.random()
        f = None if who < 0.3 else {code: (rng.randint(1, 10) if rng.random() < 0.8 else None) for code in AREA_CODES}
        return p, f

    start_on = D(2025, 6, 1) + D.resolution * rng.randint(0, 60)
    if shape != "no_start":
        score(episode, OutcomeRecord.Stage.START, start_on, *scores())
    if shape == "start_only":
        return
    for _ in range(rng.randint(0, 3)):
        # Reviews on random days, some the same day, some before the start scoring's date.
        score(episode, OutcomeRecord.Stage.REVIEW, start_on + D.resolution * rng.randint(-5, 90), *scores())
    if shape != "no_closure":
        score(episode, OutcomeRecord.Stage.CLOSURE, start_on + D.resolution * rng.randint(-10, 120), *scores())


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_summary_based_dashboard_equals_the_raw_score_computation(world, no_suppression, monkeypatch, seed):
    rng = random.Random(seed)
    teams = [*world.teams.values(), None]
    services = [world.services["da"], world.services["parenting"], world.services["refuge"]]
    families = list(world.families.values())
    for _ in range(25):
        closed = rng.random() < 0.8
        episode = Episode.objects.create(
            family=rng.choice(families),
            team=rng.choice(teams),
            level_of_need=rng.randint(1, 4),
            status=Episode.Status.CLOSED if closed else Episode.Status.OPEN,
            opened_on=D(2025, 5, 1),
            closed_on=D(2026, 1, 1) + D.resolution * rng.randint(-20, 110) if closed else None,
            closure_reason=ClosureReason.NEEDS_MET if closed else "",
        )
        random_history(rng, episode)
        if rng.random() < 0.6:
            use_services(episode, *rng.sample(services, rng.randint(1, 2)))
    assert EpisodeOutcome.objects.exists()

    filters = [
        PERIOD,
        Filters(D(2025, 1, 1), D(2026, 12, 31)),
        Filters(PERIOD.date_from, PERIOD.date_to, area="North"),
        Filters(PERIOD.date_from, PERIOD.date_to, level=2),
        Filters(PERIOD.date_from, PERIOD.date_to, service=services[1].pk),
    ]
    ours = [selectors.outcomes(f) for f in filters]
    monkeypatch.setattr(selectors, "_outcome_figures", raw_outcome_figures)
    theirs = [selectors.outcomes(f) for f in filters]
    for a, b in zip(ours, theirs, strict=True):
        assert_same(a, b)
    # The comparison can fail: families were scored in the period.
    assert ours[1].table("families").rows[0].cells[0].value > 2


def test_the_dashboard_reads_the_read_model_not_the_raw_scores(world, no_suppression):
    """The families and the distance by area come from EpisodeOutcomeTotal alone: emptying it
    empties them (the raw scores and the per-area rows are still there)."""

    def families_and_areas():
        dash = selectors.outcomes(PERIOD)
        return dash.table("families").rows[0].cells[0].value, dash.table("distance").rows[0].cells[0].value

    assert families_and_areas() == (2, 2)
    EpisodeOutcome.objects.all().delete()
    assert families_and_areas() == (2, 2)
    EpisodeOutcomeTotal.objects.all().delete()
    assert families_and_areas() == (0, 0)


def test_the_totals_are_rewritten_with_every_scoring(world):
    """The casework service's scoring keeps EpisodeOutcomeTotal in step with EpisodeOutcome."""
    totals = {t.episode_id: t for t in EpisodeOutcomeTotal.objects.all()}
    assert totals
    for episode_id, total in totals.items():
        rows = EpisodeOutcome.objects.filter(
            episode_id=episode_id, start_practitioner__isnull=False, latest_practitioner__isnull=False
        )
        changes = [r.latest_practitioner - r.start_practitioner for r in rows]
        family = [
            r.latest_family - r.start_family for r in rows if r.latest_family is not None and r.start_family is not None
        ]
        scored_areas = [code for code in AREA_CODES if getattr(total, area_columns(code)[0]) is not None]
        assert len(scored_areas) == len(changes)
        assert total.improved == (sum(changes) > 0)
        assert total.change_practitioner == pytest.approx(sum(changes) / len(changes))
        assert total.change_family == (pytest.approx(sum(family) / len(family)) if family else None)
        for r in rows:
            practitioner, fam = area_columns(r.area)
            assert getattr(total, practitioner) == r.latest_practitioner - r.start_practitioner
            expected = None if r.latest_family is None or r.start_family is None else r.latest_family - r.start_family
            assert getattr(total, fam) == expected
