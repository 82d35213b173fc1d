"""The casework pages (issue 7): the case page and the printable signposting list; the
manager's team caseload, overdue work and decisions waiting for sign-off; the front door's
requests for help to decide; recording a decision; the plan, meetings, reviews with outcome
scores, closure, re-opening and step-up; supervision and manual chronology entries.

Views are thin: they look the subject up through :mod:`eh_assessments.casework_selectors`
(so scoping lives in one place), parse the form and call one function of
:mod:`eh_assessments.casework`, which checks every rule and writes in one transaction. A
``ValidationError`` from it is shown on the form, with nothing saved.

Access: a role that never does casework gets a 403; a case (or assessment, request for help
or decision) the user may not see is a 404, never a 403, so its existence is not revealed.
Every page that shows a family's record is written to the audit log; list pages record one
row per record shown, in one INSERT.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from portal.audit.decorators import when_successful
from portal.audit.models import AuditEvent
from portal.audit.services import record, record_list

from . import case_forms as cf
from . import casework, outcomes
from . import casework_selectors as sel
from . import selectors as assessment_selectors
from .chronology import chronology_for
from .models import Assessment, Referral
from .models_casework import Decision, Episode, Meeting, OutcomeRecord, PlanAction, SustainedCheck
from .rereferral import rereferrals_for, rereferrals_for_many
from .timeliness import assessment_timeliness, referral_decision_due

FORM_METHODS = ["GET", "POST"]


# --- Access ------------------------------------------------------------------------------------


def _roles(user) -> set[str]:
    return sel._slugs(user)


def _require_manager(request) -> None:
    if not sel.is_manager(request.user):
        raise PermissionDenied("Only early help managers can see this page.")


def _require_casework_role(request) -> None:
    if not _roles(request.user) & (sel.CASE_ROLES | {sel.FRONT_DOOR}):
        raise PermissionDenied("You do not work on early help cases.")


def _visible_episode(request, pk) -> Episode:
    """The episode if the user may see it: 403 for roles that never work on cases, 404 for an
    episode they may not see."""
    _require_casework_role(request)
    return get_object_or_404(sel.episodes_for(request.user).prefetch_related("children"), uuid=pk)


def _workable_episode(request, pk) -> Episode:
    episode = _visible_episode(request, pk)
    if not sel.can_work_on(request.user, episode):
        raise PermissionDenied("Only the lead professional, the team around the family or their manager can do this.")
    return episode


def _posted(request):
    """The submitted data on a POST (even an empty one, so that it is validated), else None."""
    return request.POST if request.method == "POST" else None


def _audit_view(request, response, obj, repr_: str = "", **detail) -> None:
    when_successful(
        request,
        response,
        lambda: record(
            request,
            AuditEvent.Action.VIEW,
            obj,
            object_repr=repr_ or getattr(obj, "reference", "") or "",
            detail=detail or None,
        ),
    )


def _page(request, template: str, context: dict, *, audit=None, status: int = 200):
    has_errors = any(getattr(f, "errors", None) for k, f in context.items() if k.endswith("form"))
    response = render(request, template, {"has_errors": has_errors, **context}, status=status)
    if audit is not None:
        _audit_view(request, response, audit)
    return response


def _case_url(episode: Episode) -> str:
    return reverse("casework:case", kwargs={"pk": episode.uuid})


def _service_errors(form, error: ValidationError, **kwargs) -> None:
    cf.add_service_errors(form, error, **kwargs)


# --- The case page and the printable list (read only) ------------------------------------------


@login_required
@require_GET
def case_detail(request, pk):
    found = get_object_or_404(sel.episodes_for(request.user).values_list("pk", flat=True), uuid=pk)
    episode = sel.episode_with_relations(found)
    try:
        plan = episode.plan
    except ObjectDoesNotExist:
        plan = None
    records = list(episode.outcome_records.all())
    decisions = list(episode.decisions.all())
    opened_by = episode.opening_decisions.select_related("proposed_by", "signed_off_by").first()
    can_work = sel.can_work_on(request.user, episode)
    pending = [d for d in decisions if d.is_pending]
    context = {
        "episode": episode,
        "children": list(episode.children.all()),
        "members": list(episode.members.all()),
        "history": sel.episode_history(episode),
        "opened_by": opened_by,
        "decisions": decisions,
        "plan": plan,
        "needs": list(plan.needs.all()) if plan else [],
        "reviews": list(episode.reviews.all()),
        "distance": outcomes.distance_travelled(records) if records else [],
        "has_scores": bool(records),
        "has_start_scores": any(r.stage == OutcomeRecord.Stage.START for r in records),
        "supervisions": list(episode.supervisions.all()) if sel.can_manage(request.user, episode) else [],
        "chronology": chronology_for(episode.family),
        "rereferrals": rereferrals_for(episode.referral) if episode.referral_id else [],
        "timeliness": assessment_timeliness(episode.assessment) if episode.assessment_id else None,
        "today": timezone.localdate(),
        "can_work": can_work,
        "can_manage": sel.can_manage(request.user, episode),
        "can_decide": episode.lead_professional_id == request.user.pk or sel.can_manage(request.user, episode),
    }
    context.update(_case_links(request, episode, context, pending))
    response = render(request, "eh_assessments/case/detail.html", context)
    _audit_view(request, response, episode)
    return response


def _link(name: str, **kwargs) -> str | None:
    """The URL, or None where the casework URLs are not mounted (the case page is also served
    on its own by older URLconfs)."""
    try:
        return reverse(f"casework:{name}", kwargs=kwargs)
    except NoReverseMatch:
        return None


def _case_links(request, episode: Episode, context: dict, pending: list[Decision]) -> dict:
    """What the user can do from the case page, as (text, url) pairs, in the order of the work."""
    pk = episode.uuid
    can_work, can_decide, can_manage = context["can_work"], context["can_decide"], context["can_manage"]
    is_open = episode.status == Episode.Status.OPEN
    wanted = []
    if episode.status == Episode.Status.AWAITING_HANDOVER and can_decide:
        wanted.append(("Record the handover meeting", "handover", {}))
    if is_open and can_work:
        if context["plan"] is None:
            wanted.append(("Agree the plan", "plan", {}))
        if not context["has_start_scores"]:
            wanted.append(("Record the outcome scores at the start", "scores", {"stage": "start"}))
        wanted.append(("Schedule a meeting", "schedule_meeting", {}))
        if context["plan"] is not None:
            wanted.append(("Review the plan", "review", {}))
    if is_open and can_decide and not pending:
        wanted.append(("Close the episode", "close", {}))
        wanted.append(("Step up to children's social care", "step_up", {}))
    if (
        episode.status == Episode.Status.CLOSED
        and can_work
        and not episode.outcome_records.filter(stage="closure").exists()
    ):
        wanted.append(("Record the outcome scores at closure", "scores", {"stage": "closure"}))
    if (
        episode.status == Episode.Status.CLOSED
        and can_decide
        and episode.sustained_check_due
        and not SustainedCheck.objects.filter(episode=episode).exists()
    ):
        wanted.append(("Record the sustained-outcome check", "sustained_check", {}))
    if episode.status == Episode.Status.CLOSED and can_decide and not episode.reopened_as.exists():
        wanted.append(("Re-open the episode", "reopen", {}))
    if can_manage:
        wanted.append(("Record case supervision", "supervision", {}))
    if can_work:
        wanted.append(("Add to the chronology", "chronology_entry", {}))
    actions = [(text, url) for text, name, extra in wanted if (url := _link(name, pk=pk, **extra))]
    pending_links = [
        (d, _link("sign_off", pk=d.uuid) if can_manage and d.proposed_by_id != request.user.pk else None)
        for d in pending
    ]
    meetings = [
        (
            m,
            _link("meeting_held", pk=pk, meeting=m.pk)
            if can_work and not m.held_on and m.kind != Meeting.Kind.HANDOVER
            else None,
        )
        for m in episode.meetings.all()
    ]
    return {"actions": actions, "pending": pending_links, "meetings": meetings}


@login_required
@require_GET
def signposting_print(request, pk):
    """The services chosen for a family, to print and hand over: names, what they do and how
    to get in touch — nothing about the family."""
    decision = get_object_or_404(
        Decision.objects.select_related("family", "referral"), uuid=pk, kind=Decision.Kind.UNIVERSAL
    )
    visible = sel.episodes_for(request.user).filter(family_id=decision.family_id).exists()
    if not visible and not (sel.is_front_door(request.user) or decision.proposed_by_id == request.user.pk):
        raise Http404
    response = render(
        request,
        "eh_assessments/case/signposting_print.html",
        {"decision": decision, "services": sel.printable_services(decision.service_page_ids)},
    )
    _audit_view(request, response, decision, f"Decision {decision.pk}")
    return response


# --- Manager pages -----------------------------------------------------------------------------


@login_required
@require_GET
def caseload(request):
    _require_manager(request)
    episodes = list(sel.team_caseload(request.user))
    today = timezone.localdate()
    rows = [
        {
            "episode": e,
            "review_overdue": bool(e.is_open and e.next_review_due and e.next_review_due < today),
            "meeting_overdue": bool(
                e.is_open and e.first_meeting_due and not e.first_meeting_held_on and e.first_meeting_due < today
            ),
        }
        for e in episodes
    ]
    response = render(
        request,
        "eh_assessments/case/caseload.html",
        {"rows": rows, "team": request.user.team, "today": today},
    )
    when_successful(request, response, lambda: record_list(request, episodes))
    return response


@login_required
@require_GET
def overdue(request):
    _require_manager(request)
    today = timezone.localdate()
    found = sel.team_overdue(request.user, today=today)
    response = render(
        request, "eh_assessments/case/overdue.html", {"overdue": found, "team": request.user.team, "today": today}
    )

    def write():
        shown = [row.assessment for row in found.assessments]
        shown += [*found.first_meetings, *found.reviews, *found.sustained_checks]
        record_list(request, shown)

    when_successful(request, response, write)
    return response


@login_required
@require_http_methods(FORM_METHODS)
def delay_reason(request, pk):
    _require_manager(request)
    assessment = get_object_or_404(
        Assessment.objects.filter(team_id=request.user.team_id).exclude(team_id=None).select_related("family"), uuid=pk
    )
    form = cf.DelayReasonForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            casework.record_delay_reason(
                assessment, user=request.user, reason=form.cleaned_data["reason"], request=request
            )
        except ValidationError as error:
            _service_errors(form, error)
        else:
            messages.success(request, f"The reason for the delay to {assessment.reference} is recorded.")
            return redirect("casework:overdue")
    timeliness = assessment_timeliness(assessment)
    return _page(
        request,
        "eh_assessments/case/delay_reason.html",
        {"form": form, "assessment": assessment, "timeliness": timeliness},
        audit=assessment,
    )


@login_required
@require_GET
def sign_offs(request):
    _require_manager(request)
    decisions = list(sel.pending_sign_offs(request.user))
    own = list(
        Decision.objects.filter(status=Decision.Status.PENDING, proposed_by_id=request.user.pk)
        .select_related("family", "episode", "referral")
        .order_by("proposed_at", "pk")
    )
    response = render(request, "eh_assessments/case/sign_offs.html", {"decisions": decisions, "own": own})
    when_successful(request, response, lambda: record_list(request, [*decisions, *own]))
    return response


def _sign_off_scope(user):
    return Decision.objects.filter(Q(team_id=user.team_id) | Q(team__isnull=True)).select_related(
        "family", "episode", "referral", "assessment", "proposed_by", "signed_off_by", "lead_professional"
    )


@login_required
@require_http_methods(FORM_METHODS)
def sign_off(request, pk):
    _require_manager(request)
    decision = get_object_or_404(_sign_off_scope(request.user), uuid=pk, kind__in=Decision.NEEDS_SIGN_OFF)
    own = decision.proposed_by_id == request.user.pk
    form = cf.SignOffForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            casework.sign_off(
                decision,
                user=request.user,
                approve=form.cleaned_data["approve"] == "yes",
                note=form.cleaned_data.get("note", ""),
                request=request,
            )
        except ValidationError as error:
            _service_errors(form, error)
        else:
            return redirect("casework:decision_done", pk=decision.uuid)
    return _page(
        request,
        "eh_assessments/case/sign_off.html",
        {
            "form": form,
            "decision": decision,
            "own": own,
            "services": sel.printable_services(decision.service_page_ids) if decision.service_page_ids else [],
        },
        audit=decision,
    )


# --- The front door: requests for help to decide -------------------------------------------------


@login_required
@require_GET
def requests_to_decide(request):
    if not _roles(request.user) & {sel.FRONT_DOOR, sel.MANAGER}:
        raise PermissionDenied("Only the front door and early help managers decide on requests for help.")
    rows = sel.referrals_awaiting_decision(request.user)
    flags = rereferrals_for_many(row.referral for row in rows)
    items = [{"row": row, "flags": flags.get(row.referral.pk, [])} for row in rows]
    assessments = sel.assessments_to_decide(request.user)
    response = render(
        request,
        "eh_assessments/case/requests.html",
        {"items": items, "assessments": assessments, "today": timezone.localdate()},
    )
    when_successful(request, response, lambda: record_list(request, [*(row.referral for row in rows), *assessments]))
    return response


# --- Recording a decision ---------------------------------------------------------------------


def _services_for(request, form_data, chosen_ids: Iterable) -> tuple[list, str]:
    """Directory services to pick from: the ones already chosen, then those whose title
    matches the search (``services_q``), at most SERVICE_RESULTS."""
    from directory.selectors import public_services

    query = (form_data.get("services_q") or "").strip()[:100]
    chosen = []
    for value in chosen_ids:
        try:
            chosen.append(int(value))
        except (TypeError, ValueError):
            continue
    services = list(public_services().filter(pk__in=chosen).order_by("title")) if chosen else []
    found = public_services().exclude(pk__in=chosen)
    if query:
        found = found.filter(title__icontains=query)
    services += list(found.order_by("title")[: cf.SERVICE_RESULTS])
    return services, query


def _decide(request, *, referral: Referral, assessment: Assessment | None, subject, team):
    data = request.POST if request.method == "POST" else None
    chosen = request.POST.getlist("service_page_ids") if data else []
    services, query = _services_for(request, request.POST if data else request.GET, chosen)
    form = cf.DecisionForm(data, team=team, services=services)
    if data is not None and "search_services" in data:
        cf.keep_input(form)  # a search for services: show what was typed, check nothing yet
    elif data is not None and form.is_valid():
        try:
            decision = casework.record_decision(
                user=request.user, referral=referral, assessment=assessment, request=request, **form.service_kwargs()
            )
        except ValidationError as error:
            _service_errors(form, error)
        else:
            return redirect("casework:decision_done", pk=decision.uuid)
    flags = rereferrals_for(referral) if referral is not None else []
    due = referral_decision_due(referral.received_on) if referral is not None and assessment is None else None
    return _page(
        request,
        "eh_assessments/case/decide.html",
        {
            "form": form,
            "subject": subject,
            "referral": referral,
            "assessment": assessment,
            "rereferrals": flags,
            "due": due,
            "today": timezone.localdate(),
            "services_q": query,
            "children": list(referral.children.all()) if referral is not None else [],
        },
        audit=subject,
    )


@login_required
@require_http_methods(FORM_METHODS)
def decide_request(request, pk):
    slugs = _roles(request.user)
    if not slugs & {sel.FRONT_DOOR, sel.MANAGER}:
        raise PermissionDenied("Only the front door and early help managers decide on requests for help.")
    referrals = Referral.objects.select_related("family", "family__team")
    if sel.FRONT_DOOR not in slugs:
        if not request.user.team_id:
            raise Http404
        referrals = referrals.filter(family__team_id=request.user.team_id)
    referral = get_object_or_404(referrals, uuid=pk)
    return _decide(request, referral=referral, assessment=None, subject=referral, team=referral.family.team)


@login_required
@require_http_methods(FORM_METHODS)
def decide_assessment(request, pk):
    if not _roles(request.user) & sel.CASE_ROLES:
        raise PermissionDenied("Only the lead professional or an early help manager decides on an assessment.")
    assessment = get_object_or_404(
        assessment_selectors.assessments_for(request.user).select_related("referral"),
        uuid=pk,
        status=Assessment.Status.SUBMITTED,
    )
    if not (
        assessment.lead_professional_id == request.user.pk
        or (sel.is_manager(request.user) and assessment.team_id in (None, request.user.team_id))
    ):
        raise PermissionDenied("Only the lead professional or an early help manager of the team can decide this.")
    return _decide(
        request, referral=assessment.referral, assessment=assessment, subject=assessment, team=assessment.team
    )


@login_required
@require_GET
def decision_done(request, pk):
    """The confirmation after recording or signing off a decision: for the person who did it."""
    decision = get_object_or_404(
        Decision.objects.select_related("episode", "opened_episode", "referral", "assessment", "family"),
        Q(proposed_by_id=request.user.pk) | Q(signed_off_by_id=request.user.pk),
        uuid=pk,
    )
    signed = decision.signed_off_by_id == request.user.pk
    response = render(request, "eh_assessments/case/decision_done.html", {"decision": decision, "signed": signed})
    _audit_view(request, response, decision, f"Decision {decision.pk}")
    return response


# --- Decisions on an episode: closure, step-up, re-open -----------------------------------------


def _decidable_episode(request, pk) -> Episode:
    episode = _visible_episode(request, pk)
    if not (episode.lead_professional_id == request.user.pk or sel.can_manage(request.user, episode)):
        raise PermissionDenied("Only the lead professional or an early help manager of the team can decide this.")
    return episode


def _episode_decision(request, pk, form_class, template: str, kwargs_from):
    episode = _decidable_episode(request, pk)
    form = form_class(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            decision = casework.record_decision(
                user=request.user, episode=episode, request=request, **kwargs_from(form.cleaned_data)
            )
        except ValidationError as error:
            _service_errors(form, error)
        else:
            return redirect("casework:decision_done", pk=decision.uuid)
    return _page(request, template, {"form": form, "episode": episode}, audit=episode)


@login_required
@require_http_methods(FORM_METHODS)
def close(request, pk):
    return _episode_decision(
        request,
        pk,
        cf.ClosureForm,
        "eh_assessments/case/close.html",
        lambda d: {
            "kind": Decision.Kind.CLOSURE,
            "rationale": d["rationale"],
            "closure_reason": d["closure_reason"],
            "closure_other": d.get("closure_other", ""),
            "closure_summary": d["closure_summary"],
        },
    )


@login_required
@require_http_methods(FORM_METHODS)
def step_up(request, pk):
    return _episode_decision(
        request,
        pk,
        cf.StepUpForm,
        "eh_assessments/case/step_up.html",
        lambda d: {"kind": d["kind"], "rationale": d["rationale"]},
    )


@login_required
@require_http_methods(FORM_METHODS)
def reopen(request, pk):
    return _episode_decision(
        request,
        pk,
        cf.ReopenForm,
        "eh_assessments/case/reopen.html",
        lambda d: {"kind": Decision.Kind.REOPEN, "rationale": d["rationale"]},
    )


# --- Plan, meetings, handover, reviews, scores ---------------------------------------------------


@login_required
@require_http_methods(FORM_METHODS)
def plan(request, pk):
    from directory.selectors import public_services

    episode = _workable_episode(request, pk)
    if hasattr(episode, "plan"):
        messages.info(request, "This episode already has a plan: record progress on it in a review.")
        return redirect(_case_url(episode))
    try:
        needs = int(request.POST.get("needs", "1") if request.method == "POST" else request.GET.get("needs", "1"))
    except ValueError:
        needs = 1
    adding = request.method == "POST" and "add_need" in request.POST
    if adding:
        needs += 1
    kwargs = {
        "needs": needs,
        "owners": list(cf.practitioners(episode.team)),
        "services": list(public_services().order_by("title").only("pk", "title")[:500]),
        "children": list(episode.children.all()),
    }
    form = cf.PlanForm(_posted(request), **kwargs)
    if adding:
        cf.keep_input(form)  # another need: show what was typed with a new empty row
    elif request.method == "POST" and form.is_valid():
        try:
            casework.agree_plan(
                episode,
                user=request.user,
                agreed_on=form.cleaned_data["agreed_on"],
                needs=form.needs(),
                request=request,
            )
        except ValidationError as error:
            _service_errors(form, error)
        else:
            messages.success(request, "The plan is agreed.")
            return redirect(_case_url(episode))
    return _page(request, "eh_assessments/case/plan.html", {"form": form, "episode": episode}, audit=episode)


@login_required
@require_http_methods(FORM_METHODS)
def schedule_meeting(request, pk):
    episode = _workable_episode(request, pk)
    form = cf.MeetingForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            casework.schedule_meeting(episode, user=request.user, request=request, **form.cleaned_data)
        except ValidationError as error:
            _service_errors(form, error)
        else:
            messages.success(request, "The meeting is scheduled.")
            return redirect(_case_url(episode))
    return _page(request, "eh_assessments/case/meeting.html", {"form": form, "episode": episode}, audit=episode)


@login_required
@require_http_methods(FORM_METHODS)
def meeting_held(request, pk, meeting):
    episode = _workable_episode(request, pk)
    found = get_object_or_404(Meeting.objects.filter(episode=episode).exclude(kind=Meeting.Kind.HANDOVER), pk=meeting)
    found.episode = episode
    form = cf.MeetingHeldForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            casework.record_meeting_held(found, user=request.user, request=request, **form.cleaned_data)
        except ValidationError as error:
            _service_errors(form, error)
        else:
            messages.success(request, "The meeting is recorded as held.")
            return redirect(_case_url(episode))
    return _page(
        request,
        "eh_assessments/case/meeting_held.html",
        {"form": form, "episode": episode, "meeting": found},
        audit=episode,
    )


@login_required
@require_http_methods(FORM_METHODS)
def handover(request, pk):
    episode = _visible_episode(request, pk)
    if not (episode.lead_professional_id == request.user.pk or sel.can_manage(request.user, episode)):
        raise PermissionDenied("Only the lead professional or an early help manager can record the handover.")
    form = cf.HandoverForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            casework.complete_handover(episode, user=request.user, request=request, **form.cleaned_data)
        except ValidationError as error:
            _service_errors(form, error)
        else:
            messages.success(request, f"The handover is recorded: episode {episode.reference} is open.")
            return redirect(_case_url(episode))
    return _page(request, "eh_assessments/case/handover.html", {"form": form, "episode": episode}, audit=episode)


def _distance(episode: Episode):
    records = list(
        OutcomeRecord.objects.filter(episode=episode).prefetch_related("scores").order_by("recorded_on", "pk")
    )
    return outcomes.distance_travelled(records) if records else []


@login_required
@require_http_methods(FORM_METHODS)
def review(request, pk):
    episode = _workable_episode(request, pk)
    actions = list(
        PlanAction.objects.filter(outcome__need__plan__episode=episode)
        .select_related("owner", "outcome", "outcome__need")
        .order_by("outcome__need__sort_order", "outcome__sort_order", "sort_order", "pk")
    )
    plan_ = getattr(episode, "plan", None) if hasattr(episode, "plan") else None
    form = cf.ReviewForm(_posted(request), actions=actions)
    if request.method == "POST" and form.is_valid():
        try:
            casework.record_review(
                episode,
                user=request.user,
                held_on=form.cleaned_data["held_on"],
                summary=form.cleaned_data["summary"],
                progress=form.progress(),
                scores=form.scores(),
                request=request,
            )
        except ValidationError as error:
            _service_errors(form, error)
        else:
            messages.success(request, "The review is recorded.")
            return redirect(_case_url(episode))
    return _page(
        request,
        "eh_assessments/case/review.html",
        {
            "form": form,
            "episode": episode,
            "plan": plan_,
            "distance": _distance(episode),
            "score_title": "Outcome scores at this review (optional)",
        },
        audit=episode,
    )


@login_required
@require_http_methods(FORM_METHODS)
def scores(request, pk, stage):
    """The ten outcome areas scored at the start or at closure."""
    if stage not in (OutcomeRecord.Stage.START, OutcomeRecord.Stage.CLOSURE):
        raise Http404
    episode = _workable_episode(request, pk)
    form = cf.ReviewForm(_posted(request))
    for name in ("held_on", "summary"):
        form.fields.pop(name)
    form.fields["recorded_on"] = cf.DateField(
        name="Date of the scores", label="Date of the scores", help_text="For example, 27 3 2026"
    )
    form.order_fields(["recorded_on"])
    if request.method == "POST" and form.is_valid():
        try:
            casework.record_outcome_scores(
                episode,
                user=request.user,
                stage=stage,
                scores=form.scores() or {},
                recorded_on=form.cleaned_data["recorded_on"],
                request=request,
            )
        except ValidationError as error:
            _service_errors(form, error)
        else:
            messages.success(request, "The outcome scores are recorded.")
            return redirect(_case_url(episode))
    return _page(
        request,
        "eh_assessments/case/scores.html",
        {"form": form, "episode": episode, "stage": stage, "distance": _distance(episode)},
        audit=episode,
    )


@login_required
@require_http_methods(FORM_METHODS)
def sustained_check(request, pk):
    """Six months after closure: has the change lasted? (The prompt email links to the case.)"""
    episode = _decidable_episode(request, pk)
    form = cf.SustainedCheckForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            casework.record_sustained_check(
                episode,
                user=request.user,
                checked_on=form.cleaned_data["checked_on"],
                sustained=form.cleaned_data["sustained"] == "yes",
                notes=form.cleaned_data["notes"],
                request=request,
            )
        except ValidationError as error:
            _service_errors(form, error)
        else:
            messages.success(request, "The sustained-outcome check is recorded.")
            return redirect(_case_url(episode))
    return _page(request, "eh_assessments/case/sustained_check.html", {"form": form, "episode": episode}, audit=episode)


# --- Supervision and chronology ----------------------------------------------------------------


@login_required
@require_http_methods(FORM_METHODS)
def supervision(request, pk):
    episode = _visible_episode(request, pk)
    if not sel.can_manage(request.user, episode):
        raise PermissionDenied("Only an early help manager of the team can record supervision.")
    form = cf.SupervisionForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            casework.record_supervision(episode, user=request.user, request=request, **form.cleaned_data)
        except ValidationError as error:
            _service_errors(form, error)
        else:
            messages.success(request, "The supervision is recorded.")
            return redirect(_case_url(episode))
    return _page(request, "eh_assessments/case/supervision.html", {"form": form, "episode": episode}, audit=episode)


@login_required
@require_http_methods(FORM_METHODS)
def chronology_entry(request, pk):
    episode = _workable_episode(request, pk)
    form = cf.ChronologyEntryForm(_posted(request), children=list(episode.children.all()))
    if request.method == "POST" and form.is_valid():
        day = form.cleaned_data["occurred_on"]
        occurred_at = timezone.make_aware(datetime.datetime.combine(day, datetime.time(12, 0)))
        occurred_at = min(occurred_at, timezone.now())
        try:
            casework.add_chronology_entry(
                episode,
                user=request.user,
                occurred_at=occurred_at,
                summary=form.cleaned_data["summary"],
                detail=form.cleaned_data["detail"],
                child=form.cleaned_data["child"],
                request=request,
            )
        except ValidationError as error:
            _service_errors(form, error, rename={"occurred_at": "occurred_on"})
        else:
            messages.success(request, "The entry is added to the chronology.")
            return redirect(_case_url(episode) + "#chronology")
    return _page(
        request, "eh_assessments/case/chronology_entry.html", {"form": form, "episode": episode}, audit=episode
    )


# --- Portal cards ------------------------------------------------------------------------------


def register_cards() -> None:
    """The casework cards on /portal/: call from ``EhAssessmentsConfig.ready()``."""
    from portal.registry import PortalCard, register_card

    register_card(
        PortalCard(
            key="casework_requests",
            title="Requests for help to decide",
            description="New requests for help waiting for a decision, with re-referrals flagged.",
            url_name="casework:requests",
            order=35,
            test=lambda user: bool(sel._slugs(user) & {sel.FRONT_DOOR, sel.MANAGER}),
        )
    )
    for key, title, description, url_name, order in (
        (
            "casework_caseload",
            "Team caseload",
            "Your team's open episodes of help and their reviews.",
            "casework:caseload",
            36,
        ),
        (
            "casework_overdue",
            "Overdue work",
            "Late assessments, meetings, reviews and checks in your team.",
            "casework:overdue",
            37,
        ),
        (
            "casework_sign_offs",
            "Waiting for sign-off",
            "Step-up, step-down and closure decisions to sign off.",
            "casework:sign_offs",
            38,
        ),
    ):
        register_card(
            PortalCard(
                key=key, title=title, description=description, url_name=url_name, order=order, test=sel.is_manager
            )
        )
