"""The shapes every insight figure takes on its way out of the query layer.

Selectors (``selectors.py``) build these through ``disclosure.py``, so a figure that reaches a
view, a chart or a CSV export has already been through disclosure control: a suppressed cell
carries no number at all (``value`` is None), only its display text. Views, charts and
exports read these objects; they never run their own queries on casework data.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import StrEnum


class Unit(StrEnum):
    COUNT = "count"
    PERCENT = "percent"  # value is a share 0–100, display already has the % sign
    SCORE = "score"  # an average outcome score or a change in one
    DAYS = "days"  # a duration in (working or calendar) days; the table's note says which
    HOURS = "hours"


class Chart(StrEnum):
    NONE = "none"  # a table only
    LINE = "line"  # rows are points in time (months), one line per column
    BAR = "bar"  # one bar per row (first column), horizontal
    STACKED_BAR = "stacked_bar"  # one bar per row, a segment per column
    FLOW = "flow"  # rows are "from" levels, columns "to" levels (step-up/step-down flows)


@dataclass(frozen=True)
class Cell:
    value: float | int | None  # None when suppressed or not shown (never the hidden number)
    display: str  # what a person reads: "12", "<5", "45%", "–"
    suppressed: bool = False  # true when hidden by disclosure control (primary or secondary)


@dataclass(frozen=True)
class Row:
    label: str
    cells: tuple[Cell, ...]
    key: str = ""  # a stable machine key for exports (e.g. "2026-03", "level-3")


@dataclass(frozen=True)
class Table:
    """One figure: a table (and the data behind its chart)."""

    key: str  # unique within a dashboard: anchors, CSV file names, test lookups
    title: str
    row_header: str  # what the rows are, e.g. "Month", "Closure reason"
    columns: tuple[str, ...]
    rows: tuple[Row, ...]
    unit: Unit = Unit.COUNT
    chart: Chart = Chart.NONE
    total: Row | None = None  # a totals row, already disclosure-controlled
    description: str = ""  # one or two sentences: what is counted and how
    notes: tuple[str, ...] = ()  # e.g. "Counts from 1 to 4 are shown as <5."
    # The columns the chart draws (all of one unit); empty = the chart's default (the count
    # columns, or the first column of a bar chart). Every column stays in the data table.
    chart_columns: tuple[str, ...] = ()
    chart_unit: Unit | None = None  # the unit of chart_columns when it differs from ``unit``
    dated: bool = False  # the title names its own day ("… on 31 October 2026"): no period in the caption
    # A long list ordered by importance (services by families): a page shows this many rows and
    # the CSV all of them (for_page). None: every row, always (a month series is never cut).
    page_rows: int | None = None

    def cell(self, row_key_or_label: str, column: str) -> Cell:
        index = self.columns.index(column)
        for row in (*self.rows, *((self.total,) if self.total else ())):
            if row_key_or_label in (row.key, row.label):
                return row.cells[index]
        raise KeyError(row_key_or_label)

    @property
    def has_suppression(self) -> bool:
        rows = (*self.rows, *((self.total,) if self.total else ()))
        return any(c.suppressed for row in rows for c in row.cells)


PAGE_ROWS = 25


def for_page(table: Table | None) -> Table | None:
    """A table as a page shows it: a long list ordered by importance (``page_rows`` set) cut to
    its first rows, with a note that the CSV download has them all. The whole table was
    disclosure-controlled, so showing part of it shows nothing more. A page of 2,000 services'
    rows (and a chart of 2,000 bars) was 3 MB of HTML that nobody could read on a phone."""
    if table is None or table.page_rows is None or len(table.rows) <= table.page_rows:
        return table
    limit = table.page_rows
    # A row that gathers the rest ("other") stays at the end: the description promises it.
    pinned = tuple(row for row in table.rows if row.key == "other")
    rows = tuple(row for row in table.rows if row.key != "other")[:limit] + pinned
    note = f"The page shows the first {limit} of {len(table.rows) - len(pinned):,} rows; the CSV download has them all."
    return replace(table, rows=rows, notes=(*table.notes, note))


@dataclass(frozen=True)
class Headline:
    """A single figure shown large at the top of a dashboard ("Re-referral rate: 18%")."""

    key: str
    label: str
    cell: Cell
    hint: str = ""


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    tables: tuple[Table, ...]
    description: str = ""


@dataclass(frozen=True)
class Dashboard:
    slug: str  # early-help, outcomes, encompass, directory
    title: str
    period_label: str  # "1 April 2025 to 31 March 2026"
    headlines: tuple[Headline, ...]
    sections: tuple[Section, ...]
    notes: tuple[str, ...] = field(default=())

    def table(self, key: str) -> Table:
        for section in self.sections:
            for table in section.tables:
                if table.key == key:
                    return table
        raise KeyError(key)

    def headline(self, key: str) -> Headline:
        for headline in self.headlines:
            if headline.key == key:
                return headline
        raise KeyError(key)
