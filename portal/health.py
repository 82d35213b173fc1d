"""``/healthz``: is this node able to do its work, and is the work getting done?

Called by load balancers and uptime monitors, so it needs no sign-in, says nothing personal
(counts, ages in seconds and names of backends only; never an error message, which could
carry a host name or a password) and is never cached. It costs a bounded, small number of
queries: ``SELECT 1``, one aggregate over the ready tasks and one over the alert outbox
(plus one ping of Elasticsearch or two Redis commands when those are configured).

Status:
- ``ok`` (200): everything answers and every threshold is met.
- ``degraded`` (200): Elasticsearch is unreachable. Family search falls back to the
  database backend (search.contract), so nobody sees an error, but the cluster needs a look.
- ``fail`` (503): the database does not answer, the task queue's broker does not answer,
  or a threshold is exceeded (task backlog, oldest waiting task, oldest unsent alert).

Thresholds are settings (read with these defaults until settings define them):
``HEALTH_MAX_TASK_BACKLOG`` ready tasks, ``HEALTH_MAX_TASK_AGE_SECONDS`` for the oldest
ready task and ``HEALTH_MAX_ALERT_AGE_SECONDS`` for the oldest Operation Encompass alert
still waiting to be sent.
"""

from __future__ import annotations

import datetime
import logging
import time
from collections.abc import Callable

from django.conf import settings
from django.db import DatabaseError, connection
from django.db.models import Case, Count, F, Min, Q, When
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

logger = logging.getLogger(__name__)

OK, DEGRADED, FAIL = "ok", "degraded", "fail"
SEARCH_PING_TIMEOUT_SECONDS = 2
REDIS_TIMEOUT_SECONDS = 2


def _age_seconds(moment, now) -> int | None:
    return None if moment is None else max(0, int((now - moment).total_seconds()))


def _failed(check: str, exc: BaseException) -> dict:
    # The exception's type only: its message may name hosts, users or passwords.
    logger.warning("Health check %s failed", check, exc_info=exc)
    return {"status": FAIL, "error": type(exc).__name__}


def check_database() -> dict:
    started = time.perf_counter()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as exc:
        return _failed("database", exc)
    return {"status": OK, "vendor": connection.vendor, "ms": round((time.perf_counter() - started) * 1000, 1)}


def check_search() -> dict:
    name = settings.SEARCH_BACKEND
    if name == "database":
        return {"status": OK, "backend": name}
    from search.contract import get_backend

    backend = get_backend(name)
    reachable = backend.health(timeout=SEARCH_PING_TIMEOUT_SECONDS)
    if reachable:
        return {"status": OK, "backend": name}
    # Searches fall back to the database backend, so families still get results.
    return {"status": DEGRADED, "backend": name, "error": "unreachable", "fallback": "database"}


def _task_thresholds(ready: int, oldest: int | None) -> str:
    if ready > settings.HEALTH_MAX_TASK_BACKLOG:
        return FAIL
    if oldest is not None and oldest > settings.HEALTH_MAX_TASK_AGE_SECONDS:
        return FAIL
    return OK


def check_tasks(now) -> dict:
    backend_path = settings.TASKS["default"]["BACKEND"]
    if backend_path == "django_tasks_db.DatabaseBackend":
        return _database_tasks(now)
    if backend_path == "django_tasks_rq.RQBackend":
        return _rq_tasks(now)
    # The immediate backend runs tasks inside the request: there is no queue to watch.
    return {"status": OK, "backend": backend_path.rsplit(".", 1)[-1]}


def _database_tasks(now) -> dict:
    from django_tasks_db.models import DBTaskResult, get_date_max

    try:
        # A task's wait starts when it was enqueued, or at its run_after if it was deferred.
        stats = DBTaskResult.objects.ready().aggregate(
            ready=Count("pk"),
            oldest=Min(Case(When(run_after=get_date_max(), then=F("enqueued_at")), default=F("run_after"))),
        )
    except DatabaseError as exc:
        return _failed("tasks", exc)
    oldest = _age_seconds(stats["oldest"], now)
    return {
        "status": _task_thresholds(stats["ready"], oldest),
        "backend": "database",
        "ready": stats["ready"],
        "oldest_ready_seconds": oldest,
    }


def _rq_tasks(now) -> dict:
    import django_rq
    from redis import Redis

    result: dict = {"backend": "rq"}
    waiting, oldest_enqueued = 0, None
    for name in settings.TASKS["default"].get("QUEUES", ["default"]):
        # A connection of our own with short timeouts: a Redis that does not answer must not
        # hold the health check until gunicorn kills the worker.
        config = settings.RQ_QUEUES[name]
        redis = Redis.from_url(
            config["URL"], socket_connect_timeout=REDIS_TIMEOUT_SECONDS, socket_timeout=REDIS_TIMEOUT_SECONDS
        )
        try:
            queue = django_rq.get_queue(name, connection=redis)
            waiting += queue.count
            first = queue.get_job_ids(0, 1)
            job = queue.fetch_job(first[0]) if first else None
        except Exception as exc:  # Redis down or refusing: nothing can be queued
            return {**result, **_failed("tasks", exc)}
        finally:
            redis.close()
        enqueued = job.enqueued_at if job is not None else None
        if enqueued is not None and timezone.is_naive(enqueued):
            enqueued = enqueued.replace(tzinfo=datetime.UTC)
        if enqueued is not None and (oldest_enqueued is None or enqueued < oldest_enqueued):
            oldest_enqueued = enqueued
    oldest = _age_seconds(oldest_enqueued, now)
    return {**result, "status": _task_thresholds(waiting, oldest), "ready": waiting, "oldest_ready_seconds": oldest}


def check_alerts(now) -> dict:
    from portal.encompass.models import OutboxMessage

    pending = Q(status=OutboxMessage.Status.PENDING)
    try:
        stats = OutboxMessage.objects.filter(status__in=[OutboxMessage.Status.PENDING, OutboxMessage.Status.FAILED])
        stats = stats.aggregate(
            unsent=Count("pk", filter=pending),
            oldest=Min("created_at", filter=pending),
            gave_up=Count("pk", filter=Q(status=OutboxMessage.Status.FAILED)),
        )
    except DatabaseError as exc:
        return _failed("alerts", exc)
    oldest = _age_seconds(stats["oldest"], now)
    late = oldest is not None and oldest > settings.HEALTH_MAX_ALERT_AGE_SECONDS
    return {
        "status": FAIL if late else OK,
        "unsent": stats["unsent"],
        "oldest_unsent_seconds": oldest,
        "gave_up": stats["gave_up"],
    }


def run_checks() -> dict:
    now = timezone.now()
    checks: dict[str, dict] = {"database": check_database()}
    database_up = checks["database"]["status"] == OK
    steps: list[tuple[str, Callable[[], dict]]] = [
        ("search", check_search),
        ("tasks", lambda: check_tasks(now)),
        ("alerts", lambda: check_alerts(now)),
    ]
    for name, check in steps:
        needs_database = name == "alerts" or (
            name == "tasks" and "django_tasks_db" in settings.TASKS["default"]["BACKEND"]
        )
        checks[name] = check() if database_up or not needs_database else {"status": FAIL, "error": "database down"}
    statuses = {check["status"] for check in checks.values()}
    overall = FAIL if FAIL in statuses else DEGRADED if DEGRADED in statuses else OK
    return {"status": overall, "checks": checks}


@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    report = run_checks()
    response = JsonResponse(report, status=503 if report["status"] == FAIL else 200)
    response["X-Robots-Tag"] = "noindex"
    return response
