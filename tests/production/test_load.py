"""Short versions of the load benchmark (``bench/load/run.py`` runs the long ones): families
searching while the portal is under load get no errors, and an Operation Encompass burst
through the police API is stored, routed and alerted exactly once."""

from __future__ import annotations

from collections import Counter

from bench.load import harness
from bench.load.smtp import SMTPServer


def test_family_search_and_service_pages_under_load_have_no_errors(portal_db, tmp_path):
    database, seeded = portal_db
    env = harness.portal_env(database)
    with harness.Gunicorn(env, tmp_path / "gunicorn.log", workers=2) as web:
        figures = harness.run_locust(
            web.url,
            users=10,
            seconds=10,
            workdir=tmp_path / "locust",
            slugs=seeded["slugs"],
            categories=seeded["categories"],
        )
        log = web.tail()
    print(figures.line())
    assert figures.failures == 0, figures.errors
    assert figures.requests >= 40, f"the load did not run: {figures.line()}"
    assert figures.by_name["/services/?search"]["requests"] > 0
    assert figures.by_name["/services/<slug>/"]["requests"] > 0
    assert "Traceback" not in log, log


def test_encompass_burst_is_stored_routed_and_alerted_exactly_once(portal_db, tmp_path):
    database, _ = portal_db
    with SMTPServer() as smtp:
        env = harness.portal_env(database, EMAIL_HOST="127.0.0.1", EMAIL_PORT=str(smtp.port))
        plan = harness.dataset(env, "encompass", "--schools", "20")
        payloads, expected = harness.burst_payloads("CI-BURST", 100, plan)
        alerts = sum(len(child.recipients) for child in expected.values())
        with (
            harness.Gunicorn(env, tmp_path / "gunicorn.log", workers=2, ready_path=harness.API_READY) as web,
            harness.DbWorker(env, tmp_path / "worker.log") as worker,
        ):
            result = harness.post_burst(web.port, plan["token"], payloads, seconds=10, concurrency=6)
            stored = harness.wait_for_outbox(env, "CI-BURST", alerts, timeout=60)
            assert worker.alive(), worker.tail()
        # The scheduled job finds nothing left to send: every alert already went, once.
        tick = harness.manage(env, "encompass_tick")
        check = harness.check_burst(harness.dataset(env, "verify", "CI-BURST"), expected, payloads, smtp.messages)
    print(f"burst: {result.statuses} in {result.seconds:.1f} s, p50 {result.p50_ms:.0f} ms; {check.line()}")
    assert result.statuses == Counter({201: 100}), result.errors
    assert stored["tasks"]["FAILED"] == 0
    assert "alerts sent 0, to retry 0, given up 0" in tick
    assert check.problems == []
    assert check.notifications == 100
    assert check.children == len(expected) == 120
    assert check.routed == Counter({"school": 110, "triage": 10})
    assert check.alerts_created == check.alerts_sent == check.emails_received == alerts
