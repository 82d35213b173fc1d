"""A small reader for the part of iCalendar (RFC 5545) that term dates use: all-day VEVENTs
with CATEGORIES TERM or CLOSURE. DTEND is exclusive; an event with no DTEND and no DURATION
lasts one day (RFC 5545 §3.6.1). Events with a time of day are reported, not used."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass


class ICSError(ValueError):
    pass


@dataclass(frozen=True)
class AllDayEvent:
    kind: str  # "term" or "closure"
    start: datetime.date
    end: datetime.date  # exclusive
    summary: str
    line: int


@dataclass
class ParseResult:
    events: list[AllDayEvent]
    skipped: list[str]


_DURATION = re.compile(r"^P(?:([0-9]+)W)?(?:([0-9]+)D)?$", re.ASCII)
MAX_EVENT_DAYS = 400  # a term or a closure never spans more than a school year


def _unfold(text: str) -> list[tuple[int, str]]:
    lines: list[tuple[int, str]] = []
    for number, raw in enumerate(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"), start=1):
        if raw[:1] in (" ", "\t") and lines:
            lines[-1] = (lines[-1][0], lines[-1][1] + raw[1:])
        elif raw.strip():
            lines.append((number, raw))
    return lines


def _split(line: str) -> tuple[str, dict[str, str], str]:
    head, sep, value = line.partition(":")
    if not sep:
        raise ICSError(f"not a property line: {line[:40]!r}")
    name, *params = head.split(";")
    parsed = {}
    for param in params:
        key, _, val = param.partition("=")
        parsed[key.upper()] = val.strip('"')
    return name.upper(), parsed, value


def _unescape(value: str) -> str:
    return value.replace("\\n", " ").replace("\\N", " ").replace("\\,", ",").replace("\\;", ";").replace("\\\\", "\\")


def _date(value: str, params: dict[str, str], line: int) -> datetime.date | None:
    value = value.strip()
    if params.get("VALUE", "DATE").upper() == "DATE" and re.fullmatch(r"[0-9]{8}", value):
        try:
            return datetime.date(int(value[:4]), int(value[4:6]), int(value[6:8]))
        except ValueError:
            raise ICSError(f"line {line}: {value!r} is not a real date") from None
    return None  # a date-time: not an all-day event


def _add_days(start: datetime.date, days: int, line: int) -> datetime.date:
    try:
        return start + datetime.timedelta(days=days)
    except OverflowError:
        raise ICSError(f"line {line}: the event ends after the year 9999") from None


def parse(text: str) -> ParseResult:
    if "\x00" in text:
        raise ICSError("not an iCalendar file (it contains NUL characters)")
    events: list[AllDayEvent] = []
    skipped: list[str] = []
    current: dict | None = None
    saw_calendar = False
    for number, line in _unfold(text):
        name, params, value = _split(line)
        if name == "BEGIN" and value.upper() == "VCALENDAR":
            saw_calendar = True
        elif name == "BEGIN" and value.upper() == "VEVENT":
            current = {"line": number, "categories": []}
        elif name == "END" and value.upper() == "VEVENT":
            if current is not None:
                _finish(current, events, skipped)
            current = None
        elif current is not None:
            if name in ("DTSTART", "DTEND"):
                current[name] = (value, params, number)
            elif name == "DURATION":
                current["DURATION"] = value.strip()
            elif name == "SUMMARY":
                current["SUMMARY"] = _unescape(value)
            elif name == "CATEGORIES":
                current["categories"] += [c.strip().upper() for c in _unescape(value).split(",")]
    if not saw_calendar:
        raise ICSError("not an iCalendar file (no BEGIN:VCALENDAR)")
    return ParseResult(events, skipped)


def _finish(event: dict, events: list[AllDayEvent], skipped: list[str]) -> None:
    line = event["line"]
    categories = event["categories"]
    kind = "closure" if "CLOSURE" in categories else "term" if "TERM" in categories else None
    summary = event.get("SUMMARY", "")[:200]
    if kind is None:
        skipped.append(f"line {line}: {summary or 'event'} has neither TERM nor CLOSURE in CATEGORIES")
        return
    if "DTSTART" not in event:
        raise ICSError(f"line {line}: event without DTSTART")
    start = _date(*event["DTSTART"])
    if start is None:
        skipped.append(f"line {line}: {summary or 'event'} is not an all-day event")
        return
    if "DTEND" in event:
        end = _date(*event["DTEND"])
        if end is None:
            raise ICSError(f"line {line}: DTEND of an all-day event must be a date")
    elif "DURATION" in event:
        match = _DURATION.match(event["DURATION"])
        if not match or not any(match.groups()):
            raise ICSError(f"line {line}: DURATION {event['DURATION']!r} is not whole days or weeks")
        weeks, days = (int(g or 0) for g in match.groups())
        if weeks * 7 + days > MAX_EVENT_DAYS:
            raise ICSError(f"line {line}: DURATION {event['DURATION']!r} is longer than a school year")
        end = _add_days(start, weeks * 7 + days, line)
    else:
        end = _add_days(start, 1, line)
    if end <= start:
        raise ICSError(f"line {line}: DTEND must be after DTSTART (DTEND is exclusive)")
    events.append(AllDayEvent(kind, start, end, summary, line))
