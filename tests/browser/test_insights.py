"""Commissioners' insights as a commissioner uses them: from the portal to a dashboard, its
filters, a comparison (with the overlapping-periods mistake first), the charts and their
tables, with and without JavaScript, and axe on every state."""

from __future__ import annotations

import pytest

from tests.browser.pages import GovUKPage, PortalHomePage, SignInPage, text_of
from tests.factories import TEST_PASSWORD
from tests.insights.conftest import exact_counts, no_suppression, world  # noqa: F401 (the hand-computed world, as fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


class InsightsDashboardPage(GovUKPage):
    """One dashboard: its filters form, headline figures, charts and tables."""

    def assert_here(self, title: str) -> InsightsDashboardPage:
        assert self.path.startswith("/portal/insights/"), self.page.url
        assert self.heading == title
        return self

    def fill_date(self, legend: str, day: str, month: str, year: str) -> None:
        group = self.page.get_by_role("group", name=legend)
        for label, value in (("Day", day), ("Month", month), ("Year", year)):
            group.get_by_label(label).fill(value)

    def period(self, start: tuple[str, str, str], end: tuple[str, str, str]) -> None:
        self.fill_date("Period from (optional)", *start)
        self.fill_date("Period to (optional)", *end)

    def open_comparison(self) -> None:
        details = self.page.locator("details.govuk-details")
        if details.get_attribute("open") is None:
            self.page.get_by_text("Compare with another period").click()

    def compare(self, start: tuple[str, str, str], end: tuple[str, str, str]) -> None:
        self.open_comparison()
        self.fill_date("Comparison period from (optional)", *start)
        self.fill_date("Comparison period to (optional)", *end)

    def show(self) -> None:
        self.page.get_by_role("button", name="Show figures").click()
        self.page.wait_for_load_state()

    def period_label(self) -> str:
        return text_of(self.page.locator(".app-insights-period-label"))

    def charts(self) -> list[str]:
        """The accessible names of the charts (their titles)."""
        return [chart.locator("title").text_content() for chart in self.page.locator("svg[role=img]").all()]

    def figures_drawn_or_explained(self) -> int:
        """Charts, and charts left out because every value was 0 or hidden (each says so)."""
        return len(self.charts()) + self.page.locator(".app-chart-none").count()

    def table_captions(self) -> list[str]:
        return [text_of(caption) for caption in self.page.locator("table caption").all()]

    def headline_values(self) -> dict[str, str]:
        values = {}
        for item in self.page.locator(".app-insights-headline").all():
            values[text_of(item.locator("dt"))] = text_of(item.locator(".app-insights-headline__value"))
        return values


@pytest.fixture
def commissioner(make_user):
    return make_user("commissioner", email="commissioner@council.example.org")


def _journey(bp, commissioner, *, javascript: bool) -> None:
    where = "" if javascript else ", no JavaScript"
    SignInPage(bp).open().sign_in(commissioner.email, TEST_PASSWORD)
    PortalHomePage(bp).assert_here().follow_card("Insights")

    overview = GovUKPage(bp)
    assert overview.heading == "Insights"
    overview.check_accessibility("insights overview" + where)
    overview.page.get_by_role("link", name="Early help", exact=True).click()
    overview.page.wait_for_load_state()

    dashboard = InsightsDashboardPage(bp).assert_here("Early help")
    dashboard.check_accessibility("early help dashboard, last 12 months" + where)

    # --- The world's quarter, narrowed to one area ---
    dashboard.period(("1", "1", "2026"), ("31", "3", "2026"))
    dashboard.page.get_by_label("Locality team area (optional)").select_option(label="North")
    dashboard.show()
    assert dashboard.period_label() == "1 January 2026 to 31 March 2026"
    assert "area=North" in dashboard.page.url
    assert "Locality team area: North" in text_of(dashboard.page.locator(".app-insights-filter-summary"))
    assert dashboard.page.get_by_label("Locality team area (optional)").input_value() == "North"
    charts = dashboard.charts()
    assert charts, "the dashboard draws no charts"
    figures = dashboard.figures_drawn_or_explained()
    captions = dashboard.table_captions()
    for title in charts:  # each chart's figures are in a table captioned with its title
        assert any(caption.startswith(title) for caption in captions), (title, captions)
    assert dashboard.headline_values()
    dashboard.check_accessibility("early help dashboard, filtered" + where)

    # --- Comparing with an overlapping period is refused, with the input kept ---
    dashboard.compare(("1", "12", "2025"), ("31", "1", "2026"))
    dashboard.show()
    dashboard.assert_errors("The comparison period must not overlap the period you are looking at")
    assert "overlap" in dashboard.group_error("Comparison period from (optional)")
    assert (
        dashboard.page.get_by_role("group", name="Comparison period to (optional)").get_by_label("Month").input_value()
        == "1"
    )
    assert dashboard.charts() == []
    dashboard.check_accessibility("early help dashboard, overlapping comparison" + where)

    # --- The quarter before: both periods, one after the other ---
    dashboard.compare(("1", "10", "2025"), ("31", "12", "2025"))
    dashboard.show()
    assert (
        dashboard.period_label() == "1 January 2026 to 31 March 2026, compared with 1 October 2025 to 31 December 2025"
    )
    headlines = dashboard.page.get_by_role("table", name="Headline figures for both periods")
    assert headlines.locator("thead th").all_inner_texts() == [
        "Figure",
        "1 January 2026 to 31 March 2026",
        "1 October 2025 to 31 December 2025",
    ]
    captions = dashboard.table_captions()
    assert any(c.endswith("1 January 2026 to 31 March 2026") for c in captions)
    assert any(c.endswith("1 October 2025 to 31 December 2025") for c in captions)
    # Each figure twice: a chart, or (a quarter with only zeros) a sentence saying why not.
    assert dashboard.figures_drawn_or_explained() == 2 * figures
    dashboard.check_accessibility("early help dashboard, two periods" + where)


# The small world's figures are all under 5, so every chart would say "Not charted" at the
# real threshold: these journeys show everything (threshold 1) to have charts to look at.
def test_a_commissioner_filters_and_compares_a_dashboard(site, world, no_suppression, browser_page, commissioner):  # noqa: F811
    _journey(browser_page, commissioner, javascript=True)


def test_the_dashboards_work_without_javascript(site, world, no_suppression, open_browser_page, commissioner):  # noqa: F811
    page = open_browser_page(java_script_enabled=False)
    _journey(page, commissioner, javascript=False)


def test_the_dashboard_fits_a_phone_and_prints_without_the_portal_around_it(
    site,
    world,  # noqa: F811
    no_suppression,  # noqa: F811
    phone_page,
    commissioner,
):
    SignInPage(phone_page).open().sign_in(commissioner.email, TEST_PASSWORD)
    phone_page.goto(
        "/portal/insights/outcomes/?date_from_day=1&date_from_month=1&date_from_year=2026"
        "&date_to_day=31&date_to_month=3&date_to_year=2026&area=North"
    )
    dashboard = InsightsDashboardPage(phone_page).assert_here("Outcomes")
    dashboard.assert_fits_the_screen()
    # Chart text is scaled with the chart: still readable on the phone.
    sizes = dashboard.page.locator("svg[role=img] text").evaluate_all(
        "texts => texts.map(t => t.getBoundingClientRect().height).filter(h => h > 0)"
    )
    assert sizes and min(sizes) >= 11, sizes
    dashboard.check_accessibility("outcomes dashboard on a phone")
    dashboard.page.emulate_media(media="print")
    assert not dashboard.page.locator("form.app-insights-filters").is_visible()
    assert not dashboard.page.locator(".govuk-template__header").is_visible()
    assert dashboard.page.locator("svg[role=img]").first.is_visible()
    # The filters chosen are printed under the heading.
    summary = dashboard.page.locator(".app-insights-filter-summary")
    assert summary.is_visible()
    assert "Locality team area: North" in text_of(summary)
