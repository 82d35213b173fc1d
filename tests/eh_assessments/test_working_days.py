"""Working days (DESIGN.md §4): Monday–Friday less England and Wales bank holidays. Known
dates are pinned against the published bank holidays; the properties hold for any date."""

from __future__ import annotations

import datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from eh_assessments.working_days import (
    STANDARD_TARGET_DAYS,
    add_working_days,
    is_working_day,
    working_days_between,
)

D = datetime.date


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (D(2026, 12, 24), True),  # Thursday
        (D(2026, 12, 25), False),  # Christmas Day, Friday
        (D(2026, 12, 28), False),  # Boxing Day falls on a Saturday: substitute Monday
        (D(2026, 12, 26), False),  # Saturday
        (D(2027, 1, 1), False),  # New Year's Day
        (D(2026, 4, 3), False),  # Good Friday 2026
        (D(2026, 4, 6), False),  # Easter Monday 2026
        (D(2026, 4, 7), True),
        (D(2026, 5, 4), False),  # early May bank holiday
        (D(2026, 5, 25), False),  # spring bank holiday
        (D(2026, 8, 31), False),  # summer bank holiday (England and Wales, not Scotland's 3 August)
        (D(2026, 8, 3), True),
        (D(2026, 3, 17), True),  # St Patrick's Day: a holiday in Northern Ireland only
        (D(2026, 11, 30), True),  # St Andrew's Day: Scotland only
    ],
)
def test_is_working_day_follows_england_and_wales_bank_holidays(day, expected):
    assert is_working_day(day) is expected


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        # Across Christmas 2026: 25 and 28 December and 1 January are bank holidays.
        (D(2026, 12, 1), 45, D(2027, 2, 5)),
        # Across Easter 2026 (3 and 6 April) and the early May bank holiday (4 May).
        (D(2026, 3, 2), 45, D(2026, 5, 7)),
        # Starting on a Saturday: Monday is the first working day after it.
        (D(2026, 11, 28), 1, D(2026, 11, 30)),
        # Friday + 1 is Monday.
        (D(2026, 11, 27), 1, D(2026, 11, 30)),
        # Christmas Eve + 1 jumps Christmas, the weekend and the substitute Boxing Day.
        (D(2026, 12, 24), 1, D(2026, 12, 29)),
        (D(2026, 12, 24), 0, D(2026, 12, 24)),
        (D(2026, 12, 29), -1, D(2026, 12, 24)),
    ],
)
def test_add_working_days_known_dates(start, n, expected):
    assert add_working_days(start, n) == expected


def test_standard_target_is_45_working_days():
    assert STANDARD_TARGET_DAYS == 45


def test_working_days_between_known_spans():
    assert working_days_between(D(2026, 12, 1), D(2027, 2, 5)) == 45
    assert working_days_between(D(2026, 12, 24), D(2026, 12, 29)) == 1
    assert working_days_between(D(2026, 12, 24), D(2026, 12, 24)) == 0
    assert working_days_between(D(2027, 2, 5), D(2026, 12, 1)) == -45
    # A year of working days: 2026 has 261 weekdays less 8 bank holidays on weekdays.
    assert working_days_between(D(2025, 12, 31), D(2026, 12, 31)) == 253


def test_datetimes_count_as_their_calendar_day():
    moment = datetime.datetime(2026, 12, 24, 23, 59)
    assert add_working_days(moment, 1) == D(2026, 12, 29)
    assert is_working_day(moment)


dates = st.dates(min_value=D(2020, 1, 1), max_value=D(2032, 12, 31))
working_dates = dates.filter(is_working_day)
counts = st.integers(min_value=0, max_value=400)


@settings(max_examples=200, deadline=None)
@given(start=dates, n=st.integers(min_value=1, max_value=400))
def test_result_is_a_working_day(start, n):
    assert is_working_day(add_working_days(start, n))
    assert is_working_day(add_working_days(start, -n))


@settings(max_examples=200, deadline=None)
@given(start=working_dates, n=st.integers(min_value=-400, max_value=400))
def test_between_inverts_add_from_a_working_day(start, n):
    assert working_days_between(start, add_working_days(start, n)) == n


@settings(max_examples=200, deadline=None)
@given(start=dates, n=counts)
def test_between_inverts_add_for_positive_counts_from_any_day(start, n):
    assert working_days_between(start, add_working_days(start, n)) == n


@settings(max_examples=200, deadline=None)
@given(start=dates, a=counts, b=counts)
def test_monotonic(start, a, b):
    low, high = sorted((a, b))
    assert add_working_days(start, low) <= add_working_days(start, high)
    if low < high:
        assert add_working_days(start, low) < add_working_days(start, high)


@settings(max_examples=200, deadline=None)
@given(start=dates, days=st.integers(min_value=0, max_value=800))
def test_between_matches_counting_day_by_day(start, days):
    end = start + datetime.timedelta(days=days)
    counted = sum(1 for i in range(1, days + 1) if is_working_day(start + datetime.timedelta(days=i)))
    assert working_days_between(start, end) == counted
    assert working_days_between(end, start) == -counted


@settings(max_examples=100, deadline=None)
@given(start=dates, n=counts)
def test_add_is_the_nth_working_day_stepping_one_day_at_a_time(start, n):
    day, left = start, n
    while left:
        day += datetime.timedelta(days=1)
        if is_working_day(day):
            left -= 1
    assert add_working_days(start, n) == day
