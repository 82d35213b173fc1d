"""Records of keeping listings right: verification requests (the "still correct?" emails)
and problems reported by the public. Neither is versioned with the page."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone


def new_nonce() -> str:
    return secrets.token_urlsafe(16)


class VerificationRequest(models.Model):
    """One "is this still correct?" cycle for a service: sent once when its review falls
    due (``due_on`` is the review date it was sent for), escalated once, completed when
    someone confirms the listing. The signed link carries ``nonce``, so a link from an
    earlier cycle never confirms a later one."""

    service = models.ForeignKey("directory.ServicePage", on_delete=models.CASCADE, related_name="verification_requests")
    due_on = models.DateField(null=True, blank=True, help_text="The review date this request was sent for.")
    sent_at = models.DateTimeField(default=timezone.now)
    nonce = models.CharField(max_length=32, unique=True, default=new_nonce, editable=False)
    escalated_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-sent_at"]
        constraints = [
            models.UniqueConstraint(fields=["service", "due_on"], name="directory_verification_once_per_cycle")
        ]

    def __str__(self) -> str:
        return f"Review of {self.service_id} due {self.due_on}"

    @property
    def state(self) -> str:
        if self.completed_at:
            return "Confirmed"
        if self.escalated_at:
            return "Escalated to the directory team"
        return "Waiting for the provider"


class ProblemReport(models.Model):
    """A problem with a listing reported by a member of the public, tracked until resolved."""

    class Kind(models.TextChoices):
        OUT_OF_DATE = "out_of_date", "The information is out of date"
        CLOSED = "closed", "The service has closed"
        WRONG_CONTACT = "wrong_contact", "The contact details are wrong"
        OTHER = "other", "Something else"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        RESOLVED = "resolved", "Resolved"

    DETAILS_MAX_LENGTH = 1200

    service = models.ForeignKey("directory.ServicePage", on_delete=models.CASCADE, related_name="problem_reports")
    kind = models.CharField("what is wrong", max_length=20, choices=Kind.choices)
    details = models.TextField(max_length=DETAILS_MAX_LENGTH)
    reporter_email = models.EmailField(
        "reporter's email", blank=True, help_text="Shown to the directory team only, never to providers."
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN, db_index=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolution_note = models.TextField(blank=True, help_text="What was done about it.")

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "reported problem"

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.created_at:%d %b %Y})"

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN
