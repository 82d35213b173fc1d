"""``purge_expired`` enforces every retention period, and --dry-run changes nothing."""

import datetime

import pytest

from django.core.management import call_command
from django.utils import timezone

from directory.models import ProblemReport
from portal.audit.models import AuditEvent
from search.models import SearchLog
from tests.directory.factories import ServicePageFactory

pytestmark = pytest.mark.django_db


def _ago(**kwargs):
    return timezone.now() - datetime.timedelta(**kwargs)


@pytest.fixture
def old_and_new_records(settings):
    settings.RETENTION_SEARCH_LOG_DAYS = 30
    settings.RETENTION_REPORTER_EMAIL_DAYS = 90
    settings.RETENTION_AUDIT_YEARS = 1
    old_log = SearchLog.objects.create(text="dv", result_count=3, backend="database")
    SearchLog.objects.filter(pk=old_log.pk).update(created=_ago(days=31))
    new_log = SearchLog.objects.create(text="autism", result_count=2, backend="database")
    service = ServicePageFactory()
    resolved_long_ago = ProblemReport.objects.create(
        service=service,
        kind=ProblemReport.Kind.OUT_OF_DATE,
        details="Phone number changed",
        reporter_email="parent@example.org",
        status=ProblemReport.Status.RESOLVED,
        resolved_at=_ago(days=91),
    )
    resolved_lately = ProblemReport.objects.create(
        service=service,
        kind=ProblemReport.Kind.OUT_OF_DATE,
        details="Closed on Fridays",
        reporter_email="carer@example.org",
        status=ProblemReport.Status.RESOLVED,
        resolved_at=_ago(days=10),
    )
    still_open = ProblemReport.objects.create(
        service=service,
        kind=ProblemReport.Kind.OUT_OF_DATE,
        details="Wrong address",
        reporter_email="gran@example.org",
    )
    old_event = AuditEvent(action=AuditEvent.Action.VIEW, object_type="test.thing", at=_ago(days=400))
    old_event.save()
    return {
        "old_log": old_log,
        "new_log": new_log,
        "resolved_long_ago": resolved_long_ago,
        "resolved_lately": resolved_lately,
        "still_open": still_open,
        "old_event": old_event,
    }


def test_dry_run_says_what_would_go_and_changes_nothing(old_and_new_records, capsys):
    call_command("purge_expired", "--dry-run")
    out = capsys.readouterr().out
    assert "Would purge 1 search log rows older than 30 days" in out
    assert "Would purge 1 problem reporters' email addresses" in out
    assert "Would purge 1 audit events older than 1 years" in out
    assert SearchLog.objects.count() == 2
    assert ProblemReport.objects.exclude(reporter_email="").count() == 3
    assert AuditEvent.objects.filter(pk=old_and_new_records["old_event"].pk).exists()


def test_purge_removes_only_what_is_past_its_period(old_and_new_records, capsys):
    call_command("purge_expired")
    out = capsys.readouterr().out
    assert "Purged 1 search log rows" in out
    assert list(SearchLog.objects.values_list("text", flat=True)) == ["autism"]

    records = old_and_new_records
    for report in ("resolved_long_ago", "resolved_lately", "still_open"):
        records[report].refresh_from_db()
    assert records["resolved_long_ago"].reporter_email == ""
    assert records["resolved_long_ago"].details == "Phone number changed"  # the report stays
    assert records["resolved_lately"].reporter_email == "carer@example.org"
    assert records["still_open"].reporter_email == "gran@example.org"

    assert not AuditEvent.objects.filter(pk=records["old_event"].pk).exists()
    purges = AuditEvent.objects.filter(action=AuditEvent.Action.PURGE)
    assert set(purges.values_list("object_type", flat=True)) >= {
        "directory_search.searchlog",
        "directory.problemreport",
        "audit.auditevent",
    }
    # Counts only, never the content.
    assert not any("parent@example.org" in str(e.detail) for e in purges)
