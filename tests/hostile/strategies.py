"""Hypothesis strategies for hostile input: the values an attacker, a broken export or a
careless spreadsheet produce."""

from __future__ import annotations

import csv
import io

from hypothesis import strategies as st

XSS_SCRIPT = "<script>alert(1)</script>"
XSS_ATTRIBUTE = '"><img src=x onerror=alert(1)>'

HOSTILE_VALUES = [
    "",
    " ",
    "=cmd|' /C calc'!A0",  # spreadsheet formula injection
    "+SUM(1+1)*cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)",
    "\x00",
    "nul\x00inside",
    "\ufeffBOM",
    "\u202eright-to-left override",
    "emoji 👨‍👩‍👧 family",
    XSS_SCRIPT,
    XSS_ATTRIBUTE,
    "'; DROP TABLE directory_servicepage; --",
    "2025-02-30",
    "0000-00-00",
    "9999-12-31",
    "0001-01-01",
    "31/12/2025",
    "2024-02-29T25:61:00",
    "1e309",
    "NaN",
    "-Infinity",
    "99999999999999999999999",
    "-1",
    "\r\n",
    '"unbalanced quote',
    "x" * 5000,
]

hostile_text = st.one_of(st.sampled_from(HOSTILE_VALUES), st.text(max_size=40))
huge_text = st.integers(min_value=10_000, max_value=200_000).map(lambda n: "A" * n)
any_cell = st.one_of(hostile_text, huge_text)

# Bytes a file on disk may hold: anything, or text in an encoding the importer may not expect.
ENCODINGS = ["utf-8", "utf-8-sig", "utf-16", "cp1252", "latin-1", "utf-32"]


def encoded(text_strategy):
    """Text written out in an arbitrary encoding (replacing what the encoding cannot hold)."""
    return st.tuples(text_strategy, st.sampled_from(ENCODINGS)).map(lambda t: t[0].encode(t[1], errors="replace"))


def csv_text(header: list[str], rows: list[dict]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=header, extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        writer.writerow(row)
    return out.getvalue()


@st.composite
def hostile_csv(draw, columns: tuple[str, ...] | list[str], *, valid_row: dict | None = None, max_rows: int = 4):
    """A CSV whose header is the real columns with some dropped, renamed or added, and whose
    cells are hostile values (one row may start from a valid row with one cell replaced)."""
    header = list(columns)
    if draw(st.booleans()):
        header = [c for c in header if draw(st.booleans())] or header[:1]
    if draw(st.booleans()):
        header.append(draw(st.sampled_from(["unexpected", "", "=cmd", "URN ", "name"])))
    rows = []
    for _ in range(draw(st.integers(min_value=0, max_value=max_rows))):
        if valid_row is not None and draw(st.booleans()):
            row = dict(valid_row)
            column = draw(st.sampled_from(header))
            row[column] = draw(any_cell)
        else:
            row = {column: draw(any_cell) for column in header if draw(st.booleans())}
        rows.append(row)
    return csv_text(header, rows)
