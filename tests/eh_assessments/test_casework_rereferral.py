"""Re-referral detection (issue 7 point 5): the 12-month edge, siblings, and a child with two
open episodes."""

from __future__ import annotations

import datetime

import pytest

from eh_assessments import casework, rereferral
from eh_assessments.models_casework import ClosureReason, Decision
from tests.directory.factories import ServicePageFactory
from tests.eh_assessments.casework_factories import CaseFamilyFactory, referral_for, world

pytestmark = pytest.mark.django_db


@pytest.fixture
def w(db):
    return world()


def flags(referral):
    return {flag.child.given_name: flag for flag in rereferral.rereferrals_for(referral)}


@pytest.mark.parametrize(
    ("previous", "new", "flagged"),
    [
        (datetime.date(2025, 3, 1), datetime.date(2026, 3, 1), True),  # exactly 12 months: included
        (datetime.date(2025, 2, 28), datetime.date(2026, 3, 1), False),  # 12 months and a day
        (datetime.date(2025, 3, 2), datetime.date(2026, 3, 1), True),
        (datetime.date(2024, 2, 29), datetime.date(2025, 2, 28), True),  # leap day: 28 Feb is the anniversary
        (datetime.date(2024, 2, 28), datetime.date(2025, 2, 28), True),
        (datetime.date(2024, 2, 27), datetime.date(2025, 2, 28), False),
        (datetime.date(2026, 3, 1), datetime.date(2026, 3, 1), True),  # the same day, recorded earlier
    ],
)
def test_the_twelve_month_edge(w, previous, new, flagged):
    family = CaseFamilyFactory(team=w["team"])
    referral_for(w["team"], "Amy", family=family, received_on=previous)
    later = referral_for(w["team"], "Amy", family=family, received_on=new)
    assert ("Amy" in flags(later)) is flagged
    assert rereferral.window_start(datetime.date(2026, 3, 1)) == datetime.date(2025, 3, 1)


def test_a_later_referral_does_not_make_an_earlier_one_a_rereferral(w):
    family = CaseFamilyFactory(team=w["team"])
    first = referral_for(w["team"], "Amy", family=family, received_on=datetime.date(2026, 1, 5))
    referral_for(w["team"], "Amy", family=family, received_on=datetime.date(2026, 2, 5))
    assert flags(first) == {}


def test_a_sibling_not_referred_before_is_not_a_rereferral(w):
    family = CaseFamilyFactory(team=w["team"])
    referral_for(w["team"], "Amy", family=family, received_on=datetime.date(2026, 1, 5))
    ben_only = referral_for(w["team"], "Ben", family=family, received_on=datetime.date(2026, 2, 5))
    assert flags(ben_only) == {}
    both = referral_for(w["team"], "Amy", "Ben", family=family, received_on=datetime.date(2026, 3, 5))
    result = flags(both)
    # Ben was referred in February; Amy in January and February: both re-referred now, each
    # against their own latest earlier referral.
    assert set(result) == {"Amy", "Ben"}
    assert result["Amy"].previous_referral.received_on == datetime.date(2026, 2, 5) or (
        result["Amy"].previous_referral.received_on == datetime.date(2026, 1, 5)
    )
    assert result["Ben"].previous_referral == ben_only


def test_the_flag_names_the_latest_earlier_referral_for_that_child(w):
    family = CaseFamilyFactory(team=w["team"])
    january = referral_for(w["team"], "Amy", family=family, received_on=datetime.date(2026, 1, 5))
    referral_for(w["team"], "Ben", family=family, received_on=datetime.date(2026, 2, 5))
    march = referral_for(w["team"], "Amy", "Ben", family=family, received_on=datetime.date(2026, 3, 5))
    assert flags(march)["Amy"].previous_referral == january


def test_the_flag_shows_the_earlier_episode_and_how_it_ended(w):
    family = CaseFamilyFactory(team=w["team"])
    earlier = referral_for(w["team"], "Amy", family=family, received_on=datetime.date(2025, 9, 1))
    decision = casework.record_decision(
        user=w["manager"],
        kind=Decision.Kind.SINGLE_AGENCY,
        rationale="x",
        referral=earlier,
        lead_professional=w["lead"],
    )
    episode = decision.opened_episode
    closure = casework.record_decision(
        user=w["lead"],
        kind=Decision.Kind.CLOSURE,
        rationale="x",
        episode=episode,
        closure_reason=ClosureReason.CONSENT_WITHDRAWN,
        closure_summary="Family asked us to stop.",
    )
    casework.sign_off(closure, user=w["manager"], approve=True)
    later = referral_for(w["team"], "Amy", family=family, received_on=datetime.date(2026, 2, 1))
    flag = flags(later)["Amy"]
    assert flag.previous_referral == earlier
    assert flag.previous_episodes == [episode]
    assert flag.how_it_ended == f"{episode.reference}: Closed: Family withdrew consent"
    assert flag.open_episodes == []


def test_when_no_episode_was_opened_the_decision_is_shown(w):
    family = CaseFamilyFactory(team=w["team"])
    earlier = referral_for(w["team"], "Amy", family=family, received_on=datetime.date(2026, 1, 5))
    casework.record_decision(
        user=w["manager"],
        kind=Decision.Kind.UNIVERSAL,
        rationale="Signposted.",
        referral=earlier,
        service_page_ids=[ServicePageFactory().pk],
    )
    later = referral_for(w["team"], "Amy", family=family, received_on=datetime.date(2026, 2, 5))
    assert flags(later)["Amy"].how_it_ended == "Decided: Universal services and signposting"
    undecided = referral_for(w["team"], "Amy", family=family, received_on=datetime.date(2026, 3, 5))
    assert flags(undecided)["Amy"].how_it_ended == "No decision recorded"


def test_a_child_with_two_open_episodes_is_flagged_once_with_both_shown(w, django_assert_max_num_queries):
    family = CaseFamilyFactory(team=w["team"])
    opened = []
    for received_on in (datetime.date(2025, 11, 3), datetime.date(2026, 1, 5)):
        referral = referral_for(w["team"], "Amy", family=family, received_on=received_on)
        decision = casework.record_decision(
            user=w["manager"],
            kind=Decision.Kind.SINGLE_AGENCY,
            rationale="x",
            referral=referral,
            lead_professional=w["lead"],
        )
        opened.append(decision.opened_episode)
    new = referral_for(w["team"], "Amy", "Ben", family=family, received_on=datetime.date(2026, 2, 2))
    with django_assert_max_num_queries(4):
        result = rereferral.rereferrals_for(new)
    assert [flag.child.given_name for flag in result] == ["Amy"]
    (flag,) = result
    assert flag.previous_episodes == [opened[1]]
    assert flag.how_it_ended == f"{opened[1].reference}: Open"
    assert flag.open_episodes == opened
    assert rereferral.is_rereferral(new, flag.child)


def test_query_count_does_not_grow_with_children(w, django_assert_max_num_queries):
    family = CaseFamilyFactory(team=w["team"])
    names = [f"Child{i}" for i in range(8)]
    referral_for(w["team"], *names, family=family, received_on=datetime.date(2026, 1, 5))
    new = referral_for(w["team"], *names, family=family, received_on=datetime.date(2026, 2, 5))
    with django_assert_max_num_queries(4):
        assert len(rereferral.rereferrals_for(new)) == 8


@pytest.mark.parametrize("seed", range(3))
def test_the_window_matches_the_calendar_month_definition(seed):
    """Against a brute-force reading of the rule: an earlier referral counts when the new one
    is no later than the earlier one's 12-month anniversary (29 February → 28 February)."""
    import random

    rng = random.Random(seed)
    for _ in range(500):
        earlier = datetime.date(2023, 1, 1) + datetime.timedelta(days=rng.randrange(0, 1200))
        later = earlier + datetime.timedelta(days=rng.randrange(0, 400))
        try:
            anniversary = earlier.replace(year=earlier.year + 1)
        except ValueError:  # 29 February
            anniversary = datetime.date(earlier.year + 1, 2, 28)
        assert (rereferral.window_start(later) <= earlier) is (later <= anniversary), (earlier, later)
