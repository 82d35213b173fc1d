"""The migrations that added the dashboards' stored facts fill them in for the records already
there: each backfill, run on rows written with the fact missing, gives what the writers give."""

from __future__ import annotations

import datetime
import importlib

from django.apps import apps
from django.utils import timezone

from eh_assessments.models import Assessment
from eh_assessments.models_casework import EpisodeOutcomeTotal, EpisodeService


def _backfill(migration: str, name: str):
    return getattr(importlib.import_module(f"eh_assessments.migrations.{migration}"), name)


def test_submitted_on_is_backfilled_with_the_local_day(world):
    assessment = Assessment.objects.exclude(submitted_at=None).first()
    late_evening = datetime.datetime(2026, 6, 30, 23, 30, tzinfo=datetime.UTC)  # 1 July in London
    Assessment.objects.filter(pk=assessment.pk).update(submitted_at=late_evening, submitted_on=None)
    _backfill("0006_assessment_submitted_on", "backfill_submitted_on")(apps, None)
    assessment.refresh_from_db()
    assert assessment.submitted_on == datetime.date(2026, 7, 1)
    assert all(
        a.submitted_on == timezone.localtime(a.submitted_at).date()
        for a in Assessment.objects.exclude(submitted_at=None)
    )


def test_outcome_totals_are_backfilled_as_the_scoring_writes_them(world):
    written = {t.pk: vars(t).copy() for t in EpisodeOutcomeTotal.objects.all()}
    assert written
    EpisodeOutcomeTotal.objects.all().delete()
    _backfill("0008_episode_outcome_total", "backfill_outcome_totals")(apps, None)
    again = {t.pk: vars(t).copy() for t in EpisodeOutcomeTotal.objects.all()}
    for row in (*written.values(), *again.values()):
        row.pop("_state")
    assert again == written


def test_the_services_each_plan_uses_are_backfilled_from_the_actions(world):
    written = set(EpisodeService.objects.values_list("episode_id", "service_page_id"))
    assert written
    EpisodeService.objects.all().delete()
    _backfill("0009_episode_service", "backfill_episode_services")(apps, None)
    assert set(EpisodeService.objects.values_list("episode_id", "service_page_id")) == written
