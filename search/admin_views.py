"""The directory team's zero-result report: what families searched for and found nothing,
with a one-click "make this a synonym of…" action."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Max
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.views.decorators.http import require_POST

from search import services
from search.models import SearchLog, SynonymGroup
from search.text import normalise_term, synonym_groups

REPORT_DAYS = 90
CHANGE_PERMISSION = "directory_search.change_synonymgroup"
VIEW_PERMISSIONS = ("directory_search.view_searchlog", CHANGE_PERMISSION)


def can_view(user) -> bool:
    return any(user.has_perm(p) for p in VIEW_PERMISSIONS)


def zero_result_terms(days: int = REPORT_DAYS, limit: int = 200) -> list[dict]:
    since = timezone.now() - datetime.timedelta(days=days)
    known = {term for group in synonym_groups() for term in group}
    rows = (
        SearchLog.objects.filter(result_count=0, created__gte=since)
        .exclude(text="")
        .values("text")
        .annotate(searches=Count("pk"), last_searched=Max("created"))
        .order_by("-searches", "-last_searched")[: limit * 2]
    )
    merged: dict[str, dict] = {}
    for row in rows:
        term = normalise_term(row["text"])
        if not term or term in known:
            continue
        entry = merged.setdefault(term, {"term": term, "searches": 0, "last_searched": row["last_searched"]})
        entry["searches"] += row["searches"]
        entry["last_searched"] = max(entry["last_searched"], row["last_searched"])
    return sorted(merged.values(), key=lambda r: (-r["searches"], r["term"]))[:limit]


def zero_results_report(request):
    if not can_view(request.user):
        raise PermissionDenied
    context = {
        "header_title": "Searches with no results",
        "rows": zero_result_terms(),
        "groups": SynonymGroup.objects.order_by("name"),
        "can_change": request.user.has_perm(CHANGE_PERMISSION),
        "days": REPORT_DAYS,
    }
    return TemplateResponse(request, "search/admin/zero_results.html", context)


@require_POST
def make_synonym(request):
    if not request.user.has_perm(CHANGE_PERMISSION):
        raise PermissionDenied
    term = normalise_term(request.POST.get("term", ""))[:100]
    group = get_object_or_404(SynonymGroup, pk=request.POST.get("group") or 0)
    if term and services.make_synonym(term, group):
        messages.success(request, f"Searches for “{term}” now find what “{group.name}” finds.")
    else:
        messages.warning(request, f"“{term}” is already in “{group.name}”, or is empty.")
    return redirect("search_zero_results")
