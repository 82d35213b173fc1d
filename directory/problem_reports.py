""" "Report a problem with this page": the form on every service page (the
``report-a-problem/`` route of ServicePage), with a honeypot and a per-address rate limit."""

from __future__ import annotations

import datetime

from django import forms
from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponseNotAllowed
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.crypto import salted_hmac

from directory import conf, services
from directory.models import ProblemReport
from portal.audit.models import AuditEvent
from portal.audit.services import client_ip, record

HONEYPOT = "website"
RATE_WINDOW_SECONDS = 3600


class ProblemReportForm(forms.Form):
    kind = forms.ChoiceField(
        label="What is wrong with this page?",
        choices=ProblemReport.Kind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select what is wrong with this page"},
    )
    details = forms.CharField(
        label="Tell us what is wrong",
        help_text="For example, the new phone number or opening times. "
        "Do not include personal information, such as your name or address.",
        max_length=ProblemReport.DETAILS_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={
            "required": "Enter what is wrong with this page",
            "max_length": f"What is wrong must be {ProblemReport.DETAILS_MAX_LENGTH} characters or fewer",
        },
    )
    email = forms.EmailField(
        label="Your email address",
        required=False,
        help_text="Only if you would like a reply. Only the council's directory team will see it.",
        error_messages={"invalid": "Enter an email address in the correct format, like name@example.com"},
    )
    # Left empty by people (it is hidden from them); bots fill in every box.
    website = forms.CharField(required=False, label="Leave this box empty")

    def visible_fields_for_page(self):
        return [self[name] for name in ("kind", "details", "email")]


def _rate_key(request) -> str:
    address = client_ip(request) or "unknown"
    return "directory:problem-report:" + salted_hmac("directory.problem-report", address).hexdigest()[:24]


def over_rate_limit(request) -> bool:
    return cache.get(_rate_key(request), 0) >= conf.problem_reports_per_hour()


def count_report(request) -> None:
    key = _rate_key(request)
    if cache.add(key, 1, RATE_WINDOW_SECONDS):
        return
    try:
        cache.incr(key)
    except ValueError:
        cache.set(key, 1, RATE_WINDOW_SECONDS)


def report_a_problem_view(request, page):
    template = "directory/problem_reports/form.html"
    if over_rate_limit(request):
        return TemplateResponse(request, "directory/problem_reports/too_many.html", {"page": page}, status=429)
    if request.method == "POST":
        form = ProblemReportForm(request.POST)
        if form.is_valid():
            count_report(request)
            if not form.cleaned_data[HONEYPOT]:
                services.create_problem_report(
                    page,
                    kind=form.cleaned_data["kind"],
                    details=form.cleaned_data["details"],
                    reporter_email=form.cleaned_data["email"],
                )
            # A bot that filled the honeypot sees the same confirmation, and nothing is stored.
            return redirect(page.url + page.reverse_subpage("report_a_problem_sent"))
    elif request.method == "GET":
        form = ProblemReportForm()
    else:
        return HttpResponseNotAllowed(["GET", "POST"])
    return TemplateResponse(request, template, {"page": page, "self": page, "form": form})


def report_sent_view(request, page):
    return TemplateResponse(request, "directory/problem_reports/sent.html", {"page": page, "self": page})


def purge_expired(*, now=None, dry_run: bool = False) -> list[tuple[str, int]]:
    """``purge_expired``'s step: the reporter's email address is needed only to reply while a
    report is open, so it is blanked RETENTION_REPORTER_EMAIL_DAYS after the report is resolved
    (the report itself stays: it is the listing's history, with no personal data)."""
    days = settings.RETENTION_REPORTER_EMAIL_DAYS
    cutoff = (now or timezone.now()) - datetime.timedelta(days=days)
    expired = ProblemReport.objects.exclude(reporter_email="").filter(resolved_at__lt=cutoff)
    if dry_run:
        count = expired.count()
    else:
        count = expired.update(reporter_email="")
        if count:
            record(
                None,
                AuditEvent.Action.PURGE,
                object_type=ProblemReport._meta.label_lower,
                detail={"reporter_emails_removed": count, "resolved_before": cutoff.isoformat()},
            )
    return [(f"problem reporters' email addresses kept more than {days} days after resolution", count)]
