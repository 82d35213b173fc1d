"""Directory screens in the Wagtail admin: services due for review (with "mark as verified")
and reported problems (with "resolve")."""

from __future__ import annotations

import django_filters

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.views.decorators.http import require_POST

from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.views import generic
from wagtail.admin.views.reports import ReportView
from wagtail.admin.viewsets.model import ModelViewSet

from directory import conf, selectors, services
from directory.editorial import EDITOR_GROUP, is_directory_manager
from directory.models import ProblemReport, ServicePage
from directory.verification import hidden_from


def _require_directory_user(user) -> None:
    """Directory managers see every service due for review; provider editors their own."""
    if not (is_directory_manager(user) or user.groups.filter(name=EDITOR_GROUP).exists()):
        raise PermissionDenied


# --- Services due for review -----------------------------------------------------------


class ServicesDueForReviewView(ReportView):
    page_title = "Services due for review"
    header_icon = "date"
    results_template_name = "directory/admin/services_due_results.html"
    index_url_name = "directory_services_due_for_review"
    index_results_url_name = "directory_services_due_for_review_results"
    paginate_by = 50
    list_export = ["title", "organisation", "review_due_on", "days_overdue", "request_state"]
    export_headings = {
        "title": "Service",
        "review_due_on": "Review due",
        "days_overdue": "Days overdue",
        "request_state": "Request",
    }

    def dispatch(self, request, *args, **kwargs):
        _require_directory_user(request.user)
        return super().dispatch(request, *args, **kwargs)

    def get_filename(self):
        return f"services-due-for-review-{timezone.localdate():%Y-%m-%d}"

    def get_queryset(self):
        return selectors.services_due_for_review(self.request.user)

    def decorate_paginated_queryset(self, object_list):
        today = timezone.localdate()
        rows = list(object_list)
        for page in rows:
            page.days_overdue = (today - page.review_due_on).days if page.review_due_on else None
            page.hidden_from = hidden_from(page)
            page.is_hidden = not page.is_verified
            requests = list(page.verification_requests.all())
            page.latest_request = requests[0] if requests else None
            page.request_state = page.latest_request.state if page.latest_request else "Not sent yet"
        return rows

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["can_mark_verified"] = is_directory_manager(self.request.user)
        context["grace_days"] = conf.verification_grace_days()
        return context


@require_POST
def mark_verified(request, page_id: int):
    """A directory manager confirms a listing from the report."""
    if not is_directory_manager(request.user):
        raise PermissionDenied
    page = get_object_or_404(ServicePage, pk=page_id)
    services.record_verification(page, user=request.user, request=request, via="admin")
    messages.success(request, f"{page.title} is marked as verified today.")
    return redirect("directory_services_due_for_review")


# --- Reported problems -----------------------------------------------------------------


class ProblemReportFilterSet(WagtailFilterSet):
    status = django_filters.ChoiceFilter(choices=ProblemReport.Status.choices, empty_label="Any status")
    kind = django_filters.ChoiceFilter(choices=ProblemReport.Kind.choices, empty_label="Any problem")

    class Meta:
        model = ProblemReport
        fields = ["status", "kind"]


class ProblemResolutionForm(WagtailAdminModelForm):
    class Meta:
        model = ProblemReport
        fields = ["resolution_note"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["resolution_note"].required = True
        self.fields["resolution_note"].label = "What was done about it"
        self.fields["resolution_note"].help_text = "Saving marks the problem resolved."
        self.fields["resolution_note"].error_messages["required"] = "Say what was done about the problem"


class _ScopedMixin:
    def get_queryset(self):
        return selectors.problem_reports_for(self.request.user)


class ProblemReportIndexView(generic.IndexView):
    def get_base_queryset(self):
        return selectors.problem_reports_for(self.request.user)


class ProblemReportEditView(_ScopedMixin, generic.EditView):
    success_message = "The problem with %(object)s is marked resolved."

    def get_object(self, queryset=None):
        self.kwargs[self.pk_url_kwarg] = self.object_pk
        return get_object_or_404(self.get_queryset(), pk=self.object_pk)

    def save_instance(self):
        return services.resolve_problem_report(
            self.object, user=self.request.user, note=self.form.cleaned_data["resolution_note"], request=self.request
        )

    def get_success_message(self, instance=None):
        return f"The problem with {self.object.service.title} is marked resolved."


class ProblemReportInspectView(generic.InspectView):
    def get_object(self, queryset=None):
        return get_object_or_404(selectors.problem_reports_for(self.request.user), pk=self.pk)

    def get_fields(self):
        fields = ["service", "kind", "details", "created_at", "status", "resolved_by", "resolved_at", "resolution_note"]
        if is_directory_manager(self.request.user):
            fields.insert(3, "reporter_email")
        return fields


class _ScopedObjectMixin:
    def get_base_object_queryset(self):
        return selectors.problem_reports_for(self.request.user)


class ProblemReportHistoryView(_ScopedObjectMixin, generic.HistoryView):
    pass


class ProblemReportUsageView(_ScopedObjectMixin, generic.UsageView):
    pass


class ProblemReportViewSet(ModelViewSet):
    """Reports are made by the public: the roles may view and change (resolve) them, never
    add or delete them, so Wagtail's add and delete views refuse everyone but superusers."""

    model = ProblemReport
    name = "directory_problem_reports"
    url_prefix = "directory/problems"
    icon = "warning"
    menu_label = "Reported problems"
    menu_order = 210
    add_to_admin_menu = True
    index_view_class = ProblemReportIndexView
    edit_view_class = ProblemReportEditView
    inspect_view_enabled = True
    inspect_view_class = ProblemReportInspectView
    history_view_class = ProblemReportHistoryView
    usage_view_class = ProblemReportUsageView
    form_fields = ["resolution_note"]
    list_display = ["service", "kind", "created_at", "status"]
    filterset_class = ProblemReportFilterSet
    search_fields = ["details", "service__title"]
    search_backend_name = None
    ordering = ["status", "-created_at"]
    copy_view_enabled = False

    def get_form_class(self, for_update=False):
        return ProblemResolutionForm
