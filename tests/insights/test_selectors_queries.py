"""Each dashboard runs the same number of queries however much data there is, and no
suppressed cell anywhere carries a number."""

from __future__ import annotations

import datetime

import pytest

from django.db import connection
from django.test.utils import CaptureQueriesContext

from eh_assessments.models import Family
from eh_assessments.models_casework import Episode, SustainedCheck
from portal.insights import selectors
from tests.insights.conftest import PERIOD, D, make_child, make_referral, score, search, use_services


def grow(world, n=12):
    """More of everything the dashboards count."""
    team = world.teams["North"]
    for i in range(n):
        family = Family.objects.create(team=team)
        child = make_child(family, f"X{i}")
        make_referral(family, [child], D(2026, 1, 1) + datetime.timedelta(days=i * 5))
        make_referral(family, [child], D(2026, 2, 1) + datetime.timedelta(days=i))
        episode = Episode.objects.create(
            family=family,
            team=team,
            level_of_need=1 + i % 4,
            status=Episode.Status.CLOSED,
            opened_on=D(2025, 6, 1),
            closed_on=D(2026, 3, 1),
            closure_reason="needs_met",
        )
        score(episode, "start", D(2025, 6, 2), 3, 3)
        score(episode, "closure", D(2026, 3, 1), 3 + i % 5, 4)
        use_services(episode, world.services["parenting"])
        SustainedCheck.objects.create(episode=episode, checked_on=D(2026, 3, 2), sustained=bool(i % 2))
        search("food bank", 0, "SR4", D(2026, 3, 4))


@pytest.mark.parametrize("slug", list(selectors.DASHBOARDS))
def test_query_count_does_not_grow_with_the_data(world, threshold_5, slug, django_assert_num_queries):
    fn = selectors.DASHBOARDS[slug]
    with CaptureQueriesContext(connection) as small:
        fn(PERIOD)
    grow(world)
    with django_assert_num_queries(len(small.captured_queries)):
        fn(PERIOD)


@pytest.mark.parametrize("slug", list(selectors.DASHBOARDS))
def test_no_suppressed_cell_has_a_value(world, threshold_5, slug):
    grow(world, 6)
    dashboard = selectors.DASHBOARDS[slug](PERIOD)
    assert dashboard.slug == slug
    seen = 0
    for section in dashboard.sections:
        for table in section.tables:
            assert table.description, table.key
            for row in (*table.rows, *((table.total,) if table.total else ())):
                for cell in row.cells:
                    if cell.suppressed:
                        seen += 1
                        assert cell.value is None
                        assert cell.display in ("<5", "[c]")
    for headline in dashboard.headlines:
        assert headline.cell.value is None or not headline.cell.suppressed
    assert seen  # the small world has small counts to hide


@pytest.mark.parametrize("slug", list(selectors.DASHBOARDS))
def test_with_rounding_every_count_shown_is_a_multiple_of_five(world, threshold_5, settings, slug):
    # The defaults: counts under 5 hidden, every other count rounded to the nearest 5, so no
    # exact count of children or families leaves the query layer on any dashboard.
    settings.INSIGHTS_ROUND_TO = 5
    grow(world, 12)
    dashboard = selectors.DASHBOARDS[slug](PERIOD)
    counts = 0
    for section in dashboard.sections:
        for table in section.tables:
            for row in (*table.rows, *((table.total,) if table.total else ())):
                for column, cell in zip(table.columns, row.cells, strict=True):
                    if cell.value is None or not isinstance(cell.value, int) or "%" in cell.display:
                        continue
                    if any(word in column.lower() for word in ("average", "median", "share", "rate", "hours")):
                        continue
                    counts += 1
                    assert cell.value % 5 == 0, (table.key, row.label, column, cell)
                    assert cell.display.replace(",", "") == str(cell.value)
    assert counts
