"""The EpisodeOutcome read model (issue 8): the scores the outcomes dashboard aggregates, kept
in step with every scoring by the casework service, filled for existing rows by migration
0005, and written in bulk by the synthetic generator."""

from __future__ import annotations

import datetime
import importlib
import io

import pytest

from django.apps import apps

from eh_assessments import casework, outcomes
from eh_assessments.models_casework import (
    Decision,
    Episode,
    EpisodeOutcome,
    OutcomeRecord,
    OutcomeScore,
    PlanAction,
)
from tests.eh_assessments.casework_factories import open_episode, world

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 3, 2)


@pytest.fixture
def w(db, time_machine):
    time_machine.move_to(datetime.datetime(2026, 3, 2, 10, tzinfo=datetime.UTC))
    return world()


@pytest.fixture
def episode(w):
    return open_episode(w, "Amy", kind=Decision.Kind.TEAM_AROUND_FAMILY, members=[w["colleague"]])


def all_scores(practitioner, family=None, **overrides):
    scores = dict.fromkeys(outcomes.AREA_CODES, (practitioner, family))
    scores.update(overrides)
    return scores


def summary(episode) -> dict[str, tuple]:
    return {
        o.area: (o.start_practitioner, o.latest_practitioner, o.start_family, o.latest_family)
        for o in EpisodeOutcome.objects.filter(episode=episode)
    }


def recomputed(episode) -> dict[str, tuple]:
    """From the raw scores, by the domain rule (areas with no score known left out)."""
    records = OutcomeRecord.objects.filter(episode=episode).prefetch_related("scores")
    result = {}
    for d in outcomes.distance_travelled(records):
        values = (d.start_practitioner, d.latest_practitioner, d.start_family, d.latest_family)
        if any(v is not None for v in values):
            result[d.area] = values
    return result


def a_plan(w, episode):
    plan = casework.agree_plan(
        episode,
        user=w["lead"],
        agreed_on=TODAY,
        needs=[
            {
                "text": "Amy is missing school",
                "outcomes": [
                    {
                        "text": "Amy goes to school",
                        "actions": [{"text": "Chart", "owner_name": "Mum", "due_on": TODAY + datetime.timedelta(14)}],
                    }
                ],
            }
        ],
    )
    return {a.pk: {"status": "done"} for a in PlanAction.objects.filter(outcome__need__plan=plan)}


def test_the_summary_follows_start_reviews_and_closure(w, episode, time_machine):
    assert summary(episode) == {}
    casework.record_outcome_scores(
        episode, user=w["lead"], stage="start", scores=all_scores(3, None, housing=(2, 4)), recorded_on=TODAY
    )
    # A start scoring only: start scores, no latest ones yet.
    assert summary(episode)["education"] == (3, None, None, None)
    assert summary(episode)["housing"] == (2, None, 4, None)
    assert summary(episode) == recomputed(episode)

    progress = a_plan(w, episode)
    time_machine.move_to(datetime.datetime(2026, 4, 13, 10, tzinfo=datetime.UTC))
    casework.record_review(
        episode, user=w["lead"], held_on=datetime.date(2026, 4, 13), summary="x", progress=progress,
        scores=all_scores(5, 6),
    )  # fmt: skip
    assert summary(episode)["education"] == (3, 5, 6, None)  # the family's first score came at the review
    assert summary(episode)["housing"] == (2, 5, 4, 6)
    assert summary(episode) == recomputed(episode)

    # Re-scoring at a later review moves the latest scores on; a review with no scores does not.
    time_machine.move_to(datetime.datetime(2026, 5, 11, 10, tzinfo=datetime.UTC))
    casework.record_review(
        episode, user=w["lead"], held_on=datetime.date(2026, 5, 11), summary="y", progress=progress,
        scores=all_scores(4, None, crime=(9, 8)),
    )  # fmt: skip
    assert summary(episode)["education"] == (3, 4, 6, None)
    assert summary(episode)["crime"] == (3, 9, 6, 8)
    time_machine.move_to(datetime.datetime(2026, 5, 12, 10, tzinfo=datetime.UTC))
    casework.record_review(episode, user=w["lead"], held_on=datetime.date(2026, 5, 12), summary="z", progress=progress)
    assert summary(episode)["education"] == (3, 4, 6, None)
    assert summary(episode) == recomputed(episode)

    # The closure scoring is the latest, whatever the dates of the reviews.
    time_machine.move_to(datetime.datetime(2026, 5, 20, 10, tzinfo=datetime.UTC))
    casework.record_outcome_scores(
        episode, user=w["lead"], stage="closure", scores=all_scores(8, 9), recorded_on=datetime.date(2026, 5, 1)
    )
    assert summary(episode)["education"] == (3, 8, 6, 9)
    assert summary(episode)["housing"] == (2, 8, 4, 9)
    assert summary(episode) == recomputed(episode)
    assert EpisodeOutcome.objects.filter(episode=episode).count() == 10


def test_a_refused_scoring_leaves_the_summary_alone(w, episode):
    casework.record_outcome_scores(episode, user=w["lead"], stage="start", scores=all_scores(3), recorded_on=TODAY)
    before = summary(episode)
    with pytest.raises(Exception, match="already recorded"):
        casework.record_outcome_scores(episode, user=w["lead"], stage="start", scores=all_scores(9), recorded_on=TODAY)
    assert summary(episode) == before


def test_other_episodes_summaries_are_untouched(w, episode):
    other = open_episode(w, "Ben")
    casework.record_outcome_scores(other, user=w["lead"], stage="start", scores=all_scores(7, 7), recorded_on=TODAY)
    casework.record_outcome_scores(episode, user=w["lead"], stage="start", scores=all_scores(3), recorded_on=TODAY)
    assert summary(other)["education"] == (7, None, 7, None)
    assert summary(episode)["education"] == (3, None, None, None)


def raw(episode, stage, day, practitioner, family=None, review=None):
    """Scores written directly, as rows that existed before the read model did."""
    record = OutcomeRecord.objects.create(episode=episode, stage=stage, recorded_on=day, review=review)
    OutcomeScore.objects.bulk_create(
        OutcomeScore(record=record, area=code, practitioner_score=practitioner, family_score=family)
        for code in outcomes.AREA_CODES
    )
    return record


def test_the_migration_backfills_the_summary_from_existing_scores(w, episode):
    migration = importlib.import_module("eh_assessments.migrations.0005_episode_outcome")
    other = open_episode(w, "Ben")
    unscored = open_episode(w, "Cat")
    raw(episode, "start", TODAY, 3, 2)
    raw(episode, "closure", TODAY + datetime.timedelta(days=30), 7, 6)
    raw(other, "start", TODAY, 5)
    EpisodeOutcome.objects.all().delete()

    migration.backfill_episode_outcomes(apps, None)

    assert summary(episode) == dict.fromkeys(outcomes.AREA_CODES, (3, 7, 2, 6))
    assert summary(other) == dict.fromkeys(outcomes.AREA_CODES, (5, None, None, None))
    assert summary(unscored) == {}
    assert summary(episode) == recomputed(episode) and summary(other) == recomputed(other)


def test_the_backfill_works_in_batches(w):
    episodes = [open_episode(w, f"Child{i}") for i in range(5)]
    for i, ep in enumerate(episodes):
        raw(ep, "start", TODAY, 2 + i)
        raw(ep, "closure", TODAY + datetime.timedelta(days=10), 9 - i, 5)
    EpisodeOutcome.objects.all().delete()
    written = outcomes.refresh_episode_outcomes([e.pk for e in episodes], batch_size=2)
    assert written == 50
    for ep in episodes:
        assert summary(ep) == recomputed(ep)


def test_the_synthetic_generator_writes_the_summary_in_bulk(db):
    from django.core.management import call_command

    call_command("seed_synthetic", families=30, stdout=io.StringIO())
    scored = list(Episode.objects.filter(outcome_records__isnull=False).distinct())
    assert len(scored) > 10
    for episode in scored:
        assert summary(episode) == recomputed(episode)
    assert not EpisodeOutcome.objects.exclude(episode__in=scored).exists()
