"""The ``load_demo`` step for Operation Encompass: about 40 schools of every kind, their key
adults and deputies, the local authority's term dates for this school year and the next
(imported from generated iCalendar, so the demo exercises the real importer), recent
notifications in every state, and before them a year of history (references HIST-…, see
:func:`_history`): 40–80 notified children a month across the schools and triage, most
acknowledged by the deadline, some late, a few never. The history spans the retention period
(RETENTION_ENCOMPASS_DAYS, a year; at most two years), so ``purge_expired`` deletes none of it.
Idempotent: demo notifications (references DEMO-… and HIST-…) are replaced on every run;
schools and accounts are updated in place."""

from __future__ import annotations

import datetime
import math
import random

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from portal.accounts.models import User
from portal.accounts.roles import ROLES_BY_SLUG

from . import calendar, conf, selectors, services, synthetic
from .calendar import LONDON
from .models import Notification, NotifiedChild, OutboxMessage, School

DEMO_LA = "394"
DEMO_FORCE = "NBR"
HISTORY_PREFIX = "HIST-"  # police references of the history (the hand-written ones are DEMO-…)
HISTORY_SEED = 394
HISTORY_BEFORE_DAYS = 8  # the history ends before the hand-written notifications begin
HISTORY_PER_DAY = 1.1  # notifications a day (about 1.7 children each): 40–80 children a month
# Busier at weekends and over Christmas and New Year; relative weights.
HISTORY_WEEKDAY = (0.8, 0.8, 0.8, 0.9, 1.1, 1.4, 1.4)
# How many children a school of each kind has in a notification, relative to a primary.
PHASE_WEIGHT = {"Primary": 3, "Secondary": 3, "All-through": 1, "16 plus": 1, "Not applicable": 1}
KINDS = [
    ("Primary School", "Community school", "Primary"),
    ("Academy", "Academy converter", "Secondary"),
    ("Church of England Primary School", "Voluntary aided school", "Primary"),
    ("Independent School", "Other independent school", "All-through"),
    ("Nursery", "Registered early years setting", "Not applicable"),
    ("College", "Further education", "16 plus"),
    ("Special School", "Community special school", "Not applicable"),
]
PLACES = [
    "Hylton",
    "Castletown",
    "Southwick",
    "Fulwell",
    "Seaburn",
    "Roker",
    "Monkwearmouth",
    "Pallion",
    "Millfield",
    "Ashbrooke",
    "Barnes",
    "Grangetown",
    "Ryhope",
    "Silksworth",
    "Doxford",
    "Farringdon",
    "Thorney Close",
    "Hendon",
    "Hetton",
    "Houghton",
    "Shiney Row",
    "Washington",
    "Concord",
    "Columbia",
    "Oxclose",
    "Usworth",
    "Penshaw",
    "Fatfield",
    "Harraton",
    "Springwell",
    "Town End",
    "Red House",
    "Witherwack",
    "Downhill",
    "Redhouse",
    "Plains Farm",
    "Humbledon",
    "Tunstall",
    "Burdon",
    "Herrington",
]


def _on_or_after(day: datetime.date, weekday: int) -> datetime.date:
    return day + datetime.timedelta(days=(weekday - day.weekday()) % 7)


def _on_or_before(day: datetime.date, weekday: int) -> datetime.date:
    return day - datetime.timedelta(days=(day.weekday() - weekday) % 7)


def term_dates_ics(first_year: int, years: int = 2) -> str:
    """Plausible LA term dates for the school years starting in ``first_year``."""
    events = []

    def add(kind, start, end, summary):
        events.append(
            "BEGIN:VEVENT\r\n"
            f"UID:{kind}-{start:%Y%m%d}@demo.example.org\r\n"
            f"DTSTART;VALUE=DATE:{start:%Y%m%d}\r\nDTEND;VALUE=DATE:{end:%Y%m%d}\r\n"
            f"SUMMARY:{summary}\r\nCATEGORIES:{kind.upper()}\r\nEND:VEVENT\r\n"
        )

    for year in range(first_year, first_year + years):
        d = datetime.date
        autumn = _on_or_after(d(year, 9, 2), 2)  # a Wednesday
        add("term", autumn, _on_or_before(d(year, 12, 21), 5), "Autumn term")
        add("closure", autumn - datetime.timedelta(days=1), autumn, "INSET day")
        half = _on_or_before(d(year, 10, 31), 0)
        add("closure", half, half + datetime.timedelta(days=5), "Autumn half term")
        inset = _on_or_after(d(year, 11, 1), 4)
        add("closure", inset, inset + datetime.timedelta(days=1), "INSET day")
        spring = _on_or_after(d(year + 1, 1, 5), 0)
        add("term", spring, _on_or_before(d(year + 1, 3, 28), 5), "Spring term")
        feb = _on_or_after(d(year + 1, 2, 15), 0)
        add("closure", feb, feb + datetime.timedelta(days=5), "Spring half term")
        summer = _on_or_after(d(year + 1, 4, 13), 0)
        add("term", summer, d(year + 1, 7, 22), "Summer term")
        may = _on_or_before(d(year + 1, 5, 31), 0)
        add("closure", may, may + datetime.timedelta(days=5), "Summer half term")
    return (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Demo council//Term dates//EN\r\n"
        + "".join(events)
        + "END:VCALENDAR\r\n"
    )


def _demo_user(email: str, first: str, last: str, role: str, password: str) -> User:
    user = User.objects.filter(email__iexact=email).first() or User(email=email)
    user.first_name, user.last_name, user.is_active = first, last, True
    user.job_title = "Designated safeguarding lead" if role == "school_key_adult" else "Deputy safeguarding lead"
    user.set_password(password)
    user.save()
    user.groups.add(Group.objects.get(name=ROLES_BY_SLUG[role].name))
    return user


def load() -> str:
    if not getattr(settings, "DEMO_MODE", False):
        raise ImproperlyConfigured("Encompass demo data is loaded only with DEMO_MODE on.")
    password = settings.DEMO_PASSWORD
    now = timezone.now()
    schools = []
    for index, place in enumerate(PLACES):
        suffix, kind, phase = KINDS[index % len(KINDS)]
        school, _ = School.objects.update_or_create(
            urn=900001 + index,
            defaults={
                "name": f"{place} {suffix}",
                "establishment_type": kind,
                "status": "Open",
                "phase": phase,
                "la_code": DEMO_LA,
                "postcode": f"SR{1 + index % 6} {index % 9}AA",
                "is_open": True,
            },
        )
        schools.append(school)
    # Key adults and deputies: every school but the last three (the dashboard shows those).
    for school in schools[:-3]:
        key = _demo_user(f"key.adult.{school.urn}@example.org", "Key adult", school.name, "school_key_adult", password)
        deputy = _demo_user(f"deputy.{school.urn}@example.org", "Deputy", school.name, "school_deputy", password)
        school.key_adults.set([key])
        school.deputies.set([deputy])
    first = schools[0]
    for email, relation in (
        ("key.adult@example.org", first.key_adults),
        ("deputy.key.adult@example.org", first.deputies),
    ):
        user = User.objects.filter(email=email).first()
        if user is not None:
            relation.add(user)

    local = now.astimezone(LONDON)
    school_year = local.year if local.month >= 8 else local.year - 1
    terms = services.import_term_dates(term_dates_ics(school_year), la_code=DEMO_LA)
    # One independent school keeps its own calendar, starting a week later.
    independent = schools[3]
    services.import_term_dates(
        term_dates_ics(school_year).replace("Autumn term", "Autumn term (own)"), urn=independent.urn
    )

    # The history goes first, so escalating the hand-written overdue child escalates nothing else.
    Notification.objects.filter(force=DEMO_FORCE, police_reference__startswith=HISTORY_PREFIX).delete()
    Notification.objects.filter(force=DEMO_FORCE, police_reference__startswith="DEMO-").delete()
    made = _notifications(schools, now)
    OutboxMessage.objects.filter(child__notification__police_reference__startswith="DEMO-").update(
        status=OutboxMessage.Status.SENT, sent_at=now
    )
    history, history_children = _history(schools, now)
    return (
        f"{len(schools)} schools, {2 * (len(schools) - 3)} key adults and deputies, "
        f"{terms.terms} terms and {terms.closures} closures for LA {DEMO_LA}, {made} demo notifications, "
        f"{history} earlier notifications ({history_children} children) over {history_days()} days"
    )


def history_days() -> int:
    """Two years, or less when the retention period is shorter: ``purge_expired`` deletes a
    notification a year (RETENTION_ENCOMPASS_DAYS) after its children were acknowledged, so a
    longer history would not survive the first nightly purge, and a live portal never holds it."""
    return min(synthetic.DAYS, conf.retention_days() - 1)


def _poisson(rng: random.Random, mean: float) -> int:
    limit, k, p = math.exp(-mean), 0, rng.random()
    while p > limit:
        k += 1
        p *= rng.random()
    return k


def _history(schools, now) -> tuple[int, int]:
    """Earlier notifications, written in bulk (no intake service, so no alerts and no audit
    events): the LA's calendar (or a school's own) sets each deadline; most children were
    acknowledged before it by the school's key adult or deputy (triage by the LA Encompass
    lead), some after it, a few never. Deterministic for a given day."""
    rng = random.Random(HISTORY_SEED)
    la_calendar, _ = selectors.term_calendar_for_la(DEMO_LA)
    own = {}
    for school in schools:
        own[school.pk] = selectors.term_calendar_for_school(school)[0]
    weights = [PHASE_WEIGHT.get(school.phase, 1) for school in schools]
    # One key adult and one deputy a school: the last added (Hylton's are the README's accounts).
    through = School.key_adults.through.objects.filter(school__in=schools).order_by("pk")
    keys = dict(through.values_list("school_id", "user_id"))
    through = School.deputies.through.objects.filter(school__in=schools).order_by("pk")
    deputies = dict(through.values_list("school_id", "user_id"))
    lead = User.objects.filter(email="encompass.lead@example.org").values_list("pk", flat=True).first()

    def pick_school(r):
        return r.choices(schools, weights=weights)[0]

    def deadline(incident, school):
        if school is None:
            return calendar.notify_by(incident, la_calendar, conf.default_day_start())
        return calendar.notify_by(incident, own[school.pk], school.day_start)

    def acknowledger(r, school):
        if school is None:
            return lead
        return (deputies if r.random() < 0.2 else keys).get(school.pk)

    notifications, children = [], []
    today = now.astimezone(LONDON).date()
    for ago in range(history_days(), HISTORY_BEFORE_DAYS, -1):
        day = today - datetime.timedelta(days=ago)
        festive = (day.month, day.day) >= (12, 24) or (day.month, day.day) <= (1, 2)
        mean = HISTORY_PER_DAY * HISTORY_WEEKDAY[day.weekday()] * (1.5 if festive else 1)
        for _ in range(_poisson(rng, mean)):
            noon = datetime.datetime.combine(day, datetime.time(12), tzinfo=LONDON)
            notification, kids = synthetic.notification_rows(
                rng,
                synthetic.incident_on(rng, noon),
                f"{HISTORY_PREFIX}{len(notifications) + 1:05d}",
                now=now,
                schools=schools,
                la=DEMO_LA,
                force=DEMO_FORCE,
                location="Sunderland",
                summary="Demo: police attended a domestic abuse incident; the children were at home.",
                officer="PC 2041 Demo",
                school_share=0.9,
                pick_school=pick_school,
                deadline=deadline,
                on_time=0.86,
                late=0.985,
                acknowledger=acknowledger,
            )
            notifications.append(notification)
            children.extend(kids)
    Notification.objects.bulk_create(notifications, batch_size=500)
    NotifiedChild.objects.bulk_create(children, batch_size=500)
    return len(notifications), len(children)


def _notifications(schools, now) -> int:
    h = datetime.timedelta(hours=1)
    d = datetime.timedelta(days=1)
    officer = User.objects.filter(email="police.officer@example.org").first()
    scenarios = [
        # (name, dob, school, incident ago, state)
        ("Amy", "Taylor", datetime.date(2016, 4, 2), schools[0], 9 * h, "open"),
        ("Ben", "Taylor", datetime.date(2012, 11, 20), schools[1], 9 * h, "open"),  # sibling at another school
        ("Chloe", "Robson", datetime.date(2015, 6, 14), schools[0], 3 * d, "on_time"),
        ("Dylan", "Hall", datetime.date(2013, 1, 30), schools[0], 6 * d, "late"),
        ("Ella", "Wilson", datetime.date(2017, 9, 9), schools[2], 4 * d, "overdue"),
        ("Finn", "Scott", datetime.date(2014, 3, 3), schools[5], 2 * d, "on_time"),
        ("Grace", "Young", datetime.date(2016, 12, 1), None, 10 * h, "triage"),
        ("Harry", "King", datetime.date(2011, 7, 7), "ehe", 20 * h, "front_door"),
        ("Isla", "Green", datetime.date(2018, 2, 18), schools[-1], 30 * h, "open"),  # school without a key adult
    ]
    count = 0
    for number, (given, family, dob, school, ago, state) in enumerate(scenarios, start=1):
        incident = now - ago
        reference = "DEMO-0001" if family == "Taylor" else f"DEMO-{number:04d}"
        data = {
            "force": DEMO_FORCE,
            "police_reference": reference,
            "incident_at": incident,
            "reported_at": incident + datetime.timedelta(minutes=40),
            "location": "Sunderland",
            "summary": "Demo: verbal argument between the adults at home; police attended.",
            "officer": "PC 2041 Demo",
            "children": [
                {
                    "given_name": given,
                    "family_name": family,
                    "date_of_birth": dob,
                    "school_urn": school.urn if isinstance(school, School) else None,
                    "electively_home_educated": school == "ehe",
                    "present_at_incident": number % 2 == 0,
                    "welfare_check_done": True,
                    "voice_of_child": "" if number % 3 else "Said they were frightened.",
                    "social_care_informed": state == "front_door",
                }
            ],
        }
        notification, _ = services.submit_notification(data, source="api", user=officer, now=incident + 2 * h)
        child = notification.children.get(given_name=given)
        if state in ("on_time", "late"):
            key = child.school.key_adults.first() if child.school else None
            due = child.notify_by - datetime.timedelta(minutes=20) if state == "on_time" else child.notify_by + 3 * h
            child.acknowledged_at = min(due, now)
            child.acknowledged_by = key
            child.action_taken = NotifiedChild.Action.SILENT if state == "on_time" else NotifiedChild.Action.EARLY_HELP
            child.save()
        elif state == "overdue":
            services.escalate_due(now=child.notify_by + datetime.timedelta(minutes=conf.escalate_after_minutes()))
        count += 1
    return count
