"""gunicorn settings for the portal, read from the environment:

    gunicorn portal.wsgi -c gunicorn.conf.py

| Variable | Default | Meaning |
|---|---|---|
| WEB_CONCURRENCY (or GUNICORN_WORKERS) | 2 × CPUs + 1 | worker processes |
| GUNICORN_THREADS | 1 | threads per worker (more than 1 uses the gthread worker) |
| GUNICORN_BIND | 127.0.0.1:8000 | address(es) to listen on, comma-separated (unix:/run/portal.sock works) |
| GUNICORN_TIMEOUT | 30 | seconds a worker may spend on one request before it is restarted |
| GUNICORN_GRACEFUL_TIMEOUT | 30 | seconds to finish requests in flight on restart or stop |
| GUNICORN_KEEPALIVE | 5 | seconds to hold an idle keep-alive connection from the proxy |
| GUNICORN_MAX_REQUESTS | 1000 | requests before a worker is replaced (0: never) |
| GUNICORN_MAX_REQUESTS_JITTER | 100 | random extra requests, so workers are not all replaced at once |
| FORWARDED_ALLOW_IPS | 127.0.0.1,::1 | proxies trusted to set X-Forwarded-Proto/-For |
| LOG_FORMAT | json under production settings, else text | shape of every log line |
| LOG_LEVEL | INFO | level of gunicorn's own log |

Every log line (gunicorn's own, its access log and the application's) goes to stderr/stdout
through :class:`portal.logging.JsonFormatter` (or the text format) with the request id; the
access log never records query strings (family searches, postcodes) and hides the secret in
invitation, password-reset and "still correct" links.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
from pathlib import Path

from gunicorn.glogging import Logger

sys.path.insert(0, str(Path(__file__).resolve().parent))

from portal.logging import TEXT_FORMAT, redact
from portal.settings.env import env_choice, env_int, env_list, env_str

# --- Workers ---------------------------------------------------------------------------
_default_workers = multiprocessing.cpu_count() * 2 + 1
workers = env_int("WEB_CONCURRENCY", env_int("GUNICORN_WORKERS", _default_workers, minimum=1), minimum=1)
threads = env_int("GUNICORN_THREADS", 1, minimum=1)
timeout = env_int("GUNICORN_TIMEOUT", 30, minimum=1, unit="seconds")
graceful_timeout = env_int("GUNICORN_GRACEFUL_TIMEOUT", 30, minimum=1, unit="seconds")
keepalive = env_int("GUNICORN_KEEPALIVE", 5, minimum=1, unit="seconds")
max_requests = env_int("GUNICORN_MAX_REQUESTS", 1000, minimum=0)
max_requests_jitter = env_int("GUNICORN_MAX_REQUESTS_JITTER", 100, minimum=0)
if Path("/dev/shm").is_dir():  # noqa: S108 - the worker heartbeat file, in memory rather than on disk
    worker_tmp_dir = "/dev/shm"  # noqa: S108

# --- Network ---------------------------------------------------------------------------
bind = env_list("GUNICORN_BIND", ["127.0.0.1:8000"])
forwarded_allow_ips = env_str("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
proc_name = "early-help-portal"
# systemd's signals manage the server (HUP: reload workers gracefully; TERM: finish requests
# and stop), so gunicorn's control socket, one per user by default, is not opened.
control_socket_disable = True

# --- Logging ---------------------------------------------------------------------------
_production = os.environ.get("DJANGO_SETTINGS_MODULE", "portal.settings.production").endswith(".production")
LOG_FORMAT = env_choice("LOG_FORMAT", ("json", "text"), "json" if _production else "text")
loglevel = env_choice("LOG_LEVEL", ("DEBUG", "INFO", "WARNING", "ERROR"), "INFO").lower()
accesslog = "-"
errorlog = "-"


class AccessLogger(Logger):
    """gunicorn's logger, with an access line that is a structured record: method, path
    (no query string; secrets hidden), status, bytes, duration and the request id the
    application returned in X-Request-ID."""

    def access(self, resp, req, environ, request_time):
        if not self.access_log_enabled:
            return
        status = resp.status.split(None, 1)[0] if isinstance(resp.status, str) else resp.status
        request_id = "-"
        headers = resp.headers.items() if hasattr(resp.headers, "items") else resp.headers
        for name, value in headers:
            if name.lower() == "x-request-id":
                request_id = value
        method, path = environ.get("REQUEST_METHOD", "-"), redact(environ.get("PATH_INFO", ""))
        fields = {
            "request_id": request_id,
            "method": method,
            "path": path,
            "status": int(status) if str(status).isdigit() else status,
            "bytes": getattr(resp, "sent", None),
            "duration_ms": round(request_time.total_seconds() * 1000, 1),
            "protocol": environ.get("SERVER_PROTOCOL", "-"),
        }
        try:
            self.access_log.info("%s %s %s", method, path, status, extra=fields)
        except Exception:
            self.error_log.exception("Could not write the access log line")


logger_class = AccessLogger

logconfig_dict = {
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
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["request_id", "redact"],
            "stream": "ext://sys.stderr",
        },
        "access": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["request_id", "redact"],
            "stream": "ext://sys.stdout",
        },
    },
    "loggers": {
        "gunicorn.error": {"level": loglevel.upper(), "handlers": ["console"], "propagate": False},
        "gunicorn.access": {"level": "INFO", "handlers": ["access"], "propagate": False},
    },
}
