"""Property tests for every importer, driven through its management command as an operator
runs it: hostile files (random bytes, wrong encodings, missing or extra columns, huge fields,
formula injection, NUL characters, impossible dates) end in the command's own error
(CommandError, a clear message) or in a clean import, never in a traceback; a failed import
changes nothing; and a valid generated file round-trips."""

from __future__ import annotations

import datetime
import json
import uuid
from collections.abc import Callable
from io import StringIO
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction

from directory.importers.csv_import import COLUMNS as DIRECTORY_COLUMNS
from directory.models import Location, Organisation, ServicePage, Taxonomy, TaxonomyTerm
from portal.encompass.models import Calendar, CalendarPeriod, Notification, NotifiedChild, OutboxMessage, School
from portal.encompass.services import CSV_INCIDENT, CSV_REQUIRED, GIAS_COLUMNS
from search.models import Postcode
from tests.directory.oruk_samples import service_record
from tests.hostile.conftest import hostile
from tests.hostile.strategies import any_cell, csv_text, encoded, hostile_csv, hostile_text

DIRECTORY_MODELS = (ServicePage, Organisation, Location, TaxonomyTerm, Taxonomy)


class _Rollback(Exception):
    pass


def counts(models) -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in models}


def attempt(tmp_path: Path, content: bytes | str, command: str, *args: str, models=(), check: Callable | None = None):
    """Run ``command`` on a file holding ``content`` inside a savepoint that is rolled back
    afterwards (each example starts from the same data). Returns the CommandError message,
    or None after a clean import. Anything else that is raised fails the test. A failed
    import must leave every model's row count as it was."""
    path = tmp_path / "input"
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    outcome: dict = {}
    try:
        with transaction.atomic():
            before = counts(models)
            try:
                call_command(command, str(path), *args, stdout=StringIO(), stderr=StringIO())
            except CommandError as exc:
                outcome["error"] = str(exc)
                assert str(exc).strip(), "a CommandError must say what is wrong"
                assert counts(models) == before, f"{command} failed ({exc}) but changed rows"
            else:
                outcome["error"] = None
                if check is not None:
                    check()
            raise _Rollback
    except _Rollback:
        pass
    return outcome["error"]


@pytest.fixture
def work_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("hostile")


# --- ORUK JSON (import_open_referral) -------------------------------------------------------------
json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), hostile_text),
    lambda children: st.one_of(st.lists(children, max_size=3), st.dictionaries(hostile_text, children, max_size=3)),
    max_leaves=12,
)
ORUK_FIELDS = ["name", "description", "url", "email", "status", "minimum_age", "maximum_age", "assured_date"]


@st.composite
def hostile_oruk_records(draw):
    """A real ORUK record with one or two fields (top-level, organisation or location)
    replaced by hostile values or structures."""
    record = service_record(draw(st.integers(1, 5)))
    for _ in range(draw(st.integers(1, 2))):
        where = draw(st.sampled_from(["service", "organization", "location", "schedule"]))
        value = draw(st.one_of(any_cell, json_values))
        if where == "service":
            record[draw(st.sampled_from([*ORUK_FIELDS, "id", "organization", "schedules"]))] = value
        elif where == "organization":
            record["organization"][draw(st.sampled_from(["id", "name", "email", "website"]))] = value
        elif where == "location":
            location = record["service_at_locations"][0]["location"]
            location[draw(st.sampled_from(["name", "latitude", "longitude", "addresses"]))] = value
        else:
            record["schedules"][0][draw(st.sampled_from(["byday", "opens_at", "closes_at", "freq", "valid_from"]))] = (
                value
            )
    return json.dumps([record])


@given(content=st.one_of(st.binary(max_size=300), encoded(st.text(max_size=200)), json_values.map(json.dumps)))
@hostile(max_examples=60)
def test_oruk_import_of_garbage_fails_cleanly(content, work_dir, db):
    attempt(work_dir, content, "import_open_referral", models=DIRECTORY_MODELS)


@given(content=hostile_oruk_records())
@hostile(max_examples=40)
def test_oruk_import_of_hostile_records_is_all_or_nothing(content, work_dir, db):
    attempt(work_dir, content, "import_open_referral", models=DIRECTORY_MODELS)


@given(name=st.text(min_size=1, max_size=60).filter(lambda s: s.strip() and "\x00" not in s), number=st.integers(1, 50))
@hostile(max_examples=5)
def test_a_valid_oruk_record_round_trips(name, number, work_dir, db):
    record = service_record(number, name=name)

    def check():
        page = ServicePage.objects.get(oruk_id=uuid.UUID(record["id"]))
        assert page.title == name.strip() or page.title == name

    assert attempt(work_dir, json.dumps([record]), "import_open_referral", models=DIRECTORY_MODELS, check=check) is None


# --- Directory CSV (import_directory_csv) -------------------------------------------------------
VALID_DIRECTORY_ROW = {
    "name": "Dads Club",
    "organisation": "Hendon Family Centre",
    "summary": "A Saturday club for dads and their children.",
    "minimum_age": "0",
    "maximum_age": "11",
    "postcode": "sr2 8aa",
    "latitude": "54.8990",
    "longitude": "-1.3700",
    "opening_days": "SA",
    "opens_at": "10:00",
    "closes_at": "12:00",
    "attendance_modes": "in_person",
    "levels_of_need": "universal;early_help",
    "languages": "en;pl",
    "is_free": "yes",
}


@given(
    content=st.one_of(st.binary(max_size=300), encoded(hostile_csv(DIRECTORY_COLUMNS, valid_row=VALID_DIRECTORY_ROW)))
)
@hostile(max_examples=60)
def test_directory_csv_import_of_hostile_files_is_all_or_nothing(content, work_dir, db):
    attempt(work_dir, content, "import_directory_csv", models=DIRECTORY_MODELS)


@given(
    name=st.text(
        alphabet=st.characters(codec="utf-8", exclude_categories=["Cc", "Cs"]), min_size=1, max_size=60
    ).filter(str.strip),
    formula=st.sampled_from(["=cmd|' /C calc'!A0", "+1", "@SUM(A1)", "plain"]),
)
@hostile(max_examples=5)
def test_a_valid_directory_csv_row_round_trips(name, formula, work_dir, db):
    row = {**VALID_DIRECTORY_ROW, "name": name, "summary": formula}

    def check():
        page = ServicePage.objects.get(title=name.strip())
        assert page.summary == formula  # stored as text, exactly as given

    assert (
        attempt(
            work_dir,
            csv_text(list(DIRECTORY_COLUMNS), [row]),
            "import_directory_csv",
            models=DIRECTORY_MODELS,
            check=check,
        )
        is None
    )


# --- Schools (import_schools, DfE GIAS CSV) -------------------------------------------------------
GIAS_HEADER = list(GIAS_COLUMNS.values())
VALID_SCHOOL = {
    "URN": "100001",
    "EstablishmentName": "Hylton Primary School",
    "TypeOfEstablishment (name)": "Community school",
    "EstablishmentStatus (name)": "Open",
    "PhaseOfEducation (name)": "Primary",
    "LA (code)": "394",
    "Postcode": "SR5 4BQ",
}


@given(content=st.one_of(st.binary(max_size=300), encoded(hostile_csv(GIAS_HEADER, valid_row=VALID_SCHOOL))))
@hostile(max_examples=80)
def test_school_import_of_hostile_files_is_all_or_nothing(content, work_dir, db):
    attempt(work_dir, content, "import_schools", models=(School,))


schools = st.lists(
    st.fixed_dictionaries(
        {
            "URN": st.integers(100000, 999999).map(str),
            "EstablishmentName": st.text(
                alphabet=st.characters(codec="cp1252", exclude_categories=["Cc", "Cs"]), min_size=1, max_size=100
            ).filter(str.strip),
            "EstablishmentStatus (name)": st.sampled_from(["Open", "Closed", "Open, but proposed to close"]),
            "LA (code)": st.sampled_from(["394", "390", "391"]),
        }
    ),
    min_size=1,
    max_size=5,
    unique_by=lambda row: row["URN"],
)


@given(rows=schools, encoding=st.sampled_from(["cp1252", "utf-8", "utf-8-sig"]))
@hostile(max_examples=40)
def test_a_valid_gias_file_round_trips_in_either_encoding(rows, encoding, work_dir, db):
    def check():
        for row in rows:
            school = School.objects.get(urn=int(row["URN"]))
            assert school.name == row["EstablishmentName"].strip()
            assert school.la_code == row["LA (code)"]
            assert school.is_open == (not row["EstablishmentStatus (name)"].startswith("Closed"))

    content = csv_text(GIAS_HEADER, rows).encode(encoding)
    assert attempt(work_dir, content, "import_schools", models=(School,), check=check) is None


# --- Term dates (import_term_dates, iCalendar) ----------------------------------------------------
ics_lines = st.one_of(
    st.sampled_from(
        [
            "BEGIN:VEVENT",
            "END:VEVENT",
            "CATEGORIES:TERM",
            "CATEGORIES:CLOSURE",
            "DTSTART;VALUE=DATE:20250901",
            "DTSTART;VALUE=DATE:20250230",
            "DTSTART;VALUE=DATE:99991231",
            "DTSTART;VALUE=DATE:00010101",
            "DTSTART;VALUE=DATE:２０２５０９０１",
            "DTSTART:20250901T083000Z",
            "DTEND;VALUE=DATE:20250801",
            "DTEND:20251231T000000",
            "DURATION:P999999999W",
            "DURATION:P1W2D",
            "DURATION:PT1H",
            "SUMMARY:" + "x" * 5000,
            "SUMMARY:=cmd|' /C calc'!A0",
            "SUMMARY:<script>alert(1)</script>",
            " folded continuation",
            "no colon here",
        ]
    ),
    hostile_text.map(lambda text: f"SUMMARY:{text}"),
    hostile_text,
)


@given(
    content=st.one_of(
        st.binary(max_size=300),
        encoded(
            st.lists(ics_lines, max_size=12).map(lambda ls: "\r\n".join(["BEGIN:VCALENDAR", *ls, "END:VCALENDAR"]))
        ),
    )
)
@hostile(max_examples=80)
def test_term_dates_import_of_hostile_files_is_all_or_nothing(content, work_dir, db):
    attempt(work_dir, content, "import_term_dates", "--la", "394", models=(Calendar, CalendarPeriod))


@st.composite
def term_calendars(draw):
    day = draw(st.dates(min_value=datetime.date(2020, 1, 1), max_value=datetime.date(2030, 1, 1)))
    events = []
    for _ in range(draw(st.integers(1, 6))):
        length = draw(st.integers(1, 100))
        kind = draw(st.sampled_from(["TERM", "CLOSURE"]))
        events.append(
            (
                kind,
                day,
                day + datetime.timedelta(days=length),
                draw(hostile_text.filter(lambda s: "\x00" not in s and "\r" not in s and "\n" not in s)),
            )
        )
        day += datetime.timedelta(days=length + draw(st.integers(0, 20)))
    return events


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace(",", "\\,").replace(";", "\\;")


@given(events=term_calendars())
@hostile(max_examples=40)
def test_a_valid_calendar_round_trips(events, work_dir, db):
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0"]
    for kind, start, end, summary in events:
        lines += [
            "BEGIN:VEVENT",
            f"CATEGORIES:{kind}",
            f"DTSTART;VALUE=DATE:{start:%Y%m%d}",
            f"DTEND;VALUE=DATE:{end:%Y%m%d}",
            f"SUMMARY:{_escape(summary)}",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")

    def check():
        periods = CalendarPeriod.objects.filter(calendar__la_code="394", calendar__school=None).order_by("start")
        got = [(p.kind, p.start, p.end) for p in periods]
        assert sorted(got) == sorted((kind.lower(), start, end) for kind, start, end, _ in events)

    assert attempt(work_dir, "\r\n".join(lines), "import_term_dates", "--la", "394", models=(), check=check) is None


# --- Postcodes (import_postcodes) -------------------------------------------------------------------
POSTCODE_HEADERS = [["postcode", "latitude", "longitude"], ["pcds", "lat", "long", "doterm"]]


@given(
    content=st.one_of(
        st.binary(max_size=300),
        encoded(st.sampled_from(POSTCODE_HEADERS).flatmap(lambda header: hostile_csv(header, max_rows=4))),
        # Code-Point Open: no header, eastings and northings in columns 3 and 4.
        encoded(
            st.lists(st.lists(any_cell, min_size=0, max_size=5), max_size=4).map(
                lambda rows: "\n".join(",".join(c.replace(",", " ").replace("\n", " ") for c in row) for row in rows)
            )
        ),
    )
)
@hostile(max_examples=80)
def test_postcode_import_of_hostile_files_is_all_or_nothing(content, work_dir, db):
    attempt(work_dir, content, "import_postcodes", models=(Postcode,))


@given(
    rows=st.lists(
        st.tuples(
            st.sampled_from(["SR1 3AA", "sr4 7zz", "NE1 4ST", "EC1A1BB", "w1a 1hq", "M60 1NW"]),
            st.floats(min_value=49.8, max_value=60.9),
            st.floats(min_value=-8.7, max_value=1.8),
        ),
        min_size=1,
        max_size=6,
        unique_by=lambda row: row[0].replace(" ", "").upper(),
    )
)
@hostile(max_examples=30)
def test_valid_postcodes_round_trip(rows, work_dir, db):
    from search.postcodes import normalise

    def check():
        for raw, lat, lng in rows:
            stored = Postcode.objects.get(postcode=normalise(raw))
            assert stored.latitude == pytest.approx(lat) and stored.longitude == pytest.approx(lng)

    content = "postcode,latitude,longitude\n" + "".join(f"{p},{lat!r},{lng!r}\n" for p, lat, lng in rows)
    assert attempt(work_dir, content, "import_postcodes", models=(Postcode,), check=check) is None


# --- Encompass CSV (import_encompass) ---------------------------------------------------------------
ENCOMPASS_HEADER = [*CSV_REQUIRED, "location", "school_urn", "voice_of_child", "electively_home_educated"]
VALID_ENCOMPASS_ROW = {
    "police_reference": "NBR-2025-000123",
    "incident_at": "2025-09-16T21:40:00+01:00",
    "reported_at": "2025-09-16T22:05:00+01:00",
    "summary": "Verbal argument between the adults; the children were upstairs.",
    "officer": "PC 1234 Smith",
    "location": "Sunderland SR4",
    "given_name": "Amy",
    "family_name": "Jones",
    "date_of_birth": "2016-05-04",
    "present_at_incident": "true",
    "welfare_check_done": "true",
    "social_care_informed": "false",
    "school_urn": "100001",
}
ENCOMPASS_MODELS = (Notification, NotifiedChild, OutboxMessage)


@pytest.fixture
def encompass_la(settings, db):
    from tests.encompass.factories import SchoolFactory

    settings.ENCOMPASS_LA_CODE = "394"
    SchoolFactory(urn=100001, name="Hylton Primary School", la_code="394")


@given(
    content=st.one_of(
        st.binary(max_size=300),
        encoded(hostile_csv(ENCOMPASS_HEADER, valid_row=VALID_ENCOMPASS_ROW)),
        # Every row the same incident but a hostile incident date or time.
        st.lists(
            st.sampled_from(["2024-02-29T10:00:00+00:00", "0001-01-01T00:00:00+14:00", "2025-09-16T21:40:00"]),
            min_size=1,
            max_size=2,
        ).map(
            lambda moments: csv_text(
                ENCOMPASS_HEADER,
                [
                    {**VALID_ENCOMPASS_ROW, "incident_at": m, "reported_at": m, "given_name": f"Child{i}"}
                    for i, m in enumerate(moments)
                ],
            ).encode()
        ),
    )
)
@hostile(max_examples=80)
def test_encompass_csv_import_of_hostile_files_is_all_or_nothing(content, work_dir, encompass_la):
    attempt(work_dir, content, "import_encompass", "--force", "NBR", models=ENCOMPASS_MODELS)


@given(
    children=st.lists(
        st.tuples(
            st.text(
                alphabet=st.characters(codec="utf-8", exclude_categories=["Cc", "Cs", "Zs"]), min_size=1, max_size=30
            ),
            st.dates(min_value=datetime.date(2008, 1, 1), max_value=datetime.date(2025, 9, 1)),
        ),
        min_size=1,
        max_size=4,
        unique_by=lambda child: (child[0].casefold(), child[1]),
    ),
    summary=st.sampled_from(["=cmd|' /C calc'!A0", "<script>alert(1)</script>", "Plain words."]),
)
@hostile(max_examples=20)
def test_a_valid_encompass_csv_round_trips(children, summary, work_dir, encompass_la):
    rows = [
        {**VALID_ENCOMPASS_ROW, "summary": summary, "given_name": name, "date_of_birth": dob.isoformat()}
        for name, dob in children
    ]

    def check():
        notification = Notification.objects.get(force="NBR", police_reference=VALID_ENCOMPASS_ROW["police_reference"])
        assert notification.summary == summary
        assert sorted(c.given_name for c in notification.children.all()) == sorted(name.strip() for name, _ in children)

    assert (
        attempt(
            work_dir,
            csv_text(ENCOMPASS_HEADER, rows),
            "import_encompass",
            "--force",
            "NBR",
            models=ENCOMPASS_MODELS,
            check=check,
        )
        is None
    )


def test_csv_incident_columns_are_in_the_header():
    assert set(CSV_INCIDENT) <= set(ENCOMPASS_HEADER)
