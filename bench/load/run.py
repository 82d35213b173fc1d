"""Load benchmark: gunicorn on loopback with production-like settings (bench/load/settings.py).

A. Families: locust drives varied family searches (words, postcodes and radius, filters,
   later pages, mistyped postcodes) and service pages over N synthetic services.
B. Operation Encompass: a burst of notifications through the police API, paced over a
   minute, with the database task worker sending alerts to a loopback mail server; then
   every notification, route and key-adult alert is checked in the database and at the
   mail server (none missing, none twice).

    .venv/bin/python bench/load/run.py [--services 10000] [--users 50] [--seconds 60]
                                       [--notifications 1000] [--burst-seconds 60] [--workers 4]

The database is SQLite in var/bench/ (made, migrated and seeded on first use, then copied
for each run), or BENCH_DATABASE_URL (a PostgreSQL URL: databases are created beside it).
Not a test: it prints figures; tests/production runs the short versions with assertions."""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bench.load import harness  # noqa: E402
from bench.load.smtp import SMTPServer  # noqa: E402


def template(services: int) -> tuple[harness.Database, dict]:
    server = os.environ.get("BENCH_DATABASE_URL")
    workdir = ROOT / "var" / "bench"
    name = f"load_{services}"
    if server:
        database = harness.Database.new(workdir, name, server)
    else:
        path = workdir / f"{name}.sqlite3"
        database = harness.Database(f"sqlite:///{path}") if path.exists() else harness.Database.new(workdir, name)
    env = harness.portal_env(database)
    started = time.monotonic()
    harness.migrate(env)
    seeded = harness.dataset(env, "seed", "--services", str(services), timeout=3600)
    print(
        f"Database ready in {time.monotonic() - started:.0f} s: {seeded['services']} services ({database.url.split(':')[0]})"
    )
    return database, seeded


def families(database, seeded, args, workdir: Path) -> None:
    env = harness.portal_env(database)
    with harness.Gunicorn(env, workdir / "gunicorn-search.log", workers=args.workers) as web:
        figures = harness.run_locust(
            web.url,
            users=args.users,
            seconds=args.seconds,
            workdir=workdir / "locust",
            slugs=seeded["slugs"],
            categories=seeded["categories"],
        )
    print(f"A. Family search and service pages, {seeded['services']} services, {args.workers} gunicorn workers")
    print(f"   {figures.line()}")
    for name, row in sorted(figures.by_name.items()):
        print(
            f"   {name:<22} {row['requests']:>6} requests, {row['failures']} errors, p50 {row['p50_ms']:.0f} ms, p95 {row['p95_ms']:.0f} ms"
        )
    for error in figures.errors[:10]:
        print(f"   error: {error}")


def encompass(database, args, workdir: Path) -> None:
    prefix = f"BENCH-{int(time.time())}"
    with SMTPServer() as smtp:
        env = harness.portal_env(database, EMAIL_HOST="127.0.0.1", EMAIL_PORT=str(smtp.port))
        plan = harness.dataset(env, "encompass", "--schools", "200")
        payloads, expected = harness.burst_payloads(prefix, args.notifications, plan)
        alerts = sum(len(child.recipients) for child in expected.values())
        with (
            harness.Gunicorn(
                env, workdir / "gunicorn-encompass.log", workers=args.workers, ready_path=harness.API_READY
            ) as web,
            harness.DbWorker(env, workdir / "worker.log"),
        ):
            result = harness.post_burst(web.port, plan["token"], payloads, seconds=args.burst_seconds, concurrency=8)
            started = time.monotonic()
            harness.wait_for_outbox(env, prefix, alerts, timeout=600)
            drained = time.monotonic() - started
        harness.manage(env, "encompass_tick")
        check = harness.check_burst(harness.dataset(env, "verify", prefix), expected, payloads, smtp.messages)
    print(f"B. Operation Encompass burst: {args.notifications} notifications paced over {args.burst_seconds} s")
    print(
        f"   answers {dict(result.statuses)} in {result.seconds:.1f} s "
        f"({args.notifications / result.seconds:.1f}/s), p50 {result.p50_ms:.0f} ms, p95 {result.p95_ms:.0f} ms"
    )
    print(f"   {check.line()}; outbox drained {drained:.1f} s after the last post")
    for problem in check.problems[:10]:
        print(f"   problem: {problem}")
    for error in result.errors[:5]:
        print(f"   error: {error}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--services", type=int, default=10_000)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--notifications", type=int, default=1000)
    parser.add_argument("--burst-seconds", type=float, default=60)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    args = parser.parse_args()
    base, seeded = template(args.services)
    with tempfile.TemporaryDirectory(prefix="bench-load-") as tmp:
        workdir = Path(tmp)
        run_db = base.clone(workdir, f"run_{os.getpid()}")
        try:
            families(run_db, seeded, args, workdir)
            encompass(run_db, args, workdir)
        finally:
            run_db.drop()
            if base.is_postgres:
                base.drop()


if __name__ == "__main__":
    main()
