"""Search benchmark: p50 and p95 of one family search — text + postcode radius + two filters
(free, a child's age) — through the directory-search contract, beside, in the same run,
(a) Wagtail's built-in search on the same pages (``ServicePage.objects.live().search(...)``
with the distance and the filters done in Python: what a Wagtail developer would write) and
(b) the bare full-text query on the same index table (the floor).

    python bench/search/run.py --services 10000            # SQLite file var/bench/search-10000.sqlite3
    DATABASE_URL=postgres://… python bench/search/run.py --services 10000

The database is created, migrated and seeded (``seed_synthetic``) on first use and reused.
Not a test: it prints figures, it asserts nothing."""

from __future__ import annotations

import argparse
import math
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

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


def percentile(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    k = (len(ordered) - 1) * p
    lo, hi = math.floor(k), math.ceil(k)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def timed(fn, repeat: int) -> list[float]:
    for text in TEXTS[:3]:
        fn(text)  # warm up
    samples = []
    for i in range(repeat):
        text = TEXTS[i % len(TEXTS)]
        start = time.perf_counter()
        fn(text)
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--services", type=int, default=10000)
    parser.add_argument("--repeat", type=int, default=100)
    parser.add_argument("--baseline-repeat", type=int, default=20)
    args = parser.parse_args()

    (ROOT / "var" / "bench").mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{ROOT}/var/bench/search-{args.services}.sqlite3")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.test")
    os.environ["TASK_BACKEND"] = "immediate"
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from directory.models import ServicePage
    from directory.selectors import verification_cutoff
    from search.backends.database import FTS_TABLE, haversine_m
    from search.contract import METRES_PER_MILE, SearchQuery, search
    from search.models import IndexedService
    from search.postcodes import lookup

    call_command("migrate", verbosity=0)
    existing = ServicePage.objects.count()
    if existing < args.services:
        call_command("seed_synthetic", services=args.services - existing)
    if IndexedService.objects.count() < args.services:
        call_command("rebuild_search_index", backend="database")
    from wagtail.search.models import IndexEntry

    if IndexEntry.objects.count() < args.services:
        call_command("update_index", verbosity=0)
    from search.models import Postcode

    Postcode.objects.get_or_create(
        postcode="SR1 3AA", defaults={"outcode": "SR1", "latitude": 54.9058, "longitude": -1.3815}
    )
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
                    "SELECT page_id FROM directory_search_indexedservice WHERE search_vector @@ plainto_tsquery('english', %s) "
                    "ORDER BY ts_rank(search_vector, plainto_tsquery('english', %s)) DESC LIMIT 10",
                    [text, text],
                )
            else:
                cursor.execute(
                    f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s ORDER BY rank LIMIT 10",
                    ['"' + '" "'.join(text.split()) + '"'],
                )
            return cursor.fetchall()

    print(
        f"{connection.vendor}, {ServicePage.objects.live().count()} live services; "
        f"search: text + {POSTCODE} within {RADIUS_MILES} miles + free + age {AGE}"
    )
    sample = contract("parenting")
    print(f"contract check: 'parenting' → {sample.total} results, first {sample.hits[0].title if sample.hits else '-'}")
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        contract("parenting")
    print(f"queries per contract search: {len(captured)}")
    rows = [
        ("contract (database backend)", timed(contract, args.repeat)),
        ("(a) Wagtail .search() + Python", timed(wagtail, args.baseline_repeat)),
        ("(b) bare full-text floor", timed(floor, args.repeat)),
    ]
    print(f"{'':34} {'p50 ms':>9} {'p95 ms':>9}  n")
    for name, samples in rows:
        print(f"{name:34} {statistics.median(samples):9.2f} {percentile(samples, 0.95):9.2f}  {len(samples)}")
    ours, wag, bare = (statistics.median(r[1]) for r in rows)
    print(f"contract is {wag / ours:.1f}x faster than (a) and {ours / bare:.1f}x the floor (b) at p50")


if __name__ == "__main__":
    main()
