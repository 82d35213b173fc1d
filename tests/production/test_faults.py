"""Faults the portal must survive without losing anything and without manual action:

a. Elasticsearch going away while families search: every search still answers 200.
b. The mail server refusing: intake still succeeds, the outbox keeps the alerts and retries,
   escalations are still recorded; when the server is back each alert is sent exactly once.
c. The task worker killed in the middle of sending an alert: intake is not held up, and the
   alert is sent once when work resumes (never twice, never lost).
d. PostgreSQL restarted under load: requests recover by themselves; errors are confined to
   the restart window.

(a), (c) and (d) run the portal in gunicorn / db_worker subprocesses (see conftest.py);
(b) runs in-process against a real SMTP socket."""

from __future__ import annotations

import datetime
import os
import shutil
import subprocess
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine

from django.core.management import call_command

from bench.load import harness
from bench.load.smtp import ACCEPT, REFUSE_PERMANENT, REFUSE_TEMPORARY, STALL, SMTPServer

ROOT = Path(__file__).resolve().parents[2]
LONDON = ZoneInfo("Europe/London")


def drive(port: int, paths: list[str], *, until: threading.Event, threads: int = 3) -> list[tuple[float, int]]:
    """GET ``paths`` round-robin from ``threads`` clients until ``until`` is set; returns
    (monotonic time, status) per request, status 0 for a connection error."""
    results: list[tuple[float, int]] = []
    lock = threading.Lock()

    def client(offset: int) -> None:
        i = offset
        while not until.is_set():
            try:
                status, _ = harness.get(port, paths[i % len(paths)], timeout=30)
            except OSError:
                status = 0
            with lock:
                results.append((time.monotonic(), status))
            i += threads

    workers = [threading.Thread(target=client, args=(n,)) for n in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return results


SEARCHES = [
    "/services/?q=parenting",
    "/services/?q=domestic+abuse&postcode=SR1+3AA&radius=5",
    "/services/?q=autism&age=7&free=on",
    "/services/?postcode=SR4+7AA&sort=distance",
    "/services/?q=food+bank&page=2",
    "/services/suggest?q=pare",
]


# --- a. Elasticsearch unreachable -------------------------------------------------------------
def test_searches_fall_back_to_the_database_when_elasticsearch_dies(portal_db, tmp_path):
    from osmem_server import OsmemServer

    database, _ = portal_db
    server = OsmemServer.start(japanese=False)
    try:
        env = harness.portal_env(
            database,
            DJANGO_SETTINGS_MODULE="tests.production.es_settings",
            SEARCH_BACKEND="elasticsearch",
            ELASTICSEARCH_URL=server.url,
            ELASTICSEARCH_INDEX_PREFIX=f"fault-{os.getpid()}",
        )
        harness.manage(env, "rebuild_search_index", "--backend", "elasticsearch")
        with harness.Gunicorn(env, tmp_path / "gunicorn.log", workers=2) as web:
            for path in SEARCHES:  # Elasticsearch answers: no fallback yet
                assert harness.get(web.port, path)[0] == 200
            assert "falling back" not in web.tail(100_000)
            stop = threading.Event()
            killed_at = []

            def kill_elasticsearch() -> None:
                time.sleep(2)
                server.process.kill()
                server.process.wait(timeout=10)
                killed_at.append(time.monotonic())
                time.sleep(4)
                stop.set()

            killer = threading.Thread(target=kill_elasticsearch)
            killer.start()
            results = drive(web.port, SEARCHES, until=stop)
            killer.join()
            status, body = harness.get(web.port, "/services/?q=parenting")
            log = web.tail(200_000)
    finally:
        if server.process.poll() is None:
            server.process.kill()
    statuses = Counter(status for _, status in results)
    after = [status for at, status in results if at > killed_at[0]]
    assert statuses == Counter({200: len(results)}), statuses
    assert len(after) >= 6, "too few searches after Elasticsearch died to show anything"
    assert status == 200 and b"synthetic-" in body  # the database backend still finds services
    assert "falling back to the database backend" in log
    assert "Internal Server Error" not in log


# --- b. The mail server refusing ---------------------------------------------------------------
@pytest.fixture
def smtp(settings):
    with SMTPServer() as server:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST = "127.0.0.1"
        settings.EMAIL_PORT = server.port
        settings.EMAIL_TIMEOUT = 5
        settings.ENCOMPASS_LA_CODE = "394"
        yield server


def notification(urn: int, incident_at: datetime.datetime) -> dict:
    return {
        "police_reference": "NBR-FAULT-1",
        "force": "NBR",
        "incident_at": incident_at.isoformat(),
        "reported_at": (incident_at + datetime.timedelta(minutes=40)).isoformat(),
        "summary": "Incident at home.",
        "officer": "PC 2 Fault",
        "children": [
            {
                "given_name": "Sam",
                "family_name": "Fault",
                "date_of_birth": "2016-04-02",
                "school_urn": urn,
                "present_at_incident": True,
                "welfare_check_done": True,
                "social_care_informed": False,
            }
        ],
    }


@pytest.mark.parametrize("refusal", [REFUSE_TEMPORARY, REFUSE_PERMANENT, "port closed"])
def test_a_refusing_mail_server_keeps_alerts_and_escalations_then_sends_each_once(
    smtp, refusal, make_user, client, django_capture_on_commit_callbacks
):
    from portal.audit.models import AuditEvent
    from portal.encompass import services
    from portal.encompass.models import EscalationStep, NotifiedChild, OutboxMessage
    from tests.encompass.factories import SchoolFactory

    school = SchoolFactory(urn=123456, la_code="394")
    key_adult = make_user("school_key_adult", email="key.adult@fault.example.org")
    deputy = make_user("school_deputy", email="deputy@fault.example.org")
    lead = make_user("la_encompass_lead", email="la.lead@fault.example.org")
    school.key_adults.add(key_adult)
    school.deputies.add(deputy)
    _, token = services.create_token("NBR")
    if refusal == "port closed":
        smtp.close_port()
    else:
        smtp.mode = refusal

    # Monday evening: an incident; the school must know by Tuesday 08:30.
    evening = datetime.datetime(2026, 3, 2, 20, 0, tzinfo=LONDON)
    with time_machine.travel(evening + datetime.timedelta(hours=1)), django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/api/encompass/notifications",
            notification(school.urn, evening),
            content_type="application/json",
            headers={"Authorization": f"Bearer {token}"},
        )
    assert response.status_code == 201  # intake never waits for mail
    alert = OutboxMessage.objects.get()
    assert (alert.email, alert.status, alert.attempts) == (key_adult.email, "pending", 1)
    assert alert.last_error
    assert smtp.messages == []

    # Tuesday 09:05, unacknowledged: escalation is recorded although no mail can go out.
    with time_machine.travel(datetime.datetime(2026, 3, 3, 9, 5, tzinfo=LONDON)):
        call_command("encompass_tick", stdout=open(os.devnull, "w"))  # noqa: SIM115
    child = NotifiedChild.objects.get()
    step = EscalationStep.objects.get(child=child)
    assert step.number == 1 and step.recipients == 2
    assert child.escalation_count == 1
    assert AuditEvent.objects.filter(detail__escalation=1).count() == 1
    pending = OutboxMessage.objects.filter(status="pending")
    assert sorted(pending.values_list("email", flat=True)) == sorted([key_adult.email, deputy.email, lead.email])
    assert all(m.last_error for m in pending)  # each tried and refused, none given up
    assert smtp.messages == []

    # The mail server is back: at the next due tick each alert goes, exactly once.
    if refusal == "port closed":
        smtp.open_port()
    smtp.mode = ACCEPT
    with time_machine.travel(datetime.datetime(2026, 3, 3, 9, 20, tzinfo=LONDON)):
        call_command("encompass_tick", stdout=open(os.devnull, "w"))  # noqa: SIM115
        call_command("encompass_tick", stdout=open(os.devnull, "w"))  # noqa: SIM115
    with time_machine.travel(datetime.datetime(2026, 3, 3, 9, 30, tzinfo=LONDON)):
        services.deliver_due()
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {"sent"}
    received = Counter(rcpt for message in smtp.messages for rcpt in message.recipients)
    # The key adult's first alert; the escalation to the deputy and the LA's Encompass lead.
    assert received == Counter({key_adult.email: 1, deputy.email: 1, lead.email: 1})
    assert all(str(child.pk) in message.data for message in smtp.messages)
    assert not any("Sam" in message.data or "Incident at home" in message.data for message in smtp.messages)


# --- c. The worker killed in the middle of a task ----------------------------------------------
def post(port: int, token: str, reference: str, urn: int, given_name: str) -> tuple[int, float]:
    import http.client
    import json

    now = datetime.datetime.now(datetime.UTC)
    body = {
        "police_reference": reference,
        "force": "NBR",
        "incident_at": (now - datetime.timedelta(hours=1)).isoformat(),
        "reported_at": (now - datetime.timedelta(minutes=30)).isoformat(),
        "summary": "Incident.",
        "officer": "PC 3 Kill",
        "children": [
            {
                "given_name": given_name,
                "family_name": "Worker",
                "date_of_birth": "2014-02-03",
                "school_urn": urn,
                "present_at_incident": True,
                "welfare_check_done": True,
                "social_care_informed": False,
            }
        ],
    }
    started = time.monotonic()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request(
            "POST",
            "/api/encompass/notifications",
            body=json.dumps(body),
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        )
        response = conn.getresponse()
        response.read()
        return response.status, time.monotonic() - started
    finally:
        conn.close()


def test_a_worker_killed_while_sending_an_alert_loses_nothing_and_sends_it_once(portal_db, tmp_path):
    database, _ = portal_db
    with SMTPServer() as smtp:
        smtp.mode = STALL
        env = harness.portal_env(
            database,
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=str(smtp.port),
            EMAIL_TIMEOUT="60",
            LOAD_OUTBOX_LEASE_SECONDS="3",
        )
        plan = harness.dataset(env, "encompass", "--schools", "2")
        urn = int(min(plan["schools"]))  # one key adult
        key_adult = plan["schools"][str(urn)][0]
        with harness.Gunicorn(env, tmp_path / "gunicorn.log", workers=2, ready_path=harness.API_READY) as web:
            worker = harness.DbWorker(env, tmp_path / "worker-1.log")
            try:
                assert post(web.port, plan["token"], "KILL-1", urn, "First")[0] == 201
                assert smtp.wait_until_stalled(60), worker.tail()  # the worker is mid-send
                # Intake is not held up by a send in progress.
                status, seconds = post(web.port, plan["token"], "KILL-2", urn, "Second")
                assert status == 201 and seconds < 15, seconds  # SQLite gives up on a held lock after 20 s
                worker.kill()  # SIGKILL: no clean-up of any kind
            finally:
                worker.kill()
            stuck = harness.dataset(env, "verify", "KILL-")
            assert [a["status"] for a in stuck["alerts"]] == ["pending", "pending"]
            assert stuck["tasks"]["RUNNING"] == 1  # django-tasks' database backend never reruns it
            assert smtp.messages == []

            smtp.mode = ACCEPT
            time.sleep(3.5)  # the killed worker's lease on its alert runs out
            with harness.DbWorker(env, tmp_path / "worker-2.log"):
                stored = harness.wait_for_outbox(env, "KILL-", 2, timeout=60)
                tick = harness.manage(env, "encompass_tick", "--abandoned-after", "0")
                after = harness.dataset(env, "verify", "KILL-")
    assert [a["status"] for a in stored["alerts"]] == ["sent", "sent"]
    assert "1 abandoned task(s) recovered" in tick
    assert "alerts sent 0" in tick
    assert after["tasks"]["RUNNING"] == 0
    first = next(
        a for a in after["alerts"] if a["child"] in {c["id"] for c in after["children"] if c["given_name"] == "First"}
    )
    assert first["attempts"] == 2  # the interrupted attempt, then the one that went
    received = Counter(
        (rcpt, uuid) for message in smtp.messages for rcpt in message.recipients for uuid in message.uuids
    )
    assert received == Counter({(key_adult, c["id"]): 1 for c in after["children"]})


# --- d. PostgreSQL restarted under load --------------------------------------------------------
def _postgres_binaries() -> bool:
    import glob

    return any(os.access(p, os.X_OK) for p in glob.glob("/usr/lib/postgresql/*/bin/pg_ctl")) or bool(
        os.environ.get("PG_BIN")
    )


@pytest.mark.skipif(not _postgres_binaries(), reason="PostgreSQL server binaries (pg_ctl, initdb) are not installed")
@pytest.mark.skipif(
    shutil.which("runuser") is None and os.geteuid() == 0, reason="runuser is needed to run as postgres"
)
def test_requests_recover_by_themselves_after_postgresql_restarts(tmp_path):
    script = ROOT / "scripts" / "private-postgres.sh"
    pgdir = tempfile.mkdtemp(prefix="private-pg-")  # outside pytest's root-only tmp tree
    try:
        url = subprocess.run([script, "start", pgdir], check=True, capture_output=True, text=True).stdout.strip()
        database = harness.Database.new(tmp_path, "restart", url)
        env = harness.portal_env(database)  # production's CONN_MAX_AGE (60 s) and health checks
        harness.migrate(env)
        seeded = harness.dataset(env, "seed", "--services", "100")
        paths = [*SEARCHES[:5], *(f"/services/{slug}/" for slug in seeded["slugs"][:5])]
        with harness.Gunicorn(env, tmp_path / "gunicorn.log", workers=2) as web:
            for path in paths:  # every worker holds a persistent connection
                assert harness.get(web.port, path)[0] == 200
            stop = threading.Event()
            window = []

            def restart() -> None:
                time.sleep(3)
                window.append(time.monotonic())
                subprocess.run([script, "restart", pgdir], check=True, capture_output=True)
                window.append(time.monotonic())
                time.sleep(5)
                stop.set()

            restarter = threading.Thread(target=restart)
            restarter.start()
            results = drive(web.port, paths, until=stop)
            restarter.join()
            final = [harness.get(web.port, path)[0] for path in paths * 2]
    finally:
        subprocess.run([script, "stop", pgdir], capture_output=True)
        shutil.rmtree(pgdir, ignore_errors=True)
    began, ended = window
    before = [s for at, s in results if at < began]
    during = [s for at, s in results if began <= at <= ended + 1]
    after = [s for at, s in results if at > ended + 1]
    print(
        f"PostgreSQL restart took {ended - began:.2f} s; requests before {Counter(before)}, "
        f"during (+1 s) {Counter(during)}, after {Counter(after)}"
    )
    assert set(before) == {200}
    assert after and set(after) == {200}, Counter(after)  # recovered without anyone doing anything
    assert set(final) == {200}
    # Errors only inside the restart window (a request there may get a 500), never a dropped
    # connection: gunicorn and its workers stay up throughout.
    assert 0 not in during
