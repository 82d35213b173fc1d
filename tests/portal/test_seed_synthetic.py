"""``seed_synthetic`` (DESIGN.md §5): services, families and notifications at small N. The
benchmarks trust this data to be consistent, so the domain rules that the casework services
enforce must hold for rows written in bulk too."""

import datetime
import io
from collections import Counter

import pytest

from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Count, F
from django.utils import timezone

from directory.models import ServicePage
from eh_assessments import outcomes, rereferral, working_days
from eh_assessments.models import Assessment, Family, Person, Referral
from eh_assessments.models_casework import (
    ClosureReason,
    Decision,
    Episode,
    OutcomeRecord,
    PlanAction,
    SustainedCheck,
)
from portal.encompass.calendar import LONDON
from portal.encompass.models import Notification, NotifiedChild, School
from search.models import SearchLog

pytestmark = pytest.mark.django_db

FAMILIES = 150


def seed(**options):
    call_command("seed_synthetic", stdout=io.StringIO(), **options)


@pytest.fixture
def seeded():
    seed(services=12, notifications=10, families=FAMILIES)


def test_services_only_still_works_as_the_search_benchmark_calls_it():
    call_command("seed_synthetic", services=7, stdout=io.StringIO())
    pages = ServicePage.objects.live()
    assert pages.count() == 7
    page = pages.first()
    assert page.locations.exists() and page.cost_options.exists() and page.taxonomy_terms.exists()
    assert page.review_due_on > timezone.localdate()  # verified, so families find it


def test_nothing_to_seed_is_an_error():
    with pytest.raises(CommandError):
        call_command("seed_synthetic", stdout=io.StringIO())


def test_running_again_adds_more_families():
    seed(families=20)
    first = set(Family.objects.values_list("pk", flat=True))
    seed(families=20)
    assert Family.objects.count() == 40
    assert len(set(Family.objects.values_list("reference", flat=True))) == 40
    assert first < set(Family.objects.values_list("pk", flat=True))


def test_every_decision_kind_and_closure_reason_appears(seeded):
    assert set(Decision.objects.values_list("kind", flat=True)) == set(Decision.Kind.values)
    reasons = set(Episode.objects.filter(status=Episode.Status.CLOSED).values_list("closure_reason", flat=True))
    assert reasons == set(ClosureReason.values)
    assert {Episode.Status.OPEN, Episode.Status.CLOSED} <= set(Episode.objects.values_list("status", flat=True))
    assert set(Family.objects.values_list("team__area", flat=True)) >= {"Sunderland North", "Washington"}


def test_decisions_follow_the_sign_off_rules(seeded):
    for decision in Decision.objects.all():
        if decision.kind in Decision.NEEDS_SIGN_OFF:
            assert decision.status in (Decision.Status.APPROVED, Decision.Status.PENDING, Decision.Status.REJECTED)
            if decision.status != Decision.Status.PENDING:
                assert decision.signed_off_by_id and decision.signed_off_by_id != decision.proposed_by_id
                assert decision.signed_off_by.groups.filter(name="Early help manager").exists()
        else:
            assert decision.status == Decision.Status.RECORDED and decision.signed_off_by_id is None
        assert decision.level_of_need in (1, 2, 3, 4)
    # Step-ups are level 4; an approved step-up from an episode closed it as stepped up.
    assert set(Decision.objects.filter(kind__startswith="step_up").values_list("level_of_need", flat=True)) == {4}
    for decision in Decision.objects.filter(kind=Decision.Kind.STEP_UP_CIN, status=Decision.Status.APPROVED):
        assert decision.episode.closure_reason == ClosureReason.STEPPED_UP
    # Every episode was opened by exactly one effective decision (opening, step-down or re-open).
    opened = Counter(Decision.objects.exclude(opened_episode=None).values_list("opened_episode_id", flat=True))
    assert set(opened) == set(Episode.objects.values_list("pk", flat=True))
    assert set(opened.values()) == {1}


def test_universal_signposting_and_plan_actions_use_live_services(seeded):
    live = set(ServicePage.objects.live().values_list("pk", flat=True))
    signposted = [
        pk for ids in Decision.objects.filter(kind="universal").values_list("service_page_ids", flat=True) for pk in ids
    ]
    used = set(PlanAction.objects.exclude(service_page_id=None).values_list("service_page_id", flat=True))
    assert signposted and used
    assert set(signposted) <= live and used <= live


def test_assessment_targets_are_45_working_days(seeded):
    decided = Assessment.objects.exclude(status=Assessment.Status.DRAFT)
    assert decided.exists()
    for assessment in decided:
        started = timezone.localtime(assessment.started_at).date()
        assert assessment.target_date == working_days.add_working_days(started, 45)
        assert assessment.submitted_at >= assessment.started_at
        assert assessment.submitted_on == timezone.localtime(assessment.submitted_at).date()
    late = [a for a in decided if timezone.localtime(a.submitted_at).date() > a.target_date]
    assert late and all(a.delay_reasons.exists() for a in late)


def test_episodes_have_consistent_outcome_scorings(seeded):
    for episode in Episode.objects.exclude(opened_on=None).prefetch_related("outcome_records__scores"):
        records = list(episode.outcome_records.all())
        stages = Counter(r.stage for r in records)
        assert stages["start"] == 1 and stages["closure"] <= 1
        for record in records:
            assert {s.area for s in record.scores.all()} == set(outcomes.AREA_CODES)
            assert episode.opened_on <= record.recorded_on
            if episode.closed_on:
                assert record.recorded_on <= episode.closed_on
        if episode.closure_reason not in ("", ClosureReason.STEPPED_UP):
            assert stages["closure"] == 1
    # Most families improve; some do not; family scores are sometimes missing.
    totals = [
        sum(d.practitioner or 0 for d in outcomes.distance_travelled(episode.outcome_records.all()))
        for episode in Episode.objects.filter(status="closed").prefetch_related("outcome_records__scores")
    ]
    assert sum(t > 0 for t in totals) > len(totals) / 2 > 0
    assert any(t <= 0 for t in totals)
    assert OutcomeRecord.objects.filter(scores__family_score=None).exists()


def test_sustained_checks_come_six_months_after_closure(seeded):
    checks = SustainedCheck.objects.select_related("episode")
    assert checks.exists()
    for check in checks:
        episode = check.episode
        assert episode.closure_reason in (ClosureReason.NEEDS_MET, ClosureReason.SINGLE_AGENCY)
        assert check.checked_on >= episode.sustained_check_due > episode.closed_on + datetime.timedelta(days=180)


def test_some_children_are_re_referred_within_twelve_months_and_some_later(seeded):
    again = Referral.objects.values("family").annotate(n=Count("pk")).filter(n__gt=1)
    assert again.exists()
    flags = rereferral.rereferrals_for_many(Referral.objects.all())
    assert flags  # re-referrals by the census rule
    flagged = set(flags)
    later = [
        r
        for r in Referral.objects.filter(family__in=again.values("family"))
        if r.pk not in flagged and r.family.referrals.filter(received_on__lt=r.received_on).exists()
    ]
    assert later  # and some come back after more than 12 months


def test_people_and_families_look_like_sunderland(seeded):
    districts = {postcode.split()[0] for postcode in Family.objects.values_list("postcode", flat=True)}
    assert districts <= {"SR1", "SR2", "SR3", "SR4", "SR5", "SR6", "NE37", "NE38", "DH4", "DH5"}
    children = Person.objects.filter(kind=Person.CHILD)
    assert not children.filter(date_of_birth=None).exists()
    assert children.exclude(school=None).exists()  # the notifications' schools, seeded first


def test_notifications_are_routed_with_a_plausible_deadline():
    seed(notifications=40)
    assert Notification.objects.count() == 40
    assert School.objects.count() >= 20
    assert set(School.objects.values_list("phase", flat=True)) >= {"Primary", "Secondary", "Nursery", "Special"}
    children = NotifiedChild.objects.select_related("notification", "school")
    assert {c.routed_to for c in children} == {"school", "triage"}
    for child in children:
        assert (child.school_id is not None) == (child.routed_to == "school")
        assert child.notify_by > child.notification.incident_at
        local = child.notify_by.astimezone(LONDON)
        assert local.weekday() < 5 and (local.hour, local.minute) == (8, 30)
        assert child.overdue_on_arrival == (child.notification.received_at > child.notify_by)
    assert (
        children.filter(acknowledged_at__lte=F("notify_by")).count()
        > children.filter(acknowledged_at__gt=F("notify_by")).count()
    )
    logs = SearchLog.objects.all()
    assert logs.count() == 200
    assert logs.filter(result_count=0).values("text").annotate(n=Count("pk")).filter(n__gt=1).exists()
    assert logs.filter(created__lt=timezone.now() - datetime.timedelta(days=180)).exists()


def test_the_services_each_plan_uses_are_recorded(seeded):
    """The EpisodeService read model holds exactly the (episode, service) pairs of the actions."""
    from eh_assessments.models_casework import EpisodeService

    from_actions = set(
        PlanAction.objects.exclude(service_page_id=None).values_list(
            "outcome__need__plan__episode_id", "service_page_id"
        )
    )
    assert from_actions
    assert set(EpisodeService.objects.values_list("episode_id", "service_page_id")) == from_actions
