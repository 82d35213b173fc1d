import datetime

import pytest

from django.core.management import CommandError, call_command

from portal.encompass.models import Calendar, CalendarPeriod, School
from portal.encompass.selectors import term_calendar_for_school

from .calendars import ACADEMY_OWN, LA_2025_26

GIAS_HEADER = (
    "URN,EstablishmentName,TypeOfEstablishment (name),EstablishmentStatus (name),"
    "PhaseOfEducation (name),LA (code),LA (name),Postcode,Street\n"
)


def write(tmp_path, name, text, encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


@pytest.fixture
def gias(tmp_path):
    return write(
        tmp_path,
        "gias.csv",
        GIAS_HEADER
        + "100001,Hylton Primary School,Community school,Open,Primary,394,Sunderland,SR4 0AA,Main St\n"
        + "100002,St Anne’s Independent School,Other independent school,Open,All-through,394,Sunderland,SR2 7AA,\n"
        + "100003,Sunderland College,Further education,Open,16 plus,394,Sunderland,SR3 4AH,\n"
        + "100004,Little Acorns Nursery,Registered early years setting,Open,Not applicable,394,Sunderland,SR5 1AA,\n",
        encoding="cp1252",  # GIAS exports are Windows-1252
    )


def test_import_schools_reads_every_kind_of_setting(db, gias, capsys):
    call_command("import_schools", str(gias))
    assert School.objects.count() == 4
    independent = School.objects.get(urn=100002)
    assert independent.name == "St Anne’s Independent School"
    assert independent.establishment_type == "Other independent school"
    assert independent.la_code == "394" and independent.postcode == "SR2 7AA"
    assert independent.day_start == datetime.time(8, 30)
    assert "4 schools added" in capsys.readouterr().out


def test_reimport_updates_by_urn_and_closes(db, gias, tmp_path, capsys):
    call_command("import_schools", str(gias))
    school = School.objects.get(urn=100001)
    school.day_start = datetime.time(8, 45)
    school.save()
    again = write(
        tmp_path,
        "again.csv",
        GIAS_HEADER
        + "100001,Hylton Primary Academy,Academy converter,Open,Primary,394,Sunderland,SR4 0AA,\n"
        + "100003,Sunderland College,Further education,Closed,16 plus,394,Sunderland,SR3 4AH,\n",
    )
    call_command("import_schools", str(again))
    school.refresh_from_db()
    assert school.name == "Hylton Primary Academy" and school.day_start == datetime.time(8, 45)
    assert not School.objects.get(urn=100003).is_open
    assert School.objects.count() == 4
    assert "1 closed" in capsys.readouterr().out


def test_import_schools_is_all_or_nothing(db, tmp_path):
    bad = write(
        tmp_path, "bad.csv", GIAS_HEADER + "100001,Good,Community school,Open,Primary,394,,SR1,\nX,Bad,,Open,,394,,,\n"
    )
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_schools", str(bad))
    assert not School.objects.exists()


def test_import_schools_needs_the_gias_columns(db, tmp_path):
    with pytest.raises(CommandError):
        call_command("import_schools", str(write(tmp_path, "x.csv", "URN,Name\n1,A\n")))


def test_import_term_dates_for_la_replaces_periods(db, tmp_path, capsys):
    path = write(tmp_path, "la.ics", LA_2025_26)
    call_command("import_term_dates", str(path), "--la", "394")
    call_command("import_term_dates", str(path), "--la", "394")  # again: replaced, not doubled
    calendar = Calendar.objects.get(la_code="394")
    assert calendar.periods.filter(kind="term").count() == 3
    assert calendar.periods.filter(kind="closure").count() == 4
    captured = capsys.readouterr()
    assert "3 term periods and 4 closures" in captured.out
    assert "not an all-day event" in captured.err


def test_school_uses_own_calendar_else_its_las(db, tmp_path):
    academy = School.objects.create(urn=100010, name="Academy", la_code="394")
    community = School.objects.create(urn=100011, name="Community", la_code="394")
    elsewhere = School.objects.create(urn=100012, name="Elsewhere", la_code="999")
    call_command("import_term_dates", str(write(tmp_path, "la.ics", LA_2025_26)), "--la", "394")
    call_command("import_term_dates", str(write(tmp_path, "own.ics", ACADEMY_OWN)), "--urn", "100010")
    own, missing = term_calendar_for_school(academy)
    assert not missing and own.terms[0][0] == datetime.date(2025, 9, 8)
    la, missing = term_calendar_for_school(community)
    assert not missing and la.terms[0][0] == datetime.date(2025, 9, 3)
    none, missing = term_calendar_for_school(elsewhere)
    assert none is None and missing


def test_import_term_dates_refuses_bad_files_and_unknown_schools(db, tmp_path):
    with pytest.raises(CommandError, match="Not imported"):
        call_command("import_term_dates", str(write(tmp_path, "bad.ics", "nonsense")), "--la", "394")
    with pytest.raises(CommandError, match="No school with URN"):
        call_command("import_term_dates", str(write(tmp_path, "la.ics", LA_2025_26)), "--urn", "123456")
    assert not CalendarPeriod.objects.exists()
