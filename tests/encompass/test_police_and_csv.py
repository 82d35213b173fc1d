"""The police web form and the daily CSV use the same rules as the API."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from django.core import mail
from django.core.management import CommandError, call_command
from django.urls import reverse

from portal.encompass.models import Notification, NotifiedChild

UK = ZoneInfo("Europe/London")
NOW = datetime.datetime(2025, 9, 17, 7, 0, tzinfo=UK)


@pytest.fixture(autouse=True)
def _morning():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def officer(make_user):
    return make_user("police_encompass_officer", police_force="NBR", email="officer@example.org")


def form_data(**overrides):
    data = {
        "police_reference": "NBR-1",
        "incident_date_day": "16",
        "incident_date_month": "9",
        "incident_date_year": "2025",
        "incident_time": "21:40",
        "location": "SR4",
        "summary": "Argument between the adults.",
        "officer": "PC 1 Smith",
        "given_name": "Amy",
        "family_name": "Jones",
        "date_of_birth_day": "4",
        "date_of_birth_month": "5",
        "date_of_birth_year": "2016",
        "school_urn": "100001",
        "present_at_incident": "yes",
        "welfare_check_done": "no",
        "social_care_informed": "no",
        "voice_of_child": "",
    }
    data.update(overrides)
    return data


def test_officer_submits_a_notification(signed_in, officer, school, key_adult, django_capture_on_commit_callbacks):
    client = signed_in(officer)
    assert client.get(reverse("encompass:submit")).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("encompass:submit"), form_data())
    notification = Notification.objects.get()
    assert response.status_code == 302 and response.url == reverse(
        "encompass:submitted", kwargs={"pk": notification.pk}
    )
    assert notification.force == "NBR" and notification.source == "web" and notification.submitted_by == officer
    assert notification.incident_at == datetime.datetime(2025, 9, 16, 21, 40, tzinfo=UK)
    child = NotifiedChild.objects.get()
    assert child.school == school and child.present_at_incident and not child.welfare_check_done
    assert len(mail.outbox) == 1
    page = client.get(response.url).content.decode()
    assert "Notification sent" in page and school.name in page


def test_sibling_joins_the_same_notification(signed_in, officer, school):
    client = signed_in(officer)
    client.post(reverse("encompass:submit"), form_data())
    client.post(reverse("encompass:submit"), form_data(given_name="Ben", date_of_birth_year="2018"))
    assert Notification.objects.count() == 1 and NotifiedChild.objects.count() == 2


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"police_reference": ""}, "Enter the police reference"),
        ({"incident_date_day": "31", "incident_date_month": "2"}, "Date of the incident must be a real date"),
        ({"incident_time": "9pm"}, "Enter a time in 24-hour format"),
        ({"incident_date_day": "18"}, "must be in the past"),
        ({"date_of_birth_year": "1990"}, "within the last 25 years"),
        ({"present_at_incident": ""}, "Select yes if the child was present"),
        ({"school_urn": "abc"}, "School URN must be a number"),
    ],
)
def test_form_errors(signed_in, officer, change, message):
    response = signed_in(officer).post(reverse("encompass:submit"), form_data(**change))
    body = response.content.decode()
    assert response.status_code == 200 and "<title>Error: " in body and message in body
    assert 'value="Argument between the adults.' in body or "Argument between the adults." in body  # input kept
    assert not Notification.objects.exists()


def test_officer_without_force_is_refused(signed_in, make_user):
    assert signed_in(make_user("police_encompass_officer")).get(reverse("encompass:submit")).status_code == 403


def test_other_force_cannot_see_the_confirmation(signed_in, officer, make_user, school):
    signed_in(officer).post(reverse("encompass:submit"), form_data())
    other = make_user("police_encompass_officer", police_force="CLV")
    pk = Notification.objects.get().pk
    assert signed_in(other).get(reverse("encompass:submitted", kwargs={"pk": pk})).status_code == 404


# --- import_encompass ----------------------------------------------------------------------
HEADER = "police_reference,incident_at,reported_at,location,summary,officer,given_name,family_name,date_of_birth,school_urn,present_at_incident,welfare_check_done,voice_of_child,social_care_informed\n"
ROW = "{ref},2025-09-16T21:40:00+01:00,2025-09-16T22:00:00+01:00,SR4,Argument,PC 1,{given},Jones,{dob},100001,yes,no,,no\n"


def write(tmp_path, text):
    path = tmp_path / "daily.csv"
    path.write_text(text)
    return path


def test_import_encompass_groups_rows_into_incidents(db, school, tmp_path, capsys):
    text = (
        HEADER
        + ROW.format(ref="A1", given="Amy", dob="2016-05-04")
        + ROW.format(ref="A1", given="Ben", dob="2018-01-01")
        + ROW.format(ref="A2", given="Cat", dob="2015-01-01")
    )
    call_command("import_encompass", str(write(tmp_path, text)), "--force", "NBR")
    assert Notification.objects.count() == 2 and NotifiedChild.objects.count() == 3
    assert "3 rows: 2 new notifications, 0 updated" in capsys.readouterr().out
    call_command("import_encompass", str(write(tmp_path, text)), "--force", "NBR")  # the same file again
    assert Notification.objects.count() == 2 and NotifiedChild.objects.count() == 3


def test_import_encompass_is_all_or_nothing_with_a_row_report(db, school, tmp_path, capsys):
    text = (
        HEADER
        + ROW.format(ref="A1", given="Amy", dob="2016-05-04")
        + ROW.format(ref="A2", given="Ben", dob="2016-02-30")
        + ROW.format(ref="A3", given="", dob="2016-01-01")
    )
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_encompass", str(write(tmp_path, text)), "--force", "NBR")
    err = capsys.readouterr().err
    assert "row 3: date_of_birth" in err and "row 4: given_name" in err
    assert not Notification.objects.exists()


def test_import_encompass_dry_run(db, school, tmp_path, capsys):
    call_command(
        "import_encompass",
        str(write(tmp_path, HEADER + ROW.format(ref="A1", given="Amy", dob="2016-05-04"))),
        "--force",
        "NBR",
        "--dry-run",
    )
    assert not Notification.objects.exists() and "Checked 1 rows" in capsys.readouterr().out
