import datetime

import pytest
import time_machine

from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from portal.audit.models import AuditEvent
from portal.encompass import services
from portal.encompass.models import Notification, NotifiedChild, OutboxMessage

from .calendars import LA_2025_26
from .factories import NotifiedChildFactory, SchoolFactory


@pytest.fixture
def lead(make_user):
    return make_user("la_encompass_lead", email="lead@example.org")


def test_dashboard_shows_queues_and_schools_to_follow_up(signed_in, lead, school, key_adult):
    services.import_term_dates(LA_2025_26, la_code="394")
    SchoolFactory(urn=300001, name="Faraway School", la_code="999")
    now = timezone.now()
    NotifiedChildFactory(school=school, notify_by=now - datetime.timedelta(hours=2))  # overdue
    NotifiedChildFactory(school=school, notify_by=now + datetime.timedelta(hours=2))
    triage = NotifiedChildFactory(school=None, routed_to="triage", notify_by=now + datetime.timedelta(hours=1))
    NotifiedChildFactory(
        school=school,
        notify_by=now - datetime.timedelta(days=1),
        acknowledged_at=now - datetime.timedelta(days=1, hours=1),
    )
    response = signed_in(lead).get(reverse("encompass:dashboard"))
    assert response.status_code == 200
    context = response.context
    assert context["unacknowledged"] == 3 and context["overdue"] == 1
    assert [c.pk for c in context["triage"]] == [triage.pk]
    assert context["by_school"][0]["school__urn"] == school.urn and context["by_school"][0]["overdue"] == 1
    assert [s.urn for s in context["without_calendar"]] == [300001]
    assert 300001 in [s.urn for s in context["without_key_adult"]] and school.urn not in [
        s.urn for s in context["without_key_adult"]
    ]
    assert sum(row["due"] for row in context["monthly"]) == 2  # the overdue one and the acknowledged one
    assert sum(row["on_time"] for row in context["monthly"]) == 1
    body = response.content.decode()
    assert triage.reference in body and triage.given_name not in body


@pytest.mark.parametrize("role", ["school_key_adult", "front_door", "commissioner"])
def test_dashboard_is_for_the_la_lead(signed_in, make_user, role):
    assert signed_in(make_user(role)).get(reverse("encompass:dashboard")).status_code == 403


def test_purge_expired_deletes_after_the_retention_period(db, school, settings, capsys):
    settings.RETENTION_ENCOMPASS_DAYS = 30
    now = timezone.now()
    old = NotifiedChildFactory(school=school, acknowledged_at=now - datetime.timedelta(days=31))
    services.queue_alerts(old, "new", [])
    recent = NotifiedChildFactory(school=school, acknowledged_at=now - datetime.timedelta(days=29))
    open_ = NotifiedChildFactory(school=school)
    # A notification with one old acknowledged child and one still open is kept whole.
    mixed = NotifiedChildFactory(school=school, acknowledged_at=now - datetime.timedelta(days=40))
    NotifiedChildFactory(school=school, notification=mixed.notification)

    call_command("purge_expired", "--dry-run")
    assert (
        "Would purge 1 Operation Encompass notifications acknowledged more than 30 days ago" in capsys.readouterr().out
    )
    assert Notification.objects.count() == 4

    call_command("purge_expired")
    out = capsys.readouterr().out
    assert "Purged 1 Operation Encompass notifications" in out
    assert "Purged 1 notified children with them" in out
    assert not NotifiedChild.objects.filter(pk=old.pk).exists()
    assert set(NotifiedChild.objects.values_list("pk", flat=True)) >= {recent.pk, open_.pk, mixed.pk}
    event = AuditEvent.objects.get(action="purge", object_type="encompass.notification")
    assert event.detail["notifications"] == 1 and event.detail["children"] == 1
    assert old.given_name not in str(event.detail)
    assert not OutboxMessage.objects.filter(child_id=old.pk).exists()


def test_purge_uses_time(db, school, settings):
    settings.RETENTION_ENCOMPASS_DAYS = 365
    child = NotifiedChildFactory(school=school, acknowledged_at=timezone.now())
    with time_machine.travel(timezone.now() + datetime.timedelta(days=366)):
        assert services.purge_expired()["notifications"] == 1
    assert not NotifiedChild.objects.filter(pk=child.pk).exists()
