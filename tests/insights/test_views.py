"""The insights pages as people use them: who may see them, the filters (and their mistakes),
comparing two periods, and the page's query count.

The dashboards here are built by hand (the selectors are replaced), so each test says
exactly what a dashboard holds; tests/insights/test_exports.py and the query-count test use
the real selectors."""

from __future__ import annotations

import dataclasses
import datetime
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from portal.audit.models import AuditEvent
from portal.insights import figures, selectors
from portal.insights.figures import Cell, Chart, Dashboard, Headline, Row, Section, Table
from portal.insights.filters import Filters
from portal.insights.forms import InsightFilterForm, default_period
from portal.registry import cards_for

pytestmark = pytest.mark.django_db

SLUGS = ("early-help", "outcomes", "encompass", "directory")


def _cell(value) -> Cell:
    return Cell(None, "<5", True) if value is None else Cell(value, f"{value:,}")


def hand_built(filters: Filters, *, slug: str = "early-help") -> Dashboard:
    """A small dashboard whose numbers depend on the period, so two periods differ."""
    base = filters.date_from.year % 100  # 25 for 2025, 24 for 2024
    months = Table(
        "referrals_by_month",
        "Referrals by month",
        "Month",
        ("Referrals", "Re-referrals"),
        (
            Row("April", (_cell(base), _cell(None)), key="m0"),
            Row("May", (_cell(base + 10), _cell(7)), key="m1"),
        ),
        chart=Chart.LINE,
        description="Referrals received in each month.",
        notes=("Counts from 1 to 4 are shown as <5.",),
    )
    flows = Table(
        "level_flows",
        "Moves between levels of need",
        "From",
        ("Level 2", "Level 3"),
        (Row("Level 2", (_cell(0), _cell(12))), Row("Level 3", (_cell(None), _cell(0)))),
        chart=Chart.FLOW,
    )
    return Dashboard(
        slug,
        "Early help",
        f"{filters.date_from:%-d %B %Y} to {filters.date_to:%-d %B %Y}",
        (Headline("referrals", "Referrals", _cell(base * 3), "Children referred"),),
        (Section("referrals", "Referrals", (months,)), Section("levels", "Levels of need", (flows,))),
        notes=("Counts from 1 to 4 are shown as <5.",),
    )


@pytest.fixture
def calls(monkeypatch):
    """Replace every dashboard with :func:`hand_built`; returns the Filters each call got."""
    received: list[Filters] = []

    def selector_for(slug):
        def selector(filters):
            received.append(filters)
            return hand_built(filters, slug=slug)

        return selector

    monkeypatch.setattr(selectors, "DASHBOARDS", {slug: selector_for(slug) for slug in SLUGS})
    monkeypatch.setattr(
        selectors,
        "filter_choices",
        lambda slug: {"areas": [("North", "North"), ("West", "West")], "levels": [(2, "Level 2"), (3, "Level 3")]},
    )
    return received


def _dates(prefix: str, day: datetime.date) -> dict:
    return {f"{prefix}_day": day.day, f"{prefix}_month": day.month, f"{prefix}_year": day.year}


def _period(date_from, date_to, *, compare=None) -> dict:
    query = {**_dates("date_from", date_from), **_dates("date_to", date_to)}
    if compare:
        query.update({**_dates("compare_from", compare[0]), **_dates("compare_to", compare[1])})
    return query


def _text(response) -> str:
    return response.content.decode()


# --- Who may see what ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "page", "export"),
    [
        ("commissioner", 200, 200),
        ("early_help_manager", 200, 403),
        ("lead_professional", 403, 403),
        ("school_key_adult", 403, 403),
        ("front_door", 403, 403),
        ("administrator", 403, 403),
        ("directory_manager", 403, 403),
    ],
)
def test_who_may_see_and_export(calls, make_user, signed_in, role, page, export):
    client = signed_in(make_user(role))
    for name, kwargs in (("insights:index", {}), ("insights:dashboard", {"slug": "early-help"})):
        assert client.get(reverse(name, kwargs=kwargs)).status_code == page
    assert client.get(reverse("insights:open_data")).status_code == page
    assert client.get(reverse("insights:export", kwargs={"slug": "early-help"})).status_code == export


def test_anonymous_people_are_sent_to_sign_in(calls, client):
    for url in (
        reverse("insights:index"),
        reverse("insights:dashboard", kwargs={"slug": "outcomes"}),
        reverse("insights:export", kwargs={"slug": "outcomes"}),
        reverse("insights:open_data"),
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))
    assert calls == []  # no figures were computed for them


def test_an_unknown_dashboard_is_not_found(calls, commissioner, signed_in):
    client = signed_in(commissioner)
    assert client.get(reverse("insights:dashboard", kwargs={"slug": "families"})).status_code == 404
    assert client.get(reverse("insights:export", kwargs={"slug": "families"})).status_code == 404


def test_the_portal_shows_an_insights_card_to_those_who_may_see_them(
    commissioner, early_help_manager, lead_professional
):
    assert "Insights" in [card.title for card in cards_for(commissioner)]
    assert "Insights" in [card.title for card in cards_for(early_help_manager)]
    assert "Insights" not in [card.title for card in cards_for(lead_professional)]


def test_the_overview_links_every_dashboard_and_the_open_data(calls, commissioner, signed_in):
    text = _text(signed_in(commissioner).get(reverse("insights:index")))
    for slug in SLUGS:
        assert f'href="{reverse("insights:dashboard", kwargs={"slug": slug})}"' in text
    assert reverse("insights:open_data") in text
    assert calls == []  # the overview computes nothing


def test_only_people_who_may_export_see_the_download_link(calls, commissioner, early_help_manager, signed_in, client):
    url = reverse("insights:dashboard", kwargs={"slug": "early-help"})
    assert "Download these figures as a CSV file" in _text(signed_in(commissioner).get(url))
    client.logout()
    assert "Download these figures as a CSV file" not in _text(signed_in(early_help_manager).get(url))


# --- Filters ------------------------------------------------------------------------------


def test_with_no_filters_the_dashboard_shows_the_last_12_complete_months(calls, commissioner, signed_in):
    today = timezone.localdate()
    response = signed_in(commissioner).get(reverse("insights:dashboard", kwargs={"slug": "early-help"}))
    assert response.status_code == 200
    (filters,) = calls
    last_month_end = today.replace(day=1) - datetime.timedelta(days=1)
    assert filters.date_to == last_month_end
    assert filters.date_from.day == 1  # never a stub of a few days that looks like a collapse
    assert (filters.date_to.year - filters.date_from.year) * 12 + filters.date_to.month - filters.date_from.month == 11
    assert (filters.area, filters.category, filters.service, filters.level) == ("", None, None, None)
    # The period used is shown in the date boxes.
    text = _text(response)
    for part, number in (("day", last_month_end.day), ("month", last_month_end.month), ("year", last_month_end.year)):
        assert f'name="date_to_{part}" value="{number}"' in text


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (datetime.date(2026, 11, 26), (datetime.date(2025, 11, 1), datetime.date(2026, 10, 31))),
        (datetime.date(2026, 1, 1), (datetime.date(2025, 1, 1), datetime.date(2025, 12, 31))),
        (datetime.date(2024, 3, 31), (datetime.date(2023, 3, 1), datetime.date(2024, 2, 29))),
    ],
)
def test_the_default_period_is_the_last_12_complete_months(today, expected):
    assert default_period(today) == expected


def test_filters_reach_the_selector(calls, commissioner, signed_in):
    query = {**_period(datetime.date(2025, 4, 1), datetime.date(2026, 3, 31)), "area": "West", "level": "3"}
    response = signed_in(commissioner).get(reverse("insights:dashboard", kwargs={"slug": "early-help"}), query)
    assert response.status_code == 200
    assert calls == [Filters(datetime.date(2025, 4, 1), datetime.date(2026, 3, 31), area="West", level=3)]
    text = _text(response)
    assert "1 April 2025 to 31 March 2026" in text
    assert re.search(r'<option value="West" selected>', text)


def test_only_the_filters_a_dashboard_offers_are_shown(calls, commissioner, signed_in):
    text = _text(signed_in(commissioner).get(reverse("insights:dashboard", kwargs={"slug": "early-help"})))
    assert 'name="area"' in text and 'name="level"' in text
    assert 'name="category"' not in text and 'name="service"' not in text


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        (
            {
                "date_from_day": "31",
                "date_from_month": "2",
                "date_from_year": "2025",
                **_dates("date_to", datetime.date(2025, 6, 1)),
            },
            "date_from",
            "The from date must be a real date",
        ),
        (
            _period(datetime.date(2025, 6, 1), datetime.date(2025, 5, 1)),
            "date_to",
            "The to date must be the same as or after the from date",
        ),
        (
            _period(
                datetime.date(2025, 4, 1),
                datetime.date(2026, 3, 31),
                compare=(datetime.date(2024, 10, 1), datetime.date(2025, 9, 30)),
            ),
            "compare_from",
            "The comparison period must not overlap the period you are looking at",
        ),
        (
            _period(
                datetime.date(2025, 4, 1),
                datetime.date(2026, 3, 31),
                compare=(datetime.date(2024, 3, 31), datetime.date(2023, 4, 1)),
            ),
            "compare_to",
            "The comparison to date must be the same as or after the comparison from date",
        ),
        (
            {
                **_period(datetime.date(2025, 4, 1), datetime.date(2026, 3, 31)),
                **_dates("compare_from", datetime.date(2024, 4, 1)),
            },
            "compare_to",
            "Enter the date the comparison period ends",
        ),
        (
            {**_period(datetime.date(2025, 4, 1), datetime.date(2026, 3, 31)), "area": "Atlantis"},
            "area",
            "Choose an area from the list",
        ),
        (
            _period(datetime.date(2015, 1, 1), datetime.date(2026, 3, 31)),
            "date_from",
            "The period must be 5 years or shorter",
        ),
    ],
    ids=[
        "not-a-date",
        "from-after-to",
        "overlap",
        "comparison-backwards",
        "comparison-half",
        "unknown-area",
        "too-long",
    ],
)
def test_a_mistake_in_the_filters_is_explained_and_what_was_typed_is_kept(
    calls, commissioner, signed_in, query, field, message
):
    response = signed_in(commissioner).get(reverse("insights:dashboard", kwargs={"slug": "early-help"}), query)
    assert response.status_code == 200
    text = _text(response)
    assert calls == []  # no figures for a period that is not valid
    assert "There is a problem" in text
    assert text.count(message) == 2  # in the error summary and beside the field
    assert f'href="#id_{field}' in text  # the summary links to the field
    assert "<title>Error: " in text
    assert "Correct the filters to see the figures." in text
    for name, value in query.items():
        if name != "area":  # a choice not on the list cannot be kept in the list
            assert f'name="{name}" value="{value}"' in text


def test_the_error_page_does_not_offer_a_download(calls, commissioner, signed_in):
    query = _period(datetime.date(2025, 6, 1), datetime.date(2025, 5, 1))
    text = _text(signed_in(commissioner).get(reverse("insights:dashboard", kwargs={"slug": "early-help"}), query))
    assert "Download these figures" not in text


# --- Comparing two periods ---------------------------------------------------------------


def test_a_comparison_shows_both_periods_side_by_side(calls, commissioner, signed_in):
    query = _period(
        datetime.date(2025, 4, 1),
        datetime.date(2026, 3, 31),
        compare=(datetime.date(2024, 4, 1), datetime.date(2025, 3, 31)),
    )
    response = signed_in(commissioner).get(reverse("insights:dashboard", kwargs={"slug": "early-help"}), query)
    assert response.status_code == 200
    assert [(f.date_from, f.date_to) for f in calls] == [
        (datetime.date(2025, 4, 1), datetime.date(2026, 3, 31)),
        (datetime.date(2024, 4, 1), datetime.date(2025, 3, 31)),
    ]
    text = _text(response)
    assert "1 April 2025 to 31 March 2026, compared with 1 April 2024 to 31 March 2025" in text
    # Headlines: one row per figure with both values (25 × 3 and 24 × 3).
    headline_row = re.search(r"Referrals\s*<span[^>]*>Children referred</span>\s*</th>(.*?)</tr>", text, re.S).group(1)
    assert re.findall(r">(\d+)</td>", headline_row) == ["75", "72"]
    # Each table twice, captioned with its period, each with its own chart (ids unique on the page).
    assert "Referrals by month, 1 April 2025 to 31 March 2026" in text
    assert "Referrals by month, 1 April 2024 to 31 March 2025" in text
    ids = re.findall(r'\bid="([^"]+)"', text)
    assert len(ids) == len(set(ids))
    assert text.count('role="img"') == 4


def test_a_comparison_is_kept_open_in_the_form(calls, commissioner, signed_in):
    query = _period(
        datetime.date(2025, 4, 1),
        datetime.date(2026, 3, 31),
        compare=(datetime.date(2024, 4, 1), datetime.date(2025, 3, 31)),
    )
    text = _text(signed_in(commissioner).get(reverse("insights:dashboard", kwargs={"slug": "early-help"}), query))
    assert '<details class="govuk-details" open>' in text
    no_compare = _text(signed_in(commissioner).get(reverse("insights:dashboard", kwargs={"slug": "early-help"})))
    assert '<details class="govuk-details">' in no_compare


# --- What the page shows ------------------------------------------------------------------


def test_the_dashboard_shows_charts_tables_and_hidden_cells(calls, commissioner, signed_in):
    text = _text(signed_in(commissioner).get(reverse("insights:dashboard", kwargs={"slug": "early-help"})))
    # A chart, then its data table with a caption.
    chart_at = text.index('id="chart-referrals_by_month"')
    table_at = text.index('id="chart-referrals_by_month-caption"')
    assert chart_at < table_at
    assert '<th scope="row" class="govuk-table__header app-insights-table__row-header">April</th>' in text
    assert 'app-insights-suppressed">&lt;5</td>' in text
    assert " style=" not in text  # the content security policy refuses inline styles
    assert "On this page" in text


def test_a_long_table_shows_its_first_rows_on_the_page_and_all_of_them_in_the_csv(
    calls, commissioner, signed_in, monkeypatch
):
    def one_row_pages(table):
        return figures.for_page(dataclasses.replace(table, page_rows=1) if table else None)

    monkeypatch.setattr("portal.insights.views.for_page", one_row_pages)
    client = signed_in(commissioner)
    text = _text(client.get(reverse("insights:dashboard", kwargs={"slug": "early-help"})))
    assert 'app-insights-table__row-header">April</th>' in text
    assert 'app-insights-table__row-header">May</th>' not in text
    assert "The page shows the first 1 of 2 rows; the CSV download has them all." in text
    csv = client.get(reverse("insights:export", kwargs={"slug": "early-help"})).content.decode()
    assert ",April," in csv and ",May," in csv


def test_nothing_on_a_dashboard_links_to_a_case_or_a_family(calls, commissioner, signed_in):
    text = _text(signed_in(commissioner).get(reverse("insights:dashboard", kwargs={"slug": "early-help"})))
    links = re.findall(r'href="([^"]+)"', text)
    assert links
    assert not [link for link in links if "/portal/assessments/" in link or "/portal/encompass/" in link]


def test_the_page_query_count_does_not_grow_with_the_data(commissioner, signed_in):
    """The real directory dashboard: the same number of queries for 1 service as for 12."""
    from tests.directory.factories import ServicePageFactory, TaxonomyTermFactory

    client = signed_in(commissioner)
    url = reverse("insights:dashboard", kwargs={"slug": "directory"})
    term = TaxonomyTermFactory(name="Parenting")
    ServicePageFactory(terms=[term])
    client.get(url)  # warm caches (site settings, content types)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    for _ in range(11):
        ServicePageFactory(terms=[term, TaxonomyTermFactory()])
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]


# --- The real dashboards ------------------------------------------------------------------


@pytest.mark.parametrize("slug", SLUGS)
def test_every_real_dashboard_renders_charts_and_tables_for_two_periods(
    world, no_suppression, commissioner, signed_in, slug
):
    """The small hand-computed world of tests/insights/conftest.py, January to March 2026,
    compared with the quarter before (nothing hidden, so there is something to draw)."""
    query = _period(
        datetime.date(2026, 1, 1),
        datetime.date(2026, 3, 31),
        compare=(datetime.date(2025, 10, 1), datetime.date(2025, 12, 31)),
    )
    client = signed_in(commissioner)
    response = client.get(reverse("insights:dashboard", kwargs={"slug": slug}), query)
    assert response.status_code == 200
    text = _text(response)
    assert "1 January 2026 to 31 March 2026, compared with 1 October 2025 to 31 December 2025" in text
    assert 'role="img"' in text
    assert " style=" not in text
    ids = re.findall(r'\bid="([^"]+)"', text)
    assert len(ids) == len(set(ids))
    links = re.findall(r'href="([^"]+)"', text)
    assert not [link for link in links if link.startswith(("/portal/assessments/", "/portal/encompass/"))]
    export = client.get(reverse("insights:export", kwargs={"slug": slug}), query)
    assert export.status_code == 200
    assert export.content.decode("utf-8-sig").count("\n") > 10


def test_a_world_too_small_to_show_draws_no_empty_axes(world, commissioner, signed_in):
    """At the real threshold every figure of the small world is hidden: no chart is drawn,
    each says why, and its table still follows."""
    text = _text(
        signed_in(commissioner).get(
            reverse("insights:dashboard", kwargs={"slug": "early-help"}),
            _period(datetime.date(2026, 1, 1), datetime.date(2026, 3, 31)),
        )
    )
    assert 'role="img"' not in text
    assert "Not charted: every value is 0 or hidden." in text
    assert text.index("Not charted") < text.index("app-insights-table")


# --- Odd input never breaks the page -----------------------------------------------------

NEXT_YEAR = timezone.localdate().year + 1


@pytest.mark.parametrize(
    ("year", "message"),
    [
        ("9999", f"The {{which}} date must be in {NEXT_YEAR} or earlier"),
        ("99999", "The {which} date must be a real date"),
        ("1999", "The {which} date must be in 2000 or later"),
        ("0", "The {which} date must be a real date"),
        ("-2025", "The {which} date must be a real date"),
        ("twenty", "The {which} date must be a real date"),
    ],
)
@pytest.mark.parametrize(
    ("field", "which"),
    [("date_from", "from"), ("date_to", "to"), ("compare_from", "comparison from"), ("compare_to", "comparison to")],
)
def test_a_year_out_of_range_is_explained_on_the_page_and_the_csv_goes_back_to_it(
    calls, commissioner, signed_in, field, which, year, message
):
    query = _period(
        datetime.date(2025, 4, 1),
        datetime.date(2026, 3, 31),
        compare=(datetime.date(2024, 4, 1), datetime.date(2025, 3, 31)),
    )
    query.update({f"{field}_day": "1", f"{field}_month": "1", f"{field}_year": year})
    client = signed_in(commissioner)
    response = client.get(reverse("insights:dashboard", kwargs={"slug": "early-help"}), query)
    assert response.status_code == 200
    assert _text(response).count(message.format(which=which)) == 2, message
    assert calls == []
    export = client.get(reverse("insights:export", kwargs={"slug": "early-help"}), query)
    assert export.status_code == 302


@pytest.mark.parametrize(
    ("day", "month", "year"),
    [("29", "2", "2025"), ("1", "1", "9999"), ("1", "13", "2025"), ("0", "0", "0"), ("", "", "99999"), ("x", "y", "z")],
)
def test_a_from_date_alone_however_odd_never_breaks_the_page_or_the_csv(
    calls, commissioner, signed_in, day, month, year
):
    query = {"date_from_day": day, "date_from_month": month, "date_from_year": year}
    client = signed_in(commissioner)
    assert client.get(reverse("insights:dashboard", kwargs={"slug": "early-help"}), query).status_code == 200
    assert client.get(reverse("insights:export", kwargs={"slug": "early-help"}), query).status_code == 302


_PART = st.one_of(
    st.integers(min_value=-100_000, max_value=100_000).map(str),
    st.sampled_from(["", " ", "x", "1.5", "٣", "2025 ", "0x10", "1e3", "\x00"]),
    st.text(max_size=6),
)
_DATE = st.tuples(_PART, _PART, _PART)


@settings(max_examples=300, deadline=None)
@given(dates=st.fixed_dictionaries(dict.fromkeys(("date_from", "date_to", "compare_from", "compare_to"), _DATE)))
def test_no_dates_typed_make_the_form_fail_other_than_with_a_message(dates):
    """Any text in any date box: the form either gives figures' filters or error messages."""
    data = {
        f"{name}_{part}": value
        for name, parts in dates.items()
        for part, value in zip(("day", "month", "year"), parts, strict=True)
    }
    query = QueryDict(mutable=True)
    query.update(data)
    form = InsightFilterForm(query, choices={}, today=datetime.date(2026, 11, 26))
    if form.is_valid():
        filters = form.filters()
        assert 2000 <= filters.date_from.year <= filters.date_to.year <= 2027
        form.comparison()
        form.audit_detail()
    else:
        assert all(messages for messages in form.errors.values())


def test_a_future_from_date_alone_is_explained_as_a_from_date(calls, commissioner, signed_in):
    future = timezone.localdate() + datetime.timedelta(days=40)
    if future.year > NEXT_YEAR:  # pragma: no cover (the last days of a year)
        future = timezone.localdate() + datetime.timedelta(days=1)
    text = _text(
        signed_in(commissioner).get(
            reverse("insights:dashboard", kwargs={"slug": "early-help"}), _dates("date_from", future)
        )
    )
    assert text.count("The from date must be today or in the past") == 2
    assert "The to date must be" not in text  # nobody typed a to date
    assert 'href="#id_date_from' in text


# --- The filters chosen, on the page and in the audit log ---------------------------------


def test_the_filters_chosen_are_shown_under_the_heading_and_printed(calls, commissioner, signed_in):
    query = {**_period(datetime.date(2025, 4, 1), datetime.date(2026, 3, 31)), "area": "West", "level": "3"}
    text = _text(signed_in(commissioner).get(reverse("insights:dashboard", kwargs={"slug": "early-help"}), query))
    summary = re.search(r'<p class="([^"]*app-insights-filter-summary[^"]*)">(.*?)</p>', text, re.S)
    assert summary, "no summary of the filters"
    assert "app-no-print" not in summary.group(1)
    assert re.sub(r"<[^>]+>", "", summary.group(2)).split() == [
        "Filters:",
        "Area:",
        "West",
        "·",
        "Level",
        "of",
        "need:",
        "Level",
        "3",
    ]
    plain = _text(signed_in(commissioner).get(reverse("insights:dashboard", kwargs={"slug": "early-help"})))
    assert "No filters" in plain


def test_the_area_filter_is_labelled_as_the_dashboard_says(calls, monkeypatch, commissioner, signed_in):
    monkeypatch.setattr(
        selectors,
        "filter_choices",
        lambda slug: {"areas": [("SR4", "SR4")], "area_label": "School postcode district"},
    )
    query = {**_period(datetime.date(2025, 4, 1), datetime.date(2026, 3, 31)), "area": "SR4"}
    text = _text(signed_in(commissioner).get(reverse("insights:dashboard", kwargs={"slug": "encompass"}), query))
    assert re.search(r'<label[^>]*for="id_area"[^>]*>\s*School postcode district', text)
    assert "School postcode district: SR4" in text


def test_every_dashboard_shown_is_in_the_audit_log_with_its_filters(calls, commissioner, signed_in):
    client = signed_in(commissioner)
    url = reverse("insights:dashboard", kwargs={"slug": "early-help"})
    query = {**_period(datetime.date(2025, 4, 1), datetime.date(2026, 3, 31)), "area": "West"}
    client.get(url, query)
    client.get(url, {**query, "date_to_day": "30"})
    events = list(
        AuditEvent.objects.filter(action=AuditEvent.Action.VIEW, object_type="insights.insight").order_by("id")
    )
    assert [(e.user_id, e.object_id) for e in events] == [(commissioner.pk, "early-help")] * 2
    assert [e.detail["filters"] for e in events] == [
        {"date_from": "2025-04-01", "date_to": "2026-03-31", "area": "West"},
        {"date_from": "2025-04-01", "date_to": "2026-03-30", "area": "West"},
    ]
    assert events[0].detail["summary"] == "Area: West"
    # A page with a mistake shows no figures, so nothing is recorded for it.
    client.get(url, {**query, "date_to_year": "2024"})
    assert AuditEvent.objects.filter(action=AuditEvent.Action.VIEW, object_type="insights.insight").count() == 2


def test_the_overview_says_which_services_the_open_data_holds(calls, commissioner, signed_in):
    text = " ".join(_text(signed_in(commissioner).get(reverse("insights:index"))).split())
    assert "every service published in the directory" not in text
    assert "active and verified, so not those temporarily closed" in text
    assert "Refuges are included, but never their confidential location" in text


def test_a_figure_as_at_one_day_is_not_captioned_with_the_period(monkeypatch, commissioner, signed_in):
    # Caseloads and live services count what is true on one day (named in the title); adding the
    # period to their caption would say they were counted over it.
    def dashboard(filters):
        table = Table(
            "services_by_category",
            "Live services by category on 26 November 2026",
            "Category",
            ("Live services",),
            (Row("Parenting", (_cell(12),)),),
            dated=True,
        )
        return Dashboard(
            "directory", "Directory", "1 November 2025 to 31 October 2026", (), (Section("s", "S", (table,)),)
        )

    monkeypatch.setattr(selectors, "DASHBOARDS", {"directory": dashboard})
    monkeypatch.setattr(selectors, "filter_choices", lambda slug: {})
    text = _text(signed_in(commissioner).get(reverse("insights:dashboard", kwargs={"slug": "directory"})))
    assert "Live services by category on 26 November 2026</caption>" in text
    assert "Live services by category on 26 November 2026, 1 November" not in text


def test_a_period_wholly_in_the_future_is_refused(calls, commissioner, signed_in):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    query = _period(tomorrow, tomorrow + datetime.timedelta(days=30))
    text = _text(signed_in(commissioner).get(reverse("insights:dashboard", kwargs={"slug": "early-help"}), query))
    assert "The from date must be today or in the past" in text
    assert not calls  # no figures were asked for


def test_only_a_list_ordered_by_importance_is_cut_on_the_page():
    months = Table("m", "By month", "Month", ("N",), tuple(Row(f"M{i}", (_cell(i),), key=f"m{i}") for i in range(40)))
    assert figures.for_page(months) is months  # a month series is never cut
    services = dataclasses.replace(months, page_rows=25)
    shown = figures.for_page(services)
    assert [r.key for r in shown.rows] == [f"m{i}" for i in range(25)]
    assert shown.notes[-1] == "The page shows the first 25 of 40 rows; the CSV download has them all."
    assert figures.for_page(None) is None
    # A row gathering the rest stays last.
    with_other = dataclasses.replace(services, rows=(*services.rows, Row("Other services", (_cell(3),), key="other")))
    shown = figures.for_page(with_other)
    assert [r.key for r in shown.rows][-2:] == ["m24", "other"] and len(shown.rows) == 26
    assert shown.notes[-1] == "The page shows the first 25 of 40 rows; the CSV download has them all."
