"""Synthetic early help histories at scale for benchmarks (``manage.py seed_synthetic
--families N``; ``bench/insights``). Never for production data.

Each family gets up to two years of history written straight into the real models with
``bulk_create`` in batches (no per-row services, no audit events, no chronology entries, no
emails), so 100 000 families take minutes, not hours, and come to about a million events
(requests for help, assessments, decisions, episodes, reviews, outcome scorings, closures,
sustained checks) plus their outcome scores. What a history looks like follows
:mod:`eh_assessments.casework_demo`, which builds the same shapes through the services, so
what the services enforce holds here too:

* requests for help from a spread of agencies over 24 months, busier recently; about half the
  families referred long enough ago come back — most as a new request for the same children
  (within 12 months, a re-referral; some later), a few as a re-opened episode (``previous``);
* assessments started the working day after the request with the 45-working-day target
  (:mod:`eh_assessments.working_days`), some late (with a delay reason), some with a child's
  own earlier target (``ChildTarget``), some still in draft or waiting for a decision;
* decisions of every kind with their level of need: signposting (universal, to live directory
  services), single agency, team around the family, step-up to child in need (from an open
  episode, closing it as stepped up) and to child protection (on the request), step-down from
  child in need (awaiting handover until the handover meeting), closure with every reason,
  re-open; step-up, step-down and closure are signed off by a manager who did not propose them
  (a few still waiting, a few not agreed first);
* plans whose actions point at live directory services when any exist (domestic abuse
  services first when the request is about domestic abuse: seed ``--services`` first or in
  the same run), reviews about every six weeks, outcome scorings at the start, each review and
  closure. Every scoring covers all ten areas, as :func:`eh_assessments.outcomes.clean_scores`
  requires; the family's own problems are a subset of two to four areas that start low and
  move (mostly up, for some families not), the rest start higher and barely move; the family's
  own score is sometimes missing;
* sustained-outcome checks six months after most closures that need one.

Teams (with a locality in ``Team.area``), practitioners, managers and a front door account
are created when missing (``synthetic.*@example.org``, no usable password). Seeded random:
the same database and options give the same data. Running it again ADDS N more families
(the random stream depends on how many families exist already)."""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass, field
from functools import cache

from django.contrib.auth.models import Group
from django.db import transaction
from django.db.models import Case, CharField, Value, When
from django.db.models.functions import Cast, Concat, LPad
from django.utils import timezone

from portal.accounts.models import Team, User
from portal.accounts.roles import ROLES_BY_SLUG, sync_roles

from . import outcomes, rereferral, working_days
from .casework_demo import ADULTS, CLOSURE_REASONS, GIVEN, SOURCES, SURNAMES
from .models import Assessment, ChildTarget, Family, Person, Referral, ReferralChild, submission_fields
from .models_casework import (
    ClosureReason,
    Decision,
    DelayReason,
    Episode,
    EpisodeService,
    OutcomeRecord,
    OutcomeScore,
    Plan,
    PlanAction,
    PlanNeed,
    PlanOutcome,
    Review,
    SustainedCheck,
)

DAYS = 730
BATCH = 1000
EMAIL_DOMAIN = "synthetic.example.org"

# (team name, locality, postcode districts)
TEAMS = (
    ("Sunderland North early help team", "Sunderland North", ("SR5", "SR6")),
    ("Sunderland West early help team", "Sunderland West", ("SR3", "SR4")),
    ("Sunderland East early help team", "Sunderland East", ("SR1", "SR2")),
    ("Washington early help team", "Washington", ("NE37", "NE38")),
    ("Coalfield early help team", "Coalfield", ("DH4", "DH5")),
)
TEAM_WEIGHTS = (24, 26, 18, 18, 14)
PRACTITIONERS_PER_TEAM, MANAGERS_PER_TEAM = 6, 2

REFERRERS = {
    "school": ("Designated safeguarding lead", "Primary school"),
    "health_visitor": ("Health visitor", "Sunderland 0-19 service"),
    "police": ("Operation Encompass officer", "Northumbria Police"),
    "gp": ("GP", "Medical practice"),
    "camhs": ("Clinician", "Sunderland CAMHS"),
    "early_years": ("Nursery manager", "Nursery"),
    "housing": ("Housing officer", "Housing provider"),
    "voluntary": ("Project worker", "Voluntary organisation"),
    "family": ("Parent", ""),
    "social_care": ("Social worker", "Children's social care"),
}
# (reason, about domestic abuse, the outcome areas the family's problems are in)
REASONS = (
    ("Attendance has dropped below 85% and mornings at home are difficult.", False, ("education", "relationships")),
    ("A parent is struggling with the children's behaviour since a bereavement.", False, ("relationships", "health")),
    (
        "Police attended a domestic abuse incident at the home; the children were present.",
        True,
        ("domestic_abuse", "safe_from_abuse", "relationships"),
    ),
    ("The family is in rent arrears and has been threatened with eviction.", False, ("housing", "financial")),
    ("Low mood in a parent; the eldest child is caring for younger siblings.", False, ("health", "education")),
    ("Speech and language delay; the family is isolated since moving here.", False, ("early_years", "health")),
    (
        "Repeated arguments between the parents after separation; the children are anxious.",
        True,
        ("domestic_abuse", "relationships", "health"),
    ),
    (
        "A young person is missing school and spending time with older young people.",
        False,
        ("education", "crime", "safe_from_abuse"),
    ),
    ("A parent's drinking has increased and money is short.", False, ("substance_use", "financial", "relationships")),
)
SUSTAINED_REASONS = frozenset({ClosureReason.NEEDS_MET, ClosureReason.SINGLE_AGENCY})
ETHNICITIES = ("white_british",) * 12 + ("white_other", "asian_pakistani", "asian_bangladeshi", "black_african")
ETHNICITIES += ("mixed_white_black_caribbean", "mixed_other", "other_arab")
STREETS = ("Chester", "Durham", "Newcastle", "Hylton", "Ryhope", "Sea", "Station", "Front", "Church", "Mill")
DELAYS = (
    "The family cancelled two home visits while a parent was in hospital.",
    "Waiting for the school's and health visitor's contributions.",
    "An interpreter was needed and the first available date was three weeks away.",
)
ACTIONS = (
    "Attend the service agreed at the meeting",
    "Take up the support offered by the service",
    "Meet the school's attendance officer every fortnight",
    "Set up a budget with the money adviser",
)


@cache
def _wd(day: datetime.date, n: int) -> datetime.date:
    return working_days.add_working_days(day, n) if n else day


@cache
def _at(day: datetime.date, hour: int = 11) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, 0)))


def _pick(rng: random.Random, weighted) -> object:
    values, weights = zip(*weighted, strict=True)
    return rng.choices(values, weights=weights)[0]


@dataclass
class TeamStaff:
    team: Team
    districts: tuple[str, ...]
    practitioners: list[User]
    managers: list[User]


@dataclass
class Ctx:
    rng: random.Random
    today: datetime.date
    teams: list[TeamStaff]
    front_door: User
    services: list[int]
    da_services: list[int]
    primary_schools: list[int]
    secondary_schools: list[int]
    rows: dict[str, list] = field(default_factory=dict)

    def add(self, obj):
        self.rows.setdefault(type(obj).__name__, []).append(obj)
        return obj


# --- Staff, services, schools ----------------------------------------------------------------------
def _staff() -> tuple[list[TeamStaff], User]:
    sync_roles()
    practitioner_group = Group.objects.get(name=ROLES_BY_SLUG["lead_professional"].name)
    manager_group = Group.objects.get(name=ROLES_BY_SLUG["early_help_manager"].name)
    front_door_group = Group.objects.get(name=ROLES_BY_SLUG["front_door"].name)

    def user(email: str, first: str, last: str, job: str, team: Team | None, group: Group) -> User:
        found = User.objects.filter(email=email).first()
        if found is None:
            found = User.objects.create_user(email, None, first_name=first, last_name=last, job_title=job, team=team)
            found.groups.add(group)
        return found

    teams = []
    for name, area, districts in TEAMS:
        team, _ = Team.objects.get_or_create(name=name, defaults={"area": area})
        slug = area.lower().replace(" ", "-")
        practitioners = [
            user(
                f"synthetic.{slug}.practitioner{i}@{EMAIL_DOMAIN}",
                "Practitioner",
                f"{area} {i}",
                "Early help practitioner",
                team,
                practitioner_group,
            )
            for i in range(1, PRACTITIONERS_PER_TEAM + 1)
        ]
        managers = [
            user(
                f"synthetic.{slug}.manager{i}@{EMAIL_DOMAIN}",
                "Manager",
                f"{area} {i}",
                "Early help team manager",
                team,
                manager_group,
            )
            for i in range(1, MANAGERS_PER_TEAM + 1)
        ]
        teams.append(TeamStaff(team, districts, practitioners, managers))
    front_door = user(
        f"synthetic.front.door@{EMAIL_DOMAIN}", "Front", "Door", "Front door social worker", None, front_door_group
    )
    return teams, front_door


def _services() -> tuple[list[int], list[int]]:
    from directory.models import ServicePage

    rows = list(ServicePage.objects.live().order_by("pk").values_list("pk", "title", "summary"))
    da = [pk for pk, title, summary in rows if "domestic" in f"{title} {summary}".lower()]
    return [pk for pk, *_ in rows], da


def _schools() -> tuple[list[int], list[int]]:
    from portal.encompass.models import School

    primary, secondary = [], []
    for pk, phase in School.objects.filter(is_open=True).order_by("pk").values_list("pk", "phase"):
        phase = phase.lower()
        if "primary" in phase or "all-through" in phase:
            primary.append(pk)
        if "secondary" in phase or "all-through" in phase:
            secondary.append(pk)
    return primary, secondary


# --- One family's history ----------------------------------------------------------------------
@dataclass
class Household:
    family: Family
    staff: TeamStaff
    lead: User
    manager: User
    children: list[Person]
    source: str
    reason: str
    domestic_abuse: bool
    focus: tuple[str, ...]


def _family(ctx: Ctx, number: int) -> None:
    rng = ctx.rng
    staff = rng.choices(ctx.teams, weights=TEAM_WEIGHTS[: len(ctx.teams)])[0]
    source = _pick(rng, SOURCES)
    reason, da, focus = rng.choice(REASONS)
    if source == "police" and rng.random() < 0.7:
        reason, da, focus = REASONS[2]
    received = ctx.today - datetime.timedelta(days=int(DAYS * (rng.random() ** 1.15)))
    surname = rng.choice(SURNAMES)
    family = ctx.add(
        Family(
            address=f"{rng.randint(1, 240)} {rng.choice(STREETS)} Road, Sunderland",
            postcode=f"{rng.choice(staff.districts)} {rng.randint(1, 9)}{rng.choice('ABDEFGHJLNPQRSTUWXY')}"
            f"{rng.choice('ABDEFGHJLNPQRSTUWXY')}",
            email=f"family{number}@{EMAIL_DOMAIN}",
            main_language="English",
            team=staff.team,
            created_by=ctx.front_door,
            created_at=_at(received, 9),
        )
    )
    adult_gender = "female" if rng.random() < 0.85 else "male"
    ctx.add(
        Person(
            family=family,
            kind=Person.ADULT,
            given_name=rng.choice(ADULTS[adult_gender]),
            family_name=surname,
            date_of_birth=received - datetime.timedelta(days=rng.randint(20 * 365, 48 * 365)),
            gender=adult_gender,
            ethnicity="white_british",
            first_language="English",
            sort_order=0,
        )
    )
    children = []
    for i in range(rng.choice((1, 1, 2, 2, 2, 3, 4))):
        gender = rng.choice(("female", "male"))
        born = received - datetime.timedelta(days=rng.randint(120, 16 * 365))
        age = (ctx.today - born).days // 365
        school = None
        schools = ctx.primary_schools if 4 <= age <= 10 else (ctx.secondary_schools if 11 <= age <= 16 else [])
        if schools and rng.random() < 0.8:
            school = rng.choice(schools)
        children.append(
            ctx.add(
                Person(
                    family=family,
                    kind=Person.CHILD,
                    given_name=rng.choice(GIVEN[gender]),
                    family_name=surname,
                    date_of_birth=born,
                    gender=gender,
                    ethnicity=rng.choice(ETHNICITIES),
                    first_language="English",
                    send=rng.choice(("none",) * 5 + ("sen_support", "ehc_plan")),
                    school_id=school,
                    sort_order=i,
                )
            )
        )
    household = Household(
        family,
        staff,
        rng.choice(staff.practitioners),
        rng.choice(staff.managers),
        children,
        source,
        reason,
        da,
        tuple(rng.sample(focus, k=min(len(focus), rng.randint(2, 4)))),
    )
    _history(ctx, household, received)


def _referral(ctx: Ctx, h: Household, received: datetime.date) -> Referral:
    role, organisation = REFERRERS[h.source]
    referral = ctx.add(
        Referral(
            family=h.family,
            source_agency=h.source,
            referrer_name="Synthetic referrer",
            referrer_role=role,
            referrer_organisation=organisation,
            referrer_email=f"referrer.{h.source}@example.org",
            received_on=received,
            reason=h.reason,
            created_by=ctx.front_door,
            created_at=_at(received, 9),
        )
    )
    for child in h.children:
        ctx.add(ReferralChild(referral=referral, person=child))
    return referral


def _decision(ctx: Ctx, h: Household, kind: str, proposed: datetime.date, *, by: User, **fields) -> Decision:
    """A decision; kinds needing sign-off are approved by a manager the next working day unless
    ``status`` says otherwise (pending, or rejected by a manager)."""
    status = fields.pop("status", None)
    needs = kind in Decision.NEEDS_SIGN_OFF
    if status is None:
        status = Decision.Status.APPROVED if needs else Decision.Status.RECORDED
    decision = Decision(
        kind=kind,
        status=status,
        family=h.family,
        team=h.staff.team,
        proposed_by=by,
        proposed_at=_at(proposed, ctx.rng.choice((10, 11, 14, 15))),
        rationale=fields.pop("rationale", "Decided on the evidence gathered with the family."),
        **fields,
    )
    if status in (Decision.Status.APPROVED, Decision.Status.REJECTED):
        signer = h.manager if h.manager.pk != by.pk else next(m for m in h.staff.managers if m.pk != by.pk)
        decision.signed_off_by = signer
        decision.signed_off_at = _at(min(_wd(proposed, ctx.rng.choice((0, 0, 1))), ctx.today), 16)
        decision.sign_off_note = "Agreed." if status == Decision.Status.APPROVED else "Not yet: review in two weeks."
    return ctx.add(decision)


def _assessment(ctx: Ctx, h: Household, referral: Referral, *, state: str) -> Assessment | None:
    """An assessment; returns it submitted unless ``state`` is draft or it cannot have been
    submitted by today (then it stays a draft and None is returned)."""
    rng = ctx.rng
    started = min(_wd(referral.received_on, 1), ctx.today)
    target = _wd(started, working_days.STANDARD_TARGET_DAYS)
    assessment = ctx.add(
        Assessment(
            family=h.family,
            referral=referral,
            status=Assessment.Status.DRAFT,
            lead_professional=h.lead,
            team=h.staff.team,
            consent_given=True,
            domestic_abuse_indicated=h.domestic_abuse,
            started_at=_at(started, 10),
            target_date=target,
            created_by=h.lead,
            updated_by=h.lead,
        )
    )
    child_target = state == "child_late" or (state == "submitted" and rng.random() < 0.4)
    if child_target:
        ctx.add(
            ChildTarget(
                assessment=assessment,
                child=h.children[0],
                target_date=_wd(started, 20),
                reason="Sooner than 45 working days: the child's needs call for a plan quickly.",
            )
        )
    if state == "draft":
        return None
    days = {"late": (48, 62), "child_late": (24, 40)}.get(state, (12, 40))
    submitted = _wd(started, rng.randint(*days))
    if submitted >= ctx.today:
        return None
    assessment.status = Assessment.Status.SUBMITTED
    vars(assessment).update(submission_fields(_at(submitted, 15)))
    if state in ("late", "child_late"):
        ctx.add(
            DelayReason(
                assessment=assessment,
                child=h.children[0] if state == "child_late" else None,
                reason=rng.choice(DELAYS),
                recorded_by=h.lead,
                recorded_at=_at(min(submitted, target), 16),
            )
        )
    return assessment


def _history(ctx: Ctx, h: Household, received: datetime.date) -> None:
    rng = ctx.rng
    referral = _referral(ctx, h, received)
    age = (ctx.today - received).days
    improving = rng.random() < 0.75
    comes_back = age > 120 and rng.random() < 0.5

    if h.source == "social_care":
        # Step-down from child in need: signed off, then the handover meeting opens the episode.
        decided = min(_wd(received, 1), ctx.today)
        handover = _wd(decided, rng.randint(5, 12))
        pending = age < 3
        decision = _decision(
            ctx,
            h,
            Decision.Kind.STEP_DOWN,
            decided,
            by=ctx.front_door,
            status=Decision.Status.PENDING if pending else None,
            referral=referral,
            level_of_need=2,
            lead_professional=h.lead,
            handover_meeting_on=handover,
            family_consent=True,
            rationale="The child in need plan is complete; the family agree to early help to keep things going.",
        )
        if pending:
            return
        awaiting = handover > ctx.today
        episode = _episode(ctx, h, referral, None, level=2, opened=None if awaiting else handover, handover=handover)
        decision.opened_episode = episode
        if not awaiting:
            _run_episode(ctx, h, episode, improving=improving)
        return

    roll = rng.random()
    if h.source == "police" and h.domestic_abuse and roll < 0.3:
        # Child protection concern: step-up on the request itself, no early help episode.
        _decision(
            ctx,
            h,
            Decision.Kind.STEP_UP_CP,
            received,
            by=ctx.front_door,
            status=Decision.Status.PENDING if age < 2 else None,
            referral=referral,
            level_of_need=4,
            front_door_alerted_at=_at(received, 16),
            rationale="Serious injury to a parent and threats to the children: section 47 enquiries needed.",
        )
        return
    if roll < 0.18 and ctx.services:
        # Universal: the front door signposts to directory services.
        pool = ctx.da_services if h.domestic_abuse and ctx.da_services else ctx.services
        _decision(
            ctx,
            h,
            Decision.Kind.UNIVERSAL,
            min(_wd(received, rng.choice((0, 1, 1, 2))), ctx.today),
            by=ctx.front_door,
            referral=referral,
            level_of_need=1,
            service_page_ids=rng.sample(pool, k=min(2, len(pool))),
            rationale="Needs can be met by universal services; the family were given a list of services.",
        )
        if comes_back:
            _come_back(ctx, h, received, within=rng.random() < 0.8)
        return
    if age < 60 and roll < 0.7:
        _assessment(ctx, h, referral, state="draft" if age < 30 else "submitted")
        return
    state = "late" if rng.random() < 0.15 else ("child_late" if rng.random() < 0.12 else "submitted")
    episode = _assess_and_open(ctx, h, referral, state=state, taf=rng.random() < 0.5)
    if episode is None:
        return
    episode = _run_episode(ctx, h, episode, improving=improving, short=comes_back)
    if not comes_back or episode.status != Episode.Status.CLOSED or episode.closure_reason == ClosureReason.STEPPED_UP:
        return
    back = episode.closed_on + datetime.timedelta(days=rng.randint(20, 150))
    if rng.random() < 0.2 and back < ctx.today:
        # Re-opened by the manager: a new episode linked to the closed one.
        reopen = _decision(
            ctx,
            h,
            Decision.Kind.REOPEN,
            back,
            by=h.manager,
            episode=episode,
            level_of_need=episode.level_of_need,
            rationale="The family asked for help again soon after closing; the same lead knows them.",
        )
        again = _episode(ctx, h, episode.referral, episode.assessment, level=episode.level_of_need, opened=back)
        again.previous = episode
        reopen.opened_episode = again
        _run_episode(ctx, h, again, improving=True)
        return
    _come_back(ctx, h, received, within=rng.random() < 0.8)


def _come_back(ctx: Ctx, h: Household, first: datetime.date, *, within: bool) -> None:
    """A new request for the same children: within 12 months of the first (a re-referral) or
    later (not one)."""
    rng = ctx.rng
    back = first + datetime.timedelta(days=rng.randint(40, 350) if within else rng.randint(380, 640))
    if back > ctx.today:
        return
    referral = _referral(ctx, h, back)
    if (ctx.today - back).days < 40:
        return
    episode = _assess_and_open(ctx, h, referral, state="submitted", taf=False)
    if episode is not None:
        _run_episode(ctx, h, episode, improving=rng.random() < 0.6)


def _assess_and_open(ctx: Ctx, h: Household, referral: Referral, *, state: str, taf: bool) -> Episode | None:
    rng = ctx.rng
    assessment = _assessment(ctx, h, referral, state=state)
    if assessment is None:
        return None
    submitted = timezone.localtime(assessment.submitted_at).date()
    decided = _wd(submitted, rng.randint(1, 4))
    if decided >= ctx.today:
        return None  # submitted, waiting for a decision
    level = 3 if taf else 2
    assessment.status = Assessment.Status.DECIDED
    assessment.decided_at = _at(decided, 14)
    assessment.level_of_need = assessment.recommended_level = level
    decision = _decision(
        ctx,
        h,
        Decision.Kind.TEAM_AROUND_FAMILY if taf else Decision.Kind.SINGLE_AGENCY,
        decided,
        by=h.lead,
        referral=referral,
        assessment=assessment,
        level_of_need=level,
        lead_professional=h.lead,
        rationale="The assessment shows needs that early help can meet with the family's agreement.",
    )
    episode = _episode(ctx, h, referral, assessment, level=level, opened=decided)
    decision.opened_episode = episode
    return episode


def _episode(ctx, h, referral, assessment, *, level: int, opened: datetime.date | None, handover=None) -> Episode:
    episode = ctx.add(
        Episode(
            family=h.family,
            referral=referral,
            assessment=assessment,
            team=h.staff.team,
            lead_professional=h.lead,
            level_of_need=level,
            status=Episode.Status.OPEN if opened else Episode.Status.AWAITING_HANDOVER,
            handover_planned_on=handover,
            opened_on=opened,
            first_meeting_due=_wd(opened, 10) if opened else None,
            created_at=_at(opened or ctx.today, 12),
        )
    )
    for child in h.children:
        ctx.add(Episode.children.through(episode=episode, person=child))
    return episode


# --- Working an episode ----------------------------------------------------------------------------
def _start_scores(rng: random.Random, focus: tuple[str, ...]) -> dict[str, tuple[int, int | None]]:
    family_scores = rng.random() < 0.85  # some families never score
    scores = {}
    for code in outcomes.AREA_CODES:
        practitioner = rng.randint(2, 5) if code in focus else rng.randint(6, 9)
        family = None
        if family_scores and rng.random() < 0.85:
            family = max(1, min(10, practitioner + rng.randint(-1, 2)))
        scores[code] = (practitioner, family)
    return scores


def _moved(rng: random.Random, start, focus, progress: float, improving: bool):
    moved = {}
    for code, (p, f) in start.items():
        if code in focus:
            step = rng.randint(1, 4) if improving else rng.randint(-2, 1)
        else:
            step = rng.randint(-1, 1) if rng.random() < 0.3 else 0
        gain = round(step * progress)
        family = None if f is None or rng.random() < 0.1 else max(1, min(10, f + gain + rng.randint(-1, 1)))
        moved[code] = (max(1, min(10, p + gain)), family)
    return moved


def _record(ctx: Ctx, episode: Episode, stage: str, day: datetime.date, scores, h: Household, review=None):
    record = ctx.add(OutcomeRecord(episode=episode, stage=stage, review=review, recorded_on=day, recorded_by=h.lead))
    for code, (practitioner, family) in scores.items():
        ctx.add(OutcomeScore(record=record, area=code, practitioner_score=practitioner, family_score=family))
    return record


def _run_episode(ctx: Ctx, h: Household, episode: Episode, *, improving: bool, short: bool = False) -> Episode:
    rng = ctx.rng
    opened = episode.opened_on
    closes = opened + datetime.timedelta(days=rng.randint(45, 110) if short else rng.randint(60, 300))
    end = min(closes, ctx.today)
    start = _start_scores(rng, h.focus)
    _record(ctx, episode, OutcomeRecord.Stage.START, opened, start, h)
    first_on = _wd(opened, rng.randint(4, 9) if rng.random() < 0.8 else rng.randint(11, 18))
    latest = start
    if first_on <= end:
        episode.first_meeting_held_on = first_on
        plan = ctx.add(Plan(episode=episode, agreed_on=first_on, created_by=h.lead, created_at=_at(first_on, 15)))
        pool = ctx.da_services if h.domestic_abuse and ctx.da_services else ctx.services
        used: set[int] = set()
        for n in range(rng.choice((1, 1, 2))):
            need = ctx.add(PlanNeed(plan=plan, child=h.children[n % len(h.children)], text=h.reason, sort_order=n))
            outcome = ctx.add(
                PlanOutcome(need=need, text="Things at home are calmer and the children feel settled.", sort_order=0)
            )
            for k in range(rng.randint(1, 3)):
                service = None
                if ctx.services and (k == 0 or rng.random() < 0.4):
                    service = rng.choice(pool if k == 0 else ctx.services)
                done = closes <= ctx.today
                status = (
                    (PlanAction.Status.DONE if improving or rng.random() < 0.4 else PlanAction.Status.NOT_DONE)
                    if done
                    else rng.choice((PlanAction.Status.IN_PROGRESS, PlanAction.Status.NOT_STARTED))
                )
                ctx.add(
                    PlanAction(
                        outcome=outcome,
                        text=ACTIONS[k % len(ACTIONS)] if service else ACTIONS[2 + k % 2],
                        owner=h.lead if k != 1 else None,
                        owner_name="" if k != 1 else "Class teacher",
                        due_on=first_on + datetime.timedelta(weeks=rng.randint(4, 12)),
                        service_page_id=service,
                        status=status,
                        sort_order=k,
                    )
                )
                if service is not None and service not in used:
                    used.add(service)
                    ctx.add(EpisodeService(episode=episode, service_page_id=service))
        held = first_on
        reviews = 0
        while True:
            held = held + datetime.timedelta(weeks=6, days=rng.randint(-3, 10))
            if held >= end:
                break
            reviews += 1
            latest = _moved(rng, start, h.focus, min(1.0, reviews / 4), improving)
            review = ctx.add(
                Review(
                    episode=episode,
                    plan=plan,
                    held_on=held,
                    summary="Progress reviewed with the family and the team around them.",
                    recorded_by=h.lead,
                    recorded_at=_at(held, 16),
                )
            )
            _record(ctx, episode, OutcomeRecord.Stage.REVIEW, held, latest, h, review=review)
        if closes > ctx.today - datetime.timedelta(days=3):
            episode.next_review_due = (held if reviews else first_on) + datetime.timedelta(weeks=6)
    if closes > ctx.today - datetime.timedelta(days=3):
        if rng.random() < 0.1:  # a closure waiting for a manager's sign-off
            _decision(
                ctx,
                h,
                Decision.Kind.CLOSURE,
                ctx.today,
                by=h.lead,
                status=Decision.Status.PENDING,
                episode=episode,
                level_of_need=episode.level_of_need,
                closure_reason=ClosureReason.NEEDS_MET,
                closure_summary="Needs met; the family know where to go for help.",
                rationale="The family's goals are met.",
            )
        return episode
    if not improving and rng.random() < 0.35:
        # Step-up to a child in need assessment: closes the episode as stepped up when signed off.
        _decision(
            ctx,
            h,
            Decision.Kind.STEP_UP_CIN,
            closes,
            by=h.lead,
            episode=episode,
            level_of_need=4,
            front_door_alerted_at=_at(closes, 16),
            rationale="Concerns have grown despite the plan: the children need a child in need assessment.",
        )
        _close(episode, ClosureReason.STEPPED_UP, closes, "Stepped up to a child in need assessment.")
        return episode
    return _closure(ctx, h, episode, start, closes, improving)


def _closure(ctx: Ctx, h: Household, episode: Episode, start, closed: datetime.date, improving: bool) -> Episode:
    rng = ctx.rng
    if improving:
        reason = _pick(rng, CLOSURE_REASONS)
    else:
        reason = rng.choice(
            (ClosureReason.CONSENT_WITHDRAWN, ClosureReason.MOVED_AWAY, ClosureReason.OTHER, ClosureReason.NEEDS_MET)
        )
    _record(ctx, episode, OutcomeRecord.Stage.CLOSURE, closed, _moved(rng, start, h.focus, 1.0, improving), h)
    other = "The family asked for help from their church instead" if reason == ClosureReason.OTHER else ""
    fields = {
        "episode": episode,
        "level_of_need": episode.level_of_need,
        "closure_reason": reason,
        "closure_other": other,
        "closure_summary": "Closing summary agreed with the family at the last review.",
        "rationale": "The plan's actions are complete and the family agree that things have improved.",
    }
    if rng.random() < 0.08:  # a first proposal the manager did not agree
        _decision(
            ctx,
            h,
            Decision.Kind.CLOSURE,
            closed - datetime.timedelta(days=14),
            by=h.lead,
            status=Decision.Status.REJECTED,
            **fields,
        )
    _decision(ctx, h, Decision.Kind.CLOSURE, closed, by=h.lead, **fields)
    _close(episode, reason, closed, fields["closure_summary"], other)
    due = episode.sustained_check_due
    if due is not None and due <= ctx.today and rng.random() < 0.85:
        episode.sustained_check_prompted_at = _at(due, 7)
        ctx.add(
            SustainedCheck(
                episode=episode,
                checked_on=min(due + datetime.timedelta(days=rng.randint(0, 20)), ctx.today),
                sustained=rng.random() < (0.8 if improving else 0.4),
                notes="Spoke to the family on the phone.",
                checked_by=h.lead,
            )
        )
    return episode


def _close(episode: Episode, reason: str, closed: datetime.date, summary: str, other: str = "") -> None:
    from dateutil.relativedelta import relativedelta

    episode.status = Episode.Status.CLOSED
    episode.closed_on = closed
    episode.closure_reason = reason
    episode.closure_other = other
    episode.closure_summary = summary
    episode.next_review_due = None
    episode.sustained_check_due = closed + relativedelta(months=6) if reason in SUSTAINED_REASONS else None


# --- Writing -----------------------------------------------------------------------------------------
ORDER = (
    "Family",
    "Person",
    "Referral",
    "ReferralChild",
    "Assessment",
    "ChildTarget",
    "DelayReason",
    "Episode",
    "Episode_children",
    "Decision",
    "Plan",
    "PlanNeed",
    "PlanOutcome",
    "PlanAction",
    "EpisodeService",
    "Review",
    "OutcomeRecord",
    "OutcomeScore",
    "SustainedCheck",
)
LABELS = {"ReferralChild": "Referral children", "Episode_children": "Episode children"}
MODELS = {
    "Family": Family,
    "Person": Person,
    "Referral": Referral,
    "ReferralChild": ReferralChild,
    "Assessment": Assessment,
    "ChildTarget": ChildTarget,
    "DelayReason": DelayReason,
    "Episode": Episode,
    "Episode_children": Episode.children.through,
    "Decision": Decision,
    "Plan": Plan,
    "PlanNeed": PlanNeed,
    "PlanOutcome": PlanOutcome,
    "PlanAction": PlanAction,
    "EpisodeService": EpisodeService,
    "Review": Review,
    "OutcomeRecord": OutcomeRecord,
    "OutcomeScore": OutcomeScore,
    "SustainedCheck": SustainedCheck,
}


def _write(rows: dict[str, list], counts: dict[str, int]) -> None:
    for name in ORDER:
        objs = rows.get(name, [])
        if not objs:
            continue
        if name == "Episode":
            # Re-opened episodes point at the episode they re-open: write those second.
            first = [e for e in objs if e.previous is None]
            Episode.objects.bulk_create(first, batch_size=500)
            later = [e for e in objs if e.previous is not None]
            Episode.objects.bulk_create(later, batch_size=500)
        else:
            MODELS[name].objects.bulk_create(objs, batch_size=500)
        counts[name] = counts.get(name, 0) + len(objs)


def _references(model, prefix: str) -> None:
    """The references ``save()`` gives (``FAM-000042``), for the rows written in bulk."""
    padded = LPad(Cast("pk", CharField()), 6, Value("0"))
    model.objects.filter(reference__isnull=True).update(
        reference=Concat(
            Value(prefix),
            Case(When(pk__lt=1_000_000, then=padded), default=Cast("pk", CharField())),
            output_field=CharField(),
        )
    )


def seed_families(n: int, *, seed: int = 2016, stdout=None) -> dict[str, int]:
    """Add ``n`` synthetic families with their histories; returns rows written per model."""
    existing = Family.objects.count()
    teams, front_door = _staff()
    services, da_services = _services()
    primary, secondary = _schools()
    ctx = Ctx(
        rng=random.Random(seed * 1_000_003 + existing),
        today=timezone.localdate(),
        teams=teams,
        front_door=front_door,
        services=services,
        da_services=da_services,
        primary_schools=primary,
        secondary_schools=secondary,
    )
    counts: dict[str, int] = {}
    done = 0
    while done < n:
        size = min(BATCH, n - done)
        ctx.rows = {}
        for i in range(size):
            _family(ctx, existing + done + i + 1)
        with transaction.atomic():
            _write(ctx.rows, counts)
            # The outcomes dashboard's read model, in bulk for the episodes scored in this batch.
            outcomes.refresh_episode_outcomes({r.episode_id for r in ctx.rows.get("OutcomeRecord", [])})
            # bulk_create sends no signals: the stored re-referral flags of this batch's children.
            rereferral.refresh_flags({link.person_id for link in ctx.rows.get("ReferralChild", [])})
        done += size
        if stdout is not None:
            stdout.write(f"\r{done}/{n} families", ending="")
            stdout.flush()
    if stdout is not None:
        stdout.write("")
    with transaction.atomic():
        for model, prefix in ((Family, "FAM-"), (Referral, "REF-"), (Assessment, "EHA-"), (Episode, "EP-")):
            _references(model, prefix)
    return {LABELS.get(name, name): counts.get(name, 0) for name in ORDER}
