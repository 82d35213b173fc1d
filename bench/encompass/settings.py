"""Settings for the Encompass benchmark: the test settings, a throwaway SQLite file (or
BENCH_DATABASE_URL), alerts queued in the outbox but not sent (the dummy task backend), as a
web node does when a separate worker sends them."""

import os
import tempfile

import dj_database_url

from portal.settings.test import *  # noqa: F403

_url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{tempfile.mkdtemp(prefix='bench-encompass-')}/bench.sqlite3"
DATABASES = {"default": dj_database_url.parse(_url)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {"init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"}
TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
ENCOMPASS_LA_CODE = "394"
DEBUG = False
ALLOWED_HOSTS = ["*"]
