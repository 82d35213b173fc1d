"""The key adult's pages: notifications for their schools, one notification, and its
acknowledgement. Every page that shows a child is written to the audit log; a
notification of another school is a 404, never a 403, so its existence is not revealed."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from portal.audit.decorators import when_successful
from portal.audit.models import AuditEvent
from portal.audit.services import record, record_list

from . import selectors, services
from .forms import AcknowledgeForm, PoliceNotificationForm
from .models import Notification, NotifiedChild
from .permissions import ACKNOWLEDGE, DASHBOARD, SUBMIT, VIEW

PAGE_SIZE = 25


@login_required
@permission_required(VIEW, raise_exception=True)
def notification_list(request):
    visible = selectors.visible_children(request.user)
    waiting = list(selectors.open_children(visible).order_by("notify_by")[:200])
    done = Paginator(visible.filter(acknowledged_at__isnull=False).order_by("-acknowledged_at"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    response = render(
        request,
        "encompass/notification_list.html",
        {"waiting": waiting, "page_obj": done, "now": timezone.now()},
    )
    when_successful(request, response, lambda: record_list(request, [*waiting, *done.object_list]))
    return response


def _child_or_404(request, pk) -> NotifiedChild:
    return get_object_or_404(selectors.visible_children(request.user), pk=pk)


@login_required
@permission_required(VIEW, raise_exception=True)
def notification_detail(request, pk):
    child = _child_or_404(request, pk)
    response = render(
        request,
        "encompass/notification_detail.html",
        {
            "child": child,
            "notification": child.notification,
            "can_acknowledge": request.user.has_perm(ACKNOWLEDGE) and not child.acknowledged,
            "escalations": child.escalations.all(),
            "support_services": selectors.support_services(),
            "now": timezone.now(),
        },
    )
    when_successful(
        request, response, lambda: record(request, AuditEvent.Action.VIEW, child, object_repr=child.reference)
    )
    return response


@login_required
@permission_required(ACKNOWLEDGE, raise_exception=True)
@require_http_methods(["GET", "POST"])
def acknowledge(request, pk):
    child = _child_or_404(request, pk)
    if child.acknowledged:
        messages.info(request, "This notification has already been acknowledged.")
        return redirect("encompass:detail", pk=child.pk)
    form = AcknowledgeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        services.acknowledge(
            request,
            child,
            user=request.user,
            action_taken=form.cleaned_data["action_taken"],
            action_notes=form.cleaned_data["action_notes"],
        )
        messages.success(request, f"Notification {child.reference} acknowledged")
        return redirect("encompass:detail", pk=child.pk)
    response = render(request, "encompass/acknowledge.html", {"child": child, "form": form})
    when_successful(
        request, response, lambda: record(request, AuditEvent.Action.VIEW, child, object_repr=child.reference)
    )
    return response


# --- Police web form ----------------------------------------------------------------------
@login_required
@permission_required(SUBMIT, raise_exception=True)
@require_http_methods(["GET", "POST"])
def submit(request):
    force = request.user.police_force.upper()
    if not force:
        raise PermissionDenied("Your account has no police force.")
    form = PoliceNotificationForm(request.POST if request.method == "POST" else None, force=force)
    if request.method == "POST" and form.is_valid():
        notification, _ = services.submit_notification(form.as_intake(), source="web", user=request.user)
        return redirect("encompass:submitted", pk=notification.pk)
    return render(request, "encompass/submit.html", {"form": form, "force": force})


@login_required
@permission_required(SUBMIT, raise_exception=True)
def submitted(request, pk):
    notification = get_object_or_404(
        Notification.objects.prefetch_related("children__school"), pk=pk, force=request.user.police_force.upper()
    )
    return render(request, "encompass/submitted.html", {"notification": notification})


# --- Local authority dashboard ------------------------------------------------------------
@login_required
@permission_required(DASHBOARD, raise_exception=True)
def dashboard(request):
    return render(request, "encompass/dashboard.html", selectors.dashboard())
