"""Structured logs: one JSON object per line in production, readable text in development.

Every record carries the request id set by :class:`portal.audit.middleware.RequestIdMiddleware`
(through :class:`RequestIdFilter`), so one request can be followed from nginx's log through
gunicorn's access log to the application's own lines, and to its audit events. Secrets in
paths are hidden (:class:`RedactSecretsFilter`) and Django's request object, whose text holds
the query string, is never written. ``LOG_FORMAT`` chooses ``json`` or ``text``;
``LOG_LEVEL`` the level.

The settings build their ``LOGGING`` dict with :func:`logging_config`; gunicorn.conf.py uses
the same formatter for gunicorn's own and access logs, so every line on stdout has one shape.
"""

from __future__ import annotations

import datetime
import json
import logging
import re
import traceback

from portal.audit.middleware import current_request_id

# Attributes every LogRecord has; anything else on a record came from ``extra=`` and is
# written as a field of its own.
_STANDARD_ATTRIBUTES = frozenset(
    {
        *logging.LogRecord("", 0, "", 0, "", (), None).__dict__,
        "message",
        "asctime",
        "request_id",
        "taskName",
    }
)

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"

# Paths whose next segment is a secret (an invitation token, a password-reset key, a "still
# correct" link's token). Django logs paths ("Not Found: /directory/verify/…/"), so do we.
SECRET_PATH_PREFIXES = ("/accounts/invitation/", "/accounts/password/reset/key/", "/directory/verify/")
_SECRET_SEGMENT = re.compile("(" + "|".join(re.escape(prefix) for prefix in SECRET_PATH_PREFIXES) + r")[^/\s'\"?#]+")
# Extras that Django attaches to request log records: the request object would print the
# full path with its query string (family searches, postcodes); the request id stands in.
_DROPPED_EXTRAS = frozenset({"request", "server_time"})


def redact(text: str) -> str:
    """``text`` with the secret segment of every secret-bearing path replaced by "…"."""
    return _SECRET_SEGMENT.sub(r"\1…", text)


class RequestIdFilter(logging.Filter):
    """Stamp the id of the request being handled ("-" outside a request) on every record,
    unless the record already carries one (gunicorn's access lines carry the id the
    application returned). Django logs a 4xx or 5xx response after the middleware has
    returned, so for those the id is taken from the request attached to the record."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", None):
            request_id = current_request_id()
            if request_id == "-":
                request_id = getattr(getattr(record, "request", None), "request_id", None) or "-"
            record.request_id = request_id
        return True


class RedactSecretsFilter(logging.Filter):
    """Hide secrets in paths that a message quotes, whatever the formatter."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = redact(message)
        if redacted != message:
            record.msg, record.args = redacted, ()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per record: ``time`` (UTC, ISO 8601 with milliseconds), ``level``,
    ``logger``, ``message``, ``request_id``, the fields passed with ``extra=`` and, for an
    exception, ``exception`` (its type) and ``traceback``. Values that are not JSON types are
    written with ``str()``; a record never fails to format."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.datetime.fromtimestamp(record.created, tz=datetime.UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", "-"),
        }
        for key, value in record.__dict__.items():
            if (
                key not in _STANDARD_ATTRIBUTES
                and key not in _DROPPED_EXTRAS
                and not key.startswith("_")
                and key not in entry
            ):
                entry[key] = value
        if record.exc_info and record.exc_info[0] is not None:
            entry["exception"] = record.exc_info[0].__name__
            entry["traceback"] = "".join(traceback.format_exception(*record.exc_info)).rstrip()
        elif record.exc_text:
            entry["traceback"] = record.exc_text
        if record.stack_info:
            entry["stack"] = record.stack_info
        return json.dumps(entry, default=str, ensure_ascii=False)


def logging_config(level: str = "INFO", fmt: str = "text") -> dict:
    """The ``LOGGING`` dict for the settings: everything to stderr through one handler that
    stamps the request id, formatted as ``fmt`` ("json" or "text")."""
    if fmt not in ("json", "text"):
        raise ValueError(f"fmt must be 'json' or 'text', got {fmt!r}")
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {
            "request_id": {"()": "portal.logging.RequestIdFilter"},
            "redact": {"()": "portal.logging.RedactSecretsFilter"},
        },
        "formatters": {
            "json": {"()": "portal.logging.JsonFormatter"},
            "text": {"format": TEXT_FORMAT},
        },
        "handlers": {
            "console": {"class": "logging.StreamHandler", "formatter": fmt, "filters": ["request_id", "redact"]},
        },
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            "django.db.backends": {"level": "WARNING"},
            "elasticsearch": {"level": "WARNING"},
            "elastic_transport": {"level": "WARNING"},
        },
    }
