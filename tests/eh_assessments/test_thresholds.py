"""The threshold document as data: the seeded default, the current version, indicators by
area and the level-of-need recommendation rule (eh_assessments.thresholds docstring)."""

from __future__ import annotations

import importlib

import pytest

from django.db import connection
from django.utils import timezone

from eh_assessments import thresholds
from eh_assessments.models import ThresholdDocument, ThresholdIndicator, ThresholdLevel

pytestmark = pytest.mark.django_db

seed_migration = importlib.import_module("eh_assessments.migrations.0002_default_threshold_document")


def make_document(version: int, indicators, *, published: bool = True) -> ThresholdDocument:
    """``indicators``: (level, area, code) tuples, or with a fourth item ``domestic_abuse``."""
    document = ThresholdDocument.objects.create(
        version=version, title="Test levels", published_at=timezone.now() if published else None
    )
    for number in range(1, 5):
        ThresholdLevel.objects.create(document=document, number=number, name=f"L{number}", description="d")
    for position, item in enumerate(indicators):
        level, area, code, *rest = item
        ThresholdIndicator.objects.create(
            document=document,
            level=level,
            area=area,
            code=code,
            text=f"Indicator {code}",
            domestic_abuse=bool(rest and rest[0]),
            sort_order=position,
        )
    return document


SMALL = [
    (2, "development", "attendance"),
    (2, "parenting", "routines"),
    (2, "environment", "debt"),
    (2, "environment", "isolation"),
    (2, "safety", "online"),
    (3, "environment", "da-standard", True),
    (3, "parenting", "substance"),
    (4, "safety", "abuse"),
    (4, "environment", "da-high", True),
    (1, "development", "healthy"),
]


# --- The seeded default ------------------------------------------------------------------------
def test_default_document_is_published_version_one_with_four_levels():
    document = thresholds.current_document()
    assert document is not None
    assert document.version == 1 and document.is_published
    assert [level.number for level in document.levels.all()] == [1, 2, 3, 4]
    assert all(level.description and level.response for level in document.levels.all())


def test_default_document_covers_every_area_at_every_level_with_stable_unique_codes():
    document = ThresholdDocument.objects.get(version=1)
    indicators = list(document.indicators.all())
    for level in range(1, 5):
        at_level = [i for i in indicators if i.level == level]
        assert 8 <= len(at_level) <= 12, level
        assert {i.area for i in at_level} == {"development", "parenting", "environment", "safety"}, level
    codes = [i.code for i in indicators]
    assert len(codes) == len(set(codes))
    assert all(code.startswith(f"l{i.level}-") for code, i in zip(codes, indicators, strict=True))


def test_default_domestic_abuse_indicators_are_at_levels_three_and_four():
    document = ThresholdDocument.objects.get(version=1)
    codes = thresholds.domestic_abuse_codes(document)
    assert codes == {"l3-domestic-abuse", "l4-domestic-abuse-high-risk"}
    assert "MARAC" in document.indicators.get(code="l4-domestic-abuse-high-risk").text


def test_seed_migration_is_idempotent_and_reverse_keeps_a_used_document():
    from django.apps import apps as global_apps

    class Editor:
        connection = connection

    count = ThresholdIndicator.objects.count()
    seed_migration.seed(global_apps, Editor())
    assert ThresholdIndicator.objects.count() == count  # version 1 exists: nothing added

    from tests.eh_assessments.test_selectors import make_assessment

    assessment = make_assessment(threshold_document=ThresholdDocument.objects.get(version=1))
    seed_migration.unseed(global_apps, Editor())
    assert ThresholdDocument.objects.filter(version=1).exists()  # used: kept

    assessment.delete()
    seed_migration.unseed(global_apps, Editor())
    assert not ThresholdDocument.objects.filter(version=1).exists()
    assert not ThresholdIndicator.objects.exists()
    seed_migration.seed(global_apps, Editor())
    assert ThresholdDocument.objects.get(version=1).indicators.count() == count


# --- Current document ------------------------------------------------------------------------
def test_current_is_the_highest_published_version_never_a_draft():
    make_document(2, SMALL)
    make_document(3, SMALL, published=False)
    assert thresholds.current_document().version == 2


def test_no_published_document_means_no_current_and_no_recommendation():
    ThresholdDocument.objects.update(published_at=None)
    assert thresholds.current_document() is None
    assert thresholds.recommend_level(None, ["x"]).level is None
    assert thresholds.indicators_for(None) == {}
    assert thresholds.domestic_abuse_codes(None) == set()


# --- Indicators by area ------------------------------------------------------------------------
def test_indicators_for_groups_by_area_label_in_area_order_with_one_query(django_assert_num_queries):
    document = make_document(2, SMALL)
    with django_assert_num_queries(1):
        grouped = thresholds.indicators_for(document)
        thresholds.domestic_abuse_codes(document)
    assert list(grouped) == [
        "Child's developmental needs",
        "Parenting capacity",
        "Family and environment",
        "Safety and risk",
    ]
    assert [i.code for i in grouped["Child's developmental needs"]] == ["healthy", "attendance"]
    assert [i.code for i in grouped["Family and environment"]] == ["debt", "isolation", "da-standard", "da-high"]


def test_indicators_for_leaves_out_empty_areas():
    document = make_document(2, [(2, "safety", "online")])
    assert list(thresholds.indicators_for(document)) == ["Safety and risk"]


# --- The recommendation rule --------------------------------------------------------------------
@pytest.mark.parametrize(
    ("codes", "level", "first_reason"),
    [
        ([], 1, "No indicators of need were ticked."),
        (["healthy"], 1, "Level 1: Indicator healthy"),
        (["attendance"], 2, "Level 2: Indicator attendance"),
        (["attendance", "routines"], 2, "Level 2: Indicator attendance"),
        # Three level 2 indicators but only two areas: still level 2.
        (["debt", "isolation", "online"], 2, "Level 2: Indicator debt"),
        # Level 2 in three areas: multiple needs, level 3.
        (["attendance", "routines", "debt"], 3, "Multiple needs: level 2 indicators in 3 different areas"),
        (["attendance", "routines", "debt", "online"], 3, "Multiple needs: level 2 indicators in 4 different areas"),
        (["attendance", "substance"], 3, "Level 3: Indicator substance"),
        (["da-standard"], 3, "Level 3: Indicator da-standard"),
        # The highest level wins, whatever is ticked below it.
        (["attendance", "routines", "debt", "da-high"], 4, "Level 4: Indicator da-high"),
        (["abuse", "healthy"], 4, "Level 4: Indicator abuse"),
        # Unknown codes (an older version's, or forged) are ignored.
        (["no-such-code"], 1, "No indicators of need were ticked."),
        (["no-such-code", "substance"], 3, "Level 3: Indicator substance"),
    ],
)
def test_recommend_level(codes, level, first_reason):
    document = make_document(2, SMALL)
    recommendation = thresholds.recommend_level(document, codes)
    assert recommendation.level == level
    assert recommendation.reasons[0].startswith(first_reason)


def test_reasons_name_every_indicator_at_the_recommended_level_and_none_below():
    document = make_document(2, SMALL)
    recommendation = thresholds.recommend_level(document, ["attendance", "substance", "da-standard"])
    assert recommendation.level == 3
    assert recommendation.reasons == ["Level 3: Indicator da-standard", "Level 3: Indicator substance"]


def test_multiple_needs_reason_names_the_areas_then_the_indicators():
    document = make_document(2, SMALL)
    recommendation = thresholds.recommend_level(document, {"online", "attendance", "routines"})
    assert recommendation.reasons[0] == (
        "Multiple needs: level 2 indicators in 3 different areas (child's developmental needs, "
        "parenting capacity, safety and risk) call for a team around the family."
    )
    assert recommendation.reasons[1:] == [
        "Level 2: Indicator attendance",
        "Level 2: Indicator routines",
        "Level 2: Indicator online",
    ]


def test_recommendation_reads_the_document_it_is_given_not_the_current_one():
    old = ThresholdDocument.objects.get(version=1)
    make_document(2, [(4, "development", "l2-attendance-below-90")])  # same code, now level 4
    assert thresholds.recommend_level(old, ["l2-attendance-below-90"]).level == 2
    assert thresholds.recommend_level(thresholds.current_document(), ["l2-attendance-below-90"]).level == 4


def test_default_document_recommendations():
    document = thresholds.current_document()
    assert thresholds.recommend_level(document, ["l2-attendance-below-90"]).level == 2
    assert (
        thresholds.recommend_level(
            document, ["l2-attendance-below-90", "l2-parenting-support", "l2-financial-difficulty"]
        ).level
        == 3
    )
    assert thresholds.recommend_level(document, ["l3-domestic-abuse"]).level == 3
    assert thresholds.recommend_level(document, ["l3-domestic-abuse", "l4-domestic-abuse-high-risk"]).level == 4
