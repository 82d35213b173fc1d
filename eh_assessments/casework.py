"""Every change to an episode of help (issue 7): decisions and sign-off, plans, meetings,
reviews, outcome scores, closure and re-opening, supervision, delay reasons, chronology, the
casework outbox and the Operation Encompass hook.

Each function checks everything first and raises ``ValidationError`` (a message per field,
in GOV.UK words) or ``PermissionDenied`` before writing anything; then writes in one
transaction, with an audit event and a chronology entry. Emails go into the casework outbox
(:class:`~eh_assessments.models_casework.CaseworkMessage`) inside the same transaction and
are sent after commit, so a decision and its message are saved together or not at all.

Decisions (``record_decision``):

* **universal** (signposting to directory services), **single agency** and **team around the
  family** take effect at once; the last two open an episode (or update the open one that came
  from the same request for help);
* **step-up** (child in need or child protection), **step-down** and **closure** wait for an
  early help manager's sign-off (:func:`sign_off`) by someone other than the proposer. A child
  protection step-up alerts the front door when it is *proposed* — section 47 concerns go
  to the front door immediately, and the sign-off only settles what happens to the episode;
* a **step-down**, once signed off, waits for its handover meeting: the episode opens only
  when the meeting is recorded as held (:func:`complete_handover`), on or after its date;
* **re-open** makes a new episode linked to the closed one (see models_casework).

The referrer is told the outcome once, by email, with the reference only.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from portal import outbox
from portal.accounts.models import User
from portal.audit.models import AuditEvent
from portal.audit.services import record

from . import casework_selectors as sel
from . import outcomes as outcome_areas
from . import timeliness
from .chronology import encompass_summary, person_key
from .models import Assessment, Person, Referral
from .models_casework import (
    ActionProgress,
    CaseworkMessage,
    ChronologyEntry,
    ClosureReason,
    Decision,
    DelayReason,
    Episode,
    EpisodeService,
    Meeting,
    OutcomeRecord,
    OutcomeScore,
    Plan,
    PlanAction,
    PlanNeed,
    PlanOutcome,
    Review,
    Supervision,
    SustainedCheck,
)

logger = logging.getLogger(__name__)

Action = AuditEvent.Action
Kind = Decision.Kind

MAX_RATIONALE = 5000
MAX_TEXT = 5000
OPENING_KINDS = frozenset({Kind.SINGLE_AGENCY, Kind.TEAM_AROUND_FAMILY})
SUBJECT_KINDS = frozenset({Kind.UNIVERSAL, Kind.SINGLE_AGENCY, Kind.TEAM_AROUND_FAMILY, Kind.STEP_DOWN})
SUSTAINED_CHECK_REASONS = frozenset({ClosureReason.NEEDS_MET, ClosureReason.SINGLE_AGENCY})
CASE_PATH = "/portal/assessments/cases/{uuid}/"


class Errors:
    """Collects field errors; ``raise_if_any`` raises them all as one ValidationError."""

    def __init__(self):
        self.errors: dict[str, list[str]] = {}

    def add(self, field: str, message: str) -> None:
        self.errors.setdefault(field, []).append(message)

    def __bool__(self) -> bool:
        return bool(self.errors)

    def raise_if_any(self) -> None:
        if self.errors:
            raise ValidationError(self.errors)


def _text(value) -> str:
    return (value or "").strip() if isinstance(value, str) or value is None else str(value).strip()


def _required_text(
    errors: Errors, field: str, value, message: str, *, limit: int = MAX_TEXT, what: str = "The answer"
) -> str:
    text = _text(value)
    if not text:
        errors.add(field, message)
    elif len(text) > limit:
        errors.add(field, f"{what} must be {limit} characters or fewer")
    return text


def _limit(errors: Errors, field: str, text: str, limit: int, what: str) -> None:
    if len(text) > limit:
        errors.add(field, f"{what} must be {limit} characters or fewer")


def case_path(episode: Episode) -> str:
    return CASE_PATH.format(uuid=episode.uuid)


def _audit(request, user, action, obj, *, repr_: str = "", **detail) -> None:
    record(request, action, obj, object_repr=repr_ or getattr(obj, "reference", "") or "", detail=detail, actor=user)


def _chronicle(
    family_id: int,
    *,
    kind: str,
    summary: str,
    episode: Episode | None = None,
    occurred_at: datetime.datetime | None = None,
    key: str | None = None,
    child: Person | None = None,
    user=None,
    detail: str = "",
    source: str = ChronologyEntry.Source.AUTOMATIC,
) -> None:
    entry = ChronologyEntry(
        family_id=family_id,
        episode=episode,
        child=child,
        occurred_at=occurred_at or timezone.now(),
        kind=kind,
        summary=summary[:300],
        detail=detail,
        key=key,
        source=source,
        created_by=user,
    )
    if key is None:
        entry.save()
    else:
        ChronologyEntry.objects.bulk_create([entry], ignore_conflicts=True)


def _queue(*, key: str, kind: str, email: str, subject: str, body: str, recipient=None, episode=None, now=None) -> bool:
    """Put one message in the outbox unless its key is already there. True when queued."""
    if not email:
        return False
    key = key[:200]
    if CaseworkMessage.objects.filter(key=key).exists():
        return False
    try:
        with transaction.atomic():  # a savepoint: a racing duplicate leaves the caller's work intact
            CaseworkMessage.objects.create(
                key=key,
                kind=kind,
                email=email,
                subject=subject,
                body=body,
                recipient=recipient,
                episode=episode,
                next_attempt_at=now or timezone.now(),
            )
    except IntegrityError:
        return False
    transaction.on_commit(_enqueue_delivery)
    return True


def _enqueue_delivery() -> None:
    from .casework_tasks import deliver_casework_messages

    try:
        deliver_casework_messages.enqueue()
    except Exception:  # the outbox keeps it; casework_tick sends it
        logger.exception("Could not enqueue casework message delivery; the outbox will be retried.")


def _base_url() -> str:
    from portal.encompass import conf

    return conf.base_url()


def _footer() -> str:
    return "\n\nThis message does not contain any details. Do not reply to it."


# --- Who may decide ----------------------------------------------------------------------------


def _is_manager_for(user, team_id) -> bool:
    return sel.is_manager(user) and (team_id is None or team_id == user.team_id)


def _check_may_decide(user, *, referral, assessment, episode) -> None:
    slugs = sel._slugs(user)
    if episode is not None:
        if episode.lead_professional_id == user.pk and slugs & sel.CASE_ROLES:
            return
        if _is_manager_for(user, episode.team_id):
            return
        raise PermissionDenied("Only the lead professional or an early help manager of the team can decide this.")
    if assessment is not None:
        if assessment.lead_professional_id == user.pk and slugs & sel.CASE_ROLES:
            return
        if _is_manager_for(user, assessment.team_id):
            return
        raise PermissionDenied("Only the lead professional or an early help manager of the team can decide this.")
    if sel.FRONT_DOOR in slugs or _is_manager_for(user, referral.family.team_id):
        return
    raise PermissionDenied("Only the front door or an early help manager can decide on a request for help.")


def _is_practitioner(user) -> bool:
    return bool(user is not None and user.is_active and sel._slugs(user) & sel.CASE_ROLES)


# --- Decisions ---------------------------------------------------------------------------------


def _children_for(referral: Referral | None, assessment: Assessment | None, family_id: int) -> list[Person]:
    source = referral or (assessment.referral if assessment is not None else None)
    if source is not None:
        children = list(source.children.all())
        if children:
            return children
    return list(Person.objects.filter(family_id=family_id, kind=Person.CHILD))


def _open_episode_from(referral: Referral | None) -> Episode | None:
    if referral is None:
        return None
    return (
        Episode.objects.select_for_update()
        .filter(referral=referral, status=Episode.Status.OPEN)
        .order_by("-opened_on", "-pk")
        .first()
    )


def record_decision(
    *,
    user,
    kind: str,
    rationale: str,
    referral: Referral | None = None,
    assessment: Assessment | None = None,
    episode: Episode | None = None,
    level_of_need: int | None = None,
    lead_professional=None,
    members: Iterable = (),
    team=None,
    service_page_ids: Iterable[int] = (),
    handover_meeting_on: datetime.date | None = None,
    family_consent: bool | None = None,
    closure_reason: str = "",
    closure_other: str = "",
    closure_summary: str = "",
    request=None,
    now: datetime.datetime | None = None,
) -> Decision:
    """Record a decision (see the module docstring for what each kind does). Decide on a
    request for help (``referral``), a submitted ``assessment``, or an ``episode`` (step-up,
    closure, re-open). Nothing is written if anything is wrong."""
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    errors = Errors()
    if kind not in Kind.values:
        raise ValidationError({"kind": ["Select what was decided"]})
    members = [m for m in members if m is not None]
    if assessment is not None and referral is None:
        referral = assessment.referral
    subjects = [s for s in (assessment or referral, episode) if s is not None]
    if len(subjects) != 1:
        raise ValidationError(
            {"__all__": ["Decide on one thing: a request for help, a submitted assessment or an episode of help"]}
        )
    if kind in (Kind.CLOSURE, Kind.REOPEN) and episode is None:
        raise ValidationError({"__all__": ["Closing or re-opening is decided on an episode of help"]})
    if kind in SUBJECT_KINDS and episode is not None:
        raise ValidationError({"__all__": ["This decision is made on a request for help or a submitted assessment"]})

    family_id = episode.family_id if episode is not None else (assessment or referral).family_id
    _check_may_decide(user, referral=referral, assessment=assessment, episode=episode)

    rationale = _required_text(
        errors, "rationale", rationale, "Enter the reasons for the decision", limit=MAX_RATIONALE, what="The reasons"
    )

    with transaction.atomic():
        # Lock the subject so two people cannot decide the same thing at once.
        if episode is not None:
            episode = Episode.objects.select_for_update().get(pk=episode.pk)
        if assessment is not None:
            assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
            if assessment.status == Assessment.Status.DRAFT:
                errors.add("__all__", f"Submit assessment {assessment.reference} before deciding on it")
            elif assessment.status == Assessment.Status.DECIDED or (
                Decision.objects.filter(assessment=assessment).exclude(status=Decision.Status.REJECTED).exists()
            ):
                errors.add("__all__", f"Assessment {assessment.reference} has already been decided")
        elif referral is not None:
            referral = Referral.objects.select_for_update().get(pk=referral.pk)
            if (
                Decision.objects.filter(referral=referral, assessment__isnull=True)
                .exclude(status=Decision.Status.REJECTED)
                .exists()
            ):
                errors.add("__all__", f"Request for help {referral.reference} has already been decided")

        ids = _clean_service_ids(errors, service_page_ids) if kind == Kind.UNIVERSAL else []
        if kind in OPENING_KINDS or kind == Kind.STEP_DOWN:
            if lead_professional is None:
                errors.add("lead_professional", "Select the lead professional")
            elif not _is_practitioner(lead_professional):
                errors.add("lead_professional", "The lead professional must be an active early help practitioner")
        if kind == Kind.TEAM_AROUND_FAMILY:
            others = [m for m in members if lead_professional is None or m.pk != lead_professional.pk]
            if not others:
                errors.add("members", "Add at least one other professional to the team around the family")
            elif not all(_is_practitioner(m) for m in others):
                errors.add("members", "Everyone in the team around the family must be an active practitioner")
        if kind == Kind.STEP_DOWN:
            source = referral.source_agency if referral is not None else ""
            if source != "social_care":
                errors.add(
                    "__all__", "A step-down is for a family coming from children's social care (a child in need case)"
                )
            if handover_meeting_on is None:
                errors.add("handover_meeting_on", "Enter the date of the handover meeting")
            if family_consent is not True:
                errors.add("family_consent", "A step-down needs the family's consent: record that they agree")
        if kind in (Kind.STEP_UP_CIN, Kind.STEP_UP_CP, Kind.CLOSURE) and episode is not None:
            if episode.status != Episode.Status.OPEN:
                errors.add("__all__", f"Episode {episode.reference} is not open")
            elif Decision.objects.filter(
                episode=episode,
                status=Decision.Status.PENDING,
                kind__in=[Kind.CLOSURE, Kind.STEP_UP_CIN, Kind.STEP_UP_CP],
            ).exists():
                errors.add("__all__", f"Episode {episode.reference} already has a decision waiting for sign-off")
        if kind == Kind.CLOSURE:
            closure_other = _text(closure_other)
            if closure_reason not in ClosureReason.values:
                errors.add("closure_reason", "Select why the episode is closing")
            elif closure_reason == ClosureReason.STEPPED_UP:
                errors.add(
                    "closure_reason", "To step up, record a step-up decision: it closes the episode when signed off"
                )
            elif closure_reason == ClosureReason.OTHER and not closure_other:
                errors.add("closure_other", "Enter the other reason for closing")
            _limit(errors, "closure_other", closure_other, 500, "The other reason")
            closure_summary = _required_text(errors, "closure_summary", closure_summary, "Enter a closing summary")
        if kind == Kind.REOPEN:
            if episode.status != Episode.Status.CLOSED:
                errors.add("__all__", f"Episode {episode.reference} is not closed")
            elif episode.reopened_as.exists():
                errors.add("__all__", f"Episode {episode.reference} has already been re-opened")
        if level_of_need is not None and level_of_need not in (1, 2, 3, 4):
            errors.add("level_of_need", "Select a level of need from 1 to 4")
        errors.raise_if_any()

        if team is None:
            lead_team = getattr(lead_professional, "team", None)
            team = (
                episode.team
                if episode is not None
                else (assessment.team if assessment is not None and assessment.team_id else lead_team)
            )
            if team is None and referral is not None:
                team = referral.family.team
        default_level = {Kind.UNIVERSAL: 1, Kind.SINGLE_AGENCY: 2, Kind.TEAM_AROUND_FAMILY: 3, Kind.STEP_DOWN: 2}
        decision = Decision.objects.create(
            kind=kind,
            status=Decision.Status.PENDING if kind in Decision.NEEDS_SIGN_OFF else Decision.Status.RECORDED,
            family_id=family_id,
            referral=referral,
            assessment=assessment,
            episode=episode,
            rationale=rationale,
            team=team,
            level_of_need=level_of_need or default_level.get(kind) or (4 if kind in sel.STEP_UPS else None),
            lead_professional=lead_professional,
            service_page_ids=ids,
            handover_meeting_on=handover_meeting_on,
            family_consent=family_consent,
            closure_reason=closure_reason if kind == Kind.CLOSURE else "",
            closure_other=closure_other if kind == Kind.CLOSURE else "",
            closure_summary=closure_summary if kind == Kind.CLOSURE else "",
            proposed_by=user,
            proposed_at=now,
        )
        if members:
            decision.members.set(members)
        subject_ref = (episode or assessment or referral).reference
        verb = "proposed" if decision.is_pending else "decided"
        _chronicle(
            family_id,
            kind="decision",
            summary=f"{decision.get_kind_display()} {verb} ({subject_ref})",
            detail=rationale,
            episode=episode,
            occurred_at=now,
            key=f"decision:{decision.pk}:proposed",
        )
        _audit(request, user, Action.CREATE, decision, repr_=subject_ref, kind=kind, status=decision.status)
        if kind == Kind.STEP_UP_CP:
            _alert_front_door(decision, now=now)
        if decision.is_effective:
            _apply(decision, user=user, today=today, now=now, request=request)
    return decision


def _clean_service_ids(errors: Errors, service_page_ids: Iterable[int]) -> list[int]:
    from directory.selectors import public_services

    try:
        ids = list(dict.fromkeys(int(i) for i in service_page_ids))
    except (TypeError, ValueError):
        errors.add("service_page_ids", "Choose services from the directory")
        return []
    if not ids:
        errors.add("service_page_ids", "Choose at least one service from the directory")
        return []
    found = set(public_services().filter(pk__in=ids).values_list("pk", flat=True))
    if missing := [i for i in ids if i not in found]:
        errors.add("service_page_ids", f"{len(missing)} of the services chosen is not in the directory any more")
    return ids


def sign_off(decision: Decision, *, user, approve: bool, note: str = "", request=None, now=None) -> Decision:
    """An early help manager signs off (or does not agree) a step-up, step-down or closure
    proposed by someone else. Signing off makes the decision take effect."""
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    if not sel.is_manager(user):
        raise PermissionDenied("Only an early help manager can sign off a decision.")
    if decision.team_id is not None and decision.team_id != user.team_id:
        raise PermissionDenied("Only an early help manager of the team can sign off this decision.")
    errors = Errors()
    note = _text(note)
    _limit(errors, "note", note, MAX_TEXT, "The note")
    with transaction.atomic():
        decision = (
            Decision.objects.select_for_update(of=("self",)).select_related("episode", "referral").get(pk=decision.pk)
        )
        if decision.proposed_by_id == user.pk:
            errors.add("__all__", "You proposed this decision: another early help manager must sign it off")
        if decision.status != Decision.Status.PENDING:
            errors.add("__all__", "This decision has already been signed off or not agreed")
        if not approve and not note:
            errors.add("note", "Enter why you do not agree with the decision")
        if approve and decision.episode_id and decision.episode.status != Episode.Status.OPEN:
            errors.add("__all__", f"Episode {decision.episode.reference} is not open any more")
        errors.raise_if_any()
        decision.status = Decision.Status.APPROVED if approve else Decision.Status.REJECTED
        decision.signed_off_by = user
        decision.signed_off_at = now
        decision.sign_off_note = note
        decision.save(update_fields=["status", "signed_off_by", "signed_off_at", "sign_off_note"])
        _chronicle(
            decision.family_id,
            kind="sign_off",
            summary=f"{decision.get_kind_display()} {'signed off' if approve else 'not agreed'} by a manager",
            detail=note,
            episode=decision.episode,
            occurred_at=now,
            key=f"decision:{decision.pk}:signed",
        )
        _audit(request, user, Action.UPDATE, decision, repr_=f"Decision {decision.pk}", signed_off=approve)
        if approve:
            _apply(decision, user=user, today=today, now=now, request=request)
    return decision


def _apply(decision: Decision, *, user, today: datetime.date, now, request) -> None:
    """Make an effective (recorded or signed-off) decision happen."""
    kind = decision.kind
    if decision.assessment_id:
        Assessment.objects.filter(pk=decision.assessment_id).update(
            status=Assessment.Status.DECIDED, decided_at=now, level_of_need=decision.level_of_need
        )
    if kind in OPENING_KINDS:
        episode = _open_or_update(decision, today=today, now=now)
        decision.opened_episode = episode
        decision.save(update_fields=["opened_episode"])
        _audit(request, user, Action.CREATE, episode, kind=kind)
    elif kind == Kind.STEP_DOWN:
        episode = Episode.objects.create(
            family_id=decision.family_id,
            referral=decision.referral,
            assessment=decision.assessment,
            team=decision.team,
            lead_professional=decision.lead_professional,
            level_of_need=decision.level_of_need or 2,
            status=Episode.Status.AWAITING_HANDOVER,
            handover_planned_on=decision.handover_meeting_on,
        )
        episode.children.set(_children_for(decision.referral, decision.assessment, decision.family_id))
        Meeting.objects.create(
            episode=episode, kind=Meeting.Kind.HANDOVER, scheduled_on=decision.handover_meeting_on, created_by=user
        )
        decision.opened_episode = episode
        decision.save(update_fields=["opened_episode"])
        _chronicle(
            decision.family_id,
            kind="episode",
            summary=f"Step-down agreed: episode {episode.reference} opens after the handover meeting on "
            f"{decision.handover_meeting_on:%-d %B %Y}",
            episode=episode,
            occurred_at=now,
            key=f"episode:{episode.pk}:awaiting",
        )
        _audit(request, user, Action.CREATE, episode, kind=kind)
    elif kind in sel.STEP_UPS:
        if kind == Kind.STEP_UP_CIN:
            _alert_front_door(decision, now=now)
        if decision.episode_id:
            _close(
                decision.episode,
                reason=ClosureReason.STEPPED_UP,
                other="",
                summary=decision.rationale,
                today=today,
                now=now,
            )
    elif kind == Kind.CLOSURE:
        _close(
            decision.episode,
            reason=decision.closure_reason,
            other=decision.closure_other,
            summary=decision.closure_summary,
            today=today,
            now=now,
        )
    elif kind == Kind.REOPEN:
        old = decision.episode
        episode = Episode.objects.create(
            family_id=old.family_id,
            referral=old.referral,
            assessment=old.assessment,
            previous=old,
            team=decision.team or old.team,
            lead_professional=decision.lead_professional or old.lead_professional,
            level_of_need=decision.level_of_need or old.level_of_need,
            status=Episode.Status.OPEN,
            opened_on=today,
            first_meeting_due=timeliness.first_meeting_due(today),
        )
        episode.children.set(old.children.all())
        episode.members.set(decision.members.all() or old.members.all())
        decision.opened_episode = episode
        decision.save(update_fields=["opened_episode"])
        _chronicle(
            decision.family_id,
            kind="episode",
            summary=f"Episode {old.reference} re-opened as {episode.reference}",
            episode=episode,
            occurred_at=now,
            key=f"episode:{episode.pk}:opened",
        )
        _audit(request, user, Action.CREATE, episode, reopens=old.reference)
    if decision.referral_id and (kind in SUBJECT_KINDS or kind in sel.STEP_UPS):
        _tell_referrer(decision, now=now)


def _open_or_update(decision: Decision, *, today, now) -> Episode:
    episode = _open_episode_from(decision.referral)
    if episode is None:
        episode = Episode.objects.create(
            family_id=decision.family_id,
            referral=decision.referral,
            assessment=decision.assessment,
            team=decision.team,
            lead_professional=decision.lead_professional,
            level_of_need=decision.level_of_need,
            status=Episode.Status.OPEN,
            opened_on=today,
            first_meeting_due=timeliness.first_meeting_due(today),
        )
        episode.children.set(_children_for(decision.referral, decision.assessment, decision.family_id))
        summary = f"Episode {episode.reference} opened: {decision.get_kind_display().lower()}"
    else:
        episode.level_of_need = decision.level_of_need
        episode.lead_professional = decision.lead_professional
        episode.team = decision.team or episode.team
        episode.assessment = decision.assessment or episode.assessment
        episode.save(update_fields=["level_of_need", "lead_professional", "team", "assessment"])
        summary = f"Episode {episode.reference} changed to {decision.get_kind_display().lower()}"
    episode.members.set([m for m in decision.members.all() if m.pk != decision.lead_professional_id])
    _chronicle(
        decision.family_id,
        kind="episode",
        summary=summary,
        episode=episode,
        occurred_at=now,
        key=f"decision:{decision.pk}:episode",
    )
    return episode


def _close(episode: Episode, *, reason, other, summary, today, now) -> None:
    episode.status = Episode.Status.CLOSED
    episode.closed_on = today
    episode.closure_reason = reason
    episode.closure_other = other
    episode.closure_summary = summary
    episode.sustained_check_due = timeliness.sustained_check_due(today) if reason in SUSTAINED_CHECK_REASONS else None
    episode.save(
        update_fields=[
            "status",
            "closed_on",
            "closure_reason",
            "closure_other",
            "closure_summary",
            "sustained_check_due",
        ]
    )
    _chronicle(
        episode.family_id,
        kind="closure",
        summary=f"Episode {episode.reference} closed: {episode.how_it_ended.removeprefix('Closed: ')}",
        detail=summary,
        episode=episode,
        occurred_at=now,
        key=f"episode:{episode.pk}:closed",
    )


def referrer_outcome_text(decision: Decision) -> str:
    team = decision.team.name if decision.team_id else ""
    if decision.kind == Kind.UNIVERSAL:
        return "the family has been given information about services that can help"
    if decision.kind in sel.STEP_UPS:
        return "it has been passed to children's social care"
    return (
        f"the family has been offered early help from the {team} team"
        if team
        else ("the family has been offered early help")
    )


def _tell_referrer(decision: Decision, *, now) -> bool:
    """Tell whoever asked for help what happened, once per request for help: a reference and
    the kind of help only, no names or reasons."""
    referral = decision.referral
    if referral is None or not referral.referrer_email:
        return False
    outcome = referrer_outcome_text(decision)
    subject = f"Your request for help {referral.reference} has been considered"
    body = f"Your request for help {referral.reference} has been considered: {outcome}.{_footer()}"
    return _queue(
        key=f"referral-outcome:{referral.pk}",
        kind="referral_outcome",
        email=referral.referrer_email,
        subject=subject,
        body=body,
        now=now,
    )


def _alert_front_door(decision: Decision, *, now) -> int:
    """Alert everyone at the front door: at once for child protection (on proposal), on
    sign-off for a child in need step-up. No names, no reasons: a link."""
    from portal.encompass.selectors import users_with_role

    urgent = decision.kind == Kind.STEP_UP_CP
    subject = (
        "A child protection concern needs the front door now"
        if urgent
        else "A request for a child in need assessment needs the front door"
    )
    ref = (decision.episode or decision.assessment or decision.referral).reference
    link = f"{_base_url()}{case_path(decision.episode)}" if decision.episode_id else ""
    body = (
        f"{subject}: early help has stepped up {ref}."
        + (f"\n\nSign in to read it:\n{link}" if link else "\n\nSign in to the portal to read it.")
        + _footer()
    )
    sent = 0
    for person in users_with_role(sel.FRONT_DOOR):
        sent += _queue(
            key=f"step-up:{decision.pk}:{person.pk}",
            kind="step_up_cp" if urgent else "step_up_cin",
            email=person.email,
            subject=subject,
            body=body,
            recipient=person,
            episode=decision.episode,
            now=now,
        )
    Decision.objects.filter(pk=decision.pk).update(front_door_alerted_at=now)
    _chronicle(
        decision.family_id,
        kind="front_door",
        summary=f"Front door alerted: {decision.get_kind_display().lower()}",
        episode=decision.episode,
        occurred_at=now,
        key=f"decision:{decision.pk}:front_door",
    )
    return sent


def complete_handover(episode: Episode, *, user, held_on: datetime.date, notes: str = "", request=None) -> Episode:
    """Record that the step-down handover meeting was held: the episode opens then, never
    before the planned meeting date."""
    today = timezone.localdate()
    if not (episode.lead_professional_id == user.pk or _is_manager_for(user, episode.team_id)):
        raise PermissionDenied("Only the lead professional or an early help manager can record the handover.")
    errors = Errors()
    with transaction.atomic():
        episode = Episode.objects.select_for_update().get(pk=episode.pk)
        if episode.status != Episode.Status.AWAITING_HANDOVER:
            errors.add("__all__", f"Episode {episode.reference} is not waiting for a handover")
        elif held_on is None:
            errors.add("held_on", "Enter the date the handover meeting was held")
        elif held_on < episode.handover_planned_on:
            errors.add(
                "held_on",
                f"The transfer happens only after the handover meeting on {episode.handover_planned_on:%-d %B %Y}",
            )
        elif held_on > today:
            errors.add("held_on", "The date the handover meeting was held must be today or in the past")
        errors.raise_if_any()
        episode.status = Episode.Status.OPEN
        episode.opened_on = held_on
        episode.first_meeting_due = timeliness.first_meeting_due(held_on)
        episode.save(update_fields=["status", "opened_on", "first_meeting_due"])
        meeting = episode.meetings.filter(kind=Meeting.Kind.HANDOVER, held_on__isnull=True).first()
        if meeting is not None:
            meeting.held_on = held_on
            meeting.notes = _text(notes)
            meeting.save(update_fields=["held_on", "notes"])
        _chronicle(
            episode.family_id,
            kind="episode",
            summary=f"Handover meeting held: episode {episode.reference} transferred to early help",
            episode=episode,
            occurred_at=_noon(held_on),
            key=f"episode:{episode.pk}:opened",
        )
        _audit(request, user, Action.UPDATE, episode, handover_on=held_on.isoformat())
    return episode


def _noon(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(12, 0)))


# --- Plans, meetings and reviews -----------------------------------------------------------------


def _check_works_on(user, episode: Episode) -> None:
    if not sel.can_work_on(user, episode):
        raise PermissionDenied("Only the lead professional, the team around the family or their manager can do this.")


def _as_user(errors: Errors, field: str, value) -> User | None:
    if value in (None, ""):
        return None
    if isinstance(value, User):
        return value
    user = User.objects.filter(pk=value, is_active=True).first()
    if user is None:
        errors.add(field, "Select an owner from the list")
    return user


def agree_plan(
    episode: Episode, *, user, agreed_on: datetime.date, needs: list[Mapping[str, Any]], request=None
) -> Plan:
    """The family's plan. ``needs`` is a list of ``{"text", "child" (optional Person),
    "outcomes": [{"text", "actions": [{"text", "owner" (User or id) or "owner_name",
    "due_on", "service_page_id" (optional)}]}]}``: every need has at least one outcome the
    family wants, every outcome at least one action with an owner and a due date."""
    _check_works_on(user, episode)
    today = timezone.localdate()
    errors = Errors()
    if episode.status != Episode.Status.OPEN:
        errors.add("__all__", f"Episode {episode.reference} is not open")
    if Plan.objects.filter(episode=episode).exists():
        errors.add("__all__", f"Episode {episode.reference} already has a plan")
    if agreed_on is None:
        errors.add("agreed_on", "Enter the date the plan was agreed")
    elif agreed_on > today:
        errors.add("agreed_on", "The date the plan was agreed must be today or in the past")
    elif episode.opened_on and agreed_on < episode.opened_on:
        errors.add("agreed_on", f"The plan cannot be agreed before the episode opened on {episode.opened_on:%-d %B %Y}")
    if not needs:
        errors.add("needs", "Add at least one need")
    child_ids = set(episode.children.values_list("pk", flat=True))
    service_ids = set()
    cleaned = []
    for n, need in enumerate(needs or [], start=1):
        need_text = _required_text(errors, f"needs-{n}-text", need.get("text"), f"Enter need {n}", limit=1000)
        child = need.get("child")
        if child is not None and child.pk not in child_ids:
            errors.add(f"needs-{n}-child", f"Need {n} must be about a child in this episode")
        outcomes_ = need.get("outcomes") or []
        if not outcomes_:
            errors.add(f"needs-{n}-outcomes", f"Add what the family wants for need {n}")
        cleaned_outcomes = []
        for o, outcome in enumerate(outcomes_, start=1):
            prefix = f"needs-{n}-outcomes-{o}"
            outcome_text = _required_text(
                errors, f"{prefix}-text", outcome.get("text"), f"Enter what the family wants (need {n})", limit=1000
            )
            actions = outcome.get("actions") or []
            if not actions:
                errors.add(f"{prefix}-actions", f"Add at least one action for need {n}")
            cleaned_actions = []
            for a, action in enumerate(actions, start=1):
                ap = f"{prefix}-actions-{a}"
                action_text = _required_text(errors, f"{ap}-text", action.get("text"), "Enter the action", limit=1000)
                owner = _as_user(errors, f"{ap}-owner", action.get("owner"))
                owner_name = _text(action.get("owner_name"))
                _limit(errors, f"{ap}-owner_name", owner_name, 200, "The owner's name")
                if owner is None and not owner_name:
                    errors.add(f"{ap}-owner", "Enter who will do the action")
                due_on = action.get("due_on")
                if due_on is None:
                    errors.add(f"{ap}-due_on", "Enter the date the action is due")
                elif agreed_on and due_on < agreed_on:
                    errors.add(f"{ap}-due_on", "The action's due date must be on or after the date the plan was agreed")
                service_id = action.get("service_page_id")
                if service_id not in (None, ""):
                    try:
                        service_id = int(service_id)
                    except (TypeError, ValueError):
                        errors.add(f"{ap}-service_page_id", "Choose a service from the directory")
                        service_id = None
                    else:
                        service_ids.add(service_id)
                else:
                    service_id = None
                cleaned_actions.append((action_text, owner, owner_name, due_on, service_id, ap))
            cleaned_outcomes.append((outcome_text, cleaned_actions))
        cleaned.append((need_text, child, cleaned_outcomes))
    if service_ids:
        from directory.selectors import public_services

        found = set(public_services().filter(pk__in=service_ids).values_list("pk", flat=True))
        for _, _, outs in cleaned:
            for _, acts in outs:
                for *_, service_id, ap in acts:
                    if service_id is not None and service_id not in found:
                        errors.add(f"{ap}-service_page_id", "That service is not in the directory any more")
    errors.raise_if_any()
    with transaction.atomic():
        plan = Plan.objects.create(episode=episode, agreed_on=agreed_on, created_by=user)
        for n, (need_text, child, outs) in enumerate(cleaned):
            need = PlanNeed.objects.create(plan=plan, child=child, text=need_text, sort_order=n)
            for o, (outcome_text, acts) in enumerate(outs):
                outcome = PlanOutcome.objects.create(need=need, text=outcome_text, sort_order=o)
                PlanAction.objects.bulk_create(
                    PlanAction(
                        outcome=outcome,
                        text=text,
                        owner=owner,
                        owner_name=owner_name,
                        due_on=due_on,
                        service_page_id=service_id,
                        sort_order=a,
                    )
                    for a, (text, owner, owner_name, due_on, service_id, _) in enumerate(acts)
                )
        EpisodeService.record(episode.pk, service_ids)  # the outcomes dashboard's read model
        Episode.objects.filter(pk=episode.pk).update(next_review_due=timeliness.next_review_due(agreed_on))
        episode.next_review_due = timeliness.next_review_due(agreed_on)
        _chronicle(
            episode.family_id,
            kind="plan",
            summary=f"Plan agreed ({len(cleaned)} need{'s' if len(cleaned) != 1 else ''})",
            episode=episode,
            occurred_at=_noon(agreed_on),
            key=f"plan:{plan.pk}",
        )
        _audit(request, user, Action.CREATE, plan, repr_=episode.reference)
    return plan


def schedule_meeting(episode: Episode, *, user, kind: str, scheduled_on: datetime.date, request=None) -> Meeting:
    _check_works_on(user, episode)
    errors = Errors()
    if kind not in (Meeting.Kind.FIRST, Meeting.Kind.REVIEW):
        errors.add("kind", "Select the kind of meeting")
    if episode.status != Episode.Status.OPEN:
        errors.add("__all__", f"Episode {episode.reference} is not open")
    if scheduled_on is None:
        errors.add("scheduled_on", "Enter the date of the meeting")
    elif episode.opened_on and scheduled_on < episode.opened_on:
        errors.add("scheduled_on", "The meeting cannot be before the episode opened")
    if kind == Meeting.Kind.FIRST and episode.meetings.filter(kind=Meeting.Kind.FIRST).exists():
        errors.add("kind", "The first meeting is already scheduled: change its date instead")
    errors.raise_if_any()
    with transaction.atomic():
        meeting = Meeting.objects.create(episode=episode, kind=kind, scheduled_on=scheduled_on, created_by=user)
        _audit(request, user, Action.CREATE, meeting, repr_=episode.reference, kind=kind)
    return meeting


def record_meeting_held(meeting: Meeting, *, user, held_on: datetime.date, notes: str = "", request=None) -> Meeting:
    episode = meeting.episode
    _check_works_on(user, episode)
    errors = Errors()
    notes = _text(notes)
    _limit(errors, "notes", notes, MAX_TEXT, "The notes")
    if held_on is None:
        errors.add("held_on", "Enter the date the meeting was held")
    elif held_on > timezone.localdate():
        errors.add("held_on", "The date the meeting was held must be today or in the past")
    elif episode.opened_on and held_on < episode.opened_on:
        errors.add("held_on", "The meeting cannot have been held before the episode opened")
    if meeting.held_on is not None:
        errors.add("__all__", "This meeting has already been recorded as held")
    errors.raise_if_any()
    with transaction.atomic():
        meeting.held_on = held_on
        meeting.notes = notes
        meeting.save(update_fields=["held_on", "notes"])
        if meeting.kind == Meeting.Kind.FIRST:
            Episode.objects.filter(pk=episode.pk, first_meeting_held_on__isnull=True).update(
                first_meeting_held_on=held_on
            )
        _chronicle(
            episode.family_id,
            kind="meeting",
            summary=f"{meeting.get_kind_display()} held",
            detail=notes,
            episode=episode,
            occurred_at=_noon(held_on),
            key=f"meeting:{meeting.pk}:held",
        )
        _audit(request, user, Action.UPDATE, meeting, repr_=episode.reference, held_on=held_on.isoformat())
    return meeting


def record_review(
    episode: Episode,
    *,
    user,
    held_on: datetime.date,
    summary: str,
    progress: Mapping[int, Mapping[str, str]],
    scores: Mapping[str, Any] | None = None,
    meeting: Meeting | None = None,
    request=None,
) -> Review:
    """A review of the plan, with progress on every action (``{action id: {"status",
    "note"}}``) and, optionally, the outcome scores at this review."""
    _check_works_on(user, episode)
    today = timezone.localdate()
    errors = Errors()
    plan = Plan.objects.filter(episode=episode).first()
    if episode.status != Episode.Status.OPEN:
        errors.add("__all__", f"Episode {episode.reference} is not open")
    if plan is None:
        errors.add("__all__", "Agree a plan before recording a review")
    if held_on is None:
        errors.add("held_on", "Enter the date of the review")
    elif held_on > today:
        errors.add("held_on", "The date of the review must be today or in the past")
    elif plan is not None and held_on < plan.agreed_on:
        errors.add("held_on", f"The review cannot be dated before the plan was agreed on {plan.agreed_on:%-d %B %Y}")
    summary = _required_text(errors, "summary", summary, "Enter a summary of the review")
    actions = list(PlanAction.objects.filter(outcome__need__plan=plan)) if plan is not None else []
    progress = {int(k): v for k, v in (progress or {}).items()}
    for action in actions:
        entry = progress.get(action.pk)
        if entry is None or entry.get("status") not in PlanAction.Status.values:
            errors.add(f"progress-{action.pk}", "Select the progress on this action")
        elif len(_text(entry.get("note"))) > 2000:
            errors.add(f"progress-{action.pk}", "The note must be 2000 characters or fewer")
    if unknown := set(progress) - {a.pk for a in actions}:
        errors.add("__all__", f"{len(unknown)} of the actions given are not in this plan")
    cleaned_scores = None
    if scores:
        try:
            cleaned_scores = outcome_areas.clean_scores(scores)
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                for message in messages:
                    errors.add(f"scores-{field}", message)
    errors.raise_if_any()
    with transaction.atomic():
        review = Review.objects.create(
            episode=episode, plan=plan, meeting=meeting, held_on=held_on, summary=summary, recorded_by=user
        )
        ActionProgress.objects.bulk_create(
            ActionProgress(
                review=review,
                action=action,
                status=progress[action.pk]["status"],
                note=_text(progress[action.pk].get("note")),
            )
            for action in actions
        )
        for action in actions:
            action.status = progress[action.pk]["status"]
        PlanAction.objects.bulk_update(actions, ["status"])
        if cleaned_scores is not None:
            _save_scores(episode, OutcomeRecord.Stage.REVIEW, cleaned_scores, held_on, user, review=review)
        Episode.objects.filter(pk=episode.pk).update(next_review_due=timeliness.next_review_due(held_on))
        episode.next_review_due = timeliness.next_review_due(held_on)
        _chronicle(
            episode.family_id,
            kind="review",
            summary="Plan reviewed",
            detail=summary,
            episode=episode,
            occurred_at=_noon(held_on),
            key=f"review:{review.pk}",
        )
        _audit(request, user, Action.CREATE, review, repr_=episode.reference)
    return review


# --- Outcomes ----------------------------------------------------------------------------------


def _save_scores(episode, stage, cleaned, recorded_on, user, review=None) -> OutcomeRecord:
    outcome_record = OutcomeRecord.objects.create(
        episode=episode, stage=stage, review=review, recorded_on=recorded_on, recorded_by=user
    )
    OutcomeScore.objects.bulk_create(
        OutcomeScore(record=outcome_record, area=code, practitioner_score=s.practitioner, family_score=s.family)
        for code, s in cleaned.items()
    )
    # The outcomes dashboard's read model, in the same transaction as the scores.
    outcome_areas.refresh_episode_outcomes([episode.pk])
    return outcome_record


def record_outcome_scores(
    episode: Episode, *, user, stage: str, scores: Mapping[str, Any], recorded_on: datetime.date, request=None
) -> OutcomeRecord:
    """The ten outcome areas scored at the start or at closure (a review's scores are given
    with the review). Once each per episode."""
    _check_works_on(user, episode)
    errors = Errors()
    if stage not in (OutcomeRecord.Stage.START, OutcomeRecord.Stage.CLOSURE):
        errors.add("stage", "Outcome scores are recorded at the start, at a review or at closure")
    elif episode.outcome_records.filter(stage=stage).exists():
        errors.add("__all__", f"The {stage} scores for episode {episode.reference} are already recorded")
    if stage == OutcomeRecord.Stage.CLOSURE and episode.status == Episode.Status.AWAITING_HANDOVER:
        errors.add("__all__", f"Episode {episode.reference} has not started yet")
    if stage == OutcomeRecord.Stage.START and episode.status != Episode.Status.OPEN:
        errors.add("__all__", f"Episode {episode.reference} is not open")
    if recorded_on is None:
        errors.add("recorded_on", "Enter the date of the scores")
    elif recorded_on > timezone.localdate():
        errors.add("recorded_on", "The date of the scores must be today or in the past")
    elif episode.opened_on and recorded_on < episode.opened_on:
        errors.add("recorded_on", "The scores cannot be dated before the episode opened")
    cleaned = None
    try:
        cleaned = outcome_areas.clean_scores(scores or {})
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            for message in messages:
                errors.add(f"scores-{field}", message)
    errors.raise_if_any()
    with transaction.atomic():
        outcome_record = _save_scores(episode, stage, cleaned, recorded_on, user)
        _chronicle(
            episode.family_id,
            kind="outcomes",
            summary=f"Outcome scores recorded ({outcome_record.get_stage_display().lower()})",
            episode=episode,
            occurred_at=_noon(recorded_on),
            key=f"outcomes:{outcome_record.pk}",
        )
        _audit(request, user, Action.CREATE, outcome_record, repr_=episode.reference, stage=stage)
    return outcome_record


def record_sustained_check(
    episode: Episode, *, user, checked_on: datetime.date, sustained: bool | None, notes: str = "", request=None
) -> SustainedCheck:
    if not (episode.lead_professional_id == user.pk or _is_manager_for(user, episode.team_id)):
        raise PermissionDenied("Only the lead professional or an early help manager can record this check.")
    errors = Errors()
    notes = _text(notes)
    _limit(errors, "notes", notes, MAX_TEXT, "The notes")
    if episode.status != Episode.Status.CLOSED:
        errors.add("__all__", f"Episode {episode.reference} is not closed")
    elif SustainedCheck.objects.filter(episode=episode).exists():
        errors.add("__all__", "The sustained-outcome check is already recorded")
    if sustained is None:
        errors.add("sustained", "Select whether the family's progress has lasted")
    if checked_on is None:
        errors.add("checked_on", "Enter the date of the check")
    elif checked_on > timezone.localdate():
        errors.add("checked_on", "The date of the check must be today or in the past")
    elif episode.closed_on and checked_on < episode.closed_on:
        errors.add("checked_on", "The check cannot be dated before the episode closed")
    errors.raise_if_any()
    with transaction.atomic():
        check = SustainedCheck.objects.create(
            episode=episode, checked_on=checked_on, sustained=sustained, notes=notes, checked_by=user
        )
        _chronicle(
            episode.family_id,
            kind="sustained_check",
            summary="Sustained-outcome check: progress " + ("has lasted" if sustained else "has not lasted"),
            detail=notes,
            episode=episode,
            occurred_at=_noon(checked_on),
            key=f"sustained:{episode.pk}",
        )
        _audit(request, user, Action.CREATE, check, repr_=episode.reference, sustained=sustained)
    return check


def prompt_sustained_checks(*, today: datetime.date | None = None, now=None) -> int:
    """Prompt the lead professional of every episode whose sustained-outcome check is due
    (6 months after closure) and not yet prompted: once each, whatever how often this runs.
    Returns how many were prompted."""
    now = now or timezone.now()
    today = today or timezone.localdate()
    due = list(
        Episode.objects.filter(
            status=Episode.Status.CLOSED,
            sustained_check_due__lte=today,
            sustained_check_prompted_at__isnull=True,
        )
        .order_by("sustained_check_due", "pk")
        .values_list("pk", flat=True)
    )
    prompted = 0
    for pk in due:
        with transaction.atomic():
            claimed = Episode.objects.filter(pk=pk, sustained_check_prompted_at__isnull=True).update(
                sustained_check_prompted_at=now
            )
            if not claimed:
                continue
            episode = Episode.objects.select_related("lead_professional").get(pk=pk)
            lead = episode.lead_professional
            if lead is not None and lead.is_active:
                subject = f"It is time for the sustained-outcome check on episode {episode.reference}"
                body = (
                    f"Episode of help {episode.reference} closed six months ago. Please check with the family "
                    f"whether their progress has lasted and record it:\n{_base_url()}{case_path(episode)}{_footer()}"
                )
                _queue(
                    key=f"sustained-check:{episode.pk}",
                    kind="sustained_check",
                    email=lead.email,
                    subject=subject,
                    body=body,
                    recipient=lead,
                    episode=episode,
                    now=now,
                )
            record(
                None,
                Action.OTHER,
                episode,
                object_repr=episode.reference,
                detail={"sustained_check_prompted": True},
            )
            prompted += 1
    return prompted


# --- Timeliness, supervision, chronology --------------------------------------------------------


def record_delay_reason(assessment: Assessment, *, user, reason: str, child: Person | None = None, request=None):
    from .selectors import can_view

    if not can_view(user, assessment):
        raise PermissionDenied("You cannot see this assessment.")
    errors = Errors()
    reason = _required_text(errors, "reason", reason, "Enter the reason for the delay", limit=1000)
    if child is not None and (child.family_id != assessment.family_id or not child.is_child):
        errors.add("child", "Select a child in this family")
    errors.raise_if_any()
    with transaction.atomic():
        delay = DelayReason.objects.create(assessment=assessment, child=child, reason=reason, recorded_by=user)
        _audit(request, user, Action.CREATE, delay, repr_=assessment.reference)
    return delay


SUPERVISION_PROMPTS = {
    "what_is_working": "Enter what is working",
    "what_worries_us": "Enter what worries us",
    "child_would_say": "Enter what the child would say",
    "what_next": "Enter what happens next",
}


def record_supervision(
    episode: Episode,
    *,
    user,
    held_on: datetime.date,
    practitioner=None,
    request=None,
    **answers: str,
) -> Supervision:
    """A reflective case supervision, by an early help manager of the episode's team. All four
    prompts need an answer."""
    if not sel.can_manage(user, episode):
        raise PermissionDenied("Only an early help manager of the team can record supervision.")
    errors = Errors()
    if unknown := set(answers) - set(SUPERVISION_PROMPTS):
        raise TypeError(f"Unknown supervision fields: {', '.join(sorted(unknown))}")
    cleaned = {
        name: _required_text(errors, name, answers.get(name), message) for name, message in SUPERVISION_PROMPTS.items()
    }
    if held_on is None:
        errors.add("held_on", "Enter the date of the supervision")
    elif held_on > timezone.localdate():
        errors.add("held_on", "The date of the supervision must be today or in the past")
    errors.raise_if_any()
    with transaction.atomic():
        supervision = Supervision.objects.create(
            episode=episode,
            supervisor=user,
            practitioner=practitioner or episode.lead_professional,
            held_on=held_on,
            **cleaned,
        )
        _chronicle(
            episode.family_id,
            kind="supervision",
            summary="Case supervision held",
            episode=episode,
            occurred_at=_noon(held_on),
            key=f"supervision:{supervision.pk}",
        )
        _audit(request, user, Action.CREATE, supervision, repr_=episode.reference)
    return supervision


def add_chronology_entry(
    episode: Episode,
    *,
    user,
    occurred_at: datetime.datetime,
    summary: str,
    detail: str = "",
    child: Person | None = None,
    request=None,
) -> ChronologyEntry:
    """A practitioner's own entry in the family's chronology."""
    _check_works_on(user, episode)
    errors = Errors()
    summary = _required_text(errors, "summary", summary, "Enter what happened", limit=300)
    detail = _text(detail)
    _limit(errors, "detail", detail, MAX_TEXT, "The details")
    if occurred_at is None:
        errors.add("occurred_at", "Enter when it happened")
    elif occurred_at > timezone.now():
        errors.add("occurred_at", "The date must be today or in the past")
    if child is not None and not episode.children.filter(pk=child.pk).exists():
        errors.add("child", "Select a child in this episode")
    errors.raise_if_any()
    with transaction.atomic():
        entry = ChronologyEntry.objects.create(
            family_id=episode.family_id,
            episode=episode,
            child=child,
            occurred_at=occurred_at,
            kind="manual",
            summary=summary,
            detail=detail,
            source=ChronologyEntry.Source.MANUAL,
            created_by=user,
        )
        _audit(request, user, Action.CREATE, entry, repr_=episode.reference)
    return entry


# --- Operation Encompass -------------------------------------------------------------------------


def alert_open_cases_for(notified_child, *, now=None) -> int:
    """An Operation Encompass notification about a child with an open episode of early help
    alerts the episode's lead professional (DESIGN.md data flow) and goes in the family's
    chronology. The child is matched as the Encompass router matches a pupil: the same name
    (case and spacing ignored) and date of birth. The alert says only that there is a
    notification, never its details. Safe to call twice: one alert and one entry per
    notified child and episode. Returns how many episodes were alerted."""
    now = now or timezone.now()
    key = person_key(notified_child)
    candidates = Person.objects.filter(kind=Person.CHILD, date_of_birth=notified_child.date_of_birth)
    people = [p for p in candidates if person_key(p) == key]
    if not people:
        return 0
    by_person = {p.pk: p for p in people}
    links = (
        Episode.children.through.objects.filter(person_id__in=by_person, episode__status=Episode.Status.OPEN)
        .select_related("episode", "episode__lead_professional")
        .order_by("episode_id")
    )
    alerted = 0
    with transaction.atomic():
        for link in links:
            episode = link.episode
            lead = episode.lead_professional
            if lead is not None and lead.is_active:
                _queue(
                    key=f"encompass:{notified_child.pk}:{episode.pk}",
                    kind="encompass",
                    email=lead.email,
                    subject="There is an Operation Encompass notification for a child in your early help case",
                    body=(
                        f"There is an Operation Encompass notification for a child in early help episode "
                        f"{episode.reference}. Sign in to see the case:\n{_base_url()}{case_path(episode)}{_footer()}"
                    ),
                    recipient=lead,
                    episode=episode,
                    now=now,
                )
            _chronicle(
                episode.family_id,
                kind="encompass",
                summary=encompass_summary(notified_child),
                episode=episode,
                child=by_person[link.person_id],
                occurred_at=notified_child.notification.received_at,
                key=f"encompass:{notified_child.pk}:{episode.pk}",
            )
            alerted += 1
    return alerted


# --- The outbox ------------------------------------------------------------------------------------


def message_email(message: CaseworkMessage) -> outbox.Email:
    """A casework message as the outbox sends it: its stored subject and body (references
    and links only), with the case link for a Notify template's ``((link))``."""
    return outbox.Email(subject=message.subject, body=message.body, link=outbox.first_link(message.body))


def _send(message: CaseworkMessage) -> None:
    outbox.send_message(message, message_email)


def deliver_due(*, now=None, limit: int = 200) -> dict[str, int]:
    """Send the casework messages that are due, through the shared outbox
    (``portal.outbox``), as Operation Encompass's alerts are sent: each claimed in its own
    short transaction and leased, sent with no transaction open (through GOV.UK Notify when
    ``NOTIFY_API_KEY`` is set), retried with back-off and given up after
    ENCOMPASS_OUTBOX_MAX_ATTEMPTS."""
    from portal.encompass import conf

    return outbox.deliver_due(
        CaseworkMessage,
        message_email,
        now=now,
        limit=limit,
        lease=conf.outbox_lease(),
        max_attempts=conf.outbox_max_attempts(),
        send=lambda message: _send(message),  # looked up at each call: the seam tests watch
    )
