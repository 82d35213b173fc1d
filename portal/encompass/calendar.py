"""School days and the Operation Encompass deadline (DESIGN.md §4).

A school day is a weekday that is not an England and Wales bank holiday (substitute days
included), inside a TERM period and not inside a CLOSURE of the calendar that applies: the
school's own, else its local authority's. With no calendar, or on a date outside the range
the calendar covers (see :func:`coverage_of`), every non-bank-holiday weekday counts.

``notify_by`` is the start (the school's day start, Europe/London, DST-correct) of the first
school day whose start is later than the incident.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

LONDON = ZoneInfo("Europe/London")
SEARCH_DAYS = 400  # a school day is always found well within a year


@lru_cache(maxsize=64)
def _bank_holidays(year: int) -> frozenset[datetime.date]:
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year, observed=True).keys())


def is_bank_holiday(day: datetime.date) -> bool:
    return day in _bank_holidays(day.year)


@dataclass(frozen=True)
class TermCalendar:
    """Term periods and closures as half-open date ranges [start, end)."""

    terms: tuple[tuple[datetime.date, datetime.date], ...] = ()
    closures: tuple[tuple[datetime.date, datetime.date], ...] = ()
    coverage: tuple[datetime.date, datetime.date] | None = field(default=None)

    @classmethod
    def from_periods(cls, periods) -> TermCalendar | None:
        """``periods``: objects or tuples with kind ('term'/'closure'), start, end."""
        terms, closures = [], []
        for period in periods:
            kind, start, end = (period.kind, period.start, period.end) if hasattr(period, "kind") else period
            (terms if kind == "term" else closures).append((start, end))
        if not terms:
            return None
        terms.sort()
        return cls(tuple(terms), tuple(sorted(closures)), coverage_of(terms))

    def covers(self, day: datetime.date) -> bool:
        return self.coverage is not None and self.coverage[0] <= day < self.coverage[1]

    def in_term(self, day: datetime.date) -> bool:
        return any(start <= day < end for start, end in self.terms) and not any(
            start <= day < end for start, end in self.closures
        )


def coverage_of(terms) -> tuple[datetime.date, datetime.date]:
    """The dates a calendar speaks for: from its first term (from 1 August when that term
    starts in August or September, so the summer holiday before it is covered) to the end
    of its last term (to 1 September when it ends in July or August, so the summer holiday
    after it is covered). Outside them the weekday rule applies."""
    first = min(start for start, _ in terms)
    last = max(end for _, end in terms)
    start = datetime.date(first.year, 8, 1) if first.month in (8, 9) else first
    end = datetime.date(last.year, 9, 1) if last.month in (7, 8) else last
    return start, end


def is_school_day(day: datetime.date, calendar: TermCalendar | None) -> bool:
    if day.weekday() >= 5 or is_bank_holiday(day):
        return False
    if calendar is None or not calendar.covers(day):
        return True
    return calendar.in_term(day)


def day_start_at(day: datetime.date, start: datetime.time) -> datetime.datetime:
    """The aware moment ``start`` o'clock UK time on ``day`` (BST or GMT as it falls)."""
    return datetime.datetime.combine(day, start, tzinfo=LONDON)


def notify_by(
    incident_at: datetime.datetime, calendar: TermCalendar | None, start: datetime.time = datetime.time(8, 30)
) -> datetime.datetime:
    if incident_at.tzinfo is None:
        raise ValueError("incident_at must be an aware datetime.")
    day = incident_at.astimezone(LONDON).date()
    for _ in range(SEARCH_DAYS):
        if is_school_day(day, calendar):
            moment = day_start_at(day, start)
            if moment > incident_at:
                return moment
        day += datetime.timedelta(days=1)
    raise ValueError("No school day within a year of the incident.")  # pragma: no cover


def next_school_days(after: datetime.date, calendar: TermCalendar | None, count: int) -> list[datetime.date]:
    days, day = [], after
    while len(days) < count:
        day += datetime.timedelta(days=1)
        if is_school_day(day, calendar):
            days.append(day)
    return days
