"""The outcomes dashboard's figures as they were computed before the read models (EpisodeOutcome,
EpisodeOutcomeTotal) and the grouping in Python: every outcome record of each episode ranked,
every score row aggregated, and the groups by service and category made in SQL. Kept as an
independent oracle for the selector (tests/insights/test_selectors_outcome_summary.py)."""

# ruff: noqa: S608 — SQL built from model table names and fixed fragments; values are parameters.

from __future__ import annotations

from django.db import connection

from portal.insights import disclosure as dc
from portal.insights.filters import Filters
from portal.insights.selectors import _episode_where, _q, _tbl

_ORDER = (
    "CASE r.stage WHEN 'start' THEN 0 ELSE 1 END, CASE r.stage WHEN 'closure' THEN 1 ELSE 0 END, "
    "r.recorded_on, CASE r.stage WHEN 'start' THEN 0 WHEN 'review' THEN 1 ELSE 2 END, r.id"
)


def _using_sql() -> str:
    """(episode_id, service_id): each directory service an episode's plan used, from the actions."""
    return (
        "SELECT DISTINCT pl.episode_id AS episode_id, pa.service_page_id AS service_id "
        f"FROM {_tbl('PlanAction')} pa JOIN {_tbl('PlanOutcome')} po ON po.id = pa.outcome_id "
        f"JOIN {_tbl('PlanNeed')} pn ON pn.id = po.need_id JOIN {_tbl('Plan')} pl ON pl.id = pn.plan_id "
        "WHERE pa.service_page_id IS NOT NULL"
    )


def raw_outcome_cte(filters: Filters) -> tuple[str, list]:
    """CTEs for the outcomes dashboard:

    * ``dist`` (episode_id, area, dp, df): distance travelled per area for each episode closed
      in the period, as :func:`eh_assessments.outcomes.distance_travelled` defines it — the
      start scoring to the latest (a closure scoring last), the family's first score to their
      latest; ``dp`` is None-free, ``df`` None when the family scored fewer than twice;
    * ``fam`` (episode_id, improved, avg_p, avg_f): improved is 1 when the sum of the
      practitioner's changes is positive; avg_p and avg_f the family's average change across
      the areas scored, by the practitioner and by the family (None when the family scored once);
    * ``chk`` (episode_id, sustained): sustained-outcome checks recorded in the period;
    * ``used`` (episode_id, service_id): the directory services each plan used.
    """
    from eh_assessments.models_casework import Episode

    where, params = _episode_where(filters, "e", using=_using_sql())
    ep_where = " AND ".join(["e.status = %s", "e.closed_on >= %s", "e.closed_on <= %s", *where])
    ep_params = [Episode.Status.CLOSED, filters.date_from, filters.date_to, *params]
    chk_where = " AND ".join(["c.checked_on >= %s", "c.checked_on <= %s", *where])
    chk_params = [filters.date_from, filters.date_to, *params]
    # Records are ranked per episode in the scoring order (a window over records only); the
    # scores are then aggregated per (episode, area) without a window. The family's first and
    # latest scores are found by MIN / MAX of rank * 100 + score (scores are 1 to 10).
    sql = f"""
    WITH eps AS (SELECT e.id AS id FROM {_tbl("Episode")} e WHERE {ep_where}),
    rk0 AS (
      SELECT r.id AS id, r.episode_id AS episode_id, r.stage AS stage,
             ROW_NUMBER() OVER (PARTITION BY r.episode_id ORDER BY {_ORDER}) AS rn,
             COUNT(*) OVER (PARTITION BY r.episode_id) AS n
      FROM {_tbl("OutcomeRecord")} r WHERE r.episode_id IN (SELECT id FROM eps)
    ),
    rk AS (
      SELECT id, episode_id, rn,
             CASE WHEN rn = 1 AND stage = 'start' THEN 1 ELSE 0 END AS first_start,
             CASE WHEN rn = n AND n > 1 THEN 1 ELSE 0 END AS is_last
      FROM rk0
    ),
    agg AS (
      SELECT rk.episode_id AS episode_id, s.area AS area,
             MAX(CASE WHEN rk.first_start = 1 THEN s.practitioner_score END) AS p0,
             MAX(CASE WHEN rk.is_last = 1 THEN s.practitioner_score END) AS p1,
             SUM(rk.first_start) AS has_start,
             MIN(CASE WHEN s.family_score IS NOT NULL THEN rk.rn * 100 + s.family_score END) AS f_lo,
             MAX(CASE WHEN s.family_score IS NOT NULL THEN rk.rn * 100 + s.family_score END) AS f_hi,
             COUNT(s.family_score) AS f_n
      FROM {_tbl("OutcomeScore")} s JOIN rk ON rk.id = s.record_id
      GROUP BY rk.episode_id, s.area
    ),
    per AS (
      SELECT episode_id, area, p0, p1,
             CASE WHEN has_start > 0 THEN f_lo - (f_lo / 100) * 100 END AS f0,
             CASE WHEN has_start > 0 AND f_n > 1 THEN f_hi - (f_hi / 100) * 100 END AS f1
      FROM agg
    ),
    dist AS (SELECT episode_id, area, p1 - p0 AS dp, f1 - f0 AS df FROM per WHERE p0 IS NOT NULL AND p1 IS NOT NULL),
    fam AS (
      SELECT episode_id, CASE WHEN SUM(dp) > 0 THEN 1 ELSE 0 END AS improved,
             AVG(dp * 1.0) AS avg_p, AVG(df * 1.0) AS avg_f
      FROM dist GROUP BY episode_id
    ),
    chk AS (
      SELECT c.episode_id AS episode_id, CASE WHEN c.sustained THEN 1 ELSE 0 END AS sustained
      FROM {_tbl("SustainedCheck")} c JOIN {_tbl("Episode")} e ON e.id = c.episode_id WHERE {chk_where}
    ),
    used AS ({_using_sql()} AND pl.episode_id IN (SELECT id FROM eps UNION SELECT episode_id FROM chk))
    """
    return sql, ep_params + chk_params


def raw_outcome_figures(filters: Filters) -> tuple[dict, dict]:
    """What :func:`portal.insights.selectors._outcome_figures` returns, computed in one SQL
    statement from the raw scores."""
    from directory.models import ServicePage

    cte, params = raw_outcome_cte(filters)
    through = _q(ServicePage.taxonomy_terms.through._meta.db_table)
    by_group = f"""
    , svc AS (
      SELECT u.service_id AS service_id FROM used u JOIN fam f ON f.episode_id = u.episode_id
      GROUP BY u.service_id HAVING COUNT(*) >= %s
    ),
    sterm AS (
      SELECT st.servicepage_id AS service_id, st.taxonomyterm_id AS term_id FROM {through} st
      UNION
      SELECT st.servicepage_id, tt.parent_id FROM {through} st
      JOIN {_tbl("TaxonomyTerm", "directory")} tt ON tt.id = st.taxonomyterm_id WHERE tt.parent_id IS NOT NULL
    ),
    grp AS (
      SELECT 'service' AS kind, service_id AS id, episode_id FROM used WHERE service_id IN (SELECT service_id FROM svc)
      UNION ALL
      SELECT DISTINCT 'other', 0, episode_id FROM used WHERE service_id NOT IN (SELECT service_id FROM svc)
      UNION ALL
      SELECT DISTINCT 'term', s.term_id, u.episode_id FROM used u JOIN sterm s ON s.service_id = u.service_id
    )
    SELECT 'area' AS kind, area AS k, 'dist' AS what, COUNT(*) AS n, SUM(CASE WHEN dp > 0 THEN 1 ELSE 0 END) AS ok,
           AVG(dp * 1.0) AS avg_p, COUNT(df) AS n_f, AVG(df * 1.0) AS avg_f
    FROM dist GROUP BY area
    UNION ALL
    SELECT g.kind, CAST(g.id AS TEXT), 'fam', COUNT(*), SUM(f.improved), AVG(f.avg_p), COUNT(f.avg_f), AVG(f.avg_f)
    FROM grp g JOIN fam f ON f.episode_id = g.episode_id GROUP BY g.kind, g.id
    UNION ALL
    SELECT g.kind, CAST(g.id AS TEXT), 'chk', COUNT(*), SUM(c.sustained), NULL, NULL, NULL
    FROM grp g JOIN chk c ON c.episode_id = g.episode_id GROUP BY g.kind, g.id
    UNION ALL
    SELECT 'all', '0', 'fam', COUNT(*), SUM(improved), AVG(avg_p), COUNT(avg_f), AVG(avg_f) FROM fam
    UNION ALL
    SELECT 'all', '0', 'chk', COUNT(*), SUM(sustained), NULL, NULL, NULL FROM chk
    """
    with connection.cursor() as cursor:
        cursor.execute(cte + by_group, [*params, dc.threshold()])
        result = cursor.fetchall()
    per_area = {
        k: (int(n), int(ok or 0), avg_p, int(n_f), avg_f)
        for kind, k, _, n, ok, avg_p, n_f, avg_f in result
        if kind == "area"
    }
    figures: dict = {}
    for kind, k, what, n, ok, avg_p, n_f, avg_f in result:
        if kind != "area":
            figures.setdefault((kind, int(k)), {})[what] = (int(n or 0), int(ok or 0), avg_p, int(n_f or 0), avg_f)
    return per_area, figures
