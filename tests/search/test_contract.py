"""The directory-search contract, the same assertions for every backend: outcomes on a fixed
corpus ("this query finds that service first"), never query shapes."""

from __future__ import annotations

import datetime

import pytest

from directory.models import ServicePage
from search.contract import DISTANCE, SearchQuery, search
from tests.directory.factories import REFUGE_ADDRESS, REFUGE_LAT, REFUGE_LNG, REFUGE_POSTCODE, ClosureDate

pytestmark = pytest.mark.django_db


def titles(results):
    return [hit.title for hit in results.hits]


def run(backend, **kwargs):
    results = search(SearchQuery(**kwargs), backend=backend)
    assert results.backend == backend.name  # no silent fallback to the database
    return results


def test_dv_ranks_domestic_abuse_services_first(backend, corpus):
    results = run(backend, text="dv help")
    assert set(titles(results)[:2]) == {"Wearside Women's Aid outreach", "Safe Haven refuge"}
    assert results.total == 2


@pytest.mark.parametrize("text", ["domestic violence", "Domestic Abuse", "DV"])
def test_synonyms_agree(backend, corpus, text):
    assert set(titles(run(backend, text=text))) == {"Wearside Women's Aid outreach", "Safe Haven refuge"}


def test_misspelling_finds_autism_services(backend, corpus):
    results = run(backend, text="autisim")
    assert titles(results)[0] == "Autism family support"
    assert results.did_you_mean == "autism"


def test_autistic_and_asd_find_autism(backend, corpus):
    assert titles(run(backend, text="ASD"))[0] == "Autism family support"
    assert titles(run(backend, text="autistic"))[0] == "Autism family support"


def test_foodbank_and_food_bank_agree(backend, corpus):
    one, two = run(backend, text="foodbank"), run(backend, text="food bank")
    assert titles(one) == titles(two) == ["Millfield food bank"]


def test_everyday_words_find_school_attendance(backend, corpus):
    assert titles(run(backend, text="my son won't go to school"))[0] == "Attendance support team"


def test_postcode_search_ranks_nearer_first(backend, corpus):
    results = run(backend, postcode="SR4 7AA", sort=DISTANCE, radius_m=8000)
    names = titles(results)
    assert names[0] == "Autism family support"
    assert names.index("Millfield food bank") < names.index("Wearside Women's Aid outreach")
    distances = [h.distance_m for h in results.hits if h.distance_m is not None]
    assert distances == sorted(distances)
    assert "Positive parenting course" not in names  # Newcastle, 9 miles away
    assert results.hits[0].distance_miles < 0.5


def test_outcode_only_uses_its_centroid(backend, corpus):
    results = run(backend, postcode="sr4", sort=DISTANCE)
    assert results.place is not None and results.place.label == "SR4"
    assert titles(results)[0] in {"Autism family support", "Millfield food bank"}


def test_unknown_postcode_still_searches_without_distance(backend, corpus):
    results = run(backend, text="parenting", postcode="TS1 1AA")
    assert results.unknown_postcode
    assert results.total == 2
    assert all(h.distance_m is None for h in results.hits)


def test_inactive_unverified_and_draft_services_never_appear(backend, corpus):
    for text in ["domestic abuse", "autism", "closed", "unverified", "draft", ""]:
        names = titles(run(backend, text=text, page_size=100))
        assert "Closed domestic abuse helpline" not in names
        assert "Unverified domestic abuse group" not in names
        assert "Draft autism group" not in names


def test_lapsed_verification_hides_without_a_publish(backend, corpus, settings):
    page = corpus["autism"]
    long_ago = datetime.date.today() - datetime.timedelta(days=800)
    ServicePage.objects.filter(pk=page.pk).update(assured_date=long_ago, review_due_on=long_ago)
    # The index still holds the old review date: the query-time rule hides it anyway.
    if backend.name == "database":
        from search.models import IndexedService

        IndexedService.objects.filter(pk=page.pk).update(review_due_on=long_ago)
    else:
        from search.backends.elastic import alias_name

        backend.client.update(index=alias_name(), id=page.pk, doc={"review_due_on": long_ago.isoformat()}, refresh=True)
    assert "Autism family support" not in titles(run(backend, text="autism"))


def test_confidential_location_is_never_in_the_index(backend, corpus, indexed_documents):
    blob = indexed_documents()
    for secret in (REFUGE_ADDRESS, REFUGE_POSTCODE, str(REFUGE_LAT), str(REFUGE_LNG), "Safe house"):
        assert secret not in blob
    refuge = run(backend, text="refuge", latitude=REFUGE_LAT, longitude=REFUGE_LNG, radius_m=100)
    # Found (it serves the area), but with no distance: its coordinates are not indexed.
    assert titles(refuge) == ["Safe Haven refuge"]
    assert refuge.hits[0].distance_m is None


def test_filters(backend, corpus):
    terms = corpus["terms"]
    assert set(titles(run(backend, categories=(str(terms["parenting"].oruk_id),)))) == {
        "Positive parenting course",
        "Parenting drop-in",
    }
    assert "Positive parenting course" not in titles(run(backend, free_only=True, page_size=50))
    age_4 = set(titles(run(backend, age=4, page_size=50)))
    assert "Parenting drop-in" in age_4 and "Attendance support team" not in age_4
    assert titles(run(backend, access="professional_referral", page_size=50)) == [
        "Millfield food bank",
        "Safe Haven refuge",
    ]
    assert titles(run(backend, attendance=("phone",))) == ["Safe Haven refuge"]
    assert titles(run(backend, language="pl")) == ["Wearside Women's Aid outreach"]
    assert titles(run(backend, open_day="SA")) == ["Autism family support"]
    morning = titles(run(backend, open_day="SA", open_time=datetime.time(11, 0)))
    evening = titles(run(backend, open_day="SA", open_time=datetime.time(13, 0)))
    assert morning == ["Autism family support"] and evening == []
    assert "Autism family support" in titles(run(backend, needs=("early_help",), page_size=50))


def test_day_filter_honours_closure_dates(backend, corpus):
    page = corpus["autism"]
    saturday = datetime.date(2030, 6, 1)
    assert saturday.weekday() == 5
    assert titles(run(backend, open_date=saturday)) == ["Autism family support"]
    revision = page.save_revision()
    page.closures = [ClosureDate(start_date=saturday, end_date=saturday, reason="Holiday")]
    page.save_revision().publish()
    del revision
    assert titles(run(backend, open_date=saturday)) == []
    assert titles(run(backend, open_date=saturday + datetime.timedelta(days=7))) == ["Autism family support"]


def test_facet_counts_per_dimension(backend, corpus):
    terms = corpus["terms"]
    results = run(backend, text="domestic abuse")
    category = {f.label: f.count for f in results.facet("category")}
    assert category == {"Domestic abuse": 2}
    parenting = run(backend, categories=(str(terms["parenting"].oruk_id),))
    # A dimension's own filter is left out of its counts, so other categories stay choosable.
    counts = {f.label: (f.count, f.selected) for f in parenting.facet("category")}
    assert counts["Parenting"] == (2, True) and counts["Domestic abuse"][0] == 2
    assert {f.value: f.count for f in parenting.facet("free")} == {"yes": 1}
    ages = {f.value: f.count for f in parenting.facet("age")}
    assert ages["4"] == 2 and ages["12"] == 0


def test_highlighted_snippets_are_escaped(backend, corpus):
    hit = run(backend, text="food parcels").hits[0]
    assert "<mark>" in hit.snippet and "<script" not in hit.snippet


def test_pagination_and_total(backend, corpus):
    first = run(backend, page_size=3)
    second = run(backend, page_size=3, page=2)
    assert first.total == second.total == 7
    assert not set(titles(first)) & set(titles(second))
    assert run(backend, page=99).hits == []


@pytest.mark.parametrize(
    "text",
    [
        '"unbalanced quote',
        "AND OR NOT",
        "foo:bar^3 (x OR",
        "'; DROP TABLE directory_search_indexedservice; --",
        "💜🏠 help",
        "*",
        "-",
        "NEAR(a b)",
        "title:autism",
        "x" * 1000,
        "a " * 500,
        "\x00\x01",
        "{}[]<>",
    ],
)
def test_odd_input_never_errors(backend, corpus, text):
    results = run(backend, text=text)
    assert results.total >= 0


def test_empty_query_lists_everything_nearby(backend, corpus):
    results = run(backend, postcode="SR1 3AA", page_size=50, radius_m=8000)
    assert "Positive parenting course" not in titles(results)
    assert titles(results)[0] == "Parenting drop-in"  # at SR1 3AA itself


def test_suggest(backend, corpus):
    from search.contract import suggest

    assert "Autism family support" in suggest("auti", backend=backend)
    assert suggest("", backend=backend) == []
    assert isinstance(suggest("💜'\"", backend=backend), list)
