"""Settings for the insights benchmark: the test settings on BENCH_DATABASE_URL (set by
``bench/insights/run.py``: ``var/bench/insights-N.sqlite3`` or a PostgreSQL database), with MFA
required as in production, so every page request pays for the check."""

import os

import dj_database_url

from portal.settings.test import *  # noqa: F403

DATABASES = {"default": dj_database_url.parse(os.environ["BENCH_DATABASE_URL"])}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = dict(SQLITE_OPTIONS)  # noqa: F405 (as a council runs it)
TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
ENCOMPASS_LA_CODE = "394"
REQUIRE_MFA = True
# Exact counts, so the naive loop's figures can be compared with ours (rounding costs nothing).
INSIGHTS_ROUND_TO = 1
DEBUG = False
ALLOWED_HOSTS = ["*"]
