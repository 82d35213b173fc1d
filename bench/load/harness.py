"""The load and fault harness: a throwaway database, a gunicorn on a free loopback port, a
database task worker, a loopback SMTP server, locust driving family searches, and a police
system posting an Operation Encompass burst. Used by ``bench/load/run.py`` (the long
versions) and ``tests/production`` (the short versions, in CI).

Nothing here imports Django or locust: the portal runs in subprocesses with the settings in
``bench/load/settings.py``, and locust runs as ``.venv/bin/locust`` (it patches the standard
library with gevent, so it never shares a process with the test runner)."""

from __future__ import annotations

import contextlib
import csv
import datetime
import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent if (Path(sys.executable).parent / "gunicorn").exists() else ROOT / ".venv" / "bin"
PYTHON = str(BIN / "python") if (BIN / "python").exists() else sys.executable
LOCUSTFILE = Path(__file__).with_name("locustfile.py")
DATASET = Path(__file__).with_name("dataset.py")
API_READY = "/api/encompass/openapi.json"  # answers 200 once the portal serves requests

# Variables of the calling process that must not leak into the portal under test.
_SCRUB = (
    "DJANGO_SETTINGS_MODULE",
    "DATABASE_URL",
    "TASK_BACKEND",
    "REDIS_URL",
    "SEARCH_BACKEND",
    "ELASTICSEARCH_URL",
    "EMAIL_BACKEND",
    "EMAIL_HOST",
    "EMAIL_PORT",
    "NOTIFY_API_KEY",
    "DEBUG",
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def percentile(samples: list[float], p: float) -> float:
    if not samples:
        return 0.0
    ordered = sorted(samples)
    k = (len(ordered) - 1) * p
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


# --- Databases --------------------------------------------------------------------------
@dataclass
class Database:
    """A database the portal subprocesses share: a SQLite file, or a database of its own on
    the PostgreSQL server of ``server_url`` (created here, dropped by ``drop``)."""

    url: str
    server_url: str | None = None

    @property
    def is_postgres(self) -> bool:
        return self.url.startswith(("postgres://", "postgresql://"))

    @property
    def name(self) -> str:
        return urllib.parse.urlsplit(self.url).path.lstrip("/")

    @classmethod
    def new(cls, workdir: Path, name: str, server_url: str | None = None) -> Database:
        """``server_url`` is a PostgreSQL URL (its database is only used to name ours) or
        None for a SQLite file in ``workdir``."""
        if server_url and server_url.startswith(("postgres://", "postgresql://")):
            parts = urllib.parse.urlsplit(server_url)
            db_name = f"{parts.path.lstrip('/') or 'portal'}_{name}"[:63]
            database = cls(parts._replace(path="/" + db_name).geturl(), server_url)
            database._admin(f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)', f'CREATE DATABASE "{db_name}"')
            return database
        workdir.mkdir(parents=True, exist_ok=True)
        path = workdir / f"{name}.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return cls(f"sqlite:///{path}")

    def clone(self, workdir: Path, name: str) -> Database:
        """A copy of this (migrated, idle) database."""
        if self.is_postgres:
            parts = urllib.parse.urlsplit(self.url)
            db_name = f"{self.name}_{name}"[:63]
            copy = Database(parts._replace(path="/" + db_name).geturl(), self.server_url)
            copy._admin(
                f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)',
                f'CREATE DATABASE "{db_name}" TEMPLATE "{self.name}"',
            )
            return copy
        source = Path(urllib.parse.urlsplit(self.url).path)
        target = workdir / f"{name}.sqlite3"
        workdir.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{target}{suffix}").unlink(missing_ok=True)
            if Path(f"{source}{suffix}").exists():
                shutil.copyfile(f"{source}{suffix}", f"{target}{suffix}")
        return Database(f"sqlite:///{target}")

    def drop(self) -> None:
        if self.is_postgres:
            self._admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
        else:
            path = urllib.parse.urlsplit(self.url).path
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)

    def _admin(self, *statements: str) -> None:
        import psycopg

        parts = urllib.parse.urlsplit(self.url)
        with psycopg.connect(parts._replace(path="/postgres").geturl(), autocommit=True) as conn:
            for statement in statements:
                conn.execute(statement)


# --- The portal's processes ---------------------------------------------------------------
def portal_env(database: Database, **overrides: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in _SCRUB and not k.startswith("PYTEST")}
    env.update(
        DJANGO_SETTINGS_MODULE="bench.load.settings",
        DATABASE_URL=database.url,
        ENCOMPASS_LA_CODE="394",
        PYTHONUNBUFFERED="1",
        LOG_LEVEL="WARNING",
    )
    env.update(overrides)
    return env


def manage(env: dict[str, str], *args: str, timeout: float = 600) -> str:
    done = subprocess.run(
        [PYTHON, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
    )
    if done.returncode:
        raise RuntimeError(f"manage.py {' '.join(args)} failed ({done.returncode}):\n{done.stderr[-4000:]}")
    return done.stdout


def dataset(env: dict[str, str], *args: str, timeout: float = 600) -> dict:
    done = subprocess.run(
        [PYTHON, str(DATASET), *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
    )
    if done.returncode:
        raise RuntimeError(f"dataset.py {' '.join(args)} failed ({done.returncode}):\n{done.stderr[-4000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def migrate(env: dict[str, str]) -> None:
    manage(env, "migrate", "--noinput")
    manage(env, "createcachetable")


class Process:
    """A subprocess with its output in a log file; stopped on exit."""

    def __init__(self, args: list[str], env: dict[str, str], log: Path):
        self.log = log
        log.parent.mkdir(parents=True, exist_ok=True)
        self._log_file = log.open("ab")
        self.popen = subprocess.Popen(
            args, cwd=ROOT, env=env, stdout=self._log_file, stderr=subprocess.STDOUT, start_new_session=True
        )

    @property
    def pid(self) -> int:
        return self.popen.pid

    def alive(self) -> bool:
        return self.popen.poll() is None

    def tail(self, chars: int = 4000) -> str:
        try:
            return self.log.read_text(errors="replace")[-chars:]
        except OSError:
            return ""

    def kill(self, sig: int = signal.SIGKILL) -> None:
        """Signal this process only (its pid, never a name), then reap it."""
        if self.alive():
            self.popen.send_signal(sig)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.popen.wait(timeout=15)
        if self.alive():
            self.popen.kill()
            self.popen.wait(timeout=15)
        self._log_file.close()

    def stop(self) -> None:
        self.kill(signal.SIGTERM)

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


class Gunicorn(Process):
    """``gunicorn portal.wsgi`` on a free loopback port. The repository's gunicorn.conf.py,
    when there is one, is read by gunicorn itself (it is in the working directory); the
    command-line flags here take precedence over it."""

    def __init__(self, env: dict[str, str], log: Path, *, workers: int = 2, threads: int = 1, ready_path="/services/"):
        self.port = free_port()
        args = [
            str(BIN / "gunicorn"),
            "portal.wsgi",
            "--bind",
            f"127.0.0.1:{self.port}",
            "--workers",
            str(workers),
            "--threads",
            str(threads),
            "--timeout",
            "60",
            "--graceful-timeout",
            "5",
        ]
        super().__init__(args, env, log)
        self.wait_ready(ready_path)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def wait_ready(self, path: str, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.alive():
                raise RuntimeError(f"gunicorn exited ({self.popen.returncode}):\n{self.tail()}")
            with contextlib.suppress(OSError, http.client.HTTPException):
                if get(self.port, path)[0] == 200:
                    return
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"gunicorn did not answer 200 on {path} within {timeout} s:\n{self.tail()}")


class DbWorker(Process):
    """``manage.py db_worker``: the database task queue's worker."""

    def __init__(self, env: dict[str, str], log: Path, *, interval: float = 0.5):
        super().__init__(
            [PYTHON, "manage.py", "db_worker", "--interval", str(interval), "--no-startup-delay", "--no-reload"],
            env,
            log,
        )


def get(port: int, path: str, timeout: float = 30) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


# --- Scenario A: families searching -----------------------------------------------------
@dataclass
class LoadFigures:
    users: int
    seconds: float
    requests: int
    failures: int
    p50_ms: float
    p95_ms: float
    p99_ms: float
    throughput: float
    by_name: dict[str, dict] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)

    def line(self) -> str:
        return (
            f"{self.users} users for {self.seconds:.0f} s: {self.requests} requests, {self.failures} errors, "
            f"p50 {self.p50_ms:.0f} ms, p95 {self.p95_ms:.0f} ms, p99 {self.p99_ms:.0f} ms, "
            f"{self.throughput:.1f} requests/s"
        )


def run_locust(
    host: str,
    *,
    users: int,
    seconds: int,
    workdir: Path,
    slugs: list[str],
    categories: list[str],
    spawn_rate: float | None = None,
) -> LoadFigures:
    workdir.mkdir(parents=True, exist_ok=True)
    slugs_file = workdir / "slugs.json"
    slugs_file.write_text(json.dumps({"slugs": slugs, "categories": categories}))
    prefix = workdir / "locust"
    env = {k: v for k, v in os.environ.items() if k not in _SCRUB}
    env["LOAD_DATA"] = str(slugs_file)
    args = [
        str(BIN / "locust"),
        "-f",
        str(LOCUSTFILE),
        "--headless",
        "--host",
        host,
        "--users",
        str(users),
        "--spawn-rate",
        str(spawn_rate or max(users / 5, 1)),
        "--run-time",
        f"{seconds}s",
        "--stop-timeout",
        "10",
        "--csv",
        str(prefix),
        "--only-summary",
        "--loglevel",
        "WARNING",
    ]
    done = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=seconds + 120)
    stats = prefix.with_name(prefix.name + "_stats.csv")
    if not stats.exists():
        raise RuntimeError(f"locust wrote no statistics ({done.returncode}):\n{done.stderr[-4000:]}")
    rows = list(csv.DictReader(stats.open()))
    failures_file = prefix.with_name(prefix.name + "_failures.csv")
    errors = []
    if failures_file.exists():
        errors = [
            f"{row['Method']} {row['Name']}: {row['Error']} ×{row['Occurrences']}"
            for row in csv.DictReader(failures_file.open())
        ]
    total = next(row for row in rows if row["Name"] == "Aggregated")
    return LoadFigures(
        users=users,
        seconds=seconds,
        requests=int(total["Request Count"]),
        failures=int(total["Failure Count"]),
        p50_ms=float(total["50%"]),
        p95_ms=float(total["95%"]),
        p99_ms=float(total["99%"]),
        throughput=float(total["Requests/s"]),
        by_name={
            row["Name"]: {
                "requests": int(row["Request Count"]),
                "failures": int(row["Failure Count"]),
                "p50_ms": float(row["50%"]),
                "p95_ms": float(row["95%"]),
            }
            for row in rows
            if row["Name"] != "Aggregated"
        },
        errors=errors,
    )


# --- Scenario B: an Operation Encompass burst --------------------------------------------
@dataclass
class ExpectedChild:
    given_name: str
    reference: str
    route: str  # "school" or "triage"
    urn: int | None
    recipients: frozenset[str]


def burst_payloads(prefix: str, count: int, plan: dict) -> tuple[list[dict], dict[str, ExpectedChild]]:
    """``count`` notifications with unique references and children: most children with a
    school's URN, one in ten without (the LA's triage queue), every fifth notification with a
    sibling at another school."""
    urns = sorted(int(u) for u in plan["schools"])
    now = datetime.datetime.now(datetime.UTC)
    payloads, expected = [], {}
    for i in range(count):
        incident = now - datetime.timedelta(hours=2, minutes=i % 90)
        reference = f"{prefix}-{i:06d}"
        children = []
        for sibling in range(2 if i % 5 == 0 else 1):
            given = f"Load{i}{'ab'[sibling]}"
            urn = None if (i + sibling) % 10 == 3 else urns[(i + 7 * sibling) % len(urns)]
            children.append(
                {
                    "given_name": given,
                    "family_name": f"Family{prefix.replace('-', '')}",
                    "date_of_birth": f"{2010 + i % 10}-0{1 + i % 9}-1{i % 9}",
                    "school_urn": urn,
                    "present_at_incident": bool(i % 2),
                    "welfare_check_done": True,
                    "voice_of_child": "",
                    "social_care_informed": False,
                }
            )
            recipients = plan["schools"][str(urn)] if urn else plan["la_leads"]
            expected[given] = ExpectedChild(given, reference, "school" if urn else "triage", urn, frozenset(recipients))
        payloads.append(
            {
                "police_reference": reference,
                "force": plan["force"],
                "incident_at": incident.isoformat(),
                "reported_at": (incident + datetime.timedelta(minutes=30)).isoformat(),
                "location": "Sunderland",
                "summary": "Load test incident.",
                "officer": "PC 1 Load",
                "children": children,
            }
        )
    return payloads, expected


@dataclass
class BurstResult:
    sent: int
    seconds: float
    statuses: Counter
    latencies_ms: list[float]
    errors: list[str]

    @property
    def p50_ms(self) -> float:
        return percentile(self.latencies_ms, 0.5)

    @property
    def p95_ms(self) -> float:
        return percentile(self.latencies_ms, 0.95)


def post_burst(port: int, token: str, payloads: list[dict], *, seconds: float, concurrency: int = 8) -> BurstResult:
    """Post every payload to the intake API, paced evenly over ``seconds`` (as a force's
    system sends as incidents are closed), from ``concurrency`` connections at once."""
    statuses: Counter = Counter()
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    interval = seconds / max(len(payloads), 1)
    start = time.monotonic()
    next_index = iter(range(len(payloads)))
    index_lock = threading.Lock()
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}

    def connect():
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        conn.connect()
        conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return conn

    def client():
        conn = None
        while True:
            with index_lock:
                i = next(next_index, None)
            if i is None:
                break
            delay = start + i * interval - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            began = time.monotonic()
            try:
                conn = conn or connect()
                conn.request("POST", "/api/encompass/notifications", body=json.dumps(payloads[i]), headers=headers)
                response = conn.getresponse()
                body = response.read()
                status = response.status
                if response.getheader("Connection", "").lower() == "close":
                    conn.close()
                    conn = None
            except (OSError, http.client.HTTPException) as exc:
                status, body = 0, repr(exc).encode()
                if conn is not None:
                    conn.close()
                conn = None
            with lock:
                statuses[status] += 1
                latencies.append((time.monotonic() - began) * 1000)
                if status != 201 and len(errors) < 20:
                    errors.append(f"{payloads[i]['police_reference']}: {status} {body[:300]!r}")
        if conn is not None:
            conn.close()

    threads = [threading.Thread(target=client) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return BurstResult(len(payloads), time.monotonic() - start, statuses, latencies, errors)


@dataclass
class BurstCheck:
    notifications: int
    children: int
    routed: Counter
    alerts_expected: int
    alerts_created: int
    alerts_sent: int
    emails_received: int
    problems: list[str]

    def line(self) -> str:
        return (
            f"{self.notifications} notifications stored, {self.children} children routed "
            f"({', '.join(f'{k} {v}' for k, v in sorted(self.routed.items()))}), "
            f"{self.alerts_created}/{self.alerts_expected} key-adult alerts created, {self.alerts_sent} sent, "
            f"{self.emails_received} emails received, {len(self.problems)} problems"
        )


def check_burst(stored: dict, expected: dict[str, ExpectedChild], payloads: list[dict], emails: list) -> BurstCheck:
    """Compare what the database holds (``dataset.py verify``) and what the mail server
    received with what was posted: every notification stored, every child routed as planned,
    one alert per child and recipient, sent, and received by the mail server exactly once."""
    problems: list[str] = []
    if stored["notifications"] != len(payloads):
        problems.append(f"{stored['notifications']} notifications stored, {len(payloads)} posted")
    by_name = {}
    for child in stored["children"]:
        if child["given_name"] in by_name:
            problems.append(f"child {child['given_name']} stored twice")
        by_name[child["given_name"]] = child
    missing = sorted(set(expected) - set(by_name))
    if missing:
        problems.append(f"{len(missing)} children not stored, e.g. {missing[:5]}")
    routed: Counter = Counter()
    child_ids = {}
    for name, child in by_name.items():
        routed[child["routed_to"]] += 1
        want = expected.get(name)
        if want is None:
            problems.append(f"unexpected child {name}")
            continue
        child_ids[child["id"]] = want
        if child["routed_to"] != want.route or child["school_urn"] != want.urn:
            problems.append(
                f"{name} routed to {child['routed_to']} {child['school_urn']}, expected {want.route} {want.urn}"
            )
    created: Counter = Counter()
    sent = 0
    for alert in stored["alerts"]:
        if not alert["kind"].startswith(("new", "overdue")):
            continue  # escalations are not part of the burst's first alerts
        created[(alert["child"], alert["email"])] += 1
        if alert["status"] == "sent":
            sent += 1
        else:
            problems.append(f"alert {alert['key']} is {alert['status']} after {alert['attempts']} attempts")
    wanted = Counter({(cid, email): 1 for cid, child in child_ids.items() for email in child.recipients})
    for pair, n in created.items():
        if pair not in wanted:
            problems.append(f"alert to {pair[1]} for child {pair[0]} was not expected")
        elif n > 1:
            problems.append(f"{n} alerts to {pair[1]} for child {pair[0]}")
    absent = [pair for pair in wanted if pair not in created]
    if absent:
        problems.append(f"{len(absent)} key-adult alerts never created, e.g. {absent[:3]}")
    received: Counter = Counter()
    for message in emails:
        ids = [u for u in message.uuids if u in child_ids]
        for recipient in message.recipients:
            for cid in ids:
                received[(cid, recipient)] += 1
    for pair, n in received.items():
        if n > 1:
            problems.append(f"{pair[1]} received {n} alerts for child {pair[0]}")
    never = [pair for pair in wanted if pair not in received]
    if never:
        problems.append(f"{len(never)} alerts never reached the mail server, e.g. {never[:3]}")
    return BurstCheck(
        notifications=stored["notifications"],
        children=len(by_name),
        routed=routed,
        alerts_expected=sum(wanted.values()),
        alerts_created=sum(created.values()),
        alerts_sent=sent,
        emails_received=sum(received.values()),
        problems=problems,
    )


def wait_for_outbox(env: dict[str, str], prefix: str, expected_alerts: int, timeout: float) -> dict:
    """Poll until every alert of the burst is sent (or ``timeout``); returns the last state."""
    deadline = time.monotonic() + timeout
    while True:
        stored = dataset(env, "verify", prefix)
        first = [a for a in stored["alerts"] if a["kind"].startswith(("new", "overdue"))]
        if (len(first) >= expected_alerts and all(a["status"] != "pending" for a in first)) or (
            time.monotonic() > deadline
        ):
            return stored
        time.sleep(1)
