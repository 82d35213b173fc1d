"""A small, hand-computed world for the insights tests (issue 8).

The period is 1 January to 31 March 2026 (three months, all in GMT until 29 March). Every
expected figure is worked out by hand in the test that checks it, from the rows made here.

Teams: North (area "North"), South (area "South"). Families A, B, D, E (North unless said),
C (South).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

import pytest

from django.utils import timezone

from eh_assessments.models import Assessment, ChildTarget, Family, Person, Referral
from eh_assessments.models_casework import (
    ClosureReason,
    Decision,
    Episode,
    OutcomeRecord,
    OutcomeScore,
    Plan,
    PlanAction,
    PlanNeed,
    PlanOutcome,
    SustainedCheck,
)
from eh_assessments.outcomes import AREA_CODES, refresh_episode_outcomes
from portal.encompass.models import Notification, NotifiedChild, School
from portal.insights.filters import Filters
from search.models import SearchLog
from tests.directory.factories import (
    ServicePageFactory,
    TaxonomyFactory,
    TaxonomyTermFactory,
    confidential_location,
    public_location,
)
from tests.factories import TeamFactory, UserFactory

PERIOD = Filters(datetime.date(2026, 1, 1), datetime.date(2026, 3, 31))
D = datetime.date


def at(day: datetime.date, hour: int = 12, minute: int = 0) -> datetime.datetime:
    """An aware datetime in local time (Europe/London)."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


@pytest.fixture(autouse=True)
def exact_counts(settings):
    """Hand-computed figures are checked exactly: no rounding (tests of rounding set it)."""
    settings.INSIGHTS_ROUND_TO = 1


@pytest.fixture
def no_suppression(settings):
    """Threshold 1: nothing is hidden, so the raw figures can be checked."""
    settings.INSIGHTS_SUPPRESSION_THRESHOLD = 1


@pytest.fixture
def threshold_5(settings):
    settings.INSIGHTS_SUPPRESSION_THRESHOLD = 5


@dataclass
class World:
    teams: dict = field(default_factory=dict)
    families: dict = field(default_factory=dict)
    children: dict = field(default_factory=dict)
    referrals: dict = field(default_factory=dict)
    episodes: dict = field(default_factory=dict)
    services: dict = field(default_factory=dict)
    terms: dict = field(default_factory=dict)
    user: object = None
    manager: object = None


def make_referral(family, children, received_on, source="school") -> Referral:
    referral = Referral.objects.create(
        family=family, source_agency=source, referrer_name="A. Referrer", reason="Worried.", received_on=received_on
    )
    referral.children.set(children)
    return referral


def make_child(family, name) -> Person:
    return Person.objects.create(
        family=family, kind=Person.CHILD, given_name=name, family_name="Doe", date_of_birth=D(2016, 1, 1)
    )


def score(episode, stage, recorded_on, practitioner, family=None, review=None):
    """Score all ten areas: ``practitioner`` / ``family`` an int (every area) or a dict."""
    from eh_assessments.models_casework import Meeting, Review

    if stage == OutcomeRecord.Stage.REVIEW and review is None:
        plan = Plan.objects.get_or_create(episode=episode, defaults={"agreed_on": recorded_on})[0]
        meeting = Meeting.objects.create(episode=episode, kind=Meeting.Kind.REVIEW, scheduled_on=recorded_on)
        review = Review.objects.create(episode=episode, plan=plan, meeting=meeting, held_on=recorded_on, summary="ok")
    record = OutcomeRecord.objects.create(episode=episode, stage=stage, recorded_on=recorded_on, review=review)
    for code in AREA_CODES:
        p = practitioner[code] if isinstance(practitioner, dict) else practitioner
        f = family.get(code) if isinstance(family, dict) else family
        OutcomeScore.objects.create(record=record, area=code, practitioner_score=p, family_score=f)
    # Rows written directly, not through the casework service: keep the read model in step as it does.
    refresh_episode_outcomes([episode.pk])
    return record


def use_services(episode, *service_pages, user=None):
    plan = Plan.objects.get_or_create(episode=episode, defaults={"agreed_on": D(2025, 1, 1)})[0]
    need = PlanNeed.objects.create(plan=plan, text="A need")
    outcome = PlanOutcome.objects.create(need=need, text="What the family wants")
    for page in service_pages:
        PlanAction.objects.create(
            outcome=outcome,
            text="Go to the service",
            owner_name="Worker",
            due_on=D(2026, 1, 1),
            service_page_id=page.pk,
        )


def search(text, results, outcode, day):
    log = SearchLog.objects.create(text=text, result_count=results, outcode=outcode, backend="db")
    SearchLog.objects.filter(pk=log.pk).update(created=at(day, 10))
    return log


@pytest.fixture
def world(db) -> World:
    w = World()
    north = w.teams["North"] = TeamFactory(name="North team", area="North")
    south = w.teams["South"] = TeamFactory(name="South team", area="South")
    w.user = UserFactory(team=north, email="lead@example.org")
    w.manager = UserFactory(team=north, email="manager@example.org")
    for name, team in (("A", north), ("B", north), ("C", south), ("D", south), ("E", north)):
        w.families[name] = Family.objects.create(team=team, postcode="SR1 1AA")
    A, B, C = w.families["A"], w.families["B"], w.families["C"]
    for key, fam in (("A1", A), ("B1", B), ("B2", B), ("C1", C)):
        w.children[key] = make_child(fam, key)
    ch = w.children

    # --- Referrals (children named on requests) ---------------------------------------------
    w.referrals["r0"] = make_referral(B, [ch["B1"]], D(2025, 1, 9))  # 366 days before r3: not in r3's window
    w.referrals["r1"] = make_referral(A, [ch["A1"]], D(2025, 3, 1))  # before the period
    w.referrals["r3"] = make_referral(B, [ch["B1"], ch["B2"]], D(2026, 1, 10), "school")  # Jan: 2, no re
    w.referrals["r4"] = make_referral(B, [ch["B1"]], D(2026, 2, 15), "gp")  # Feb: B1 re-referral (r3)
    w.referrals["r5"] = make_referral(C, [ch["C1"]], D(2026, 2, 20), "health_visitor")  # Feb: first
    w.referrals["r6"] = make_referral(C, [ch["C1"]], D(2026, 2, 20), "health_visitor")  # same day, later: re
    w.referrals["r2"] = make_referral(A, [ch["A1"]], D(2026, 3, 1), "police")  # anniversary of r1: re

    # --- Episodes --------------------------------------------------------------------------
    def episode(key, family, team, level, opened, status=Episode.Status.OPEN, closed=None, reason=""):
        w.episodes[key] = Episode.objects.create(
            family=w.families[family],
            team=team,
            level_of_need=level,
            status=status,
            opened_on=opened,
            closed_on=closed,
            closure_reason=reason,
        )
        return w.episodes[key]

    closed = Episode.Status.CLOSED
    episode("E1", "B", north, 3, D(2025, 11, 1), closed, D(2026, 2, 5), ClosureReason.STEPPED_UP)
    episode("E2", "A", north, 2, D(2025, 6, 1), closed, D(2026, 1, 31), ClosureReason.NEEDS_MET)
    episode("E3", "C", south, 2, D(2026, 1, 5))
    episode("E4", "D", south, 3, D(2026, 2, 1), closed, D(2026, 4, 10), ClosureReason.NEEDS_MET)
    episode("E5", "A", north, 1, None, Episode.Status.AWAITING_HANDOVER)
    episode("E6", "E", north, 2, D(2026, 3, 31))
    episode("E7", "D", None, 4, D(2025, 1, 1), closed, D(2026, 3, 31), ClosureReason.MOVED_AWAY)
    episode("E8", "E", north, 2, D(2025, 1, 1), closed, D(2025, 8, 1), ClosureReason.NEEDS_MET)
    episode("E9", "C", south, 3, D(2025, 1, 1), closed, D(2025, 9, 1), ClosureReason.NEEDS_MET)

    # --- Decisions ---------------------------------------------------------------------------
    def decision(kind, status, when, family, level, episode=None):
        return Decision.objects.create(
            kind=kind,
            status=status,
            family=w.families[family],
            episode=w.episodes.get(episode),
            rationale="Because.",
            level_of_need=level,
            proposed_by=w.user,
            proposed_at=when,
            signed_off_by=w.manager if status == Decision.Status.APPROVED else None,
        )

    K, S = Decision.Kind, Decision.Status
    decision(K.SINGLE_AGENCY, S.RECORDED, at(D(2026, 1, 12)), "B", 2)
    decision(K.TEAM_AROUND_FAMILY, S.RECORDED, at(D(2026, 1, 20)), "A", 3)
    decision(K.STEP_UP_CIN, S.APPROVED, at(D(2026, 2, 5)), "B", 4, "E1")
    decision(K.STEP_DOWN, S.APPROVED, at(D(2026, 3, 10)), "C", 2)
    decision(K.CLOSURE, S.PENDING, at(D(2026, 3, 15)), "A", 2, "E2")  # not effective
    decision(K.STEP_UP_CP, S.REJECTED, at(D(2026, 2, 1)), "B", 4, "E1")  # not effective
    decision(K.UNIVERSAL, S.RECORDED, at(D(2025, 12, 31), 23, 30), "A", 1)  # before the period

    # --- Assessments --------------------------------------------------------------------------
    def assessment(family, submitted, target, children_targets=()):
        a = Assessment.objects.create(
            family=w.families[family],
            lead_professional=w.user,
            status=Assessment.Status.SUBMITTED,
            started_at=submitted - datetime.timedelta(days=30),
            submitted_at=submitted,
            target_date=target,
        )
        for child, due in children_targets:
            ChildTarget.objects.create(assessment=a, child=ch[child], target_date=due, reason="School holidays")
        return a

    assessment("B", at(D(2026, 1, 15), 10), D(2026, 1, 20), [("B1", D(2026, 1, 14)), ("B2", D(2026, 1, 16))])
    assessment("A", at(D(2026, 2, 10), 16), D(2026, 2, 10))  # the target day itself: within
    assessment("C", at(D(2026, 2, 11), 9), D(2026, 2, 10), [("C1", D(2026, 2, 28))])
    assessment("B", at(D(2026, 4, 1), 9), D(2026, 4, 20))  # after the period
    assessment("C", at(D(2026, 3, 5), 9), None)  # no stored target: not in the 45-day figures

    # --- Directory services -------------------------------------------------------------------
    taxonomy = TaxonomyFactory()
    da = w.terms["Domestic abuse"] = TaxonomyTermFactory(taxonomy=taxonomy, name="Domestic abuse", code="da")
    w.terms["IDVA"] = TaxonomyTermFactory(taxonomy=taxonomy, name="IDVA", code="idva", parent=da)
    w.terms["Refuges"] = TaxonomyTermFactory(taxonomy=taxonomy, name="Refuges", code="refuges", parent=da)
    w.terms["Parenting"] = TaxonomyTermFactory(taxonomy=taxonomy, name="Parenting", code="parenting")
    now = timezone.now()
    w.services["da"] = ServicePageFactory(
        title="Wearside IDVA service",
        terms=[w.terms["IDVA"]],
        locations=[public_location(postal_code="SR1 3AA")],
        last_verified_at=now - datetime.timedelta(days=30),
    )
    w.services["parenting"] = ServicePageFactory(
        title="Parenting course",
        terms=[w.terms["Parenting"]],
        locations=[public_location(postal_code="SR4 1XX")],
        last_verified_at=None,
    )
    w.services["refuge"] = ServicePageFactory(
        title="Safe haven refuge",
        terms=[w.terms["Refuges"]],
        locations=[confidential_location(postal_code="SR4 7ZZ")],
        last_verified_at=now - datetime.timedelta(days=60),
    )
    w.services["draft"] = ServicePageFactory(title="Draft service", terms=[w.terms["Parenting"]], publish=False)

    # --- Outcomes -----------------------------------------------------------------------------
    E1, E2 = w.episodes["E1"], w.episodes["E2"]
    score(E2, "start", D(2025, 6, 10), 4, 3)
    score(E2, "review", D(2025, 9, 1), 5, None)
    score(E2, "closure", D(2026, 1, 31), {c: (3 if c == "domestic_abuse" else 6) for c in AREA_CODES}, 5)
    score(E1, "start", D(2025, 11, 5), 5, None)
    score(E1, "review", D(2026, 1, 10), 4, 6)
    score(w.episodes["E7"], "start", D(2025, 2, 1), 5, 5)  # no later scoring: not counted
    score(w.episodes["E4"], "start", D(2026, 2, 2), 2, 2)  # closed after the period
    score(w.episodes["E4"], "closure", D(2026, 4, 10), 9, 9)
    SustainedCheck.objects.create(episode=w.episodes["E8"], checked_on=D(2026, 2, 1), sustained=True)
    SustainedCheck.objects.create(episode=w.episodes["E9"], checked_on=D(2026, 3, 1), sustained=False)
    use_services(E2, w.services["da"], w.services["parenting"], w.services["parenting"])
    use_services(E1, w.services["parenting"])
    use_services(w.episodes["E8"], w.services["da"])

    # --- Operation Encompass --------------------------------------------------------------------
    primary = School.objects.create(urn=100001, name="Hill Primary", phase="Primary", postcode="SR4 1AA")
    secondary = School.objects.create(urn=100002, name="Vale Academy", phase="Secondary", postcode="SR1 2BB")

    def notification(ref, received):
        return Notification.objects.create(
            force="NB",
            police_reference=ref,
            incident_at=received - datetime.timedelta(hours=10),
            reported_at=received - datetime.timedelta(hours=1),
            received_at=received,
            summary="An incident.",
            officer="PC 1",
        )

    def child(n, school, notify_by, ack=None):
        return NotifiedChild.objects.create(
            notification=n,
            given_name="Kid",
            family_name="Doe",
            date_of_birth=D(2015, 1, 1),
            routed_to=NotifiedChild.Route.SCHOOL if school else NotifiedChild.Route.TRIAGE,
            school=school,
            notify_by=notify_by,
            acknowledged_at=ack,
        )

    n0 = notification("N0", at(D(2025, 12, 20), 9))
    child(n0, primary, at(D(2025, 12, 22), 8, 30))
    n1 = notification("N1", at(D(2026, 1, 10), 9))
    child(n1, primary, at(D(2026, 1, 12), 8, 30), at(D(2026, 1, 10), 11))  # on time, 2 hours
    child(n1, secondary, at(D(2026, 1, 12), 8, 30), at(D(2026, 1, 12), 10, 30))  # late, 49.5 hours
    n2 = notification("N2", at(D(2026, 2, 3), 12))
    child(n2, None, at(D(2026, 2, 4), 8, 30))  # triage, never acknowledged: overdue now
    child(n2, primary, at(D(2026, 2, 4), 8, 30), at(D(2026, 2, 3), 16))  # on time, 4 hours
    n3 = notification("N3", at(D(2026, 3, 2), 8))
    child(n3, secondary, at(D(2026, 3, 3), 8, 30), at(D(2026, 3, 2), 14))  # on time, 6 hours

    # --- Searches -----------------------------------------------------------------------------
    search("parenting", 4, "SR1", D(2026, 1, 5))
    search("food bank", 0, "SR4", D(2026, 1, 6))
    search("food bank", 0, "SR4", D(2026, 1, 7))
    search("Food Bank ", 0, "SR1", D(2026, 2, 1))
    search("food bank", 0, "SR1", D(2026, 2, 2))
    search("jane smith 07700", 0, "", D(2026, 2, 3))
    search("counselling", 2, "SR4", D(2026, 2, 4))
    search("FOOD BANK", 0, "SR4", D(2026, 3, 3))
    search("food bank", 0, "SR4", D(2025, 12, 31))  # before the period
    return w
