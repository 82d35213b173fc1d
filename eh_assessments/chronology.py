"""A family's chronology (issue 7 point 8): one ordered list built from

* the requests for help and assessments themselves (received, started, submitted);
* the entries the casework services write as things happen (decisions, sign-offs, episodes
  opened, closed and re-opened, plans, meetings, reviews, outcome scores, supervision,
  Operation Encompass alerts) — :class:`~eh_assessments.models_casework.ChronologyEntry`;
* entries practitioners add by hand;
* Operation Encompass notifications about the family's children, matched to the child as
  the Encompass router matches a pupil: the same name (``Pupil.key_for``: case and spacing
  ignored) and the same date of birth. Only that a notification was received, and where it
  was routed, is shown: never the incident's details.

Six queries, however long the history.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils import timezone

from portal.encompass.models import NotifiedChild, Pupil

from .models import Assessment, Family, Person, Referral
from .models_casework import ChronologyEntry


@dataclass(frozen=True)
class Item:
    occurred_at: datetime.datetime
    kind: str
    summary: str
    detail: str = ""
    source: str = ChronologyEntry.Source.AUTOMATIC
    child: Person | None = None
    episode_reference: str = ""
    recorded_by: str = ""


def _start_of(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def person_key(person: Person) -> str:
    return Pupil.key_for(person.given_name, person.family_name)


def notified_children_for(children: list[Person]) -> list[tuple[NotifiedChild, Person]]:
    """Operation Encompass notifications about any of ``children`` (name and date of birth),
    oldest first. One query."""
    by_identity = {(person_key(c), c.date_of_birth): c for c in children if c.date_of_birth}
    if not by_identity:
        return []
    found = []
    candidates = (
        NotifiedChild.objects.filter(date_of_birth__in={dob for _, dob in by_identity})
        .select_related("notification", "school")
        .order_by("notification__received_at", "pk")
    )
    for notified in candidates:
        person = by_identity.get((Pupil.key_for(notified.given_name, notified.family_name), notified.date_of_birth))
        if person is not None:
            found.append((notified, person))
    return found


def encompass_summary(notified: NotifiedChild) -> str:
    where = {
        NotifiedChild.Route.SCHOOL: f"sent to {notified.school.name}" if notified.school_id else "sent to the school",
        NotifiedChild.Route.TRIAGE: "sent to the local authority's Encompass triage",
        NotifiedChild.Route.FRONT_DOOR: "sent to the front door",
    }[notified.routed_to]
    return f"Operation Encompass notification {notified.reference} received, {where}"


def chronology_for(family: Family) -> list[Item]:
    """The family's whole chronology, across every episode, oldest first."""
    items: list[Item] = []
    stored_encompass: set[str] = set()
    for entry in ChronologyEntry.objects.filter(family=family).select_related("child", "episode", "created_by"):
        if entry.key and entry.key.startswith("encompass:"):
            stored_encompass.add(entry.key.split(":")[1])
        items.append(
            Item(
                entry.occurred_at,
                entry.kind,
                entry.summary,
                entry.detail,
                entry.source,
                entry.child,
                entry.episode.reference if entry.episode_id else "",
                entry.created_by.get_full_name() if entry.created_by_id and entry.source == "manual" else "",
            )
        )
    for referral in Referral.objects.filter(family=family):
        items.append(
            Item(
                _start_of(referral.received_on),
                "referral",
                f"Request for help {referral.reference} received from {referral.get_source_agency_display().lower()}",
            )
        )
    for assessment in Assessment.objects.filter(family=family):
        items.append(Item(assessment.started_at, "assessment_started", f"Assessment {assessment.reference} started"))
        if assessment.submitted_at:
            items.append(
                Item(assessment.submitted_at, "assessment_submitted", f"Assessment {assessment.reference} submitted")
            )
    children = list(Person.objects.filter(family=family, kind=Person.CHILD))
    for notified, person in notified_children_for(children):
        if str(notified.pk) in stored_encompass:
            continue
        items.append(Item(notified.notification.received_at, "encompass", encompass_summary(notified), child=person))
    items.sort(key=lambda item: item.occurred_at)
    return items
