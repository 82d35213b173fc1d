"""UK postcodes: validation with GOV.UK wording, lookup in the local table, outcode
centroids for partial postcodes ("SR4"), and an optional postcodes.io client (off unless
``POSTCODES_IO_URL`` is set)."""

from __future__ import annotations

import json
import logging
import re
import urllib.parse
import urllib.request
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Avg, Count

from search import cache

logger = logging.getLogger(__name__)

INVALID_MESSAGE = "Enter a real postcode, like SR1 3AA"
_FULL_RE = re.compile(
    r"^(GIR0AA|[A-PR-UWYZ]([0-9]{1,2}|[A-HK-Y][0-9][A-Z0-9]?|[0-9][A-HJKPSTUW])[0-9][ABD-HJLNP-UW-Z]{2})$"
)
_OUTCODE_RE = re.compile(r"^(GIR|[A-PR-UWYZ]([0-9]{1,2}|[A-HK-Y][0-9][A-Z0-9]?|[0-9][A-HJKPSTUW]))$")


@dataclass(frozen=True)
class Place:
    """Where a search is centred: a postcode (or outcode) and its coordinates."""

    label: str  # "SR1 3AA" or "SR4"
    outcode: str
    latitude: float
    longitude: float
    partial: bool = False


def normalise(value: str) -> str:
    """'sr13aa' → 'SR1 3AA', 'sr4' → 'SR4'. Raises ValidationError with the GOV.UK message."""
    compact = re.sub(r"[\s\-]+", "", value or "")
    if not compact.isascii():
        # Upper-casing some letters of other alphabets gives ASCII ("ſ" → "S"): never a postcode.
        raise ValidationError(INVALID_MESSAGE, code="invalid_postcode")
    compact = compact.upper()
    if _FULL_RE.match(compact):
        return f"{compact[:-3]} {compact[-3:]}"
    if _OUTCODE_RE.match(compact):
        return compact
    raise ValidationError(INVALID_MESSAGE, code="invalid_postcode")


def outcode_of(value: str) -> str:
    """The outward code of a postcode or outcode ('' if not a postcode): all a search log keeps."""
    try:
        postcode = normalise(value)
    except ValidationError:
        return ""
    return postcode.split(" ")[0]


def lookup(value: str) -> Place | None:
    """Coordinates of a (valid) postcode: the table first, then the outcode's centroid, then
    postcodes.io if configured. None if nowhere knows it. What the table says is remembered
    per process until postcodes are imported or edited (:mod:`search.cache`)."""
    postcode = normalise(value)
    outcode = postcode.split(" ")[0]
    if " " in postcode:
        row = cache.memo(cache.POSTCODES, postcode, lambda: _table_row(postcode))
        if row:
            return Place(postcode, outcode, row[0], row[1])
        remote = postcodes_io_lookup(postcode)
        if remote:
            return Place(postcode, outcode, remote[0], remote[1])
    centroid = cache.memo(cache.POSTCODES, outcode, lambda: _centroid(outcode))
    if centroid:
        return Place(outcode, outcode, centroid[0], centroid[1], partial=True)
    if " " not in postcode:
        remote = postcodes_io_lookup(postcode, outcode=True)
        if remote:
            return Place(outcode, outcode, remote[0], remote[1], partial=True)
    return None


def _table_row(postcode: str) -> tuple[float, float] | None:
    from search.models import Postcode

    return Postcode.objects.filter(postcode=postcode).values_list("latitude", "longitude").first()


def _centroid(outcode: str) -> tuple[float, float] | None:
    from search.models import Postcode

    row = Postcode.objects.filter(outcode=outcode).aggregate(
        lat=Avg("latitude"), lng=Avg("longitude"), n=Count("postcode")
    )
    return (row["lat"], row["lng"]) if row["n"] else None


def postcodes_io_lookup(postcode: str, *, outcode: bool = False) -> tuple[float, float] | None:
    """Ask postcodes.io (or a mirror) for a postcode's coordinates. Off unless
    ``POSTCODES_IO_URL`` is set; any failure is logged and treated as unknown."""
    base = getattr(settings, "POSTCODES_IO_URL", None)
    if not base:
        return None
    kind = "outcodes" if outcode else "postcodes"
    url = f"{base.rstrip('/')}/{kind}/{urllib.parse.quote(postcode.replace(' ', ''))}"
    timeout = getattr(settings, "POSTCODES_IO_TIMEOUT", 3)
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 (configured https URL)
            data = json.load(response)
    except urllib.error.HTTPError as exc:
        if exc.code != 404:
            logger.warning("postcodes.io lookup failed: HTTP %s", exc.code)
        return None
    except (OSError, ValueError) as exc:
        logger.warning("postcodes.io lookup failed: %s", exc)
        return None
    result = data.get("result") or {}
    try:
        return float(result["latitude"]), float(result["longitude"])
    except (KeyError, TypeError, ValueError):
        return None
