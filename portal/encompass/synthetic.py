"""Synthetic Operation Encompass notifications and family search logs at scale, for benchmarks
(``manage.py seed_synthetic --notifications N``; ``bench/insights``). Never for production.

N police notifications over the last two years (busier in the evenings and at weekends), one
to three children each, written with ``bulk_create`` in batches (no intake service, no alerts,
no audit events). Most children are routed to a school in the register, the rest (no school
given, or a school not in the register) to the local authority's triage queue.

``notify_by`` comes from :func:`portal.encompass.calendar.notify_by` without term dates: the
first weekday that is not a bank holiday whose start (the school's ``day_start``, 08:30
Europe/London by default) is after the incident. That is the rule for a school with no
calendar; school holidays are ignored for speed. Most children are acknowledged before
``notify_by``, some late, some never (more of those among the most recent).

When fewer than 20 schools are open in the register, synthetic schools are added first
(primary, secondary, all-through, nursery and special, with Sunderland postcodes).

Family searches (``search.SearchLog``) are added too, five per notification, so the directory
dashboard has searches to count: common terms with results, repeated zero-result terms
(unmet demand), outcodes, result counts, spread over the same two years.

Seeded random; running it again ADDS N more (police references continue from the count)."""

from __future__ import annotations

import datetime
import random
from contextlib import contextmanager

from django.db import transaction
from django.utils import timezone

from directory.synthetic import PLACES

from . import calendar, conf
from .models import Notification, NotifiedChild, School

DAYS = 730
BATCH = 2000
FORCE = "SYN"
SEARCHES_PER_NOTIFICATION = 5
DISTRICTS = ("SR1", "SR2", "SR3", "SR4", "SR5", "SR6", "NE37", "NE38", "DH4", "DH5")
# (phase, establishment type, name suffix, weight)
PHASES = (
    ("Primary", "Community school", "Primary School", 40),
    ("Secondary", "Academy converter", "Academy", 10),
    ("All-through", "Academy sponsor led", "All-through Academy", 2),
    ("Nursery", "Local authority nursery school", "Nursery School", 4),
    ("Special", "Community special school", "School", 4),
)
GIVEN = [
    "Amelia",
    "Olivia",
    "Isla",
    "Ava",
    "Grace",
    "Lily",
    "Freya",
    "Oliver",
    "Jack",
    "Harry",
    "Noah",
    "Leo",
    "Charlie",
    "Alfie",
    "Theo",
    "Kai",
    "Zain",
]
SURNAMES = [
    "Smith",
    "Jones",
    "Taylor",
    "Brown",
    "Wilson",
    "Robson",
    "Thompson",
    "Walker",
    "Wright",
    "Hall",
    "Bell",
    "Dixon",
    "Khan",
    "Ali",
    "Nowak",
]
# Searches with results: (text, weight). Empty text is a browse by category or postcode only.
FOUND = (
    ("", 30),
    ("domestic abuse", 10),
    ("parenting", 8),
    ("food bank", 8),
    ("autism", 6),
    ("mental health", 6),
    ("housing", 5),
    ("young carers", 3),
    ("stay and play", 4),
    ("debt advice", 3),
    ("bereavement", 2),
)
# Unmet demand: terms families keep searching for that find nothing.
ZERO = (
    ("baby sensory", 6),
    ("men's refuge", 4),
    ("sleep clinic", 4),
    ("dyslexia assessment", 3),
    ("grandparent support", 3),
    ("tiktok safety", 2),
    ("polish speaking counsellor", 2),
    ("eating disorder parents", 2),
    ("school uniform help", 3),
    ("gambling", 2),
)


def _pick(rng: random.Random, weighted):
    values, weights = zip(*weighted, strict=True)
    return rng.choices(values, weights=weights)[0]


def _schools(rng: random.Random) -> list[School]:
    schools = list(School.objects.filter(is_open=True).order_by("pk"))
    if len(schools) >= 20:
        return schools
    taken = set(School.objects.values_list("urn", flat=True))
    la = conf.la_code() or "394"
    new = []
    urn = 990_000
    for i in range(60):
        phase, kind, suffix, _ = PHASES[i % len(PHASES)] if i < len(PHASES) else _pick_phase(rng)
        while urn in taken:
            urn += 1
        taken.add(urn)
        place = PLACES[i % len(PLACES)]
        new.append(
            School(
                urn=urn,
                name=f"{place} {'St ' + rng.choice(('Mary', 'Aidan', 'Cuthbert', 'Bede')) + ' ' if i % 7 == 3 else ''}"
                f"{suffix} (synthetic {i + 1})",
                establishment_type=kind,
                status="Open",
                phase=phase,
                la_code=la,
                postcode=f"{rng.choice(DISTRICTS)} {rng.randint(1, 9)}{rng.choice('ABDEFGHJLN')}{rng.choice('PQRSTUWXY')}",
            )
        )
    School.objects.bulk_create(new)
    return list(School.objects.filter(is_open=True).order_by("pk"))


def _pick_phase(rng: random.Random):
    return rng.choices(PHASES, weights=[p[3] for p in PHASES])[0]


# Police incidents by hour of the day: busiest in the evening.
INCIDENT_HOURS = (4, 3, 2, 1, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 5, 6, 7, 8, 8, 7, 6)


def incident_on(rng: random.Random, day: datetime.datetime) -> datetime.datetime:
    """A moment on ``day`` (aware; its local date is kept), at an hour drawn from
    INCIDENT_HOURS."""
    hour = rng.choices(range(24), weights=INCIDENT_HOURS)[0]
    return timezone.localtime(day).replace(hour=hour, minute=rng.randrange(60), second=0, microsecond=0)


def _incident(rng: random.Random, now: datetime.datetime) -> datetime.datetime:
    """A moment in the last two years, busier recently, in the evenings and at weekends."""
    day = now - datetime.timedelta(days=DAYS * (rng.random() ** 1.1))
    return min(incident_on(rng, day), now - datetime.timedelta(hours=2))


@contextmanager
def _keep_created():
    """Let bulk_create write SearchLog.created (auto_now_add) as given."""
    from search.models import SearchLog

    created = SearchLog._meta.get_field("created")
    created.auto_now_add = False
    try:
        yield
    finally:
        created.auto_now_add = True


def search_log(
    rng: random.Random,
    created,
    *,
    found=FOUND,
    zero=ZERO,
    zero_share: float = 0.12,
    outcodes=DISTRICTS,
    max_results: int = 80,
    backend: str = "database",
):
    """One unsaved ``SearchLog``: a term with results (``found``) or, ``zero_share`` of the
    time, one that finds nothing (``zero``); an outcode (never a full postcode) six times in
    ten; sometimes an age or "free" filter. ``created`` is a callable giving the time."""
    from search.models import SearchLog

    is_zero = rng.random() < zero_share
    text = _pick(rng, zero if is_zero else found)
    outcode = rng.choice(outcodes) if rng.random() < 0.6 else ""
    filters = {}
    if rng.random() < 0.3:
        filters["age"] = rng.randint(0, 17)
    if rng.random() < 0.2:
        filters["free"] = True
    return SearchLog(
        text=text,
        filters=filters,
        outcode=outcode,
        result_count=0 if is_zero else rng.randint(1, max_results),
        backend=backend,
        created=created(),
    )


def bulk_create_search_logs(rows) -> None:
    """Write ``rows`` keeping each one's ``created`` as given."""
    from search.models import SearchLog

    with _keep_created():
        SearchLog.objects.bulk_create(rows, batch_size=1000)


def _search_logs(rng: random.Random, n: int, now: datetime.datetime) -> int:
    written = 0
    while written < n:
        size = min(BATCH * 2, n - written)
        rows = []
        for _ in range(size):
            rows.append(search_log(rng, lambda: now - datetime.timedelta(seconds=rng.randrange(DAYS * 86_400))))
        bulk_create_search_logs(rows)
        written += size
    return written


def notification_rows(
    rng: random.Random,
    incident: datetime.datetime,
    reference: str,
    *,
    now: datetime.datetime,
    schools,
    la: str,
    unknown_urn: int = 100_000,
    force: str = FORCE,
    location: str = "An address in Sunderland",
    summary: str = "Police attended a domestic abuse incident; the children were at home.",
    officer: str = "PC Synthetic",
    school_share: float = 0.88,
    pick_school=None,
    deadline=None,
    on_time: float = 0.82,
    late: float = 0.95,
    acknowledger=None,
) -> tuple[Notification, list[NotifiedChild]]:
    """One unsaved notification about ``incident`` and its one to three children.

    A child goes to a school (``pick_school(rng)``, else any of ``schools``) ``school_share``
    of the time, else to triage. ``deadline(incident, school)`` gives ``notify_by`` (default:
    the weekday rule, no term dates, ``calendar_missing``). Of the children due, ``on_time``
    are acknowledged before it (when it had not passed on arrival), up to ``late`` after it,
    the rest never; ``acknowledger(rng, school)`` names who acknowledged (a user id or None)."""
    reported = incident + datetime.timedelta(minutes=rng.randint(30, 600))
    received = min(reported + datetime.timedelta(minutes=rng.randint(1, 30)), now)
    notification = Notification(
        force=force,
        police_reference=reference,
        incident_at=incident,
        reported_at=min(reported, now),
        received_at=received,
        location=location,
        summary=summary,
        officer=officer,
        source=rng.choice(("api",) * 8 + ("web", "csv")),
    )
    children = []
    for _ in range(rng.choice((1, 1, 1, 2, 2, 3))):
        school = (pick_school(rng) if pick_school else rng.choice(schools)) if rng.random() < school_share else None
        if deadline is None:
            start = school.day_start if school else datetime.time(8, 30)
            due, missing = calendar.notify_by(incident, None, start), True
        else:
            due, missing = deadline(incident, school), False
        overdue = received > due
        roll = rng.random()
        acknowledged = None
        if due > now and roll < 0.5:
            acknowledged = None  # not due yet
        elif roll < on_time and not overdue:
            acknowledged = received + (due - received) * rng.uniform(0.05, 0.95)
        elif roll < late or (overdue and roll < late + 0.02):
            acknowledged = max(received, due) + datetime.timedelta(minutes=rng.randint(5, 72 * 60))
        if acknowledged is not None and acknowledged > now:
            acknowledged = None
        children.append(
            NotifiedChild(
                notification=notification,
                given_name=rng.choice(GIVEN),
                family_name=rng.choice(SURNAMES),
                date_of_birth=(incident - datetime.timedelta(days=rng.randint(200, 17 * 365))).date(),
                school_urn=school.urn if school else (None if rng.random() < 0.5 else unknown_urn),
                present_at_incident=rng.random() < 0.6,
                routed_to=NotifiedChild.Route.SCHOOL if school else NotifiedChild.Route.TRIAGE,
                school=school,
                la_code="" if school else la,
                notify_by=due,
                calendar_missing=missing,
                overdue_on_arrival=overdue,
                acknowledged_at=acknowledged,
                acknowledged_by_id=acknowledger(rng, school) if acknowledged and acknowledger else None,
                action_taken=rng.choice([a for a, _ in NotifiedChild.Action.choices if a != NotifiedChild.Action.OTHER])
                if acknowledged
                else "",
                escalation_count=0 if acknowledged and acknowledged <= due else rng.randint(0, 3),
            )
        )
    return notification, children


def seed_notifications(n: int, *, seed: int = 2016, stdout=None) -> dict[str, int]:
    """Add ``n`` synthetic notifications (and ``5n`` search logs); returns rows written."""
    existing = Notification.objects.filter(force=FORCE).count()
    rng = random.Random(seed * 7_000_003 + existing)
    now = timezone.now()
    schools = _schools(rng)
    la = conf.la_code() or "394"
    counts = {"schools": len(schools), "notifications": 0, "notified children": 0}
    done = 0
    while done < n:
        size = min(BATCH, n - done)
        notifications, children = [], []
        for i in range(size):
            notification, kids = notification_rows(
                rng,
                _incident(rng, now),
                f"SYN-{existing + done + i + 1:09d}",
                now=now,
                schools=schools,
                la=la,
                unknown_urn=100_000 + i,
            )
            notifications.append(notification)
            children.extend(kids)
        with transaction.atomic():
            Notification.objects.bulk_create(notifications, batch_size=1000)
            NotifiedChild.objects.bulk_create(children, batch_size=1000)
        counts["notifications"] += len(notifications)
        counts["notified children"] += len(children)
        done += size
        if stdout is not None:
            stdout.write(f"\r{done}/{n} notifications", ending="")
            stdout.flush()
    if stdout is not None:
        stdout.write("")
    counts["search logs"] = _search_logs(rng, n * SEARCHES_PER_NOTIFICATION, now)
    return counts
