"""Insights as files: a dashboard's figures as one CSV, and the directory's open data as
Open Referral UK JSON.

The CSV is plain (a header row and rows, nothing above them); see :func:`dashboard_csv`.
It writes each cell's *display* text, exactly as the page shows it, so a suppressed
cell is "<5" and its number never reaches the file (the figures hold no number for it).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator

from . import disclosure
from .figures import Dashboard
from .filters import Filters

CSV_COLUMNS = ("dashboard", "period", "period_from", "period_to", "filters", "table", "row", "column", "value")
NOTES_TABLE = "Notes"  # the table name of the rows that carry the notes (in value)
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"^[-+]?\d[\d,]*(\.\d+)?%?$")


def csv_text(value) -> str:
    """A cell a spreadsheet will not run as a formula (OWASP CSV injection). Labels can hold
    text the public typed (search terms), so anything starting with = + - @ is prefixed with a
    quote, except a plain number such as a negative change in score ("-1.5")."""
    text = "" if value is None else str(value)
    if text.startswith(_FORMULA_STARTS) and not _NUMBER.match(text):
        return "'" + text
    return text


def notes(dashboard: Dashboard) -> list[str]:
    """What a reader of the file needs to read the figures right, as rows of table "Notes"."""
    every = [
        "Commissioners' insights: aggregate figures only, no information about any one family.",
        disclosure.primary_note(),
        disclosure.rate_note(),
        "value is the figure exactly as the dashboard shows it.",
        *dashboard.notes,
    ]
    return list(dict.fromkeys(every))  # each note once, in order


def csv_rows(dashboards: Iterable[tuple[Dashboard, Filters]], summary: str) -> Iterator[tuple[str, ...]]:
    """The notes, then one row per cell: every headline, every table (and its total) of each
    dashboard, each row carrying its period and the filters chosen."""
    for dashboard, filters in dashboards:
        first = (
            dashboard.title,
            dashboard.period_label,
            filters.date_from.isoformat(),
            filters.date_to.isoformat(),
            summary,
        )
        for note in notes(dashboard):
            yield (*first, NOTES_TABLE, "", "", note)
        for headline in dashboard.headlines:
            yield (*first, "Headline figures", headline.label, "", headline.cell.display)
        for section in dashboard.sections:
            for table in section.tables:
                rows = (*table.rows, *((table.total,) if table.total else ()))
                for row in rows:
                    for column, cell in zip(table.columns, row.cells, strict=True):
                        yield (*first, table.title, row.label, column, cell.display)


def dashboard_csv(dashboards: list[tuple[Dashboard, Filters]], summary: str = "No filters") -> tuple[str, int]:
    """A plain CSV (a header row, then rows; with a byte-order mark, so Excel reads it as
    UTF-8) and its count of figure rows (the notes not counted)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    count = 0
    for row in csv_rows(dashboards, summary):
        writer.writerow([csv_text(value) for value in row])
        count += row[5] != NOTES_TABLE
    return "\ufeff" + buffer.getvalue(), count


def open_data_json() -> str:
    """The directory's open data: exactly what ``manage.py export_open_referral`` writes (the
    ORUK API's services, fully nested; confidential locations are never loaded)."""
    from directory.management.commands.export_open_referral import export_json

    return export_json()
