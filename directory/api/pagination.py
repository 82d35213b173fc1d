"""The Open Referral UK pagination envelope."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

DEFAULT_PER_PAGE = 50
MAX_PER_PAGE = 200


def envelope(*, total_items: int, page: int, per_page: int, contents: list[Any]) -> dict[str, Any]:
    """Pages count from 1. A page past the last is not an error: it comes back empty, with
    ``last_page`` true, so a client walking pages stops cleanly."""
    total_pages = math.ceil(total_items / per_page) if total_items else 0
    return {
        "total_items": total_items,
        "total_pages": total_pages,
        "page_number": page,
        "size": len(contents),
        "first_page": page == 1,
        "last_page": page >= total_pages,
        "empty": not contents,
        "contents": contents,
    }


def paginate_queryset(queryset, *, page: int, per_page: int, serialise: Callable[[Any], dict]) -> dict[str, Any]:
    total = queryset.count()
    offset = (page - 1) * per_page
    items = list(queryset[offset : offset + per_page]) if offset < total else []
    return envelope(total_items=total, page=page, per_page=per_page, contents=[serialise(item) for item in items])


def page_slice(items: Sequence[Any], *, page: int, per_page: int) -> Sequence[Any]:
    offset = (page - 1) * per_page
    return items[offset : offset + per_page]
