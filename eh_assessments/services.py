"""Every change to an early help assessment, its family and the people in it.

Each function runs in one transaction and writes an audit event. Answers are saved with
optimistic concurrency: the caller says which ``version`` of the assessment its page was
loaded at, and the save is a conditional ``UPDATE … WHERE version = expected``. If anyone
else saved in between, nothing is written and :class:`StaleAssessment` is raised, so two
people (or two tabs) never silently overwrite each other. No row lock is held while a person
is typing; the check costs nothing when there is no conflict.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from portal.audit.models import AuditEvent
from portal.audit.services import record

from . import conditions, steps, working_days
from .models import (
    Assessment,
    ChildTarget,
    Family,
    Person,
    Referral,
    Relationship,
    ThresholdDocument,
    submission_fields,
)
from .storage import IN_PROGRESS, PROGRESS_KEY, to_json

logger = logging.getLogger(__name__)

Action = AuditEvent.Action


# Fields of Person that add_person / update_person accept: what PersonForm edits, and the order.
PERSON_FIELDS = frozenset((*Person.EDITABLE_FIELDS, "sort_order"))


class StaleAssessment(Exception):
    """Someone else saved the assessment after this page was loaded."""


class AssessmentIncomplete(Exception):
    """The assessment cannot be submitted yet; ``missing`` names what is still to do."""

    def __init__(self, missing: list[str]):
        self.missing = list(missing)
        super().__init__("Not ready to submit: " + ", ".join(self.missing))


class AssessmentLocked(Exception):
    """The assessment is no longer a draft, so its answers cannot change."""


# --- Starting ------------------------------------------------------------------------------
def start_assessment(
    *,
    user,
    family: Family | None = None,
    referral: Referral | None = None,
    school=None,
    pupil=None,
    request=None,
) -> Assessment:
    """Start a draft assessment led by ``user``: for ``family``, for the family of ``referral``,
    or for a new family (with ``pupil``, an Operation Encompass pupil of a key adult's school,
    added as its first child). The target date is 45 working days from today."""
    with transaction.atomic():
        if family is None and referral is not None:
            family = referral.family
        if family is None:
            family = Family.objects.create(team=user.team, created_by=user)
            record(request, Action.CREATE, family, object_repr=family.reference or "", actor=user)
        if pupil is not None:
            school = school or pupil.school
            child = Person.objects.create(
                family=family,
                kind=Person.CHILD,
                given_name=pupil.given_name,
                family_name=pupil.family_name,
                date_of_birth=pupil.date_of_birth,
                school=pupil.school,
            )
            record(request, Action.CREATE, child, detail={"from_pupil": pupil.pk}, actor=user)
        today = timezone.localdate()
        assessment = Assessment.objects.create(
            family=family,
            referral=referral,
            lead_professional=user,
            team=user.team,
            started_by_school=school,
            threshold_document=ThresholdDocument.objects.current(),
            target_date=working_days.add_working_days(today, working_days.STANDARD_TARGET_DAYS),
            created_by=user,
            updated_by=user,
        )
        assessment.refresh_from_db(fields=["reference"])
        record(
            request,
            Action.CREATE,
            assessment,
            object_repr=assessment.reference,
            detail={"family": family.pk, "referral": referral.pk if referral else None},
            actor=user,
        )
    return assessment


# --- Saving a step -------------------------------------------------------------------------
def save_step(
    assessment: Assessment,
    step: str,
    data: Mapping[str, Any],
    *,
    expected_version: int,
    user,
    in_progress: bool = False,
    request=None,
) -> Assessment:
    """Save the cleaned values of one step (``data``, JSON-safe; see ``storage.to_json``).

    ``in_progress`` marks the step as started but not finished ("Save and come back later").
    The fields kept on the assessment row for reports are updated from the answers in the
    same statement: the consent decision, whether domestic abuse is indicated, the recommended
    and chosen level of need. A per-child target date is kept as a ``ChildTarget`` too.
    Raises :class:`StaleAssessment` if the assessment changed since ``expected_version``, and
    :class:`AssessmentLocked` if it is no longer a draft."""
    if step.startswith("_"):
        raise ValueError(f"{step!r} is not a step name.")
    data = to_json(data)
    with transaction.atomic():
        current = Assessment.objects.filter(pk=assessment.pk).values("sections", "version", "status").first()
        if current is None:
            raise Assessment.DoesNotExist
        if current["status"] != Assessment.Status.DRAFT:
            raise AssessmentLocked(str(assessment))
        if current["version"] != expected_version:
            raise StaleAssessment(str(assessment))
        sections = dict(current["sections"] or {})
        sections[step] = data
        progress = dict(sections.get(PROGRESS_KEY) or {})
        if in_progress:
            progress[step] = IN_PROGRESS
        else:
            progress.pop(step, None)
        if progress:
            sections[PROGRESS_KEY] = progress
        else:
            sections.pop(PROGRESS_KEY, None)

        derived = _derived_fields(assessment, sections)
        now = timezone.now()
        updated = Assessment.objects.filter(
            pk=assessment.pk, version=expected_version, status=Assessment.Status.DRAFT
        ).update(sections=sections, version=F("version") + 1, updated_at=now, updated_by=user, **derived)
        if updated != 1:  # someone saved between our read and our write
            raise StaleAssessment(str(assessment))

        if step.startswith("child-") and step.endswith(f"-{steps.TARGET}"):
            _save_child_target(assessment, step, data)

        assessment.sections = sections
        assessment.version = expected_version + 1
        assessment.updated_at = now
        assessment.updated_by = user
        for name, value in derived.items():
            setattr(assessment, name, value)
        record(
            request,
            Action.UPDATE,
            assessment,
            object_repr=assessment.reference or "",
            detail={"step": step, "version": assessment.version, "in_progress": in_progress},
            actor=user,
        )
        if step == steps.CONSENT and derived.get("consent_given") is False:
            _alert_manager_of_proceeding_without_consent(assessment, user)
    return assessment


def _derived_fields(assessment: Assessment, sections: dict) -> dict[str, Any]:
    """The assessment row's report fields, worked out from the answers."""
    # The conditions read the answers and the threshold document (already loaded, so no query).
    document = assessment.threshold_document if assessment.threshold_document_id else None
    probe = Assessment(sections=sections, threshold_document=document)
    derived: dict[str, Any] = {
        "consent_given": None if steps.CONSENT not in sections else not conditions.consent_refused(probe),
        "domestic_abuse_indicated": bool(conditions.domestic_abuse_indicated(probe)),
    }
    level_data = sections.get(steps.LEVEL_OF_NEED) or {}
    level = level_data.get("level")
    derived["level_of_need"] = int(level) if str(level or "").isdigit() else None
    derived["level_reason"] = str(level_data.get("reason") or level_data.get("level_reason") or "")
    if isinstance(level_data.get("recommended_level"), int):  # worked out by the level of need form
        derived["recommended_level"] = level_data["recommended_level"]
    elif document is not None and (codes := ticked_indicator_codes(sections)):
        from .thresholds import recommend_level

        derived["recommended_level"] = recommend_level(document, codes).level
    return derived


def ticked_indicator_codes(sections: Mapping[str, Any]) -> set[str]:
    """Every threshold indicator code ticked anywhere in the answers: the values of any field
    named ``indicators`` or ending in ``_indicators`` (a list of codes), in any step."""
    codes: set[str] = set()
    for name, values in sections.items():
        if name.startswith("_") or not isinstance(values, Mapping):
            continue
        for key, value in values.items():
            if (key == "indicators" or key.endswith("_indicators")) and isinstance(value, list):
                codes.update(str(code) for code in value)
    return codes


def _save_child_target(assessment: Assessment, step: str, data: Mapping[str, Any]) -> None:
    person_uuid = step[len("child-") : -len(f"-{steps.TARGET}")]
    child = Person.objects.filter(uuid=person_uuid, family_id=assessment.family_id).first()
    if child is None:
        return
    target = data.get("target_date")
    if not target:
        ChildTarget.objects.filter(assessment=assessment, child=child).delete()
        return
    ChildTarget.objects.update_or_create(
        assessment=assessment,
        child=child,
        defaults={
            "target_date": datetime.date.fromisoformat(str(target)[:10]),
            "reason": str(data.get("reason") or data.get("target_reason") or "")[:500],
        },
    )


def _alert_manager_of_proceeding_without_consent(assessment: Assessment, user) -> None:
    """Tell the practitioner's early help managers that an assessment goes ahead without
    consent on safeguarding grounds. The email carries a link, never a name or a reason."""
    from portal.accounts.models import User

    if not user.team_id:
        return
    managers = list(
        User.objects.filter(team_id=user.team_id, is_active=True, groups__name="Early help manager")
        .exclude(pk=user.pk)
        .values_list("email", flat=True)
        .distinct()
    )
    if not managers:
        return
    link = reverse("eh_assessments:task_list", kwargs={"pk": assessment.uuid})
    subject = "An early help assessment is going ahead without consent"
    body = (
        f"Early help assessment {assessment.reference} is going ahead without the family's consent, "
        "for a safeguarding reason. As their manager, please review the decision:\n"
        f"{link}\n\nThis message does not contain any details. Do not reply to it."
    )

    def send() -> None:
        try:
            send_mail(subject, body, None, managers)
        except Exception:  # the decision is recorded; a failed email must not undo it
            logger.exception("Could not email managers about assessment %s", assessment.pk)

    transaction.on_commit(send)


# --- Submitting ----------------------------------------------------------------------------
def submit_assessment(assessment: Assessment, *, expected_version: int, user, request=None) -> Assessment:
    """Submit a draft: every applicable, required step completed and a consent decision
    recorded (consent given, or a safeguarding reason to proceed without it). Answers to steps
    that no longer apply (the domestic abuse questions after the indication was withdrawn, a
    removed child's steps) are dropped, so what is submitted is what was checked."""
    with transaction.atomic():
        fresh = Assessment.objects.select_related("family").get(pk=assessment.pk)
        if not fresh.is_draft:
            raise AssessmentLocked(str(assessment))
        if fresh.version != expected_version:
            raise StaleAssessment(str(assessment))
        registry = steps.applicable_steps(fresh, steps.steps_for(fresh))
        sections = fresh.sections or {}
        missing = [step.heading for step in steps.missing_steps(registry, sections)]
        if fresh.consent_given is None and "Consent" not in missing:
            missing.insert(0, "Consent")
        if missing:
            raise AssessmentIncomplete(missing)
        kept = {step.name: sections[step.name] for step in registry if step.name in sections}
        now = timezone.now()
        updated = Assessment.objects.filter(
            pk=assessment.pk, version=expected_version, status=Assessment.Status.DRAFT
        ).update(
            status=Assessment.Status.SUBMITTED,
            sections=kept,
            **submission_fields(now),
            version=F("version") + 1,
            updated_at=now,
            updated_by=user,
        )
        if updated != 1:
            raise StaleAssessment(str(assessment))
        assessment.status = Assessment.Status.SUBMITTED
        assessment.sections = kept
        vars(assessment).update(submission_fields(now))
        assessment.version = expected_version + 1
        assessment.updated_by = user
        record(
            request,
            Action.UPDATE,
            assessment,
            object_repr=assessment.reference or "",
            detail={"submitted": True, "version": assessment.version},
            actor=user,
        )
    return assessment


# --- Family members ------------------------------------------------------------------------
def _person_values(data: Mapping[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in data.items() if key in PERSON_FIELDS}


_KEEP = object()


def _set_main_carer(person: Person, carer: Mapping[str, Any] | None) -> None:
    """``carer`` is ``{"person": <Person>, "kind": <relationship>}`` (who the main carer is and
    what they are to this person) or None to record no main carer."""
    Relationship.objects.filter(relative=person).exclude(person=carer["person"] if carer else None).delete()
    if carer:
        Relationship.objects.update_or_create(
            person=carer["person"], relative=person, defaults={"family_id": person.family_id, "kind": carer["kind"]}
        )


def add_person(family: Family, data: Mapping[str, Any], *, user, request=None, main_carer=None) -> Person:
    with transaction.atomic():
        person = Person.objects.create(family=family, **_person_values(data))
        _set_main_carer(person, main_carer)
        record(request, Action.CREATE, person, detail={"family": family.pk, "kind": person.kind}, actor=user)
    return person


def update_person(person: Person, data: Mapping[str, Any], *, user, request=None, main_carer=_KEEP) -> Person:
    """Change someone's details; ``main_carer`` as in ``add_person`` (left alone when not given)."""
    with transaction.atomic():
        values = _person_values(data)
        changed = sorted(name for name, value in values.items() if getattr(person, name) != value)
        for name, value in values.items():
            setattr(person, name, value)
        person.full_clean(exclude=["family"])
        person.save()
        if main_carer is not _KEEP:
            _set_main_carer(person, main_carer)
        record(request, Action.UPDATE, person, detail={"family": person.family_id, "fields": changed}, actor=user)
    return person


def remove_person(person: Person, *, user, request=None) -> None:
    """Remove someone from the family. Their per-child answers are dropped from the family's
    draft assessments, whose version moves on (a page open on that child's step is refused
    on save); submitted assessments are never changed, so a person in one stays."""
    with transaction.atomic():
        prefix = f"child-{person.uuid}-"
        drafts = list(
            Assessment.objects.select_for_update()
            .filter(family_id=person.family_id, status=Assessment.Status.DRAFT)
            .only("pk", "sections", "version")
        )
        if Assessment.objects.filter(family_id=person.family_id).exclude(status=Assessment.Status.DRAFT).exists():
            raise AssessmentLocked("This person is part of a submitted assessment.")
        for draft in drafts:
            sections = {k: v for k, v in (draft.sections or {}).items() if not k.startswith(prefix)}
            progress = {k: v for k, v in (sections.get(PROGRESS_KEY) or {}).items() if not k.startswith(prefix)}
            if progress:
                sections[PROGRESS_KEY] = progress
            else:
                sections.pop(PROGRESS_KEY, None)
            Assessment.objects.filter(pk=draft.pk).update(
                sections=sections, version=F("version") + 1, updated_at=timezone.now(), updated_by=user
            )
        person_pk, family_pk, kind = person.pk, person.family_id, person.kind
        person.delete()
        record(
            request,
            Action.DELETE,
            object_type="eh_assessments.person",
            object_id=person_pk,
            detail={"family": family_pk, "kind": kind},
            actor=user,
        )


def add_to_team_around_family(assessment: Assessment, users: Iterable, *, user, request=None) -> None:
    with transaction.atomic():
        users = list(users)
        assessment.team_around_family.add(*users)
        record(
            request,
            Action.UPDATE,
            assessment,
            object_repr=assessment.reference or "",
            detail={"team_around_family_added": [u.pk for u in users]},
            actor=user,
        )
