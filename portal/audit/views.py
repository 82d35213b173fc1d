"""The administrators' view of the audit log, and its CSV export. Both are audited."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator

from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.http import HttpResponseRedirect, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from . import selectors
from .forms import AuditFilterForm
from .models import AuditEvent
from .services import record

PAGE_SIZE = 50
PERMISSION = "audit.view_auditevent"
AUDIT_OBJECT_TYPE = AuditEvent._meta.label_lower


def _guarded(view):
    # Anonymous → sign-in; signed in without the permission → 403. Never cached.
    return login_required(permission_required(PERMISSION, raise_exception=True)(never_cache(require_safe(view))))


def _query_without_page(request) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


@_guarded
def audit_log(request):
    form = AuditFilterForm(request.GET)
    context = {"form": form, "page_obj": None, "filter_query": _query_without_page(request)}
    if form.is_valid():
        filters = form.filters()
        page_obj = Paginator(selectors.audit_events(**filters), PAGE_SIZE).get_page(request.GET.get("page"))
        page_obj.object_list = list(page_obj.object_list)  # read the page before recording this view
        record(
            request,
            AuditEvent.Action.VIEW,
            object_type=AUDIT_OBJECT_TYPE,
            detail={"filters": filters, "page": page_obj.number},
        )
        context["page_obj"] = page_obj
    return render(request, "audit/auditevent_list.html", context)


@_guarded
def audit_export(request):
    form = AuditFilterForm(request.GET)
    if not form.is_valid():
        # The list page shows what is wrong, with what was typed kept.
        return HttpResponseRedirect(f"{reverse('audit:list')}?{_query_without_page(request)}")
    filters = form.filters()
    events = selectors.audit_events(**filters)
    rows = events.count()
    event = record(
        request, AuditEvent.Action.EXPORT, object_type=AUDIT_OBJECT_TYPE, detail={"filters": filters, "rows": rows}
    )
    # Export what was there when asked, not the export's own event or anything after it.
    response = StreamingHttpResponse(csv_lines(events.filter(id__lt=event.id)), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="audit-log-{timezone.localdate():%Y-%m-%d}.csv"'
    return response


# --- CSV -------------------------------------------------------------------------------
CSV_COLUMNS = (
    "time",
    "user_id",
    "user_email",
    "user_roles",
    "action",
    "object_type",
    "object_id",
    "object_repr",
    "ip",
    "request_id",
    "path",
    "detail",
)
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value) -> str:
    """A cell a spreadsheet will not run as a formula (OWASP CSV injection): text starting
    with = + - @ (or a tab or carriage return) is prefixed with a single quote."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def _row(event: AuditEvent) -> list[str]:
    values = (
        timezone.localtime(event.at).isoformat(timespec="seconds"),
        event.user_id,
        event.user_email,
        event.user_roles,
        event.action,
        event.object_type,
        event.object_id,
        event.object_repr,
        event.ip,
        event.request_id,
        event.path,
        json.dumps(event.detail, sort_keys=True, cls=AuditEvent._meta.get_field("detail").encoder),
    )
    return [csv_safe(value) for value in values]


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_lines(events) -> Iterator[str]:
    writer = csv.writer(_Echo())
    # A byte-order mark, so Excel reads the file as UTF-8.
    yield "\ufeff" + writer.writerow(CSV_COLUMNS)
    for event in events.iterator(chunk_size=2000):
        yield writer.writerow(_row(event))
