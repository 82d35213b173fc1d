"""The inputs the hostile-input suite found that used to crash (500s and tracebacks), each
pinned with the answer it gets now."""

from __future__ import annotations

import datetime
import json
from io import StringIO

import pytest

from django.core.management import call_command
from django.core.management.base import CommandError

from tests.hostile.strategies import csv_text

# --- ORUK API ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ({"start_time": "00:00:00Z"}, "start_time"),  # was a 500 on SQLite (aware time)
        ({"end_time": "3600"}, "end_time"),
        ({"modified_after": "0.5"}, "modified_after"),  # was read as seconds since 1970
        ({"day": "-month"}, "day"),
    ],
)
def test_oruk_rejects_what_its_openapi_does_not_allow(client, db, query, parameter):
    response = client.get("/api/oruk/services", query)
    assert response.status_code == 400
    assert response.json()["parameter"] == parameter


def test_oruk_accepts_any_utc_offset_iso_allows(client, db):
    # PostgreSQL refuses offsets beyond ±15:59; this was a 500 there.
    response = client.get("/api/oruk/service_at_locations", {"modified_after": "2456-02-24T20:31:51.995-19:04"})
    assert response.status_code == 200


def test_oruk_openapi_documents_its_errors(client, db):
    paths = client.get("/api/oruk/openapi.json").json()["paths"]
    assert set(paths["/api/oruk/services"]["get"]["responses"]) == {"200", "400"}
    assert set(paths["/api/oruk/services/{id}"]["get"]["responses"]) == {"200", "404"}
    assert client.get("/api/oruk/services/0").status_code == 404


# --- Encompass API ---------------------------------------------------------------------------------


@pytest.fixture
def token(db, settings):
    from portal.encompass import services
    from tests.encompass.factories import SchoolFactory

    settings.ENCOMPASS_LA_CODE = "394"
    SchoolFactory(urn=100001, la_code="394")
    return services.create_token("NBR")[1]


def notification(**overrides) -> dict:
    data = {
        "police_reference": "NBR-REG-1",
        "force": "NBR",
        "incident_at": "2025-09-16T21:40:00+01:00",
        "reported_at": "2025-09-16T22:05:00+01:00",
        "summary": "Verbal argument.",
        "officer": "PC 1234 Smith",
        "children": [
            {
                "given_name": "Amy",
                "family_name": "Jones",
                "date_of_birth": "2016-05-04",
                "school_urn": 100001,
                "present_at_incident": True,
                "welfare_check_done": True,
                "social_care_informed": False,
            }
        ],
    }
    data.update(overrides)
    return data


def post(client, token, data):
    return client.post(
        "/api/encompass/notifications",
        data=json.dumps(data),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )


def test_an_incident_on_29_february_is_accepted(client, token):
    # The 25-year age check did date.replace(year - 25) and raised ValueError: a 500.
    response = post(client, token, notification(incident_at="2024-02-29T10:00:00Z", reported_at="2024-02-29T11:00:00Z"))
    assert response.status_code == 201, response.content


def test_any_iso_utc_offset_is_stored(client, token):
    response = post(
        client, token, notification(incident_at="2025-09-16T02:00:00-19:04", reported_at="2025-09-16T03:00:00-19:04")
    )
    assert response.status_code == 201, response.content


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"summary": "nul\x00inside"}, "summary"),  # PostgreSQL cannot store NUL: was a 500 there
        ({"incident_at": "0001-01-01T00:00:00+14:00", "reported_at": "0001-01-01T00:00:00+14:00"}, "incident_at"),
        ({"incident_at": "1990-01-01T00:00:00Z", "reported_at": "1990-01-01T00:00:00Z"}, "incident_at"),
    ],
)
def test_unstorable_values_are_a_422_naming_the_field(client, token, overrides, field):
    response = post(client, token, notification(**overrides))
    assert response.status_code == 422, response.content
    assert response.json()["errors"][0]["field"] == field


def test_a_malformed_notification_id_is_a_documented_422(client, token):
    response = client.get("/api/encompass/notifications/not-a-uuid", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "notification_id"


# --- Importers -------------------------------------------------------------------------------------


def run(tmp_path, content: bytes | str, *args) -> str:
    path = tmp_path / "input"
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    with pytest.raises(CommandError) as failure:
        call_command(args[0], str(path), *args[1:], stdout=StringIO(), stderr=StringIO())
    return str(failure.value)


def test_oruk_file_not_in_utf8(tmp_path, db):
    assert "not UTF-8" in run(tmp_path, b"\x80", "import_open_referral")


def test_oruk_file_nested_too_deeply(tmp_path, db):
    assert "nested too deeply" in run(tmp_path, "[" * 100_000, "import_open_referral")


def test_directory_csv_with_a_huge_field(tmp_path, db):
    assert "not a readable CSV" in run(tmp_path, "name,organisation\n" + "x" * 200_000 + ",y\n", "import_directory_csv")


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ({"URN": "99999999999999999999"}, "URN is not a URN"),  # was an overflow in the database
        ({"EstablishmentName": "x" * 300}, "longer than 255"),  # was a DataError on PostgreSQL
        ({"EstablishmentName": "nul\x00"}, "NUL"),
    ],
)
def test_school_rows_the_database_cannot_hold(tmp_path, db, row, message):
    from portal.encompass.models import School
    from portal.encompass.services import GIAS_COLUMNS

    values = {"URN": "100001", "EstablishmentName": "Hylton Primary School", **row}
    run(tmp_path, csv_text(list(GIAS_COLUMNS.values()), [values]), "import_schools")
    assert not School.objects.exists()
    with pytest.raises(CommandError) as failure:
        path = tmp_path / "input"
        call_command("import_schools", str(path), stdout=StringIO(), stderr=(errors := StringIO()))
    assert message in errors.getvalue(), failure.value


@pytest.mark.parametrize("command", [("import_schools",), ("import_encompass", "--force", "NBR")])
def test_csv_in_no_known_encoding(tmp_path, db, command):
    # 0x81 is undefined in Windows-1252 as well as invalid UTF-8: was a UnicodeDecodeError.
    assert "UTF-8 or Windows-1252" in run(tmp_path, b"\x81URN\r\n", *command)


@pytest.mark.parametrize(
    ("line", "message"),
    [("DURATION:P999999999W", "longer than a school year"), ("DTSTART;VALUE=DATE:99991231", "after the year 9999")],
)
def test_term_dates_beyond_the_calendar(tmp_path, db, line, message):
    start = "" if line.startswith("DTSTART") else "DTSTART;VALUE=DATE:20250901\r\n"
    ics = f"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nCATEGORIES:TERM\r\n{start}{line}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    assert message in run(tmp_path, ics, "import_term_dates", "--la", "394")


def test_rule_errors_never_raise_for_old_incidents():
    from portal.encompass.validation import rule_errors

    incident = datetime.datetime(1, 1, 1, tzinfo=datetime.UTC)
    child = {"given_name": "A", "family_name": "B", "date_of_birth": datetime.date(1, 1, 1)}
    errors = rule_errors({"incident_at": incident, "reported_at": incident, "children": [child]})
    assert ("incident_at", "must be after 1 January 2011") in errors
