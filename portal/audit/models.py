"""The audit log: one row for every read or change of personal data, every sign-in and
sign-out, and every use of the audit log itself.

The log is **append-only**. Rows are written by :mod:`portal.audit.services` and never
edited or deleted by the application:

* ``AuditEvent.save()`` inserts only; saving a row that already exists raises
  :class:`AuditLogIsAppendOnly`, and so does ``AuditEvent.delete()``;
* the manager's queryset refuses ``update()``, ``delete()``, ``bulk_update()`` and upserts;
* the database refuses too (migration 0002): on PostgreSQL a row trigger rejects every
  ``UPDATE`` and ``DELETE``; on SQLite a trigger rejects every ``UPDATE``.

The one exception is retention: rows older than ``RETENTION_AUDIT_YEARS`` are removed by
``purge_expired`` through :func:`portal.audit.services.purge_before`, which on PostgreSQL
opens the trigger for the length of one ``DELETE`` with ``SET LOCAL audit.allow_purge = on``
and records a ``purge`` event with the number of rows removed.

The row does not point at the user with a foreign key: deleting (or anonymising) a user must
not rewrite their audit trail. It keeps the user's id as a plain number and a snapshot of
their email address and role names as they were at the time.
"""

from __future__ import annotations

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone


class AuditLogIsAppendOnly(Exception):
    """Raised when code tries to change or remove an audit event."""


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AuditLogIsAppendOnly("Audit events cannot be updated.")

    def _update(self, values):
        # Used by Model.save() on existing rows and by some internals; refuse it too.
        raise AuditLogIsAppendOnly("Audit events cannot be updated.")

    def bulk_update(self, objs, fields, batch_size=None):
        raise AuditLogIsAppendOnly("Audit events cannot be updated.")

    def update_or_create(self, defaults=None, create_defaults=None, **kwargs):
        raise AuditLogIsAppendOnly("Audit events cannot be updated; use portal.audit.services.record().")

    def delete(self):
        raise AuditLogIsAppendOnly("Audit events cannot be deleted; expired rows are removed only by purge_expired.")

    delete.alters_data = True  # type: ignore[attr-defined]
    delete.queryset_only = True  # type: ignore[attr-defined]

    def _raw_delete(self, using):
        raise AuditLogIsAppendOnly("Audit events cannot be deleted.")

    def bulk_create(self, objs, *args, update_conflicts=False, **kwargs):
        if update_conflicts:
            raise AuditLogIsAppendOnly("Audit events cannot be upserted.")
        return super().bulk_create(objs, *args, **kwargs)


AuditEventManager = models.Manager.from_queryset(AuditEventQuerySet)


class AuditEvent(models.Model):
    class Action(models.TextChoices):
        # Add new actions at the end; the column is a plain string, so a new choice needs
        # only a (no-op) migration.
        VIEW = "view", "Viewed"
        CREATE = "create", "Created"
        UPDATE = "update", "Updated"
        DELETE = "delete", "Deleted"
        EXPORT = "export", "Exported"
        SEARCH = "search", "Searched"
        SIGN_IN = "sign_in", "Signed in"
        SIGN_IN_FAILED = "sign_in_failed", "Sign-in failed"
        SIGN_OUT = "sign_out", "Signed out"
        ACKNOWLEDGE = "acknowledge", "Acknowledged"
        PURGE = "purge", "Purged expired records"
        OTHER = "other", "Other"

    id = models.BigAutoField(primary_key=True)
    at = models.DateTimeField("time", default=timezone.now, db_index=True, editable=False)

    # Who: a snapshot, not a foreign key (see the module docstring). Empty for tasks and commands.
    user_id = models.PositiveBigIntegerField("user id", null=True, blank=True)
    user_email = models.CharField("user email", max_length=254, blank=True)
    user_roles = models.CharField(
        "user roles", max_length=500, blank=True, help_text="The user's role names at the time, comma-separated."
    )

    action = models.CharField(max_length=32, choices=Action.choices)

    # What: the model's label (``_meta.label_lower``), its primary key, and a short label
    # given by the caller (never the model's __str__, which may hold a child's name).
    object_type = models.CharField(max_length=100, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    object_repr = models.CharField(max_length=200, blank=True)

    # Where from.
    ip = models.GenericIPAddressField("IP address", null=True, blank=True)
    request_id = models.CharField("request id", max_length=64, blank=True)
    path = models.CharField(max_length=500, blank=True, help_text="The request path, without its query string.")

    detail = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)

    objects = AuditEventManager()

    class Meta:
        ordering = ["-at", "-id"]
        base_manager_name = "objects"
        # Nobody may add, change or delete events through permissions: only view.
        default_permissions = ("view",)
        indexes = [
            models.Index(fields=["user_id", "-at"], name="audit_user_at_idx"),
            models.Index(fields=["object_type", "object_id", "-at"], name="audit_object_at_idx"),
            models.Index(fields=["action", "-at"], name="audit_action_at_idx"),
        ]
        verbose_name = "audit event"
        verbose_name_plural = "audit events"

    def __str__(self) -> str:
        who = self.user_email or "system"
        what = f" {self.object_type} {self.object_id}".rstrip() if self.object_type else ""
        return f"{self.at:%Y-%m-%d %H:%M:%S} {who} {self.action}{what}"

    def save(self, *, force_insert=False, force_update=False, using=None, update_fields=None):
        if not self._state.adding or force_update or update_fields is not None:
            raise AuditLogIsAppendOnly("Audit events cannot be changed once written.")
        # Always INSERT: a new instance given an existing primary key must not overwrite it.
        super().save(force_insert=True, using=using)

    save.alters_data = True  # type: ignore[attr-defined]

    def delete(self, using=None, keep_parents=False):
        raise AuditLogIsAppendOnly("Audit events cannot be deleted; expired rows are removed only by purge_expired.")

    delete.alters_data = True  # type: ignore[attr-defined]
