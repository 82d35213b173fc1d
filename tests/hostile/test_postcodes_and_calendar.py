"""Properties of the postcode parser (search/postcodes.py, and the directory's own validator)
and of the Operation Encompass deadline (portal/encompass/calendar.py)."""

from __future__ import annotations

import datetime
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from django.core.exceptions import ValidationError

from directory.validators import normalise_postcode
from portal.encompass.calendar import LONDON, TermCalendar, is_bank_holiday, notify_by
from search import postcodes
from tests.hostile.conftest import hostile

# --- Postcodes ---------------------------------------------------------------------------------
# The letters each position may hold (the Royal Mail's rules, which the parser implements).
FIRST = "ABCDEFGHIJKLMNOPRSTUWYZ"  # not Q, V, X
SECOND = "ABCDEFGHKLMNOPQRSTUVWXY"  # not I, J, Z
THIRD = "ABCDEFGHJKPSTUW"  # in ANA
FOURTH = "ABEHMNPRVWXY"  # in AANA
INWARD = "ABDEFGHJLNPQRSTUWXYZ"  # not C, I, K, M, O, V
DIGIT = "0123456789"

letter = st.sampled_from
digit = st.sampled_from(DIGIT)
OUTWARD_FORMATS = {
    "AN": st.tuples(letter(FIRST), digit),
    "ANN": st.tuples(letter(FIRST), digit, digit),
    "AAN": st.tuples(letter(FIRST), letter(SECOND), digit),
    "AANN": st.tuples(letter(FIRST), letter(SECOND), digit, digit),
    "ANA": st.tuples(letter(FIRST), digit, letter(THIRD)),
    "AANA": st.tuples(letter(FIRST), letter(SECOND), digit, letter(FOURTH)),
}
inward = st.tuples(digit, letter(INWARD), letter(INWARD)).map("".join)
outward = st.one_of(*(s.map("".join) for s in OUTWARD_FORMATS.values()))
valid_postcode = st.tuples(outward, inward).map(" ".join)
# How people type them: any case, no space, extra spaces or tabs, a hyphen.
spacing = st.sampled_from(["", " ", "  ", "\t", " - ", "-"])
mangled_case = st.sampled_from([str.lower, str.upper, str.swapcase, str.title, lambda s: s])
ARABIC_INDIC_DIGITS = str.maketrans(DIGIT, "٠١٢٣٤٥٦٧٨٩")
WELL_FORMED = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]? [0-9][A-Z]{2}$")


@given(value=st.one_of(st.text(), st.text(alphabet=DIGIT + FIRST + " -abc\t\n\x00")))
@hostile(max_examples=100)
def test_normalise_never_raises_anything_but_a_validation_error_and_is_idempotent(value):
    try:
        result = postcodes.normalise(value)
    except ValidationError as exc:
        assert exc.messages == [postcodes.INVALID_MESSAGE]
        return
    assert postcodes.normalise(result) == result
    assert result == result.strip().upper()
    assert WELL_FORMED.match(result) or " " not in result  # a full postcode, or an outcode


@given(outward=outward, inward=inward, before=spacing, middle=spacing, after=spacing, case=mangled_case)
@hostile(max_examples=100)
def test_every_valid_format_is_accepted_however_it_is_typed(outward, inward, before, middle, after, case):
    typed = case(f"{before}{outward}{middle}{inward}{after}")
    assert postcodes.normalise(typed) == f"{outward} {inward}"
    assert normalise_postcode(typed.replace("-", "")) == f"{outward} {inward}"


@pytest.mark.parametrize("shape", sorted(OUTWARD_FORMATS))
def test_each_outward_format_has_a_real_example(shape):
    examples = {
        "AN": "M1 1AE",
        "ANN": "M60 1NW",
        "AAN": "CR2 6XH",
        "AANN": "DN55 1PT",
        "ANA": "W1A 1HQ",
        "AANA": "EC1A 1BB",
    }
    assert postcodes.normalise(examples[shape].lower().replace(" ", "")) == examples[shape]


@given(
    value=st.one_of(
        # Wrong letters in a restricted position, a missing or extra character, other alphabets.
        st.tuples(st.sampled_from("QVX"), digit, inward).map(lambda t: f"{t[0]}{t[1]} {t[2]}"),
        st.tuples(outward, digit, letter(INWARD)).map(lambda t: f"{t[0]} {t[1]}{t[2]}"),  # inward too short
        st.tuples(outward, digit, letter("CIKMOV"), letter(INWARD)).map(lambda t: f"{t[0]} {t[1]}{t[2]}{t[3]}"),
        st.tuples(outward, inward, st.sampled_from(DIGIT + INWARD)).map(lambda t: f"{t[0]} {t[1]}{t[2]}"),
        valid_postcode.map(lambda p: p.translate(ARABIC_INDIC_DIGITS)),  # digits of another script
        st.just("ſr1 3aa"),  # a letter that upper-cases to ASCII
        st.just("SR1 3AA\x00"),
    )
)
@hostile(max_examples=100)
def test_other_shapes_are_rejected(value):
    try:
        partial = postcodes.normalise(value)
    except ValidationError:
        pass
    else:
        assert " " not in partial, f"{value!r} accepted as {partial!r}"  # at most a partial (outcode) search
    with pytest.raises(ValidationError):
        normalise_postcode(value)


# --- The Operation Encompass deadline ------------------------------------------------------------
moments = st.datetimes(
    min_value=datetime.datetime(2015, 1, 1), max_value=datetime.datetime(2035, 12, 31), timezones=st.just(LONDON)
)


@st.composite
def calendars(draw):
    """A calendar of a few term periods with closures inside them, or none."""
    if draw(st.booleans()):
        return None
    first = draw(st.dates(min_value=datetime.date(2015, 1, 1), max_value=datetime.date(2035, 1, 1)))
    periods, day = [], first
    for _ in range(draw(st.integers(1, 6))):
        length = draw(st.integers(1, 90))
        periods.append(("term", day, day + datetime.timedelta(days=length)))
        if draw(st.booleans()):
            closure_start = day + datetime.timedelta(days=draw(st.integers(0, length - 1)))
            periods.append(("closure", closure_start, closure_start + datetime.timedelta(days=draw(st.integers(1, 5)))))
        day += datetime.timedelta(days=length + draw(st.integers(1, 30)))
    return TermCalendar.from_periods(periods)


day_starts = st.sampled_from([datetime.time(8, 30), datetime.time(8, 0), datetime.time(9, 15), datetime.time(7, 45)])


@given(incident=moments, calendar=calendars(), start=day_starts)
@hostile(max_examples=100)
def test_notify_by_is_the_start_of_a_school_day_after_the_incident(incident, calendar, start):
    deadline = notify_by(incident, calendar, start)
    local = deadline.astimezone(LONDON)
    assert deadline > incident
    assert local.time() == start  # the school's day start, in UK time whatever the season
    assert local.weekday() < 5
    assert not is_bank_holiday(local.date())
    if calendar is not None and calendar.covers(local.date()):
        assert calendar.in_term(local.date())
    # It is the first such day: no school day starts between the incident and the deadline.
    day = incident.astimezone(LONDON).date()
    while day < local.date():
        moment = datetime.datetime.combine(day, start, tzinfo=LONDON)
        if moment > incident:
            from portal.encompass.calendar import is_school_day

            assert not is_school_day(day, calendar), f"{day} is an earlier school day"
        day += datetime.timedelta(days=1)


@given(first=moments, second=moments, calendar=calendars())
@hostile(max_examples=100)
def test_notify_by_is_monotonic_in_the_incident_time(first, second, calendar):
    earlier, later = sorted([first, second])
    assert notify_by(earlier, calendar) <= notify_by(later, calendar)


@given(incident=moments.map(lambda m: m.replace(tzinfo=None)))
@hostile(max_examples=20)
def test_notify_by_refuses_a_naive_time(incident):
    with pytest.raises(ValueError, match="aware"):
        notify_by(incident, None)
