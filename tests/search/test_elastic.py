"""Elasticsearch specifics: fallback when the cluster is down, the alias swap on rebuild,
and index updates through the publish signals."""

from __future__ import annotations

import logging
import threading

import pytest

from search.backends.elastic import ElasticsearchBackend, alias_name
from search.contract import SearchQuery, search
from tests.directory.factories import ServicePageFactory

pytestmark = pytest.mark.django_db


def test_cluster_down_falls_back_to_database_with_a_warning(corpus, settings, caplog):
    settings.SEARCH_BACKEND = "elasticsearch"
    settings.ELASTICSEARCH_URL = "http://127.0.0.1:9"  # nothing listens there
    settings.ELASTICSEARCH_CLIENT_OPTIONS = {}
    with caplog.at_level(logging.WARNING, logger="search.contract"):
        results = search(SearchQuery(text="dv"))
    assert results.backend == "database"
    assert results.total == 2
    assert "falling back to the database backend" in caplog.text
    from search.contract import ranked_ids, suggest

    assert len(ranked_ids("dv")) == 2
    assert isinstance(suggest("auti"), list)


def test_rebuild_swaps_alias_and_search_answers_throughout(corpus, elastic_backend):
    client = elastic_backend.client
    first = list(client.indices.get_alias(name=alias_name()).keys())
    stop = threading.Event()
    failures: list[str] = []
    answered = []

    def keep_searching():
        backend = ElasticsearchBackend(client=client)
        while not stop.is_set():
            try:
                answered.append(backend.search(SearchQuery(text="dv", facets=False)).total)
            except Exception as exc:
                failures.append(repr(exc))

    worker = threading.Thread(target=keep_searching)
    worker.start()
    try:
        for _ in range(3):
            elastic_backend.rebuild()
    finally:
        stop.set()
        worker.join()
    second = list(client.indices.get_alias(name=alias_name()).keys())
    assert first != second and len(second) == 1
    assert not client.indices.exists(index=first[0])
    assert not failures
    assert answered and set(answered) == {2}


def test_publish_and_unpublish_update_elasticsearch(elastic_backend):
    page = ServicePageFactory(title="Kinship carers circle", summary="For kinship carers.")
    assert elastic_backend.search(SearchQuery(text="kinship")).total == 1
    page.unpublish()
    assert elastic_backend.search(SearchQuery(text="kinship")).total == 0
