"""The Operation Encompass demo's history (issue 8 point 6): a year of notifications before the
hand-written ones, as one local authority would hold them within its retention period."""

import datetime
from collections import Counter

import pytest

from django.db.models import F, Max, Min
from django.utils import timezone

from portal.accounts import demo as accounts_demo
from portal.encompass import demo, services
from portal.encompass.calendar import LONDON
from portal.encompass.models import Notification, NotifiedChild, OutboxMessage, School

pytestmark = pytest.mark.django_db


@pytest.fixture
def loaded(django_capture_on_commit_callbacks):
    accounts_demo.load()
    with django_capture_on_commit_callbacks(execute=True):
        summary = demo.load()
    return summary


def history():
    return NotifiedChild.objects.filter(notification__police_reference__startswith=demo.HISTORY_PREFIX)


def test_history_fills_the_retention_period_before_the_hand_written_notifications(loaded):
    now = timezone.now()
    received = history().aggregate(first=Min("notification__received_at"), last=Max("notification__received_at"))
    assert now - datetime.timedelta(days=366) < received["first"] < now - datetime.timedelta(days=355)
    hand_written = Notification.objects.filter(police_reference__startswith="DEMO-")
    assert hand_written.count() == 8
    assert received["last"] < hand_written.aggregate(first=Min("received_at"))["first"]
    # Nothing in it is past retention yet: the nightly purge would delete none of it.
    assert services.purge_expired(dry_run=True) == {"notifications": 0, "children": 0}


def test_history_follows_the_retention_period(settings, django_capture_on_commit_callbacks):
    settings.RETENTION_ENCOMPASS_DAYS = 3650
    accounts_demo.load()
    with django_capture_on_commit_callbacks(execute=True):
        demo.load()
    first = history().aggregate(first=Min("notification__received_at"))["first"]
    assert timezone.now() - first > datetime.timedelta(days=700)  # two years, not ten


def test_history_looks_like_one_local_authority(loaded):
    children = history().select_related("notification")
    per_month = Counter(c.notification.received_at.astimezone(LONDON).strftime("%Y-%m") for c in children)
    full_months = sorted(per_month)[1:-1]  # the first and last are partial
    assert len(full_months) >= 10
    assert all(30 <= per_month[m] <= 100 for m in full_months), per_month
    on_time = children.filter(acknowledged_at__lte=F("notify_by")).count()
    late = children.filter(acknowledged_at__gt=F("notify_by")).count()
    never = children.filter(acknowledged_at=None).count()
    assert on_time > 3 * late > 0 and 0 < never <= 0.02 * children.count()
    routes = Counter(children.values_list("routed_to", flat=True))
    assert set(routes) == {"school", "triage"} and routes["triage"] < routes["school"] / 5
    phases = set(children.exclude(school=None).values_list("school__phase", flat=True))
    assert phases == set(School.objects.values_list("phase", flat=True))
    # Deadlines are school starts; acknowledged ones name who acknowledged, where someone could.
    for child in children.exclude(school=None)[:200]:
        assert child.notify_by > child.notification.incident_at
        assert child.notify_by.astimezone(LONDON).time() == child.school.day_start
    # Hylton's history was acknowledged by the README's key adult and deputy.
    hylton = children.filter(school__urn=900001).exclude(acknowledged_at=None)
    assert set(hylton.values_list("acknowledged_by__email", flat=True)) == {
        "key.adult@example.org",
        "deputy.key.adult@example.org",
    }


def test_history_is_idempotent_and_alerts_nobody(loaded, django_capture_on_commit_callbacks):
    references = set(history().values_list("notification__police_reference", flat=True))
    count = history().count()
    with django_capture_on_commit_callbacks(execute=True):
        again = demo.load()
    assert again == loaded
    assert history().count() == count
    assert set(history().values_list("notification__police_reference", flat=True)) == references
    assert not OutboxMessage.objects.filter(status=OutboxMessage.Status.PENDING).exists()
    assert not OutboxMessage.objects.filter(child__in=history()).exists()
    # A key adult's inbox holds a handful of open items, not the history.
    for school in School.objects.all():
        assert history().filter(school=school, acknowledged_at=None).count() <= 3
