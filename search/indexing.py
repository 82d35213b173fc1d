"""Keeping the indexes in step: the database index always (it is the fallback when the
cluster is down), and Elasticsearch too when it is the configured backend."""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import transaction

logger = logging.getLogger(__name__)


def _backends():
    from search.contract import get_backend

    names = ["database"]
    if getattr(settings, "SEARCH_BACKEND", "database") != "database":
        names.append(settings.SEARCH_BACKEND)
    return [get_backend(name) for name in names]


def index_everywhere(page_id: int) -> None:
    for backend in _backends():
        try:
            backend.index_service(page_id)
        except Exception:
            if backend.name == "database":
                raise
            logger.warning("Could not update %s for page %s", backend.name, page_id, exc_info=True)


def remove_everywhere(page_id: int) -> None:
    for backend in _backends():
        try:
            backend.remove_service(page_id)
        except Exception:
            if backend.name == "database":
                raise
            logger.warning("Could not remove page %s from %s", page_id, backend.name, exc_info=True)


def _enqueue(task, *args) -> None:
    """Queue ``task`` once the transaction commits (a worker must see the committed page).
    The immediate task backend runs it now, inside the transaction, which sees the change."""
    if type(task.get_backend()).__name__ == "ImmediateBackend":
        task.enqueue(*args)
    else:
        transaction.on_commit(lambda: task.enqueue(*args))


def enqueue_index(page_id: int) -> None:
    from search.tasks import index_service

    _enqueue(index_service, page_id)


def enqueue_remove(page_id: int) -> None:
    from search.tasks import remove_service

    _enqueue(remove_service, page_id)


def enqueue_many(page_ids: list[int]) -> None:
    from search.tasks import index_services

    if page_ids:
        _enqueue(index_services, list(page_ids))
