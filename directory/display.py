"""Plain-English wording for family-facing pages: opening times, ages, costs, levels of need
and how to get help, in the GOV.UK style ("Mondays and Wednesdays, 9am to 5pm", "£3.50 per
session", "3 March 2026"). Pure functions, so the service page, the shortlist, its email and
the search results all say the same thing the same way."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone

from directory.languages import LANGUAGE_NAMES
from directory.models import HowToAccess, LevelOfNeed, PhoneType

DAY_NAMES = {
    "MO": "Monday",
    "TU": "Tuesday",
    "WE": "Wednesday",
    "TH": "Thursday",
    "FR": "Friday",
    "SA": "Saturday",
    "SU": "Sunday",
}
DAY_ORDER = list(DAY_NAMES)
ORDINALS = {1: "first", 2: "second", 3: "third", 4: "fourth", 5: "fifth", -1: "last", -2: "second to last"}

LEVEL_WORDS = {
    LevelOfNeed.UNIVERSAL: "every family",
    LevelOfNeed.EARLY_HELP: "families who need some extra help",
    LevelOfNeed.TARGETED: "families with several or complex needs",
    LevelOfNeed.SPECIALIST: "families who need specialist support, for example from children's social care",
}

ACCESS_WORDS = {
    HowToAccess.SELF_REFERRAL: "You can contact the service yourself. You do not need a referral.",
    HowToAccess.PROFESSIONAL_REFERRAL: (
        "A professional needs to refer you, for example your GP, health visitor, school or social worker."
    ),
    HowToAccess.BOTH: "You can contact the service yourself, or a professional can refer you.",
}


def join_words(words: list[str], conjunction: str = "and") -> str:
    """['a', 'b', 'c'] -> 'a, b and c'."""
    words = [w for w in words if w]
    if len(words) <= 1:
        return "".join(words)
    return f"{', '.join(words[:-1])} {conjunction} {words[-1]}"


def long_date(day: datetime.date | None) -> str:
    """3 March 2026 (GOV.UK style: no leading zero, no ordinal)."""
    return f"{day.day} {day:%B %Y}" if day else ""


def time_words(value: datetime.time | None) -> str:
    """9am, 5:30pm, midday, midnight."""
    if value is None:
        return ""
    if value.hour == 12 and value.minute == 0:
        return "midday"
    if value.hour == 0 and value.minute == 0:
        return "midnight"
    hour = value.hour % 12 or 12
    suffix = "am" if value.hour < 12 else "pm"
    return f"{hour}{suffix}" if value.minute == 0 else f"{hour}:{value.minute:02d}{suffix}"


def _weekly_days(codes: list[str]) -> str:
    codes = sorted({c for c in codes if c in DAY_NAMES}, key=DAY_ORDER.index)
    if not codes:
        return ""
    if len(codes) == 7:
        return "Every day"
    # Runs of three or more consecutive days read as a range: "Monday to Friday".
    runs: list[list[str]] = []
    for code in codes:
        if runs and DAY_ORDER.index(code) == DAY_ORDER.index(runs[-1][-1]) + 1:
            runs[-1].append(code)
        else:
            runs.append([code])
    parts = []
    for run in runs:
        if len(run) >= 3:
            parts.append(f"{DAY_NAMES[run[0]]} to {DAY_NAMES[run[-1]]}")
        else:
            parts.extend(f"{DAY_NAMES[code]}s" for code in run)
    return join_words(parts)


def _monthly_days(byday: list[str], bymonthday: str) -> str:
    by_weekday: dict[str, list[int]] = {}
    for code in byday:
        number, day = code[:-2], code[-2:]
        if day in DAY_NAMES:
            try:
                by_weekday.setdefault(day, []).append(int(number) if number else 1)
            except ValueError:
                continue
    parts = [
        f"{join_words([ORDINALS.get(n, f'{n}th') for n in sorted(ns, key=lambda n: (n < 0, n))])} "
        f"{DAY_NAMES[day]} of the month"
        for day, ns in sorted(by_weekday.items(), key=lambda item: DAY_ORDER.index(item[0]))
    ]
    if bymonthday:
        days = [d.strip() for d in bymonthday.split(",") if d.strip()]
        parts.append("the " + join_words([_ordinal_number(d) for d in days]) + " of the month")
    text = join_words(parts)
    return text[:1].upper() + text[1:]


def _ordinal_number(value: str) -> str:
    try:
        n = int(value)
    except ValueError:
        return value
    if n == -1:
        return "last day"
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def schedule_words(schedule) -> str:
    """One schedule in words: 'Mondays and Wednesdays, 9am to 5pm'; 'Every other Tuesday,
    10am to midday'; 'First Monday of the month, 6pm to 8pm'. Empty if it has no rule."""
    days = [d for d in (schedule.byday or "").split(",") if d]
    if schedule.freq == "MONTHLY":
        when = _monthly_days(days, schedule.bymonthday or "")
    else:
        when = _weekly_days(days)
        interval = schedule.interval or 1
        if when and interval == 2:
            when = f"Every other week, {when}"
        elif when and interval > 2:
            when = f"Every {interval} weeks, {when}"
    times = ""
    if schedule.opens_at and schedule.closes_at:
        times = f"{time_words(schedule.opens_at)} to {time_words(schedule.closes_at)}"
    elif schedule.opens_at:
        times = f"from {time_words(schedule.opens_at)}"
    text = ", ".join(part for part in (when, times) if part)
    if text and not when:
        text = text[:1].upper() + text[1:]
    period = []
    start = schedule.valid_from or schedule.dtstart
    end = schedule.valid_to or schedule.until
    if start and start > timezone.localdate():
        period.append(f"from {long_date(start)}")
    if end:
        period.append(f"until {long_date(end)}")
    if text and period:
        text = f"{text} ({' '.join(period)})"
    return text


def current_schedules(schedules, today: datetime.date | None = None) -> list:
    """Schedules that have not ended."""
    today = today or timezone.localdate()
    return [s for s in schedules if not ((s.valid_to and s.valid_to < today) or (s.until and s.until < today))]


def upcoming_closures(closures, today: datetime.date | None = None) -> list:
    today = today or timezone.localdate()
    return sorted((c for c in closures if c.end_date >= today), key=lambda c: c.start_date)


def closure_words(closure, today: datetime.date | None = None) -> str:
    today = today or timezone.localdate()
    if closure.start_date <= today:
        text = f"Closed until {long_date(closure.end_date)}"
    elif closure.start_date == closure.end_date:
        text = f"Closed on {long_date(closure.start_date)}"
    else:
        text = f"Closed from {long_date(closure.start_date)} to {long_date(closure.end_date)}"
    return f"{text} ({closure.reason})" if closure.reason else text


def age_words(minimum: int | None, maximum: int | None) -> str:
    """'0 to 18 years', '16 years and over', 'Up to 5 years', '' for any age."""
    if minimum in (None, 0) and maximum is None:
        return ""
    if minimum is None:
        return "Under 1 year" if maximum == 0 else f"Up to {maximum} years"
    if maximum is None:
        return f"{minimum} years and over"
    if minimum == maximum:
        return f"{minimum} years"
    return f"{minimum} to {maximum} years"


def levels_words(levels) -> str:
    """'Suitable for every family and families who need some extra help.' ('' if none)."""
    words = [LEVEL_WORDS[LevelOfNeed(level)] for level in levels]
    return f"Suitable for {join_words(words)}." if words else ""


def money(amount: Decimal, currency: str = "GBP") -> str:
    symbol = {"GBP": "£", "EUR": "€", "USD": "$"}.get((currency or "GBP").upper())
    text = f"{amount:,.2f}".removesuffix(".00")
    return f"{symbol}{text}" if symbol else f"{text} {currency}"


def cost_words(options) -> list[str]:
    """Each cost option in words; ['Free'] when every option is free and none says more."""
    options = list(options)
    if options and all(o.is_free and not o.option for o in options):
        return ["Free"]
    lines = []
    for o in options:
        if o.is_free:
            price = "free"
        elif o.amount is not None:
            price = " ".join(p for p in (money(o.amount, o.currency), o.amount_description) if p)
        else:
            price = o.amount_description
        line = f"{o.option}: {price}" if o.option and price else (o.option or price)
        lines.append(line[:1].upper() + line[1:])
    return lines


def access_words(how_to_access: str) -> str:
    return ACCESS_WORDS.get(how_to_access, "")


def attendance_words(modes) -> str:
    words = {
        "in_person": "in person",
        "online": "online",
        "phone": "by phone",
        "home_visit": "at home (a worker visits you)",
    }
    parts = [words[str(m.value if hasattr(m, "value") else m)] for m in modes]
    return f"You can take part {join_words(parts, 'or')}." if parts else ""


def language_names(codes) -> list[str]:
    return [LANGUAGE_NAMES.get(code, code) for code in codes or []]


def phone_action(phone_type: str) -> str:
    return {
        PhoneType.VOICE: "Call",
        PhoneType.TEXT: "Text",
        PhoneType.TEXTPHONE: "Textphone",
        PhoneType.VIDEO: "Video call",
        PhoneType.FAX: "Fax",
    }.get(phone_type, "Call")


def address_lines(location) -> list[str]:
    """A public location's address, one line each. Never call this for a confidential one."""
    if getattr(location, "confidential", False):
        return []
    return [
        line
        for line in (
            location.name,
            location.address_1,
            location.address_2,
            location.city,
            location.postal_code,
        )
        if line
    ]
