"""Insights benchmark (issue 8): each commissioner dashboard's figures and page, timed and
query-counted, beside the same headline figures computed by a naive per-family Python loop in
the same run, at two data sizes so it shows whether the query count grows with the data.
The goal the issue sets: each dashboard under 1 second at 100 000 families, with a query
count that does not grow with the data.

    python bench/insights/run.py                                   # SQLite, 10 000 and 100 000 families
    python bench/insights/run.py --families 100000                 # one size
    python bench/insights/run.py --postgres postgres://postgres@127.0.0.1:5432/h4_bench --families 10000

For each dashboard (``portal.insights.selectors.DASHBOARDS``; the filters are the last two
years, everywhere):

* ours: the selector called directly (p50 and p95 of ``--repeat`` calls, and its query count)
  and the whole page (``insights:dashboard``, the same two years) through the Django test
  client, signed in as a commissioner with an authenticator (MFA required, as in production);
* the baseline: the same headline figures computed by iterating families (notifications,
  search logs, services) and following their ORM relations (referrals, children, episodes,
  decisions, outcome records and scores, …), figures worked out in Python — timed once (it
  is slow), with its query count. A loop still running after ``--naive-budget`` seconds
  (default 300) stops, and its time and queries are extrapolated from the share of rows done
  (marked "estimated");
* a check that the baseline's figures equal ours, before disclosure control: only figures
  both sides have and ours shows (not suppressed) are compared.

Each (engine, size) runs in its own process against its own database: SQLite
``var/bench/insights-N.sqlite3``; PostgreSQL the URL's database name with ``_N`` appended
(created if missing). A database is migrated and seeded on first use (``seed_synthetic
--services S --notifications M --families N``, M = N / 5 unless given) and reused: 100 000
families took about 6 minutes of CPU (27 minutes wall clock on a shared, loaded two-core
machine). Not a test: it prints figures, it asserts nothing."""

from __future__ import annotations

import argparse
import datetime
import json
import math
import os
import statistics
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlencode, urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[2]
SLUGS = ("early-help", "outcomes", "encompass", "directory")
GOAL_MS = 1000.0
# Our headline keys a baseline figure may be found under (the first that exists is compared).
CANDIDATES = {
    "referrals": ("referrals",),
    "rereferral_rate": ("rereferral_rate", "re_referral_rate", "rereferrals_rate"),
    "rereferrals": ("rereferrals", "re_referrals"),
    "step_ups": ("step_ups", "stepped_up"),
    "step_downs": ("step_downs", "stepped_down"),
    "closures": ("closures", "closed"),
    "within_45": ("within_45_days", "within_45", "assessments_within_45", "timely_45"),
    "within_child_target": ("within_child_target", "within_own_target", "child_target"),
    "open_episodes": ("open_episodes", "caseload", "open_cases"),
    "closed_with_scores": ("families", "closed_with_scores", "episodes_scored"),
    "improving": ("improving", "share_improving", "improving_rate"),
    "sustained": ("sustained", "share_sustained", "sustained_rate"),
    "notifications": ("notifications",),
    "children_notified": ("notified", "children", "children_notified", "notified_children"),
    "on_time": ("on_time", "acknowledged_on_time", "share_on_time", "before_notify_by"),
    "median_hours": ("median_hours", "median_time_to_acknowledge", "median_to_acknowledge", "median_ack_hours"),
    "overdue": ("overdue", "unacknowledged_overdue"),
    "searches": ("searches",),
    "zero_share": ("zero_share", "zero_result_share"),
    "services": ("live_services", "services"),
    "verified_share": ("verified", "share_verified", "verified_share", "verified_6_months"),
}


def percentile(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    k = (len(ordered) - 1) * p
    lo, hi = math.floor(k), math.ceil(k)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def share(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


# --- The baseline: naive per-family loops ----------------------------------------------------------


class Budget:
    """Stops a baseline loop after ``seconds`` (0: never). At 100 000 families a full naive
    loop takes tens of minutes on a busy machine; when stopped, its time and queries are
    extrapolated from the share of rows it went through, and its figures are not compared."""

    def __init__(self, seconds: float):
        self.seconds, self.done, self.total, self.stopped, self.start = seconds, 0, 0, False, None

    def each(self, queryset):
        self.total += queryset.count()
        if self.start is None:
            self.start = time.perf_counter()
        for obj in queryset.iterator(chunk_size=2000):
            if self.stopped or (self.seconds and time.perf_counter() - self.start > self.seconds):
                self.stopped = True
                return
            self.done += 1
            yield obj


def naive_early_help(date_from, date_to, budget: Budget) -> dict:
    from dateutil.relativedelta import relativedelta

    from django.utils import timezone

    from eh_assessments.models import Family

    referrals = rereferrals = step_ups = step_downs = closures = open_episodes = 0
    submitted = within_45 = targets = within_child = 0
    kinds, reasons = Counter(), Counter()
    for family in budget.each(Family.objects.all()):
        for referral in family.referrals.all():
            if not date_from <= referral.received_on <= date_to:
                continue
            since = referral.received_on - relativedelta(months=12)
            for child in referral.children.all():  # children referred: the census counts children
                referrals += 1
                rereferrals += any(
                    since <= earlier.received_on
                    and (earlier.received_on, earlier.pk) < (referral.received_on, referral.pk)
                    for earlier in child.referrals.all()
                )
        for decision in family.decisions.all():
            if decision.status not in ("recorded", "approved"):
                continue
            if not date_from <= timezone.localtime(decision.proposed_at).date() <= date_to:
                continue
            kinds[decision.kind] += 1
            step_ups += decision.kind in ("step_up_cin", "step_up_cp")
            step_downs += decision.kind == "step_down"
        for episode in family.episodes.all():
            if episode.status == "closed" and date_from <= episode.closed_on <= date_to:
                closures += 1
                reasons[episode.closure_reason] += 1
            if episode.status == "open":
                open_episodes += 1
        for assessment in family.assessments.all():
            if assessment.submitted_at is None:
                continue
            done = timezone.localtime(assessment.submitted_at).date()
            if not date_from <= done <= date_to:
                continue
            submitted += 1
            within_45 += done <= assessment.target_date
            for target in assessment.child_targets.all():
                targets += 1
                within_child += done <= target.target_date
    return {
        "referrals": referrals,
        "rereferrals": rereferrals,
        "rereferral_rate": share(rereferrals, referrals),
        "step_ups": step_ups,
        "step_downs": step_downs,
        "closures": closures,
        "open_episodes": open_episodes,
        "within_45": share(within_45, submitted),
        "within_child_target": share(within_child, targets),
        "decisions by kind": dict(kinds),
        "closures by reason": dict(reasons),
    }


def naive_outcomes(date_from, date_to, budget: Budget) -> dict:
    from django.core.exceptions import ObjectDoesNotExist

    from eh_assessments import outcomes
    from eh_assessments.models import Family

    scored = improving = checks = sustained = 0
    by_area: dict[str, list[int]] = {}
    da_services_used = 0
    for family in budget.each(Family.objects.all()):
        for episode in family.episodes.all():
            try:
                check = episode.sustained_check
            except ObjectDoesNotExist:
                check = None
            if check is not None and date_from <= check.checked_on <= date_to:
                checks += 1
                sustained += check.sustained
            if episode.status != "closed" or not date_from <= episode.closed_on <= date_to:
                continue
            distances = outcomes.distance_travelled(list(episode.outcome_records.all()))
            moved = [d.practitioner for d in distances if d.practitioner is not None]
            if not moved:
                continue
            scored += 1
            improving += sum(moved) > 0
            for d in distances:
                if d.practitioner is not None:
                    by_area.setdefault(d.area, []).append(d.practitioner)
            try:
                plan = episode.plan
            except ObjectDoesNotExist:
                plan = None
            if plan is not None:
                for need in plan.needs.all():
                    for outcome in need.outcomes.all():
                        for action in outcome.actions.all():
                            da_services_used += action.service_page_id is not None
    return {
        "closed_with_scores": scored,
        "improving": share(improving, scored),
        "sustained": share(sustained, checks),
        "mean distance by area": {a: round(statistics.mean(v), 2) for a, v in sorted(by_area.items())},
        "actions using a service": da_services_used,
    }


def naive_encompass(date_from, date_to, budget: Budget) -> dict:
    from django.utils import timezone

    from portal.encompass.models import Notification

    now = timezone.now()
    notifications = children = on_time = acknowledged = overdue = 0
    hours: list[float] = []
    phases = Counter()
    for notification in budget.each(Notification.objects.all()):
        if not date_from <= timezone.localtime(notification.received_at).date() <= date_to:
            continue
        notifications += 1
        for child in notification.children.all():
            children += 1
            phases[child.school.phase if child.school_id else "Triage"] += 1
            if child.acknowledged_at is not None:
                acknowledged += 1
                on_time += child.acknowledged_at <= child.notify_by
                hours.append((child.acknowledged_at - notification.received_at).total_seconds() / 3600)
            elif child.notify_by < now:
                overdue += 1
    return {
        "notifications": notifications,
        "children_notified": children,
        "on_time": share(on_time, children),
        "median_hours": round(statistics.median(hours), 1) if hours else None,
        "overdue": overdue,
        "children by phase": dict(phases),
    }


def naive_directory(date_from, date_to, budget: Budget) -> dict:
    from django.utils import timezone

    from directory.models import ServicePage
    from directory.selectors import verification_cutoff
    from search.models import SearchLog

    searches = zero = 0
    terms = Counter()
    for log in budget.each(SearchLog.objects.all()):
        if not date_from <= timezone.localtime(log.created).date() <= date_to:
            continue
        searches += 1
        if log.result_count == 0:
            zero += 1
            if log.text:
                terms[log.text.strip().lower()] += 1
    services = verified = 0
    categories = Counter()
    cutoff = verification_cutoff()
    for page in budget.each(ServicePage.objects.live()):
        services += 1
        verified += page.review_due_on is not None and page.review_due_on >= cutoff
        for term in page.taxonomy_terms.all():
            categories[term.name] += 1
    return {
        "searches": searches,
        "zero_result_searches": zero,
        "zero_share": share(zero, searches),
        "services": services,
        "verified_share": share(verified, services),
        "top zero-result terms": [t for t, n in terms.most_common(5) if n >= 5],
    }


NAIVE = {
    "early-help": naive_early_help,
    "outcomes": naive_outcomes,
    "encompass": naive_encompass,
    "directory": naive_directory,
}


# --- One (engine, size) run, in its own process ----------------------------------------------------


def _compare(naive: dict, dashboard) -> list[tuple[str, object, object, str]]:
    """(figure, baseline, ours, verdict) for each scalar baseline figure ours also shows."""
    rows = []
    headlines = {h.key: h for h in dashboard.headlines} if dashboard is not None else {}
    for name, value in naive.items():
        if not isinstance(value, int | float) and value is not None:
            continue
        key = next((k for k in CANDIDATES.get(name, (name,)) if k in headlines), None)
        if key is None:
            rows.append((name, value, None, "not in ours"))
            continue
        cell = headlines[key].cell
        if cell.suppressed or cell.value is None:
            rows.append((name, value, cell.display, "ours not shown"))
            continue
        ok = value is not None and abs(float(cell.value) - float(value)) <= (0.051 if isinstance(value, float) else 0)
        rows.append((name, value, cell.value, "equal" if ok else "DIFFERENT"))
    return rows


def measure(families: int, services: int, notifications: int, repeat: int, naive: bool, naive_budget: float) -> dict:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.insights.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.contrib.auth.models import Group
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.urls import NoReverseMatch, reverse
    from django.utils import timezone

    from directory.models import ServicePage
    from eh_assessments.models import Family
    from portal.accounts.models import User
    from portal.accounts.roles import ROLES_BY_SLUG
    from portal.encompass.models import Notification

    call_command("migrate", verbosity=0)
    seeded = {}
    have = Family.objects.count()
    if have < families:
        started = time.monotonic()
        call_command(
            "seed_synthetic",
            services=max(0, services - ServicePage.objects.count()),
            notifications=max(0, notifications - Notification.objects.count()),
            families=families - have,
            stdout=sys.stderr,
        )
        seeded["seconds"] = round(time.monotonic() - started)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    counts = _row_counts()

    from portal.insights.filters import Filters
    from portal.insights.selectors import DASHBOARDS

    today = timezone.localdate()
    filters = Filters(date_from=today - datetime.timedelta(days=730), date_to=today)

    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    user, created = User.objects.get_or_create(
        email="bench.commissioner@example.org", defaults={"first_name": "Bench", "last_name": "Commissioner"}
    )
    if created:
        user.groups.add(Group.objects.get(name=ROLES_BY_SLUG["commissioner"].name))
        TOTP.activate(user, generate_totp_secret())
    client = Client()
    client.force_login(user)

    def timed(fn, n):
        """Wall-clock milliseconds and queries of ``n`` calls. Queries are counted with an
        execute wrapper (CaptureQueriesContext keeps only the last 9000, too few for the
        baseline)."""
        times, queries, result = [], [], None
        for _ in range(n):
            count = [0]

            def counter(execute, sql, params, many, context, count=count):
                count[0] += 1
                return execute(sql, params, many, context)

            with connection.execute_wrapper(counter):
                start = time.perf_counter()
                result = fn()
                times.append((time.perf_counter() - start) * 1000)
            queries.append(count[0])
            if len(times) >= 3 and sum(times) > 30_000:
                break  # slow enough that three runs tell the story
        return {"p50": statistics.median(times), "p95": percentile(times, 0.95), "queries": queries}, result

    results = {}
    for slug in SLUGS:
        row: dict = {}
        try:
            DASHBOARDS[slug](filters)  # warm up
            row["selector"], dashboard = timed(lambda slug=slug: DASHBOARDS[slug](filters), repeat)
        except Exception as exc:  # a dashboard not written yet
            row["selector"], dashboard = {"error": f"{type(exc).__name__}: {exc}"}, None
        try:
            # The same two years as the selector (the page's own default is 12 months).
            period = {
                f"{name}_{part}": value
                for name, day in (("date_from", filters.date_from), ("date_to", filters.date_to))
                for part, value in (("day", day.day), ("month", day.month), ("year", day.year))
            }
            url = f"{reverse('insights:dashboard', kwargs={'slug': slug})}?{urlencode(period)}"
            client.get(url)  # warm up
            row["page"], response = timed(lambda url=url: client.get(url), repeat)
            row["page"]["status"] = response.status_code
        except NoReverseMatch as exc:
            row["page"] = {"error": str(exc)}
        except Exception as exc:
            row["page"] = {"error": f"{type(exc).__name__}: {exc}"}
        if naive:
            budget = Budget(naive_budget)
            stats, figures = timed(lambda slug=slug, b=budget: NAIVE[slug](filters.date_from, filters.date_to, b), 1)
            if budget.stopped:
                factor = budget.total / max(budget.done, 1)
                stats = {
                    "p50": stats["p50"] * factor,
                    "p95": stats["p95"] * factor,
                    "queries": [round(q * factor) for q in stats["queries"]],
                    "estimated": f"stopped after {naive_budget:.0f} s at {budget.done:,} of {budget.total:,} rows",
                }
            else:
                row["figures"] = figures
                row["check"] = _compare(figures, dashboard)
            row["naive"] = stats
        results[slug] = row
    return {"families": families, "vendor": connection.vendor, "seeded": seeded, "counts": counts, "results": results}


def _row_counts() -> dict[str, int]:
    from directory.models import ServicePage
    from eh_assessments.models import Assessment, ChildTarget, Family, Person, Referral
    from eh_assessments.models_casework import (
        Decision,
        Episode,
        OutcomeRecord,
        OutcomeScore,
        Plan,
        PlanAction,
        Review,
        SustainedCheck,
    )
    from portal.encompass.models import Notification, NotifiedChild, School
    from search.models import SearchLog

    models = (
        Family,
        Person,
        Referral,
        Assessment,
        ChildTarget,
        Decision,
        Episode,
        Plan,
        PlanAction,
        Review,
        OutcomeRecord,
        OutcomeScore,
        SustainedCheck,
        ServicePage,
        School,
        Notification,
        NotifiedChild,
        SearchLog,
    )
    return {model.__name__: model.objects.count() for model in models}


# --- The parent: one process per (engine, size), then the table ------------------------------------


def _database_url(engine: str, url: str | None, families: int) -> str:
    if engine == "sqlite":
        path = ROOT / "var" / "bench" / f"insights-{families}.sqlite3"
        path.parent.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{path}"
    parts = urlsplit(url)
    name = f"{parts.path.lstrip('/') or 'insights_bench'}_{families}"
    _create_pg_database(url, name)
    return urlunsplit(parts._replace(path=f"/{name}"))


def _create_pg_database(url: str, name: str) -> None:
    import psycopg

    parts = urlsplit(url)
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def _run_one(engine: str, url: str | None, families: int, args) -> dict:
    env = dict(os.environ, BENCH_DATABASE_URL=_database_url(engine, url, families))
    env["DJANGO_SETTINGS_MODULE"] = "bench.insights.settings"
    command = [
        sys.executable,
        __file__,
        "--one",
        "--families",
        str(families),
        "--services",
        str(args.services),
        "--notifications",
        str(args.notifications if args.notifications is not None else families // 5),
        "--repeat",
        str(args.repeat),
    ]
    command += ["--naive-budget", str(args.naive_budget)]
    if args.no_naive:
        command.append("--no-naive")
    out = subprocess.run(command, env=env, cwd=ROOT, stdout=subprocess.PIPE, text=True, check=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def _fmt(stats: dict | None, key: str) -> str:
    if not stats or "error" in stats:
        return "–"
    return f"{stats[key]:.0f}" if key != "queries" else _queries(stats["queries"])


def _queries(values: list[int]) -> str:
    return str(values[0]) if min(values) == max(values) else f"{min(values)}-{max(values)}"


def report(runs: list[dict]) -> None:
    for run in runs:
        print(f"\n== {run['vendor']}, {run['families']:,} families ==")
        if run["seeded"]:
            print(f"seeded in {run['seeded']['seconds']} s")
        print("rows: " + ", ".join(f"{name} {n:,}" for name, n in run["counts"].items()))
        header = (
            f"{'dashboard':<11} {'selector p50':>12} {'p95':>6} {'q':>5}  {'page p50':>8} {'p95':>6} {'q':>5} "
            f"{'status':>6}  {'naive ms':>9} {'naive q':>8}  {'x faster':>8}  goal <1 s"
        )
        print(header)
        print("-" * len(header))
        for slug, row in run["results"].items():
            selector, page, naive = row.get("selector"), row.get("page"), row.get("naive")
            status = str(page.get("status", "–")) if page else "–"
            faster = "–"
            if naive and selector and "error" not in selector:
                faster = f"{naive['p50'] / max(selector['p50'], 0.001):.0f}x"
            worst = max(
                (s["p95"] for s in (selector, page) if s and "error" not in s and s.get("status", 200) == 200),
                default=None,
            )
            goal = "–" if worst is None else ("PASS" if worst < GOAL_MS else "MISS")
            print(
                f"{slug:<11} {_fmt(selector, 'p50'):>12} {_fmt(selector, 'p95'):>6} {_fmt(selector, 'queries'):>5}  "
                f"{_fmt(page, 'p50'):>8} {_fmt(page, 'p95'):>6} {_fmt(page, 'queries'):>5} {status:>6}  "
                f"{_fmt(naive, 'p50'):>9} {_fmt(naive, 'queries'):>8}  {faster:>8}  {goal}"
            )
            for what in ("selector", "page"):
                if row.get(what) and "error" in row[what]:
                    print(f"    {what}: {row[what]['error'][:160]}")
            if naive and "estimated" in naive:
                print(f"    naive: estimated, {naive['estimated']}")
        for slug, row in run["results"].items():
            if "check" not in row:
                continue
            print(f"  {slug}: baseline figures (before disclosure control) against ours")
            for name, naive_value, ours, verdict in row["check"]:
                print(f"    {name:<22} {naive_value!s:>10} {ours!s:>10}  {verdict}")
            extra = {k: v for k, v in row["figures"].items() if not isinstance(v, int | float) and v is not None}
            for name, value in extra.items():
                print(f"    {name}: {value}")
    by_engine: dict[str, dict[int, dict]] = {}
    for run in runs:
        by_engine.setdefault(run["vendor"], {})[run["families"]] = run
    for vendor, sizes in by_engine.items():
        if len(sizes) < 2:
            continue
        print(f"\nQuery counts by data size ({vendor}): do they grow with the data?")
        for slug in SLUGS:
            for what in ("selector", "page"):
                counts = {
                    n: max(r["results"][slug][what]["queries"])
                    for n, r in sorted(sizes.items())
                    if "queries" in r["results"][slug].get(what, {})
                }
                if counts:
                    verdict = "constant" if len(set(counts.values())) == 1 else "GROWS"
                    shown = ", ".join(f"{n:,}: {q}" for n, q in counts.items())
                    print(f"  {slug:<11} {what:<8} {shown}  -> {verdict}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--families", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--services", type=int, default=2000)
    parser.add_argument("--notifications", type=int, default=None, help="default: families / 5")
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--no-naive", action="store_true", help="skip the (slow) baseline")
    parser.add_argument(
        "--naive-budget",
        type=float,
        default=300,
        help="seconds a baseline loop may run before it stops and is extrapolated (0: no limit; default 300)",
    )
    parser.add_argument("--postgres", metavar="URL", help="PostgreSQL instead of SQLite")
    parser.add_argument("--one", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--json", metavar="PATH", help="also write the raw results as JSON")
    args = parser.parse_args()
    if args.one:
        notifications = args.notifications if args.notifications is not None else args.families[0] // 5
        result = measure(
            args.families[0], args.services, notifications, args.repeat, not args.no_naive, args.naive_budget
        )
        print(json.dumps(result, default=str))
        return
    engine = "postgresql" if args.postgres else "sqlite"
    runs = [_run_one(engine, args.postgres, n, args) for n in args.families]
    report(runs)
    if args.json:
        Path(args.json).write_text(json.dumps(runs, indent=2, default=str))


if __name__ == "__main__":
    main()
