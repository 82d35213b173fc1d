"""The index follows the directory: publish, unpublish, move, delete, verification lapse,
category renames; the thesaurus seeded; rebuild_search_index; bounded queries per search."""

from __future__ import annotations

import io

import pytest

from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from search.contract import SearchQuery, search
from search.models import IndexedService, SynonymGroup
from tests.directory.factories import ServicePageFactory, TaxonomyTermFactory

pytestmark = pytest.mark.django_db


def indexed_ids():
    return set(IndexedService.objects.values_list("pk", flat=True))


def test_publish_unpublish_delete_follow_through_tasks():
    page = ServicePageFactory(title="Toddler stay and play")
    assert page.pk in indexed_ids()
    page.unpublish()
    assert page.pk not in indexed_ids()
    page.save_revision().publish()
    assert page.pk in indexed_ids()
    page.delete()
    assert page.pk not in indexed_ids()


def test_move_reindexes_url():
    page = ServicePageFactory(title="Dads group")
    before = IndexedService.objects.get(pk=page.pk).url
    page.slug = "dads-group-renamed"
    page.save_revision().publish()
    assert IndexedService.objects.get(pk=page.pk).url != before


def test_category_rename_reindexes_its_services():
    term = TaxonomyTermFactory(name="Parenting")
    page = ServicePageFactory(title="Group A", terms=[term])
    term.name = "Bereavement"
    term.save()
    assert "Bereavement" in IndexedService.objects.get(pk=page.pk).taxonomy_text


def test_thesaurus_is_seeded():
    names = set(SynonymGroup.objects.values_list("name", flat=True))
    assert {
        "Domestic abuse",
        "Autism",
        "Special educational needs",
        "Children's mental health",
        "Health visitor",
        "Independent domestic violence adviser",
        "English lessons",
        "Food bank",
    } <= names
    dv = SynonymGroup.objects.get(name="Domestic abuse").term_list
    assert {"dv", "domestic violence", "domestic abuse"} <= set(dv)


def test_thesaurus_edit_takes_effect_without_rebuild():
    ServicePageFactory(title="Kinship carers network", summary="Support for kinship carers.")
    assert search(SearchQuery(text="grandparents raising")).total == 0
    SynonymGroup.objects.create(name="Kinship", terms="kinship carers\ngrandparents raising")
    assert search(SearchQuery(text="grandparents raising")).total == 1


def test_rebuild_command():
    ServicePageFactory(title="Young carers club")
    IndexedService.objects.all().delete()
    out = io.StringIO()
    call_command("rebuild_search_index", stdout=out)
    assert "indexed 1 public services" in out.getvalue()
    assert search(SearchQuery(text="young carers")).total == 1


def test_query_count_is_bounded_whatever_the_size(corpus):
    # The one search statement (match, filters, page of hits, total and facet counts
    # together); the postcode's coordinates, the thesaurus and the category names for the
    # facet labels come from per-process memos (search/cache.py): one query, always.
    query = SearchQuery(text="domestic abuse", postcode="SR1 3AA", free_only=True, open_day="MO", age=5)
    search(query)  # warm the memos
    with CaptureQueriesContext(connection) as small:
        search(query)
    for n in range(15):
        ServicePageFactory(title=f"Domestic abuse service {n}", summary="Domestic abuse support.")
    search(query)  # the factory added categories: their names are read once, into the memo
    with CaptureQueriesContext(connection) as large:
        results = search(query)
    assert results.total >= 15
    assert len(large) == len(small) == 1


def test_query_count_does_not_grow_with_the_results_on_the_page(corpus):
    terms = corpus["terms"]
    query = SearchQuery(page_size=100, categories=(str(terms["parenting"].oruk_id),))
    search(query)
    with CaptureQueriesContext(connection) as few:
        before = search(query)
    for n in range(25):
        ServicePageFactory(title=f"Parenting group {n}", summary="Parenting support.", terms=[terms["parenting"]])
    with CaptureQueriesContext(connection) as many:
        after = search(query)
    assert len(after.hits) == len(before.hits) + 25 == after.total
    assert {f.label: f.count for f in after.facet("category")}["Parenting"] == after.total
    # The statement alone, whether the page holds 2 services or 27.
    assert len(many) == len(few) == 1
