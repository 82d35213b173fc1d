"""The ``load_demo`` step for casework (issue 7 point 9): two years of episodes of help, enough
for commissioners' insights (issue 8) to mean something.

About 160 families referred over the last 24 months by a spread of agencies, each taken
through the casework services (:mod:`eh_assessments.casework`) with ``now=`` and event dates
in the past, so every rule the services enforce holds for the demo too:

* decisions of every kind: signposting to real directory services by the front door, single
  agency and team around the family on submitted assessments, step-up to a child in need
  assessment (from an open episode) and to child protection (on a request for help, alerting
  the front door), and step-down from child in need with a handover meeting; every step-up,
  step-down and closure is signed off by a manager who did not propose it, some are still
  waiting, some were not agreed;
* plans whose actions use directory services (domestic abuse services first when the family's
  request is about domestic abuse), first and review meetings, reviews with the ten outcome
  scores (practitioner and family) at the start, at reviews and at closure — most families
  improve, some do not;
* closures with every reason, some re-opened, sustained-outcome checks for the closures older
  than six months that need one, case supervision;
* re-referrals within 12 months (close to one request in five); assessments late against 45
  working days and against a child's own target, with delay reasons; two children matching
  Operation Encompass demo notifications (name and date of birth), when that demo is loaded.

What the services cannot backdate is set afterwards with ``QuerySet.update``: an assessment's
start, target and submission (the assessment demo, :mod:`eh_assessments.demo`, shows the
wizard; these assessments are submitted without answers, as history), the recorded time of a
delay reason, the sustained-check prompt, and the outbox: the demo's historical emails are
marked sent on the day they were queued, so loading the demo never emails anyone.

Families, people and requests for help are created directly (``bulk_create``): they carry
no rules beyond their fields, and doing it in bulk keeps the step fast.

Idempotent: the demo's families are marked by their email domain (``DEMO_EMAIL_DOMAIN``, not
the assessment demo's); running the step again deletes them with everything hanging off them
and builds them again from the same seed. The assessment demo's families are never touched.
Needs the demo accounts and the directory demo (for signposting) loaded first; the extra demo
professionals it needs are created here, as :mod:`portal.accounts.demo` creates accounts.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from portal.accounts import demo as accounts_demo
from portal.accounts.models import Team, User
from portal.accounts.roles import ROLES_BY_SLUG, sync_roles

from . import casework, outcomes, services, working_days
from .models import Assessment, ChildTarget, Family, Person, Referral, submission_fields
from .models_casework import (
    CaseworkMessage,
    ClosureReason,
    Decision,
    Episode,
    Meeting,
    OutcomeRecord,
    PlanAction,
)

DEMO_EMAIL_DOMAIN = "casework.demo.example.org"
SEED = 20260701
FAMILIES = 160
DAYS = 730  # two years

LEAD = "lead.professional@example.org"
MANAGER = "early.help.manager@example.org"
FRONT_DOOR = "front.door@example.org"
WEST_TEAM = "Sunderland West early help team"
WEST_AREA = "Sunderland West"

EXTRA_ACCOUNTS = (
    accounts_demo.DemoAccount(
        "lead_professional", "family.worker@example.org", "Tom", "Gibson", "Family support worker", in_team=True
    ),
    accounts_demo.DemoAccount(
        "lead_professional", "west.practitioner@example.org", "Nadia", "Begum", "Early help practitioner", in_team=True
    ),
    accounts_demo.DemoAccount(
        "lead_professional", "west.worker@example.org", "Craig", "Milburn", "Family support worker", in_team=True
    ),
    accounts_demo.DemoAccount(
        "early_help_manager", "west.manager@example.org", "Susan", "Hepburn", "Early help team manager", in_team=True
    ),
)
WEST_EMAILS = frozenset({"west.practitioner@example.org", "west.worker@example.org", "west.manager@example.org"})

SOURCES = (
    ("school", 30),
    ("health_visitor", 12),
    ("police", 14),
    ("gp", 6),
    ("camhs", 5),
    ("early_years", 6),
    ("housing", 5),
    ("voluntary", 5),
    ("family", 8),
    ("social_care", 9),
)
REFERRERS = {
    "school": ("Designated safeguarding lead", "Castletown Primary School"),
    "health_visitor": ("Health visitor", "Sunderland 0-19 service"),
    "police": ("Operation Encompass officer", "Northumbria Police"),
    "gp": ("GP", "Roker Medical Practice"),
    "camhs": ("Clinician", "Sunderland CAMHS"),
    "early_years": ("Nursery manager", "Little Acorns Nursery"),
    "housing": ("Housing officer", "Gentoo"),
    "voluntary": ("Project worker", "Wearside Women in Need"),
    "family": ("Parent", ""),
    "social_care": ("Social worker", "Children's social care"),
}
REASONS = (
    ("Attendance has dropped below 85% and mornings at home are difficult.", False),
    ("Mum is struggling with the children's behaviour since a family bereavement.", False),
    ("Police attended a domestic abuse incident at the home; the children were present.", True),
    ("The family is in rent arrears and has been threatened with eviction.", False),
    ("Low mood in a parent and the eldest child is caring for younger siblings.", False),
    ("Speech and language delay and the family is isolated since moving to the area.", False),
    ("Repeated arguments between the parents after separation; the children are anxious.", True),
    ("A young person is missing school and spending time with older young people.", False),
)
SURNAMES = [
    "Smith",
    "Jones",
    "Taylor",
    "Brown",
    "Wilson",
    "Robson",
    "Thompson",
    "Walker",
    "Wright",
    "Hall",
    "Wood",
    "Armstrong",
    "Bell",
    "Charlton",
    "Dixon",
    "Elliott",
    "Graham",
    "Harrison",
    "Hutchinson",
    "Johnson",
    "Lee",
    "Milburn",
    "Moore",
    "Nicholson",
    "Pearson",
    "Richardson",
    "Scott",
    "Stephenson",
    "Turner",
    "Watson",
    "Young",
    "Khan",
    "Ali",
    "Begum",
    "Hussain",
    "Nowak",
    "Kowalski",
    "Ahmed",
    "Okafor",
    "Mensah",
]
GIVEN = {
    "female": [
        "Amelia",
        "Olivia",
        "Isla",
        "Ava",
        "Grace",
        "Lily",
        "Freya",
        "Evie",
        "Ruby",
        "Sophie",
        "Chloe",
        "Ella",
        "Maya",
        "Zara",
        "Hana",
    ],
    "male": [
        "Oliver",
        "Jack",
        "Harry",
        "Noah",
        "Leo",
        "Charlie",
        "Alfie",
        "Theo",
        "Jacob",
        "Oscar",
        "Max",
        "Ethan",
        "Kai",
        "Zain",
        "Adam",
    ],
}
ADULTS = {
    "female": ["Kerry", "Lisa", "Gemma", "Sarah", "Leanne", "Nicola", "Amy", "Donna"],
    "male": ["Paul", "Craig", "Lee", "Mark"],
}
CLOSURE_REASONS = (
    (ClosureReason.NEEDS_MET, 60),
    (ClosureReason.SINGLE_AGENCY, 14),
    (ClosureReason.CONSENT_WITHDRAWN, 8),
    (ClosureReason.MOVED_AWAY, 6),
    (ClosureReason.OTHER, 4),
)
SUPERVISION = {
    "what_is_working": "Mum is engaging well and the children are getting to school on time most days.",
    "what_worries_us": "Money worries are still high and the family has little support nearby.",
    "child_would_say": "That home feels calmer and they would like more time with mum after school.",
    "what_next": "Keep the plan going; the practitioner to check the debt advice referral at the next review.",
}


@dataclass
class Ctx:
    rng: random.Random
    today: datetime.date
    users: dict[str, User]
    north: Team
    west: Team
    services: list[int]
    da_services: list[int]
    encompass: list = field(default_factory=list)
    closures: int = 0
    household: Household | None = None

    def practitioners(self, team: Team) -> list[User]:
        if team == self.west:
            return [self.users["west.practitioner@example.org"], self.users["west.worker@example.org"]]
        return [self.users[LEAD], self.users["family.worker@example.org"]]

    def manager(self, team: Team) -> User:
        return self.users["west.manager@example.org" if team == self.west else MANAGER]


def _refuse_unless_demo_mode() -> None:
    if not getattr(settings, "DEMO_MODE", False):
        raise ImproperlyConfigured("Demo casework is loaded only when DEMO_MODE is on (dev and test settings).")


def _at(day: datetime.date, hour: int = 11) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, 0)))


def _pick(rng: random.Random, weighted) -> str:
    values, weights = zip(*weighted, strict=True)
    return rng.choices(values, weights=weights)[0]


def _past(ctx: Ctx, day: datetime.date) -> datetime.date:
    return min(day, ctx.today)


# --- Accounts and clearing -------------------------------------------------------------------------
def _accounts() -> tuple[dict[str, User], Team, Team]:
    users = {}
    for email in (LEAD, MANAGER, FRONT_DOOR):
        user = User.objects.filter(email__iexact=email).first()
        if user is None:
            raise ImproperlyConfigured(f"Load the demo accounts first: {email} is missing.")
        users[email] = user
    north = users[MANAGER].team
    if north is None:
        raise ImproperlyConfigured("Load the demo accounts first: the early help manager has no team.")
    sync_roles()
    west, _ = Team.objects.get_or_create(name=WEST_TEAM, defaults={"area": WEST_AREA})
    for account in EXTRA_ACCOUNTS:
        team = west if account.email in WEST_EMAILS else north
        user = accounts_demo._upsert(account, settings.DEMO_PASSWORD, team=team, is_staff=False, is_superuser=False)
        user.groups.set([Group.objects.get(name=ROLES_BY_SLUG[account.role].name)])
        users[account.email] = user
    return users, north, west


def demo_families():
    return Family.objects.filter(email__endswith=f"@{DEMO_EMAIL_DOMAIN}")


def _clear() -> None:
    families = demo_families()
    episodes = Episode.objects.filter(family__in=families)
    decisions = Decision.objects.filter(family__in=families)
    referral_keys = [
        f"referral-outcome:{pk}" for pk in Referral.objects.filter(family__in=families).values_list("pk", flat=True)
    ]
    step_up = Q()
    for pk in decisions.values_list("pk", flat=True):
        step_up |= Q(key__startswith=f"step-up:{pk}:")
    CaseworkMessage.objects.filter(Q(episode__in=episodes) | Q(key__in=referral_keys)).delete()
    if step_up:
        CaseworkMessage.objects.filter(step_up).delete()
    decisions.delete()
    episodes.update(previous=None)
    episodes.delete()
    Assessment.objects.filter(family__in=families).delete()
    families.delete()


# --- Families ----------------------------------------------------------------------------------------
@dataclass
class Household:
    family: Family
    team: Team
    children: list[Person]
    source: str
    reason: str
    domestic_abuse: bool
    received: datetime.date
    scenario: str = ""  # forced for a few households, so every state is always there


def _households(ctx: Ctx) -> list[Household]:
    rng = ctx.rng
    specs = []
    for n in range(FAMILIES):
        surname = rng.choice(SURNAMES)
        team = ctx.west if rng.random() < 0.3 else ctx.north
        source = _pick(rng, SOURCES)
        reason, da = rng.choice(REASONS)
        # Referrals spread over 24 months, a little busier recently (as most services are).
        received = ctx.today - datetime.timedelta(days=int(DAYS * (rng.random() ** 1.15)))
        specs.append((n, surname, team, source, reason, da, received))
    specs.sort(key=lambda s: (s[6], s[0]))
    families = Family.objects.bulk_create(
        Family(
            address=f"{10 + n} {rng.choice(['Chester', 'Durham', 'Newcastle', 'Hylton', 'Ryhope'])} Road, Sunderland",
            postcode=f"SR{1 + n % 6} {n % 9}AB",
            email=f"family{n:03d}@{DEMO_EMAIL_DOMAIN}",
            main_language="English",
            team=team,
            created_by=ctx.users[FRONT_DOOR],
            created_at=_at(received, 9),
        )
        for n, surname, team, _, _, _, received in specs
    )
    for family in families:  # the reference Family.save gives
        family.reference = f"FAM-{family.pk:06d}"
    Family.objects.bulk_update(families, ["reference"])
    people = []
    for family, (_, surname, *_rest) in zip(families, specs, strict=True):
        mum_gender = "female" if rng.random() < 0.85 else "male"
        people.append(
            Person(
                family=family,
                kind=Person.ADULT,
                given_name=rng.choice(ADULTS[mum_gender]),
                family_name=surname,
                date_of_birth=ctx.today - datetime.timedelta(days=rng.randint(22 * 365, 48 * 365)),
                gender=mum_gender,
                ethnicity="white_british",
                first_language="English",
            )
        )
        for _ in range(rng.choice((1, 1, 2, 2, 2, 3))):
            gender = rng.choice(("female", "male"))
            people.append(
                Person(
                    family=family,
                    kind=Person.CHILD,
                    given_name=rng.choice(GIVEN[gender]),
                    family_name=surname,
                    date_of_birth=ctx.today - datetime.timedelta(days=rng.randint(200, 16 * 365)),
                    gender=gender,
                    ethnicity=rng.choice(("white_british",) * 6 + ("asian_pakistani", "black_african", "mixed_other")),
                    first_language="English",
                    send=rng.choice(("none",) * 5 + ("sen_support", "ehc_plan")),
                )
            )
    Person.objects.bulk_create(people)
    people = list(Person.objects.filter(family__in=families).order_by("pk"))
    by_family: dict[int, list[Person]] = {}
    for person in people:
        if person.kind == Person.CHILD:
            by_family.setdefault(person.family_id, []).append(person)
    # Two children who match Operation Encompass demo notifications (name and date of birth).
    recent = list(by_family.values())
    for household_children, notified in zip((recent[-12], recent[-10]), ctx.encompass, strict=False):
        child = household_children[0]
        child.given_name, child.family_name, child.date_of_birth = (
            notified.given_name,
            notified.family_name,
            notified.date_of_birth,
        )
        child.save(update_fields=["given_name", "family_name", "date_of_birth"])
    households = [
        Household(family, team, by_family[family.pk], source, reason, da, received)
        for family, (n, surname, team, source, reason, da, received) in zip(families, specs, strict=True)
    ]
    forced = {
        5: ("cp", "police"),
        8: ("cin", "school"),
        12: ("universal", "health_visitor"),
        20: ("reopen", "school"),
        -4: ("draft", "school"),
        -3: ("submitted", "gp"),
        -2: ("cp_pending", "police"),
        -1: ("awaiting_handover", "social_care"),
    }
    for index, (scenario, source) in forced.items():
        households[index].scenario = scenario
        households[index].source = source
        if scenario.startswith("cp"):
            households[index].domestic_abuse = True
            households[index].reason = REASONS[2][0]
    return households


def _referral(ctx: Ctx, household: Household, received: datetime.date, children: list[Person]) -> Referral:
    role, organisation = REFERRERS[household.source]
    referral = Referral.objects.create(
        family=household.family,
        source_agency=household.source,
        referrer_name="Demo referrer",
        referrer_role=role,
        referrer_organisation=organisation,
        referrer_email=f"referrer.{household.source}@example.org",
        received_on=received,
        reason=household.reason,
        created_by=ctx.users[FRONT_DOOR],
    )
    Referral.objects.filter(pk=referral.pk).update(created_at=_at(received, 9))
    referral.children.set(children)
    return referral


def _working_day(day: datetime.date, n: int) -> datetime.date:
    return working_days.add_working_days(day, n) if n else day


# --- Assessments (history only) ---------------------------------------------------------------------
def _assessment(ctx: Ctx, household: Household, referral: Referral, lead: User, *, state: str) -> Assessment:
    """An assessment started the working day after the request; ``state`` is draft, submitted,
    late (submitted after 45 working days, with a delay reason) or child_late (one child's own
    earlier target missed, with a delay reason)."""
    rng = ctx.rng
    assessment = services.start_assessment(user=lead, referral=referral)
    started = _past(ctx, _working_day(referral.received_on, 1))
    target = working_days.add_working_days(started, working_days.STANDARD_TARGET_DAYS)
    values = {"started_at": _at(started, 10), "target_date": target, "consent_given": True}
    child = household.children[0]
    if state == "child_late" or (state == "submitted" and rng.random() < 0.5):
        ChildTarget.objects.create(
            assessment=assessment,
            child=child,
            target_date=working_days.add_working_days(started, 20),
            reason="Sooner than 45 working days: the child's needs call for a plan quickly.",
        )
    if state == "draft":
        Assessment.objects.filter(pk=assessment.pk).update(**values)
        assessment.refresh_from_db()
        return assessment
    if state == "late":
        days = rng.randint(48, 62)
    elif state == "child_late":
        days = rng.randint(24, 40)
    else:
        days = rng.randint(12, 40)
    submitted = _past(ctx, working_days.add_working_days(started, days))
    values.update(status=Assessment.Status.SUBMITTED, **submission_fields(_at(submitted, 15)), level_of_need=None)
    Assessment.objects.filter(pk=assessment.pk).update(**values)
    assessment.refresh_from_db()
    if state in ("late", "child_late"):
        delay = casework.record_delay_reason(
            assessment,
            user=lead,
            child=child if state == "child_late" else None,
            reason=rng.choice(
                (
                    "The family cancelled two home visits while mum was in hospital.",
                    "Waiting for the school's and health visitor's contributions.",
                    "An interpreter was needed and the first available date was three weeks away.",
                )
            ),
        )
        type(delay).objects.filter(pk=delay.pk).update(recorded_at=_at(min(submitted, target), 16))
    return assessment


# --- Scores -------------------------------------------------------------------------------------------
def _start_scores(rng: random.Random) -> dict[str, tuple[int, int | None]]:
    return {
        code: (rng.randint(2, 7), rng.randint(2, 8) if rng.random() < 0.75 else None) for code in outcomes.AREA_CODES
    }


def _moved(rng: random.Random, start, progress: float, improving: bool):
    moved = {}
    for code, (p, f) in start.items():
        step = rng.randint(1, 4) if improving else rng.randint(-2, 1)
        gain = round(step * progress)
        moved[code] = (max(1, min(10, p + gain)), None if f is None else max(1, min(10, f + gain + rng.randint(-1, 1))))
    return moved


# --- Episodes -----------------------------------------------------------------------------------------
def _work_episode(ctx: Ctx, episode: Episode, lead: User, *, end: datetime.date, improving: bool) -> dict:
    """Start scores, the first meeting, the plan, and reviews (with scores and supervision)
    until ``end`` (the day the episode closes, or today)."""
    rng = ctx.rng
    manager = ctx.manager(episode.team)
    opened = episode.opened_on
    start = _start_scores(rng)
    casework.record_outcome_scores(
        episode, user=lead, stage=OutcomeRecord.Stage.START, scores=start, recorded_on=_past(ctx, opened)
    )
    # The first meeting: usually within 10 working days, sometimes late.
    due = episode.first_meeting_due
    first_on = _working_day(opened, rng.randint(4, 9)) if rng.random() < 0.8 else _working_day(due, rng.randint(2, 8))
    if first_on > end:
        return {"start": start, "latest": start}
    meeting = casework.schedule_meeting(episode, user=lead, kind=Meeting.Kind.FIRST, scheduled_on=first_on)
    casework.record_meeting_held(meeting, user=lead, held_on=first_on, notes="Everyone agreed the plan.")
    actions = []
    first_choice = ctx.da_services if ctx.da_services and ctx.household.domestic_abuse else ctx.services
    for n in range(rng.randint(2, 3)):
        actions.append(
            {
                "text": ("Attend " if n == 0 else "Take up ") + "the service agreed at the meeting",
                "owner": lead if n != 1 else None,
                "owner_name": "" if n != 1 else "Class teacher",
                "due_on": first_on + datetime.timedelta(weeks=rng.randint(4, 12)),
                "service_page_id": rng.choice(first_choice)
                if n == 0
                else (rng.choice(ctx.services) if rng.random() < 0.4 else None),
            }
        )
    needs = [
        {
            "text": ctx.household.reason,
            "child": ctx.household.children[0],
            "outcomes": [
                {"text": "Things at home are calmer and the children feel safe and settled.", "actions": actions}
            ],
        }
    ]
    plan = casework.agree_plan(episode, user=lead, agreed_on=first_on, needs=needs)
    action_ids = list(PlanAction.objects.filter(outcome__need__plan=plan).values_list("pk", flat=True))
    latest = start
    held = first_on
    reviews = 0
    while True:
        held = held + datetime.timedelta(weeks=6, days=rng.randint(-3, 10))
        if held >= end:
            break
        reviews += 1
        progress_ratio = min(1.0, reviews / 4)
        latest = _moved(rng, start, progress_ratio, improving)
        meeting = casework.schedule_meeting(episode, user=lead, kind=Meeting.Kind.REVIEW, scheduled_on=held)
        casework.record_meeting_held(meeting, user=lead, held_on=held)
        status = PlanAction.Status.DONE if reviews >= 2 and improving else PlanAction.Status.IN_PROGRESS
        casework.record_review(
            episode,
            user=lead,
            held_on=held,
            summary="Progress reviewed with the family and the team around them.",
            progress={
                pk: {"status": status if improving or rng.random() < 0.5 else PlanAction.Status.NOT_DONE}
                for pk in action_ids
            },
            scores=latest,
            meeting=meeting,
        )
        if reviews % 2 == 1:
            supervised = _past(ctx, held + datetime.timedelta(days=2))
            casework.record_supervision(episode, user=manager, held_on=supervised, **SUPERVISION)
    if reviews == 0 and rng.random() < 0.5 and first_on + datetime.timedelta(days=14) <= min(end, ctx.today):
        casework.record_supervision(
            episode, user=manager, held_on=first_on + datetime.timedelta(days=14), **SUPERVISION
        )
    return {"start": start, "latest": latest}


def _close(ctx: Ctx, episode: Episode, lead: User, scores: dict, closed: datetime.date, improving: bool) -> Episode:
    rng = ctx.rng
    manager = ctx.manager(episode.team)
    if ctx.closures < len(CLOSURE_REASONS):  # every reason at least once
        reason = CLOSURE_REASONS[ctx.closures][0]
    elif improving:
        reason = _pick(rng, CLOSURE_REASONS)
    else:
        reason = rng.choice(
            (ClosureReason.CONSENT_WITHDRAWN, ClosureReason.MOVED_AWAY, ClosureReason.OTHER, ClosureReason.NEEDS_MET)
        )
    ctx.closures += 1
    final = _moved(rng, scores["start"], 1.0, improving)
    casework.record_outcome_scores(
        episode, user=lead, stage=OutcomeRecord.Stage.CLOSURE, scores=final, recorded_on=closed
    )
    proposal = {
        "user": lead,
        "kind": Decision.Kind.CLOSURE,
        "episode": episode,
        "rationale": "The plan's actions are complete and the family agree that things have improved.",
        "closure_reason": reason,
        "closure_other": "The family asked for help from their church instead" if reason == ClosureReason.OTHER else "",
        "closure_summary": "Closing summary agreed with the family at the last review.",
    }
    if rng.random() < 0.08:  # a first proposal the manager did not agree
        rejected = casework.record_decision(**proposal, now=_at(closed - datetime.timedelta(days=14), 10))
        casework.sign_off(
            rejected,
            user=manager,
            approve=False,
            note="Not yet: the housing action is not done. Review again in two weeks.",
            now=_at(closed - datetime.timedelta(days=13), 14),
        )
    decision = casework.record_decision(**proposal, now=_at(closed, 10))
    signed = _past(ctx, closed + datetime.timedelta(days=rng.randint(0, 3)))
    casework.sign_off(decision, user=manager, approve=True, note="Agreed.", now=_at(signed, 15))
    episode.refresh_from_db()
    due = episode.sustained_check_due
    if due is not None and due <= ctx.today:
        checked = _past(ctx, due + datetime.timedelta(days=rng.randint(0, 20)))
        Episode.objects.filter(pk=episode.pk).update(sustained_check_prompted_at=_at(due, 7))
        casework.record_sustained_check(
            episode,
            user=lead,
            checked_on=checked,
            sustained=rng.random() < (0.8 if improving else 0.4),
            notes="Spoke to mum on the phone.",
        )
    return episode


def _decide_assessment(ctx: Ctx, household: Household, referral: Referral, lead: User, kind: str, *, improving: bool):
    """An assessment decided as single agency or team around the family, and its episode."""
    rng = ctx.rng
    state = "late" if rng.random() < 0.15 else ("child_late" if rng.random() < 0.12 else "submitted")
    assessment = _assessment(ctx, household, referral, lead, state=state)
    decided = _past(ctx, _working_day(timezone.localtime(assessment.submitted_at).date(), rng.randint(1, 4)))
    others = [p for p in ctx.practitioners(household.team) if p.pk != lead.pk]
    decision = casework.record_decision(
        user=lead,
        kind=kind,
        assessment=assessment,
        rationale="The assessment shows needs that early help can meet with the family's agreement.",
        lead_professional=lead,
        members=others if kind == Decision.Kind.TEAM_AROUND_FAMILY else (),
        now=_at(decided, 14),
    )
    return decision.opened_episode


def _run_episode(
    ctx: Ctx,
    household: Household,
    episode: Episode,
    lead: User,
    *,
    improving: bool,
    step_up: bool = False,
    short: bool = False,
) -> Episode:
    """Work the episode and close it (or step it up, or leave it open when recent)."""
    rng = ctx.rng
    length = rng.randint(45, 110) if short else rng.randint(60, 300)
    closes = episode.opened_on + datetime.timedelta(days=length)
    end = min(closes, ctx.today)
    scores = _work_episode(ctx, episode, lead, end=end, improving=improving)
    if closes > ctx.today - datetime.timedelta(days=3):
        # Still open; a few wait for a manager to sign their closure off.
        if rng.random() < 0.1:
            casework.record_decision(
                user=lead,
                kind=Decision.Kind.CLOSURE,
                episode=episode,
                rationale="The family's goals are met.",
                closure_reason=ClosureReason.NEEDS_MET,
                closure_summary="Needs met; the family know where to go for help.",
                now=_at(ctx.today, 9),
            )
        return episode
    if step_up or (not improving and rng.random() < 0.35):
        kind = Decision.Kind.STEP_UP_CIN
        proposed = closes
        decision = casework.record_decision(
            user=lead,
            kind=kind,
            episode=episode,
            rationale="Concerns have grown despite the plan: the children need a child in need assessment.",
            now=_at(proposed, 10),
        )
        casework.sign_off(
            decision, user=ctx.manager(household.team), approve=True, note="Agreed: refer today.", now=_at(proposed, 16)
        )
        episode.refresh_from_db()
        return episode
    return _close(ctx, episode, lead, scores, closes, improving)


def _family(ctx: Ctx, household: Household) -> None:
    rng = ctx.rng
    ctx.household = household
    team = household.team
    lead = rng.choice(ctx.practitioners(team))
    manager = ctx.manager(team)
    front_door = ctx.users[FRONT_DOOR]
    referral = _referral(ctx, household, household.received, household.children)
    age = (ctx.today - household.received).days
    improving = household.scenario == "reopen" or rng.random() < 0.78
    # About half the families referred long enough ago come back within the year: most are
    # re-referred (the re-referral rate lands near 18% of requests), a few are re-opened.
    comes_back = household.scenario == "reopen" or (not household.scenario and age > 120 and rng.random() < 0.5)

    scenario = household.scenario
    if household.source == "social_care":
        # Step-down from child in need: agreed, signed off, then the handover meeting.
        decided = _past(ctx, _working_day(household.received, 1))
        handover = _working_day(decided, rng.randint(5, 12))
        if scenario == "awaiting_handover":
            decided, handover = _past(ctx, household.received), _working_day(ctx.today, 3)
            age = max(age, 3)
        decision = casework.record_decision(
            user=front_door,
            kind=Decision.Kind.STEP_DOWN,
            referral=referral,
            rationale="The child in need plan is complete; the family agree to early help to keep things going.",
            lead_professional=lead,
            handover_meeting_on=handover,
            family_consent=True,
            now=_at(decided, 10),
        )
        if age < 3:
            return  # waiting for sign-off
        casework.sign_off(
            decision,
            user=manager,
            approve=True,
            note="Agreed.",
            now=_at(_past(ctx, decided + datetime.timedelta(days=1)), 12),
        )
        episode = Decision.objects.get(pk=decision.pk).opened_episode
        if handover > ctx.today:
            return  # awaiting handover
        casework.complete_handover(episode, user=lead, held_on=handover, notes="Social worker, family and lead met.")
        episode.refresh_from_db()
        _run_episode(ctx, household, episode, lead, improving=improving)
        return

    roll = rng.random()
    if scenario in ("cp", "cp_pending") or (household.source == "police" and household.domestic_abuse and roll < 0.3):
        # Child protection concern straight to the front door: step-up on the request.
        decision = casework.record_decision(
            user=front_door,
            kind=Decision.Kind.STEP_UP_CP,
            referral=referral,
            rationale="Serious injury to a parent and threats to the children: section 47 enquiries needed.",
            now=_at(household.received, 16),
        )
        if age >= 2 and scenario != "cp_pending":
            casework.sign_off(
                decision,
                user=manager,
                approve=True,
                note="Agreed.",
                now=_at(_past(ctx, _working_day(household.received, 1)), 10),
            )
        return
    if scenario == "universal" or (not scenario and roll < 0.18):
        # Universal services: the front door signposts to directory services.
        chosen = rng.sample(ctx.da_services if household.domestic_abuse and ctx.da_services else ctx.services, k=2)
        casework.record_decision(
            user=front_door,
            kind=Decision.Kind.UNIVERSAL,
            referral=referral,
            rationale="Needs can be met by universal services; the family were given a list of services.",
            service_page_ids=chosen,
            now=_at(_past(ctx, _working_day(household.received, rng.choice((0, 1, 1, 2)))), 15),
        )
        if comes_back:
            _come_back(ctx, household, lead, household.received + datetime.timedelta(days=rng.randint(30, 250)))
        return
    if scenario in ("draft", "submitted") or (age < 60 and roll < 0.7):
        # An assessment still in progress, or submitted and waiting for a decision.
        state = scenario or ("draft" if age < 30 else "submitted")
        _assessment(ctx, household, referral, lead, state=state)
        return
    kind = Decision.Kind.TEAM_AROUND_FAMILY if rng.random() < 0.5 else Decision.Kind.SINGLE_AGENCY
    episode = _decide_assessment(ctx, household, referral, lead, kind, improving=improving)
    if episode.opened_on >= ctx.today:
        return
    episode = _run_episode(
        ctx, household, episode, lead, improving=improving, step_up=scenario == "cin", short=comes_back
    )
    if comes_back and episode.status == Episode.Status.CLOSED and episode.closure_reason != ClosureReason.STEPPED_UP:
        back = episode.closed_on + datetime.timedelta(days=rng.randint(20, 150))
        if (scenario == "reopen" or rng.random() < 0.2) and back <= ctx.today:
            # Re-opened by the manager: a new episode linked to the closed one, not a new request.
            reopen = casework.record_decision(
                user=manager,
                kind=Decision.Kind.REOPEN,
                episode=episode,
                rationale="The family asked for help again soon after closing; the same lead knows them.",
                now=_at(back, 11),
            )
            _run_episode(ctx, household, reopen.opened_episode, lead, improving=True)
            return
        _come_back(ctx, household, lead, min(back, household.received + datetime.timedelta(days=360)))


def _come_back(ctx: Ctx, household: Household, lead: User, back: datetime.date) -> None:
    """A new request for help for the same children, within 12 months of the first: a
    re-referral. Recent ones still wait for the front door."""
    if back > ctx.today:
        return
    second = _referral(ctx, household, back, household.children)
    if (ctx.today - back).days < 40:
        return
    episode = _decide_assessment(ctx, household, second, lead, Decision.Kind.SINGLE_AGENCY, improving=True)
    if episode.opened_on < ctx.today:
        _run_episode(ctx, household, episode, lead, improving=True)


def _services() -> tuple[list[int], list[int]]:
    from directory.selectors import public_services

    services = list(public_services().order_by("pk").values_list("pk", "title", "summary"))
    if len(services) < 2:
        raise ImproperlyConfigured("Load the directory demo first: signposting needs directory services.")
    da = [pk for pk, title, summary in services if "domestic" in f"{title} {summary}".lower()]
    return [pk for pk, *_ in services], da


def _encompass_children() -> list:
    try:
        from portal.encompass.models import NotifiedChild
    except ImportError:  # pragma: no cover - the app is always installed
        return []
    return list(NotifiedChild.objects.order_by("date_of_birth", "given_name", "family_name")[:2])


def load() -> str:
    """The ``load_demo`` step (idempotent; see the module docstring)."""
    _refuse_unless_demo_mode()
    with transaction.atomic():
        users, north, west = _accounts()
        service_ids, da_ids = _services()
        ctx = Ctx(
            rng=random.Random(SEED),
            today=timezone.localdate(),
            users=users,
            north=north,
            west=west,
            services=service_ids,
            da_services=da_ids,
            encompass=_encompass_children(),
        )
        _clear()
        households = _households(ctx)
        for household in households:
            _family(ctx, household)
        # History, not news: the demo's emails count as sent on the day they were queued.
        episodes = Episode.objects.filter(family__in=demo_families())
        referral_keys = [
            f"referral-outcome:{pk}"
            for pk in Referral.objects.filter(family__in=demo_families()).values_list("pk", flat=True)
        ]
        decision_ids = list(Decision.objects.filter(family__in=demo_families()).values_list("pk", flat=True))
        step_up = Q()
        for pk in decision_ids:
            step_up |= Q(key__startswith=f"step-up:{pk}:")
        messages = CaseworkMessage.objects.filter(Q(episode__in=episodes) | Q(key__in=referral_keys) | step_up)
        for message in messages.filter(status=CaseworkMessage.Status.PENDING):
            CaseworkMessage.objects.filter(pk=message.pk).update(
                status=CaseworkMessage.Status.SENT, sent_at=message.next_attempt_at, created_at=message.next_attempt_at
            )
    statuses = dict.fromkeys(Episode.Status.values, 0)
    for status in episodes.values_list("status", flat=True):
        statuses[status] += 1
    return (
        f"{len(households)} casework families over two years: {episodes.count()} episodes "
        f"({statuses['open']} open, {statuses['awaiting_handover']} awaiting handover, {statuses['closed']} closed), "
        f"{len(decision_ids)} decisions"
    )
