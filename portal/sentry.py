"""Error reporting to Sentry, only when ``SENTRY_DSN`` is set.

The portal holds safeguarding data (domestic abuse notifications, children's names, early
help assessments), so what leaves for Sentry is cut to what a developer needs to find a bug:
the exception, the stack (without local variables), the URL path, the request id (a tag, to
find the request's log lines) and the release. Request bodies, cookies, query strings,
headers that carry credentials, the user's email, name and address, and any email address
in a message are removed by :func:`scrub_event` before an event is sent, whatever the
integration captured.

| Variable | Default | Meaning |
|---|---|---|
| SENTRY_DSN | unset (off) | the project's DSN |
| SENTRY_ENVIRONMENT | production | environment name shown in Sentry |
| SENTRY_RELEASE | unset | release (e.g. the git commit) |
| SENTRY_TRACES_SAMPLE_RATE | 0 | share of requests traced for performance (0 to 1) |
"""

from __future__ import annotations

import re
from typing import Any

from portal.settings.env import env_str, parsed

FILTERED = "[Filtered]"
EMAIL = re.compile(r"[A-Za-z0-9._%+'-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
_KEPT_HEADERS = frozenset({"accept", "accept-language", "content-type", "content-length", "host", "x-request-id"})
_KEPT_USER_FIELDS = frozenset({"id"})


def _scrub_text(value: Any) -> Any:
    return EMAIL.sub(FILTERED, value) if isinstance(value, str) else value


def _scrub_request(request: dict) -> None:
    for key in ("data", "cookies", "query_string", "env"):
        if key in request:
            request[key] = FILTERED
    if "url" in request and isinstance(request["url"], str):
        request["url"] = request["url"].split("?", 1)[0]
    headers = request.get("headers")
    if isinstance(headers, dict):
        request["headers"] = {
            name: (value if name.lower() in _KEPT_HEADERS else FILTERED) for name, value in headers.items()
        }


def _scrub_frames(event: dict) -> None:
    values = (event.get("exception") or {}).get("values") or []
    threads = (event.get("threads") or {}).get("values") or []
    for entry in (*values, *threads):
        if "value" in entry:
            entry["value"] = _scrub_text(entry["value"])
        for frame in (entry.get("stacktrace") or {}).get("frames") or []:
            frame.pop("vars", None)


def scrub_event(event: dict, hint: dict | None = None) -> dict:
    """Remove personal and safeguarding data from a Sentry event (``before_send``)."""
    if isinstance(event.get("request"), dict):
        _scrub_request(event["request"])
    if isinstance(event.get("user"), dict):
        event["user"] = {key: value for key, value in event["user"].items() if key in _KEPT_USER_FIELDS}
    if "message" in event:
        event["message"] = _scrub_text(event["message"])
    logentry = event.get("logentry")
    if isinstance(logentry, dict):
        for key in ("message", "formatted"):
            if key in logentry:
                logentry[key] = _scrub_text(logentry[key])
        if logentry.get("params"):
            logentry["params"] = [FILTERED] * len(logentry["params"])
    _scrub_frames(event)
    breadcrumbs = event.get("breadcrumbs")
    crumbs = breadcrumbs.get("values") if isinstance(breadcrumbs, dict) else breadcrumbs
    for crumb in crumbs or []:
        if "message" in crumb:
            crumb["message"] = _scrub_text(crumb["message"])
        if isinstance(crumb.get("data"), dict):
            crumb["data"] = {key: _scrub_text(value) for key, value in crumb["data"].items()}
    extra = event.get("extra")
    if isinstance(extra, dict):
        event["extra"] = {key: _scrub_text(value) for key, value in extra.items()}
    return event


def before_send(event: dict, hint: dict | None = None) -> dict:
    """Scrub the event and tag it with the request id, to find its log lines."""
    from portal.audit.middleware import current_request_id

    event = scrub_event(event, hint)
    request_id = current_request_id()
    if request_id != "-":
        event.setdefault("tags", {})["request_id"] = request_id
    return event


def _sample_rate(value: str) -> float:
    rate = float(value)
    if not 0 <= rate <= 1:
        raise ValueError("must be between 0 and 1")
    return rate


def init_sentry() -> bool:
    """Start the Sentry SDK when ``SENTRY_DSN`` is set; returns whether it did."""
    dsn = env_str("SENTRY_DSN", "")
    if not dsn:
        return False
    import sentry_sdk
    from sentry_sdk.integrations.django import DjangoIntegration

    sentry_sdk.init(
        dsn=dsn,
        integrations=[DjangoIntegration()],
        environment=env_str("SENTRY_ENVIRONMENT", "production"),
        release=env_str("SENTRY_RELEASE", "") or None,
        traces_sample_rate=parsed("SENTRY_TRACES_SAMPLE_RATE", _sample_rate, 0.0, expected="a number between 0 and 1"),
        send_default_pii=False,
        include_local_variables=False,
        max_request_body_size="never",
        before_send=before_send,
        before_send_transaction=before_send,
    )
    return True
