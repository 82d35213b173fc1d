"""Early help assessment benchmark (issue 6): the p50/p95 of a step's POST and of the task
list GET, with their query counts, for families of 1, 5 and 10 children. The query counts
must not grow with the family.

    .venv/bin/python bench/assessment/run.py [--repeat N] [--children 1,5,10]

Requests go through the Django test client (the whole middleware stack, MFA enforcement
included) signed in as a lead professional with an authenticator, as tests/conftest.py does.
Printed beside them, measured in the same run:

* the step POST's floor: ``services.save_step`` called directly with the same cleaned answers
  (no view, no form, no template);
* a naive task list: the same statuses worked out per child with one query per step (the
  shape an N+1 implementation takes), against the view's.

Not a test: nothing here passes or fails. Set BENCH_DATABASE_URL for PostgreSQL."""

from __future__ import annotations

import argparse
import datetime
import os
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.assessment.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth.models import Group, Permission  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from eh_assessments import permissions, services, steps  # noqa: E402
from eh_assessments.models import Assessment, Family, Person  # noqa: E402
from portal.accounts.models import Team, User  # noqa: E402
from portal.accounts.roles import ROLES_BY_SLUG  # noqa: E402

HIDDEN = re.compile(r'<input[^>]*type="hidden"[^>]*>')
ATTR = re.compile(r'(name|value)="([^"]*)"')


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def setup() -> User:
    call_command("migrate", verbosity=0)
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    group, _ = Group.objects.get_or_create(name=ROLES_BY_SLUG["lead_professional"].name)
    # What portal/accounts/roles.py gives lead professionals (added here too, so the benchmark
    # runs whether or not roles.py lists them yet).
    for name in (permissions.ADD, permissions.VIEW, permissions.CHANGE):
        app_label, codename = name.split(".")
        group.permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))
    team, _ = Team.objects.get_or_create(name="Bench locality team")
    user, created = User.objects.get_or_create(
        email="bench.lead@example.org", defaults={"first_name": "Bench", "last_name": "Lead", "team": team}
    )
    user.groups.add(group)
    if created:
        TOTP.activate(user, generate_totp_secret())
    return user


def family_of(children: int, user: User) -> Assessment:
    today = timezone.localdate()
    family = Family.objects.create(team=user.team, created_by=user, address="1 Bench Street", postcode="SR1 1AA")
    Person.objects.create(family=family, kind=Person.ADULT, given_name="Parent", family_name="Bench")
    for i in range(children):
        Person.objects.create(
            family=family,
            kind=Person.CHILD,
            given_name=f"Child{i + 1}",
            family_name="Bench",
            date_of_birth=today - datetime.timedelta(days=365 * (2 + i) + 40),
        )
    assessment = services.start_assessment(user=user, family=family)
    services.save_step(
        assessment,
        steps.ABOUT,
        {"reason": "Bench", "source_agency": "school", "referrer_name": "Bench", "request_date": today.isoformat()},
        expected_version=assessment.version,
        user=user,
    )
    services.save_step(assessment, steps.FAMILY, {"add_another": "no"}, expected_version=assessment.version, user=user)
    return assessment


def development_answers(prefix: str) -> dict[str, str]:
    areas = ("health", "education", "emotional", "identity", "relationships", "self_care")
    data = {f"{prefix}-{area}_score": "4" for area in areas}
    data.update({f"{prefix}-{area}_strengths": "Doing well." for area in areas})
    return data


def hidden_fields(html: str) -> dict[str, str]:
    fields = {}
    for tag in HIDDEN.findall(html):
        attrs = dict(ATTR.findall(tag))
        if "name" in attrs and attrs["name"] != "csrfmiddlewaretoken":
            fields[attrs["name"]] = attrs.get("value", "")
    return fields


def timed(call) -> tuple[float, int, object]:
    with CaptureQueriesContext(connection) as queries:
        start = time.perf_counter()
        result = call()
        elapsed = (time.perf_counter() - start) * 1000
    return elapsed, len(queries), result


def naive_task_list(assessment_pk: int) -> list[tuple[str, str]]:
    """The baseline: statuses worked out per step, with a query for the assessment's answers
    per step and a query for the family's children per child step."""
    assessment = Assessment.objects.get(pk=assessment_pk)
    rows = []
    for step in steps.steps_for(assessment):
        if step.child is not None:
            list(Person.objects.filter(family_id=assessment.family_id, kind=Person.CHILD))
        sections = Assessment.objects.values_list("sections", flat=True).get(pk=assessment_pk) or {}
        rows.append((step.name, "Completed" if step.name in sections else "Not yet started"))
    return rows


def measure(children: int, user: User, client: Client, repeat: int) -> dict:
    assessment = family_of(children, user)
    child = Person.objects.filter(family=assessment.family, kind=Person.CHILD).order_by("pk").first()
    step = steps.child_step_name(steps.DEVELOPMENT, child)
    step_url = reverse("eh_assessments:step", kwargs={"pk": assessment.uuid, "step": step})
    list_url = reverse("eh_assessments:task_list", kwargs={"pk": assessment.uuid})

    page = client.get(step_url)
    if page.status_code != 200:
        raise SystemExit(f"GET {step_url} answered {page.status_code}: are the assessment views in place?")
    hidden = hidden_fields(page.content.decode())
    answers = development_answers(step)

    post_ms, post_queries, floor_ms, floor_queries, list_ms, list_queries, naive_ms, naive_queries = (
        [] for _ in range(8)
    )
    cleaned = None
    for _ in range(repeat):
        version = Assessment.objects.values_list("version", flat=True).get(pk=assessment.pk)
        data = {**hidden, **answers, "assessment_version": str(version)}
        elapsed, count, response = timed(lambda data=data: client.post(step_url, data))
        if response.status_code != 302:
            raise SystemExit(f"POST {step_url} answered {response.status_code}")
        post_ms.append(elapsed)
        post_queries.append(count)

        if cleaned is None:
            cleaned = Assessment.objects.get(pk=assessment.pk).sections[step]
        fresh = Assessment.objects.get(pk=assessment.pk)
        elapsed, count, _ = timed(
            lambda fresh=fresh, cleaned=cleaned: services.save_step(
                fresh, step, cleaned, expected_version=fresh.version, user=user
            )
        )
        floor_ms.append(elapsed)
        floor_queries.append(count)

        elapsed, count, response = timed(lambda: client.get(list_url))
        if response.status_code != 200:
            raise SystemExit(f"GET {list_url} answered {response.status_code}")
        list_ms.append(elapsed)
        list_queries.append(count)

        elapsed, count, _ = timed(lambda: naive_task_list(assessment.pk))
        naive_ms.append(elapsed)
        naive_queries.append(count)

    def summary(ms, queries):
        return {
            "p50": statistics.median(ms),
            "p95": percentile(ms, 95),
            "queries": max(queries),
            "queries_min": min(queries),
        }

    return {
        "children": children,
        "post": summary(post_ms, post_queries),
        "floor": summary(floor_ms, floor_queries),
        "list": summary(list_ms, list_queries),
        "naive": summary(naive_ms, naive_queries),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=60)
    parser.add_argument("--children", default="1,5,10")
    args = parser.parse_args()
    sizes = [int(n) for n in args.children.split(",")]

    user = setup()
    client = Client()
    client.force_login(user)
    # Warm up (URL resolver, templates, first queries) on a family of its own.
    measure(1, user, client, 3)

    results = [measure(n, user, client, args.repeat) for n in sizes]
    vendor = connection.vendor
    print(f"Early help assessment, {vendor}, {args.repeat} requests each (times in ms, queries per request)")
    header = f"{'children':>8}  {'what':<44} {'p50':>7} {'p95':>7} {'queries':>8}"
    print(header)
    print("-" * len(header))
    labels = {
        "post": "step POST (development, view + form + save)",
        "floor": "  floor: services.save_step alone",
        "list": "task list GET (view)",
        "naive": "  baseline: naive task list, query per step",
    }
    for result in results:
        for key, label in labels.items():
            row = result[key]
            queries = (
                str(row["queries"])
                if row["queries"] == row["queries_min"]
                else f"{row['queries_min']}-{row['queries']}"
            )
            print(f"{result['children']:>8}  {label:<44} {row['p50']:7.1f} {row['p95']:7.1f} {queries:>8}")
    for key in ("post", "list"):
        counts = {r["children"]: r[key]["queries"] for r in results}
        verdict = "constant" if len(set(counts.values())) == 1 else "GROWS with the family"
        print(f"{labels[key].strip()}: queries {counts} -> {verdict}")


if __name__ == "__main__":
    main()
