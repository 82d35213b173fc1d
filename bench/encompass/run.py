"""Operation Encompass benchmark: API intake throughput on loopback, and import_encompass of
10,000 rows, each printed beside a bare ORM insert loop of the same rows in the same run.

    .venv/bin/python bench/encompass/run.py [--api N] [--csv N]

The bare loop inserts the same Notification and NotifiedChild rows with a precomputed
deadline and no validation, routing, calendar lookup, outbox or HTTP: the floor the real
paths are measured against. Not a test: nothing here passes or fails."""

from __future__ import annotations

import argparse
import datetime
import http.client
import json
import os
import socket
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.encompass.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler  # noqa: E402
from django.core.wsgi import get_wsgi_application  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from portal.encompass import services  # noqa: E402
from portal.encompass.models import Notification, NotifiedChild, OutboxMessage, School  # noqa: E402

SCHOOLS = 200


class QuietHandler(WSGIRequestHandler):
    def log_message(self, *args):
        pass


def setup() -> str:
    call_command("migrate", verbosity=0)
    from portal.accounts.models import User

    School.objects.bulk_create(
        [School(urn=500000 + i, name=f"Bench school {i}", la_code="394") for i in range(SCHOOLS)], ignore_conflicts=True
    )
    user, _ = User.objects.get_or_create(email="bench.key.adult@example.org")
    for school in School.objects.all():
        school.key_adults.add(user)
    services.import_term_dates(
        "BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART;VALUE=DATE:20250903\nDTEND;VALUE=DATE:20260722\n"
        "CATEGORIES:TERM\nEND:VEVENT\nEND:VCALENDAR\n",
        la_code="394",
    )
    return services.create_token("NBR")[1]


def rows(n: int, prefix: str) -> list[dict]:
    base = timezone.now() - datetime.timedelta(hours=6)
    out = []
    for i in range(n):
        incident = base - datetime.timedelta(minutes=i % 600)
        out.append(
            {
                "police_reference": f"{prefix}-{i:06d}",
                "force": "NBR",
                "incident_at": incident.isoformat(),
                "reported_at": (incident + datetime.timedelta(minutes=20)).isoformat(),
                "location": "Sunderland",
                "summary": "Benchmark incident summary.",
                "officer": "PC 1 Bench",
                "children": [
                    {
                        "given_name": f"Child{i}",
                        "family_name": "Bench",
                        "date_of_birth": "2015-01-01",
                        "school_urn": 500000 + i % SCHOOLS if i % 10 else None,
                        "present_at_incident": True,
                        "welfare_check_done": True,
                        "voice_of_child": "",
                        "social_care_informed": False,
                    }
                ],
            }
        )
    return out


def bare_orm(data: list[dict], prefix: str) -> float:
    schools = {s.urn: s for s in School.objects.all()}
    deadline = timezone.now()
    start = time.perf_counter()
    with transaction.atomic():
        for item in data:
            n = Notification.objects.create(
                force="NBR",
                police_reference=prefix + item["police_reference"],
                incident_at=item["incident_at"],
                reported_at=item["reported_at"],
                location=item["location"],
                summary=item["summary"],
                officer=item["officer"],
            )
            for c in item["children"]:
                school = schools.get(c["school_urn"])
                NotifiedChild.objects.create(
                    notification=n,
                    given_name=c["given_name"],
                    family_name=c["family_name"],
                    date_of_birth=c["date_of_birth"],
                    school=school,
                    routed_to="school" if school else "triage",
                    notify_by=deadline,
                )
    return time.perf_counter() - start


def connect(port: int) -> http.client.HTTPConnection:
    """A client connection without Nagle's algorithm: http.client writes the headers and the
    body separately, and Nagle plus delayed ACKs would add 40 ms to every request."""
    conn = http.client.HTTPConnection("127.0.0.1", port)
    conn.connect()
    conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return conn


def api(token: str, data: list[dict]) -> float:
    server = ThreadedWSGIServer(("127.0.0.1", 0), QuietHandler, allow_reuse_address=True)
    server.set_app(get_wsgi_application())
    threading.Thread(target=server.serve_forever, daemon=True).start()
    conn = connect(server.server_port)
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    start = time.perf_counter()
    for item in data:
        conn.request("POST", "/api/encompass/notifications", body=json.dumps(item), headers=headers)
        response = conn.getresponse()
        response.read()
        if response.status != 201:
            raise SystemExit(f"API answered {response.status}")
        if response.getheader("Connection", "").lower() == "close":
            conn.close()
            conn = connect(server.server_port)
    elapsed = time.perf_counter() - start
    server.shutdown()
    return elapsed


def csv_import(data: list[dict], path: Path) -> float:
    import csv

    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            [
                "police_reference",
                "incident_at",
                "reported_at",
                "location",
                "summary",
                "officer",
                "given_name",
                "family_name",
                "date_of_birth",
                "school_urn",
                "present_at_incident",
                "welfare_check_done",
                "voice_of_child",
                "social_care_informed",
            ]
        )
        for item in data:
            c = item["children"][0]
            writer.writerow(
                [
                    item["police_reference"],
                    item["incident_at"],
                    item["reported_at"],
                    item["location"],
                    item["summary"],
                    item["officer"],
                    c["given_name"],
                    c["family_name"],
                    c["date_of_birth"],
                    c["school_urn"] or "",
                    "yes",
                    "yes",
                    "",
                    "no",
                ]
            )
    start = time.perf_counter()
    call_command("import_encompass", str(path), "--force", "NBR", stdout=open(os.devnull, "w"))  # noqa: SIM115
    return time.perf_counter() - start


def line(name: str, n: int, real: float, bare: float) -> None:
    print(
        f"{name:<28} {n:>6} rows  {n / real:>8.0f} rows/s ({real:6.2f} s)   "
        f"bare ORM loop {n / bare:>8.0f} rows/s ({bare:6.2f} s)   ratio {real / bare:5.1f}x"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--api", type=int, default=1000, help="notifications posted to the API")
    parser.add_argument("--csv", type=int, default=10_000, help="rows in the import_encompass file")
    args = parser.parse_args()
    token = setup()
    print(f"Operation Encompass benchmark on {connection.vendor} ({SCHOOLS} schools, one child per notification)")
    api_rows = rows(args.api, "API")
    line("API intake (loopback HTTP)", args.api, api(token, api_rows), bare_orm(api_rows, "B"))
    csv_rows = rows(args.csv, "CSV")
    path = Path(settings_dir()) / "daily.csv"
    line("import_encompass CSV", args.csv, csv_import(csv_rows, path), bare_orm(csv_rows, "C"))
    print(f"Outbox messages queued: {OutboxMessage.objects.count()}")


def settings_dir() -> str:
    import tempfile

    return tempfile.mkdtemp(prefix="bench-encompass-csv-")


if __name__ == "__main__":
    main()
