"""Timeliness (DESIGN.md §4; issue 7 point 6), in working days
(:mod:`eh_assessments.working_days`: Monday to Friday less England and Wales bank holidays).

* An assessment's standard target is the 45th working day after its start; each child may
  also have a target date of their own (``ChildTarget``), set at the start with a reason.
  Both are reported: an assessment is overdue when it is not submitted by either date.
* The front door decides on a request for help within one working day of receiving it: the
  decision is due by the end of the first working day after ``received_on``.
* The first team-around-the-family meeting is due within EARLY_HELP_FIRST_MEETING_WORKING_DAYS
  (default 10) working days of the episode opening; reviews every EARLY_HELP_REVIEW_WEEKS
  (default 6) weeks after the plan is agreed and after each review.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.utils import timezone

from .working_days import STANDARD_TARGET_DAYS, add_working_days, working_days_between

FRONT_DOOR_WORKING_DAYS = 1
SUSTAINED_CHECK_MONTHS = 6


def first_meeting_working_days() -> int:
    return settings.EARLY_HELP_FIRST_MEETING_WORKING_DAYS


def review_weeks() -> int:
    return settings.EARLY_HELP_REVIEW_WEEKS


def first_meeting_due(opened_on: datetime.date) -> datetime.date:
    return add_working_days(opened_on, first_meeting_working_days())


def next_review_due(after: datetime.date) -> datetime.date:
    return after + datetime.timedelta(weeks=review_weeks())


def referral_decision_due(received_on: datetime.date) -> datetime.date:
    return add_working_days(received_on, FRONT_DOOR_WORKING_DAYS)


def sustained_check_due(closed_on: datetime.date) -> datetime.date:
    from dateutil.relativedelta import relativedelta

    return closed_on + relativedelta(months=SUSTAINED_CHECK_MONTHS)


def standard_target(assessment) -> datetime.date:
    if assessment.target_date:
        return assessment.target_date
    return add_working_days(timezone.localtime(assessment.started_at).date(), STANDARD_TARGET_DAYS)


@dataclass(frozen=True)
class Target:
    """One target of an assessment: the standard one (``child`` None) or a child's own."""

    due: datetime.date
    child: object | None
    reason: str
    completed_on: datetime.date | None
    today: datetime.date

    @property
    def met(self) -> bool | None:
        if self.completed_on is None:
            return None
        return self.completed_on <= self.due

    @property
    def overdue(self) -> bool:
        return self.completed_on is None and self.today > self.due

    @property
    def working_days_left(self) -> int:
        """Working days from today (or the completion day) to the due date; negative when late."""
        return working_days_between(self.completed_on or self.today, self.due)


@dataclass(frozen=True)
class AssessmentTimeliness:
    standard: Target
    children: list[Target] = field(default_factory=list)

    @property
    def overdue(self) -> bool:
        return self.standard.overdue or any(t.overdue for t in self.children)

    @property
    def earliest_due(self) -> datetime.date:
        return min([self.standard.due, *(t.due for t in self.children)])


def assessment_timeliness(assessment, *, today: datetime.date | None = None) -> AssessmentTimeliness:
    """Both targets of ``assessment`` (with ``child_targets`` prefetched for lists)."""
    today = today or timezone.localdate()
    completed = timezone.localtime(assessment.submitted_at).date() if assessment.submitted_at else None
    standard = Target(standard_target(assessment), None, "45 working days", completed, today)
    children = [
        Target(t.target_date, t.child, t.reason, completed, today)
        for t in sorted(assessment.child_targets.all(), key=lambda t: (t.target_date, t.pk))
    ]
    return AssessmentTimeliness(standard, children)


@dataclass(frozen=True)
class ReferralTimeliness:
    received_on: datetime.date
    due: datetime.date
    decided_on: datetime.date | None
    today: datetime.date

    @property
    def met(self) -> bool | None:
        return None if self.decided_on is None else self.decided_on <= self.due

    @property
    def overdue(self) -> bool:
        return self.decided_on is None and self.today > self.due


def referral_timeliness(referral, first_decision_at=None, *, today=None) -> ReferralTimeliness:
    today = today or timezone.localdate()
    decided = timezone.localtime(first_decision_at).date() if first_decision_at else None
    return ReferralTimeliness(referral.received_on, referral_decision_due(referral.received_on), decided, today)
