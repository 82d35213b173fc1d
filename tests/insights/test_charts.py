"""The SVG charts: readable without colour (a marker, dash and fill pattern per series), hidden
cells drawn as gaps or hatched stubs labelled as in the table, accessible names, nice axes,
and no inline styles."""

from __future__ import annotations

import itertools
import re
import xml.etree.ElementTree as ET

import pytest

from portal.insights.charts import STYLES, nice_ticks, render_chart
from portal.insights.figures import Cell, Chart, Row, Table, Unit

SVG = "{http://www.w3.org/2000/svg}"


def c(value) -> Cell:
    return Cell(None, "<5", True) if value is None else Cell(value, f"{value:g}")


def table(chart: Chart, columns, rows, *, unit=Unit.COUNT, key="figure") -> Table:
    return Table(
        key,
        "Referrals by month",
        "Month",
        tuple(columns),
        tuple(Row(label, tuple(c(v) for v in values), key=label.lower()) for label, values in rows),
        unit=unit,
        chart=chart,
    )


MONTHS = ["Apr 2025", "May 2025", "Jun 2025", "Jul 2025", "Aug 2025"]
LINE = table(
    Chart.LINE,
    ["Referrals", "Re-referrals", "Stepped up"],
    [
        (MONTHS[0], (20, 6, 9)),
        (MONTHS[1], (25, None, 11)),
        (MONTHS[2], (31, 8, 10)),
        (MONTHS[3], (28, 9, None)),
        (MONTHS[4], (35, 12, 14)),
    ],
)
BAR = table(Chart.BAR, ["Closures"], [("Needs met", (40,)), ("Moved away", (None,)), ("Stepped up", (12,))])
STACKED = table(
    Chart.STACKED_BAR,
    ["Step up", "Step down", "Closed"],
    [("April", (10, 20, None)), ("May", (5, 15, 30))],
)
FLOW = table(
    Chart.FLOW,
    ["Level 2", "Level 3", "Level 4"],
    [("Level 2", (0, 14, None)), ("Level 3", (9, 0, 22)), ("Level 4", (None, 17, 0))],
)
ALL = {"line": LINE, "bar": BAR, "stacked": STACKED, "flow": FLOW}


def parse(markup: str) -> ET.Element:
    return ET.fromstring(str(markup))  # noqa: S314 (our own markup)


@pytest.mark.parametrize("name", ALL)
def test_every_chart_is_an_image_named_by_its_title_and_description(name):
    svg = parse(render_chart(ALL[name]))
    assert svg.tag == f"{SVG}svg"
    assert svg.get("role") == "img"
    title_id, desc_id = svg.get("aria-labelledby").split()
    title = svg.find(f"{SVG}title")
    desc = svg.find(f"{SVG}desc")
    assert (title.get("id"), title.text) == (title_id, "Referrals by month")
    assert desc.get("id") == desc_id
    assert "table that follows" in desc.text


@pytest.mark.parametrize("name", ALL)
def test_no_chart_uses_a_style_attribute(name):
    markup = str(render_chart(ALL[name]))
    assert " style=" not in markup
    assert "<style" not in markup
    assert "<script" not in markup


def test_the_line_chart_gives_each_series_its_own_marker_and_dash_in_line_and_legend():
    svg = parse(render_chart(LINE))
    lines = [p for p in svg.iter(f"{SVG}path") if "app-chart__line" in (p.get("class") or "")]
    assert [line.get("data-series") for line in lines] == ["0", "1", "2"]
    assert len({line.get("stroke-dasharray") for line in lines}) == 3
    for series in range(3):
        markers = [
            el
            for el in svg.iter()
            if "app-chart__marker" in (el.get("class") or "") and el.get("data-series") == str(series)
        ]
        shapes = {re.search(r"app-chart__marker--(\w+)", el.get("class")).group(1) for el in markers}
        assert shapes == {STYLES[series].marker}  # one shape per series, also used in the legend
    legend = svg.find(f".//{SVG}g[@class='app-chart__legend']")
    assert [t.text for t in legend.iter(f"{SVG}text")] == ["Referrals", "Re-referrals", "Stepped up"]
    assert len({m.get("class") for m in legend.iter() if "app-chart__marker" in (m.get("class") or "")}) == 3


def test_a_hidden_point_is_a_gap_in_its_line_labelled_like_the_table():
    svg = parse(render_chart(LINE))
    rereferrals = next(
        p for p in svg.iter(f"{SVG}path") if "app-chart__line" in (p.get("class") or "") and p.get("data-series") == "1"
    )
    # Four points shown, the line lifted (a new "M") at the hidden one: two pieces.
    assert rereferrals.get("d").count("M") == 2
    assert rereferrals.get("d").count("L") == 2
    markers = [el for el in svg.iter() if el.get("data-series") == "1" and "marker" in (el.get("class") or "")]
    assert len(markers) == 4 + 1  # four points and the legend's marker
    assert [t.text for t in svg.iter(f"{SVG}text") if "app-chart__suppressed" in (t.get("class") or "")] == [
        "<5",
        "<5",
    ]


def test_the_bar_chart_labels_every_bar_and_draws_a_hidden_count_as_a_small_hatched_stub():
    svg = parse(render_chart(BAR))
    values = [t.text for t in svg.iter(f"{SVG}text") if "app-chart__value" in (t.get("class") or "")]
    assert values == ["40", "<5", "12"]
    bars = [r for r in svg.iter(f"{SVG}rect") if r.get("class") == "app-chart__bar"]
    assert len(bars) == 2
    assert float(bars[0].get("width")) > 3 * float(bars[1].get("width"))  # 40 against 12
    (stub,) = [r for r in svg.iter(f"{SVG}rect") if r.get("class") == "app-chart__suppressed-bar"]
    assert stub.get("fill").endswith("-hatch)")
    assert float(stub.get("width")) < float(bars[1].get("width"))  # never drawn as if it were large
    labels = [t.text for t in svg.iter(f"{SVG}text")]
    assert {"Needs met", "Moved away", "Stepped up"} <= set(labels)


def test_the_stacked_bar_chart_gives_each_segment_a_pattern_shown_in_the_legend():
    markup = str(render_chart(STACKED))
    svg = parse(markup)
    patterns = {p.get("id"): p for p in svg.iter(f"{SVG}pattern")}
    segments = [r for r in svg.iter(f"{SVG}rect") if r.get("class") == "app-chart__segment"]
    assert {s.get("data-series") for s in segments} == {"0", "1", "2"}
    fills = {s.get("data-series"): s.get("fill") for s in segments}
    assert len(set(fills.values())) == 3
    for fill in fills.values():
        assert re.match(r"url\(#(.+)\)", fill).group(1) in patterns
    swatches = [r.get("fill") for r in svg.iter(f"{SVG}rect") if r.get("class") == "app-chart__swatch"]
    assert swatches == [fills["0"], fills["1"], fills["2"]]
    assert len({p.get("class") for p in patterns.values() if "app-chart__pattern--" in (p.get("class") or "")}) == 3
    # The hidden "Closed" count in April is a stub labelled "<5", not a segment.
    assert [t.text for t in svg.iter(f"{SVG}text") if "app-chart__suppressed" in (t.get("class") or "")] == ["<5"]
    assert len([s for s in segments if s.get("data-series") == "2"]) == 1


def test_the_flow_matrix_writes_every_number_and_hatches_hidden_cells():
    svg = parse(render_chart(FLOW))
    values = [t.text for t in svg.iter(f"{SVG}text") if "app-chart__value" in (t.get("class") or "")]
    assert values == ["0", "14", "<5", "9", "0", "22", "<5", "17", "0"]
    hatched = [r for r in svg.iter(f"{SVG}rect") if r.get("class") == "app-chart__suppressed-bar"]
    assert len(hatched) == 2
    cells = {r.get("fill") for r in svg.iter(f"{SVG}rect") if r.get("class") == "app-chart__cell"}
    assert len(cells) > 3  # shaded by size as well as numbered


def test_text_on_a_flow_cell_is_legible_on_its_shade():
    svg = parse(render_chart(FLOW))
    rects = [r for r in svg.iter(f"{SVG}rect") if r.get("class") == "app-chart__cell"]
    texts = [t for t in svg.iter(f"{SVG}text") if t.get("class") == "app-chart__value"]

    def luminance(hex_colour):
        channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        r, g, b = (v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4 for v in channels)
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    for rect, text in zip(rects, texts, strict=True):
        a, b = sorted((luminance(rect.get("fill")), luminance(text.get("fill"))))
        assert (b + 0.05) / (a + 0.05) >= 4.5


def test_two_charts_of_the_same_table_have_different_ids():
    first, second = render_chart(LINE), render_chart(LINE, "compared")
    ids_first = set(re.findall(r'\bid="([^"]+)"', str(first)))
    ids_second = set(re.findall(r'\bid="([^"]+)"', str(second)))
    assert ids_first and not ids_first & ids_second


def test_a_table_without_a_chart_or_rows_draws_nothing():
    assert render_chart(table(Chart.NONE, ["Referrals"], [("April", (3,))])) == ""
    assert render_chart(table(Chart.LINE, ["Referrals"], [])) == ""


def test_labels_from_the_data_are_escaped():
    hostile = table(Chart.BAR, ["Searches"], [('<script>alert("x")</script>', (12,))])
    markup = str(render_chart(hostile))
    assert "<script>" not in markup
    parse(markup)  # still well-formed


def test_negative_changes_are_drawn_either_side_of_zero():
    change = table(Chart.BAR, ["Average change"], [("Housing", (-1.5,)), ("Health", (2.5,))], unit=Unit.SCORE)
    svg = parse(render_chart(change))
    bars = [r for r in svg.iter(f"{SVG}rect") if r.get("class") == "app-chart__bar"]
    axis = next(line for line in svg.iter(f"{SVG}line") if line.get("class") == "app-chart__axis")
    zero = float(axis.get("x1"))
    assert float(bars[0].get("x")) + float(bars[0].get("width")) == pytest.approx(zero, abs=0.2)
    assert float(bars[1].get("x")) == pytest.approx(zero, abs=0.2)


@pytest.mark.parametrize(
    ("low", "high", "integer", "expected"),
    [
        (0, 37, True, [0, 10, 20, 30, 40]),
        (0, 4, True, [0, 1, 2, 3, 4]),
        (0, 1, True, [0, 1]),
        (0, 96, False, [0, 20, 40, 60, 80, 100]),
        (0, 0.7, False, [0, 0.2, 0.4, 0.6, 0.8]),
        (-1.5, 2.5, False, [-2, -1, 0, 1, 2, 3]),
        (0, 1234, True, [0, 500, 1000, 1500]),
    ],
)
def test_axes_have_round_ticks(low, high, integer, expected):
    assert nice_ticks(low, high, integer=integer) == pytest.approx(expected)


def test_percentage_axes_are_labelled_with_a_percent_sign():
    shares = table(Chart.LINE, ["On time"], [("April", (75,)), ("May", (82,))], unit=Unit.PERCENT)
    labels = [t.text for t in parse(render_chart(shares)).iter(f"{SVG}text")]
    assert "100%" in labels and "0%" in labels


def test_a_share_column_in_a_table_of_counts_is_left_to_the_table():
    mixed = Table(
        "mixed",
        "Referrals and re-referrals by month",
        "Month",
        ("Referrals", "Re-referrals", "Re-referral rate"),
        (
            Row("January 2026", (c(40), c(10), Cell(25.0, "25%"))),
            Row("February 2026", (c(50), c(None), Cell(None, "–"))),
        ),
        chart=Chart.LINE,
    )
    svg = parse(render_chart(mixed))
    lines = [p for p in svg.iter(f"{SVG}path") if "app-chart__line" in (p.get("class") or "")]
    assert len(lines) == 1  # Referrals only: Re-referrals has one point left, and the rate is not drawn
    legend = [t.text for t in svg.find(f".//{SVG}g[@class='app-chart__legend']").iter(f"{SVG}text")]
    assert legend == ["Referrals", "Re-referrals"]
    assert "Not drawn (see the table): Re-referral rate." in svg.find(f"{SVG}desc").text
    assert "Jan 2026" in [t.text for t in svg.iter(f"{SVG}text")]  # months shortened under the axis


def test_a_total_column_is_not_drawn_as_a_segment_or_destination():
    stacked = table(Chart.STACKED_BAR, ["Step up", "Step down", "Total"], [("April", (10, 20, 30))])
    segments = [r for r in parse(render_chart(stacked)).iter(f"{SVG}rect") if r.get("class") == "app-chart__segment"]
    assert len(segments) == 2
    flow = table(Chart.FLOW, ["Level 2", "Level 3", "Total"], [("Level 2", (0, 14, 14)), ("Level 3", (9, 0, 9))])
    values = [t.text for t in parse(render_chart(flow)).iter(f"{SVG}text") if t.get("class") == "app-chart__value"]
    assert values == ["0", "14", "9", "0"]


def test_two_periods_are_drawn_on_one_scale():
    small = table(Chart.BAR, ["Closures"], [("Needs met", (12,))])
    large = table(Chart.BAR, ["Closures"], [("Needs met", (40,))])

    def axis_labels(markup):
        svg = parse(markup)
        return [t.text for t in svg.iter(f"{SVG}text") if t.get("text-anchor") == "middle"]

    assert axis_labels(render_chart(small))[-1] == "15"
    assert axis_labels(render_chart(small, "compared", against=large))[-1] == "40"
    assert "same scale" in parse(render_chart(small, "compared", against=large)).find(f"{SVG}desc").text


# --- Review fixes: chart columns and units, nothing to draw, gaps, long labels, phones -------


def test_the_chart_draws_the_columns_and_unit_the_selector_names():
    """An average change in score beside counts: the bar chart draws the change, negative
    bars left of a zero line, on a score axis (not whole numbers)."""
    change = Table(
        "change",
        "Distance travelled by outcome area",
        "Outcome area",
        ("Families", "Average change"),
        (
            Row("Housing", (c(12), Cell(-1.5, "-1.5"))),
            Row("Health", (c(30), Cell(2.5, "2.5"))),
        ),
        chart=Chart.BAR,
        chart_columns=("Average change",),
        chart_unit=Unit.SCORE,
    )
    svg = parse(render_chart(change))
    values = [t.text for t in svg.iter(f"{SVG}text") if "app-chart__value" in (t.get("class") or "")]
    assert values == ["-1.5", "2.5"]  # the change, not the count of families
    label_end = max(float(t.get("x")) for t in svg.iter(f"{SVG}text") if t.get("class") == "app-chart__label")
    negative = next(t for t in svg.iter(f"{SVG}text") if t.text == "-1.5")
    assert float(negative.get("x")) - len("-1.5") * 8.3 > label_end  # its value clear of the row labels
    bars = [r for r in svg.iter(f"{SVG}rect") if r.get("class") == "app-chart__bar"]
    axis = next(line for line in svg.iter(f"{SVG}line") if line.get("class") == "app-chart__axis")
    zero = float(axis.get("x1"))
    assert float(bars[0].get("x")) + float(bars[0].get("width")) == pytest.approx(zero, abs=0.2)
    assert float(bars[1].get("x")) == pytest.approx(zero, abs=0.2)
    desc = svg.find(f"{SVG}desc").text
    assert "Not drawn (see the table): Families." in desc
    assert "left of the zero line are negative" in desc
    ticks = [t.text for t in svg.iter(f"{SVG}text") if t.get("text-anchor") == "middle"]
    assert ticks[0] == "-2" and "0" in ticks


def test_a_share_named_as_the_chart_column_is_drawn_on_a_percent_axis():
    shares = Table(
        "shares",
        "Improving by month",
        "Month",
        ("Families", "Share improving"),
        (Row("January 2026", (c(40), Cell(55.0, "55%"))), Row("February 2026", (c(30), Cell(60.0, "60%")))),
        chart=Chart.LINE,
        chart_columns=("Share improving",),
        chart_unit=Unit.PERCENT,
    )
    svg = parse(render_chart(shares))
    legend = [t.text for t in svg.find(f".//{SVG}g[@class='app-chart__legend']").iter(f"{SVG}text")]
    assert legend == ["Share improving"]
    assert {"0%", "60%"} <= {t.text for t in svg.iter(f"{SVG}text")}  # a share axis, not counts up to 40


@pytest.mark.parametrize(
    "rows",
    [
        [("April", (0,)), ("May", (None,))],
        [("April", (None,)), ("May", (None,))],
        [("April", (0,)), ("May", (0,))],
    ],
)
@pytest.mark.parametrize("chart", [Chart.LINE, Chart.BAR, Chart.STACKED_BAR, Chart.FLOW])
def test_a_chart_with_every_value_0_or_hidden_is_not_drawn_and_says_so(chart, rows):
    markup = str(render_chart(table(chart, ["Referrals"], rows)))
    assert "<svg" not in markup
    assert "Not charted: every value is 0 or hidden." in markup


def test_each_hidden_point_is_labelled_for_its_own_series():
    """Two series hidden in the same month: two labels, each beside its series' marker, and
    the description names them."""
    both = table(
        Chart.LINE,
        ["Referrals", "Re-referrals"],
        [("Apr 2025", (20, 6)), ("May 2025", (None, None)), ("Jun 2025", (31, 8))],
    )
    svg = parse(render_chart(both))
    gaps = [g for g in svg.iter(f"{SVG}g") if g.get("class") == "app-chart__gap"]
    assert len(gaps) == 2
    shapes = []
    for gap in gaps:
        (marker,) = [el for el in gap if "app-chart__gap-marker" in (el.get("class") or "")]
        shapes.append(re.search(r"app-chart__gap-marker--(\w+)", marker.get("class")).group(1))
        assert [t.text for t in gap.iter(f"{SVG}text")] == ["<5"]
    assert shapes == [STYLES[0].marker, STYLES[1].marker]
    ys = {float(t.get("y")) for gap in gaps for t in gap.iter(f"{SVG}text")}
    assert len(ys) == 2  # stacked, not on top of each other
    desc = svg.find(f"{SVG}desc").text
    assert "Referrals in May 2025 (<5)" in desc and "Re-referrals in May 2025 (<5)" in desc


def test_long_row_labels_wrap_rather_than_being_cut_off():
    names = [f"Domestic abuse outreach in Sunderland {where}" for where in ("North", "South", "East")]
    services = table(Chart.BAR, ["Families"], [(name, (10 + i,)) for i, name in enumerate(names)])
    svg = parse(render_chart(services))
    labels = [
        " ".join(" ".join(t.itertext()).split())
        for t in svg.iter(f"{SVG}text")
        if "app-chart__label" in (t.get("class") or "")
    ]
    assert labels == names  # each in full, over two lines
    assert "…" not in str(render_chart(services))
    assert all(
        len(t.findall(f"{SVG}tspan")) >= 2 for t in svg.iter(f"{SVG}text") if t.get("class") == "app-chart__label"
    )
    bars = [r for r in svg.iter(f"{SVG}rect") if r.get("class") == "app-chart__bar"]
    tops = [float(b.get("y")) for b in bars]
    assert min(b - a for a, b in itertools.pairwise(tops)) >= 2 * 18  # rows grew to fit two lines


@pytest.mark.parametrize("name", ALL)
def test_chart_text_is_readable_on_a_390_pixel_phone(name):
    """The chart is scaled to the phone's width (about 358 px inside the page's margins):
    its text must still be at least 11 px."""
    svg = parse(render_chart(ALL[name]))
    width = float(svg.get("viewBox").split()[2])
    assert float(svg.get("font-size")) * 358 / width >= 11
