"""The family's shortlist ("my list"): service page ids kept in the session, so there is no
account and nothing outlives the session (it ends when the browser closes or after the
idle timeout). Only ids are stored; what is shown is always re-read through
``selectors.shortlist_services``, so a service hidden since it was added drops off."""

from __future__ import annotations

from django.core.cache import cache

SESSION_KEY = "directory_shortlist"
MAX_ITEMS = 50

EMAILS_PER_HOUR = 3


class Shortlist:
    def __init__(self, request):
        self.session = request.session

    @property
    def ids(self) -> list[int]:
        value = self.session.get(SESSION_KEY, [])
        return [pk for pk in value if isinstance(pk, int)] if isinstance(value, list) else []

    def _save(self, ids: list[int]) -> None:
        if ids:
            self.session[SESSION_KEY] = ids
        else:
            self.session.pop(SESSION_KEY, None)

    def add(self, pk: int) -> bool:
        """Add a service; False if the list is full (the oldest item is never dropped)."""
        ids = self.ids
        if pk in ids:
            return True
        if len(ids) >= MAX_ITEMS:
            return False
        self._save([*ids, pk])
        return True

    def remove(self, pk: int) -> None:
        self._save([i for i in self.ids if i != pk])

    def clear(self) -> None:
        self._save([])

    def keep_only(self, pks) -> int:
        """Drop ids not in ``pks`` (services no longer public); returns how many went."""
        keep = set(pks)
        ids = self.ids
        remaining = [i for i in ids if i in keep]
        if len(remaining) != len(ids):
            self._save(remaining)
        return len(ids) - len(remaining)


def email_allowed(request) -> bool:
    """At most EMAILS_PER_HOUR emails of the list per session an hour. Counts an attempt."""
    if not request.session.session_key:
        request.session.save()
    key = f"directory:shortlist-email:{request.session.session_key}"
    cache.add(key, 0, timeout=3600)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=3600)
        count = 1
    return count <= EMAILS_PER_HOUR
