"""The police intake API (``/api/encompass/``): a force's systems post notifications with a
bearer token issued by ``manage.py encompass_token``. Errors have one JSON shape:
``{"status": 422, "message": "...", "errors": [{"field": "children[0].date_of_birth", "message": "..."}]}``.
"""

from __future__ import annotations

import datetime
import uuid

from ninja import Field, NinjaAPI, Schema, Status
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.security import HttpBearer
from pydantic import AwareDatetime, field_validator

from django.http import Http404

from . import services
from .calendar import LONDON
from .models import Notification
from .validation import rule_errors

api = NinjaAPI(
    title="Operation Encompass intake",
    version="1.0",
    description=(
        "Police forces submit Operation Encompass notifications. Authenticate with "
        "`Authorization: Bearer <token>`; a token is issued per force by `manage.py encompass_token` "
        "and can only submit and read its own force's notifications. Resubmitting the same "
        "(force, police_reference) updates the notification and answers 200."
    ),
    urls_namespace="encompass_api",
    docs_url="/docs",
    openapi_url="/openapi.json",
)


class ForceToken(HttpBearer):
    def authenticate(self, request, token):
        found = services.authenticate_token(token)
        if found is not None:
            request.encompass_force = found.force
        return found


# --- Schemas ----------------------------------------------------------------------------
class ChildIn(Schema):
    given_name: str = Field(..., min_length=1, max_length=100)
    family_name: str = Field(..., min_length=1, max_length=100)
    date_of_birth: datetime.date
    school_urn: int | None = Field(None, ge=100000, le=9999999, description="The school's DfE URN, if known.")
    present_at_incident: bool
    welfare_check_done: bool
    voice_of_child: str = Field("", max_length=5000)
    social_care_informed: bool
    electively_home_educated: bool = False


class NotificationIn(Schema):
    police_reference: str = Field(..., min_length=1, max_length=100)
    force: str = Field(..., min_length=2, max_length=10, description="The force code, e.g. NBR.")
    incident_at: AwareDatetime = Field(..., description="ISO 8601 with a UTC offset.")
    reported_at: AwareDatetime
    location: str = Field("", max_length=300)
    summary: str = Field(..., min_length=1, max_length=10000, description="Shown only to key adults.")
    officer: str = Field(..., min_length=1, max_length=200)
    children: list[ChildIn] = Field(..., min_length=1, max_length=30)

    @field_validator("incident_at", "reported_at")
    @classmethod
    def _in_utc(cls, value: datetime.datetime) -> datetime.datetime:
        # Stored in UTC: PostgreSQL refuses UTC offsets beyond ±15:59 that ISO 8601 allows.
        try:
            return value.astimezone(datetime.UTC)
        except OverflowError:
            raise ValueError("is outside the range of dates that can be stored") from None


class ChildOut(Schema):
    given_name: str
    school_urn: int | None
    routed_to: str
    notify_by: datetime.datetime


class NotificationOut(Schema):
    id: uuid.UUID
    police_reference: str
    force: str
    children: list[ChildOut]


class ErrorItem(Schema):
    field: str
    message: str


class ErrorOut(Schema):
    status: int
    message: str
    errors: list[ErrorItem] = []


# --- Errors -----------------------------------------------------------------------------
def error(request, status: int, message: str, errors: list[dict] | None = None):
    return api.create_response(request, {"status": status, "message": message, "errors": errors or []}, status=status)


def field_name(loc) -> str:
    name = ""
    for part in loc:
        if part in ("body", "payload", "path", "query"):
            continue
        name += f"[{part}]" if isinstance(part, int) else (f".{part}" if name else str(part))
    return name or "body"


@api.exception_handler(ValidationError)
def invalid(request, exc: ValidationError):
    errors = []
    for item in exc.errors:
        message = item.get("msg", "invalid value")
        if message.startswith("Value error, "):
            message = message[len("Value error, ") :]
        errors.append({"field": field_name(item.get("loc", ())), "message": message})
    return error(request, 422, f"Invalid field {errors[0]['field']}: {errors[0]['message']}", errors)


@api.exception_handler(HttpError)
def http_error(request, exc: HttpError):
    return error(request, exc.status_code, str(exc))


@api.exception_handler(AuthenticationError)
def unauthorised(request, exc):
    return error(request, 401, "A valid bearer token is required.")


@api.exception_handler(Http404)
def not_found(request, exc):
    return error(request, 404, "Not found")


def _out(notification: Notification) -> dict:
    return {
        "id": notification.pk,
        "police_reference": notification.police_reference,
        "force": notification.force,
        "children": [
            {
                "given_name": child.given_name,
                "school_urn": child.school.urn if child.school_id else None,
                "routed_to": child.routed_to,
                "notify_by": child.notify_by.astimezone(LONDON),
            }
            for child in notification.children.select_related("school").order_by("given_name", "pk")
        ],
    }


# --- Operations -------------------------------------------------------------------------
@api.post(
    "/notifications",
    auth=ForceToken(),
    response={
        200: NotificationOut,
        201: NotificationOut,
        400: ErrorOut,
        401: ErrorOut,
        403: ErrorOut,
        413: ErrorOut,
        422: ErrorOut,
    },
    url_name="notifications",
    summary="Submit or update a notification",
)
def submit(request, payload: NotificationIn):
    data = payload.model_dump()
    if data["force"].upper() != request.auth.force:
        return Status(
            403,
            {
                "status": 403,
                "message": "This token cannot submit for that force.",
                "errors": [
                    {"field": "force", "message": f"must be {request.auth.force}, the force this token belongs to"}
                ],
            },
        )
    problems = rule_errors(data)
    if problems:
        errors = [{"field": name, "message": message} for name, message in problems]
        return Status(
            422,
            {"status": 422, "message": f"Invalid field {errors[0]['field']}: {errors[0]['message']}", "errors": errors},
        )
    notification, created = services.submit_notification(data, source="api")
    return Status(201 if created else 200, _out(notification))


@api.get(
    "/notifications/{notification_id}",
    auth=ForceToken(),
    response={200: NotificationOut, 401: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    url_name="notification",
    summary="Where a notification went",
)
def read(request, notification_id: uuid.UUID):
    notification = Notification.objects.filter(pk=notification_id, force=request.auth.force).first()
    if notification is None:
        raise Http404
    return Status(200, _out(notification))
