"""record(), record_list(), the sign-in events and the purge helper."""

from __future__ import annotations

import datetime

import pytest

from django.db import IntegrityError, connection, transaction
from django.test import RequestFactory
from django.utils import timezone

from portal.audit import services
from portal.audit.models import AuditEvent
from portal.audit.services import attempted_identifier, client_ip, purge_before, record, record_list, retention_cutoff
from tests.factories import TEST_PASSWORD

rf = RequestFactory()


def _request(user=None, path="/portal/things/1/", **meta):
    request = rf.get(path, **meta)
    if user is not None:
        request.user = user
    return request


# --- record() --------------------------------------------------------------------------
@pytest.mark.django_db
def test_record_takes_who_where_and_which_request_from_the_request(make_user):
    user = make_user("lead_professional", "school_key_adult", email="lp@example.org")
    request = _request(user, path="/portal/notifications/42/?child=Jane+Smith", REMOTE_ADDR="203.0.113.7")
    request.request_id = "req-1234567890"

    event = record(request, "view", user, object_repr="NOTE-42", detail={"tab": "summary"})

    event = AuditEvent.objects.get(pk=event.pk)
    assert event.user_id == user.pk
    assert event.user_email == "lp@example.org"
    assert event.user_roles == "Lead professional, School key adult"
    assert event.action == "view"
    assert (event.object_type, event.object_id, event.object_repr) == ("accounts.user", str(user.pk), "NOTE-42")
    assert event.ip == "203.0.113.7"
    assert event.request_id == "req-1234567890"
    assert event.path == "/portal/notifications/42/"  # never the query string
    assert event.detail == {"tab": "summary"}
    assert abs(event.at - timezone.now()) < datetime.timedelta(seconds=5)


@pytest.mark.django_db
def test_record_never_uses_the_objects_own_description(make_user):
    user = make_user(first_name="Jane", last_name="Smith")
    event = record(None, "view", user)
    assert event.object_repr == ""
    assert "Smith" not in str(AuditEvent.objects.filter(pk=event.pk).values().get())


@pytest.mark.django_db
def test_the_role_snapshot_stays_true_when_roles_change_and_the_user_is_deleted(make_user):
    user = make_user("administrator", email="gone@example.org")
    user_pk = user.pk
    event = record(None, "update", object_type="accounts.user", object_id=99, actor=user)
    user.groups.clear()
    user.delete()
    event = AuditEvent.objects.get(pk=event.pk)
    assert (event.user_id, event.user_email, event.user_roles) == (user_pk, "gone@example.org", "Administrator")


@pytest.mark.django_db
def test_record_from_a_command_names_the_actor_or_nobody(make_user):
    actor = make_user("la_encompass_lead", email="lead@example.org")
    by_actor = record(None, "other", object_type="encompass.school", object_id="100000", actor=actor)
    by_system = record(None, "other", object_type="encompass.school", object_id="100000")
    assert (by_actor.user_email, by_actor.ip, by_actor.path, by_actor.request_id) == ("lead@example.org", None, "", "")
    assert (by_system.user_id, by_system.user_email, by_system.user_roles) == (None, "", "")


@pytest.mark.django_db
def test_record_refuses_an_action_that_is_not_in_the_list():
    with pytest.raises(ValueError, match="veiw"):
        record(None, "veiw", object_type="x.y")
    assert not AuditEvent.objects.exists()


@pytest.mark.django_db
def test_record_refuses_a_large_detail():
    with pytest.raises(ValueError, match="4096 bytes"):
        record(None, "view", object_type="x.y", detail={"blob": "x" * 5000})
    assert not AuditEvent.objects.exists()


@pytest.mark.django_db
def test_every_request_gets_the_middlewares_request_id(client, administrator):
    client.force_login(administrator)
    response = client.get("/portal/audit/", headers={"X-Request-ID": "trace-abcdef123456"}, REMOTE_ADDR="198.51.100.4")
    assert response["X-Request-ID"] == "trace-abcdef123456"
    event = AuditEvent.objects.get(action="view", object_type="audit.auditevent")
    assert (event.request_id, event.ip) == ("trace-abcdef123456", "198.51.100.4")


# --- The client's address --------------------------------------------------------------
def test_x_forwarded_for_is_ignored_unless_the_setting_trusts_it(settings):
    request = _request(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.9")
    assert client_ip(request) == "10.0.0.2"
    settings.AUDIT_TRUST_X_FORWARDED_FOR = True
    # The address the proxy appended (the last); the forged one on the left is ignored.
    assert client_ip(request) == "203.0.113.9"
    settings.AUDIT_TRUST_X_FORWARDED_FOR = 2
    assert client_ip(request) == "6.6.6.6"


@pytest.mark.parametrize(
    ("forwarded", "expected"),
    [
        ("203.0.113.9:51234", "203.0.113.9"),
        ("[2001:db8::1]:443", "2001:db8::1"),
        ("2001:db8::2", "2001:db8::2"),
        ("not-an-address", "10.0.0.2"),
        ("", "10.0.0.2"),
    ],
)
def test_forwarded_addresses_are_validated(settings, forwarded, expected):
    settings.AUDIT_TRUST_X_FORWARDED_FOR = True
    assert client_ip(_request(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=forwarded)) == expected


def test_a_missing_or_bad_remote_addr_is_recorded_as_none():
    assert client_ip(_request(REMOTE_ADDR="")) is None
    assert client_ip(None) is None


# --- record_list() ---------------------------------------------------------------------
@pytest.mark.django_db
def test_record_list_writes_one_row_per_object_in_one_insert(make_user, django_assert_num_queries):
    viewer = make_user("early_help_manager", email="manager@example.org")
    shown = [make_user() for _ in range(3)]
    request = _request(viewer, REMOTE_ADDR="203.0.113.1")
    request.request_id = "page-123456789"
    with django_assert_num_queries(2):  # the viewer's roles, then one INSERT
        record_list(request, shown)
    rows = AuditEvent.objects.filter(action="view").order_by("object_id")
    assert [r.object_id for r in rows] == sorted(str(u.pk) for u in shown)
    assert {(r.object_type, r.user_email, r.request_id, r.ip) for r in rows} == {
        ("accounts.user", "manager@example.org", "page-123456789", "203.0.113.1")
    }
    assert all(r.detail == {"in_list": True} for r in rows)
    # "Who saw this person?" is one filter on the object.
    assert AuditEvent.objects.filter(object_type="accounts.user", object_id=str(shown[1].pk)).count() == 1


@pytest.mark.django_db
def test_record_list_takes_ids_with_an_object_type():
    record_list(None, [5, 6], "encompass.notification", action="search", detail={"query_kind": "urn"})
    assert sorted(AuditEvent.objects.values_list("object_type", "object_id", "action")) == [
        ("encompass.notification", "5", "search"),
        ("encompass.notification", "6", "search"),
    ]
    with pytest.raises(ValueError, match="object_type"):
        record_list(None, [7])


# --- Signing in and out ----------------------------------------------------------------
@pytest.mark.django_db
def test_signing_in_and_out_through_allauth_is_recorded(client, make_user):
    user = make_user("lead_professional", email="lp@example.org")
    response = client.post(
        "/accounts/login/",
        {"login": "lp@example.org", "password": TEST_PASSWORD},
        REMOTE_ADDR="203.0.113.20",
    )
    assert response.status_code == 302
    signed_in = AuditEvent.objects.get(action="sign_in")
    assert (signed_in.user_id, signed_in.user_email, signed_in.user_roles) == (
        user.pk,
        "lp@example.org",
        "Lead professional",
    )
    assert signed_in.ip == "203.0.113.20"
    assert signed_in.request_id == response["X-Request-ID"]
    assert signed_in.path == "/accounts/login/"

    client.post("/accounts/logout/")
    signed_out = AuditEvent.objects.get(action="sign_out")
    assert (signed_out.user_id, signed_out.object_id) == (user.pk, str(user.pk))


@pytest.mark.django_db
def test_a_failed_sign_in_records_the_address_tried_but_never_the_password(client, make_user):
    user = make_user("school_key_adult", email="dsl@example.org")
    client.post(
        "/accounts/login/", {"login": "DSL@example.org", "password": "Wrong-password-123"}, REMOTE_ADDR="192.0.2.8"
    )
    client.post("/accounts/login/", {"login": "nobody@example.org", "password": "Wrong-password-456"})

    failed = {e.user_email: e for e in AuditEvent.objects.filter(action="sign_in_failed")}
    assert set(failed) == {"dsl@example.org", "nobody@example.org"}
    known = failed["dsl@example.org"]
    assert known.user_id is None  # nobody was signed in
    assert (known.object_type, known.object_id, known.ip) == ("accounts.user", str(user.pk), "192.0.2.8")
    assert known.detail == {"known_account": True}
    assert failed["nobody@example.org"].object_id == ""
    everything = str(list(AuditEvent.objects.values()))
    assert "Wrong-password" not in everything


def test_an_identifier_that_is_not_an_email_address_is_kept_only_as_a_hash():
    # Someone typing their password into the email box must not put it in the log.
    hashed = attempted_identifier({"email": "MySecretPassw0rd", "password": "x"})
    assert hashed.startswith("hash:")
    assert "MySecretPassw0rd" not in hashed
    assert attempted_identifier({"email": "MySecretPassw0rd"}) == hashed  # attempts can be linked
    assert attempted_identifier({"username": " Person@Example.org "}) == "person@example.org"
    assert attempted_identifier({"password": "only a password"}) == ""


# --- Purging expired events ------------------------------------------------------------
@pytest.mark.django_db
def test_purge_before_removes_only_older_events_and_records_how_many(make_event, make_user, settings):
    settings.RETENTION_AUDIT_YEARS = 7
    now = timezone.now()
    old = [make_event(at=now - datetime.timedelta(days=365 * 8 + i)) for i in range(3)]
    kept = make_event(at=now - datetime.timedelta(days=365 * 6))
    admin = make_user("administrator", email="admin@example.org")

    cutoff = retention_cutoff()
    assert purge_before(cutoff, actor=admin) == 3

    assert not AuditEvent.objects.filter(pk__in=[e.pk for e in old]).exists()
    assert AuditEvent.objects.filter(pk=kept.pk).exists()
    purge = AuditEvent.objects.get(action="purge")
    assert purge.detail == {"before": cutoff.isoformat(), "deleted": 3}
    assert (purge.object_type, purge.user_email) == ("audit.auditevent", "admin@example.org")


@pytest.mark.django_db
def test_purge_before_refuses_to_cut_into_the_retention_period(make_event, settings):
    settings.RETENTION_AUDIT_YEARS = 7
    event = make_event(at=timezone.now() - datetime.timedelta(days=365))
    with pytest.raises(ValueError, match="kept for 7 years"):
        purge_before(timezone.now())
    with pytest.raises(ValueError, match="aware"):
        purge_before(datetime.datetime(2000, 1, 1))
    assert AuditEvent.objects.filter(pk=event.pk).exists()
    assert not AuditEvent.objects.filter(action="purge").exists()


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only")
def test_after_a_purge_postgresql_refuses_deletes_again_in_the_same_transaction(make_event):
    survivor = make_event()
    purge_before(retention_cutoff())
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE id = %s", [survivor.pk])
    assert AuditEvent.objects.filter(pk=survivor.pk).exists()


def test_retention_cutoff_handles_29_february(settings):
    settings.RETENTION_AUDIT_YEARS = 7
    leap_day = datetime.datetime(2028, 2, 29, 12, tzinfo=datetime.UTC)
    assert retention_cutoff(leap_day) == datetime.datetime(2021, 2, 28, 12, tzinfo=datetime.UTC)


def test_services_module_exports_the_action_choices():
    assert services.Action.SIGN_IN_FAILED == "sign_in_failed"
