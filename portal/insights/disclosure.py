"""Disclosure control (DESIGN.md §4; ADR 0014): the only way a number becomes a figure.

Selectors hand this module raw aggregates (counts, sums, medians with their number of
observations) and get back :mod:`figures` objects in which every number a person could use
to single out a family has already been hidden. A suppressed :class:`Cell` carries no value
at all, only its display text, so nothing downstream (a view, a chart, a CSV export) can
show the hidden number by mistake.

The rules, with ``T`` = ``settings.INSIGHTS_SUPPRESSION_THRESHOLD`` (default 5):

* **Primary suppression.** A count from 1 to T-1 is shown as ``<T``; zero is shown as ``0``.
* **Secondary suppression.** A table's counts are a grid (with any hidden complement
  columns, see :class:`Count.part_of`, and its totals). A *line* is a set of cells that sum to
  another cell of the grid: a row with its row total, a column with its column total, a
  "part" with its hidden complement and the whole. No line may hold exactly one suppressed
  cell (it could be worked out by subtraction); while one does, the smallest non-zero cell
  still shown in that line is suppressed as well (a total counts), until nothing changes.
  Then the lines are solved together exactly: while a hidden cell can still be worked out by
  adding and subtracting lines, one more shown cell of that working is hidden.
* **Joint suppression.** Tables of one page that share quantities (the same step decisions
  by kind, by month and by level) are built together with :func:`tables`: one grid, with
  lines across the tables, so a quantity is hidden everywhere or nowhere and no table's
  totals give away another's hidden cell. A headline is always a cell of such a table.
* **Shares** are not shown when their numerator or denominator is suppressed, or their
  denominator is below T.
* **Averages and medians** of fewer than T observations are not shown.
* **Free text** typed by the public is listed only when at least T searches used it
  (:func:`frequent_terms`).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver

from .figures import Cell, Chart, Row, Table, Unit

NOT_SHOWN = "–"  # an en dash: a rate or average that cannot be shown
SECONDARY = "[c]"  # a count hidden so that a small one cannot be worked out (GSS convention)
TOTAL_KEY = "total"


# Read once (a dashboard asks for each of its tens of thousands of cells) and read again when a
# setting changes (override_settings in tests).
@functools.cache
def threshold() -> int:
    return int(settings.INSIGHTS_SUPPRESSION_THRESHOLD)


@functools.cache
def rounding_base() -> int:
    return int(settings.INSIGHTS_ROUND_TO)


@receiver(setting_changed)
def _settings_changed(*, setting: str, **kwargs) -> None:
    if setting in ("INSIGHTS_SUPPRESSION_THRESHOLD", "INSIGHTS_ROUND_TO"):
        threshold.cache_clear()
        rounding_base.cache_clear()


def rounded(n: int) -> int:
    """``n`` to the nearest multiple of ``INSIGHTS_ROUND_TO`` (halves up; 1 = exact). The same
    count always shows the same, whichever page, filter or period it appears in: differences
    between two views then give a range, never the exact number a suppressed cell hides."""
    base = rounding_base()
    if base <= 1:
        return int(n)
    return base * ((int(n) + base // 2) // base)


def suppressed_display() -> str:
    return f"<{threshold()}"


def primary_note() -> str:
    t = threshold()
    note = (
        f"Counts from 1 to {t - 1} are shown as <{t}; [c] marks a count hidden as well so that a "
        f"<{t} cannot be worked out from the totals."
    )
    base = rounding_base()
    if base > 1:
        note += f" Other counts are rounded to the nearest {base}, so totals may not add up exactly."
    return note


def rate_note() -> str:
    return (
        f"A share is not shown (–) when it would rest on a hidden count or on fewer than {threshold()} "
        "families, children or notifications."
    )


def average_note() -> str:
    return f"An average or median of fewer than {threshold()} is not shown (–)."


# --- Cells --------------------------------------------------------------------------------------


def _fmt_count(n: int) -> str:
    return f"{n:,}"


def count_cell(n: int, *, suppressed: bool) -> Cell:
    """A count: ``<T`` when small, ``[c]`` when hidden by secondary suppression."""
    if suppressed:
        return Cell(None, suppressed_display() if 0 < n < threshold() else SECONDARY, True)
    shown = rounded(n)  # the exact count never leaves this module when rounding is on
    return Cell(shown, _fmt_count(shown))


def not_shown() -> Cell:
    return Cell(None, NOT_SHOWN, False)


def share_cell(numerator: int, denominator: int, *, suppressed: bool = False) -> Cell:
    """A share 0–100 (whole per cent on screen, one decimal in ``value``)."""
    t = threshold()
    if suppressed or not denominator or denominator < t:
        return not_shown()
    value = round(100 * numerator / denominator, 1)
    return Cell(value, f"{round(100 * numerator / denominator)}%")


def stat_cell(value: float | None, n: int, unit: Unit = Unit.SCORE) -> Cell:
    """An average or median over ``n`` observations: not shown below the threshold."""
    if value is None or n < threshold():
        return not_shown()
    value = round(float(value), 1)
    # Always one decimal, so "+2.0" sits beside "+2.1" and "7.8 hours" beside "8.0 hours".
    if unit == Unit.HOURS:
        return Cell(value, f"{value:.1f} hours")
    if unit == Unit.DAYS:
        return Cell(value, f"{value:.1f} days")
    sign = "+" if value > 0 and unit == Unit.SCORE else ""
    return Cell(value, f"{sign}{value:.1f}")


def headline_count(n: int) -> Cell:
    """A single total shown on its own (it is also the total of a table, suppressed alike)."""
    return count_cell(n, suppressed=0 < n < threshold())


# --- Secondary suppression -----------------------------------------------------------------------
#
# A *line* is a list of cells whose last cell is the sum of the others (a row and its total, a
# part, its hidden remainder and the whole, or two cells that show the same quantity). Cells are
# numbered: ``values[k]`` is cell k's count, ``mask[k]`` whether it is hidden.


def _single_lines(values: Sequence[int], lines: Sequence[Sequence[int]], mask: list[bool]) -> None:
    """The single-line rule: while a line holds exactly one hidden cell, hide the smallest
    non-zero cell still shown in it (ties: the first in the line)."""
    changed = True
    while changed:
        changed = False
        for line in lines:
            hidden = [k for k in line if mask[k]]
            if len(hidden) != 1:
                continue
            candidates = [k for k in line if not mask[k] and values[k] > 0]
            if not candidates:
                continue  # the rest of the line is zeros: then the hidden cell is zero too (never the case)
            mask[min(candidates, key=lambda k: values[k])] = True
            changed = True


def _recoverable(values: Sequence[int], lines: Sequence[Sequence[int]], mask: Sequence[bool]) -> int | None:
    """A shown cell to hide because some hidden cell can still be worked out exactly by adding
    and subtracting lines (a linear combination of them), or None when no hidden cell can.

    Gaussian elimination over the hidden cells, keeping each equation's shown cells alongside:
    a hidden cell is worked out exactly when an equation of the reduced system has it as its
    only hidden cell; the smallest non-zero shown cell that equation uses is returned. Lines
    that share no hidden cell cannot be combined to eliminate one, so each group of lines
    linked by hidden cells is reduced on its own (the same result as one system, without
    going over every equation for every new one: a 2,000-row table has 2,000 such groups)."""
    basis: dict[int, tuple[dict[int, Fraction | int], dict[int, Fraction | int]]] = {}
    for group in _linked_by_hidden_cells(lines, mask):
        basis.update(_eliminate(group, mask))
    for pivot in sorted(basis):
        hidden, shown = basis[pivot]
        if len(hidden) == 1:
            candidates = [k for k, c in shown.items() if c and values[k] > 0]
            if candidates:
                return min(candidates, key=lambda k: (values[k], k))
    return None


def _linked_by_hidden_cells(lines: Sequence[Sequence[int]], mask: Sequence[bool]) -> list[list[Sequence[int]]]:
    """The lines with a hidden cell, in groups linked by hidden cells (union-find), in order."""
    parent: dict[int, int] = {}

    def find(k: int) -> int:
        while parent.setdefault(k, k) != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    hidden_lines = []
    for line in lines:
        hidden = [k for k in line if mask[k]]
        if hidden:
            hidden_lines.append((line, hidden[0]))
            for k in hidden[1:]:
                parent[find(k)] = find(hidden[0])
    groups: dict[int, list[Sequence[int]]] = {}
    for line, first in hidden_lines:
        groups.setdefault(find(first), []).append(line)
    return list(groups.values())


def _eliminate(lines: Sequence[Sequence[int]], mask: Sequence[bool]) -> dict:
    """The reduced system of ``lines``: {pivot: (hidden cells, shown cells)}, each a {cell: coefficient}."""
    basis: dict[int, tuple[dict[int, Fraction | int], dict[int, Fraction | int]]] = {}  # pivot → (hidden, shown)
    for line in lines:
        hidden: dict[int, Fraction | int] = {}
        shown: dict[int, Fraction | int] = {}
        for pos, k in enumerate(line):
            coef = -1 if pos == len(line) - 1 else 1  # integers until a division needs a Fraction
            target = hidden if mask[k] else shown
            target[k] = target.get(k, 0) + coef
        hidden = {k: c for k, c in hidden.items() if c}
        if not hidden:
            continue
        for pivot in [k for k in hidden if k in basis]:
            factor = hidden.get(pivot)
            if not factor:
                continue
            b_hidden, b_shown = basis[pivot]
            for k, c in b_hidden.items():
                hidden[k] = hidden.get(k, 0) - factor * c
            for k, c in b_shown.items():
                shown[k] = shown.get(k, 0) - factor * c
        hidden = {k: c for k, c in hidden.items() if c}
        if not hidden:
            continue
        pivot = min(hidden)
        scale = hidden[pivot]
        if scale in (1, -1):  # dividing by ±1 is multiplying by it (and keeps integers whole)
            hidden = {k: c * scale for k, c in hidden.items()}
            shown = {k: c * scale for k, c in shown.items() if c}
        else:
            hidden = {k: Fraction(c) / scale for k, c in hidden.items()}
            shown = {k: Fraction(c) / scale for k, c in shown.items() if c}
        for other, (o_hidden, o_shown) in basis.items():
            factor = o_hidden.get(pivot)
            if not factor:
                continue
            for k, c in hidden.items():
                o_hidden[k] = o_hidden.get(k, 0) - factor * c
            for k, c in shown.items():
                o_shown[k] = o_shown.get(k, 0) - factor * c
            basis[other] = ({k: c for k, c in o_hidden.items() if c}, {k: c for k, c in o_shown.items() if c})
        basis[pivot] = (hidden, shown)
    return basis


def suppress_cells(values: Sequence[int], lines: Sequence[Sequence[int]]) -> list[bool]:
    """Which cells to hide: primary suppression; then the single-line rule; then, while any
    hidden cell can still be worked out exactly from the lines taken together (across tables
    too, when the lines join them), hide one more shown cell of that working and go round."""
    t = threshold()
    mask = [0 < v < t for v in values]
    while True:
        _single_lines(values, lines, mask)
        extra = _recoverable(values, lines, mask)
        if extra is None:
            return mask
        mask[extra] = True


def suppress(values: Sequence[Sequence[int]], lines: Sequence[Sequence[tuple[int, int]]]) -> list[list[bool]]:
    """:func:`suppress_cells` on a grid: ``lines`` of (row, column) positions, each line's last
    cell the sum of the others."""
    width = len(values[0]) if values else 0
    flat = [v for row in values for v in row]
    mask = suppress_cells(flat, [[r * width + c for r, c in line] for line in lines])
    return [mask[r * width : (r + 1) * width] for r in range(len(values))]


# --- Tables -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Count:
    """A column of counts, one per row. ``part_of`` names another Count column of which this
    one counts a subset in every row (re-referrals of referrals): the hidden remainder then
    takes part in secondary suppression, so "whole − part" cannot reveal a hidden count."""

    name: str
    values: Sequence[int]
    part_of: str | None = None
    in_row_total: bool = True


@dataclass(frozen=True)
class Share:
    """A column of shares: ``numerator`` and ``denominator`` name Count columns."""

    name: str
    numerator: str
    denominator: str


@dataclass(frozen=True)
class Stat:
    """An average or median per row, over ``ns`` observations (``total``: (value, n))."""

    name: str
    values: Sequence[float | None]
    ns: Sequence[int]
    unit: Unit = Unit.SCORE
    total: tuple[float | None, int] | None = None


Column = Count | Share | Stat


@dataclass(frozen=True)
class Spec:
    """What :func:`table` is given: a table not yet disclosure-controlled. :func:`tables`
    controls several together."""

    key: str
    title: str
    row_header: str
    rows: Sequence[tuple[str, str]]
    columns: Sequence[Column]
    row_total: str | None = None
    column_totals: bool = True
    unit: Unit = Unit.COUNT
    chart: Chart = Chart.NONE
    description: str = ""
    notes: Sequence[str] = ()
    total_label: str = "Total"
    chart_columns: Sequence[str] = ()
    chart_unit: Unit | None = None
    dated: bool = False  # figures as at one day (named in the title), not over the period
    page_rows: int | None = None  # a page shows this many rows at most (figures.for_page)


# A cell of a Spec for a line across tables: (table key, row key or TOTAL_KEY, Count column
# name or the row total's name).
Ref = tuple[str, str, str]


@dataclass
class _Grid:
    spec: Spec
    values: list[list[int]]  # grid rows (the totals row last); columns: counts, remainders, row total
    lines: list[list[tuple[int, int]]]
    index: dict[str, int]  # Count column name (and the row total's) → grid column
    total_col: int | None
    offset: int = 0

    @property
    def width(self) -> int:
        return len(self.values[0]) if self.values else 0

    def flat(self, i: int, j: int) -> int:
        return self.offset + i * self.width + j

    def locate(self, row_key: str, column: str) -> int:
        keys = [k for k, _ in self.spec.rows]
        i = len(keys) if row_key == TOTAL_KEY and self.spec.column_totals else keys.index(row_key)
        return self.flat(i, self.index[column])


def _grid(spec: Spec) -> _Grid:
    counts = [c for c in spec.columns if isinstance(c, Count)]
    by_name = {c.name: c for c in counts}
    n_rows = len(spec.rows)
    for c in counts:
        if len(c.values) != n_rows:
            raise ValueError(f"column {c.name} has {len(c.values)} values for {n_rows} rows")
    # The grid: visible counts, hidden complements of part columns, the row total.
    grid_cols: list[list[int]] = [list(map(int, c.values)) for c in counts]
    index = {c.name: i for i, c in enumerate(counts)}
    part_lines: list[tuple[int, int, int]] = []  # (part, complement, whole) grid columns
    for c in counts:
        if c.part_of:
            whole = by_name[c.part_of]
            grid_cols.append([int(w) - int(p) for w, p in zip(whole.values, c.values, strict=True)])
            part_lines.append((index[c.name], len(grid_cols) - 1, index[c.part_of]))
    additive = [index[c.name] for c in counts if c.in_row_total and not c.part_of]
    total_col = None
    if spec.row_total:
        grid_cols.append([sum(grid_cols[j][i] for j in additive) for i in range(n_rows)])
        total_col = len(grid_cols) - 1
        index[spec.row_total] = total_col
    n_grid_rows = n_rows + (1 if spec.column_totals else 0)
    if spec.column_totals:
        for col in grid_cols:
            col.append(sum(col))
    values = [[grid_cols[j][i] for j in range(len(grid_cols))] for i in range(n_grid_rows)] if grid_cols else []
    lines: list[list[tuple[int, int]]] = []
    if grid_cols:
        for i in range(n_grid_rows):
            if total_col is not None:
                lines.append([(i, j) for j in additive] + [(i, total_col)])
            for part, complement, whole in part_lines:
                lines.append([(i, part), (i, complement), (i, whole)])
        if spec.column_totals:
            for j in range(len(grid_cols)):
                lines.append([(i, j) for i in range(n_grid_rows)])
    return _Grid(spec, values, lines, index, total_col)


def _build(grid: _Grid, mask: Sequence[bool]) -> Table:
    spec, values, index, total_col = grid.spec, grid.values, grid.index, grid.total_col

    def count_at(i: int, name: str) -> tuple[int, bool]:
        j = index[name]
        return values[i][j], mask[grid.flat(i, j)]

    def build_row(i: int, is_total: bool) -> tuple[Cell, ...]:
        cells = []
        for col in spec.columns:
            if isinstance(col, Count):
                n, hidden = count_at(i, col.name)
                cells.append(count_cell(n, suppressed=hidden))
            elif isinstance(col, Share):
                num, num_hidden = count_at(i, col.numerator)
                den, den_hidden = count_at(i, col.denominator)
                cells.append(share_cell(num, den, suppressed=num_hidden or den_hidden))
            else:
                if is_total:
                    value, n = col.total if col.total else (None, 0)
                else:
                    value, n = col.values[i], col.ns[i]
                cells.append(stat_cell(value, n, col.unit))
        if total_col is not None:
            cells.append(count_cell(values[i][total_col], suppressed=mask[grid.flat(i, total_col)]))
        return tuple(cells)

    n_rows = len(spec.rows)
    names = tuple(c.name for c in spec.columns) + ((spec.row_total,) if spec.row_total else ())
    built = tuple(Row(label, build_row(i, False), key) for i, (key, label) in enumerate(spec.rows))
    total = Row(spec.total_label, build_row(n_rows, True), TOTAL_KEY) if spec.column_totals else None
    all_notes = [primary_note()]
    if any(isinstance(c, Share) for c in spec.columns):
        all_notes.append(rate_note())
    if any(isinstance(c, Stat) for c in spec.columns):
        all_notes.append(average_note())
    all_notes.extend(spec.notes)
    return Table(
        key=spec.key,
        title=spec.title,
        row_header=spec.row_header,
        columns=names,
        rows=built,
        unit=spec.unit,
        chart=spec.chart,
        total=total,
        description=spec.description,
        notes=tuple(all_notes),
        chart_columns=tuple(spec.chart_columns),
        chart_unit=spec.chart_unit,
        dated=spec.dated,
        page_rows=spec.page_rows,
    )


def tables(specs: Sequence[Spec], links: Sequence[Sequence[Ref]] = ()) -> list[Table]:
    """Disclosure-control several tables *jointly*: their grids are suppressed as one, with
    ``links``, lines across tables (each a list of :data:`Ref`, the last the sum of the others;
    two refs for one quantity shown twice). A quantity that appears in two tables is then hidden
    in both or neither, and no hidden cell can be worked out by combining the tables' totals."""
    grids = [_grid(s) for s in specs]
    values: list[int] = []
    lines: list[list[int]] = []
    by_key: dict[str, _Grid] = {}
    for g in grids:
        if g.spec.key in by_key:
            raise ValueError(f"two tables with the key {g.spec.key}")
        g.offset = len(values)
        by_key[g.spec.key] = g
        values.extend(v for row in g.values for v in row)
        lines.extend([g.flat(i, j) for i, j in line] for line in g.lines)
    for link in links:
        lines.append([by_key[key].locate(row, column) for key, row, column in link])
    mask = suppress_cells(values, lines)
    return [_build(g, mask) for g in grids]


def table(
    key: str, title: str, row_header: str, rows: Sequence[tuple[str, str]], columns: Sequence[Column], **options
) -> Table:
    """Build a disclosure-controlled :class:`Table` (options: the fields of :class:`Spec`).

    ``rows`` are (key, label) pairs. ``row_total`` adds a column with that name summing the
    Count columns marked ``in_row_total`` (and not ``part_of``); ``column_totals`` adds a
    totals row. Both totals take part in secondary suppression."""
    return tables([Spec(key, title, row_header, rows, columns, **options)])[0]


def frequent_terms(counts: Sequence[tuple[str, int]], limit: int = 20) -> list[tuple[str, int]]:
    """Free text typed by the public: only terms used at least T times are listed at all."""
    t = threshold()
    return [(text, n) for text, n in counts if n >= t][:limit]
