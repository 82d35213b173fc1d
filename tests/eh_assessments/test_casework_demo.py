"""The casework demo (issue 7 point 9): two years of episodes of help in every state, written
through the casework services, idempotent, and never touching the assessment demo."""

from __future__ import annotations

import time

import pytest

from django.db.models import Count, F

from eh_assessments import casework_demo, chronology, demo, rereferral
from eh_assessments.models import Assessment, Family, Person, Referral, ReferralChild
from eh_assessments.models_casework import (
    CaseworkMessage,
    ClosureReason,
    Decision,
    DelayReason,
    Episode,
    Meeting,
    OutcomeRecord,
    PlanAction,
    Supervision,
    SustainedCheck,
)
from portal.accounts import demo as accounts_demo
from portal.encompass import demo as encompass_demo
from tests.directory.factories import ServicePageFactory

pytestmark = pytest.mark.django_db

COUNTED = (
    Family,
    Person,
    Referral,
    Assessment,
    Decision,
    Episode,
    Meeting,
    PlanAction,
    OutcomeRecord,
    Supervision,
    SustainedCheck,
    DelayReason,
)


@pytest.fixture
def services(db):
    """A few directory services, two of them for domestic abuse (the directory demo loads
    hundreds; the casework demo only needs some to choose from)."""
    return [
        ServicePageFactory(title="Northern Lights Domestic Abuse Service", summary="Refuge and outreach."),
        ServicePageFactory(title="Safer Homes North East", summary="Domestic abuse advisers."),
        ServicePageFactory(title="Parenting course"),
        ServicePageFactory(title="Debt advice"),
        ServicePageFactory(title="Toddler group"),
    ]


@pytest.fixture
def loaded(services, django_capture_on_commit_callbacks):
    accounts_demo.load()
    encompass_demo.load()
    with django_capture_on_commit_callbacks(execute=True):
        demo.load()
    started = time.perf_counter()
    with django_capture_on_commit_callbacks(execute=True):
        summary = casework_demo.load()
    return summary, time.perf_counter() - started


def ours(model):
    """The casework demo's rows of ``model``."""
    domain = f"@{casework_demo.DEMO_EMAIL_DOMAIN}"
    lookups = {
        Family: {"email__endswith": domain},
        Person: {"family__email__endswith": domain},
        Referral: {"family__email__endswith": domain},
        Assessment: {"family__email__endswith": domain},
        Decision: {"family__email__endswith": domain},
        Episode: {"family__email__endswith": domain},
        Meeting: {"episode__family__email__endswith": domain},
        PlanAction: {"outcome__need__plan__episode__family__email__endswith": domain},
        OutcomeRecord: {"episode__family__email__endswith": domain},
        Supervision: {"episode__family__email__endswith": domain},
        SustainedCheck: {"episode__family__email__endswith": domain},
        DelayReason: {"assessment__family__email__endswith": domain},
    }
    return model.objects.filter(**lookups[model])


def counts() -> dict[str, int]:
    return {model.__name__: ours(model).count() for model in COUNTED}


def assessment_demo_snapshot():
    domain = f"@{demo.DEMO_EMAIL_DOMAIN}"
    return sorted(
        Assessment.objects.filter(family__email__endswith=domain).values_list(
            "pk", "family__email", "status", "version", "submitted_at", "decided_at"
        )
    )


def test_the_demo_has_two_years_in_every_state(loaded):
    summary, seconds = loaded
    families = ours(Family)
    assert 120 <= families.count() <= 200
    assert "casework families" in summary

    # Two years of history.
    received = sorted(ours(Referral).values_list("received_on", flat=True))
    assert (received[-1] - received[0]).days > 600
    assert len(set(ours(Referral).values_list("source_agency", flat=True))) >= 8

    # Every decision kind, every decision status, every episode status, every closure reason.
    assert set(ours(Decision).values_list("kind", flat=True)) == set(Decision.Kind.values)
    assert set(ours(Decision).values_list("status", flat=True)) == set(Decision.Status.values)
    assert set(ours(Episode).values_list("status", flat=True)) == set(Episode.Status.values)
    reasons = set(ours(Episode).filter(status=Episode.Status.CLOSED).values_list("closure_reason", flat=True))
    assert reasons == set(ClosureReason.values)
    assert set(ours(Assessment).values_list("status", flat=True)) == set(Assessment.Status.values)
    assert ours(Episode).filter(previous__isnull=False).exists(), "some episodes are re-opened"

    # Sign-off rules: every step-up, step-down and closure signed off (or not agreed) by a
    # manager who did not propose it; the rest need none.
    signed = ours(Decision).filter(kind__in=Decision.NEEDS_SIGN_OFF)
    assert not signed.filter(signed_off_by=F("proposed_by")).exists()
    assert not signed.filter(status=Decision.Status.RECORDED).exists()
    assert (
        signed.filter(status=Decision.Status.APPROVED, signed_off_by__isnull=False).count()
        == signed.filter(status=Decision.Status.APPROVED).count()
    )
    for decision in signed.exclude(signed_off_by=None).select_related("signed_off_by"):
        assert decision.signed_off_by.groups.filter(name="Early help manager").exists()
        assert decision.signed_off_at >= decision.proposed_at
    assert not ours(Decision).exclude(kind__in=Decision.NEEDS_SIGN_OFF).exclude(status="recorded").exists()

    # Signposting and plans use real directory services, domestic abuse ones included.
    service_ids = {s.pk for s in loaded_services()}
    universal = ours(Decision).filter(kind=Decision.Kind.UNIVERSAL)
    assert all(set(d.service_page_ids) <= service_ids and d.service_page_ids for d in universal)
    used = set(ours(PlanAction).exclude(service_page_id=None).values_list("service_page_id", flat=True))
    assert used <= service_ids
    da = {s.pk for s in loaded_services() if "Domestic" in s.title or "domestic" in s.summary}
    assert used & da

    # Outcome scores at the start, reviews and closure; most families improve, some do not.
    stages = set(ours(OutcomeRecord).values_list("stage", flat=True))
    assert stages == set(OutcomeRecord.Stage.values)
    improved = worse = 0
    closures = ours(OutcomeRecord).filter(stage="closure").prefetch_related("scores")
    for record in closures:
        start = OutcomeRecord.objects.get(episode_id=record.episode_id, stage="start")
        before = sum(s.practitioner_score for s in start.scores.all())
        after = sum(s.practitioner_score for s in record.scores.all())
        improved += after > before
        worse += after <= before
    assert improved > 2 * worse > 0

    # Re-referrals within 12 months: close to one request in five.
    referrals = list(ours(Referral).prefetch_related("children"))
    flagged = sum(bool(rereferral.rereferrals_for(r)) for r in referrals)
    rate = flagged / len(referrals)
    assert 0.12 <= rate <= 0.22, rate
    # ... and stored on each request's links to its children, as rereferrals_for says.
    stored = set(
        ReferralChild.objects.filter(referral__in=referrals, rereferral=True).values_list("referral", "person")
    )
    assert stored == {(r.pk, flag.child.pk) for r in referrals for flag in rereferral.rereferrals_for(r)}
    print(f"\nre-referral rate {rate:.3f} ({flagged}/{len(referrals)}); load {seconds:.1f}s; {summary}")

    # Timeliness: late against 45 working days, and against a child's own target, with reasons.
    submitted = ours(Assessment).exclude(submitted_at=None).prefetch_related("child_targets")
    late_standard = [a for a in submitted if a.submitted_at.date() > a.target_date]
    late_child = [a for a in submitted if any(a.submitted_at.date() > t.target_date for t in a.child_targets.all())]
    assert late_standard and late_child
    assert all(a.submitted_on == casework_demo.timezone.localtime(a.submitted_at).date() for a in submitted)
    assert all(a.delay_reasons.exists() for a in late_standard)

    # Sustained checks for the closures older than six months that need one.
    due = ours(Episode).filter(sustained_check_due__lte=casework_demo.timezone.localdate())
    assert due.exists()
    assert due.filter(sustained_check__isnull=True).count() == 0
    assert (
        not ours(Episode)
        .exclude(closure_reason__in=["needs_met", "single_agency"])
        .filter(sustained_check__isnull=False)
        .exists()
    )

    # Supervision, two teams (the demo manager's team with a good share).
    assert ours(Supervision).exists()
    by_team = dict(ours(Episode).values_list("team__name").annotate(n=Count("pk")))
    assert len(by_team) == 2
    assert by_team[accounts_demo.DEMO_TEAM] >= sum(by_team.values()) / 2

    # Two children match Operation Encompass demo notifications (name and date of birth), so
    # their family's chronology shows the notification.
    linked = [f for f in families if any(i.kind == "encompass" for i in chronology.chronology_for(f))]
    assert len(linked) == 2

    # The demo's emails are history: nothing waits to be sent.
    assert not CaseworkMessage.objects.filter(status=CaseworkMessage.Status.PENDING).exists()


def loaded_services():
    from directory.models import ServicePage

    return ServicePage.objects.all()


def test_loading_twice_gives_the_same_demo_and_leaves_the_assessment_demo_alone(
    loaded, django_capture_on_commit_callbacks
):
    summary, _ = loaded
    before = counts()
    snapshot = assessment_demo_snapshot()
    kinds = sorted(ours(Decision).values_list("kind", "status"))
    with django_capture_on_commit_callbacks(execute=True):
        again = casework_demo.load()
    assert again == summary
    assert counts() == before
    assert sorted(ours(Decision).values_list("kind", "status")) == kinds
    assert assessment_demo_snapshot() == snapshot
    # The assessment demo can still be re-run afterwards, and leaves the casework demo alone.
    with django_capture_on_commit_callbacks(execute=True):
        demo.load()
    assert counts() == before
    assert len(assessment_demo_snapshot()) == len(snapshot)


def test_refused_without_demo_mode(settings):
    settings.DEMO_MODE = False
    with pytest.raises(Exception, match="DEMO_MODE"):
        casework_demo.load()
