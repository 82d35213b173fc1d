"""Per-process memos of the small, rarely changing tables a search reads — postcode
coordinates, category names, the thesaurus — kept correct across processes (gunicorn
workers, the task worker) by a generation token in Django's shared cache.

Each namespace has a token in the shared cache (``directory_search:gen:<namespace>``). A
process keeps each namespace's memo with the token it was filled under; a read first reads
the current token and drops the memo when it differs, so a worker never answers from a
memo older than the last change. :func:`pinned` reads every namespace's token in ONE cache
round trip for a whole search (contract.search uses it), instead of a query per table.

:func:`bump` — called by the signals (a taxonomy term, a synonym group or a postcode saved
or deleted) and by ``import_postcodes`` — writes a new token at once and again when the
transaction commits: a worker that refills its memo between the two (from the data as it
was before the commit) is sent back to the table by the second token. A memo also expires
after :data:`MAX_AGE` seconds, which bounds what a change made without signals
(``QuerySet.update``, raw SQL, a rolled-back edit this process had already read) can leave
behind.
"""

from __future__ import annotations

import contextlib
import contextvars
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

from django.core.cache import cache
from django.db import transaction

POSTCODES, TAXONOMY, SYNONYMS = "postcodes", "taxonomy", "synonyms"
NAMESPACES = (POSTCODES, TAXONOMY, SYNONYMS)
KEY = "directory_search:gen:{}"
MAX_AGE = 300.0  # seconds
MAX_ENTRIES = 10_000  # per namespace; the memo starts again when full (postcodes are typed by families)

_lock = threading.Lock()
_memos: dict[str, tuple[str, float, dict]] = {}  # namespace -> (token, filled at, values)
_pinned: contextvars.ContextVar[dict[str, str] | None] = contextvars.ContextVar("search_cache_pinned", default=None)
_MISSING = object()


def _tokens(namespaces: tuple[str, ...]) -> dict[str, str]:
    """The current token of each namespace, in one cache round trip (a namespace without one —
    a cleared or evicted cache — gets a new one, which invalidates every process's memo)."""
    keys = {namespace: KEY.format(namespace) for namespace in namespaces}
    found = cache.get_many(list(keys.values()))
    out = {}
    for namespace, key in keys.items():
        token = found.get(key)
        if token is None:
            token = uuid.uuid4().hex
            if not cache.add(key, token, None):  # another process set one first: use theirs
                token = cache.get(key) or token
        out[namespace] = token
    return out


@contextlib.contextmanager
def pinned() -> Iterator[None]:
    """Read every namespace's token once, for the memo reads of one search."""
    reset = _pinned.set(_tokens(NAMESPACES))
    try:
        yield
    finally:
        _pinned.reset(reset)


def _token(namespace: str) -> str:
    tokens = _pinned.get()
    if tokens is not None and namespace in tokens:
        return tokens[namespace]
    return _tokens((namespace,))[namespace]


def memo(namespace: str, key: Any, compute: Callable[[], Any]) -> Any:
    """``compute()``, remembered in this process under ``key`` until ``namespace`` changes."""
    token, now = _token(namespace), time.monotonic()
    with _lock:
        entry = _memos.get(namespace)
        if entry is None or entry[0] != token or now - entry[1] > MAX_AGE or len(entry[2]) >= MAX_ENTRIES:
            entry = (token, now, {})
            _memos[namespace] = entry
        value = entry[2].get(key, _MISSING)
    if value is _MISSING:
        value = compute()
        with _lock:
            if _memos.get(namespace) is entry:
                entry[2][key] = value
    return value


def _new_token(namespace: str) -> None:
    with _lock:
        _memos.pop(namespace, None)
    cache.set(KEY.format(namespace), uuid.uuid4().hex, None)


def bump(namespace: str) -> None:
    """``namespace``'s data changed: every process's memo of it is stale (now, and again once
    the current transaction commits)."""
    _new_token(namespace)
    transaction.on_commit(lambda: _new_token(namespace))
