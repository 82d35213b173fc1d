"""Working days (DESIGN.md §4): Monday to Friday, excluding England and Wales bank holidays
(substitute days included) from the ``holidays`` package, through the same lookup Operation
Encompass uses (:func:`portal.encompass.calendar.is_bank_holiday`).

The standard assessment target is ``add_working_days(start, 45)``: the 45th working day after
the start day (the start day itself is day 0, whatever it is).
"""

from __future__ import annotations

import datetime

from portal.encompass.calendar import _bank_holidays, is_bank_holiday

STANDARD_TARGET_DAYS = 45

_ONE_DAY = datetime.timedelta(days=1)


def _as_date(day: datetime.date) -> datetime.date:
    # A datetime is a date too; compare calendar days only.
    return day.date() if isinstance(day, datetime.datetime) else day


def is_working_day(day: datetime.date) -> bool:
    day = _as_date(day)
    return day.weekday() < 5 and not is_bank_holiday(day)


def add_working_days(start: datetime.date, n: int) -> datetime.date:
    """The ``n``-th working day after ``start`` (before it when ``n`` is negative).

    ``n == 0`` returns ``start`` unchanged, even on a weekend or bank holiday. For ``n > 0``
    the result is always a working day, and
    ``working_days_between(start, add_working_days(start, n)) == n``."""
    day = _as_date(start)
    step = _ONE_DAY if n >= 0 else -_ONE_DAY
    remaining = abs(n)
    # Skip whole weeks first: five working days a week, less any bank holidays in that week.
    while remaining > 10:
        week_end = day + step * 7
        holidays_in_week = sum(1 for i in range(1, 8) if (d := day + step * i).weekday() < 5 and is_bank_holiday(d))
        gained = 5 - holidays_in_week
        if gained >= remaining:
            break
        day = week_end
        remaining -= gained
    while remaining:
        day += step
        if is_working_day(day):
            remaining -= 1
    return day


def working_days_between(start: datetime.date, end: datetime.date) -> int:
    """The number of working days after ``start`` up to and including ``end`` (negative when
    ``end`` is before ``start``). ``working_days_between(d, d) == 0``."""
    start, end = _as_date(start), _as_date(end)
    if end < start:
        return -working_days_between(end, start)
    days = (end - start).days
    weeks, extra = divmod(days, 7)
    count = weeks * 5
    for i in range(1, extra + 1):
        if (start + _ONE_DAY * i).weekday() < 5:
            count += 1
    # Bank holidays in (start, end] that fall on a weekday.
    # (The same cached per-year sets is_bank_holiday reads, so a long span costs no more.)
    holidays = sum(
        1
        for year in range(start.year, end.year + 1)
        for d in _bank_holidays(year)
        if start < d <= end and d.weekday() < 5
    )
    return count - holidays
