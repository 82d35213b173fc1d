"""The directory dashboard against conftest.py's world (threshold 1 unless said).

Searches in the period: January "parenting" (4 results, SR1), "food bank" ×2 (none, SR4);
February "Food Bank " (none, SR1), "food bank" (none, SR1), a name and phone number (none, no
outcode), "counselling" (2 results, SR4); March "FOOD BANK" (none, SR4). One before.
Live services: IDVA (SR1, verified 30 days ago), parenting course (SR4, never verified), a
refuge (confidential location whose postcode is SR4 7ZZ, verified 60 days ago); a draft.
"""

from __future__ import annotations

import datetime

import pytest

from django.utils import timezone

from portal.insights import selectors
from portal.insights.filters import Filters
from tests.insights.conftest import PERIOD, D, search


def col(table, column):
    return [row.cells[table.columns.index(column)].display for row in table.rows]


@pytest.fixture
def dash(world, no_suppression):
    return selectors.directory(PERIOD)


def test_searches_per_month(dash):
    t = dash.table("searches")
    assert col(t, "Searches") == ["3", "4", "1"]
    assert col(t, "Searches with no results") == ["2", "3", "1"]
    assert t.cell("total", "Share with no results").display == "75%"  # 6 of 8


def test_zero_result_terms_only_frequent_ones(world, threshold_5):
    t = selectors.directory(PERIOD).table("zero_result_terms")
    # "food bank" in any case and spacing: 2 + 2 + 1 = 5 searches with no results → listed.
    # The name and phone number was searched once: never listed, not even as "<5".
    assert [(r.label, r.cells[0].display) for r in t.rows] == [("food bank", "5")]
    assert t.total is None


def test_services_by_category(world, dash):
    t = dash.table("services_by_category")
    labels = [r.label for r in t.rows]
    # Domestic abuse first; the draft not counted; a category counts the services in it or in
    # the categories under it (as the category filter does): Domestic abuse = IDVA + Refuges.
    assert labels == ["Domestic abuse", "IDVA", "Refuges", "Parenting"]
    assert col(t, "Live services") == ["2", "1", "1", "1"]
    assert dash.headline("live_services").cell.value == 3


def test_verified_is_the_listings_last_checked_date(world, no_suppression):
    """ "Verified in the last 6 months" uses the directory's "last checked" date (assured_date),
    which imports and checks set; last_verified_at (the verification link) counts too."""
    from directory.models import ServicePage

    today = timezone.localdate()
    # IDVA: checked 10 days ago, never through the link. Parenting: checked 8 months ago.
    # Refuge: no "last checked" date, but confirmed through the link 60 days ago.
    ServicePage.objects.filter(pk=world.services["da"].pk).update(
        assured_date=today - datetime.timedelta(days=10), last_verified_at=None
    )
    ServicePage.objects.filter(pk=world.services["parenting"].pk).update(
        assured_date=today - datetime.timedelta(days=240), last_verified_at=None
    )
    ServicePage.objects.filter(pk=world.services["refuge"].pk).update(
        assured_date=None, last_verified_at=timezone.now() - datetime.timedelta(days=60)
    )
    t = selectors.directory(PERIOD).table("services_by_category")
    assert [r.label for r in t.rows] == ["Domestic abuse", "IDVA", "Refuges", "Parenting"]
    assert col(t, "Verified in the last 6 months") == ["2", "1", "1", "0"]
    assert "last checked" in t.description


def test_live_services_are_counted_now_not_in_the_period(dash):
    today = f"{timezone.localdate():%-d %B %Y}"
    for key in ("services_by_category", "services_by_area"):
        t = dash.table(key)
        assert t.title.endswith(f"on {today}"), t.title
        assert "now" in t.description
    assert today in dash.headline("live_services").hint


def test_a_term_reloaded_on_one_day_counts_once(world, threshold_5):
    # A member of the public reloading a results page: a log row per page view, all one day.
    for _ in range(6):
        search("jxqz doeqq", 0, "SR1", D(2026, 2, 10))
    t = selectors.directory(PERIOD).table("zero_result_terms")
    assert [(r.label, r.cells[0].display) for r in t.rows] == [("food bank", "5")]  # on 5 different days


def test_terms_that_could_identify_someone_are_never_listed(world, threshold_5):
    for day in range(1, 7):
        for text in ("jane 07700900123", "sr4 7zz", "jane@example.com", "www.janesmith.co.uk", "jane smith.com"):
            search(text, 0, "SR1", D(2026, 3, day))
    t = selectors.directory(PERIOD).table("zero_result_terms")
    assert [r.label for r in t.rows] == ["food bank"]
    assert "digit" in t.notes[-1] and "@" in t.notes[-1]


def test_confidential_locations_never_locate_anything(world, dash):
    t = dash.table("services_by_area")
    # The refuge's postcode (SR4 7ZZ) is not used: SR4 has the parenting course only.
    assert [(r.label, r.cells[0].value) for r in t.rows] == [
        ("SR1", 1),
        ("SR4", 1),
        ("Confidential location", 1),
    ]
    sr4 = selectors.directory(Filters(PERIOD.date_from, PERIOD.date_to, area="SR4"))
    assert sr4.headline("live_services").cell.value == 1
    assert [r.label for r in sr4.table("services_by_category").rows] == ["Parenting"]
    # Searches from SR4: January 2 (both none), February 1 (counselling), March 1 (none).
    assert sr4.table("searches").cell("total", "Searches").value == 4
    assert sr4.table("searches").cell("total", "Searches with no results").value == 3
    assert all(a != "SR4 7ZZ" for a, _ in selectors.filter_choices("directory")["areas"])


def test_category_and_service_filters(world, no_suppression):
    da = selectors.directory(Filters(PERIOD.date_from, PERIOD.date_to, category=world.terms["Domestic abuse"].pk))
    assert [r.label for r in da.table("services_by_category").rows] == ["Domestic abuse", "IDVA", "Refuges"]
    one = selectors.directory(Filters(PERIOD.date_from, PERIOD.date_to, service=world.services["da"].pk))
    assert one.headline("live_services").cell.value == 1


def test_filter_choices(world):
    choices = selectors.filter_choices("directory")
    assert set(choices) == {"areas", "area_label", "categories", "services"}
    assert choices["area_label"] == "Postcode district"
    assert selectors.filter_choices("early-help")["area_label"] == "Locality team area"
    assert selectors.filter_choices("outcomes")["area_label"] == "Locality team area"
    assert selectors.filter_choices("encompass")["area_label"] == "School postcode district"
    names = [label for _, label in choices["categories"]]
    assert names[0] == "Domestic abuse"  # the parent of IDVA and Refuges is offered too
    assert "Draft service" not in [label for _, label in choices["services"]]
    assert set(selectors.filter_choices("early-help")) == {"areas", "area_label", "levels"}
    assert set(selectors.filter_choices("outcomes")) == {"areas", "area_label", "categories", "services", "levels"}
    assert list(selectors.DASHBOARDS) == ["early-help", "outcomes", "encompass", "directory"]


def test_domestic_abuse_categories_come_first_by_the_directorys_own_rule(db):
    # One rule for "is this a domestic abuse category", the directory's: its code or its name
    # ("domestic violence" too), at any depth below one. A name-only "domestic abuse" test
    # would have put these after "Advice".
    from tests.directory.factories import TaxonomyFactory, TaxonomyTermFactory

    taxonomy = TaxonomyFactory()
    advice = TaxonomyTermFactory(taxonomy=taxonomy, name="Advice", code="advice")
    violence = TaxonomyTermFactory(taxonomy=taxonomy, name="Domestic violence", code="dv-support")
    coded = TaxonomyTermFactory(taxonomy=taxonomy, name="Safety at home", code="domestic-abuse")
    deep = TaxonomyTermFactory(
        taxonomy=taxonomy,
        name="Aftercare",
        code="aftercare",
        parent=TaxonomyTermFactory(taxonomy=taxonomy, name="Outreach", code="outreach", parent=coded),
    )
    ordered = [t.name for t in selectors._domestic_abuse_first([advice, violence, coded, deep])]
    assert ordered == ["Aftercare", "Domestic violence", "Safety at home", "Advice"]
