"""Episodes of help: decisions, plans, reviews, outcomes, closure, supervision and chronology
(issue 7; DESIGN.md §4).

Everything here is written only through :mod:`eh_assessments.casework` (in one transaction,
audited) and read through :mod:`eh_assessments.casework_selectors`.

Re-opening a closed episode makes a **new episode linked to the one it re-opens**
(``previous``) rather than flipping the old one back to open: the closed episode keeps its
closure reason, summary, closure scores and sustained-outcome check exactly as they were
signed off, so re-referral figures, timeliness and distance travelled are counted per
episode (as the children in need census counts episodes), while the family's chronology,
built across every episode, still shows one continuous history.

``__str__`` never shows a person's name (it ends up in logs and the audit log).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from portal.outbox import OutboxBase

from .outcomes import AREA_CODES, area_columns

__all__ = [
    "ActionProgress",
    "CaseworkMessage",
    "ChronologyEntry",
    "ClosureReason",
    "Decision",
    "DelayReason",
    "Episode",
    "EpisodeOutcome",
    "EpisodeOutcomeTotal",
    "EpisodeService",
    "Meeting",
    "OutcomeRecord",
    "OutcomeScore",
    "Plan",
    "PlanAction",
    "PlanNeed",
    "PlanOutcome",
    "Review",
    "Supervision",
    "SustainedCheck",
]

_LEVELS = [
    (1, "Level 1: universal"),
    (2, "Level 2: additional needs (single agency early help)"),
    (3, "Level 3: multiple or complex needs (team around the family)"),
    (4, "Level 4: acute or statutory (children's social care)"),
]


class ClosureReason(models.TextChoices):
    """DESIGN.md §4."""

    NEEDS_MET = "needs_met", "Needs met"
    SINGLE_AGENCY = "single_agency", "Single agency can continue"
    STEPPED_UP = "stepped_up", "Stepped up to children's social care"
    CONSENT_WITHDRAWN = "consent_withdrawn", "Family withdrew consent"
    MOVED_AWAY = "moved_away", "Moved away"
    OTHER = "other", "Other"


class Episode(models.Model):
    """One episode of early help for a family (the case): from the decision that opened it
    to its closure."""

    class Status(models.TextChoices):
        AWAITING_HANDOVER = "awaiting_handover", "Awaiting handover from social care"
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    reference = models.CharField(max_length=20, unique=True, editable=False, null=True)
    family = models.ForeignKey("eh_assessments.Family", on_delete=models.PROTECT, related_name="episodes")
    children = models.ManyToManyField("eh_assessments.Person", related_name="episodes")
    referral = models.ForeignKey(
        "eh_assessments.Referral", null=True, blank=True, on_delete=models.SET_NULL, related_name="episodes"
    )
    assessment = models.ForeignKey(
        "eh_assessments.Assessment", null=True, blank=True, on_delete=models.SET_NULL, related_name="episodes"
    )
    previous = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reopened_as",
        help_text="The closed episode this one re-opens.",
    )
    team = models.ForeignKey("accounts.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    lead_professional = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="lead_episodes"
    )
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="member_episodes")
    level_of_need = models.PositiveSmallIntegerField(choices=_LEVELS)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.OPEN, db_index=True)

    handover_planned_on = models.DateField(null=True, blank=True, help_text="Step-down: the handover meeting.")
    opened_on = models.DateField(null=True, blank=True)
    first_meeting_due = models.DateField(null=True, blank=True)
    first_meeting_held_on = models.DateField(null=True, blank=True)
    next_review_due = models.DateField(null=True, blank=True)

    closed_on = models.DateField(null=True, blank=True)
    closure_reason = models.CharField(max_length=20, choices=ClosureReason.choices, blank=True)
    closure_other = models.CharField(max_length=500, blank=True)
    closure_summary = models.TextField(blank=True)
    sustained_check_due = models.DateField(null=True, blank=True, db_index=True)
    sustained_check_prompted_at = models.DateTimeField(null=True, blank=True)

    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-opened_on", "-pk"]
        permissions = [
            ("view_team_episodes", "Can see the episodes of help of their team"),
            ("sign_off_decision", "Can sign off step-up, step-down and closure decisions"),
            ("decide_referral", "Can decide on requests for help"),
        ]
        indexes = [models.Index(fields=["team", "status"], name="eh_episode_team_status")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="closed") | (Q(closed_on__isnull=False) & ~Q(closure_reason="")),
                name="eh_episode_closed_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return self.reference or f"Episode {self.pk}"

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        if not self.reference:
            self.reference = f"EP-{self.pk:06d}"
            type(self).objects.filter(pk=self.pk).update(reference=self.reference)

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN

    @property
    def how_it_ended(self) -> str:
        if self.status != self.Status.CLOSED:
            return self.get_status_display()
        if self.closure_reason == ClosureReason.OTHER and self.closure_other:
            return f"Closed: {self.closure_other}"
        return f"Closed: {self.get_closure_reason_display()}"


class Decision(models.Model):
    """A decision on a request for help, a submitted assessment or an open episode, with its
    written rationale, who made it and when, and (for step-up, step-down and closure) a
    manager's sign-off by someone other than the proposer."""

    class Kind(models.TextChoices):
        UNIVERSAL = "universal", "Universal services and signposting"
        SINGLE_AGENCY = "single_agency", "Single agency early help"
        TEAM_AROUND_FAMILY = "team_around_family", "Team around the family"
        STEP_UP_CIN = "step_up_cin", "Step up: child in need assessment"
        STEP_UP_CP = "step_up_cp", "Step up: child protection"
        STEP_DOWN = "step_down", "Step down from child in need"
        CLOSURE = "closure", "Close the episode"
        REOPEN = "reopen", "Re-open"

    NEEDS_SIGN_OFF = frozenset({Kind.STEP_UP_CIN, Kind.STEP_UP_CP, Kind.STEP_DOWN, Kind.CLOSURE})

    class Status(models.TextChoices):
        RECORDED = "recorded", "Recorded"
        PENDING = "pending", "Waiting for a manager's sign-off"
        APPROVED = "approved", "Signed off"
        REJECTED = "rejected", "Not agreed"

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    status = models.CharField(max_length=10, choices=Status.choices, db_index=True)
    family = models.ForeignKey("eh_assessments.Family", on_delete=models.PROTECT, related_name="decisions")
    referral = models.ForeignKey(
        "eh_assessments.Referral", null=True, blank=True, on_delete=models.PROTECT, related_name="decisions"
    )
    assessment = models.ForeignKey(
        "eh_assessments.Assessment", null=True, blank=True, on_delete=models.PROTECT, related_name="decisions"
    )
    episode = models.ForeignKey(
        Episode, null=True, blank=True, on_delete=models.PROTECT, related_name="decisions", help_text="Decided on."
    )
    opened_episode = models.ForeignKey(
        Episode, null=True, blank=True, on_delete=models.SET_NULL, related_name="opening_decisions"
    )
    rationale = models.TextField()
    team = models.ForeignKey("accounts.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    level_of_need = models.PositiveSmallIntegerField(choices=_LEVELS, null=True, blank=True)
    lead_professional = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")
    service_page_ids = models.JSONField(default=list, blank=True, help_text="Directory ServicePage ids (signposting).")
    handover_meeting_on = models.DateField(null=True, blank=True)
    family_consent = models.BooleanField(null=True, blank=True)
    closure_reason = models.CharField(max_length=20, choices=ClosureReason.choices, blank=True)
    closure_other = models.CharField(max_length=500, blank=True)
    closure_summary = models.TextField(blank=True)

    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    proposed_at = models.DateTimeField(default=timezone.now, db_index=True)
    signed_off_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    signed_off_at = models.DateTimeField(null=True, blank=True)
    sign_off_note = models.TextField(blank=True)
    front_door_alerted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-proposed_at", "-pk"]
        indexes = [
            # Covers the insights dashboard's decision counts (by day proposed, status, kind, level,
            # episode and family), so they read the index alone, not every decision row.
            models.Index(
                fields=["proposed_at", "status", "kind", "level_of_need", "episode", "family"],
                name="eh_decision_report",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(rationale=""),
                name="eh_decision_rationale_required",
            ),
            models.CheckConstraint(
                condition=Q(signed_off_by__isnull=True) | ~Q(signed_off_by=models.F("proposed_by")),
                name="eh_decision_not_self_signed",
            ),
        ]

    def __str__(self) -> str:
        return f"Decision {self.pk}"

    @property
    def needs_sign_off(self) -> bool:
        return self.kind in self.NEEDS_SIGN_OFF

    @property
    def is_pending(self) -> bool:
        return self.status == self.Status.PENDING

    @property
    def is_effective(self) -> bool:
        return self.status in (self.Status.RECORDED, self.Status.APPROVED)


class Plan(models.Model):
    """The family's plan: needs → the outcomes the family wants → actions."""

    episode = models.OneToOneField(Episode, on_delete=models.CASCADE, related_name="plan")
    agreed_on = models.DateField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    def __str__(self) -> str:
        return f"Plan {self.pk}"


class PlanNeed(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="needs")
    child = models.ForeignKey("eh_assessments.Person", null=True, blank=True, on_delete=models.SET_NULL)
    text = models.CharField(max_length=1000)
    sort_order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["plan", "sort_order", "pk"]

    def __str__(self) -> str:
        return f"Need {self.pk}"


class PlanOutcome(models.Model):
    need = models.ForeignKey(PlanNeed, on_delete=models.CASCADE, related_name="outcomes")
    text = models.CharField("what the family wants", max_length=1000)
    sort_order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["need", "sort_order", "pk"]

    def __str__(self) -> str:
        return f"Outcome {self.pk}"


class PlanAction(models.Model):
    class Status(models.TextChoices):
        NOT_STARTED = "not_started", "Not started"
        IN_PROGRESS = "in_progress", "In progress"
        DONE = "done", "Done"
        NOT_DONE = "not_done", "Not done"

    outcome = models.ForeignKey(PlanOutcome, on_delete=models.CASCADE, related_name="actions")
    text = models.CharField(max_length=1000)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    owner_name = models.CharField(max_length=200, blank=True, help_text="When the owner is not a portal user.")
    due_on = models.DateField()
    service_page_id = models.PositiveIntegerField(null=True, blank=True, help_text="A directory ServicePage id.")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.NOT_STARTED)
    sort_order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["outcome", "sort_order", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(owner__isnull=False) | ~Q(owner_name=""), name="eh_plan_action_has_owner"
            ),
        ]

    def __str__(self) -> str:
        return f"Action {self.pk}"

    # An action saved or deleted on its own (an import, the shell, an admin) rebuilds its
    # episode's EpisodeService rows from the actions, so a service changed or removed drops out.
    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        update_fields = kwargs.get("update_fields")
        if update_fields is None or "service_page_id" in update_fields:
            EpisodeService.rebuild(self._episode_id())

    def delete(self, *args, **kwargs):
        episode_id = self._episode_id()
        result = super().delete(*args, **kwargs)
        EpisodeService.rebuild(episode_id)
        return result

    def _episode_id(self) -> int:
        return PlanOutcome.objects.filter(pk=self.outcome_id).values_list("need__plan__episode_id", flat=True).get()


class EpisodeService(models.Model):
    """Read model: each directory service an episode's plan uses (an action with the service),
    once. The outcomes dashboard groups families by service from these rows instead of joining
    every action to its outcome, need and plan. Written with the actions: by
    ``casework.agree_plan`` and the synthetic generator (in bulk; an episode has one plan, whose
    actions keep their service), and rebuilt by ``PlanAction.save`` and ``PlanAction.delete``;
    backfilled by migration. A bulk writer of actions calls ``record`` or ``rebuild`` itself."""

    episode = models.ForeignKey(Episode, on_delete=models.CASCADE, related_name="+")
    service_page_id = models.PositiveIntegerField(help_text="A directory ServicePage id.")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["episode", "service_page_id"], name="eh_episode_service_unique")]

    def __str__(self) -> str:
        return f"Episode service {self.pk}"

    @classmethod
    def record(cls, episode_id: int, service_page_ids) -> None:
        cls.objects.bulk_create(
            [cls(episode_id=episode_id, service_page_id=pk) for pk in sorted(set(service_page_ids))],
            ignore_conflicts=True,
        )

    @classmethod
    def rebuild(cls, episode_id: int) -> None:
        """The episode's rows again, from its plan's actions."""
        used = PlanAction.objects.filter(outcome__need__plan__episode_id=episode_id).exclude(service_page_id=None)
        cls.objects.filter(episode_id=episode_id).delete()
        cls.record(episode_id, used.values_list("service_page_id", flat=True))


class Meeting(models.Model):
    """A team-around-the-family meeting: the first one (within
    EARLY_HELP_FIRST_MEETING_WORKING_DAYS of opening) or a review meeting, or the step-down
    handover meeting."""

    class Kind(models.TextChoices):
        FIRST = "first", "First team around the family meeting"
        REVIEW = "review", "Review meeting"
        HANDOVER = "handover", "Handover meeting"

    episode = models.ForeignKey(Episode, on_delete=models.CASCADE, related_name="meetings")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    scheduled_on = models.DateField()
    held_on = models.DateField(null=True, blank=True)
    notes = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["scheduled_on", "pk"]

    def __str__(self) -> str:
        return f"Meeting {self.pk}"


class Review(models.Model):
    episode = models.ForeignKey(Episode, on_delete=models.CASCADE, related_name="reviews")
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="reviews")
    meeting = models.OneToOneField(Meeting, null=True, blank=True, on_delete=models.SET_NULL, related_name="review")
    held_on = models.DateField()
    summary = models.TextField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["held_on", "pk"]

    def __str__(self) -> str:
        return f"Review {self.pk}"


class ActionProgress(models.Model):
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="progress")
    action = models.ForeignKey(PlanAction, on_delete=models.CASCADE, related_name="progress")
    status = models.CharField(max_length=12, choices=PlanAction.Status.choices)
    note = models.CharField(max_length=2000, blank=True)

    class Meta:
        ordering = ["review", "action"]
        constraints = [models.UniqueConstraint(fields=["review", "action"], name="eh_action_progress_unique")]

    def __str__(self) -> str:
        return f"Progress {self.pk}"


class OutcomeRecord(models.Model):
    """One scoring of the ten outcome areas (see :mod:`eh_assessments.outcomes`): at the
    start, at a review, or at closure."""

    class Stage(models.TextChoices):
        START = "start", "Start"
        REVIEW = "review", "Review"
        CLOSURE = "closure", "Closure"

    episode = models.ForeignKey(Episode, on_delete=models.CASCADE, related_name="outcome_records")
    stage = models.CharField(max_length=10, choices=Stage.choices)
    review = models.OneToOneField(
        Review, null=True, blank=True, on_delete=models.CASCADE, related_name="outcome_record"
    )
    recorded_on = models.DateField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["recorded_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["episode", "stage"], condition=~Q(stage="review"), name="eh_outcome_one_start_one_closure"
            ),
            models.CheckConstraint(
                condition=Q(stage="review", review__isnull=False) | (~Q(stage="review") & Q(review__isnull=True)),
                name="eh_outcome_review_link",
            ),
        ]

    def __str__(self) -> str:
        return f"Outcome record {self.pk}"


class OutcomeScore(models.Model):
    record = models.ForeignKey(OutcomeRecord, on_delete=models.CASCADE, related_name="scores")
    area = models.CharField(max_length=30)
    practitioner_score = models.PositiveSmallIntegerField()
    family_score = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["record", "area"]
        constraints = [
            models.UniqueConstraint(fields=["record", "area"], name="eh_outcome_score_unique"),
            models.CheckConstraint(
                condition=Q(practitioner_score__gte=1, practitioner_score__lte=10), name="eh_outcome_score_range"
            ),
            models.CheckConstraint(
                condition=Q(family_score__isnull=True) | Q(family_score__gte=1, family_score__lte=10),
                name="eh_outcome_family_score_range",
            ),
        ]

    def __str__(self) -> str:
        return f"Score {self.pk}"


class EpisodeOutcome(models.Model):
    """Read model kept in step with the outcome scores (one row per episode and outcome area
    the episode was scored in): the four scores :func:`eh_assessments.outcomes.distance_travelled`
    uses, so the outcomes dashboard aggregates these rows instead of ranking every scoring.
    Written only by :func:`eh_assessments.outcomes.refresh_episode_outcomes`, in the same
    transaction as the scores (the casework service, the synthetic generator, the backfill)."""

    episode = models.ForeignKey(Episode, on_delete=models.CASCADE, related_name="outcome_summary")
    area = models.CharField(max_length=30)
    start_practitioner = models.PositiveSmallIntegerField(null=True, blank=True)
    latest_practitioner = models.PositiveSmallIntegerField(null=True, blank=True)
    start_family = models.PositiveSmallIntegerField(null=True, blank=True)
    latest_family = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["episode", "area"]
        constraints = [models.UniqueConstraint(fields=["episode", "area"], name="eh_episode_outcome_unique")]

    def __str__(self) -> str:
        return f"Episode outcome {self.pk}"


class EpisodeOutcomeTotal(models.Model):
    """Read model beside :class:`EpisodeOutcome`: one row per episode with a practitioner change
    in at least one outcome area (a start scoring and a later one). It holds each area's
    change (``area_<code>_practitioner`` and ``area_<code>_family``, None where not scored or
    where the family scored fewer than twice) and the family's totals as the outcomes dashboard
    counts them: improved when the practitioner's changes add up to more than zero, and the
    average change across the areas, by the practitioner and by the family. Written with the
    EpisodeOutcome rows by :func:`eh_assessments.outcomes.refresh_episode_outcomes`, so a
    dashboard reads one row a family instead of ten (and groups by area without sorting a
    million rows)."""

    episode = models.OneToOneField(Episode, on_delete=models.CASCADE, primary_key=True, related_name="outcome_total")
    improved = models.BooleanField()
    change_practitioner = models.FloatField()
    change_family = models.FloatField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Episode outcome total {self.pk}"


for _code in AREA_CODES:  # one pair of columns per outcome area
    for _name in area_columns(_code):
        EpisodeOutcomeTotal.add_to_class(_name, models.SmallIntegerField(null=True, blank=True))


class SustainedCheck(models.Model):
    """Six months after closure: has the change lasted?"""

    episode = models.OneToOneField(Episode, on_delete=models.CASCADE, related_name="sustained_check")
    checked_on = models.DateField()
    sustained = models.BooleanField()
    notes = models.TextField(blank=True)
    checked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    def __str__(self) -> str:
        return f"Sustained check {self.pk}"


class DelayReason(models.Model):
    """Why an assessment (or one child's part of it) is running late."""

    assessment = models.ForeignKey("eh_assessments.Assessment", on_delete=models.CASCADE, related_name="delay_reasons")
    child = models.ForeignKey("eh_assessments.Person", null=True, blank=True, on_delete=models.CASCADE)
    reason = models.CharField(max_length=1000)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["assessment", "-recorded_at", "-pk"]

    def __str__(self) -> str:
        return f"Delay reason {self.pk}"


class Supervision(models.Model):
    """A case supervision record with the reflective prompts."""

    episode = models.ForeignKey(Episode, on_delete=models.CASCADE, related_name="supervisions")
    supervisor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    practitioner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    held_on = models.DateField()
    what_is_working = models.TextField()
    what_worries_us = models.TextField()
    child_would_say = models.TextField("what the child would say")
    what_next = models.TextField()
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-held_on", "-pk"]

    def __str__(self) -> str:
        return f"Supervision {self.pk}"


class ChronologyEntry(models.Model):
    """One dated entry of a family's chronology: written automatically by the casework
    services (``key`` makes each automatic entry unique), or by hand."""

    class Source(models.TextChoices):
        AUTOMATIC = "automatic", "Automatic"
        MANUAL = "manual", "Added by a practitioner"

    family = models.ForeignKey("eh_assessments.Family", on_delete=models.CASCADE, related_name="chronology")
    episode = models.ForeignKey(Episode, null=True, blank=True, on_delete=models.CASCADE, related_name="chronology")
    child = models.ForeignKey("eh_assessments.Person", null=True, blank=True, on_delete=models.SET_NULL)
    occurred_at = models.DateTimeField(db_index=True)
    kind = models.CharField(max_length=30)
    summary = models.CharField(max_length=300)
    detail = models.TextField(blank=True)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.AUTOMATIC)
    key = models.CharField(max_length=120, unique=True, null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["occurred_at", "pk"]
        verbose_name_plural = "chronology entries"

    def __str__(self) -> str:
        return f"Chronology entry {self.pk}"


class CaseworkMessage(OutboxBase):
    """An email waiting to be sent (or sent): casework's part of the shared outbox
    (``portal.outbox``), beside Operation Encompass's alerts. ``key`` makes each message
    unique (the referrer's outcome once per request for help, the sustained-outcome prompt
    once per episode), so retries and re-runs never send twice. Messages carry references and
    links only, never names or details."""

    subject = models.CharField(max_length=200)
    body = models.TextField()
    episode = models.ForeignKey(Episode, null=True, blank=True, on_delete=models.SET_NULL, related_name="messages")

    class Meta:
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="eh_casework_outbox_due_idx")]
