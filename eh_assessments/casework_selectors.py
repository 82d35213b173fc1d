"""Read queries for episodes of help, decisions, oversight and timeliness (issue 7). Scoping
lives here, as for assessments (:mod:`eh_assessments.selectors`):

* the lead professional and the members of the team around the family see their episodes;
* early help managers see every episode of their team (``user.team``);
* the front door sees the episodes that have a step-up to children's social care;
* nobody else (a superuser sees nothing unless they also hold one of these roles).

Every list function runs a constant number of queries, however many cases there are.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Exists, Max, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils import timezone

from .models import Assessment, ChildTarget, Person, Referral
from .models_casework import (
    ChronologyEntry,
    Decision,
    DelayReason,
    Episode,
    Supervision,
)
from .selectors import ASSESSMENT_ROLES
from .selectors import _slugs as _role_slugs
from .timeliness import AssessmentTimeliness, assessment_timeliness, referral_decision_due

CASE_ROLES = ASSESSMENT_ROLES
MANAGER = "early_help_manager"
FRONT_DOOR = "front_door"
OPEN_STATUSES = (Episode.Status.OPEN, Episode.Status.AWAITING_HANDOVER)
STEP_UPS = (Decision.Kind.STEP_UP_CIN, Decision.Kind.STEP_UP_CP)


def _slugs(user) -> set[str]:
    """The user's role slugs, read once per user object (a request's user, a test's user):
    the lists below ask more than once and must stay constant in queries."""
    cached = getattr(user, "_casework_role_slugs", None)
    if cached is None:
        cached = frozenset(_role_slugs(user))
        if getattr(user, "pk", None) is not None:
            user._casework_role_slugs = cached
    return set(cached)


def is_manager(user) -> bool:
    return MANAGER in _slugs(user)


def is_front_door(user) -> bool:
    return FRONT_DOOR in _slugs(user)


def _condition(user, slugs: set[str]) -> Q | None:
    condition = None
    if slugs & CASE_ROLES:
        members = Episode.members.through.objects.filter(user_id=user.pk).values("episode_id")
        condition = Q(lead_professional_id=user.pk) | Q(pk__in=members)
        if MANAGER in slugs and user.team_id:
            condition |= Q(team_id=user.team_id)
    if FRONT_DOOR in slugs:
        stepped_up = Decision.objects.filter(kind__in=STEP_UPS).exclude(episode=None).values("episode_id")
        front = Q(pk__in=stepped_up)
        condition = front if condition is None else condition | front
    return condition


def episodes_for(user) -> QuerySet[Episode]:
    base = Episode.objects.select_related("family", "lead_professional", "team")
    condition = _condition(user, _slugs(user))
    return base.none() if condition is None else base.filter(condition)


def can_view_episode(user, episode: Episode) -> bool:
    if episode is None or episode.pk is None:
        return False
    condition = _condition(user, _slugs(user))
    return condition is not None and Episode.objects.filter(condition, pk=episode.pk).exists()


def can_work_on(user, episode: Episode) -> bool:
    """Record plans, meetings, reviews, scores and chronology: the lead professional, the team
    around the family, and the managers of the episode's team."""
    slugs = _slugs(user)
    if not slugs & CASE_ROLES or episode is None:
        return False
    if episode.lead_professional_id == user.pk:
        return True
    if MANAGER in slugs and user.team_id and user.team_id == episode.team_id:
        return True
    return episode.members.filter(pk=user.pk).exists()


def can_manage(user, episode: Episode) -> bool:
    """Supervise and sign off: an early help manager of the episode's team (any manager when
    the episode has no team)."""
    if not is_manager(user) or episode is None:
        return False
    return episode.team_id is None or episode.team_id == user.team_id


# --- Oversight ---------------------------------------------------------------------------------


def team_caseload(user) -> QuerySet[Episode]:
    """A manager's team's open episodes (and those awaiting handover), with the number of
    children and the date of the latest supervision: one query."""
    if not is_manager(user) or not user.team_id:
        return Episode.objects.none()
    children = (
        Episode.children.through.objects.filter(episode_id=OuterRef("pk"))
        .values("episode_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    last_supervision = (
        Supervision.objects.filter(episode_id=OuterRef("pk"))
        .values("episode_id")
        .annotate(d=Max("held_on"))
        .values("d")
    )
    return (
        Episode.objects.filter(team_id=user.team_id, status__in=OPEN_STATUSES)
        .select_related("family", "lead_professional", "team")
        .annotate(children_count=Subquery(children), last_supervision_on=Subquery(last_supervision))
        .order_by("lead_professional__last_name", "lead_professional__first_name", "opened_on", "pk")
    )


@dataclass
class OverdueAssessment:
    assessment: Assessment
    timeliness: AssessmentTimeliness
    delay_reasons: list[DelayReason]


def overdue_assessments(user, *, today: datetime.date | None = None) -> list[OverdueAssessment]:
    """A manager's team's assessments not yet submitted and past the 45-working-day target or
    a child's own target, earliest due first, with the reasons for delay recorded: three
    queries."""
    today = today or timezone.localdate()
    if not is_manager(user) or not user.team_id:
        return []
    child_late = ChildTarget.objects.filter(assessment_id=OuterRef("pk"), target_date__lt=today)
    assessments = (
        Assessment.objects.filter(team_id=user.team_id, status=Assessment.Status.DRAFT)
        .filter(
            Q(target_date__lt=today)
            | Exists(child_late)
            # No stored target: 45 working days are at least 63 calendar days; checked exactly below.
            | Q(target_date__isnull=True, started_at__lt=timezone.now() - datetime.timedelta(days=63))
        )
        .select_related("family", "lead_professional")
        .prefetch_related(
            Prefetch("child_targets", queryset=ChildTarget.objects.select_related("child")),
            Prefetch("delay_reasons", queryset=DelayReason.objects.select_related("child", "recorded_by")),
        )
    )
    rows = [
        OverdueAssessment(a, assessment_timeliness(a, today=today), list(a.delay_reasons.all())) for a in assessments
    ]
    rows = [row for row in rows if row.timeliness.overdue]
    rows.sort(key=lambda row: (row.timeliness.earliest_due, row.assessment.pk))
    return rows


@dataclass
class TeamOverdue:
    assessments: list[OverdueAssessment] = field(default_factory=list)
    first_meetings: list[Episode] = field(default_factory=list)
    reviews: list[Episode] = field(default_factory=list)
    sign_offs: list[Decision] = field(default_factory=list)
    sustained_checks: list[Episode] = field(default_factory=list)


def team_overdue(user, *, today: datetime.date | None = None) -> TeamOverdue:
    """Everything overdue in a manager's team: assessments, first team-around-the-family
    meetings, reviews, sign-offs waiting, sustained-outcome checks. Seven queries."""
    today = today or timezone.localdate()
    if not is_manager(user) or not user.team_id:
        return TeamOverdue()
    episodes = Episode.objects.filter(team_id=user.team_id).select_related("family", "lead_professional")
    is_open = episodes.filter(status=Episode.Status.OPEN)
    return TeamOverdue(
        assessments=overdue_assessments(user, today=today),
        first_meetings=list(
            is_open.filter(first_meeting_held_on__isnull=True, first_meeting_due__lt=today).order_by(
                "first_meeting_due", "pk"
            )
        ),
        reviews=list(is_open.filter(next_review_due__lt=today).order_by("next_review_due", "pk")),
        sign_offs=list(pending_sign_offs(user)),
        sustained_checks=list(
            episodes.filter(status=Episode.Status.CLOSED, sustained_check_due__lt=today, sustained_check=None).order_by(
                "sustained_check_due", "pk"
            )
        ),
    )


def pending_sign_offs(user) -> QuerySet[Decision]:
    """Decisions waiting for a manager's sign-off that ``user`` may sign off: their team's
    (or with no team), not their own proposals."""
    if not is_manager(user):
        return Decision.objects.none()
    return (
        Decision.objects.filter(status=Decision.Status.PENDING)
        .filter(Q(team_id=user.team_id) | Q(team__isnull=True))
        .exclude(proposed_by_id=user.pk)
        .select_related("family", "referral", "episode", "proposed_by", "team")
        .order_by("proposed_at", "pk")
    )


@dataclass
class AwaitingDecision:
    referral: Referral
    due: datetime.date
    overdue: bool


def referrals_awaiting_decision(user, *, today: datetime.date | None = None) -> list[AwaitingDecision]:
    """Requests for help with no decision yet, for the front door (all) and early help
    managers (their team's families), oldest first, each with its one-working-day due date.
    One query."""
    today = today or timezone.localdate()
    slugs = _slugs(user)
    referrals = Referral.objects.exclude(Exists(Decision.objects.filter(referral_id=OuterRef("pk")))).select_related(
        "family"
    )
    if FRONT_DOOR not in slugs:
        if MANAGER not in slugs or not user.team_id:
            return []
        referrals = referrals.filter(family__team_id=user.team_id)
    rows = []
    for referral in referrals.order_by("received_on", "pk"):
        due = referral_decision_due(referral.received_on)
        rows.append(AwaitingDecision(referral, due, today > due))
    return rows


def assessments_to_decide(user) -> list[Assessment]:
    """Submitted assessments waiting for a decision: an early help manager's team's, oldest
    submission first. Nobody else's list has any."""
    if not is_manager(user) or not user.team_id:
        return []
    return list(
        Assessment.objects.filter(team_id=user.team_id, status=Assessment.Status.SUBMITTED)
        .select_related("family", "lead_professional")
        .order_by("submitted_at", "pk")
    )


# --- One episode -------------------------------------------------------------------------------


def episode_with_relations(pk) -> Episode:
    """Everything the case page shows, in a fixed number of queries."""
    from .models_casework import OutcomeRecord, OutcomeScore, PlanAction, PlanNeed, PlanOutcome

    return (
        Episode.objects.select_related("family", "lead_professional", "team", "referral", "assessment", "previous")
        .prefetch_related(
            Prefetch("children", queryset=Person.objects.order_by("date_of_birth", "pk")),
            "members",
            Prefetch("decisions", queryset=Decision.objects.select_related("proposed_by", "signed_off_by")),
            Prefetch(
                "plan__needs",
                queryset=PlanNeed.objects.prefetch_related(
                    Prefetch(
                        "outcomes",
                        queryset=PlanOutcome.objects.prefetch_related(
                            Prefetch("actions", queryset=PlanAction.objects.select_related("owner"))
                        ),
                    )
                ),
            ),
            "meetings",
            "reviews__progress",
            Prefetch(
                "outcome_records",
                queryset=OutcomeRecord.objects.prefetch_related(
                    Prefetch("scores", queryset=OutcomeScore.objects.all())
                ),
            ),
            Prefetch("supervisions", queryset=Supervision.objects.select_related("supervisor", "practitioner")),
        )
        .get(pk=pk)
    )


def episode_history(episode: Episode) -> list[Episode]:
    """The chain of episodes this one re-opens, oldest first (including itself)."""
    chain = [episode]
    seen = {episode.pk}
    current = episode
    while current.previous_id and current.previous_id not in seen:
        current = Episode.objects.select_related("lead_professional").get(pk=current.previous_id)
        seen.add(current.pk)
        chain.append(current)
    return list(reversed(chain))


def printable_services(service_page_ids) -> list:
    """The directory services chosen for a family, in the order chosen, that families may
    still see (unpublished or unverified ones drop out of the printed list)."""
    from directory.selectors import public_services

    ids = [int(i) for i in service_page_ids]
    pages = {p.pk: p for p in public_services().filter(pk__in=ids).select_related("organisation")}
    return [pages[i] for i in ids if i in pages]


def manual_chronology(episode: Episode) -> QuerySet[ChronologyEntry]:
    return ChronologyEntry.objects.filter(episode=episode, source=ChronologyEntry.Source.MANUAL)
