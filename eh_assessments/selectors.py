"""Read queries for early help assessments. Scoping lives here (DESIGN.md §6, issue 6 point 4):
whoever asks, the queryset holds only what their role and relationship to the family allow.

Who sees an assessment (privacy by default; a superuser sees none unless they also hold a role):

* its lead professional;
* the members of its team around the family;
* early help managers: every assessment of their team (``user.team``);
* school key adults and deputies: the ones they lead (they may start one for a pupil of
  their school; being a key adult gives no view of other people's assessments).

Only holders of an assessment role (``ASSESSMENT_ROLES``) see anything: a commissioner, police
officer or directory editor added to a team around the family by mistake still sees nothing.
Editing is for drafts only, by the lead professional and the team around the family.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from portal.accounts.roles import roles_for
from portal.encompass.models import Pupil, School

from .models import Assessment, Family

ASSESSMENT_ROLES = frozenset({"lead_professional", "school_key_adult", "school_deputy", "early_help_manager"})
TEAM_ROLES = frozenset({"early_help_manager"})
SCHOOL_ROLES = frozenset({"school_key_adult", "school_deputy"})


def _slugs(user) -> set[str]:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return set()
    return {role.slug for role in roles_for(user)}


def _condition(user, slugs: set[str]) -> Q | None:
    if not slugs & ASSESSMENT_ROLES:
        return None
    taf = Assessment.team_around_family.through.objects.filter(user_id=user.pk).values("assessment_id")
    condition = Q(lead_professional_id=user.pk) | Q(pk__in=taf)
    if slugs & TEAM_ROLES and user.team_id:
        condition |= Q(team_id=user.team_id)
    return condition


def assessments_for(user) -> QuerySet[Assessment]:
    """The assessments ``user`` may see, ready for list pages (family, lead professional, team
    and school joined in). No duplicates: the team-around-the-family join is a subquery."""
    base = Assessment.objects.select_related("family", "lead_professional", "team", "started_by_school")
    condition = _condition(user, _slugs(user))
    if condition is None:
        return base.none()
    return base.filter(condition)


def can_view(user, assessment: Assessment) -> bool:
    condition = _condition(user, _slugs(user))
    if condition is None or assessment is None or assessment.pk is None:
        return False
    if assessment.lead_professional_id == user.pk:
        return True
    return Assessment.objects.filter(condition, pk=assessment.pk).exists()


def can_edit(user, assessment: Assessment) -> bool:
    """Drafts only, by the lead professional or a member of the team around the family."""
    if assessment is None or not assessment.is_draft or not _slugs(user) & ASSESSMENT_ROLES:
        return False
    if assessment.lead_professional_id == user.pk:
        return True
    return assessment.team_around_family.filter(pk=user.pk).exists()


def can_start(user) -> bool:
    """Whether ``user`` may start an assessment at all. A key adult or deputy starts one for a
    pupil of their school (see :func:`can_start_for_school`)."""
    return bool(_slugs(user) & ASSESSMENT_ROLES)


def schools_for(user) -> QuerySet[School]:
    """The schools ``user`` is a key adult or deputy of (only while they hold that role)."""
    if not _slugs(user) & SCHOOL_ROLES:
        return School.objects.none()
    return School.objects.filter(Q(key_adults=user) | Q(deputies=user)).distinct()


def can_start_for_school(user, school: School | None) -> bool:
    """A key adult or deputy may start an assessment for a pupil of a school they serve."""
    if school is None:
        return False
    return schools_for(user).filter(pk=school.pk).exists()


def pupils_for_key_adult(user) -> QuerySet[Pupil]:
    """The pupils of the schools ``user`` is a key adult or deputy of, by name."""
    if not _slugs(user) & SCHOOL_ROLES:
        return Pupil.objects.none()
    schools = schools_for(user).values("pk")
    return Pupil.objects.filter(school__in=schools).select_related("school").order_by("family_name", "given_name", "pk")


def families_for(user) -> QuerySet[Family]:
    """The families ``user`` may see: those of the assessments they may see, those they
    created (a family is created with its first assessment), and for early help managers
    every family of their team."""
    slugs = _slugs(user)
    condition = _condition(user, slugs)
    if condition is None:
        return Family.objects.none()
    family_condition = Q(pk__in=Assessment.objects.filter(condition).values("family_id")) | Q(created_by_id=user.pk)
    if slugs & TEAM_ROLES and user.team_id:
        family_condition |= Q(team_id=user.team_id)
    return Family.objects.filter(family_condition).select_related("team")
