"""Operation Encompass: the schools register, term calendars, police notifications, the
child-level routing (one ``NotifiedChild`` per child, which is what a school reads and
acknowledges), the alert outbox and the escalation log.

``__str__`` never shows a child's name: it ends up in logs and the admin's history."""

from __future__ import annotations

import datetime
import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from portal.outbox import OutboxBase


def _default_day_start() -> datetime.time:
    return datetime.time(8, 30)


class School(models.Model):
    """A school, college or registered early years setting from the DfE register (GIAS)."""

    urn = models.PositiveIntegerField("URN", unique=True)
    name = models.CharField(max_length=255)
    establishment_type = models.CharField(max_length=200, blank=True)
    status = models.CharField(max_length=100, blank=True)
    phase = models.CharField(max_length=100, blank=True)
    la_code = models.CharField("LA code", max_length=10, blank=True, db_index=True)
    postcode = models.CharField(max_length=10, blank=True)
    is_open = models.BooleanField(default=True)
    day_start = models.TimeField(
        "school day starts", default=_default_day_start, help_text="UK time. Notifications are due by this time."
    )
    key_adults = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="encompass_key_adult_of")
    deputies = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="encompass_deputy_of")

    class Meta:
        ordering = ["name"]
        permissions = [("view_encompass_dashboard", "Can see the Operation Encompass dashboard")]

    def __str__(self) -> str:
        return f"{self.name} ({self.urn})"


class Calendar(models.Model):
    """Term dates: either a local authority's (``la_code``) or one school's own (``school``)."""

    la_code = models.CharField("LA code", max_length=10, blank=True)
    school = models.OneToOneField(School, null=True, blank=True, on_delete=models.CASCADE, related_name="calendar")
    name = models.CharField(max_length=200, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                name="encompass_calendar_la_xor_school",
                condition=(models.Q(school__isnull=True) & ~models.Q(la_code=""))
                | (models.Q(school__isnull=False) & models.Q(la_code="")),
            ),
            models.UniqueConstraint(
                fields=["la_code"], condition=models.Q(school__isnull=True), name="encompass_one_calendar_per_la"
            ),
        ]

    def __str__(self) -> str:
        return self.name or (f"School {self.school.urn}" if self.school_id else f"LA {self.la_code}")


class CalendarPeriod(models.Model):
    class Kind(models.TextChoices):
        TERM = "term", "Term time"
        CLOSURE = "closure", "Closure (INSET day, half term, strike)"

    calendar = models.ForeignKey(Calendar, on_delete=models.CASCADE, related_name="periods")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    start = models.DateField()
    end = models.DateField(help_text="Exclusive, as iCalendar's DTEND: the first day after the period.")
    summary = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["start", "kind"]
        constraints = [
            models.CheckConstraint(
                name="encompass_period_end_after_start", condition=models.Q(end__gt=models.F("start"))
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.start}–{self.end}"


class Pupil(models.Model):
    """A child known to be at a school (or electively home educated), from previous
    notifications or an import; used to route children the police send without a URN."""

    given_name = models.CharField(max_length=100)
    family_name = models.CharField(max_length=100)
    date_of_birth = models.DateField()
    # Lower-cased, trimmed copies for exact matching regardless of case.
    match_key = models.CharField(max_length=220, db_index=True, editable=False)
    school = models.ForeignKey(School, null=True, blank=True, on_delete=models.CASCADE, related_name="pupils")
    electively_home_educated = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["match_key", "date_of_birth"], name="encompass_pupil_unique_identity")
        ]

    def __str__(self) -> str:
        return f"Pupil {self.pk}"

    def save(self, *args, **kwargs):
        self.match_key = self.key_for(self.given_name, self.family_name)
        super().save(*args, **kwargs)

    @staticmethod
    def key_for(given_name: str, family_name: str) -> str:
        return f"{' '.join(given_name.split()).casefold()}|{' '.join(family_name.split()).casefold()}"[:220]


class Notification(models.Model):
    """What a police force sent about one incident. One per (force, police_reference)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    force = models.CharField(max_length=10)
    police_reference = models.CharField(max_length=100)
    incident_at = models.DateTimeField()
    reported_at = models.DateTimeField()
    received_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    location = models.CharField(max_length=300, blank=True)
    summary = models.TextField(help_text="Shown only to the key adults of the children's schools.")
    officer = models.CharField(max_length=200)
    source = models.CharField(max_length=10, default="api")  # api, web, csv
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-received_at"]
        constraints = [
            models.UniqueConstraint(fields=["force", "police_reference"], name="encompass_notification_unique_ref")
        ]
        permissions = [("submit_notification", "Can submit Operation Encompass notifications")]

    def __str__(self) -> str:
        return f"{self.force} {self.police_reference}"


class NotifiedChild(models.Model):
    """One child of a notification, routed to a school, the triage queue or the front door.
    This is what a key adult reads and acknowledges."""

    class Route(models.TextChoices):
        SCHOOL = "school", "School"
        TRIAGE = "triage", "Local authority triage"
        FRONT_DOOR = "front_door", "Front door"

    class Action(models.TextChoices):
        SILENT = "silent_support", "Silent support"
        OVERT = "overt_support", "Overt support"
        EARLY_HELP = "early_help_assessment", "Early help assessment started"
        FRONT_DOOR = "front_door_referral", "Referral to the front door"
        OTHER = "other", "Other"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    notification = models.ForeignKey(Notification, on_delete=models.CASCADE, related_name="children")
    given_name = models.CharField(max_length=100)
    family_name = models.CharField(max_length=100)
    date_of_birth = models.DateField()
    school_urn = models.PositiveIntegerField("URN given by the police", null=True, blank=True)
    electively_home_educated = models.BooleanField(default=False)
    present_at_incident = models.BooleanField(default=False)
    welfare_check_done = models.BooleanField(default=False)
    voice_of_child = models.TextField(blank=True)
    social_care_informed = models.BooleanField(default=False)

    routed_to = models.CharField(max_length=12, choices=Route.choices)
    school = models.ForeignKey(
        School, null=True, blank=True, on_delete=models.PROTECT, related_name="notified_children"
    )
    la_code = models.CharField(max_length=10, blank=True)
    notify_by = models.DateTimeField(db_index=True)
    calendar_missing = models.BooleanField(
        default=False, help_text="No term dates: every non-bank-holiday weekday counted."
    )
    overdue_on_arrival = models.BooleanField(default=False)

    acknowledged_at = models.DateTimeField(null=True, blank=True, db_index=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    action_taken = models.CharField(max_length=30, choices=Action.choices, blank=True)
    action_notes = models.TextField(blank=True)

    escalation_count = models.PositiveIntegerField(default=0)
    last_escalated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["notify_by"]
        permissions = [("acknowledge_notifiedchild", "Can acknowledge Operation Encompass notifications")]
        indexes = [models.Index(fields=["acknowledged_at", "notify_by"], name="encompass_child_open_idx")]

    def __str__(self) -> str:
        return f"Notification {self.notification_id} child {self.pk}"

    @property
    def reference(self) -> str:
        return str(self.pk).split("-")[0].upper()

    @property
    def acknowledged(self) -> bool:
        return self.acknowledged_at is not None

    def acknowledged_on_time(self) -> bool:
        return self.acknowledged_at is not None and self.acknowledged_at <= self.notify_by


class ApiToken(models.Model):
    """A police force's bearer token for the intake API. Only a SHA-256 hash is stored; the
    token is shown once by ``manage.py encompass_token``."""

    force = models.CharField(max_length=10, db_index=True)
    prefix = models.CharField(max_length=12, help_text="The token's first characters, to tell tokens apart.")
    token_hash = models.CharField(max_length=64, unique=True)
    name = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.force} {self.prefix}…"


class OutboxMessage(OutboxBase):
    """An alert waiting to be sent (or sent), in the shared outbox (``portal.outbox``).
    ``key`` makes each alert unique per recipient, notified child and kind, so a retry or a
    rerun never sends it twice. Alerts carry no details of the incident: the text is built
    from ``kind`` and ``link`` at send time."""

    link = models.CharField(max_length=300)
    child = models.ForeignKey(NotifiedChild, null=True, blank=True, on_delete=models.SET_NULL, related_name="alerts")

    class Meta:
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="encompass_outbox_due_idx")]


class EscalationStep(models.Model):
    """One escalation of an unacknowledged notified child: who was alerted, and when."""

    child = models.ForeignKey(NotifiedChild, on_delete=models.CASCADE, related_name="escalations")
    number = models.PositiveIntegerField()
    at = models.DateTimeField(default=timezone.now)
    recipients = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["child", "number"]
        constraints = [models.UniqueConstraint(fields=["child", "number"], name="encompass_escalation_unique_step")]

    def __str__(self) -> str:
        return f"Escalation {self.number} of {self.child_id}"
