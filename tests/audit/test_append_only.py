"""The audit log cannot be edited or emptied: not through the ORM, not with raw SQL."""

from __future__ import annotations

import datetime

import pytest

from django.contrib import admin
from django.contrib.auth.models import Permission
from django.core.management.color import no_style
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from portal.admin_site import admin_site
from portal.audit.models import AuditEvent, AuditLogIsAppendOnly

TABLE = AuditEvent._meta.db_table
postgresql_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only")


def _raw(sql: str, params=()):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


# --- ORM -------------------------------------------------------------------------------
def test_a_new_event_is_saved(make_event):
    event = make_event(user_email="someone@example.org", object_type="accounts.user", object_id="7")
    assert AuditEvent.objects.get(pk=event.pk).object_id == "7"


def test_saving_an_existing_event_is_refused_and_the_row_is_unchanged(make_event):
    event = make_event(object_id="7")
    event.object_id = "8"
    with pytest.raises(AuditLogIsAppendOnly):
        event.save()
    with pytest.raises(AuditLogIsAppendOnly):
        event.save(update_fields=["object_id"])
    assert AuditEvent.objects.get(pk=event.pk).object_id == "7"


def test_a_fresh_instance_with_an_existing_id_cannot_overwrite_the_row(make_event):
    event = make_event(object_id="7")
    impostor = AuditEvent(pk=event.pk, action="view", object_id="8")
    with pytest.raises(IntegrityError), transaction.atomic():
        impostor.save()
    assert AuditEvent.objects.get(pk=event.pk).object_id == "7"


def test_deleting_an_event_is_refused(make_event):
    event = make_event()
    with pytest.raises(AuditLogIsAppendOnly):
        event.delete()
    assert AuditEvent.objects.filter(pk=event.pk).exists()


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda qs: qs.update(object_id="8"), id="update"),
        pytest.param(lambda qs: qs.delete(), id="delete"),
        pytest.param(lambda qs: qs.bulk_update(list(qs), ["object_id"]), id="bulk_update"),
        pytest.param(lambda qs: qs.update_or_create(pk=qs[0].pk, defaults={"object_id": "8"}), id="update_or_create"),
        pytest.param(
            lambda qs: qs.bulk_create(
                [AuditEvent(pk=qs[0].pk, action="view", object_id="8")],
                update_conflicts=True,
                unique_fields=["id"],
                update_fields=["object_id"],
            ),
            id="upsert",
        ),
    ],
)
def test_queryset_changes_are_refused(make_event, change):
    make_event(object_id="7")
    with pytest.raises(AuditLogIsAppendOnly):
        change(AuditEvent.objects.all())
    assert list(AuditEvent.objects.values_list("object_id", flat=True)) == ["7"]


def test_the_base_manager_refuses_too(make_event):
    make_event()
    with pytest.raises(AuditLogIsAppendOnly):
        AuditEvent._base_manager.all().delete()


def test_only_a_view_permission_exists_and_no_admin_edits_the_log(db):
    codenames = set(Permission.objects.filter(content_type__app_label="audit").values_list("codename", flat=True))
    assert codenames == {"view_auditevent"}
    assert AuditEvent not in admin.site._registry
    assert AuditEvent not in admin_site._registry


# --- The database ----------------------------------------------------------------------
def test_raw_sql_update_is_refused_by_the_database(make_event):
    event = make_event(object_id="7")
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        _raw("UPDATE audit_auditevent SET object_id = %s WHERE id = %s", ["8", event.pk])
    assert AuditEvent.objects.get(pk=event.pk).object_id == "7"


@postgresql_only
def test_raw_sql_delete_is_refused_by_postgresql(make_event):
    event = make_event()
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        _raw("DELETE FROM audit_auditevent WHERE id = %s", [event.pk])
    assert AuditEvent.objects.filter(pk=event.pk).exists()


@postgresql_only
def test_postgresql_lets_a_delete_through_only_with_the_purge_setting(make_event):
    old = make_event(at=timezone.now() - datetime.timedelta(days=9 * 365))
    with transaction.atomic():
        _raw("SET LOCAL audit.allow_purge = on")
        assert _raw("DELETE FROM audit_auditevent WHERE id = %s", [old.pk]) == 1
        _raw("SET LOCAL audit.allow_purge = off")
    assert not AuditEvent.objects.filter(pk=old.pk).exists()


@pytest.mark.django_db(transaction=True)
def test_the_test_suites_flush_still_empties_the_table():
    """Transactional tests end with a flush: DELETE on SQLite (which has no DELETE trigger),
    TRUNCATE on PostgreSQL (which row triggers do not see). This runs the same statements."""
    AuditEvent.objects.create(action="view")
    connection.ops.execute_sql_flush(connection.ops.sql_flush(no_style(), [TABLE]))
    assert AuditEvent.objects.count() == 0
    # And the guard is still there afterwards.
    event = AuditEvent.objects.create(action="view", object_id="7")
    with pytest.raises(IntegrityError):
        _raw("UPDATE audit_auditevent SET object_id = %s WHERE id = %s", ["8", event.pk])
