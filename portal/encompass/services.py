"""Everything that changes Operation Encompass state: imports, intake and routing,
acknowledgement, the alert outbox, escalation and retention."""

from __future__ import annotations

import csv
import datetime
import hashlib
import io
import logging
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from portal import outbox
from portal.audit.models import AuditEvent
from portal.audit.services import record

from . import conf, ics, selectors
from .calendar import LONDON, is_school_day
from .calendar import notify_by as compute_notify_by
from .models import (
    ApiToken,
    Calendar,
    CalendarPeriod,
    EscalationStep,
    Notification,
    NotifiedChild,
    OutboxMessage,
    Pupil,
    School,
)

logger = logging.getLogger(__name__)


# --- Schools register -------------------------------------------------------------------
GIAS_COLUMNS = {
    "urn": "URN",
    "name": "EstablishmentName",
    "establishment_type": "TypeOfEstablishment (name)",
    "status": "EstablishmentStatus (name)",
    "phase": "PhaseOfEducation (name)",
    "la_code": "LA (code)",
    "postcode": "Postcode",
}


# URNs are six digits today; the API accepts up to seven for the future (see api.ChildIn).
MIN_URN, MAX_URN = 100000, 9999999


def _gias_text_problems(values: dict[str, str]) -> list[str]:
    """Text the database cannot hold (too long for its column, or a NUL character, which
    PostgreSQL refuses) is an error naming the column, not a crash."""
    problems = []
    for key, value in values.items():
        column = GIAS_COLUMNS[key]
        limit = School._meta.get_field(key).max_length
        if "\x00" in value:
            problems.append(f"{column} contains a NUL character")
        elif limit is not None and len(value) > limit:
            problems.append(f"{column} is longer than {limit} characters")
    return problems


@dataclass
class SchoolImportResult:
    created: int = 0
    updated: int = 0
    closed: int = 0
    errors: list[str] = field(default_factory=list)


def read_csv(text: str) -> tuple[list[str], list[dict]]:
    """The header and rows of a CSV text (any line endings). Raises csv.Error for text the
    csv module cannot read, such as a field over its size limit."""
    reader = csv.DictReader(io.StringIO(text, newline=""))
    fieldnames = list(reader.fieldnames or [])
    return fieldnames, list(reader)


def decode_csv(raw: bytes) -> str:
    """GIAS exports are Windows-1252; accept UTF-8 (with or without a BOM) too. Raises
    ValueError for bytes that are neither (a binary file, UTF-16, a corrupt download)."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("cp1252")
    except UnicodeDecodeError as exc:
        raise ValueError(f"not a text CSV in UTF-8 or Windows-1252 (byte {exc.start} cannot be read)") from None


@transaction.atomic
def import_schools(text: str) -> SchoolImportResult:
    """Create or update schools by URN from a GIAS CSV. Rows marked closed close the school.
    All-or-nothing: any bad row leaves the register unchanged (errors are returned)."""
    result = SchoolImportResult()
    try:
        fieldnames, rows = read_csv(text)
    except csv.Error as exc:
        result.errors.append(f"not a readable CSV file: {exc}")
        return result
    missing = [col for col in GIAS_COLUMNS.values() if col not in fieldnames]
    if missing:
        result.errors.append("missing columns: " + ", ".join(missing))
        return result
    existing = {s.urn: s for s in School.objects.all()}
    to_create, to_update = [], []
    for number, row in enumerate(rows, start=2):
        values = {key: (row.get(col) or "").strip() for key, col in GIAS_COLUMNS.items()}
        raw_urn = values.pop("urn")
        urn = int(raw_urn) if raw_urn.isascii() and raw_urn.isdigit() and len(raw_urn) <= 7 else 0
        if not MIN_URN <= urn <= MAX_URN:
            result.errors.append(f"row {number}: URN is not a URN (a number from {MIN_URN} to {MAX_URN})")
            continue
        if not values["name"]:
            result.errors.append(f"row {number}: EstablishmentName is empty")
            continue
        problems = _gias_text_problems(values)
        if problems:
            result.errors.extend(f"row {number}: {problem}" for problem in problems)
            continue
        values["is_open"] = not values["status"].lower().startswith("closed")
        school = existing.get(urn)
        if school is None:
            school = School(urn=urn, **values)
            existing[urn] = school
            to_create.append(school)
            result.created += 1
        else:
            if school.is_open and not values["is_open"]:
                result.closed += 1
            for key, value in values.items():
                setattr(school, key, value)
            if school.pk:
                to_update.append(school)
                result.updated += 1
    if result.errors:
        transaction.set_rollback(True)
        return result
    School.objects.bulk_create(to_create, batch_size=500)
    School.objects.bulk_update(to_update, [*list(GIAS_COLUMNS)[1:], "is_open"], batch_size=500)
    result.closed += sum(1 for s in to_create if not s.is_open)
    return result


# --- Calendars --------------------------------------------------------------------------
@dataclass
class TermDatesResult:
    terms: int
    closures: int
    skipped: list[str]


@transaction.atomic
def import_term_dates(text: str, *, la_code: str = "", urn: int | None = None) -> TermDatesResult:
    """Replace the LA's (or one school's) calendar with the TERM and CLOSURE events of an
    iCalendar file. Raises ics.ICSError or School.DoesNotExist; nothing changes then."""
    parsed = ics.parse(text)
    if bool(la_code) == (urn is not None):
        raise ValueError("Give exactly one of la_code or urn.")
    if urn is not None:
        school = School.objects.get(urn=urn)
        calendar, _ = Calendar.objects.get_or_create(school=school, defaults={"name": f"{school.name} term dates"})
    else:
        calendar, _ = Calendar.objects.get_or_create(
            la_code=la_code, school=None, defaults={"name": f"LA {la_code} term dates"}
        )
    calendar.periods.all().delete()
    CalendarPeriod.objects.bulk_create(
        CalendarPeriod(calendar=calendar, kind=e.kind, start=e.start, end=e.end, summary=e.summary)
        for e in parsed.events
    )
    calendar.save()  # updated_at
    return TermDatesResult(
        terms=sum(e.kind == "term" for e in parsed.events),
        closures=sum(e.kind == "closure" for e in parsed.events),
        skipped=parsed.skipped,
    )


# --- Tokens -----------------------------------------------------------------------------
TOKEN_PREFIX = "enc_"  # noqa: S105 - a marker, not a secret


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(force: str, name: str = "") -> tuple[ApiToken, str]:
    """Make a new token for ``force``; the plain token is returned once and never stored.
    Issuing is audited (the prefix only: the token itself is never written anywhere)."""
    plain = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(force=force.upper(), prefix=plain[:10], token_hash=hash_token(plain), name=name)
        record(
            None,
            AuditEvent.Action.CREATE,
            token,
            detail={"force": token.force, "prefix": token.prefix, "name": name},
        )
    return token, plain


def revoke_token(prefix: str) -> int:
    """Revoke the active token with ``prefix``; audited. Returns how many were revoked."""
    with transaction.atomic():
        tokens = list(ApiToken.objects.select_for_update().filter(prefix=prefix, revoked_at__isnull=True))
        ApiToken.objects.filter(pk__in=[t.pk for t in tokens]).update(revoked_at=timezone.now())
        for token in tokens:
            record(None, AuditEvent.Action.UPDATE, token, detail={"revoked": True, "prefix": token.prefix})
    return len(tokens)


def authenticate_token(plain: str) -> ApiToken | None:
    if not plain or not plain.startswith(TOKEN_PREFIX):
        return None
    token = ApiToken.objects.filter(token_hash=hash_token(plain), revoked_at__isnull=True).first()
    if token is not None:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    return token


# --- Routing ----------------------------------------------------------------------------
@dataclass
class Route:
    routed_to: str
    school: School | None
    la_code: str


def route_child(
    given_name: str, family_name: str, date_of_birth, school_urn=None, electively_home_educated=False
) -> Route:
    """URN in the register → that school; else an exact name and date of birth match among
    known pupils → their school; else the LA triage queue. Electively home educated → the
    front door."""
    la = conf.la_code()
    if electively_home_educated:
        return Route(NotifiedChild.Route.FRONT_DOOR, None, la)
    if school_urn:
        school = School.objects.filter(urn=school_urn, is_open=True).first()
        if school is not None:
            return Route(NotifiedChild.Route.SCHOOL, school, school.la_code)
    else:
        pupil = (
            Pupil.objects.select_related("school")
            .filter(match_key=Pupil.key_for(given_name, family_name), date_of_birth=date_of_birth)
            .first()
        )
        if pupil is not None:
            if pupil.electively_home_educated:
                return Route(NotifiedChild.Route.FRONT_DOOR, None, la)
            if pupil.school is not None and pupil.school.is_open:
                return Route(NotifiedChild.Route.SCHOOL, pupil.school, pupil.school.la_code)
    return Route(NotifiedChild.Route.TRIAGE, None, la)


def deadline_for(route: Route, incident_at: datetime.datetime) -> tuple[datetime.datetime, bool]:
    if route.school is not None:
        calendar, missing = selectors.term_calendar_for_school(route.school)
        start = route.school.day_start
    else:
        calendar, missing = selectors.term_calendar_for_la(route.la_code)
        start = conf.default_day_start()
    return compute_notify_by(incident_at, calendar, start), missing


# --- Intake -----------------------------------------------------------------------------
CHILD_FIELDS = (
    "given_name",
    "family_name",
    "date_of_birth",
    "school_urn",
    "electively_home_educated",
    "present_at_incident",
    "welfare_check_done",
    "voice_of_child",
    "social_care_informed",
)
NOTIFICATION_FIELDS = ("incident_at", "reported_at", "location", "summary", "officer")


def _child_identity(data) -> tuple[str, str]:
    return (Pupil.key_for(data["given_name"], data["family_name"]), str(data["date_of_birth"]))


def submit_notification(data: dict, *, source: str = "api", user=None, now=None) -> tuple[Notification, bool]:
    """Store and route a notification in one transaction; alerts go into the outbox and are
    sent after commit. The same (force, police_reference) again updates it: incident fields
    are replaced, children already known are updated in place (keeping their routing and
    acknowledgement), new children are routed and alerted. Returns (notification, created)."""
    for attempt in range(2):
        try:
            return _submit(data, source=source, user=user, now=now)
        except IntegrityError:
            if attempt:
                raise
    raise AssertionError("unreachable")  # pragma: no cover


@transaction.atomic
def _submit(data: dict, *, source: str, user, now) -> tuple[Notification, bool]:
    now = now or timezone.now()
    force = data["force"].upper()
    notification = (
        Notification.objects.select_for_update().filter(force=force, police_reference=data["police_reference"]).first()
    )
    created = notification is None
    if created:
        notification = Notification(force=force, police_reference=data["police_reference"], received_at=now)
    for name in NOTIFICATION_FIELDS:
        setattr(notification, name, (data.get(name) or "") if name == "location" else data[name])
    notification.source = source
    notification.submitted_by = user
    with transaction.atomic():  # a savepoint, so a racing duplicate can be retried
        notification.save()
    known = {} if created else {_child_identity(vars(c)): c for c in notification.children.all()}
    new_children = []
    for child_data in data["children"]:
        child = known.get(_child_identity(child_data))
        if child is not None:
            for name in ("present_at_incident", "welfare_check_done", "voice_of_child", "social_care_informed"):
                setattr(child, name, child_data.get(name, getattr(child, name)))
            child.save()
            continue
        route = route_child(
            child_data["given_name"],
            child_data["family_name"],
            child_data["date_of_birth"],
            child_data.get("school_urn"),
            child_data.get("electively_home_educated", False),
        )
        deadline, missing = deadline_for(route, notification.incident_at)
        child = NotifiedChild.objects.create(
            notification=notification,
            **{name: child_data.get(name) for name in CHILD_FIELDS},
            routed_to=route.routed_to,
            school=route.school,
            la_code=route.la_code,
            notify_by=deadline,
            calendar_missing=missing,
            overdue_on_arrival=now > deadline,
        )
        known[_child_identity(child_data)] = child
        new_children.append(child)
        if route.school is not None and child.school_urn:
            Pupil.objects.update_or_create(
                match_key=Pupil.key_for(child.given_name, child.family_name),
                date_of_birth=child.date_of_birth,
                defaults={"given_name": child.given_name, "family_name": child.family_name, "school": route.school},
            )
    for child in new_children:
        queue_alerts(child, "overdue" if child.overdue_on_arrival else "new", first_recipients(child), now=now)
        _alert_open_early_help_cases(child, now=now)
    schedule_delivery()
    return notification, created


def _alert_open_early_help_cases(child: NotifiedChild, *, now) -> None:
    """A child with an open early help episode: its lead professional is alerted and the
    family's chronology gets an entry (eh_assessments.casework). In a savepoint, so a failure
    there is logged and never loses or delays the police notification itself."""
    from eh_assessments.casework import alert_open_cases_for

    try:
        with transaction.atomic():
            alert_open_cases_for(child, now=now)
    except Exception:
        logger.exception("Could not alert the early help cases of notified child %s", child.pk)


def first_recipients(child: NotifiedChild):
    if child.routed_to == NotifiedChild.Route.FRONT_DOOR:
        return list(selectors.users_with_role("front_door"))
    if child.school is not None:
        key_adults = list(child.school.key_adults.filter(is_active=True))
        if key_adults:
            return key_adults
    return list(selectors.users_with_role("la_encompass_lead"))


def escalation_recipients(child: NotifiedChild):
    people = {u.pk: u for u in selectors.users_with_role("la_encompass_lead")}
    if child.school is not None:
        people.update({u.pk: u for u in child.school.deputies.filter(is_active=True)})
    if child.routed_to == NotifiedChild.Route.FRONT_DOOR:
        people.update({u.pk: u for u in selectors.users_with_role("front_door")})
    return list(people.values())


# --- Acknowledgement --------------------------------------------------------------------
@transaction.atomic
def acknowledge(request, child: NotifiedChild, *, user, action_taken: str, action_notes: str = "") -> bool:
    """Acknowledge once; a second acknowledgement changes nothing and returns False."""
    child = NotifiedChild.objects.select_for_update().get(pk=child.pk)
    if child.acknowledged_at is not None:
        return False
    child.acknowledged_at = timezone.now()
    child.acknowledged_by = user
    child.action_taken = action_taken
    child.action_notes = action_notes
    child.save(update_fields=["acknowledged_at", "acknowledged_by", "action_taken", "action_notes"])
    OutboxMessage.objects.filter(child=child, status=OutboxMessage.Status.PENDING).filter(
        kind__startswith="escalation"
    ).update(status=OutboxMessage.Status.FAILED, last_error="acknowledged before sending")
    record(
        request,
        AuditEvent.Action.ACKNOWLEDGE,
        child,
        object_repr=child.reference,
        detail={"action_taken": action_taken, "on_time": child.acknowledged_on_time()},
    )
    return True


# --- Outbox -----------------------------------------------------------------------------
def queue_alerts(child: NotifiedChild, kind: str, recipients: Iterable, *, now=None) -> int:
    now = now or timezone.now()
    link = reverse("encompass:detail", kwargs={"pk": child.pk})
    messages = [
        OutboxMessage(
            key=f"{kind}:{child.pk}:{user.pk}",
            recipient=user,
            email=user.email,
            kind=kind,
            link=link,
            child=child,
            next_attempt_at=now,
        )
        for user in recipients
        if user.email
    ]
    OutboxMessage.objects.bulk_create(messages, ignore_conflicts=True)
    return len(messages)


def schedule_delivery() -> None:
    from .tasks import deliver_alerts

    transaction.on_commit(lambda: _enqueue(deliver_alerts))


def _enqueue(task) -> None:
    try:
        task.enqueue()
    except Exception:  # the outbox keeps the alert; the worker's periodic run sends it
        logger.exception("Could not enqueue alert delivery; the outbox will be retried.")


SUBJECTS = {
    "new": "An Operation Encompass notification needs your attention",
    "overdue": "An Operation Encompass notification needs your attention now",
    "escalation": "An Operation Encompass notification has not been acknowledged",
}


def alert_text(message: OutboxMessage) -> tuple[str, str]:
    """The whole alert: a subject and a body with a link. No names, no incident details."""
    subject = SUBJECTS.get(message.kind.split("-")[0], SUBJECTS["new"])
    body = (
        f"{subject}.\n\n"
        "Sign in to read it and record that you have acknowledged it:\n"
        f"{conf.base_url()}{message.link}\n\n"
        "This message does not contain any details. Do not reply to it."
    )
    return subject, body


def alert_email(message: OutboxMessage) -> outbox.Email:
    """The alert as the outbox sends it, built at send time."""
    subject, body = alert_text(message)
    return outbox.Email(subject=subject, body=body, link=f"{conf.base_url()}{message.link}")


backoff = outbox.backoff  # 1, 2, 4, 8 … minutes between attempts, at most an hour


def _send(message: OutboxMessage) -> None:
    outbox.send_message(message, alert_email)


def deliver_due(*, now=None, limit: int = 200) -> dict[str, int]:
    """Send the alerts that are due, through the shared outbox (``portal.outbox``): each is
    claimed in its own short transaction and leased for ENCOMPASS_OUTBOX_LEASE_SECONDS, sent
    with no transaction open (a stalled mail server never holds a lock that would stop
    intake), retried with back-off and given up after ENCOMPASS_OUTBOX_MAX_ATTEMPTS."""
    return outbox.deliver_due(
        OutboxMessage,
        alert_email,
        now=now,
        limit=limit,
        lease=conf.outbox_lease(),
        max_attempts=conf.outbox_max_attempts(),
        send=lambda message: _send(message),  # looked up at each call: the seam tests watch
    )


def _claim(now) -> OutboxMessage | None:
    return outbox.claim(OutboxMessage, now=now, lease=conf.outbox_lease())


TASK_PATHS = ("portal.encompass.tasks.deliver_alerts", "portal.encompass.tasks.escalate")


def recover_abandoned_tasks(*, now=None, older_than: timedelta = timedelta(minutes=30)) -> int:
    """django-tasks' database backend never runs a claimed task again: a worker killed in
    the middle of a task leaves its row RUNNING for ever. The alert it was sending is not
    lost (it is still pending in the outbox, and its lease runs out), but the queue would
    report a task that never ends. This marks this app's tasks that have been running for
    longer than ``older_than`` as failed, saying why, and enqueues one fresh delivery for the
    next worker. Other task backends (RQ) are left alone. Returns how many were recovered."""
    from django.conf import settings

    if settings.TASKS.get("default", {}).get("BACKEND") != "django_tasks_db.DatabaseBackend":
        return 0
    from django_tasks_db.models import DBTaskResult

    now = now or timezone.now()
    recovered = DBTaskResult.objects.filter(
        status="RUNNING", task_path__in=TASK_PATHS, started_at__lt=now - older_than
    ).update(
        status="FAILED",
        finished_at=now,
        exception_class_path="portal.encompass.services.AbandonedTask",
        traceback=(
            f"The worker running this task stopped before it finished (killed or lost); "
            f"marked failed by encompass_tick at {now.isoformat()}. Unsent alerts stay in the outbox."
        ),
    )
    if recovered:
        logger.warning("Recovered %s Operation Encompass task(s) abandoned by a stopped worker", recovered)
        from .tasks import deliver_alerts

        _enqueue(deliver_alerts)
    return recovered


# --- Escalation -------------------------------------------------------------------------
def in_school_hours(moment: datetime.datetime, child: NotifiedChild) -> bool:
    if child.school is not None:
        calendar, _ = selectors.term_calendar_for_school(child.school)
        start = child.school.day_start
    else:
        calendar, _ = selectors.term_calendar_for_la(child.la_code)
        start = conf.default_day_start()
    local = moment.astimezone(LONDON)
    return is_school_day(local.date(), calendar) and start <= local.time() < conf.school_day_end()


def escalate_due(*, now=None) -> int:
    """Escalate every unacknowledged child whose deadline (or, when it arrived overdue, its
    arrival) passed more than ENCOMPASS_ESCALATE_AFTER_MINUTES ago: alert the deputies and
    the LA Encompass leads, then again every ENCOMPASS_ESCALATE_EVERY_MINUTES during school
    hours until acknowledged. Each step is an EscalationStep and an audit event. Safe to run
    every minute; returns how many children were escalated."""
    now = now or timezone.now()
    after = timedelta(minutes=conf.escalate_after_minutes())
    every = timedelta(minutes=conf.escalate_every_minutes())
    escalated = 0
    candidates = NotifiedChild.objects.filter(acknowledged_at__isnull=True, notify_by__lte=now - after).select_related(
        "school", "notification"
    )
    for child in candidates:
        start_from = max(child.notify_by, child.notification.received_at) + after
        if now < start_from:
            continue
        if child.last_escalated_at is not None and (
            now - child.last_escalated_at < every or not in_school_hours(now, child)
        ):
            continue
        with transaction.atomic():
            locked = NotifiedChild.objects.select_for_update().get(pk=child.pk)
            if locked.acknowledged_at is not None or locked.escalation_count != child.escalation_count:
                continue
            number = locked.escalation_count + 1
            recipients = escalation_recipients(locked)
            queue_alerts(locked, f"escalation-{number}", recipients, now=now)
            EscalationStep.objects.create(child=locked, number=number, at=now, recipients=len(recipients))
            locked.escalation_count = number
            locked.last_escalated_at = now
            locked.save(update_fields=["escalation_count", "last_escalated_at"])
            record(
                None,
                AuditEvent.Action.OTHER,
                locked,
                object_repr=locked.reference,
                detail={"escalation": number, "recipients": len(recipients)},
            )
            escalated += 1
    if escalated:
        schedule_delivery()
    return escalated


# --- Retention --------------------------------------------------------------------------
def purge_expired(*, now=None, dry_run: bool = False) -> dict[str, int]:
    """Delete notifications whose every child was acknowledged more than
    RETENTION_ENCOMPASS_DAYS ago, and record the counts (never the content)."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=conf.retention_days())
    expired = (
        Notification.objects.exclude(children__acknowledged_at__isnull=True)
        .exclude(children__acknowledged_at__gte=cutoff)
        .filter(children__isnull=False)
        .distinct()
    )
    counts = {
        "notifications": expired.count(),
        "children": NotifiedChild.objects.filter(notification__in=expired).count(),
    }
    if dry_run or not counts["notifications"]:
        return counts
    with transaction.atomic():
        ids = list(expired.values_list("pk", flat=True))
        OutboxMessage.objects.filter(child__notification_id__in=ids).delete()
        Notification.objects.filter(pk__in=ids).delete()
        record(
            None,
            AuditEvent.Action.PURGE,
            object_type=Notification._meta.label_lower,
            detail={**counts, "acknowledged_before": cutoff.isoformat()},
        )
    return counts


def purge_expired_for_retention(*, now=None, dry_run: bool = False) -> list[tuple[str, int]]:
    """``purge_expired``'s step for Operation Encompass."""
    counts = purge_expired(now=now, dry_run=dry_run)
    days = conf.retention_days()
    return [
        (f"Operation Encompass notifications acknowledged more than {days} days ago", counts["notifications"]),
        ("notified children with them", counts["children"]),
    ]


# --- The police daily CSV -----------------------------------------------------------------
CSV_REQUIRED = (
    "police_reference",
    "incident_at",
    "reported_at",
    "summary",
    "officer",
    "given_name",
    "family_name",
    "date_of_birth",
    "present_at_incident",
    "welfare_check_done",
    "social_care_informed",
)
CSV_OPTIONAL = ("location", "school_urn", "voice_of_child", "electively_home_educated")
CSV_INCIDENT = ("incident_at", "reported_at", "location", "summary", "officer")


@dataclass
class CsvReport:
    rows: int = 0
    created: int = 0
    updated: int = 0
    errors: list[str] = field(default_factory=list)


def import_notifications_csv(text: str, *, force: str, dry_run: bool = False) -> CsvReport:
    """Validate every row with the API's rules, then store all notifications in one
    transaction, or nothing. Errors name the row and the column."""
    from pydantic import ValidationError as PydanticError

    from .api import NotificationIn, field_name
    from .validation import rule_errors

    report = CsvReport()
    try:
        fieldnames, rows_read = read_csv(text)
    except csv.Error as exc:
        report.errors.append(f"not a readable CSV file: {exc}")
        return report
    missing = [c for c in CSV_REQUIRED if c not in fieldnames]
    if missing:
        report.errors.append("missing columns: " + ", ".join(missing))
        return report
    groups: dict[str, list[tuple[int, dict]]] = {}
    for number, row in enumerate(rows_read, start=2):
        report.rows += 1
        row = {k: (v or "").strip() for k, v in row.items() if k}
        groups.setdefault(row["police_reference"], []).append((number, row))
    valid: list[dict] = []
    for reference, rows in groups.items():
        first_number, first = rows[0]
        for number, row in rows[1:]:
            for column in CSV_INCIDENT:
                if row.get(column, "") != first.get(column, ""):
                    report.errors.append(
                        f"row {number}: {column} differs from row {first_number} (same police_reference)"
                    )
        raw = {
            "police_reference": reference,
            "force": force.upper(),
            **{c: first.get(c, "") for c in CSV_INCIDENT},
            "children": [
                {
                    **{c: row.get(c, "") for c in CSV_REQUIRED[5:]},
                    "voice_of_child": row.get("voice_of_child", ""),
                    "school_urn": row.get("school_urn") or None,
                    "electively_home_educated": row.get("electively_home_educated") or False,
                }
                for _, row in rows
            ],
        }
        try:
            data = NotificationIn.model_validate(raw).model_dump()
        except PydanticError as exc:
            for item in exc.errors():
                loc = item["loc"]
                row_number = (
                    rows[loc[1]][0]
                    if len(loc) > 1 and loc[0] == "children" and isinstance(loc[1], int)
                    else first_number
                )
                column = field_name(loc).split(".")[-1] if loc[0] == "children" and len(loc) > 2 else field_name(loc)
                report.errors.append(f"row {row_number}: {column}: {item['msg']}")
            continue
        problems = rule_errors(data)
        for name, message in problems:
            if name.startswith("children["):
                index = int(name[len("children[") : name.index("]")])
                report.errors.append(f"row {rows[index][0]}: {name.split('.')[-1]}: {message}")
            else:
                report.errors.append(f"row {first_number}: {name}: {message}")
        if not problems:
            valid.append(data)
    if report.errors or dry_run:
        return report
    with transaction.atomic():
        for data in valid:
            _, created = submit_notification(data, source="csv")
            if created:
                report.created += 1
            else:
                report.updated += 1
    return report
