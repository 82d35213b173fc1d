"""Search benchmark: p50 and p95 of one family search — text + postcode radius + two filters
(free, a child's age) — through the directory-search contract, beside, in the same run,
(a) Wagtail's built-in search on the same pages (``ServicePage.objects.live().search(...)``
with the distance and the filters done in Python: what a Wagtail developer would write) and
(b) the bare full-text query on the same index table (the floor), then the goals of issue #4
at 10 000 services (at least 5x faster than (a), within 3x of (b), p95 under 50 ms), each
PASS or MISS at p50 and at p95.

    python bench/search/run.py                                  # SQLite, 10 000 services
    python bench/search/run.py --services 10000 100000          # and 100 000
    python bench/search/run.py --postgres                       # and PostgreSQL (DATABASE_URL)
    python bench/search/run.py --postgres postgres://u@host/db  # PostgreSQL at that URL

Each (engine, size) runs in its own process against its own database: SQLite
``var/bench/search-N.sqlite3``; PostgreSQL the URL's database name with ``_N`` appended
(created if missing). A database is migrated and seeded (``seed_synthetic``) on first use and
reused. Times are wall clock; on SQLite the search runs in this process, so its CPU time is
printed too (steadier than wall time on a shared, loaded machine). The contract and the floor
are timed alternately, text by text, so that both see the same load. Not a test: it prints
figures, it asserts nothing."""

from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[2]

TEXTS = [
    "domestic abuse",
    "parenting",
    "autism",
    "food bank",
    "mental health",
    "young carers",
    "dv",
    "housing",
    "bereavement",
    "school",
]
POSTCODE, RADIUS_MILES, AGE = "SR1 3AA", 3, 5
GOAL_SERVICES, GOAL_VS_WAGTAIL, GOAL_VS_FLOOR, GOAL_P95_MS = 10_000, 5.0, 3.0, 50.0


def percentile(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    k = (len(ordered) - 1) * p
    lo, hi = math.floor(k), math.ceil(k)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def timed(fn, repeat: int, warm_up: int = len(TEXTS)) -> tuple[list[float], list[float]]:
    """Wall-clock and CPU milliseconds of ``repeat`` calls, cycling through TEXTS, after
    ``warm_up`` untimed calls (caches, the OS page cache)."""
    for text in TEXTS[:warm_up]:
        fn(text)
    wall, cpu = [], []
    for i in range(repeat):
        text = TEXTS[i % len(TEXTS)]
        start, start_cpu = time.perf_counter(), time.process_time()
        fn(text)
        cpu.append((time.process_time() - start_cpu) * 1000)
        wall.append((time.perf_counter() - start) * 1000)
    return wall, cpu


def timed_alternately(fns: list, repeat: int) -> list[tuple[list[float], list[float]]]:
    """As :func:`timed` for each of ``fns``, the calls interleaved (text i through each, then
    text i + 1), so that on a shared machine every function sees the same load."""
    for text in TEXTS:
        for fn in fns:
            fn(text)
    samples = [([], []) for _ in fns]
    for i in range(repeat):
        text = TEXTS[i % len(TEXTS)]
        for fn, (wall, cpu) in zip(fns, samples, strict=True):
            start, start_cpu = time.perf_counter(), time.process_time()
            fn(text)
            cpu.append((time.process_time() - start_cpu) * 1000)
            wall.append((time.perf_counter() - start) * 1000)
    return samples


def summary(wall: list[float], cpu: list[float]) -> dict:
    return {
        "p50": statistics.median(wall),
        "p95": percentile(wall, 0.95),
        "cpu_p50": statistics.median(cpu),
        "cpu_p95": percentile(cpu, 0.95),
        "n": len(wall),
    }


# --- one (engine, size) run, in its own process ------------------------------------------------


def measure(services: int, repeat: int, baseline_repeat: int) -> dict:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.test")
    os.environ["TASK_BACKEND"] = "immediate"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from directory.models import ServicePage
    from directory.selectors import verification_cutoff
    from search.backends.database import FTS_TABLE, haversine_m
    from search.contract import METRES_PER_MILE, SearchQuery, search
    from search.models import IndexedService, Postcode
    from search.postcodes import lookup

    call_command("migrate", verbosity=0)
    existing = ServicePage.objects.count()
    if existing < services:
        call_command("seed_synthetic", services=services - existing, stdout=sys.stderr)
    if IndexedService.objects.count() < services:
        call_command("rebuild_search_index", backend="database", stdout=sys.stderr)
    from wagtail.search.models import IndexEntry

    if IndexEntry.objects.count() < services:
        call_command("update_index", verbosity=0)
    Postcode.objects.get_or_create(
        postcode="SR1 3AA", defaults={"outcode": "SR1", "latitude": 54.9058, "longitude": -1.3815}
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    centre = lookup(POSTCODE)
    radius = RADIUS_MILES * METRES_PER_MILE

    def contract(text):
        return search(SearchQuery(text=text, postcode=POSTCODE, radius_m=radius, free_only=True, age=AGE))

    def wagtail(text):
        ids = [
            p.pk
            for p in ServicePage.objects.live()
            .filter(status="active", review_due_on__gte=verification_cutoff())
            .search(text)
        ]
        pages = ServicePage.objects.filter(pk__in=ids).prefetch_related("locations", "cost_options")
        hits = []
        for page in pages:
            if not any(c.is_free for c in page.cost_options.all()):
                continue
            if page.minimum_age is not None and page.minimum_age > AGE:
                continue
            if page.maximum_age is not None and page.maximum_age < AGE:
                continue
            metres = [
                haversine_m(centre.latitude, centre.longitude, loc.latitude, loc.longitude)
                for loc in page.locations.all()
                if not loc.confidential and loc.latitude is not None
            ]
            if metres and min(metres) <= radius:
                hits.append((min(metres), page))
        hits.sort(key=lambda h: h[0])
        return len(hits), hits[:10]

    def floor(text):
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute(
                    "SELECT page_id FROM directory_search_indexedservice "
                    "WHERE search_vector @@ plainto_tsquery('english', %s) "
                    "ORDER BY ts_rank(search_vector, plainto_tsquery('english', %s)) DESC LIMIT 10",
                    [text, text],
                )
            else:
                cursor.execute(
                    f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s ORDER BY rank LIMIT 10",
                    ['"' + '" "'.join(text.split()) + '"'],
                )
            return cursor.fetchall()

    queries = {}
    for text in TEXTS:
        contract(text)
        with CaptureQueriesContext(connection) as captured:
            contract(text)
        queries[text] = len(captured)
    sample = contract("parenting")
    load_before = os.getloadavg()[0]
    ours, bare = timed_alternately([contract, floor], repeat)
    rows = {
        "contract": summary(*ours),
        "wagtail": summary(*timed(wagtail, baseline_repeat, warm_up=1)),
        "floor": summary(*bare),
    }
    return {
        "vendor": connection.vendor,
        "services": ServicePage.objects.live().count(),
        "queries": sorted(set(queries.values())),
        "check": f"'parenting' -> {sample.total} results, first {sample.hits[0].title if sample.hits else '-'}",
        "load": [load_before, os.getloadavg()[0]],
        "rows": rows,
    }


# --- the driver -----------------------------------------------------------------------------------


def postgres_url(base: str, services: int) -> str:
    parts = urlsplit(base)
    name = f"{parts.path.lstrip('/') or 'portal_bench_search'}_{services}"
    return urlunsplit(parts._replace(path="/" + name))


def ensure_postgres_database(url: str) -> None:
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def report(result: dict) -> None:
    rows = result["rows"]
    print(f"\n== {result['vendor']}, {result['services']} live services ==")
    print(f"search: text + {POSTCODE} within {RADIUS_MILES} miles + free + age {AGE}; {result['check']}")
    print(
        f"queries per contract search: {', '.join(map(str, result['queries']))} (whatever the text); "
        f"load average {result['load'][0]:.1f} -> {result['load'][1]:.1f}"
    )
    cpu = result["vendor"] == "sqlite"
    head = f"{'':34} {'p50 ms':>9} {'p95 ms':>9}"
    print(head + (f" {'cpu p50':>9} {'cpu p95':>9}" if cpu else "") + "      n")
    names = {
        "contract": "contract (database backend)",
        "wagtail": "(a) Wagtail .search() + Python",
        "floor": "(b) bare full-text floor",
    }
    for key, name in names.items():
        r = rows[key]
        line = f"{name:34} {r['p50']:9.2f} {r['p95']:9.2f}"
        if cpu:
            line += f" {r['cpu_p50']:9.2f} {r['cpu_p95']:9.2f}"
        print(f"{line} {r['n']:6d}")
    ours, wag, bare = rows["contract"], rows["wagtail"], rows["floor"]
    goal = "goal" if result["services"] < 5 * GOAL_SERVICES else "10k goal"
    for p in ("p50", "p95"):
        faster, vs_floor = wag[p] / ours[p], ours[p] / bare[p]
        print(
            f"{p}: {faster:6.1f}x faster than (a) [{goal} >= {GOAL_VS_WAGTAIL:.0f}x: {verdict(faster >= GOAL_VS_WAGTAIL)}]"
            f"   {vs_floor:5.1f}x the floor (b) [{goal} <= {GOAL_VS_FLOOR:.0f}x: {verdict(vs_floor <= GOAL_VS_FLOOR)}]"
        )
    print(f"p95 {ours['p95']:.1f} ms [{goal} < {GOAL_P95_MS:.0f} ms: {verdict(ours['p95'] < GOAL_P95_MS)}]")
    if cpu:
        faster, vs_floor = wag["cpu_p50"] / ours["cpu_p50"], ours["cpu_p50"] / bare["cpu_p50"]
        print(
            f"cpu p50: {faster:.1f}x faster than (a), {vs_floor:.1f}x the floor (b); "
            f"cpu p95 {ours['cpu_p95']:.1f} ms [{verdict(ours['cpu_p95'] < GOAL_P95_MS)}]"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--services", type=int, nargs="+", default=[10_000], help="sizes (default 10000)")
    parser.add_argument(
        "--postgres",
        nargs="?",
        const=os.environ.get("DATABASE_URL", ""),
        default=None,
        help="also run on PostgreSQL (the URL, or DATABASE_URL)",
    )
    parser.add_argument("--no-sqlite", action="store_true", help="PostgreSQL only")
    parser.add_argument("--repeat", type=int, default=200)
    parser.add_argument("--baseline-repeat", type=int, default=10)
    parser.add_argument("--one", action="store_true", help=argparse.SUPPRESS)  # a child run: print JSON
    args = parser.parse_args()

    if args.one:
        print(json.dumps(measure(args.services[0], args.repeat, args.baseline_repeat)))
        return

    runs = []
    for services in args.services:
        if not args.no_sqlite:
            (ROOT / "var" / "bench").mkdir(parents=True, exist_ok=True)
            runs.append(f"sqlite:///{ROOT}/var/bench/search-{services}.sqlite3")
        if args.postgres is not None:
            if not args.postgres.startswith("postgres"):
                parser.error("--postgres needs a postgres:// URL (or DATABASE_URL set to one)")
            url = postgres_url(args.postgres, services)
            ensure_postgres_database(url)
            runs.append(url)
        for url in runs:
            env = {**os.environ, "DATABASE_URL": url}
            command = [sys.executable, __file__, "--one", "--services", str(services)]
            command += ["--repeat", str(args.repeat), "--baseline-repeat", str(args.baseline_repeat)]
            child = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
            if child.returncode:
                sys.stderr.write(child.stderr)
                raise SystemExit(f"benchmark run failed for {url.split('@')[-1]}")
            report(json.loads([line for line in child.stdout.splitlines() if line.startswith("{")][-1]))
        runs = []


if __name__ == "__main__":
    main()
