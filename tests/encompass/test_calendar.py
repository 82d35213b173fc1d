"""The deadline rule (DESIGN.md §4): notify_by is the start of the first school day whose
start is later than the incident, in the school's calendar (else its LA's, else every
non-bank-holiday weekday). Times are UK local; every expectation is an aware datetime."""

import datetime
from zoneinfo import ZoneInfo

import pytest

from portal.encompass import ics
from portal.encompass.calendar import TermCalendar, is_bank_holiday, is_school_day, notify_by

from .calendars import ACADEMY_OWN, LA_2025_26

UK = ZoneInfo("Europe/London")
UTC = datetime.UTC


def uk(*args):
    return datetime.datetime(*args, tzinfo=UK)


def cal(text):
    return TermCalendar.from_periods([(e.kind, e.start, e.end) for e in ics.parse(text).events])


LA = cal(LA_2025_26)
ACADEMY = cal(ACADEMY_OWN)
T0830 = datetime.time(8, 30)

DEADLINES = [
    # (case, calendar, incident, school day start, expected notify_by)
    ("weekday evening", LA, uk(2025, 9, 16, 19, 0), T0830, uk(2025, 9, 17, 8, 30)),
    ("02:00 on a school day", LA, uk(2025, 9, 17, 2, 0), T0830, uk(2025, 9, 17, 8, 30)),
    ("a minute before the start", LA, uk(2025, 9, 17, 8, 29), T0830, uk(2025, 9, 17, 8, 30)),
    ("exactly at the start: the next day", LA, uk(2025, 9, 17, 8, 30), T0830, uk(2025, 9, 18, 8, 30)),
    ("during the school day", LA, uk(2025, 9, 17, 10, 15), T0830, uk(2025, 9, 18, 8, 30)),
    ("Friday night", LA, uk(2025, 9, 19, 22, 0), T0830, uk(2025, 9, 22, 8, 30)),
    ("Saturday", LA, uk(2025, 9, 20, 14, 0), T0830, uk(2025, 9, 22, 8, 30)),
    ("Sunday 23:59", LA, uk(2025, 9, 21, 23, 59), T0830, uk(2025, 9, 22, 8, 30)),
    ("offset given in UTC", LA, datetime.datetime(2025, 9, 16, 18, 0, tzinfo=UTC), T0830, uk(2025, 9, 17, 8, 30)),
    (
        "UTC evening already the next UK day",
        LA,
        datetime.datetime(2025, 9, 16, 23, 30, tzinfo=UTC),
        T0830,
        uk(2025, 9, 17, 8, 30),
    ),
    ("before the first day of term", LA, uk(2025, 9, 2, 12, 0), T0830, uk(2025, 9, 3, 8, 30)),
    ("October half term, over the clock change", LA, uk(2025, 10, 24, 18, 0), T0830, uk(2025, 11, 3, 8, 30)),
    ("INSET day (no DTEND: one day)", LA, uk(2025, 11, 13, 17, 0), T0830, uk(2025, 11, 17, 8, 30)),
    ("Christmas holidays", LA, uk(2025, 12, 19, 16, 0), T0830, uk(2026, 1, 5, 8, 30)),
    ("Christmas Day", LA, uk(2025, 12, 25, 9, 0), T0830, uk(2026, 1, 5, 8, 30)),
    ("February half term (DURATION)", LA, uk(2026, 2, 13, 20, 0), T0830, uk(2026, 2, 23, 8, 30)),
    ("last day of term (DTEND exclusive)", LA, uk(2026, 3, 26, 20, 0), T0830, uk(2026, 3, 27, 8, 30)),
    ("after the last day of term: Easter", LA, uk(2026, 3, 27, 16, 0), T0830, uk(2026, 4, 13, 8, 30)),
    ("early May bank holiday in term", LA, uk(2026, 5, 1, 19, 0), T0830, uk(2026, 5, 5, 8, 30)),
    ("spring bank holiday and half term (folded SUMMARY)", LA, uk(2026, 5, 22, 19, 0), T0830, uk(2026, 6, 1, 8, 30)),
    ("own start time 08:45", LA, uk(2025, 9, 17, 8, 40), datetime.time(8, 45), uk(2025, 9, 17, 8, 45)),
    ("own calendar starts later", ACADEMY, uk(2025, 9, 3, 12, 0), T0830, uk(2025, 9, 8, 8, 30)),
    ("own calendar INSET day", ACADEMY, uk(2025, 9, 19, 19, 0), T0830, uk(2025, 9, 23, 8, 30)),
    ("LA calendar has no INSET that day", LA, uk(2025, 9, 19, 19, 0), T0830, uk(2025, 9, 22, 8, 30)),
    ("no calendar: weekday evening", None, uk(2025, 8, 12, 19, 0), T0830, uk(2025, 8, 13, 8, 30)),
    ("no calendar: clocks go forward", None, uk(2026, 3, 28, 22, 0), T0830, uk(2026, 3, 30, 8, 30)),
    ("no calendar: clocks go back", None, uk(2025, 10, 25, 22, 0), T0830, uk(2025, 10, 27, 8, 30)),
    ("no calendar: Easter", None, uk(2026, 4, 2, 20, 0), T0830, uk(2026, 4, 7, 8, 30)),
    (
        "no calendar: Boxing Day substitute (Mon 28 Dec 2026)",
        None,
        uk(2026, 12, 24, 18, 0),
        T0830,
        uk(2026, 12, 29, 8, 30),
    ),
    (
        "no calendar: two substitute days (27, 28 Dec 2027)",
        None,
        uk(2027, 12, 24, 18, 0),
        T0830,
        uk(2027, 12, 29, 8, 30),
    ),
    ("no calendar: August bank holiday", None, uk(2026, 8, 28, 18, 0), T0830, uk(2026, 9, 1, 8, 30)),
    ("summer holiday after the last term is covered", LA, uk(2026, 7, 24, 18, 0), T0830, uk(2026, 9, 1, 8, 30)),
    ("own calendar's summer before its first term", ACADEMY, uk(2025, 8, 20, 18, 0), T0830, uk(2025, 9, 8, 8, 30)),
    (
        "own calendar ends in December: weekday rule after it",
        ACADEMY,
        uk(2025, 12, 18, 18, 0),
        T0830,
        uk(2025, 12, 19, 8, 30),
    ),
]


@pytest.mark.parametrize(
    ("case", "calendar", "incident", "start", "expected"), DEADLINES, ids=[d[0] for d in DEADLINES]
)
def test_notify_by(case, calendar, incident, start, expected):
    result = notify_by(incident, calendar, start)
    assert result == expected
    assert result.utcoffset() == expected.utcoffset()


def test_deadlines_are_dst_correct_in_utc():
    assert notify_by(uk(2026, 3, 28, 22, 0), None).astimezone(UTC) == datetime.datetime(2026, 3, 30, 7, 30, tzinfo=UTC)
    assert notify_by(uk(2025, 10, 25, 22, 0), None).astimezone(UTC) == datetime.datetime(
        2025, 10, 27, 8, 30, tzinfo=UTC
    )
    # Half term straddles the change: due at 08:30 GMT, which is 08:30 UTC.
    assert notify_by(uk(2025, 10, 24, 18, 0), LA).astimezone(UTC) == datetime.datetime(2025, 11, 3, 8, 30, tzinfo=UTC)


def test_naive_incident_is_refused():
    with pytest.raises(ValueError, match="aware"):
        notify_by(datetime.datetime(2025, 9, 16, 19, 0), LA)


@pytest.mark.parametrize(
    ("day", "holiday"),
    [
        (datetime.date(2026, 12, 25), True),
        (datetime.date(2026, 12, 28), True),  # Boxing Day falls on a Saturday: substitute Monday
        (datetime.date(2027, 12, 27), True),
        (datetime.date(2027, 12, 28), True),
        (datetime.date(2026, 4, 3), True),  # Good Friday
        (datetime.date(2026, 4, 6), True),  # Easter Monday (England and Wales, not Scotland)
        (datetime.date(2026, 8, 31), True),  # summer bank holiday (England, not Scotland's)
        (datetime.date(2026, 8, 3), False),  # Scotland's summer bank holiday only
        (datetime.date(2026, 3, 17), False),  # St Patrick's Day: Northern Ireland only
        (datetime.date(2026, 1, 2), False),  # 2 January: Scotland only
    ],
)
def test_england_and_wales_bank_holidays(day, holiday):
    assert is_bank_holiday(day) is holiday


def test_school_day_needs_term_and_no_closure():
    assert is_school_day(datetime.date(2025, 9, 3), LA)
    assert not is_school_day(datetime.date(2025, 9, 2), LA)  # before term
    assert not is_school_day(datetime.date(2025, 10, 29), LA)  # half term
    assert not is_school_day(datetime.date(2025, 11, 14), LA)  # INSET
    assert is_school_day(datetime.date(2025, 12, 19), LA)  # last day (DTEND 20 Dec is exclusive)
    assert not is_school_day(datetime.date(2025, 12, 20), LA)
    assert not is_school_day(datetime.date(2025, 9, 6), LA)  # Saturday


# --- The iCalendar reader ----------------------------------------------------------------
def test_ics_reads_terms_and_closures_and_skips_timed_events():
    result = ics.parse(LA_2025_26)
    kinds = [(e.kind, e.start.isoformat(), e.end.isoformat()) for e in result.events]
    assert ("term", "2025-09-03", "2025-12-20") in kinds
    assert ("closure", "2025-11-14", "2025-11-15") in kinds  # no DTEND: one day
    assert ("closure", "2026-02-16", "2026-02-21") in kinds  # DURATION:P5D
    assert [e.summary for e in result.events if e.start.isoformat() == "2026-05-25"] == ["Summer half term"]
    assert len(result.skipped) == 1 and "not an all-day event" in result.skipped[0]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("hello", "not a property line"),
        ("BEGIN:VEVENT\nEND:VEVENT", "VCALENDAR"),
        (
            "BEGIN:VCALENDAR\nBEGIN:VEVENT\nCATEGORIES:TERM\nDTSTART;VALUE=DATE:20250230\nEND:VEVENT\nEND:VCALENDAR",
            "not a real date",
        ),
        (
            "BEGIN:VCALENDAR\nBEGIN:VEVENT\nCATEGORIES:TERM\nDTSTART;VALUE=DATE:20250903\nDTEND;VALUE=DATE:20250903\nEND:VEVENT\nEND:VCALENDAR",
            "exclusive",
        ),
        ("BEGIN:VCALENDAR\nBEGIN:VEVENT\nCATEGORIES:TERM\nEND:VEVENT\nEND:VCALENDAR", "without DTSTART"),
    ],
)
def test_ics_errors_name_the_problem(text, message):
    with pytest.raises(ics.ICSError, match=message):
        ics.parse(text)


def test_ics_ignores_events_without_term_or_closure():
    result = ics.parse(
        "BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART;VALUE=DATE:20250903\nSUMMARY:Sports day\nEND:VEVENT\nEND:VCALENDAR"
    )
    assert result.events == [] and "Sports day" in result.skipped[0]
