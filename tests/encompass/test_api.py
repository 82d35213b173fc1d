"""The intake API: token auth per force, validation with per-field errors, idempotency,
routing and the alerts it queues."""

import datetime
import json
from zoneinfo import ZoneInfo

import pytest
import time_machine

from django.core import mail
from django.core.management import call_command

from portal.audit.models import AuditEvent
from portal.encompass import services
from portal.encompass.models import ApiToken, Notification, NotifiedChild, OutboxMessage, Pupil

from .calendars import LA_2025_26

UK = ZoneInfo("Europe/London")
URL = "/api/encompass/notifications"
NOW = datetime.datetime(2025, 9, 17, 7, 0, tzinfo=UK)  # a Wednesday in term, before school


@pytest.fixture(autouse=True)
def _wednesday_morning():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def la_calendar(db):
    services.import_term_dates(LA_2025_26, la_code="394")


@pytest.fixture
def token(db):
    return services.create_token("NBR")[1]


def body(**overrides):
    data = {
        "police_reference": "NBR-2025-000123",
        "force": "NBR",
        "incident_at": "2025-09-16T21:40:00+01:00",
        "reported_at": "2025-09-16T22:05:00+01:00",
        "location": "Sunderland SR4",
        "summary": "Verbal argument between the adults; the children were upstairs.",
        "officer": "PC 1234 Smith",
        "children": [
            {
                "given_name": "Amy",
                "family_name": "Jones",
                "date_of_birth": "2016-05-04",
                "school_urn": 100001,
                "present_at_incident": True,
                "welfare_check_done": True,
                "voice_of_child": "Said she was scared.",
                "social_care_informed": False,
            }
        ],
    }
    data.update(overrides)
    return data


@pytest.fixture
def post(client, django_capture_on_commit_callbacks):
    def send(data, token=None, raw=None):
        headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
        payload = raw if raw is not None else json.dumps(data)
        with django_capture_on_commit_callbacks(execute=True):  # as after a real commit
            return client.post(URL, data=payload, content_type="application/json", **headers)

    return send


def test_submit_routes_to_school_and_alerts_key_adults(post, token, school, key_adult, la_calendar):
    response = post(body(), token)
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["children"] == [
        {"given_name": "Amy", "school_urn": 100001, "routed_to": "school", "notify_by": "2025-09-17T08:30:00+01:00"}
    ]
    child = NotifiedChild.objects.get()
    assert str(child.notification_id) == data["id"]
    assert not child.overdue_on_arrival and not child.calendar_missing
    # One alert, sent at once, with no details of the incident.
    assert [m.to for m in mail.outbox] == [[key_adult.email]]
    sent = mail.outbox[0]
    text = sent.subject + sent.body
    for secret in ("Amy", "Jones", "argument", "SR4", "NBR-2025", "Smith", "2016"):
        assert secret not in text
    assert f"/portal/encompass/notifications/{child.pk}/" in sent.body
    assert OutboxMessage.objects.get().status == "sent"


def test_resubmission_updates_and_never_duplicates(post, token, school, key_adult, la_calendar):
    first = post(body(), token)
    again = post(body(summary="Updated summary.", location=""), token)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["id"] == first.json()["id"]
    assert Notification.objects.count() == 1 and NotifiedChild.objects.count() == 1
    assert Notification.objects.get().summary == "Updated summary."
    assert len(mail.outbox) == 1  # no second alert
    # A sibling added later is routed and alerted on its own.
    sibling = {**body()["children"][0], "given_name": "Ben", "date_of_birth": "2018-02-01"}
    third = post(body(children=[body()["children"][0], sibling]), token)
    assert third.status_code == 200 and NotifiedChild.objects.count() == 2
    assert len(mail.outbox) == 2


def test_siblings_at_different_schools_each_go_to_their_own(post, token, school, other_school, key_adult, make_user):
    other_adult = make_user("school_key_adult", email="key.adult.b@example.org")
    other_school.key_adults.add(other_adult)
    sibling = {**body()["children"][0], "given_name": "Ben", "date_of_birth": "2012-02-01", "school_urn": 100002}
    response = post(body(children=[body()["children"][0], sibling]), token)
    assert response.status_code == 201
    routes = {c["given_name"]: (c["routed_to"], c["school_urn"]) for c in response.json()["children"]}
    assert routes == {"Amy": ("school", 100001), "Ben": ("school", 100002)}
    assert sorted(m.to[0] for m in mail.outbox) == ["key.adult.a@example.org", "key.adult.b@example.org"]


def test_routing_by_name_and_date_of_birth_then_triage_then_front_door(post, token, school, make_user, la_calendar):
    lead = make_user("la_encompass_lead", email="lead@example.org")
    front = make_user("front_door", email="front@example.org")
    Pupil.objects.create(
        given_name="Cara", family_name="O'Neil", date_of_birth=datetime.date(2014, 1, 2), school=school
    )
    Pupil.objects.create(
        given_name="Dan", family_name="Reed", date_of_birth=datetime.date(2013, 3, 3), electively_home_educated=True
    )
    kids = [
        {
            **body()["children"][0],
            "given_name": " cara ",
            "family_name": "o'neil",
            "date_of_birth": "2014-01-02",
            "school_urn": None,
        },
        {
            **body()["children"][0],
            "given_name": "Cara",
            "family_name": "O'Neil",
            "date_of_birth": "2014-01-03",
            "school_urn": None,
        },
        {
            **body()["children"][0],
            "given_name": "Dan",
            "family_name": "Reed",
            "date_of_birth": "2013-03-03",
            "school_urn": None,
        },
        {
            **body()["children"][0],
            "given_name": "Eve",
            "family_name": "Ward",
            "date_of_birth": "2015-01-01",
            "electively_home_educated": True,
        },
        {
            **body()["children"][0],
            "given_name": "Fay",
            "family_name": "Ward",
            "date_of_birth": "2017-01-01",
            "school_urn": 999999,
        },
    ]
    response = post(body(children=kids), token)
    assert response.status_code == 201, response.content
    routes = sorted((c["given_name"].strip(), c["routed_to"], c["school_urn"]) for c in response.json()["children"])
    assert routes == [
        ("Cara", "triage", None),  # different date of birth: no match
        ("Dan", "front_door", None),  # known to be electively home educated
        ("Eve", "front_door", None),  # recorded as electively home educated by the police
        ("Fay", "triage", None),  # URN not in the register
        ("cara", "school", 100001),  # exact (case-insensitive) name and date of birth
    ]
    triage = NotifiedChild.objects.filter(routed_to="triage")
    assert {c.notify_by for c in triage} == {datetime.datetime(2025, 9, 17, 8, 30, tzinfo=UK)}  # LA calendar
    recipients = {m.to[0] for m in mail.outbox}
    assert recipients == {lead.email, front.email}  # the school has no key adult: the LA lead is told


def test_received_after_deadline_is_overdue_and_alerted_at_once(post, token, school, key_adult, la_calendar):
    with time_machine.travel(datetime.datetime(2025, 9, 22, 10, 0, tzinfo=UK), tick=False):
        response = post(body(incident_at="2025-09-19T19:00:00+01:00", reported_at="2025-09-19T19:30:00+01:00"), token)
    assert response.json()["children"][0]["notify_by"] == "2025-09-22T08:30:00+01:00"
    child = NotifiedChild.objects.get()
    assert child.overdue_on_arrival
    assert OutboxMessage.objects.get().kind == "overdue"
    assert len(mail.outbox) == 1 and "now" in mail.outbox[0].subject


def test_school_without_calendar_is_flagged(post, token, school, key_adult):
    response = post(body(), token)
    assert response.status_code == 201
    assert NotifiedChild.objects.get().calendar_missing


# --- Authentication and scoping ------------------------------------------------------------
def test_token_is_needed_and_stored_hashed(post, token, school):
    assert post(body()).status_code == 401
    assert post(body(), "enc_wrong").status_code == 401
    stored = ApiToken.objects.get()
    assert stored.token_hash != token and token not in stored.token_hash and len(stored.token_hash) == 64
    assert post(body(), token).status_code == 201


def test_revoked_token_is_refused(post, token, school):
    services.revoke_token(token[:10])
    response = post(body(), token)
    assert response.status_code == 401
    assert response.json() == {"status": 401, "message": "A valid bearer token is required.", "errors": []}


def test_token_is_scoped_to_its_force(post, token, school, client):
    other = services.create_token("CLV")[1]
    response = post(body(force="CLV"), token)
    assert response.status_code == 403
    assert response.json()["errors"][0]["field"] == "force"
    created = post(body(), token).json()
    # Force CLV cannot read NBR's notification, nor amend it (its reference is its own namespace).
    assert client.get(f"{URL}/{created['id']}", HTTP_AUTHORIZATION=f"Bearer {other}").status_code == 404
    assert client.get(f"{URL}/{created['id']}", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 200
    amended = post(body(force="CLV", summary="Changed by CLV"), other)
    assert amended.status_code == 201 and amended.json()["id"] != created["id"]
    assert Notification.objects.get(pk=created["id"]).summary.startswith("Verbal")


def test_encompass_token_command_prints_a_token_once(db, capsys):
    call_command("encompass_token", "--force", "nbr", "--name", "Niche")
    out = capsys.readouterr().out.strip()
    assert out.startswith("enc_") and services.authenticate_token(out).force == "NBR"
    call_command("encompass_token", "--list")
    listing = capsys.readouterr().out
    assert out[:10] in listing and out not in listing
    call_command("encompass_token", "--revoke", out[:10])
    assert services.authenticate_token(out) is None


def test_issuing_and_revoking_tokens_is_audited_without_the_token(db):
    token, plain = services.create_token("nbr", "Niche RMS")
    assert services.revoke_token(token.prefix) == 1
    assert services.revoke_token(token.prefix) == 0  # already revoked: nothing more recorded
    events = list(AuditEvent.objects.filter(object_type="encompass.apitoken").order_by("at", "pk"))
    assert [(e.action, e.detail.get("revoked", False)) for e in events] == [("create", False), ("update", True)]
    assert events[0].detail == {"force": "NBR", "prefix": token.prefix, "name": "Niche RMS"}
    assert not any(plain in str(e.detail) or plain in e.object_repr for e in events)


# --- Errors -------------------------------------------------------------------------------
def test_malformed_json_is_400(post, token):
    response = post(None, token, raw="{not json")
    assert response.status_code == 400
    assert response.json()["status"] == 400


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"incident_at": "2025-09-16T21:40:00"}, "incident_at"),  # no offset
        ({"incident_at": "yesterday"}, "incident_at"),
        ({"police_reference": ""}, "police_reference"),
        ({"children": []}, "children"),
        ({"summary": None}, "summary"),
        ({"children": [{"given_name": "Amy"}]}, "children[0].family_name"),
        ({"children": [{**body()["children"][0], "date_of_birth": "2016-02-30"}]}, "children[0].date_of_birth"),
        ({"children": [{**body()["children"][0], "school_urn": "abc"}]}, "children[0].school_urn"),
        (
            {"incident_at": "2025-09-18T10:00:00+01:00", "reported_at": "2025-09-18T11:00:00+01:00"},
            "incident_at",
        ),  # future
        ({"reported_at": "2025-09-16T20:00:00+01:00"}, "reported_at"),  # before the incident
        ({"children": [{**body()["children"][0], "date_of_birth": "2025-09-17"}]}, "children[0].date_of_birth"),
    ],
)
def test_invalid_fields_are_422_naming_each_field(post, token, change, field):
    response = post(body(**change), token)
    assert response.status_code == 422, response.content
    data = response.json()
    assert data["status"] == 422
    assert field in [e["field"] for e in data["errors"]]
    assert not Notification.objects.exists()


def test_every_bad_field_is_named(post, token):
    response = post(body(police_reference="", officer="", children=[{"given_name": ""}]), token)
    fields = {e["field"] for e in response.json()["errors"]}
    assert {"police_reference", "officer", "children[0].given_name", "children[0].date_of_birth"} <= fields


def test_oversized_body_is_413(post, token, settings):
    settings.ENCOMPASS_MAX_BODY_BYTES = 2000
    response = post(body(summary="x" * 5000), token)
    assert response.status_code == 413
    assert response.json()["status"] == 413


def test_openapi_documents_the_intake(client):
    schema = client.get("/api/encompass/openapi.json").json()
    operation = schema["paths"]["/api/encompass/notifications"]["post"]
    assert {"201", "200", "422", "413"} <= set(operation["responses"])
    assert "bearer" in json.dumps(schema["components"]["securitySchemes"]).lower()
    assert client.get("/api/encompass/docs").status_code == 200
