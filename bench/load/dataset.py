"""The harness's Django side, run as a subprocess with the harness's settings and database:

    python bench/load/dataset.py seed --services N       # services, search index, postcodes
    python bench/load/dataset.py encompass --schools N   # schools, key adults, term dates, a token
    python bench/load/dataset.py verify PREFIX           # what the database holds for a burst

Each prints one JSON object on its last line of standard output."""

from __future__ import annotations

import argparse
import datetime
import io
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.load.settings")

FORCE = "NBR"
LA_CODE = "394"
FIRST_URN = 700000
LA_LEADS = ["la.lead.1@load.example.org", "la.lead.2@load.example.org"]


def key_adults_for(index: int) -> list[str]:
    """School ``index`` has one key adult, every other school two: alerts fan out unevenly."""
    emails = [f"key.adult.{index}.a@load.example.org"]
    if index % 2:
        emails.append(f"key.adult.{index}.b@load.example.org")
    return emails


def seed(services: int) -> dict:
    from django.core.management import call_command

    from directory.models import ServicePage, TaxonomyTerm
    from search.models import IndexedService

    quiet = io.StringIO()
    existing = ServicePage.objects.count()
    if existing < services:
        call_command("seed_synthetic", services=services - existing, stdout=quiet)
    if IndexedService.objects.count() < services:
        call_command("rebuild_search_index", backend="database", stdout=quiet)
    call_command("import_postcodes", str(ROOT / "search" / "fixtures" / "sunderland_postcodes.csv"), stdout=quiet)
    slugs = list(ServicePage.objects.live().order_by("pk").values_list("slug", flat=True))
    categories = [str(pk) for pk in TaxonomyTerm.objects.values_list("oruk_id", flat=True)]
    return {"services": len(slugs), "slugs": slugs, "categories": categories}


def encompass(schools: int) -> dict:
    from django.contrib.auth.models import Group
    from django.utils import timezone

    from portal.accounts.models import User
    from portal.accounts.roles import ROLES_BY_SLUG
    from portal.encompass import services
    from portal.encompass.models import School

    key_adult_group = Group.objects.get(name=ROLES_BY_SLUG["school_key_adult"].name)
    plan = {}
    for index in range(schools):
        school, _ = School.objects.get_or_create(
            urn=FIRST_URN + index, defaults={"name": f"Load test school {index}", "la_code": LA_CODE}
        )
        emails = key_adults_for(index)
        for email in emails:
            user, _ = User.objects.get_or_create(email=email)
            user.groups.add(key_adult_group)
            school.key_adults.add(user)
        plan[str(school.urn)] = emails
    lead_group = Group.objects.get(name=ROLES_BY_SLUG["la_encompass_lead"].name)
    for email in LA_LEADS:
        user, _ = User.objects.get_or_create(email=email)
        user.groups.add(lead_group)
    today = timezone.localdate()
    start, end = today - datetime.timedelta(days=200), today + datetime.timedelta(days=200)
    services.import_term_dates(
        "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\n"
        f"DTSTART;VALUE=DATE:{start:%Y%m%d}\r\nDTEND;VALUE=DATE:{end:%Y%m%d}\r\n"
        "CATEGORIES:TERM\r\nSUMMARY:Load test term\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
        la_code=LA_CODE,
    )
    _, token = services.create_token(FORCE, name="load test")
    return {"token": token, "force": FORCE, "schools": plan, "la_leads": LA_LEADS}


def verify(prefix: str) -> dict:
    """Every notification, child and alert of the burst whose references start with ``prefix``."""
    from django_tasks_db.models import DBTaskResult

    from portal.encompass.models import Notification, NotifiedChild, OutboxMessage

    children = NotifiedChild.objects.filter(notification__police_reference__startswith=prefix)
    alerts = OutboxMessage.objects.filter(child__in=children)
    return {
        "notifications": Notification.objects.filter(police_reference__startswith=prefix).count(),
        "children": [
            {
                "id": str(c["id"]),
                "reference": c["notification__police_reference"],
                "given_name": c["given_name"],
                "routed_to": c["routed_to"],
                "school_urn": c["school__urn"],
            }
            for c in children.values("id", "notification__police_reference", "given_name", "routed_to", "school__urn")
        ],
        "alerts": [
            {
                "child": str(a["child_id"]),
                "email": a["email"],
                "kind": a["kind"],
                "status": a["status"],
                "attempts": a["attempts"],
                "key": a["key"],
            }
            for a in alerts.values("child_id", "email", "kind", "status", "attempts", "key")
        ],
        "tasks": {
            status: DBTaskResult.objects.filter(status=status).count()
            for status in ("READY", "RUNNING", "SUCCESSFUL", "FAILED")
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("seed").add_argument("--services", type=int, required=True)
    sub.add_parser("encompass").add_argument("--schools", type=int, default=50)
    sub.add_parser("verify").add_argument("prefix")
    args = parser.parse_args()
    import django

    django.setup()
    if args.command == "seed":
        result = seed(args.services)
    elif args.command == "encompass":
        result = encompass(args.schools)
    else:
        result = verify(args.prefix)
    sys.stdout.write("\n" + json.dumps(result) + "\n")


if __name__ == "__main__":
    main()
