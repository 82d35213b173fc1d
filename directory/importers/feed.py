"""Reading ORUK services from a file or a live feed (no writes here)."""

from __future__ import annotations

import datetime
import json
from pathlib import Path
from typing import Any

import requests

from directory import conf
from directory.importers.oruk import records_from_json

MAX_PAGES = 10_000
PER_PAGE = 50


class SourceError(Exception):
    """The source could not be read: a missing file, invalid JSON, an HTTP error."""


def is_url(source: str) -> bool:
    return source.startswith(("http://", "https://"))


def load_records(
    source: str,
    *,
    since: datetime.datetime | None = None,
    session: requests.Session | None = None,
    progress=None,
) -> list[dict[str, Any]]:
    """The full service records from ``source``: a JSON file (a list of services or one ORUK
    page), the URL of such a file (ending .json), or the base URL of a live ORUK API, whose
    ``/services`` pages are walked and each service fetched in full from ``/services/{id}``."""
    if not is_url(source):
        if since is not None:
            raise SourceError("--since only applies to a live feed (a URL)")
        path = Path(source)
        try:
            text = path.read_text(encoding="utf-8-sig")
        except OSError as exc:
            raise SourceError(f"cannot read {source}: {exc.strerror or exc}") from None
        except UnicodeDecodeError as exc:
            raise SourceError(f"cannot read {source}: not UTF-8 text (byte {exc.start} cannot be decoded)") from None
        return _parse(text, source)
    session = session or requests.Session()
    if source.lower().split("?")[0].endswith(".json"):
        return _parse(_get(session, source).text, source)
    return _walk(session, source.rstrip("/"), since, progress)


def _parse(text: str, where: str) -> list[dict[str, Any]]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SourceError(f"{where}: invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}") from None
    except RecursionError:
        raise SourceError(f"{where}: the JSON is nested too deeply to be ORUK data") from None
    try:
        return records_from_json(data)
    except ValueError as exc:
        raise SourceError(f"{where}: {exc}") from None


def _get(session: requests.Session, url: str, params: dict | None = None) -> requests.Response:
    try:
        response = session.get(
            url, params=params, timeout=conf.import_timeout_seconds(), headers={"Accept": "application/json"}
        )
    except requests.RequestException as exc:
        raise SourceError(f"cannot fetch {url}: {exc}") from None
    if response.status_code != 200:
        raise SourceError(f"{response.url} answered HTTP {response.status_code}")
    return response


def _json(response: requests.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        raise SourceError(f"{response.url} did not return JSON") from None


def _walk(session, base: str, since, progress) -> list[dict[str, Any]]:
    ids: list[str] = []
    params: dict[str, Any] = {"per_page": PER_PAGE}
    if since is not None:
        params["modified_after"] = since.isoformat()
    for page in range(1, MAX_PAGES + 1):
        params["page"] = page
        data = _json(_get(session, f"{base}/services", params))
        if not isinstance(data, dict) or not isinstance(data.get("contents"), list):
            raise SourceError(f"{base}/services?page={page} is not an ORUK page (no 'contents')")
        for item in data["contents"]:
            if isinstance(item, dict) and item.get("id") and item["id"] not in ids:
                ids.append(str(item["id"]))
        total_pages = data.get("total_pages")
        if (
            not data["contents"]
            or data.get("last_page") is True
            or (isinstance(total_pages, int) and page >= total_pages)
        ):
            break
    else:
        raise SourceError(f"{base} has more than {MAX_PAGES} pages of services")
    records = []
    for number, service_id in enumerate(ids, start=1):
        if progress:
            progress(number, len(ids), service_id)
        record = _json(_get(session, f"{base}/services/{service_id}"))
        if not isinstance(record, dict):
            raise SourceError(f"{base}/services/{service_id} is not a service object")
        records.append(record)
    return records
