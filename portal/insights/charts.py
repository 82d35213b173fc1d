"""Charts for insight tables, drawn on the server as inline SVG: no JavaScript, no chart CDN,
no dependency.

Every chart reads one :class:`~portal.insights.figures.Table` that has already been through
disclosure control, so it can only draw what the table may show: a suppressed cell has no
number, and is drawn as a gap in a line or a small hatched stub labelled with its display
text ("<5"), never as a bar of its real size.

Readable without colour: each series has its own marker shape, dash pattern and fill
pattern, shown the same way in the legend; values are written on bars; the flow matrix
writes every number in its cell. Each chart is ``role="img"`` with a ``<title>`` and a
``<desc>``, and the page puts the data table right after it. Nothing is styled with a
``style`` attribute (the content security policy refuses them): colours are presentation
attributes, which the print stylesheet overrides to black and white.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import slugify

from .figures import Cell, Chart, Table, Unit

# A narrow canvas with large text: an SVG scales to the width it is given, so on a 390 px
# phone (about 358 px for the chart) text is FONT_SIZE × 358 / WIDTH ≈ 11 px, and on a wide
# screen (the stylesheet caps a chart at 600 px) about 19 px, the size of body text.
WIDTH = 480
FONT_SIZE = 15
CHAR_WIDTH = 8.3  # an average character at FONT_SIZE, for laying out labels
LINE_HEIGHT = FONT_SIZE + 3  # between the lines of a wrapped label
TEXT = "#0b0c0c"
MUTED = "#505a5f"
GRID = "#b1b4b6"
SUPPRESSED_STUB = 16  # the width of a suppressed bar: it says "there is something", never how much
MAX_LABEL_CHARS = 38  # legends and other one-line labels
NOT_CHARTED = "Not charted: every value is 0 or hidden."


@dataclass(frozen=True)
class SeriesStyle:
    marker: str  # circle, square, triangle, diamond, cross, plus
    dash: str  # stroke-dasharray for lines ("" is solid)
    pattern: str  # fill pattern for bars: solid, diagonal, dots, crosshatch, horizontal, vertical
    colour: str  # each at least 3:1 against white (WCAG 1.4.11)


STYLES: tuple[SeriesStyle, ...] = (
    SeriesStyle("circle", "", "solid", "#1d70b8"),
    SeriesStyle("square", "8 4", "diagonal", "#d4351c"),
    SeriesStyle("triangle", "2 3", "dots", "#00703c"),
    SeriesStyle("diamond", "10 3 2 3", "crosshatch", "#4c2c92"),
    SeriesStyle("cross", "4 4", "horizontal", "#d53880"),
    SeriesStyle("plus", "12 4 4 4", "vertical", "#0b0c0c"),
)


def style_for(index: int) -> SeriesStyle:
    return STYLES[index % len(STYLES)]


# --- SVG text -----------------------------------------------------------------------------
def _attrs(attrs: dict) -> str:
    parts = []
    for name, value in attrs.items():
        if value is None or value == "":
            continue
        if isinstance(value, float):
            value = _num(value)
        parts.append(f' {name.rstrip("_").replace("_", "-")}="{escape(str(value))}"')
    return "".join(parts)


def _el(tag: str, content: str | None = None, **attrs) -> str:
    if content is None:
        return f"<{tag}{_attrs(attrs)}/>"
    return f"<{tag}{_attrs(attrs)}>{content}</{tag}>"


def _text(x: float, y: float, text: str, **attrs) -> str:
    attrs.setdefault("fill", TEXT)
    return _el("text", escape(text), x=x, y=y, **attrs)


def _num(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".") if value != int(value) else str(int(value))


def _short(label: str, limit: int = MAX_LABEL_CHARS) -> str:
    return label if len(label) <= limit else label[: limit - 1].rstrip() + "…"


def _wrap(label: str, width: float) -> list[str]:
    """``label`` in lines no wider than ``width`` (breaking at spaces, and inside a word only
    when one word is wider than a line). Nothing is cut off: two labels that start alike
    ("Domestic abuse outreach in Sunderland North", "… South") stay distinguishable."""
    limit = max(int(width // CHAR_WIDTH), 6)
    lines: list[str] = []
    line = ""
    for word in label.split():
        while len(word) > limit:
            if line:
                lines.append(line)
                line = ""
            lines.append(word[: limit - 1] + "-")
            word = word[limit - 1 :]
        candidate = f"{line} {word}" if line else word
        if len(candidate) <= limit:
            line = candidate
        else:
            lines.append(line)
            line = word
    if line or not lines:
        lines.append(line)
    return lines


def _label(x: float, middle: float, lines: Sequence[str], **attrs) -> str:
    """A row label of one or more lines, centred on ``middle``."""
    if len(lines) == 1:
        return _text(x, middle + FONT_SIZE * 0.35, lines[0], **attrs)
    first = middle - (len(lines) - 1) * LINE_HEIGHT / 2 + FONT_SIZE * 0.35
    attrs.setdefault("fill", TEXT)
    spans = "".join(_el("tspan", escape(line), x=x, dy=LINE_HEIGHT if i else None) for i, line in enumerate(lines))
    return _el("text", spans, x=x, y=first, **attrs)


def _row_height(lines: Sequence[str], bar: float) -> float:
    return max(bar, len(lines) * LINE_HEIGHT + 4)


_MONTH = re.compile(
    r"^(January|February|March|April|May|June|July|August|September|October|November|December) (\d{4})$"
)


def _axis_label(label: str) -> str:
    """A month as "Feb 2026" under an axis (the table has it in full); other labels shortened."""
    match = _MONTH.match(label)
    return f"{match.group(1)[:3]} {match.group(2)}" if match else _short(label, 12)


def _text_width(text: str) -> float:
    return len(text) * CHAR_WIDTH


# --- Scales -------------------------------------------------------------------------------
def _nice(value: float, *, round_: bool) -> float:
    """Heckbert's nice numbers: 1, 2, 5 × a power of ten."""
    if value <= 0:
        return 1.0
    exponent = math.floor(math.log10(value))
    fraction = value / 10**exponent
    if round_:
        nice = 1 if fraction < 1.5 else 2 if fraction < 3 else 5 if fraction < 7 else 10
    else:
        nice = 1 if fraction <= 1 else 2 if fraction <= 2 else 5 if fraction <= 5 else 10
    return nice * 10**exponent


def nice_ticks(low: float, high: float, *, max_ticks: int = 6, integer: bool = False) -> list[float]:
    """Round tick values covering ``low``..``high`` (which always includes 0 for our charts)."""
    if high <= low:
        high = low + 1
    step = _nice(_nice(high - low, round_=False) / (max_ticks - 1), round_=True)
    if integer:
        step = max(1.0, round(step))
    start = math.floor(low / step + 1e-9) * step
    end = math.ceil(high / step - 1e-9) * step
    count = round((end - start) / step)
    return [round(start + i * step, 10) for i in range(count + 1)]


def _tick_label(value: float, unit: Unit) -> str:
    text = f"{value:,.0f}" if value == int(value) else f"{value:,.1f}"
    return text + ("%" if unit == Unit.PERCENT else "")


@dataclass(frozen=True)
class _Scale:
    low: float
    high: float
    start: float  # pixel of low
    end: float  # pixel of high

    def __call__(self, value: float) -> float:
        return self.start + (value - self.low) / (self.high - self.low) * (self.end - self.start)


def _value_ticks(values: Sequence[float], unit: Unit, max_ticks: int = 6) -> list[float]:
    low = min([0.0, *values])
    high = max([0.0, *values])
    if unit == Unit.PERCENT and high <= 100:
        high = max(high, 1.0)
    return nice_ticks(low, high, max_ticks=max_ticks, integer=unit == Unit.COUNT)


# --- Shared pieces ------------------------------------------------------------------------
def _marker(
    shape: str,
    x: float,
    y: float,
    colour: str,
    *,
    series: int | None = None,
    size: float = 5,
    class_: str = "app-chart__marker",
) -> str:
    common = {"class_": f"{class_} {class_}--{shape}", "data_series": series}
    if shape == "circle":
        return _el("circle", cx=x, cy=y, r=size, fill=colour, **common)
    if shape == "square":
        return _el("rect", x=x - size, y=y - size, width=2 * size, height=2 * size, fill=colour, **common)
    if shape == "triangle":
        points = f"{_num(x)},{_num(y - size * 1.2)} {_num(x + size * 1.1)},{_num(y + size * 0.9)} {_num(x - size * 1.1)},{_num(y + size * 0.9)}"
        return _el("polygon", points=points, fill=colour, **common)
    if shape == "diamond":
        s = size * 1.3
        points = f"{_num(x)},{_num(y - s)} {_num(x + s)},{_num(y)} {_num(x)},{_num(y + s)} {_num(x - s)},{_num(y)}"
        return _el("polygon", points=points, fill=colour, **common)
    if shape == "cross":
        d = f"M{_num(x - size)} {_num(y - size)}L{_num(x + size)} {_num(y + size)}M{_num(x - size)} {_num(y + size)}L{_num(x + size)} {_num(y - size)}"
        return _el("path", d=d, stroke=colour, stroke_width=3, fill="none", **common)
    # plus
    d = f"M{_num(x - size)} {_num(y)}L{_num(x + size)} {_num(y)}M{_num(x)} {_num(y - size)}L{_num(x)} {_num(y + size)}"
    return _el("path", d=d, stroke=colour, stroke_width=3, fill="none", **common)


def _pattern_defs(prefix: str, count: int) -> str:
    """One fill pattern per series (a background of the series colour with white lines or
    dots), and the hatch for suppressed values."""
    defs = []
    for index in range(count):
        style = style_for(index)
        bg = _el("rect", width=8, height=8, fill=style.colour, class_="app-chart__pattern-bg")
        marks = {
            "solid": "",
            "diagonal": _el("path", d="M-2 2L2 -2M0 8L8 0M6 10L10 6", stroke="#fff", stroke_width=2),
            "dots": _el("circle", cx=4, cy=4, r=1.8, fill="#fff", class_="app-chart__pattern-dot"),
            "crosshatch": _el("path", d="M0 0L8 8M8 0L0 8", stroke="#fff", stroke_width=1.5),
            "horizontal": _el("path", d="M0 4H8", stroke="#fff", stroke_width=2),
            "vertical": _el("path", d="M4 0V8", stroke="#fff", stroke_width=2),
        }[style.pattern]
        defs.append(
            _el(
                "pattern",
                bg + marks,
                id=f"{prefix}-p{index}",
                width=8,
                height=8,
                patternUnits="userSpaceOnUse",
                class_=f"app-chart__pattern app-chart__pattern--{style.pattern}",
            )
        )
    hatch = _el("rect", width=6, height=6, fill="#fff") + _el("path", d="M-1 1L1 -1M0 6L6 0M5 7L7 5", stroke=MUTED)
    defs.append(_el("pattern", hatch, id=f"{prefix}-hatch", width=6, height=6, patternUnits="userSpaceOnUse"))
    return _el("defs", "".join(defs))


def _suppressed_stub(
    prefix: str, x: float, y: float, height: float, label: str, *, label_x: float | None = None
) -> str:
    stub = _el(
        "rect",
        x=x,
        y=y,
        width=SUPPRESSED_STUB,
        height=height,
        fill=f"url(#{prefix}-hatch)",
        stroke=MUTED,
        stroke_dasharray="3 2",
        class_="app-chart__suppressed-bar",
    )
    text = _text(
        label_x if label_x is not None else x + SUPPRESSED_STUB + 6,
        y + height / 2 + FONT_SIZE * 0.35,
        label,
        class_="app-chart__value app-chart__suppressed",
    )
    return stub + text


def _legend_line(columns: Sequence[str], y: float, *, kind: str, prefix: str) -> tuple[str, float]:
    """A legend with each series' marker and line (lines) or fill pattern (bars), wrapping
    onto further rows as needed. Returns the markup and the height used."""
    items = []
    x, row_y = 4.0, y
    for index, name in enumerate(columns):
        style = style_for(index)
        label = _short(name, 40)
        item_width = 34 + _text_width(label) + 18
        if x > 4 and x + item_width > WIDTH:
            x, row_y = 4.0, row_y + 22
        if kind == "line":
            swatch = _el(
                "line",
                x1=x,
                y1=row_y,
                x2=x + 26,
                y2=row_y,
                stroke=style.colour,
                stroke_width=2.5,
                stroke_dasharray=style.dash,
                class_="app-chart__line",
            ) + _marker(style.marker, x + 13, row_y, style.colour, series=index, size=4)
        else:
            swatch = _el(
                "rect",
                x=x + 4,
                y=row_y - 8,
                width=18,
                height=16,
                fill=f"url(#{prefix}-p{index})",
                stroke=TEXT,
                stroke_width=0.5,
                class_="app-chart__swatch",
            )
        items.append(
            _el(
                "g",
                swatch + _text(x + 32, row_y + FONT_SIZE * 0.35, label),
                class_="app-chart__legend-item",
                data_series=index,
            )
        )
        x += item_width
    return _el("g", "".join(items), class_="app-chart__legend"), row_y - y + 22


def _svg(table: Table, prefix: str, kind: str, height: float, body: str, description: str) -> SafeString:
    title_id, desc_id = f"{prefix}-title", f"{prefix}-desc"
    svg = _el(
        "svg",
        _el("title", escape(table.title), id=title_id) + _el("desc", escape(description), id=desc_id) + body,
        xmlns="http://www.w3.org/2000/svg",
        viewBox=f"0 0 {WIDTH} {_num(math.ceil(height))}",
        role="img",
        aria_labelledby=f"{title_id} {desc_id}",
        focusable="false",
        class_=f"app-chart app-chart--{kind}",
        font_size=FONT_SIZE,
        font_family="Arial, sans-serif",
        id=prefix,
    )
    return mark_safe(svg)


def _suppressed_note(table: Table) -> str:
    if not table.has_suppression:
        return ""
    return (
        " Small numbers are hidden to protect families' privacy: they are shown as a gap or a"
        " hatched stub labelled as in the table."
    )


def _values_of(cells: Sequence[Cell]) -> list[float]:
    return [float(c.value) for c in cells if c.value is not None and not c.suppressed]


def chart_id(table: Table, suffix: str = "") -> str:
    base = f"chart-{slugify(table.key) or 'figure'}"
    return f"{base}-{slugify(suffix)}" if suffix else base


def _gaps_note(gaps: Sequence[tuple[int, int, str]], columns: Sequence[str], rows) -> str:
    if not gaps:
        return ""
    return (
        " Hidden points, each labelled beside its series' marker: "
        + "; ".join(f"{columns[series]} in {rows[i].label} ({display})" for i, series, display in sorted(gaps))
        + "."
    )


# --- Line: months along the bottom, one line per column ----------------------------------
def line_chart(table: Table, prefix: str, note: str = "", shared: Sequence[float] = ()) -> SafeString:
    columns = table.columns
    rows = table.rows
    legend, legend_height = _legend_line(columns, 12, kind="line", prefix=prefix)
    ticks = _value_ticks([*_scale_values(table), *shared], table.unit)
    first_label = _text_width(_axis_label(rows[0].label)) / 2 if rows else 0
    last_label = _text_width(_axis_label(rows[-1].label)) / 2 if rows else 0
    left = max(max(_text_width(_tick_label(t, table.unit)) for t in ticks) + 14, first_label + 4)
    top = legend_height + 16
    plot_height = 240
    bottom = top + plot_height
    right = WIDTH - max(16, last_label + 4)
    y = _Scale(ticks[0], ticks[-1], bottom, top)
    n = len(rows)
    step_x = (right - left) / max(n - 1, 1)

    def x_at(i: int) -> float:
        return left + (i * step_x if n > 1 else (right - left) / 2)

    parts = [legend]
    for tick in ticks:
        ty = y(tick)
        parts.append(
            _el("line", x1=left, y1=ty, x2=right, y2=ty, stroke=GRID, stroke_width=1, class_="app-chart__grid")
        )
        parts.append(_text(left - 8, ty + FONT_SIZE * 0.35, _tick_label(tick, table.unit), text_anchor="end"))
    if ticks[0] < 0 < ticks[-1]:
        parts.append(_el("line", x1=left, y1=y(0), x2=right, y2=y(0), stroke=TEXT, stroke_width=1))
    parts.append(
        _el("line", x1=left, y1=bottom, x2=right, y2=bottom, stroke=TEXT, stroke_width=1, class_="app-chart__axis")
    )
    widest = max(_text_width(_axis_label(row.label)) for row in rows) + 10 if rows else 0
    label_every = max(1, math.ceil(widest / step_x)) if n > 1 else 1
    for i, row in enumerate(rows):
        if i % label_every == 0:
            parts.append(_text(x_at(i), bottom + 20, _axis_label(row.label), text_anchor="middle"))
            parts.append(_el("line", x1=x_at(i), y1=bottom, x2=x_at(i), y2=bottom + 5, stroke=TEXT))
    gaps = []
    for series, _column in enumerate(columns):
        style = style_for(series)
        path, markers, pen_down = [], [], False
        for i, row in enumerate(rows):
            cell = row.cells[series]
            if cell.value is None or cell.suppressed:
                pen_down = False
                if cell.suppressed or cell.display:
                    gaps.append((i, series, cell.display))
                continue
            px, py = x_at(i), y(float(cell.value))
            path.append(f"{'L' if pen_down else 'M'}{_num(px)} {_num(py)}")
            pen_down = True
            markers.append(_marker(style.marker, px, py, style.colour, series=series))
        if any(step.startswith("L") for step in path):  # a lone point is its marker alone
            parts.append(
                _el(
                    "path",
                    d="".join(path),
                    fill="none",
                    stroke=style.colour,
                    stroke_width=2.5,
                    stroke_dasharray=style.dash,
                    stroke_linejoin="round",
                    class_="app-chart__line",
                    data_series=series,
                )
            )
        parts.append(_el("g", "".join(markers), class_="app-chart__series", data_series=series))
    # One label per hidden point, each beside its series' marker, stacked up from the axis
    # where several series are hidden in the same month.
    stacked: dict[int, int] = {}
    for i, series, display in gaps:
        level = stacked.get(i, 0)
        stacked[i] = level + 1
        gy = bottom - 8 - level * LINE_HEIGHT
        start = x_at(i) - (_text_width(display) + 12) / 2
        style = style_for(series)
        parts.append(
            _el(
                "g",
                _marker(style.marker, start + 4, gy - FONT_SIZE * 0.3, MUTED, size=3.5, class_="app-chart__gap-marker")
                + _text(start + 12, gy, display, class_="app-chart__suppressed", fill=MUTED),
                class_="app-chart__gap",
            )
        )
    first, last = (rows[0].label, rows[-1].label) if rows else ("", "")
    description = (
        f"Line chart of {', '.join(columns)} by {table.row_header.lower()}, {first} to {last}; "
        f"vertical axis from {_tick_label(ticks[0], table.unit)} to {_tick_label(ticks[-1], table.unit)}. "
        + " ".join(
            f"{name}: {style_for(i).marker} markers, {'solid' if not style_for(i).dash else 'dashed'} line."
            for i, name in enumerate(columns)
        )
        + _suppressed_note(table)
        + _gaps_note(gaps, columns, rows)
        + note
        + " The figures are in the table that follows."
    )
    return _svg(table, prefix, "line", bottom + 34, "".join(parts), description)


# --- Horizontal bars: one per row, the first column --------------------------------------
LABEL_SPACE = WIDTH * 0.42  # the most a column of row labels takes; longer labels wrap


def _row_labels(labels: Sequence[str]) -> tuple[list[list[str]], float]:
    """Each row label wrapped to fit, and the margin the widest line needs."""
    wrapped = [_wrap(label, LABEL_SPACE - 12) for label in labels]
    widest = max((_text_width(line) for lines in wrapped for line in lines), default=0)
    return wrapped, min(widest + 12, LABEL_SPACE)


def bar_chart(table: Table, prefix: str, note: str = "", shared: Sequence[float] = ()) -> SafeString:
    rows = table.rows
    cells = [row.cells[0] for row in rows]
    ticks = _value_ticks([*_scale_values(table), *shared], table.unit, max_ticks=5)
    labels, left = _row_labels([row.label for row in rows])
    right = WIDTH - 56  # room for the value after the longest bar
    # and, when some bars are negative, room for a value before the longest of those
    before = max((_text_width(c.display) + 10 for c in cells if c.value is not None and c.value < 0), default=0)
    bar, gap, top = 24, 10, 8
    x = _Scale(ticks[0], ticks[-1], left + before, right)
    heights = [_row_height(lines, bar) for lines in labels]
    bottom = top + sum(h + gap for h in heights)
    parts = [_pattern_defs(prefix, 1)]
    for tick in ticks:
        tx = x(tick)
        parts.append(_el("line", x1=tx, y1=top - 4, x2=tx, y2=bottom, stroke=GRID, class_="app-chart__grid"))
        parts.append(_text(tx, bottom + 20, _tick_label(tick, table.unit), text_anchor="middle"))
    zero = x(0)
    row_top = top
    for cell, lines, height in zip(cells, labels, heights, strict=True):
        middle = row_top + height / 2
        by = middle - bar / 2
        row_top += height + gap
        parts.append(_label(left - 8, middle, lines, text_anchor="end", class_="app-chart__label"))
        if cell.suppressed or cell.value is None:
            if cell.suppressed:
                parts.append(_suppressed_stub(prefix, zero, by, bar, cell.display))
            else:
                parts.append(_text(zero + 6, middle + FONT_SIZE * 0.35, cell.display or "–", fill=MUTED))
            continue
        end = x(float(cell.value))
        bx, width = min(zero, end), abs(end - zero)
        parts.append(
            _el(
                "rect",
                x=bx,
                y=by,
                width=max(width, 1),
                height=bar,
                fill=STYLES[0].colour,
                class_="app-chart__bar",
                data_series=0,
            )
        )
        label_x, anchor = (end + 6, "start") if float(cell.value) >= 0 else (end - 6, "end")
        parts.append(
            _text(label_x, middle + FONT_SIZE * 0.35, cell.display, text_anchor=anchor, class_="app-chart__value")
        )
    # The zero line, drawn over the bars: negative values (a fall in a score) go left of it.
    parts.append(
        _el("line", x1=zero, y1=top - 4, x2=zero, y2=bottom, stroke=TEXT, stroke_width=1.5, class_="app-chart__axis")
    )
    column = table.columns[0] if table.columns else ""
    negative = " Bars left of the zero line are negative." if ticks[0] < 0 else ""
    description = (
        f"Horizontal bar chart of {column.lower() or 'values'} by {table.row_header.lower()}, "
        f"{len(rows)} bars, each labelled with its value; axis from {_tick_label(ticks[0], table.unit)} "
        f"to {_tick_label(ticks[-1], table.unit)}."
        + negative
        + _suppressed_note(table)
        + note
        + " The figures are in the table that follows."
    )
    return _svg(table, prefix, "bar", bottom + 30, "".join(parts), description)


# --- Stacked bars: one per row, a segment per column -------------------------------------
def stacked_bar_chart(table: Table, prefix: str, note: str = "", shared: Sequence[float] = ()) -> SafeString:
    rows, columns = table.rows, table.columns
    legend, legend_height = _legend_line(columns, 12, kind="bar", prefix=prefix)
    ticks = _value_ticks([*_scale_values(table), *shared], table.unit, max_ticks=5)
    labels, left = _row_labels([row.label for row in rows])
    right = WIDTH - 56
    bar, gap = 24, 12
    top = legend_height + 20
    x = _Scale(0, ticks[-1], left, right)
    heights = [_row_height(lines, bar) for lines in labels]
    bottom = top + sum(h + gap for h in heights)
    parts = [_pattern_defs(prefix, len(columns)), legend]
    for tick in ticks:
        if tick < 0:
            continue
        tx = x(tick)
        parts.append(_el("line", x1=tx, y1=top - 4, x2=tx, y2=bottom, stroke=GRID, class_="app-chart__grid"))
        parts.append(_text(tx, bottom + 20, _tick_label(tick, table.unit), text_anchor="middle"))
    row_top = top
    for row, lines, height in zip(rows, labels, heights, strict=True):
        by = row_top + height / 2 - bar / 2
        row_top += height + gap
        parts.append(_label(left - 8, by + bar / 2, lines, text_anchor="end", class_="app-chart__label"))
        cursor = x(0)
        hidden = []
        for series, cell in enumerate(row.cells):
            if cell.suppressed:
                hidden.append(cell.display)
                continue
            if cell.value is None or float(cell.value) <= 0:
                continue
            width = x(float(cell.value)) - x(0)
            parts.append(
                _el(
                    "rect",
                    x=cursor,
                    y=by,
                    width=width,
                    height=bar,
                    fill=f"url(#{prefix}-p{series})",
                    stroke="#fff",
                    stroke_width=1,
                    class_="app-chart__segment",
                    data_series=series,
                )
            )
            if width >= _text_width(cell.display) + 8:
                parts.append(
                    _text(
                        cursor + width / 2,
                        by + bar / 2 + FONT_SIZE * 0.35,
                        cell.display,
                        text_anchor="middle",
                        fill="#fff",
                        stroke=TEXT,
                        stroke_width=3,
                        paint_order="stroke",
                        class_="app-chart__value app-chart__segment-label",
                    )
                )
            cursor += width
        if hidden:
            label = " ".join(dict.fromkeys(hidden))
            parts.append(_suppressed_stub(prefix, cursor, by, bar, label))
            cursor += SUPPRESSED_STUB
    parts.append(_el("line", x1=x(0), y1=top - 4, x2=x(0), y2=bottom, stroke=TEXT, class_="app-chart__axis"))
    description = (
        f"Stacked bar chart by {table.row_header.lower()}: one bar per row, with a segment for each of "
        + ", ".join(f"{name} ({style_for(i).pattern} fill)" for i, name in enumerate(columns))
        + ". Segments wide enough are labelled with their value."
        + _suppressed_note(table)
        + note
        + " The figures are in the table that follows."
    )
    return _svg(table, prefix, "stacked-bar", bottom + 30, "".join(parts), description)


# --- Flow: a matrix of "from" rows and "to" columns ---------------------------------------
def _luminance(rgb: tuple[float, float, float]) -> float:
    def channel(c: float) -> float:
        c = c / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _shade(share: float) -> tuple[str, str]:
    """A fill from white to dark blue for ``share`` (0–1), and the text colour (black or
    white) with the better contrast on it."""
    dark = (0, 48, 120)
    rgb = tuple(255 + (d - 255) * (0.12 + 0.88 * share) for d in dark)
    fill = "#{:02x}{:02x}{:02x}".format(*(round(c) for c in rgb))
    lum = _luminance(rgb)
    on_white = 1.05 / (lum + 0.05)
    on_black = (lum + 0.05) / 0.05
    return fill, ("#ffffff" if on_white > on_black else TEXT)


def flow_chart(table: Table, prefix: str, note: str = "", shared: Sequence[float] = ()) -> SafeString:
    rows, columns = table.rows, table.columns
    labels, left = _row_labels([row.label for row in rows])
    left += 8
    cell_w = min((WIDTH - left - 8) / max(len(columns), 1), 140)
    two_lines = any(_text_width(_short(c, 24)) > cell_w - 8 and " " in c for c in columns)
    top = 30 + (18 if two_lines else 0) + 12
    heights = [max(40, _row_height(lines, 0) + 8) for lines in labels]
    high = max([*_scale_values(table), *shared], default=0) or 1
    parts = [_pattern_defs(prefix, 0)]
    parts.append(_text(0, 16, f"Rows: {table.row_header.lower()}. Columns: moved to.", fill=MUTED))
    for j, column in enumerate(columns):
        cx = left + j * cell_w + cell_w / 2
        label = _short(column, 24)
        if _text_width(label) > cell_w - 8 and " " in label:
            first, _, second = label.rpartition(" ")
            parts.append(_text(cx, top - 28, first, text_anchor="middle", font_weight="bold"))
            parts.append(_text(cx, top - 10, second, text_anchor="middle", font_weight="bold"))
        else:
            parts.append(_text(cx, top - 10, label, text_anchor="middle", font_weight="bold"))
    ry = top
    for row, lines, cell_h in zip(rows, labels, heights, strict=True):
        parts.append(
            _label(left - 8, ry + cell_h / 2, lines, text_anchor="end", font_weight="bold", class_="app-chart__label")
        )
        for j, cell in enumerate(row.cells):
            cx = left + j * cell_w
            text_y = ry + cell_h / 2 + FONT_SIZE * 0.35
            if cell.suppressed:
                parts.append(
                    _el(
                        "rect",
                        x=cx + 1,
                        y=ry + 1,
                        width=cell_w - 2,
                        height=cell_h - 2,
                        fill=f"url(#{prefix}-hatch)",
                        stroke=MUTED,
                        stroke_dasharray="3 2",
                        class_="app-chart__suppressed-bar",
                    )
                )
                parts.append(
                    _text(
                        cx + cell_w / 2,
                        text_y,
                        cell.display,
                        text_anchor="middle",
                        stroke="#fff",
                        stroke_width=4,
                        paint_order="stroke",
                        class_="app-chart__value app-chart__suppressed",
                    )
                )
                continue
            value = float(cell.value) if cell.value is not None else 0.0
            fill, ink = _shade(max(value, 0) / high if cell.value is not None else 0)
            parts.append(
                _el(
                    "rect",
                    x=cx + 1,
                    y=ry + 1,
                    width=cell_w - 2,
                    height=cell_h - 2,
                    fill=fill,
                    stroke="#fff",
                    class_="app-chart__cell",
                )
            )
            parts.append(
                _text(
                    cx + cell_w / 2,
                    text_y,
                    cell.display or "–",
                    text_anchor="middle",
                    fill=ink,
                    class_="app-chart__value",
                )
            )
        ry += cell_h
    bottom = ry
    description = (
        f"Flow matrix: each row is where families moved from ({table.row_header.lower()}), each column where "
        f"they moved to ({', '.join(columns)}); every cell is labelled with its number, and darker cells hold "
        "more." + _suppressed_note(table) + note + " The figures are in the table that follows."
    )
    return _svg(table, prefix, "flow", bottom + 12, "".join(parts), description)


RENDERERS = {
    Chart.LINE: line_chart,
    Chart.BAR: bar_chart,
    Chart.STACKED_BAR: stacked_bar_chart,
    Chart.FLOW: flow_chart,
}


def _is_share(table: Table, index: int) -> bool:
    name = table.columns[index].lower()
    if name.startswith("share") or name.endswith("rate") or " rate " in name or "%" in name:
        return True
    return any(row.cells[index].display.endswith("%") for row in table.rows)


def _plottable(table: Table, index: int) -> bool:
    """Columns a chart draws: a table of counts may carry a share column (drawing it on the
    counts' axis would mislead), and a stacked bar or flow matrix must not draw its total as
    one more segment or destination. Those stay in the data table."""
    if table.chart in (Chart.STACKED_BAR, Chart.FLOW) and table.columns[index].strip().lower() in ("total", "all"):
        return False
    return table.unit == Unit.PERCENT or not _is_share(table, index)


def for_chart(table: Table) -> tuple[Table, tuple[str, ...]]:
    """The table as its chart draws it (in the chart's unit), and the names of the columns
    left to the table. ``table.chart_columns``, when the selector names them, are the columns
    drawn, in ``table.chart_unit`` (a share or a change in score beside counts); otherwise
    the count columns are drawn, not a share or a total."""
    unit = table.chart_unit or table.unit
    named = [table.columns.index(name) for name in table.chart_columns if name in table.columns]
    default = [i for i in range(len(table.columns)) if _plottable(table, i)] or list(range(len(table.columns)))
    keep = named or default
    if keep == list(range(len(table.columns))):
        return (replace(table, unit=unit) if unit != table.unit else table), ()
    omitted = tuple(name for i, name in enumerate(table.columns) if i not in keep)
    rows = tuple(replace(row, cells=tuple(row.cells[i] for i in keep)) for row in table.rows)
    drawn = replace(table, columns=tuple(table.columns[i] for i in keep), rows=rows, total=None, unit=unit)
    return drawn, omitted


def _drawn_cells(table: Table) -> list[Cell]:
    if table.chart == Chart.BAR:
        return [row.cells[0] for row in table.rows]
    return [cell for row in table.rows for cell in row.cells]


def _scale_values(table: Table) -> list[float]:
    """The values a chart's axis (or shading) must cover."""
    if table.chart == Chart.BAR:
        return _values_of([row.cells[0] for row in table.rows])
    if table.chart == Chart.STACKED_BAR:
        return [sum(v for v in _values_of(row.cells) if v > 0) for row in table.rows]
    return _values_of([cell for row in table.rows for cell in row.cells])


def render_chart(table: Table, suffix: str = "", against: Table | None = None) -> SafeString:
    """The chart for ``table`` as inline SVG, or "" for a table without one (or no rows), or
    a sentence saying it is not charted when every value it would draw is 0 or hidden.
    ``suffix`` keeps ids unique when the same table is drawn twice (two periods); ``against``
    is the same table over the other period, so that both charts share one scale and can be
    compared by eye."""
    renderer = RENDERERS.get(table.chart)
    if renderer is None or not table.rows or not table.columns:
        return mark_safe("")
    drawn, omitted = for_chart(table)
    if not any(value != 0 for value in _values_of(_drawn_cells(drawn))):
        # An empty axis says nothing and looks like a broken chart; the table still follows.
        return mark_safe(f'<p class="govuk-body app-chart-none">{escape(NOT_CHARTED)}</p>')
    note = f" Not drawn (see the table): {', '.join(omitted)}." if omitted else ""
    shared: list[float] = []
    if against is not None and against.chart == table.chart and against.rows:
        shared = _scale_values(for_chart(against)[0])
        note += " Drawn on the same scale as the other period's chart."
    return renderer(drawn, chart_id(table, suffix), note, shared)
