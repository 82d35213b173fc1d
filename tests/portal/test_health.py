"""/healthz: what load balancers and uptime monitors rely on. 200 when the node can work and
the work is getting done; 503 when the database is down or a queue is stuck; nothing
personal, never cached, a handful of queries. And gunicorn starts with gunicorn.conf.py and
serves it, logging one JSON access line per request with the request id."""

from __future__ import annotations

import datetime
import json
import os
import runpy
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest

from django.core.exceptions import ImproperlyConfigured
from django.db import OperationalError, connection
from django.utils import timezone

from portal import health
from portal.encompass.models import OutboxMessage
from tests.search.conftest import elastic_settings, elasticsearch_url  # noqa: F401 - fixtures

ROOT = Path(__file__).resolve().parents[2]
GOOD_KEY = "k" * 20 + "abcdefghijklmnopqrstuvwxyz0123456789-_"
DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def _get(client, **headers):
    response = client.get("/healthz", headers=headers)
    return response, json.loads(response.content)


def _ready_task(*, enqueued_ago: datetime.timedelta, run_after: datetime.datetime | None = None):
    from django_tasks_db.models import DBTaskResult, get_date_max

    task = DBTaskResult.objects.create(
        status="READY",
        args_kwargs={"args": [], "kwargs": {}},
        priority=0,
        task_path="search.tasks.index_service",
        queue_name="default",
        backend_name="default",
        run_after=run_after or get_date_max(),
        return_value=None,
        exception_class_path="",
        traceback="",
    )
    DBTaskResult.objects.filter(pk=task.pk).update(enqueued_at=timezone.now() - enqueued_ago)
    return task


def _alert(key: str, *, status=OutboxMessage.Status.PENDING, age=datetime.timedelta(0)):
    return OutboxMessage.objects.create(
        key=key,
        email=f"{key}@school.example.org",
        kind="new",
        link="/portal/encompass/",
        status=status,
        created_at=timezone.now() - age,
    )


@pytest.mark.django_db
def test_healthy_node_answers_200_with_every_check(client, settings):
    settings.TASKS = DATABASE_TASKS
    response, body = _get(client)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "search", "tasks", "alerts"}
    assert body["checks"]["database"]["status"] == "ok"
    assert body["checks"]["database"]["ms"] >= 0
    assert body["checks"]["search"] == {"status": "ok", "backend": "database"}
    assert body["checks"]["tasks"] == {"status": "ok", "backend": "database", "ready": 0, "oldest_ready_seconds": None}
    assert body["checks"]["alerts"] == {"status": "ok", "unsent": 0, "oldest_unsent_seconds": None, "gave_up": 0}


@pytest.mark.django_db
def test_it_is_never_cached_needs_no_sign_in_and_is_not_indexed(client):
    response, _ = _get(client)
    assert response.status_code == 200  # anonymous
    assert "no-store" in response["Cache-Control"]
    assert "max-age=0" in response["Cache-Control"]
    assert response["X-Robots-Tag"] == "noindex"
    assert response["X-Request-ID"]
    assert client.head("/healthz").status_code == 200  # load balancers often use HEAD
    assert client.post("/healthz").status_code == 405


@pytest.mark.django_db
def test_it_costs_a_bounded_number_of_queries_however_much_is_queued(client, settings, django_assert_max_num_queries):
    settings.TASKS = DATABASE_TASKS
    for number in range(30):
        _ready_task(enqueued_ago=datetime.timedelta(seconds=number))
        _alert(f"alert-{number}")
    with django_assert_max_num_queries(3):
        response, body = _get(client)
    assert response.status_code == 200
    assert (body["checks"]["tasks"]["ready"], body["checks"]["alerts"]["unsent"]) == (30, 30)


@pytest.mark.django_db
def test_a_task_backlog_over_the_threshold_fails_the_check(client, settings):
    settings.TASKS = DATABASE_TASKS
    settings.HEALTH_MAX_TASK_BACKLOG = 2
    for _ in range(3):
        _ready_task(enqueued_ago=datetime.timedelta(seconds=5))
    response, body = _get(client)
    assert response.status_code == 503
    assert body["status"] == "fail"
    assert body["checks"]["tasks"]["status"] == "fail"
    assert body["checks"]["tasks"]["ready"] == 3
    assert body["checks"]["database"]["status"] == "ok"


@pytest.mark.django_db
def test_a_task_waiting_too_long_fails_but_a_deferred_one_does_not_count(client, settings):
    settings.TASKS = DATABASE_TASKS
    settings.HEALTH_MAX_TASK_AGE_SECONDS = 600
    # Enqueued an hour ago to run tomorrow: not ready, so not late.
    _ready_task(enqueued_ago=datetime.timedelta(hours=1), run_after=timezone.now() + datetime.timedelta(days=1))
    response, body = _get(client)
    assert (response.status_code, body["checks"]["tasks"]["ready"]) == (200, 0)

    _ready_task(enqueued_ago=datetime.timedelta(minutes=11))
    response, body = _get(client)
    assert response.status_code == 503
    assert body["checks"]["tasks"]["status"] == "fail"
    assert 660 <= body["checks"]["tasks"]["oldest_ready_seconds"] < 720


@pytest.mark.django_db
def test_an_alert_waiting_to_be_sent_too_long_fails_the_check(client, settings):
    settings.HEALTH_MAX_ALERT_AGE_SECONDS = 900
    _alert("sent-long-ago", status=OutboxMessage.Status.SENT, age=datetime.timedelta(days=3))
    _alert("gave-up", status=OutboxMessage.Status.FAILED, age=datetime.timedelta(days=2))
    _alert("fresh", age=datetime.timedelta(minutes=2))
    response, body = _get(client)
    assert response.status_code == 200
    assert body["checks"]["alerts"]["unsent"] == 1
    assert 120 <= body["checks"]["alerts"]["oldest_unsent_seconds"] < 180
    assert body["checks"]["alerts"]["gave_up"] == 1

    _alert("stuck", age=datetime.timedelta(minutes=20))
    response, body = _get(client)
    assert response.status_code == 503
    assert body["checks"]["alerts"]["status"] == "fail"
    assert 1200 <= body["checks"]["alerts"]["oldest_unsent_seconds"] < 1260


@pytest.mark.django_db
def test_the_output_holds_no_personal_data(client, settings):
    settings.TASKS = DATABASE_TASKS
    _alert("keyadult-900001", age=datetime.timedelta(hours=2))
    response, _ = _get(client)
    text = response.content.decode()
    assert "@" not in text
    assert "keyadult" not in text
    assert "/portal/encompass/" not in text


class _BrokenConnection:
    vendor = "postgresql"

    def cursor(self):
        raise OperationalError('connection to server at "db.internal" failed: password=hunter2 authentication failed')


@pytest.mark.django_db
def test_database_down_answers_503_without_the_error_text(client, monkeypatch):
    monkeypatch.setattr(health, "connection", _BrokenConnection())
    response, body = _get(client)
    assert response.status_code == 503
    assert body["status"] == "fail"
    assert body["checks"]["database"] == {"status": "fail", "error": "OperationalError"}
    assert body["checks"]["alerts"] == {"status": "fail", "error": "database down"}
    assert "hunter2" not in response.content.decode()
    assert "db.internal" not in response.content.decode()


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.django_db
def test_elasticsearch_unreachable_is_degraded_not_down(client, settings):
    # Family search falls back to the database backend, so the node still serves.
    settings.SEARCH_BACKEND = "elasticsearch"
    settings.ELASTICSEARCH_URL = f"http://127.0.0.1:{_closed_port()}"
    settings.ELASTICSEARCH_CLIENT_OPTIONS = {}
    started = time.monotonic()
    response, body = _get(client)
    assert time.monotonic() - started < health.SEARCH_PING_TIMEOUT_SECONDS + 2
    assert response.status_code == 200
    assert body["status"] == "degraded"
    assert body["checks"]["search"] == {
        "status": "degraded",
        "backend": "elasticsearch",
        "error": "unreachable",
        "fallback": "database",
    }


@pytest.mark.django_db
def test_elasticsearch_reachable_is_ok_once_the_index_exists(client, elastic_settings):  # noqa: F811 - fixture
    from search.contract import get_backend

    # Reachable but never built: searches would fall back to the database, so "degraded".
    response, body = _get(client)
    assert response.status_code == 200
    assert body["checks"]["search"]["status"] == "degraded"

    get_backend("elasticsearch").rebuild()
    response, body = _get(client)
    assert response.status_code == 200
    assert body["checks"]["search"] == {"status": "ok", "backend": "elasticsearch"}


def _rq_settings(settings, url: str) -> str:
    queue = f"health-{uuid.uuid4().hex[:8]}"
    settings.RQ_QUEUES = {queue: {"URL": url, "DEFAULT_TIMEOUT": 60}}
    settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": [queue]}}
    return queue


@pytest.mark.django_db
def test_rq_queue_length_and_age_are_reported(client, settings):
    import django_rq

    redis_url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
    name = _rq_settings(settings, redis_url)
    queue = django_rq.get_queue(name, commit_mode="auto")  # push now, not when a request finishes
    try:
        queue.connection.ping()
    except Exception:
        pytest.skip(f"no Redis at {redis_url}")
    try:
        for _ in range(2):
            queue.enqueue("builtins.print", "health check test")
        response, body = _get(client)
        assert response.status_code == 200
        assert body["checks"]["tasks"]["backend"] == "rq"
        assert body["checks"]["tasks"]["ready"] == 2
        assert 0 <= body["checks"]["tasks"]["oldest_ready_seconds"] < 60

        settings.HEALTH_MAX_TASK_BACKLOG = 1
        response, body = _get(client)
        assert (response.status_code, body["checks"]["tasks"]["status"]) == (503, "fail")
    finally:
        queue.empty()
        queue.delete(delete_jobs=True)


@pytest.mark.django_db
def test_redis_down_fails_the_task_check(client, settings):
    _rq_settings(settings, f"redis://127.0.0.1:{_closed_port()}/0")
    response, body = _get(client)
    assert response.status_code == 503
    assert body["checks"]["tasks"] == {"backend": "rq", "status": "fail", "error": "ConnectionError"}


# --- gunicorn with gunicorn.conf.py ---------------------------------------------------
GUNICORN_VARIABLES = (
    "WEB_CONCURRENCY",
    "GUNICORN_WORKERS",
    "GUNICORN_THREADS",
    "GUNICORN_BIND",
    "GUNICORN_TIMEOUT",
    "GUNICORN_GRACEFUL_TIMEOUT",
    "GUNICORN_MAX_REQUESTS",
    "GUNICORN_MAX_REQUESTS_JITTER",
    "FORWARDED_ALLOW_IPS",
    "LOG_FORMAT",
    "LOG_LEVEL",
    "DJANGO_SETTINGS_MODULE",
)


def _gunicorn_config(monkeypatch, **env) -> dict:
    for name in GUNICORN_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(ROOT / "gunicorn.conf.py"))


def test_gunicorn_defaults_are_safe_for_a_node_behind_a_proxy(monkeypatch):
    config = _gunicorn_config(monkeypatch)
    assert config["bind"] == ["127.0.0.1:8000"]  # only the local proxy reaches it
    assert config["workers"] == os.cpu_count() * 2 + 1
    assert (config["threads"], config["timeout"], config["graceful_timeout"]) == (1, 30, 30)
    assert (config["max_requests"], config["max_requests_jitter"]) == (1000, 100)
    assert config["forwarded_allow_ips"] == "127.0.0.1,::1"
    assert config["LOG_FORMAT"] == "json"  # portal.wsgi defaults to the production settings
    assert config["logger_class"].__name__ == "AccessLogger"


def test_gunicorn_reads_the_environment(monkeypatch):
    config = _gunicorn_config(
        monkeypatch,
        WEB_CONCURRENCY="3",
        GUNICORN_WORKERS="9",
        GUNICORN_THREADS="4",
        GUNICORN_BIND="0.0.0.0:9000, unix:/run/portal/gunicorn.sock",
        GUNICORN_TIMEOUT="60",
        GUNICORN_MAX_REQUESTS="0",
        FORWARDED_ALLOW_IPS="10.0.0.5",
        DJANGO_SETTINGS_MODULE="portal.settings.dev",
        LOG_LEVEL="WARNING",
    )
    assert config["workers"] == 3  # WEB_CONCURRENCY wins over GUNICORN_WORKERS
    assert config["bind"] == ["0.0.0.0:9000", "unix:/run/portal/gunicorn.sock"]
    assert (config["threads"], config["timeout"], config["max_requests"]) == (4, 60, 0)
    assert config["forwarded_allow_ips"] == "10.0.0.5"
    assert (config["LOG_FORMAT"], config["loglevel"]) == ("text", "warning")  # readable in development
    assert _gunicorn_config(monkeypatch, GUNICORN_WORKERS="2")["workers"] == 2


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("WEB_CONCURRENCY", "many", "WEB_CONCURRENCY must be a whole number"),
        ("GUNICORN_THREADS", "0", "GUNICORN_THREADS must be at least 1"),
        ("LOG_FORMAT", "xml", "LOG_FORMAT must be one of json, text"),
    ],
)
def test_a_bad_gunicorn_variable_stops_start_up_naming_it(monkeypatch, name, value, message):
    with pytest.raises(ImproperlyConfigured, match=message):
        _gunicorn_config(monkeypatch, **{name: value})


def _database_url_for_subprocess(tmp_path: Path) -> str:
    """The migrated test database, reachable from another process: PostgreSQL's test
    database as it is; SQLite's in-memory one copied into a file."""
    connection.ensure_connection()
    db = connection.settings_dict
    if connection.vendor == "postgresql":
        auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
        return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    target = tmp_path / "db.sqlite3"
    copy = sqlite3.connect(target)
    connection.connection.backup(copy)
    copy.close()
    return f"sqlite:///{target}"


def _serving_settings(tmp_path: Path) -> None:
    (tmp_path / "serving_settings.py").write_text(
        "from portal.settings.production import *  # noqa\n"
        "from portal.logging import logging_config\n"
        "LOGGING = logging_config(LOG_LEVEL, 'json')\n"
        "# No collectstatic here: the project's error pages find GOV.UK Frontend unhashed.\n"
        "STORAGES = {**STORAGES, 'staticfiles': {'BACKEND': 'django.contrib.staticfiles.storage.StaticFilesStorage'}}\n"
    )


def _fetch(url: str, headers: dict[str, str]):
    request = urllib.request.Request(url, headers=headers)  # noqa: S310 - a local URL
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - a local URL
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


@pytest.mark.django_db(transaction=True)  # no open transaction: SQLite's copy needs the database unlocked
def test_gunicorn_starts_with_the_config_and_serves_healthz(tmp_path):
    port = _closed_port()
    _serving_settings(tmp_path)
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "REDIS_URL", "TASK_BACKEND", "SEARCH_BACKEND"}}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "serving_settings",
            "PYTHONPATH": f"{tmp_path}{os.pathsep}{ROOT}",
            "SECRET_KEY": GOOD_KEY,
            "ALLOWED_HOSTS": "127.0.0.1",
            "DATABASE_URL": _database_url_for_subprocess(tmp_path),
            "WEB_CONCURRENCY": "2",
            "GUNICORN_BIND": f"127.0.0.1:{port}",
            "GUNICORN_GRACEFUL_TIMEOUT": "5",
            "LOG_FORMAT": "json",
        }
    )
    stdout, stderr = tmp_path / "stdout.log", tmp_path / "stderr.log"
    with stdout.open("w") as out, stderr.open("w") as err:
        server = subprocess.Popen(
            [str(Path(sys.executable).with_name("gunicorn")), "portal.wsgi", "-c", "gunicorn.conf.py"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=err,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            proxy = {"X-Forwarded-Proto": "https"}  # as nginx sets it; 127.0.0.1 is a trusted proxy
            deadline = time.monotonic() + 60
            while True:
                try:
                    status, headers, body = _fetch(f"{base}/healthz", {**proxy, "X-Request-ID": "gunicorn-test-0001"})
                    break
                except OSError:
                    assert server.poll() is None, stderr.read_text()
                    assert time.monotonic() < deadline, "gunicorn did not answer within 60 s:\n" + stderr.read_text()
                    time.sleep(0.3)
            assert status == 200, body
            report = json.loads(body)
            assert report["status"] == "ok"
            assert report["checks"]["tasks"]["backend"] == "database"
            assert headers["X-Request-ID"] == "gunicorn-test-0001"
            assert "no-store" in headers["Cache-Control"]
            assert "Strict-Transport-Security" in headers  # production settings, HTTPS via the proxy

            # Neither query strings nor the secret in a "still correct" link reach the log.
            _fetch(f"{base}/healthz?postcode=SR1+1AA", proxy)
            _fetch(f"{base}/directory/verify/SECRET-token-value-123/", proxy)
        finally:
            server.send_signal(signal.SIGTERM)
            code = server.wait(timeout=30)
    assert code == 0, stderr.read_text()

    access = [json.loads(line) for line in stdout.read_text().splitlines() if line.startswith("{")]
    first = next(line for line in access if line["request_id"] == "gunicorn-test-0001")
    assert (first["logger"], first["method"], first["path"], first["status"]) == (
        "gunicorn.access",
        "GET",
        "/healthz",
        200,
    )
    assert first["duration_ms"] >= 0
    assert {"time", "level", "message"} <= set(first)
    log = stdout.read_text() + stderr.read_text()
    assert "SR1" not in log
    assert "SECRET-token-value-123" not in log
    assert any(line["path"] == "/directory/verify/…/" for line in access)
    # gunicorn's own lines are JSON too.
    errors = [json.loads(line) for line in stderr.read_text().splitlines() if line.startswith("{")]
    assert any(line["logger"] == "gunicorn.error" and "Booting worker" in line["message"] for line in errors)
