"""Commissioners' insights: an overview, each dashboard (with its filters and an optional
comparison period), its CSV export and the directory's open data.

Thin views: the form turns the query string into :class:`~portal.insights.filters.Filters`,
a selector returns a disclosure-controlled :class:`~portal.insights.figures.Dashboard`, and
the template (or the CSV writer) shows it. No view here queries casework data itself, and
nothing links to a case or a family: the figures are aggregates only.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.decorators import login_required, permission_required
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_safe

from portal.audit.models import AuditEvent
from portal.audit.services import record

from . import disclosure, exports, selectors
from .figures import Dashboard, Headline, Table, for_page
from .forms import InsightFilterForm

VIEW = "insights.view_insights"
EXPORT = "insights.export_insights"
AUDIT_OBJECT_TYPE = "insights.insight"

# What each dashboard answers, for the overview (the figures themselves come from selectors).
ABOUT = {
    "early-help": (
        "Early help",
        "Referrals and re-referrals, decisions by outcome, step-up and step-down between levels of need, "
        "closures by reason, assessment timeliness and caseloads.",
    ),
    "outcomes": (
        "Outcomes",
        "Distance travelled in each outcome area, the share of families improving and the share whose "
        "progress lasted 6 months, by service and category, domestic abuse services first.",
    ),
    "encompass": (
        "Operation Encompass",
        "Notifications per month and by school phase, the share acknowledged before the deadline, the "
        "median time to acknowledge and notifications overdue.",
    ),
    "directory": (
        "Directory and search",
        "Searches, the search terms that found nothing (unmet demand), services by category and area, and "
        "the share verified in the last 6 months.",
    ),
}


def _guarded(*permissions: str):
    """Anonymous → sign in; signed in without the permissions → 403. GET and HEAD only."""

    def decorator(view):
        return login_required(permission_required(permissions, raise_exception=True)(require_safe(view)))

    return decorator


def _selector(slug: str):
    try:
        return selectors.DASHBOARDS[slug]
    except KeyError:
        raise Http404("No such dashboard") from None


def _form(request, slug: str) -> InsightFilterForm:
    return InsightFilterForm(request.GET, choices=selectors.filter_choices(slug), today=timezone.localdate())


def _dashboard_links(current: str = "") -> list[dict]:
    return [
        {
            "slug": slug,
            "title": ABOUT.get(slug, (slug.replace("-", " ").capitalize(), ""))[0],
            "description": ABOUT.get(slug, ("", ""))[1],
            "url": reverse("insights:dashboard", kwargs={"slug": slug}),
            "current": slug == current,
        }
        for slug in selectors.DASHBOARDS
    ]


@_guarded(VIEW)
def index(request):
    return render(
        request,
        "insights/index.html",
        {
            "dashboards": _dashboard_links(),
            "can_export": request.user.has_perm(EXPORT),
            "disclosure_note": disclosure.primary_note(),
        },
    )


# --- A dashboard, alone or beside another period ----------------------------------------------
@dataclass(frozen=True)
class FigurePair:
    """One table of the dashboard and, when comparing, the same table over the other period."""

    table: Table
    other: Table | None = None


@dataclass(frozen=True)
class HeadlinePair:
    headline: Headline
    other: Headline | None = None


def _pairs(current: Dashboard, other: Dashboard | None) -> dict:
    def other_table(key: str) -> Table | None:
        if other is None:
            return None
        try:
            return other.table(key)
        except KeyError:
            return None

    def other_headline(key: str) -> Headline | None:
        if other is None:
            return None
        try:
            return other.headline(key)
        except KeyError:
            return None

    return {
        "headlines": [HeadlinePair(h, other_headline(h.key)) for h in current.headlines],
        "sections": [
            {
                "section": section,
                "figures": [FigurePair(for_page(t), for_page(other_table(t.key))) for t in section.tables],
            }
            for section in current.sections
        ],
    }


def _audit(request, action, slug: str, form: InsightFilterForm, object_repr: str, **extra) -> None:
    """Every dashboard shown and every CSV downloaded, with its slug and filters: the record a
    reviewer needs to spot someone differencing filtered views (ADR 0014, residual risk)."""
    record(
        request,
        action,
        object_type=AUDIT_OBJECT_TYPE,
        object_id=slug,
        object_repr=object_repr,
        detail={"filters": form.audit_detail(), "summary": form.summary_text(), **extra},
    )


@_guarded(VIEW)
def dashboard(request, slug):
    """The dashboard for the filters asked for. Each one shown is audited (a page whose
    filters have a mistake shows no figures, so is not)."""
    selector = _selector(slug)
    form = _form(request, slug)
    context = {
        "slug": slug,
        "title": ABOUT.get(slug, (slug.replace("-", " ").capitalize(), ""))[0],
        "form": form,
        "dashboards": _dashboard_links(slug),
        "can_export": request.user.has_perm(EXPORT),
        "query": request.GET.urlencode(),
        "current": None,
        "other": None,
    }
    if form.is_valid():
        current = selector(form.filters())
        comparison = form.comparison()
        other = selector(comparison) if comparison else None
        context.update(
            current=current,
            other=other,
            title=current.title,
            filter_summary=form.summary_text(),
            **_pairs(current, other),
        )
        _audit(request, AuditEvent.Action.VIEW, slug, form, f"{current.title} insights")
    return render(request, "insights/dashboard.html", context)


@_guarded(VIEW, EXPORT)
def export(request, slug):
    """The dashboard's figures as one plain CSV (see :func:`exports.dashboard_csv`): a header
    row, then one row per cell with columns dashboard, period, period_from, period_to,
    filters, table, row, column, value. The filters column is the summary the page shows
    ("Area: North · Level of need: Level 3", or "No filters"). The notes on disclosure
    control (and the dashboard's own notes) are rows too, with table "Notes" and the note
    in value, so any CSV reader takes the file as it is. A comparison adds the other
    period's rows. Every download is audited with its filters and data row count."""
    selector = _selector(slug)
    form = _form(request, slug)
    if not form.is_valid():
        # The dashboard shows what is wrong, with what was typed kept.
        return HttpResponseRedirect(f"{reverse('insights:dashboard', kwargs={'slug': slug})}?{request.GET.urlencode()}")
    filters, comparison = form.filters(), form.comparison()
    periods = [filters, *([comparison] if comparison else [])]
    dashboards = [(selector(period), period) for period in periods]
    text, rows = exports.dashboard_csv(dashboards, form.summary_text())
    _audit(request, AuditEvent.Action.EXPORT, slug, form, f"{dashboards[0][0].title} insights (CSV)", rows=rows)
    response = HttpResponse(text, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="insights-{slug}-{filters.date_from:%Y-%m-%d}-to-{filters.date_to:%Y-%m-%d}.csv"'
    )
    return response


@_guarded(VIEW)
def open_data(request):
    text = exports.open_data_json()
    record(
        request,
        AuditEvent.Action.EXPORT,
        object_type=AUDIT_OBJECT_TYPE,
        object_id="open-data",
        object_repr="Directory open data (Open Referral UK JSON)",
    )
    response = HttpResponse(text, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="open-referral-services-{timezone.localdate():%Y-%m-%d}.json"'
    )
    return response
