"""The production-readiness tests run the portal as it runs in production: gunicorn, a task
worker and a mail server in processes of their own, on a database those processes share.
That database is not pytest-django's (a test's transaction is invisible to other processes):
it is made once per session (migrated, 500 synthetic services seeded and indexed) on the
engine DATABASE_URL names, SQLite or PostgreSQL, and copied for each test."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bench.load import harness

SERVICES = 500


@pytest.fixture(scope="session")
def portal_template(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("portal-template")
    database = harness.Database.new(workdir, f"prodtest_{os.getpid()}", os.environ.get("DATABASE_URL"))
    try:
        env = harness.portal_env(database)
        harness.migrate(env)
        seeded = harness.dataset(env, "seed", "--services", str(SERVICES))
        yield database, seeded
    finally:
        database.drop()


@pytest.fixture
def portal_db(portal_template, tmp_path, request):
    """A fresh copy of the template for one test: ``(database, seeded)``."""
    template, seeded = portal_template
    name = "".join(ch for ch in request.node.name.lower() if ch.isalnum())[:20]
    database = template.clone(Path(tmp_path), f"{name}_{os.getpid()}")
    yield database, seeded
    database.drop()
