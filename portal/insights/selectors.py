"""Commissioners' insights: the query layer (issue 8; ADR 0014).

Four dashboards, each a function of :class:`Filters` returning a :class:`Dashboard` whose every
number went through :mod:`portal.insights.disclosure`. Everything is aggregated in the
database (GROUP BY, conditional aggregation, window functions), so each dashboard runs a fixed
number of queries however many families there are; months are bucketed with a CASE over the
period's month boundaries (plain comparisons, no per-row date functions).

The domain rules are the casework's own: re-referral is :mod:`eh_assessments.rereferral`'s
12-month rule (anniversary inclusive, per child, earlier requests only), distance travelled is
:mod:`eh_assessments.outcomes`' (latest scoring minus the start one, practitioner and family
separately), timeliness is :mod:`eh_assessments.timeliness`' stored 45-working-day target and
each child's own target.
"""

# The raw SQL below is built from model table names (quoted) and fixed text only; every value
# is a query parameter.
# ruff: noqa: S608

from __future__ import annotations

import dataclasses
import datetime
import functools
import gc
import re
from collections import defaultdict
from collections.abc import Callable
from operator import itemgetter
from types import SimpleNamespace

from dateutil.relativedelta import relativedelta

from django.db import connection
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    FloatField,
    Func,
    IntegerField,
    OuterRef,
    Q,
    Value,
    When,
    Window,
)
from django.db.models.functions import Lower, RowNumber, Trim, TruncDate
from django.utils import timezone
from django.utils.text import slugify

from search.postcodes import outcode_of

from . import disclosure as dc
from .disclosure import Count as C
from .disclosure import Share, Stat
from .figures import PAGE_ROWS, Chart, Dashboard, Headline, Section, Table, Unit
from .filters import Filters

LEVELS = {1: "Level 1", 2: "Level 2", 3: "Level 3", 4: "Level 4"}
LEVEL_CHOICES = [
    (1, "Level 1: universal"),
    (2, "Level 2: additional needs"),
    (3, "Level 3: multiple or complex needs"),
    (4, "Level 4: acute or statutory"),
]
CONFIDENTIAL_AREA = "Confidential location"
NO_LOCATION = "No location given"


# --- Periods and months -----------------------------------------------------------------------


def period_label(filters: Filters) -> str:
    return f"{filters.date_from:%-d %B %Y} to {filters.date_to:%-d %B %Y}"


def _start_of(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def _bounds(filters: Filters) -> tuple[datetime.datetime, datetime.datetime]:
    """The period as aware datetimes [start, end) in local time, for DateTimeFields."""
    return _start_of(filters.date_from), _start_of(filters.date_to + datetime.timedelta(days=1))


def months(filters: Filters) -> list[datetime.date]:
    first = filters.date_from.replace(day=1)
    out = []
    while first <= filters.date_to:
        out.append(first)
        first += relativedelta(months=1)
    return out


def _month_rows(filters: Filters) -> list[tuple[str, str]]:
    return [(f"{m:%Y-%m}", f"{m:%B %Y}") for m in months(filters)]


def _month_tree(bounds: list, branch: Callable, leaf: Callable, lo: int = 0, hi: int | None = None):
    """A balanced tree of "before this month's end?" tests over months ``lo``..``hi - 1``:
    ``bounds[i]`` is the end of month ``i``, ``branch(bound, left, right)`` one test and
    ``leaf(i)`` a month's index. About five comparisons a row for two years, where a flat CASE
    makes up to fifty (which was half the cost of the busiest dashboard queries on SQLite)."""
    hi = len(bounds) if hi is None else hi
    if hi - lo == 1:
        return leaf(lo)
    mid = (lo + hi) // 2
    return branch(
        bounds[mid - 1], _month_tree(bounds, branch, leaf, lo, mid), _month_tree(bounds, branch, leaf, mid, hi)
    )


def _month_bounds(filters: Filters, *, aware: bool) -> tuple[object, list]:
    """The start of the period's first month and the end of each month (aware datetimes or dates)."""
    convert = _start_of if aware else (lambda day: day)
    ms = months(filters)
    return convert(ms[0]), [convert(m + relativedelta(months=1)) for m in ms]


def _month_case(field: str, filters: Filters, *, aware: bool) -> Case:
    """The index (0, 1, …) of the period's month ``field`` falls in (-1 outside the months)."""
    start, bounds = _month_bounds(filters, aware=aware)

    def branch(bound, left, right):
        return Case(When(**{f"{field}__lt": bound}, then=left), default=right, output_field=IntegerField())

    inside = _month_tree(bounds, branch, lambda i: Value(i))
    outside = Q(**{f"{field}__lt": start}) | Q(**{f"{field}__gte": bounds[-1]})
    return Case(When(outside, then=Value(-1)), default=inside, output_field=IntegerField())


def _month_case_sql(column: str, filters: Filters) -> tuple[str, list]:
    """:func:`_month_case` as SQL text and parameters, for a date column of a raw query."""
    start, bounds = _month_bounds(filters, aware=False)

    def branch(bound, left, right):
        return f"CASE WHEN {column} < %s THEN {left[0]} ELSE {right[0]} END", [bound, *left[1], *right[1]]

    inside, params = _month_tree(bounds, branch, lambda i: (str(i), []))
    return f"CASE WHEN {column} < %s OR {column} >= %s THEN -1 ELSE {inside} END", [start, bounds[-1], *params]


def _by_month(rows, n: int, *keys: str) -> dict[str, list[int]]:
    """``rows`` of dicts with ``m`` (month index) and counts → {key: [count per month]}."""
    out = {k: [0] * n for k in keys}
    for row in rows:
        if 0 <= row["m"] < n:
            for k in keys:
                out[k][row["m"]] += row[k] or 0
    return out


def _area_q(filters: Filters, team_path: str) -> Q:
    return Q(**{f"{team_path}__area": filters.area}) if filters.area else Q()


def _district_q(field: str, area: str) -> Q:
    area = area.strip().upper()
    return Q(**{f"{field}__iexact": area}) | Q(**{f"{field}__istartswith": f"{area} "})


# --- Early help ----------------------------------------------------------------------------------


def _rereferral_sql(filters: Filters, select: str, group_by: str = "") -> tuple[str, list]:
    """The period's (referral, child) links with ``m`` (the month index) and ``re`` = 1 for a
    re-referral: :mod:`eh_assessments.rereferral`'s rule (a child named on an earlier request
    received within the 12 months before, the anniversary counting), which
    ``ReferralChild.rereferral`` stores with each link and ``rereferral.refresh_flags`` keeps
    right as requests change — so the period's links are counted, never compared."""
    from eh_assessments.models import Family, Referral, ReferralChild

    link, ref = _q(ReferralChild._meta.db_table), _q(Referral._meta.db_table)
    month, params = _month_case_sql("r.received_on", filters)
    where, wparams = ["r.received_on >= %s", "r.received_on <= %s"], [filters.date_from, filters.date_to]
    if filters.area:
        team = _tbl("Team", "accounts")
        where.append(
            f"r.family_id IN (SELECT f.id FROM {_q(Family._meta.db_table)} f JOIN {team} t ON t.id = f.team_id "
            "WHERE t.area = %s)"
        )
        wparams.append(filters.area)
    sql = f"""
    WITH x AS (
      SELECT c.referral_id AS referral_id, c.person_id AS person_id, r.source_agency AS source_agency,
             {month} AS m, CASE WHEN c.rereferral THEN 1 ELSE 0 END AS re
      FROM {link} c JOIN {ref} r ON r.id = c.referral_id
      WHERE {" AND ".join(where)}
    )
    SELECT {select} FROM x {group_by}
    """
    return sql, [*params, *wparams]


def rereferral_links(filters: Filters) -> list[tuple[int, int, bool]]:
    """(referral id, child id, is a re-referral) for every child named on a request in the
    period: the rows the dashboard counts (for tests and checks)."""
    sql, params = _rereferral_sql(filters, "referral_id, person_id, re")
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [(r, p, bool(re)) for r, p, re in cursor.fetchall()]


def _referrals_table(filters: Filters) -> tuple[dc.Spec, dc.Spec]:
    """Referrals by month and by source: two partitions of one total (tied in early_help)."""
    rows = _month_rows(filters)
    sql, params = _rereferral_sql(filters, "m, source_agency, COUNT(*), SUM(re)", "GROUP BY m, source_agency")
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        data = [{"m": m, "source": s, "n": n, "re": re} for m, s, n, re in cursor.fetchall()]
    per_month = _by_month(data, len(rows), "n", "re")
    by_month = dc.Spec(
        "referrals",
        "Referrals and re-referrals by month",
        "Month",
        rows,
        [
            C("Referrals", per_month["n"]),
            C("Re-referrals", per_month["re"], part_of="Referrals"),
            Share("Re-referral rate", "Re-referrals", "Referrals"),
        ],
        chart=Chart.LINE,
        chart_columns=("Referrals", "Re-referrals"),
        description=(
            "Children named on requests for help received in each month (a request about two children "
            "counts twice, as the children in need census counts referrals). A re-referral is a child "
            "named on an earlier request received within the 12 months before (the anniversary counts)."
        ),
        notes=("The level of need filter does not apply: a request for help has no level until it is decided.",),
    )
    from eh_assessments.models import SOURCE_AGENCY_CHOICES

    known = {code for code, _ in SOURCE_AGENCY_CHOICES}
    agency = defaultdict(int)
    for row in data:  # a code no longer offered counts as "other", so both tables have one total
        agency[row["source"] if row["source"] in known else "other"] += row["n"]
    by_source = dc.Spec(
        "referrals_by_source",
        "Referrals by source agency",
        "Source agency",
        list(SOURCE_AGENCY_CHOICES),
        [C("Referrals", [agency.get(code, 0) for code, _ in SOURCE_AGENCY_CHOICES])],
        chart=Chart.BAR,
        description="Children named on requests for help received in the period, by who asked for help.",
    )
    return by_month, by_source


def _effective_decisions(filters: Filters):
    from eh_assessments.models_casework import Decision

    start, end = _bounds(filters)
    qs = Decision.objects.filter(
        status__in=(Decision.Status.RECORDED, Decision.Status.APPROVED), proposed_at__gte=start, proposed_at__lt=end
    ).filter(_area_q(filters, "family__team"))
    if filters.level:
        qs = qs.filter(level_of_need=filters.level)
    return qs


def _decision_tables(filters: Filters) -> tuple[dc.Spec, dc.Spec, dc.Spec]:
    """Decisions by kind, step-up and step-down by month, and flows between levels: the same
    step decisions counted three ways, so early_help suppresses them jointly (DECISION_LINKS)."""
    from eh_assessments.models_casework import Decision

    Kind = Decision.Kind
    rows = _month_rows(filters)
    data = list(
        _effective_decisions(filters)
        .annotate(m=_month_case("proposed_at", filters, aware=True))
        .values("m", "kind")
        .annotate(n=Count("pk"))
        .order_by()
    )
    kinds = defaultdict(int)
    up, down = [0] * len(rows), [0] * len(rows)
    for row in data:
        kinds[row["kind"]] += row["n"]
        if 0 <= row["m"] < len(rows):
            if row["kind"] in (Kind.STEP_UP_CIN, Kind.STEP_UP_CP):
                up[row["m"]] += row["n"]
            elif row["kind"] == Kind.STEP_DOWN:
                down[row["m"]] += row["n"]
    by_kind = dc.Spec(
        "decisions",
        "Decisions by outcome",
        "Decision",
        [(k.value, k.label) for k in Kind],
        [C("Decisions", [kinds.get(k.value, 0) for k in Kind])],
        chart=Chart.BAR,
        description=(
            "Decisions that took effect (recorded, or signed off by a manager), by the day they were "
            "proposed. Decisions waiting for sign-off or not agreed are not counted."
        ),
        notes=("The level of need filter counts decisions made at that level.",),
    )
    # No "Total" column: step-up plus step-down is not a figure anyone needs, and every extra
    # total is one more sum to protect.
    steps = dc.Spec(
        "steps",
        "Step-up and step-down by month",
        "Month",
        rows,
        [C("Step-up", up), C("Step-down", down)],
        chart=Chart.LINE,
        description=(
            "Step-up to children's social care (child in need or child protection) and step-down from "
            "child in need to early help: effective decisions, by the day they were proposed."
        ),
    )
    # Flows: step-up from the episode's level (or straight from a request: no episode) to the
    # decided level; step-down from level 4 to the decided level. A decision with no level
    # recorded has the level the casework service gives it (4 for a step-up, 2 for a step-down),
    # so the flows count every step decision, as the other two tables do.
    flow_rows = [("none", "No early help episode")] + [(f"level-{n}", label) for n, label in LEVELS.items()]
    flow = list(
        _effective_decisions(filters)
        .filter(kind__in=(Kind.STEP_UP_CIN, Kind.STEP_UP_CP, Kind.STEP_DOWN))
        .annotate(
            from_level=Case(
                When(kind=Kind.STEP_DOWN, then=Value(4)),
                default=F("episode__level_of_need"),
                output_field=IntegerField(),
            )
        )
        .values("from_level", "level_of_need", "kind")
        .annotate(n=Count("pk"))
        .order_by()
    )
    grid = {(r, c): 0 for r in range(5) for c in range(1, 5)}
    for row in flow:
        to = row["level_of_need"] or (2 if row["kind"] == Kind.STEP_DOWN else 4)
        grid[(row["from_level"] if row["from_level"] in LEVELS else 0, to if to in LEVELS else 4)] += row["n"]
    flows = dc.Spec(
        "flows",
        "Flows between levels of need",
        "From",
        flow_rows,
        [C(f"To {label}", [grid[(r, c)] for r in range(5)]) for c, label in LEVELS.items()],
        row_total="Total",
        chart=Chart.FLOW,
        description=(
            "Step-up and step-down decisions that took effect in the period: from the level of need of "
            "the episode stepped up (or of child in need, level 4, for a step-down) to the level decided."
        ),
    )
    return by_kind, steps, flows


# Lines across the decision tables (the last cell of each is the sum of the others): the same
# step decisions are counted by kind, by month and by level, so a step-up total hidden in one
# table must not be worked out from another.
DECISION_LINKS = (
    (
        ("decisions", "step_up_cin", "Decisions"),
        ("decisions", "step_up_cp", "Decisions"),
        ("steps", dc.TOTAL_KEY, "Step-up"),
    ),
    (("decisions", "step_down", "Decisions"), ("steps", dc.TOTAL_KEY, "Step-down")),
    (("steps", dc.TOTAL_KEY, "Step-up"), ("steps", dc.TOTAL_KEY, "Step-down"), ("flows", dc.TOTAL_KEY, "Total")),
)
# Referrals by month and by source count the same children named on requests.
REFERRAL_LINKS = ((("referrals", dc.TOTAL_KEY, "Referrals"), ("referrals_by_source", dc.TOTAL_KEY, "Referrals")),)


def _closures_table(filters: Filters) -> dc.Spec:
    from eh_assessments.models_casework import ClosureReason, Episode

    qs = Episode.objects.filter(
        status=Episode.Status.CLOSED, closed_on__gte=filters.date_from, closed_on__lte=filters.date_to
    ).filter(_area_q(filters, "team"))
    if filters.level:
        qs = qs.filter(level_of_need=filters.level)
    counts = dict(qs.values_list("closure_reason").annotate(n=Count("pk")).order_by())
    return dc.Spec(
        "closures",
        "Closures by reason",
        "Closure reason",
        [(r.value, r.label) for r in ClosureReason],
        [C("Episodes closed", [counts.get(r.value, 0) for r in ClosureReason])],
        chart=Chart.BAR,
        description="Episodes of early help closed in the period (by the day closed), by the reason recorded.",
    )


def _timeliness_table(filters: Filters) -> dc.Spec:
    """By the local day of submission (``Assessment.submitted_on``, stored with the time), so
    the period, the month and the target are all plain date comparisons in the database."""
    from eh_assessments.models import Assessment, ChildTarget

    rows = _month_rows(filters)
    base = Q(submitted_on__gte=filters.date_from, submitted_on__lte=filters.date_to) & _area_q(filters, "family__team")
    if filters.level:
        base &= Q(level_of_need=filters.level)
    assessments = list(
        Assessment.objects.filter(base, target_date__isnull=False)
        .annotate(m=_month_case("submitted_on", filters, aware=False))
        .values("m")
        .annotate(n=Count("pk"), ok=Count("pk", filter=Q(submitted_on__lte=F("target_date"))))
        .order_by()
    )
    prefixed = Q(
        assessment__submitted_on__gte=filters.date_from, assessment__submitted_on__lte=filters.date_to
    ) & _area_q(filters, "assessment__family__team")
    if filters.level:
        prefixed &= Q(assessment__level_of_need=filters.level)
    children = list(
        ChildTarget.objects.filter(prefixed)
        .annotate(m=_month_case("assessment__submitted_on", filters, aware=False))
        .values("m")
        .annotate(n=Count("pk"), ok=Count("pk", filter=Q(assessment__submitted_on__lte=F("target_date"))))
        .order_by()
    )
    a = _by_month(assessments, len(rows), "n", "ok")
    c = _by_month(children, len(rows), "n", "ok")
    return dc.Spec(
        "timeliness",
        "Assessment timeliness by month",
        "Month",
        rows,
        [
            C("Assessments submitted", a["n"]),
            C("Within 45 working days", a["ok"], part_of="Assessments submitted"),
            Share("Share within 45 working days", "Within 45 working days", "Assessments submitted"),
            C("Children with their own target", c["n"]),
            C("Within the child's target", c["ok"], part_of="Children with their own target"),
            Share("Share within the child's target", "Within the child's target", "Children with their own target"),
        ],
        chart=Chart.LINE,
        chart_columns=("Share within 45 working days", "Share within the child's target"),
        chart_unit=Unit.PERCENT,
        description=(
            "Early help assessments submitted in each month: how many were submitted by their 45 working "
            "day target (the target stored when the assessment started), and how many children with a "
            "target of their own had the assessment submitted by that date."
        ),
    )


def _caseload_table(filters: Filters) -> dc.Spec:
    from eh_assessments.models_casework import Episode

    end = filters.date_to
    qs = (
        Episode.objects.filter(opened_on__isnull=False, opened_on__lte=end)
        .filter(Q(closed_on__isnull=True) | Q(closed_on__gt=end))
        .filter(_area_q(filters, "team"))
    )
    if filters.level:
        qs = qs.filter(level_of_need=filters.level)
    data = list(qs.values("team_id", "team__name", "level_of_need").annotate(n=Count("pk")).order_by())
    teams: dict = {}
    for row in data:
        teams.setdefault(row["team_id"], row["team__name"] or "No team")
    order = sorted(teams, key=lambda t: (t is None, teams[t]))
    grid = {(row["team_id"], row["level_of_need"]): row["n"] for row in data}
    return dc.Spec(
        "caseloads",
        f"Caseloads on {end:%-d %B %Y}",
        "Team",
        [(f"team-{t}" if t else "team-none", teams[t]) for t in order],
        [C(label, [grid.get((t, level), 0) for t in order]) for level, label in LEVELS.items()],
        row_total="Total",
        chart=Chart.STACKED_BAR,
        dated=True,
        description=(
            f"Episodes of early help open on {end:%-d %B %Y}, the last day of the period (opened on or "
            "before that day and not closed by the end of it), by team and level of need."
        ),
    )


def early_help(filters: Filters) -> Dashboard:
    # One joint suppression for the whole page: tables tied by sums (REFERRAL_LINKS,
    # DECISION_LINKS) are suppressed as one grid, and every headline is a cell of a table, so a
    # quantity shows the same wherever it appears and no hidden cell can be worked out from
    # another table's figures.
    referrals, by_source, decisions, steps, flows, closures, timeliness, caseloads = dc.tables(
        [
            *_referrals_table(filters),
            *_decision_tables(filters),
            _closures_table(filters),
            _timeliness_table(filters),
            _caseload_table(filters),
        ],
        (*REFERRAL_LINKS, *DECISION_LINKS),
    )
    headlines = (
        Headline("referrals", "Referrals", referrals.cell(dc.TOTAL_KEY, "Referrals"), "Children named on requests"),
        Headline(
            "rereferral_rate",
            "Re-referral rate",
            referrals.cell(dc.TOTAL_KEY, "Re-referral rate"),
            "Referred again within 12 months",
        ),
        Headline("step_ups", "Step-ups", steps.cell(dc.TOTAL_KEY, "Step-up"), "To children's social care"),
        Headline("step_downs", "Step-downs", steps.cell(dc.TOTAL_KEY, "Step-down"), "From child in need"),
        Headline(
            "within_45",
            "Assessments within 45 working days",
            timeliness.cell(dc.TOTAL_KEY, "Share within 45 working days"),
        ),
        Headline(
            "within_child_target",
            "Children within their own target",
            timeliness.cell(dc.TOTAL_KEY, "Share within the child's target"),
        ),
        Headline("caseload", "Open episodes", caseloads.cell(dc.TOTAL_KEY, "Total"), f"On {filters.date_to:%-d %B %Y}"),
    )
    return Dashboard(
        "early-help",
        "Early help",
        period_label(filters),
        headlines,
        (
            Section("referrals", "Referrals and re-referrals", (referrals, by_source)),
            Section("decisions", "Decisions, step-up and step-down", (decisions, steps, flows)),
            Section("closures", "Closures", (closures,)),
            Section("timeliness", "Assessment timeliness", (timeliness,)),
            Section("caseloads", "Caseloads", (caseloads,)),
        ),
        notes=(dc.primary_note(), "Area is the locality of the family's team (of the episode's team for episodes)."),
    )


# --- Outcomes -------------------------------------------------------------------------------------


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


def _tbl(model_name: str, app: str = "eh_assessments") -> str:
    from django.apps import apps

    return _q(apps.get_model(app, model_name)._meta.db_table)


def _using_sql() -> str:
    """(episode_id, service_id): each directory service an episode's plan used, once (the
    EpisodeService read model, written with the plan's actions)."""
    return f"SELECT u.episode_id AS episode_id, u.service_page_id AS service_id FROM {_tbl('EpisodeService')} u WHERE 1 = 1"


def _services_filter_sql(filters: Filters) -> tuple[str, list] | None:
    """The ServicePage ids the service and category filters select (a category includes the
    terms directly under it), as a SQL subquery; None when neither filter is set."""
    if not (filters.service or filters.category):
        return None
    sql = "SELECT p.page_ptr_id FROM " + _tbl("ServicePage", "directory") + " p WHERE 1 = 1"
    params: list = []
    if filters.service:
        sql += " AND p.page_ptr_id = %s"
        params.append(filters.service)
    if filters.category:
        from directory.models import ServicePage

        through = _q(ServicePage.taxonomy_terms.through._meta.db_table)
        sql += (
            f" AND p.page_ptr_id IN (SELECT st.servicepage_id FROM {through} st JOIN "
            f"{_tbl('TaxonomyTerm', 'directory')} t ON t.id = st.taxonomyterm_id WHERE t.id = %s OR t.parent_id = %s)"
        )
        params += [filters.category, filters.category]
    return sql, params


def _episode_where(filters: Filters, alias: str, using: str | None = None) -> tuple[list[str], list]:
    """Area, level, service and category filters on an episode (SQL conditions on ``alias``);
    ``using``: the (episode_id, service_id) rows the service filter reads (default
    :func:`_using_sql`)."""
    where: list[str] = []
    params: list = []
    if filters.area:
        where.append(f"{alias}.team_id IN (SELECT id FROM {_tbl('Team', 'accounts')} WHERE area = %s)")
        params.append(filters.area)
    if filters.level:
        where.append(f"{alias}.level_of_need = %s")
        params.append(filters.level)
    services = _services_filter_sql(filters)
    if services is not None:
        sql, sparams = services
        where.append(
            f"{alias}.id IN (SELECT u.episode_id FROM ({using or _using_sql()}) u WHERE u.service_id IN ({sql}))"
        )
        params.extend(sparams)
    return where, params


_FIRST, _SECOND, _THIRD = itemgetter(0), itemgetter(1), itemgetter(2)


def _gc_paused(function):
    """Run ``function`` with the cyclic garbage collector paused. The outcomes dashboard holds a
    few hundred thousand small tuples, sets and lists until it returns (none can form a cycle:
    reference counting frees them all); the collector otherwise went over them again and again
    as they were made, about an eighth of the dashboard's time at 100,000 families. Collection
    resumes afterwards. The switch is the process's: with gunicorn threads, another request's
    garbage cycles wait until then too (nothing is lost; reference counting still frees
    everything else), and a thread that finds it already paused leaves it as it is."""

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        if not gc.isenabled():
            return function(*args, **kwargs)
        gc.disable()
        try:
            return function(*args, **kwargs)
        finally:
            gc.enable()

    return wrapper


def _outcome_figures(filters: Filters) -> tuple[dict, dict]:
    """The outcomes dashboard's figures before disclosure control, in five queries:

    * ``per_area`` {area: (n, improved, avg_p, n_f, avg_f)}: for each outcome area, the
      episodes closed in the period with a practitioner change in it (start and later score),
      how many went up, the average change by the practitioner, and by the family where they
      scored twice (:func:`eh_assessments.outcomes.distance_travelled`, from the
      EpisodeOutcomeTotal read model's column pair for the area);
    * ``figures`` {(kind, id): {"fam" | "chk": (n, ok, avg_p, n_f, avg_f)}} for kind ``all``
      (id 0), ``service`` (a directory service used in the plans of at least T of the families
      scored), ``other`` (id 0: the families using any other service, each once) and ``term``
      (a category: its services and those of the categories directly under it, each family
      once). ``fam``: the families scored (one EpisodeOutcomeTotal row each), how many
      improved, and the averages of their average changes; ``chk``: the sustained-outcome
      checks recorded in the period and how many found the change sustained.

    The families are read one row each (EpisodeOutcomeTotal) and grouped here, by service
    (EpisodeService's pairs) and as sets for "other", the categories and everyone (a family
    using two services of a category counts once): SQLite has no hash aggregation, and
    grouping that way in SQL took over a second at 100,000 families."""
    from directory.models import ServicePage
    from eh_assessments.models_casework import Episode
    from eh_assessments.outcomes import AREA_CODES, area_columns

    where, params = _episode_where(filters, "e")
    eps = f"SELECT e.id FROM {_tbl('Episode')} e WHERE " + " AND ".join(
        ["e.status = %s", "e.closed_on >= %s", "e.closed_on <= %s", *where]
    )
    ep_params = [Episode.Status.CLOSED, filters.date_from, filters.date_to, *params]
    checked = f"FROM {_tbl('SustainedCheck')} c JOIN {_tbl('Episode')} e ON e.id = c.episode_id WHERE " + " AND ".join(
        ["c.checked_on >= %s", "c.checked_on <= %s", *where]
    )
    chk_params = [filters.date_from, filters.date_to, *params]
    through = _q(ServicePage.taxonomy_terms.through._meta.db_table)
    with connection.cursor() as cursor:
        columns = [area_columns(code) for code in AREA_CODES]
        cursor.execute(
            "SELECT "
            + ", ".join(
                f"COUNT(t.{p}), SUM(CASE WHEN t.{p} > 0 THEN 1 ELSE 0 END), AVG(t.{p} * 1.0), COUNT(t.{f}), AVG(t.{f} * 1.0)"
                for p, f in columns
            )
            + f" FROM {_tbl('EpisodeOutcomeTotal')} t WHERE t.episode_id IN ({eps})",
            ep_params,
        )
        row = cursor.fetchone()
        per_area = {}
        for i, code in enumerate(AREA_CODES):
            n, ok, avg_p, n_f, avg_f = row[5 * i : 5 * i + 5]
            if n:
                per_area[code] = (int(n), int(ok or 0), avg_p, int(n_f), avg_f)
        cursor.execute(
            "SELECT t.episode_id, t.improved, t.change_practitioner, t.change_family "
            f"FROM {_tbl('EpisodeOutcomeTotal')} t WHERE t.episode_id IN ({eps})",
            ep_params,
        )
        fam = {
            episode: (1 if improved else 0, change_p, change_f)
            for episode, improved, change_p, change_f in cursor.fetchall()
        }
        cursor.execute(f"SELECT c.episode_id, c.sustained {checked}", chk_params)
        chk = {episode: 1 if sustained else 0 for episode, sustained in cursor.fetchall()}
        cursor.execute(
            f"{_using_sql()} AND (u.episode_id IN ({eps}) OR u.episode_id IN (SELECT c.episode_id {checked}))",
            [*ep_params, *chk_params],
        )
        used = cursor.fetchall()
        cursor.execute(
            f"SELECT st.servicepage_id, st.taxonomyterm_id, tt.parent_id FROM {through} st "
            f"JOIN {_tbl('TaxonomyTerm', 'directory')} tt ON tt.id = st.taxonomyterm_id"
        )
        terms_of_service: dict[int, set[int]] = defaultdict(set)
        for service, term, parent in cursor.fetchall():
            terms_of_service[service].add(term)
            if parent is not None:
                terms_of_service[service].add(parent)

    fam_of, chk_of = fam.get, chk.get

    def totals(episodes) -> tuple[tuple | None, tuple | None]:
        """("fam", "chk") figures of a group of distinct episodes (None: none in the group)."""
        scored = [row for row in map(fam_of, episodes) if row is not None]
        checks = [check for check in map(chk_of, episodes) if check is not None]
        fam_row = chk_row = None
        if scored:
            family = [change for change in map(_THIRD, scored) if change is not None]
            n, n_family = len(scored), len(family)
            fam_row = (
                n,
                sum(map(_FIRST, scored)),
                sum(map(_SECOND, scored)) / n,
                n_family,
                sum(family) / n_family if n_family else None,
            )
        if checks:
            chk_row = (len(checks), sum(checks), None, 0, None)
        return fam_row, chk_row

    # Each service's families: (episode, service) pairs are distinct, so a family counts once.
    by_service: dict[int, list[int]] = defaultdict(list)
    for episode, service in used:
        by_service[service].append(episode)
    t = dc.threshold()
    figures: dict[tuple[str, int], dict[str, tuple]] = defaultdict(dict)
    listed = set()
    for service, episodes in by_service.items():
        fam_row, chk_row = totals(episodes)
        if fam_row is not None and fam_row[0] >= t:
            listed.add(service)
            figures[("service", service)]["fam"] = fam_row
            if chk_row is not None:
                figures[("service", service)]["chk"] = chk_row
    # The other groups take each family once however many of the group's services it used:
    # "other" (the services not listed), each category (its services and its children's).
    services_of_term: dict[int, list[int]] = defaultdict(list)
    for service in by_service:
        for term in terms_of_service.get(service, ()):
            services_of_term[term].append(service)
    groups: dict[tuple[str, int], set[int]] = {
        ("other", 0): set().union(*(by_service[s] for s in by_service if s not in listed)),
        **{
            ("term", term): set().union(*(by_service[s] for s in services))
            for term, services in services_of_term.items()
        },
    }
    for key, episodes in groups.items():
        fam_row, chk_row = totals(episodes)
        if fam_row is not None:
            figures[key]["fam"] = fam_row
        if chk_row is not None:
            figures[key]["chk"] = chk_row
    fam_row, chk_row = totals(set(fam) | set(chk))
    figures[("all", 0)]["fam"] = fam_row or (0, 0, None, 0, None)
    figures[("all", 0)]["chk"] = chk_row or (0, 0, None, 0, None)
    return per_area, figures


def _domestic_abuse_first(terms, da_terms: set[int] | None = None) -> list:
    """Categories by name, domestic abuse ones first (the directory's own rule:
    :func:`directory.selectors.domestic_abuse_term_ids`, codes and names, any depth)."""
    from directory.selectors import domestic_abuse_term_ids

    da_terms = domestic_abuse_term_ids() if da_terms is None else da_terms
    return sorted(terms, key=lambda t: (t.pk not in da_terms, t.name.lower()))


def _most_families_first(table: Table, first: set[str]) -> Table:
    """The rows in ``first`` (domestic abuse services), then by families as shown (a hidden count
    last, so the order tells nothing the figures do not), then by name; "other" stays last."""
    other = [row for row in table.rows if row.key == "other"]

    def order(row):
        shown = row.cells[0].value if not row.cells[0].suppressed else None
        return (row.key not in first, -(shown or 0), row.label.lower(), row.key)

    rows = sorted((row for row in table.rows if row.key != "other"), key=order)
    return dataclasses.replace(table, rows=(*rows, *other))


AVG_P = "Average change (practitioner)"
AVG_F = "Average change (family)"


def _chart_change(table: Table) -> Table:
    """Chart the average changes (which can be negative), not the counts."""
    return dataclasses.replace(table, chart_columns=(AVG_P, AVG_F), chart_unit=Unit.SCORE)


@_gc_paused
def outcomes(filters: Filters) -> Dashboard:
    from directory.models import ServicePage, TaxonomyTerm
    from directory.selectors import domestic_abuse_term_ids
    from eh_assessments.outcomes import AREAS

    per_area, figures = _outcome_figures(filters)
    t = dc.threshold()
    service_ids = {pk for kind, pk in figures if kind == "service"}
    term_ids = {pk for kind, pk in figures if kind == "term"}
    # "| Q(pk__isnull=True)" (never true) keeps each query running when no id is listed, so the
    # dashboard runs the same queries however many services are listed.
    da_terms = domestic_abuse_term_ids()
    da_links = ServicePage.taxonomy_terms.through.objects.filter(
        servicepage_id=OuterRef("pk"), taxonomyterm_id__in=da_terms
    )
    services, da_services = {}, set()
    for pk, title, is_da in (
        ServicePage.objects.filter(Q(pk__in=service_ids) | Q(pk__isnull=True))
        .annotate(is_da=Exists(da_links))
        .values_list("pk", "title", "is_da")
    ):
        services[pk] = SimpleNamespace(pk=pk, title=title)
        if is_da:
            da_services.add(pk)
    terms = {
        t.pk: t for t in TaxonomyTerm.objects.filter(Q(pk__in=term_ids) | Q(pk__isnull=True)).select_related("parent")
    }

    svc_order = sorted(
        (s for s in service_ids if s in services), key=lambda s: (s not in da_services, services[s].title.lower(), s)
    )
    term_order = [t.pk for t in _domestic_abuse_first([terms[term] for term in term_ids if term in terms], da_terms)]

    def columns(keys: list[tuple[str, int]]):
        def get(key, what, i):
            return figures.get(key, {}).get(what, (0, 0, None, 0, None))[i]

        return [
            C("Families", [get(k, "fam", 0) for k in keys]),
            C("Improved", [get(k, "fam", 1) for k in keys], part_of="Families"),
            Share("Share improved", "Improved", "Families"),
            Stat(AVG_P, [get(k, "fam", 2) for k in keys], [get(k, "fam", 0) for k in keys]),
            Stat(AVG_F, [get(k, "fam", 4) for k in keys], [get(k, "fam", 3) for k in keys]),
            C("Sustained checks", [get(k, "chk", 0) for k in keys]),
            C("Sustained", [get(k, "chk", 1) for k in keys], part_of="Sustained checks"),
            Share("Share sustained", "Sustained", "Sustained checks"),
        ]

    overall = dc.table(
        "families",
        "Families improving and sustained",
        "Group",
        [("all", "All families")],
        columns([("all", 0)]),
        column_totals=False,
        description=(
            "Episodes of early help closed in the period that have a start scoring and a later one: improved "
            "when the sum of the practitioner's changes across the ten outcome areas is positive. Sustained: "
            "the sustained-outcome checks recorded in the period (six months after closure) that found the "
            "change had lasted. Average change: each family's change averaged across the outcome areas scored "
            "(by the practitioner; by the family, their first score to their latest), then averaged over the "
            "families."
        ),
    )
    z = (0, 0, None, 0, None)
    pa = [per_area.get(code, z) for code, _ in AREAS]
    area_table = dc.table(
        "distance",
        "Distance travelled by outcome area",
        "Outcome area",
        list(AREAS),
        [
            C("Families scored", [int(r[0] or 0) for r in pa]),
            C("Improved", [int(r[1] or 0) for r in pa], part_of="Families scored"),
            Share("Share improved", "Improved", "Families scored"),
            Stat(AVG_P, [r[2] for r in pa], [int(r[0] or 0) for r in pa]),
            Stat(AVG_F, [r[4] for r in pa], [int(r[3] or 0) for r in pa]),
        ],
        column_totals=False,
        unit=Unit.SCORE,
        chart=Chart.BAR,
        description=(
            "Episodes closed in the period with a start scoring and a later one: for each outcome area the "
            "latest score minus the start score (scores 1 to 10; positive is better), by the practitioner and "
            "by the family (their first score to their latest), and how many families' practitioner score went up."
        ),
        notes=("Every family is scored in every area, so the rows overlap and are not added up.",),
    )
    svc_rows = [(f"service-{s}", services[s].title) for s in svc_order]
    svc_keys = [("service", s) for s in svc_order]
    if ("other", 0) in figures:
        svc_rows.append(("other", f"Other services (fewer than {t} families each)"))
        svc_keys.append(("other", 0))
    service_table = dc.table(
        "by_service",
        "Outcomes by directory service used in plans",
        "Service",
        svc_rows,
        columns(svc_keys),
        column_totals=False,
        page_rows=PAGE_ROWS,
        chart=Chart.BAR,
        description=(
            "As above, for the families whose plan included an action with the service: domestic abuse services "
            f"first, then the services with the most families. Only services used by at least {t} of the families "
            "scored are listed; the rest share the last row, which counts each family once however many of those "
            "services it used."
        ),
        notes=(
            "A family can use several services, so rows overlap and are not added up (and the last row is not "
            "the sum of the services in it).",
            "Services suggested only as signposting (with no episode of help) have no outcome scores and are "
            "not counted.",
        ),
    )
    service_table = _most_families_first(service_table, {f"service-{s}" for s in da_services})
    category_table = dc.table(
        "by_category",
        "Outcomes by category of service",
        "Category",
        [(f"category-{term}", terms[term].name) for term in term_order],
        columns([("term", term) for term in term_order]),
        column_totals=False,
        chart=Chart.BAR,
        description=(
            "As above, by the categories of the services used in the plan: a category counts the services in it "
            "or in the categories directly under it, as the category filter does. Domestic abuse first."
        ),
        notes=("A family's services can be in several categories, so rows overlap and are not added up.",),
    )
    return Dashboard(
        "outcomes",
        "Outcomes",
        period_label(filters),
        (
            Headline("families", "Families with outcome scores", overall.cell("all", "Families")),
            Headline("improving", "Families improving", overall.cell("all", "Share improved")),
            Headline("sustained", "Sustained at 6 months", overall.cell("all", "Share sustained")),
        ),
        (
            Section("overall", "Families improving", (overall, _chart_change(area_table))),
            Section(
                "services", "By service and category", (_chart_change(service_table), _chart_change(category_table))
            ),
        ),
        notes=(
            dc.primary_note(),
            "Area is the locality of the episode's team. Category and service select the families whose plan "
            "used such a service.",
        ),
    )


# --- Operation Encompass --------------------------------------------------------------------------


class _HoursBetween(Func):
    """Hours from the first datetime to the second, worked out by the database (a duration
    on SQLite is otherwise computed row by row in Python: most of the median query's time)."""

    arity = 2
    output_field = FloatField()

    def _args(self, compiler, connection):
        (a, a_params), (b, b_params) = (compiler.compile(e) for e in self.get_source_expressions())
        return a, b, [*a_params, *b_params]

    def as_sqlite(self, compiler, connection, **extra):
        a, b, params = self._args(compiler, connection)
        return f"((julianday({b}) - julianday({a})) * 24.0)", params

    def as_sql(self, compiler, connection, **extra):
        a, b, params = self._args(compiler, connection)
        return f"(EXTRACT(EPOCH FROM ({b} - {a})) / 3600.0)", params


def encompass(filters: Filters) -> Dashboard:
    from portal.encompass.models import NotifiedChild

    start, end = _bounds(filters)
    now = timezone.now()
    rows, retention_notes = _retention_marked(_month_rows(filters), filters)
    base = NotifiedChild.objects.filter(notification__received_at__gte=start, notification__received_at__lt=end)
    if filters.area:
        base = base.filter(_district_q("school__postcode", filters.area))
    on_time = Q(acknowledged_at__isnull=False, acknowledged_at__lte=F("notify_by"))
    overdue = Q(acknowledged_at__isnull=True, notify_by__lt=now)
    month = _month_case("notification__received_at", filters, aware=True)
    data = list(
        base.annotate(m=month)
        .values("m", "routed_to", "school__phase")
        .annotate(n=Count("pk"), ok=Count("pk", filter=on_time), late=Count("pk", filter=overdue))
        .order_by()
    )
    per_month = _by_month(data, len(rows), "n", "ok", "late")
    # Medians of hours to acknowledgement, per month and overall: the middle row(s) only.
    wait = _HoursBetween(F("notification__received_at"), F("acknowledged_at"))
    middle = list(
        base.filter(acknowledged_at__isnull=False)
        .annotate(m=month, wait=wait)
        .annotate(
            rn=Window(RowNumber(), partition_by=[F("m")], order_by=[F("wait").asc(), F("pk").asc()]),
            cnt=Window(Count("pk"), partition_by=[F("m")]),
            rn_all=Window(RowNumber(), order_by=[F("wait").asc(), F("pk").asc()]),
            cnt_all=Window(Count("pk")),
        )
        .filter(
            Q(rn=(F("cnt") + 1) / 2)
            | Q(rn=F("cnt") / 2 + 1)
            | Q(rn_all=(F("cnt_all") + 1) / 2)
            | Q(rn_all=F("cnt_all") / 2 + 1)
        )
        .values_list("m", "wait", "rn", "cnt", "rn_all", "cnt_all")
    )
    med_m: dict[int, list] = defaultdict(list)
    med_all: list = []
    n_m: dict[int, int] = {}
    n_all = 0
    for m, w, rn, cnt, rn_all, cnt_all in middle:
        hours = float(w)
        if rn in ((cnt + 1) // 2, cnt // 2 + 1):
            med_m[m].append(hours)
            n_m[m] = cnt
        if rn_all in ((cnt_all + 1) // 2, cnt_all // 2 + 1):
            med_all.append(hours)
            n_all = cnt_all

    def median(values):
        return sum(values) / len(values) if values else None

    by_month = dc.table(
        "notifications",
        "Notified children by month",
        "Month",
        rows,
        [
            C("Notified children", per_month["n"]),
            C("Acknowledged by the deadline", per_month["ok"], part_of="Notified children"),
            Share("Share acknowledged by the deadline", "Acknowledged by the deadline", "Notified children"),
            C("Overdue now", per_month["late"], part_of="Notified children"),
            Stat(
                "Median hours to acknowledgement",
                [median(med_m.get(i, [])) for i in range(len(rows))],
                [n_m.get(i, 0) for i in range(len(rows))],
                unit=Unit.HOURS,
                total=(median(med_all), n_all),
            ),
        ],
        chart=Chart.LINE,
        description=(
            "Children named in police notifications received in each month; how many the school (or triage) "
            "acknowledged by the deadline, the start of the first school day after the incident (the same day "
            "when the incident was before that day's school start); how many are still unacknowledged past it "
            f"now ({timezone.localtime(now):%-d %B %Y %H:%M}, whatever the period); and the median time from the "
            "notification arriving to its acknowledgement (not drawn on the chart, which shows the counts)."
        ),
    )
    by_month = dataclasses.replace(
        by_month, chart_columns=("Notified children", "Acknowledged by the deadline", "Overdue now")
    )
    phases: dict[str, int] = defaultdict(int)
    for row in data:
        if row["routed_to"] == NotifiedChild.Route.TRIAGE:
            phases["Triage (no school, or not in the register)"] += row["n"]
        elif row["routed_to"] == NotifiedChild.Route.FRONT_DOOR:
            phases["Front door"] += row["n"]
        else:
            phases[row["school__phase"] or "Phase not recorded"] += row["n"]
    fixed = ["Triage (no school, or not in the register)", "Front door", "Phase not recorded"]
    phase_names = sorted(p for p in phases if p not in fixed) + [p for p in fixed if p in phases]
    by_phase = dc.table(
        "by_phase",
        "Notified children by school phase",
        "School phase",
        [(slugify(p), p) for p in phase_names],
        [C("Notified children", [phases[p] for p in phase_names])],
        chart=Chart.BAR,
        description="Children named in notifications received in the period, by the phase of the school told.",
    )
    return Dashboard(
        "encompass",
        "Operation Encompass",
        period_label(filters),
        (
            Headline("notified", "Notified children", by_month.cell(dc.TOTAL_KEY, "Notified children")),
            Headline(
                "on_time",
                "Acknowledged by the deadline",
                by_month.cell(dc.TOTAL_KEY, "Share acknowledged by the deadline"),
            ),
            Headline(
                "median_hours",
                "Median time to acknowledge",
                by_month.cell(dc.TOTAL_KEY, "Median hours to acknowledgement"),
            ),
            Headline(
                "overdue",
                "Overdue now",
                by_month.cell(dc.TOTAL_KEY, "Overdue now"),
                f"Unacknowledged past the deadline on {timezone.localtime(now):%-d %B %Y %H:%M}",
            ),
        ),
        (Section("notifications", "Notifications", (by_month, by_phase)),),
        notes=(
            dc.primary_note(),
            "Area is the postcode district of the school; triage children have no area.",
            *retention_notes,
        ),
    )


INCOMPLETE = " (incomplete)"


def _retention_marked(rows: list[tuple[str, str]], filters: Filters) -> tuple[list[tuple[str, str]], tuple[str, ...]]:
    """Notifications are deleted RETENTION_ENCOMPASS_DAYS after their children were
    acknowledged (:func:`portal.encompass.services.purge_expired`), so the months before that
    horizon undercount: they are marked, and the page says why, rather than showing a fall that
    is only the purge."""
    from portal.encompass import conf

    days = conf.retention_days()
    kept_from = timezone.localdate() - datetime.timedelta(days=days)
    if filters.date_from >= kept_from:
        return rows, ()
    marked = [
        (key, label + INCOMPLETE if m < kept_from else label)
        for (key, label), m in zip(rows, months(filters), strict=True)
    ]
    note = (
        f"Notifications are deleted {days} days after their children were acknowledged (the retention "
        f"period), so figures for days before {kept_from:%-d %B %Y} are incomplete: the months marked "
        "incomplete, and the totals, count only the children not yet deleted."
    )
    return marked, (note,)


# --- Directory and search -------------------------------------------------------------------------

_IDENTIFYING = re.compile(r"[0-9@]|www\.|https?:|\w\.(com|net|org|uk|co)\b", re.IGNORECASE)


def _may_identify(term: str) -> bool:
    """Whether a search term could hold a postcode, phone number, email or web address."""
    return bool(_IDENTIFYING.search(term))


def _recently_checked_q(today: datetime.date) -> Q:
    """Services whose listing was last checked in the 6 months before ``today``: the directory
    records a check as ``assured_date`` ("When the listing was last checked", shown to the
    public; set by an import or by :func:`directory.services.verify`, which also stamps
    ``last_verified_at`` when a provider confirms through the verification link)."""
    since = today - relativedelta(months=6)
    return Q(assured_date__gte=since) | Q(last_verified_at__gte=_start_of(since))


def directory(filters: Filters) -> Dashboard:
    from directory.models import Location, ServicePage, TaxonomyTerm
    from search.models import SearchLog

    start, end = _bounds(filters)
    rows = _month_rows(filters)
    logs = SearchLog.objects.filter(created__gte=start, created__lt=end)
    if filters.area:
        logs = logs.filter(outcode__iexact=filters.area.strip())
    data = list(
        logs.annotate(m=_month_case("created", filters, aware=True))
        .values("m")
        .annotate(n=Count("pk"), zero=Count("pk", filter=Q(result_count=0)))
        .order_by()
    )
    per_month = _by_month(data, len(rows), "n", "zero")
    searches = dc.table(
        "searches",
        "Searches by month",
        "Month",
        rows,
        [
            C("Searches", per_month["n"]),
            C("Searches with no results", per_month["zero"], part_of="Searches"),
            Share("Share with no results", "Searches with no results", "Searches"),
        ],
        chart=Chart.LINE,
        description="Searches of the family directory in each month, and those that found nothing.",
        notes=("Area is the postcode district searched from; category and service filters do not apply.",),
    )
    t = dc.threshold()
    # The log has a row per results page viewed (a reload is another row): a term counts once a
    # day, so the threshold means "searched on at least T different days".
    term_counts = [
        (term, n)
        for term, n in logs.filter(result_count=0)
        .annotate(term=Lower(Trim("text")), day=TruncDate("created"))
        .exclude(term="")
        .values("term")
        .annotate(n=Count("day", distinct=True))
        .filter(n__gte=t)
        .order_by("-n", "term")
        .values_list("term", "n")
        if not _may_identify(term)
    ]
    term_counts = dc.frequent_terms(term_counts)
    terms_table = dc.table(
        "zero_result_terms",
        "Most searched for with no results",
        "Search term",
        [(f"term-{i}", text) for i, (text, _) in enumerate(term_counts)],
        [C("Days searched", [n for _, n in term_counts])],
        column_totals=False,
        chart=Chart.BAR,
        description=(
            "What families searched for and found nothing (unmet demand), by the number of different days "
            "the term was searched for (a term searched again on the same day counts once), most first (top 20)."
        ),
        notes=(
            f"Search terms are typed by the public and may contain personal details: only terms searched on at "
            f"least {t} different days in the period are listed, and never a term with a digit or an '@' (it "
            "could be a postcode, a phone number or an email address) or a web address; the rest are not shown "
            "at all.",
        ),
    )
    # Live services: by category (with the share verified in the last 6 months) and by area.
    services = ServicePage.objects.live()
    if filters.service:
        services = services.filter(pk=filters.service)
    if filters.category:
        services = services.filter(
            Q(pk__in=ServicePage.objects.filter(taxonomy_terms=filters.category).values("pk"))
            | Q(pk__in=ServicePage.objects.filter(taxonomy_terms__parent=filters.category).values("pk"))
        )
    if filters.area:
        services = services.filter(
            pk__in=Location.objects.filter(confidential=False)
            .filter(_district_q("postal_code", filters.area))
            .values("page_id")
        )
    today = timezone.localdate()
    on_today = f"on {today:%-d %B %Y}"
    Through = ServicePage.taxonomy_terms.through
    # A category counts the services in it or in the categories directly under it (as the
    # category filter does), each once.
    members: dict[int, set[int]] = defaultdict(set)
    for service_id, term_id, parent_id in Through.objects.filter(servicepage_id__in=services.values("pk")).values_list(
        "servicepage_id", "taxonomyterm_id", "taxonomyterm__parent_id"
    ):
        members[term_id].add(service_id)
        if parent_id:
            members[parent_id].add(service_id)
    verified = set(services.filter(_recently_checked_q(today)).values_list("pk", flat=True))
    terms = TaxonomyTerm.objects.filter(pk__in=members).select_related("parent")
    cat_terms = _domestic_abuse_first(terms)
    by_category = dc.table(
        "services_by_category",
        f"Live services by category {on_today}",
        "Category",
        [(f"category-{t.pk}", t.name) for t in cat_terms],
        [
            C("Live services", [len(members[t.pk]) for t in cat_terms]),
            C(
                "Verified in the last 6 months",
                [len(members[t.pk] & verified) for t in cat_terms],
                part_of="Live services",
            ),
            Share("Share verified in the last 6 months", "Verified in the last 6 months", "Live services"),
        ],
        column_totals=False,
        chart=Chart.BAR,
        dated=True,
        description=(
            f"Services published in the directory now ({on_today}, whatever the period), in each category "
            "(domestic abuse first): a category counts the services in it or in the categories under it. "
            "Verified: the listing was last checked (its 'last checked' date, or a confirmation through the "
            "verification link, whichever is later) in the 6 months before today."
        ),
        notes=("A service can be in several categories, so rows overlap and are not added up.",),
    )
    loc = list(
        Location.objects.filter(page_id__in=services.values("pk")).values_list("page_id", "postal_code", "confidential")
    )
    located: dict[str, set[int]] = defaultdict(set)
    with_location = set()
    for page_id, postcode, confidential in loc:
        with_location.add(page_id)
        # A confidential location (a refuge) never locates anything: counted apart, never by its postcode.
        located[CONFIDENTIAL_AREA if confidential else (outcode_of(postcode) or NO_LOCATION)].add(page_id)
    total_services = services.count()
    if total_services > len(with_location):
        located[NO_LOCATION] |= {-1}  # placeholder, replaced below
    area_names = sorted(a for a in located if a not in (CONFIDENTIAL_AREA, NO_LOCATION))
    area_names += [a for a in (CONFIDENTIAL_AREA, NO_LOCATION) if a in located]
    area_counts = []
    for a in area_names:
        ids = located[a]
        n = len(ids - {-1})
        if a == NO_LOCATION and -1 in ids:
            n += total_services - len(with_location)
        area_counts.append(n)
    by_area = dc.table(
        "services_by_area",
        f"Live services by area {on_today}",
        "Postcode district",
        [(f"area-{a.lower().replace(' ', '-')}", a) for a in area_names],
        [C("Live services", area_counts)],
        column_totals=False,
        chart=Chart.BAR,
        dated=True,
        description=(
            f"Services published in the directory now ({on_today}, whatever the period), by the postcode "
            "district of the places they run."
        ),
        notes=(
            "A service that runs in several districts is counted in each.",
            "Refuges and other confidential locations are never located: they are counted under "
            f"'{CONFIDENTIAL_AREA}', whatever their address, and the area filter never matches them.",
        ),
    )
    live = dc.headline_count(total_services)
    return Dashboard(
        "directory",
        "Directory and search",
        period_label(filters),
        (
            Headline("searches", "Searches", searches.cell(dc.TOTAL_KEY, "Searches")),
            Headline("zero_share", "Searches with no results", searches.cell(dc.TOTAL_KEY, "Share with no results")),
            Headline("live_services", "Live services", live, f"Published in the directory now ({on_today})"),
        ),
        (
            Section("search", "Searches and unmet demand", (searches, terms_table)),
            Section("services", "Services", (by_category, by_area)),
        ),
        notes=(dc.primary_note(),),
    )


DASHBOARDS: dict[str, Callable[[Filters], Dashboard]] = {
    "early-help": early_help,
    "outcomes": outcomes,
    "encompass": encompass,
    "directory": directory,
}


# --- Filter choices ---------------------------------------------------------------------------------


def _team_areas() -> list[tuple[str, str]]:
    from portal.accounts.models import Team

    areas = Team.objects.exclude(area="").values_list("area", flat=True).distinct().order_by("area")
    return [(a, a) for a in areas]


def _categories() -> list[tuple[int, str]]:
    from directory.models import TaxonomyTerm

    used = TaxonomyTerm.objects.filter(services__live=True).values("pk")
    # The terms live services use, and the terms above them (a category includes its children).
    terms = TaxonomyTerm.objects.filter(Q(pk__in=used) | Q(children__in=used)).select_related("parent").distinct()
    ordered = _domestic_abuse_first(terms)
    return [(t.pk, t.name) for t in ordered]


def _services() -> list[tuple[int, str]]:
    from directory.models import ServicePage

    return list(ServicePage.objects.live().order_by("title").values_list("pk", "title"))


TEAM_AREA_LABEL = "Locality team area"


def filter_choices(slug: str) -> dict:
    """What each dashboard can be narrowed by (only the filters that apply to it), with
    ``area_label``: what "area" means on that dashboard (the area field's label)."""
    if slug == "early-help":
        return {"areas": _team_areas(), "area_label": TEAM_AREA_LABEL, "levels": LEVEL_CHOICES}
    if slug == "outcomes":
        return {
            "areas": _team_areas(),
            "area_label": TEAM_AREA_LABEL,
            "categories": _categories(),
            "services": _services(),
            "levels": LEVEL_CHOICES,
        }
    if slug == "encompass":
        from portal.encompass.models import School

        postcodes = School.objects.exclude(postcode="").values_list("postcode", flat=True).distinct()
        districts = sorted({outcode_of(p) for p in postcodes} - {""})
        return {"areas": [(d, d) for d in districts], "area_label": "School postcode district"}
    if slug == "directory":
        from directory.models import Location
        from search.models import SearchLog

        outcodes = set(SearchLog.objects.exclude(outcode="").values_list("outcode", flat=True).distinct())
        postcodes = (
            Location.objects.filter(confidential=False).exclude(postal_code="").values_list("postal_code", flat=True)
        )
        districts = sorted({o.upper() for o in outcodes} | {outcode_of(p) for p in postcodes.distinct()} - {""})
        return {
            "areas": [(d, d) for d in districts],
            "area_label": "Postcode district",
            "categories": _categories(),
            "services": _services(),
        }
    raise KeyError(slug)
