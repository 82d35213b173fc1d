"""Re-referral detection (DESIGN.md §4; issue 7 point 5).

A request for help is a **re-referral for a child** when that same child was named on an
earlier request for help received within the 12 months before it — the children in need
census definition ("a re-referral occurs when a child is referred within 12 months of a
previous referral"), applied per child:

* **The edge.** "Within 12 months" is taken to include the anniversary: a referral received on
  1 March 2026 is a re-referral of one received on 1 March 2025, but not of one received on
  28 February 2025. Months are calendar months (a referral of 29 February is compared with
  28 February the next year). The census gives no day-level rule; counting the anniversary
  errs towards showing the decision-maker the history, which is the safe side — a flag that
  turns out to be a day over costs a look, a missed pattern is what the inspection found.
* **Per child.** A sibling who was not named on the earlier request is not re-referred (the
  census counts children, not households), even when the same family is referred again.
* **Earlier referrals only.** An earlier request is one received on an earlier day, or on the
  same day and recorded before it.

Each flag shows the most recent earlier request within the window, the episodes of help it
led to for that child and how they ended (or the decision, when no episode was opened), and
every episode still open for the child — a child can have more than one open at once (for
example a school-led single-agency episode and a team around the family), and the decider
must see all of them. The flag is computed when asked, from the requests as recorded, in a
constant number of queries whatever the number of children.

Whether a request is a re-referral for a child is also stored on the link between them
(``ReferralChild.rereferral``), so that reports over years of requests sum a column instead of
comparing each child's requests with each other. :func:`refresh_flags` recomputes the stored
flags of some children by the same rule, and the receivers in ``signals`` call it whenever a
request's children change (both directions of the many-to-many field, ``clear`` included), a
request is saved (its day may have moved) or deleted (a family's deletion cascades to its
requests). Writes that send no signals must call it themselves: ``bulk_create`` or a queryset
``delete()`` of links, and a queryset ``update()`` of ``received_on`` — refresh the children
of the requests written, as ``synthetic.seed_families`` does.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field

from dateutil.relativedelta import relativedelta

from django.db.models import Q

from .models import Person, Referral, ReferralChild
from .models_casework import Decision, Episode

WINDOW_MONTHS = 12


def window_start(received_on: datetime.date) -> datetime.date:
    """The earliest day an earlier request may have been received for this one to be a
    re-referral (inclusive)."""
    return received_on - relativedelta(months=WINDOW_MONTHS)


def refresh_flags(person_ids: Iterable[int], *, batch_size: int = 500) -> int:
    """Recompute the stored ``rereferral`` flag of every link of these children, a batch of
    children at a time: one query reads a batch's links in the order the rule compares them,
    and only the flags that change are written. Returns the number of links changed.

    Each link is compared with the child's previous link alone: if that one is older than the
    window, every earlier one is too."""
    ids = sorted(set(person_ids))
    changed = 0
    for i in range(0, len(ids), batch_size):
        links = (
            ReferralChild.objects.filter(person_id__in=ids[i : i + batch_size])
            .order_by("person_id", "referral__received_on", "referral_id")
            .values_list("pk", "person_id", "referral__received_on", "rereferral")
        )
        stale = []
        previous_person, previous_on = None, None
        for pk, person_id, received_on, stored in links:
            flag = person_id == previous_person and previous_on >= window_start(received_on)
            if flag != stored:
                stale.append(ReferralChild(pk=pk, rereferral=flag))
            previous_person, previous_on = person_id, received_on
        ReferralChild.objects.bulk_update(stale, ["rereferral"], batch_size=batch_size)
        changed += len(stale)
    return changed


@dataclass
class ReReferral:
    child: Person
    previous_referral: Referral
    previous_episodes: list[Episode] = field(default_factory=list)
    how_it_ended: str = ""
    open_episodes: list[Episode] = field(default_factory=list)


def _how_it_ended(episodes: list[Episode], decisions: list[Decision]) -> str:
    if episodes:
        return "; ".join(f"{e.reference}: {e.how_it_ended}" for e in episodes)
    effective = [d for d in decisions if d.is_effective]
    if effective:
        latest = max(effective, key=lambda d: (d.proposed_at, d.pk))
        return f"Decided: {latest.get_kind_display()}"
    if any(d.is_pending for d in decisions):
        return "A decision is waiting for a manager's sign-off"
    return "No decision recorded"


def rereferrals_for(referral: Referral) -> list[ReReferral]:
    """One flag per child of ``referral`` who is re-referred (see the module docstring)."""
    return rereferrals_for_many([referral]).get(referral.pk, [])


def rereferrals_for_many(referrals: Iterable[Referral]) -> dict[int, list[ReReferral]]:
    """``{referral pk: its flags}`` for many requests for help at once (a list page), in five
    queries however many requests and children: the one rule for every caller."""
    referrals = [r for r in referrals if r.pk is not None]
    if not referrals:
        return {}
    children_of: dict[int, list[Person]] = {}
    for link in Referral.children.through.objects.filter(referral_id__in=[r.pk for r in referrals]).select_related(
        "person"
    ):
        children_of.setdefault(link.referral_id, []).append(link.person)
    child_ids = {child.pk for children in children_of.values() for child in children}
    if not child_ids:
        return {}
    history: dict[int, list[Referral]] = {}
    earliest = min(window_start(r.received_on) for r in referrals)
    latest_day = max(r.received_on for r in referrals)
    for link in Referral.children.through.objects.filter(
        person_id__in=child_ids, referral__received_on__gte=earliest, referral__received_on__lte=latest_day
    ).select_related("referral"):
        history.setdefault(link.person_id, []).append(link.referral)
    previous: dict[tuple[int, int], Referral] = {}
    for referral in referrals:
        since, key = window_start(referral.received_on), (referral.received_on, referral.pk)
        for child in children_of.get(referral.pk, []):
            earlier = [r for r in history.get(child.pk, []) if r.received_on >= since and (r.received_on, r.pk) < key]
            if earlier:
                previous[(referral.pk, child.pk)] = max(earlier, key=lambda r: (r.received_on, r.pk))
    if not previous:
        return {}
    previous_ids = {r.pk for r in previous.values()}
    flagged_children = {child_pk for _, child_pk in previous}
    open_statuses = [Episode.Status.OPEN, Episode.Status.AWAITING_HANDOVER]
    episode_links = (
        Episode.children.through.objects.filter(person_id__in=flagged_children)
        .filter(Q(episode__referral_id__in=previous_ids) | Q(episode__status__in=open_statuses))
        .select_related("episode")
        .order_by("episode__opened_on", "episode_id")
    )
    from_referral: dict[tuple[int, int], list[Episode]] = {}
    still_open: dict[int, list[Episode]] = {}
    for link in episode_links:
        episode = link.episode
        if episode.referral_id in previous_ids:
            from_referral.setdefault((link.person_id, episode.referral_id), []).append(episode)
        if episode.status in open_statuses:
            still_open.setdefault(link.person_id, []).append(episode)
    decisions: dict[int, list[Decision]] = {}
    for decision in Decision.objects.filter(referral_id__in=previous_ids):
        decisions.setdefault(decision.referral_id, []).append(decision)
    flags: dict[int, list[ReReferral]] = {}
    for referral in referrals:
        for child in children_of.get(referral.pk, []):
            earlier = previous.get((referral.pk, child.pk))
            if earlier is None:
                continue
            episodes = from_referral.get((child.pk, earlier.pk), [])
            flags.setdefault(referral.pk, []).append(
                ReReferral(
                    child=child,
                    previous_referral=earlier,
                    previous_episodes=episodes,
                    how_it_ended=_how_it_ended(episodes, decisions.get(earlier.pk, [])),
                    open_episodes=still_open.get(child.pk, []),
                )
            )
    return flags


def is_rereferral(referral: Referral, child: Person) -> bool:
    return any(flag.child.pk == child.pk for flag in rereferrals_for(referral))
