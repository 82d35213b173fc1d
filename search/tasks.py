"""Background tasks that keep the search index in step with the directory (django-tasks:
the database queue by default, RQ at scale, immediate in tests)."""

from __future__ import annotations

from django_tasks import task


@task()
def index_service(page_id: int) -> None:
    """Re-index one service in the configured backend (and the database index the fallback
    uses): written if it is public now, removed if it is not."""
    from search.indexing import index_everywhere

    index_everywhere(page_id)


@task()
def remove_service(page_id: int) -> None:
    from search.indexing import remove_everywhere

    remove_everywhere(page_id)


@task()
def index_services(page_ids: list[int]) -> None:
    from search.indexing import index_everywhere

    for page_id in page_ids:
        index_everywhere(page_id)


@task()
def synonyms_changed() -> None:
    """The thesaurus changed: add its words to the vocabulary (and push it to Elasticsearch,
    whose query builder expands synonyms at query time too, so no reindex is needed)."""
    from search.models import IndexedTerm
    from search.text import synonym_groups

    words = {w for g in synonym_groups() for t in g for w in t.split() if len(w) >= 3}
    IndexedTerm.objects.bulk_create((IndexedTerm(term=w) for w in sorted(words)), ignore_conflicts=True)
