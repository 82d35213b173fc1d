"""Settings for the load and fault harness: production's choices where they matter under load
(DEBUG off, persistent database connections with health checks as ``DATABASE_URL`` gives them,
the database cache, the database task queue, SMTP mail, MFA required for the portal), made
runnable on loopback without TLS or a reverse proxy. Public pages need no sign-in.

Everything else comes from the environment exactly as in production: ``DATABASE_URL``,
``DATABASE_CONN_MAX_AGE``, ``SEARCH_BACKEND``, ``ELASTICSEARCH_URL``, ``EMAIL_*``,
``TASK_BACKEND`` (default ``database``), ``ENCOMPASS_LA_CODE``."""

import os

os.environ.setdefault("TASK_BACKEND", "database")
os.environ.setdefault("EMAIL_BACKEND", "smtp")

from portal.settings.base import *  # noqa: F403

DEBUG = False
# Not a secret: the harness's databases are throwaway. Production refuses such a key.
SECRET_KEY = os.environ.get("SECRET_KEY") or "bench-load-harness-key-for-loopback-only-0123456789-abcdefghij"
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
REQUIRE_MFA = True
# Loopback HTTP, no proxy: production's HTTPS redirect and secure cookies would stop the harness.
SECURE_SSL_REDIRECT = False
# Static files straight from the finders (no collectstatic into a throwaway tree); the pages
# under load are HTML and the harness does not fetch their assets.
WHITENOISE_USE_FINDERS = True
# How long a claimed alert is held by its sender before another worker may retry it. The fault
# tests shorten it (below any minimum production allows) to see a killed worker's alert retried.
if os.environ.get("LOAD_OUTBOX_LEASE_SECONDS"):
    ENCOMPASS_OUTBOX_LEASE_SECONDS = int(os.environ["LOAD_OUTBOX_LEASE_SECONDS"])
