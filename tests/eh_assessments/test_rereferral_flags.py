"""The stored re-referral flag (``ReferralChild.rereferral``): always what ``rereferrals_for``
says, however requests and their children change, and what migration 0010 backfills."""

from __future__ import annotations

import datetime
import importlib
import io
import random

import pytest

from django.apps import apps
from django.core.management import call_command
from django.db import connection

from eh_assessments import rereferral
from eh_assessments.models import Person, Referral, ReferralChild
from tests.eh_assessments.casework_factories import CaseFamilyFactory, referral_for

pytestmark = pytest.mark.django_db

EDGES = [
    (datetime.date(2025, 3, 1), datetime.date(2026, 3, 1), True),  # exactly 12 months: included
    (datetime.date(2025, 2, 28), datetime.date(2026, 3, 1), False),  # 12 months and a day
    (datetime.date(2024, 2, 29), datetime.date(2025, 2, 28), True),  # leap day: 28 Feb is the anniversary
    (datetime.date(2023, 2, 28), datetime.date(2024, 2, 29), True),  # from a leap day: back to 28 Feb
    (datetime.date(2023, 2, 27), datetime.date(2024, 2, 29), False),
    (datetime.date(2023, 3, 1), datetime.date(2024, 2, 29), True),
    (datetime.date(2024, 2, 27), datetime.date(2025, 2, 28), False),
    (datetime.date(2026, 3, 1), datetime.date(2026, 3, 1), True),  # the same day, recorded earlier
]


def stored(referral: Referral) -> dict[str, bool]:
    return {
        link.person.given_name: link.rereferral
        for link in ReferralChild.objects.filter(referral=referral).select_related("person")
    }


def assert_stored_flags_are_the_rule():
    """Every link's stored flag is whether ``rereferrals_for`` flags that child."""
    links = list(ReferralChild.objects.select_related("referral"))
    assert links
    by_referral = {link.referral_id: link.referral for link in links}
    flagged = {(pk, flag.child.pk) for pk in by_referral for flag in rereferral.rereferrals_for(by_referral[pk])}
    assert {(link.referral_id, link.person_id) for link in links if link.rereferral} == flagged


@pytest.fixture
def family(team):
    return CaseFamilyFactory(team=team)


@pytest.fixture
def pair(team, family):
    """Amy referred in March 2026, then a backdated request about her from June 2025."""
    later = referral_for(team, "Amy", "Ben", family=family, received_on=datetime.date(2026, 3, 1))
    assert stored(later) == {"Amy": False, "Ben": False}
    earlier = referral_for(team, "Amy", family=family, received_on=datetime.date(2025, 6, 1))
    return earlier, later, Person.objects.get(given_name="Amy")


def test_a_backdated_earlier_referral_makes_the_later_one_a_rereferral(pair):
    earlier, later, _ = pair
    assert stored(later) == {"Amy": True, "Ben": False}  # Ben was not named before
    assert stored(earlier) == {"Amy": False}
    assert_stored_flags_are_the_rule()


def test_removing_the_child_from_the_earlier_referral_clears_the_flag(pair):
    earlier, later, amy = pair
    earlier.children.remove(amy)
    assert stored(later)["Amy"] is False
    earlier.children.add(amy)
    assert stored(later)["Amy"] is True
    earlier.children.clear()
    assert stored(later)["Amy"] is False
    earlier.children.set([amy])
    assert stored(later)["Amy"] is True


def test_the_child_side_of_the_link_keeps_the_flag_too(pair):
    earlier, later, amy = pair
    amy.referrals.remove(earlier)
    assert stored(later)["Amy"] is False
    amy.referrals.add(earlier)
    assert stored(later)["Amy"] is True
    amy.referrals.clear()
    assert not ReferralChild.objects.filter(person=amy).exists()
    amy.referrals.set([earlier, later])
    assert stored(later)["Amy"] is True
    assert_stored_flags_are_the_rule()


def test_a_link_saved_or_deleted_on_its_own_keeps_the_flag_too(pair):
    earlier, later, amy = pair
    link = ReferralChild.objects.get(referral=earlier, person=amy)
    link.delete()
    assert stored(later)["Amy"] is False
    created = ReferralChild.objects.create(referral=earlier, person=amy)
    assert stored(later)["Amy"] is True
    assert created.rereferral is False  # the earlier request itself is not a re-referral
    # A link moved to another child refreshes both children.
    ben = Person.objects.get(given_name="Ben")
    created.person = ben
    created.save()
    assert stored(later) == {"Amy": False, "Ben": True}
    assert_stored_flags_are_the_rule()


def test_moving_the_earlier_referral_out_of_the_window_clears_the_flag(pair):
    earlier, later, _ = pair
    earlier.received_on = datetime.date(2025, 2, 1)  # 13 months before
    earlier.save()
    assert stored(later)["Amy"] is False
    earlier.received_on = datetime.date(2025, 3, 1)
    earlier.save(update_fields=["received_on"])
    assert stored(later)["Amy"] is True


def test_moving_the_earlier_referral_after_the_later_one_swaps_the_flags(pair):
    earlier, later, _ = pair
    earlier.received_on = datetime.date(2026, 4, 1)
    earlier.save()
    assert stored(later)["Amy"] is False
    assert stored(earlier)["Amy"] is True
    assert_stored_flags_are_the_rule()


def test_deleting_the_earlier_referral_clears_the_flag(pair):
    earlier, later, _ = pair
    earlier.delete()
    assert stored(later)["Amy"] is False


def test_deleting_the_middle_referral_compares_with_the_one_before(team, family):
    first = referral_for(team, "Amy", family=family, received_on=datetime.date(2025, 1, 10))
    middle = referral_for(team, "Amy", family=family, received_on=datetime.date(2025, 12, 1))
    last = referral_for(team, "Amy", family=family, received_on=datetime.date(2026, 3, 1))
    assert (stored(first), stored(middle), stored(last)) == ({"Amy": False}, {"Amy": True}, {"Amy": True})
    Referral.objects.filter(pk=middle.pk).delete()
    assert stored(last) == {"Amy": False}  # 14 months after the first


def test_deleting_a_family_deletes_its_links(pair, family):
    family.delete()
    assert not ReferralChild.objects.exists()


@pytest.mark.parametrize(("previous", "new", "flagged"), EDGES)
def test_the_stored_flag_keeps_the_twelve_month_edge(team, family, previous, new, flagged):
    referral_for(team, "Amy", family=family, received_on=previous)
    later = referral_for(team, "Amy", family=family, received_on=new)
    assert stored(later) == {"Amy": flagged}
    assert_stored_flags_are_the_rule()


def test_random_histories_keep_every_flag_right(team, family):
    rng = random.Random(2016)
    names = ("Amy", "Ben", "Cal", "Dee")
    # Days around the leap day and its anniversaries, and a spread over four years.
    days = [datetime.date(2022, 12, 1) + datetime.timedelta(days=rng.randint(0, 4 * 365)) for _ in range(40)]
    days += [datetime.date(y, 2, d) for y in (2023, 2024, 2025) for d in (27, 28)] + [datetime.date(2024, 2, 29)] * 3
    referrals = []
    for _ in range(60):
        referrals.append(
            referral_for(team, *rng.sample(names, rng.randint(1, 3)), family=family, received_on=rng.choice(days))
        )
    assert_stored_flags_are_the_rule()
    people = list(Person.objects.filter(family=family))
    for _ in range(40):
        referral, child = rng.choice(referrals), rng.choice(people)
        change = rng.choice(("move", "add", "remove", "reverse", "set", "delete"))
        if change == "move":
            referral.received_on = rng.choice(days)
            referral.save()
        elif change == "add":
            referral.children.add(child)
        elif change == "remove":
            referral.children.remove(child)
        elif change == "reverse":
            child.referrals.add(referral)
        elif change == "set":
            referral.children.set(rng.sample(people, rng.randint(0, 2)))
        else:
            referrals.remove(referral)
            referral.delete()
    assert_stored_flags_are_the_rule()


def test_refresh_writes_nothing_when_the_flags_are_right(pair, django_assert_num_queries):
    _, _, amy = pair
    with django_assert_num_queries(1):
        assert rereferral.refresh_flags([amy.pk]) == 0
    ReferralChild.objects.update(rereferral=False)
    assert rereferral.refresh_flags([amy.pk]) == 1


def test_seeded_synthetic_families_have_the_flags_right():
    call_command("seed_synthetic", families=120, stdout=io.StringIO())
    assert ReferralChild.objects.filter(rereferral=True).exists()
    assert_stored_flags_are_the_rule()


@pytest.mark.parametrize(("previous", "new", "flagged"), EDGES)
def test_the_migration_backfills_every_flag(team, family, previous, new, flagged):
    """Migration 0010 sets the flags of links recorded before it, by the same rule."""
    referral_for(team, "Amy", family=family, received_on=previous)
    later = referral_for(team, "Amy", "Ben", family=family, received_on=new)
    referral_for(team, "Ben", family=family, received_on=new + datetime.timedelta(days=200))
    links = list(ReferralChild.objects.all())
    right = {link.pk: link.rereferral for link in links}
    assert stored(later)["Amy"] is flagged
    for link in links:
        link.rereferral = not link.rereferral
    ReferralChild.objects.bulk_update(links, ["rereferral"])
    migration = importlib.import_module("eh_assessments.migrations.0010_referralchild")
    migration.backfill_rereferral(apps, connection.schema_editor())
    assert dict(ReferralChild.objects.values_list("pk", "rereferral")) == right
