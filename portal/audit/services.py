"""Writing the audit log.

``record()`` is the one way to write an event. It takes who, from where and which request
from the request (or from ``actor`` in commands and tasks), so callers say only what
happened to what. It fails loudly: if the event cannot be written, the caller's view fails
too, rather than showing personal data without an audit line.
"""

from __future__ import annotations

import datetime
import ipaddress
import json
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import connections, router, transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac

from .middleware import current_request_id
from .models import AuditEvent

Action = AuditEvent.Action

MAX_DETAIL_BYTES = 4096
_SNAPSHOT_ATTR = "_audit_actor_snapshot"


# --- Who and where ---------------------------------------------------------------------
def client_ip(request) -> str | None:
    """The client's address. ``X-Forwarded-For`` is believed only when the setting
    ``AUDIT_TRUST_X_FORWARDED_FOR`` says the portal runs behind proxies that append to it:
    ``True`` (or 1) for one proxy, a number N for a chain of N. The address taken is the one
    the outermost trusted proxy appended (counting from the right); anything further left
    came from the client and could be forged."""
    if request is None:
        return None
    hops = int(settings.AUDIT_TRUST_X_FORWARDED_FOR or 0)
    if hops > 0:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if forwarded:
            candidate = _valid_ip(forwarded[-hops] if len(forwarded) >= hops else forwarded[0])
            if candidate:
                return candidate
    return _valid_ip(request.META.get("REMOTE_ADDR", ""))


def _valid_ip(value: str) -> str | None:
    value = (value or "").strip()
    if value.startswith("[") and "]" in value:  # "[2001:db8::1]:443"
        value = value[1 : value.index("]")]
    elif value.count(":") == 1:  # "203.0.113.5:443"
        value = value.split(":", 1)[0]
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


def _role_names(user) -> str:
    from portal.accounts.roles import roles_for

    return ", ".join(role.name for role in roles_for(user))[:500]


def _actor_snapshot(request, actor) -> tuple[int | None, str, str]:
    """(user id, email, role names) of the actor, read once per request."""
    user = actor
    if user is None and request is not None:
        user = getattr(request, "user", None)
    if user is None or not getattr(user, "is_authenticated", False):
        return (None, "", "")
    cached = getattr(request, _SNAPSHOT_ATTR, None) if request is not None else None
    if cached is not None and cached[0] == user.pk:
        return cached
    snapshot = (user.pk, (user.email or "")[:254], _role_names(user))
    if request is not None:
        setattr(request, _SNAPSHOT_ATTR, snapshot)
    return snapshot


def _request_id(request) -> str:
    request_id = getattr(request, "request_id", None) if request is not None else None
    request_id = request_id or current_request_id()
    return "" if request_id == "-" else request_id[:64]


def _checked_detail(detail: dict[str, Any] | None) -> dict[str, Any]:
    if detail is None:
        return {}
    if not isinstance(detail, dict):
        raise TypeError("Audit detail must be a dict.")
    encoded = json.dumps(detail, cls=AuditEvent._meta.get_field("detail").encoder)
    if len(encoded.encode()) > MAX_DETAIL_BYTES:
        raise ValueError(f"Audit detail is limited to {MAX_DETAIL_BYTES} bytes; record ids, not documents.")
    return detail


def _object_fields(obj, object_type, object_id) -> tuple[str, str]:
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = obj.pk if object_id is None else object_id
    return (object_type or "")[:100], ("" if object_id is None else str(object_id))[:64]


def _event(request, action, *, snapshot, object_type, object_id, object_repr, detail, at) -> AuditEvent:
    if str(action) not in AuditEvent.Action.values:
        # A typo would leave events no filter finds; new actions are added to AuditEvent.Action.
        raise ValueError(f"Unknown audit action {action!r}; add it to AuditEvent.Action first.")
    user_id, user_email, user_roles = snapshot
    return AuditEvent(
        at=at,
        user_id=user_id,
        user_email=user_email,
        user_roles=user_roles,
        action=str(action),
        object_type=object_type,
        object_id=object_id,
        object_repr=(object_repr or "")[:200],
        ip=client_ip(request),
        request_id=_request_id(request),
        path=(request.path[:500] if request is not None else ""),
        detail=detail,
    )


# --- Recording -------------------------------------------------------------------------
def record(
    request,
    action: str,
    obj=None,
    *,
    object_type: str | None = None,
    object_id: Any = None,
    object_repr: str = "",
    detail: dict[str, Any] | None = None,
    actor=None,
) -> AuditEvent:
    """Write one audit event and return it.

    ``obj`` is a model instance (its ``_meta.label_lower`` and primary key are recorded) or
    None with ``object_type``/``object_id`` given. ``object_repr`` is a short label chosen by
    the caller (a reference number, never a child's name from ``__str__``). ``detail`` is a
    small JSON object (at most 4 KB). ``actor`` is the user for commands and tasks (with
    ``request=None``), or to name the user when ``request.user`` is not them yet.
    The query string is never recorded (it may hold search terms): pass what matters in
    ``detail``.
    """
    object_type, object_id = _object_fields(obj, object_type, object_id)
    event = _event(
        request,
        action,
        snapshot=_actor_snapshot(request, actor),
        object_type=object_type,
        object_id=object_id,
        object_repr=object_repr,
        detail=_checked_detail(detail),
        at=timezone.now(),
    )
    event.save()
    return event


def record_list(
    request,
    objects: Iterable[Any],
    object_type: str | None = None,
    *,
    action: str = Action.VIEW,
    detail: dict[str, Any] | None = None,
    actor=None,
) -> list[AuditEvent]:
    """Record that each of ``objects`` was shown in a list: one row per object, written in a
    single INSERT, so that "who saw child X" is one query on (object_type, object_id).

    ``objects`` are model instances or primary keys (then ``object_type`` is required). Pass
    the page being shown (``page_obj.object_list``), not the whole queryset. Every row gets
    ``"in_list": true`` in its detail; the rows of one page share the request id.
    """
    detail = _checked_detail({"in_list": True, **(detail or {})})
    snapshot = _actor_snapshot(request, actor)
    now = timezone.now()
    events = []
    for item in objects:
        is_model = hasattr(item, "_meta") and hasattr(item, "pk")
        item_type, item_id = _object_fields(item if is_model else None, object_type, None if is_model else item)
        if not item_type:
            raise ValueError("record_list needs object_type when given ids rather than model instances.")
        events.append(
            _event(
                request,
                action,
                snapshot=snapshot,
                object_type=item_type,
                object_id=item_id,
                object_repr="",
                detail=detail,
                at=now,
            )
        )
    if events:
        AuditEvent.objects.bulk_create(events)
    return events


# --- Sign-in, sign-out and failed sign-in (connected in AuditConfig.ready) ----------------
_IDENTIFIER_KEYS = ("email", "username", "login")


def attempted_identifier(credentials: dict[str, Any] | None) -> str:
    """What a failed sign-in was attempted with, fit to keep in the log.

    Only the identifier is read from the credentials (an allow-list: never the password).
    An email address is kept as typed (lowercased, at most 254 characters), because the
    security team must be able to see which accounts are being attacked. Anything that does
    not look like an email address may be a password typed into the wrong box, so it is kept
    only as a keyed hash: repeated attempts with the same string can be linked without the
    string being readable."""
    for key in _IDENTIFIER_KEYS:
        value = (credentials or {}).get(key)
        if isinstance(value, str) and value.strip():
            value = value.strip()
            if "@" in value and " " not in value and len(value) <= 254:
                return value.lower()
            return "hash:" + salted_hmac("portal.audit.sign_in_failed", value).hexdigest()[:16]
    return ""


def on_user_logged_in(sender, request, user, **kwargs) -> None:
    record(request, Action.SIGN_IN, actor=user, object_type=user._meta.label_lower, object_id=user.pk)


def on_user_logged_out(sender, request, user, **kwargs) -> None:
    if user is None:  # signing out when not signed in
        return
    record(request, Action.SIGN_OUT, actor=user, object_type=user._meta.label_lower, object_id=user.pk)


def on_user_login_failed(sender, credentials, request=None, **kwargs) -> None:
    """Nobody is signed in, so the event has no user id: the identifier attempted goes in the
    email column (so filtering by email finds attacks on an account) and the account it
    names, when there is one, is the event's object."""
    from django.contrib.auth import get_user_model

    identifier = attempted_identifier(credentials)
    User = get_user_model()
    account = User._default_manager.filter(email__iexact=identifier).only("pk").first() if "@" in identifier else None
    event = _event(
        request,
        Action.SIGN_IN_FAILED,
        snapshot=(None, identifier[:254], ""),
        object_type=User._meta.label_lower if account else "",
        object_id=str(account.pk) if account else "",
        object_repr="",
        detail={"known_account": account is not None},
        at=timezone.now(),
    )
    event.save()


# --- Retention -------------------------------------------------------------------------
def retention_cutoff(now: datetime.datetime | None = None) -> datetime.datetime:
    """The moment before which audit events may be purged: RETENTION_AUDIT_YEARS ago."""
    now = now or timezone.now()
    years = settings.RETENTION_AUDIT_YEARS
    try:
        return now.replace(year=now.year - years)
    except ValueError:  # 29 February in a year that has none
        return now.replace(year=now.year - years, day=28)


def purge_before(cutoff: datetime.datetime, *, actor=None) -> int:
    """Delete audit events older than ``cutoff`` and record a ``purge`` event with the count.

    This is the only code that removes audit events; ``purge_expired`` calls it with
    ``retention_cutoff()``. It refuses a cutoff inside the retention period. On PostgreSQL
    the append-only trigger is opened for this one DELETE with ``SET LOCAL
    audit.allow_purge = on`` and closed again straight after it (SET LOCAL would otherwise
    last until the end of an enclosing transaction); on SQLite there is no DELETE trigger.
    """
    if timezone.is_naive(cutoff):
        raise ValueError("purge_before needs an aware datetime.")
    if cutoff > retention_cutoff():
        raise ValueError(
            f"Audit events are kept for {settings.RETENTION_AUDIT_YEARS} years; "
            f"refusing to purge events newer than {retention_cutoff():%Y-%m-%d}."
        )
    using = router.db_for_write(AuditEvent)
    connection = connections[using]
    table = connection.ops.quote_name(AuditEvent._meta.db_table)
    column = connection.ops.quote_name(AuditEvent._meta.get_field("at").column)
    postgresql = connection.vendor == "postgresql"
    with transaction.atomic(using=using):
        with connection.cursor() as cursor:
            if postgresql:
                cursor.execute("SET LOCAL audit.allow_purge = on")
            cursor.execute(f"DELETE FROM {table} WHERE {column} < %s", [cutoff])  # noqa: S608 - names from _meta
            deleted = cursor.rowcount
            if postgresql:
                cursor.execute("SET LOCAL audit.allow_purge = off")
        record(
            None,
            Action.PURGE,
            object_type=AuditEvent._meta.label_lower,
            detail={"before": cutoff.isoformat(), "deleted": deleted},
            actor=actor,
        )
    return deleted


def purge_expired(*, now: datetime.datetime | None = None, dry_run: bool = False) -> list[tuple[str, int]]:
    """``purge_expired``'s step for the audit log: events older than RETENTION_AUDIT_YEARS."""
    cutoff = retention_cutoff(now)
    count = AuditEvent.objects.filter(at__lt=cutoff).count() if dry_run else purge_before(cutoff)
    return [(f"audit events older than {settings.RETENTION_AUDIT_YEARS} years", count)]
