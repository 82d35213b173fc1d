"""Writes: the search log and turning a zero-result term into a synonym."""

from __future__ import annotations

from django.db import transaction

from search import postcodes
from search.contract import SearchQuery, SearchResults
from search.models import SearchLog, SynonymGroup


def log_search(postcode: str, query: SearchQuery, results: SearchResults) -> SearchLog:
    """Record a family search: the text, filters, outcode only (never the full postcode, never
    the address the request came from), the result count and the backend."""
    return SearchLog.objects.create(
        text=(query.text or "")[:200],
        filters=query.filters_for_log(),
        outcode=postcodes.outcode_of(postcode) if postcode else "",
        result_count=results.total,
        backend=results.backend,
    )


@transaction.atomic
def make_synonym(term: str, group: SynonymGroup) -> bool:
    """Add a (zero-result) search term to a synonym group: searches for it find the group's
    services at once (the thesaurus is applied at query time)."""
    return group.add_term(term)
