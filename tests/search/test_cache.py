"""The per-process memos a search reads (search/cache.py): postcode coordinates, category
names and the thesaurus. An edit must be seen by the next search — in this process, and in
another worker, which only shares Django's cache with this one."""

from __future__ import annotations

import io

from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from search import cache as search_cache
from search import postcodes
from search.contract import SearchQuery, search
from search.models import Postcode, SynonymGroup
from search.text import synonym_groups


def _as_another_worker_would(namespace: str) -> None:
    """Another process's signal: a new token in the shared cache, nothing in this process."""
    cache.set(search_cache.KEY.format(namespace), "token-from-another-worker", None)


def category_labels(results) -> set[str]:
    return {value.label for value in results.facet("category")}


def test_a_renamed_category_is_labelled_by_its_new_name_at_the_next_search(corpus):
    term = corpus["terms"]["da"]
    query = SearchQuery(text="domestic abuse")
    assert "Domestic abuse" in category_labels(search(query))
    term.name = "Domestic abuse and violence"
    term.save()
    labels = category_labels(search(query))
    assert "Domestic abuse and violence" in labels and "Domestic abuse" not in labels


def test_a_category_renamed_by_another_worker_is_seen_once_its_token_changes(corpus):
    term = corpus["terms"]["da"]
    query = SearchQuery(text="domestic abuse")
    assert "Domestic abuse" in category_labels(search(query))
    # The other worker's write: no signal reaches this process, only the shared token.
    type(term).objects.filter(pk=term.pk).update(name="Abuse at home")
    assert "Domestic abuse" in category_labels(search(query))  # memo still valid: same token
    _as_another_worker_would(search_cache.TAXONOMY)
    assert "Abuse at home" in category_labels(search(query))


def test_a_cleared_shared_cache_invalidates_every_memo(corpus):
    term = corpus["terms"]["da"]
    search(SearchQuery(text="domestic abuse"))
    type(term).objects.filter(pk=term.pk).update(name="Abuse at home")
    cache.clear()  # evicted or flushed tokens: a new token, so the memo is read again
    assert "Abuse at home" in category_labels(search(SearchQuery(text="domestic abuse")))


def test_imported_postcodes_are_found_by_the_next_search(corpus, tmp_path):
    assert postcodes.lookup("SR2 7EA") is None  # remembered as unknown
    unknown = search(SearchQuery(text="parenting", postcode="SR2 7EA"))
    assert unknown.unknown_postcode
    csv = tmp_path / "postcodes.csv"
    csv.write_text("postcode,latitude,longitude\nSR2 7EA,54.895,-1.375\n")
    call_command("import_postcodes", str(csv), stdout=io.StringIO())
    place = postcodes.lookup("SR2 7EA")
    assert place is not None and (place.latitude, place.longitude) == (54.895, -1.375)
    found = search(SearchQuery(text="parenting", postcode="SR2 7EA"))
    assert not found.unknown_postcode and found.place.label == "SR2 7EA"


def test_a_moved_postcode_gives_new_distances(corpus):
    near = search(SearchQuery(text="domestic abuse", postcode="SR1 3AA", radius_m=80_000))
    assert near.hits[0].distance_m is not None
    postcode = Postcode.objects.get(postcode="SR1 3AA")
    postcode.latitude, postcode.longitude = 54.7761, -1.5733  # Durham, 20 km away
    postcode.save()
    moved = search(SearchQuery(text="domestic abuse", postcode="SR1 3AA", radius_m=80_000))
    assert moved.place.latitude == 54.7761
    first = {hit.page_id: hit.distance_m for hit in near.hits}
    assert any(hit.distance_m != first.get(hit.page_id) for hit in moved.hits if hit.distance_m is not None)


def test_outcode_centroids_follow_the_postcode_table(corpus):
    before = postcodes.lookup("SR4")
    Postcode.objects.create(postcode="SR4 9ZZ", outcode="SR4", latitude=55.5, longitude=-1.0)
    after = postcodes.lookup("SR4")
    assert after.partial and after.latitude > before.latitude


def test_a_synonym_edited_by_another_worker_is_used_once_its_token_changes(corpus):
    assert search(SearchQuery(text="wobbly")).total == 0
    group = SynonymGroup.objects.create(name="Test", terms="placeholder")
    SynonymGroup.objects.filter(pk=group.pk).update(terms="wobbly, domestic abuse")  # no signal here
    _as_another_worker_would(search_cache.SYNONYMS)
    assert ["wobbly", "domestic abuse"] in synonym_groups()
    assert search(SearchQuery(text="wobbly")).total > 0


def test_a_search_reads_the_tokens_in_one_cache_call_and_runs_one_statement(corpus, monkeypatch):
    query = SearchQuery(text="domestic abuse", postcode="SR1 3AA", categories=(str(corpus["terms"]["da"].oruk_id),))
    search(query)
    calls = []
    real_get_many = cache.get_many
    monkeypatch.setattr(cache, "get_many", lambda keys, **kw: calls.append(keys) or real_get_many(keys, **kw))
    with CaptureQueriesContext(connection) as queries:
        results = search(query)
    assert results.total and results.place.label == "SR1 3AA"
    assert len(calls) == 1 and len(queries) == 1
