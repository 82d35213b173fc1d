from portal.accounts import demo as accounts_demo
from portal.encompass import demo
from portal.encompass.models import Calendar, Notification, NotifiedChild, School
from portal.encompass.selectors import schools_without_key_adult


def test_demo_step_is_idempotent_and_covers_every_state(db, django_capture_on_commit_callbacks):
    accounts_demo.load()
    with django_capture_on_commit_callbacks(execute=True):
        first = demo.load()
        second = demo.load()
    assert first == second and "40 schools" in first
    assert School.objects.count() == 40
    assert Calendar.objects.get(la_code="394").periods.filter(kind="term").count() == 6
    assert Notification.objects.filter(police_reference__startswith="DEMO-").count() == 8
    routes = set(NotifiedChild.objects.values_list("routed_to", flat=True))
    assert routes == {"school", "triage", "front_door"}
    assert NotifiedChild.objects.filter(acknowledged_at__isnull=False).exists()
    assert NotifiedChild.objects.filter(acknowledged_at__isnull=True).exists()
    assert schools_without_key_adult().count() == 3
    assert School.objects.get(urn=900001).key_adults.filter(email="key.adult@example.org").exists()


def test_term_dates_ics_is_read_by_the_importer():
    from portal.encompass import ics

    events = ics.parse(demo.term_dates_ics(2025)).events
    assert sum(e.kind == "term" for e in events) == 6
    assert all(e.end > e.start for e in events)
