"""Settings for the assessment benchmark: the test settings on a throwaway SQLite file (or
BENCH_DATABASE_URL), with MFA required, as in production, so every request pays for the check."""

import os
import tempfile

import dj_database_url

from portal.settings.test import *  # noqa: F403

_url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{tempfile.mkdtemp(prefix='bench-assessment-')}/bench.sqlite3"
DATABASES = {"default": dj_database_url.parse(_url)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {"init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"}
TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
REQUIRE_MFA = True
DEBUG = False
ALLOWED_HOSTS = ["*"]
