"""The family-facing service page and directory index: the summary list in plain words, the
banners, Exit this page on domestic abuse pages only, and a confidential location's address,
postcode and coordinates never in the HTML."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest

from django.utils import timezone

from directory import display
from directory.models import ClosureDate, Contact, CostOption, Phone, Schedule, ServiceArea, ServiceStatus
from tests.directory.factories import (
    REFUGE_ADDRESS,
    REFUGE_LAT,
    REFUGE_LNG,
    REFUGE_POSTCODE,
    ServicePageFactory,
    TaxonomyTermFactory,
    confidential_location,
    directory_index,
    public_location,
    weekly_schedule,
)

pytestmark = pytest.mark.django_db


def text_of(response) -> str:
    html = response.content.decode()
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


# --- Wording --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("byday", "opens", "closes", "expected"),
    [
        ("MO,WE", "09:00", "17:00", "Mondays and Wednesdays, 9am to 5pm"),
        ("MO,TU,WE,TH,FR", "08:30", "17:00", "Monday to Friday, 8:30am to 5pm"),
        ("MO,TU,WE,TH,FR,SA,SU", "00:00", "23:59", "Every day, midnight to 11:59pm"),
        ("TU", "10:00", "12:00", "Tuesdays, 10am to midday"),
        ("MO,TU,WE,FR", "13:00", "15:30", "Monday to Wednesday and Fridays, 1pm to 3:30pm"),
    ],
)
def test_weekly_schedules_in_words(byday, opens, closes, expected):
    assert display.schedule_words(weekly_schedule(byday, opens, closes)) == expected


def test_monthly_and_fortnightly_schedules_in_words():
    first_monday = Schedule(freq="MONTHLY", byday="1MO", opens_at=datetime.time(18), closes_at=datetime.time(20))
    assert display.schedule_words(first_monday) == "First Monday of the month, 6pm to 8pm"
    last_friday = Schedule(freq="MONTHLY", byday="2TU,-1TU")
    assert display.schedule_words(last_friday) == "Second and last Tuesday of the month"
    fortnightly = Schedule(freq="WEEKLY", interval=2, byday="TH", opens_at=datetime.time(9, 30))
    assert display.schedule_words(fortnightly) == "Every other week, Thursdays, from 9:30am"


def test_ages_and_costs_in_words():
    assert display.long_date(datetime.date(2026, 3, 3)) == "3 March 2026"
    assert display.age_words(0, 18) == "0 to 18 years"
    assert display.age_words(16, None) == "16 years and over"
    assert display.age_words(None, 5) == "Up to 5 years"
    assert display.age_words(None, None) == ""
    assert display.cost_words([CostOption(is_free=True)]) == ["Free"]
    assert display.cost_words(
        [
            CostOption(amount=Decimal("3.50"), amount_description="per session"),
            CostOption(is_free=True, option="Families on benefits"),
            CostOption(amount=Decimal("10.00"), option="Adults"),
        ]
    ) == ["£3.50 per session", "Families on benefits: free", "Adults: £10"]


# --- The service page -----------------------------------------------------------------


def test_service_page_shows_the_summary_list_in_plain_words(client):
    service = ServicePageFactory(
        title="Little Explorers stay and play",
        minimum_age=0,
        maximum_age=4,
        need_universal=True,
        need_early_help=False,
        attend_online=True,
        languages=["en", "pl", "bfi"],
        accessibility="Buggy parking at the door.",
        how_to_access="both",
        referral_url="https://refer.example.org/little-explorers",
        cost_options=[CostOption(amount=Decimal("1.50"), amount_description="per family")],
        schedules=[weekly_schedule("MO,WE", "09:00", "17:00", description="Term time only")],
        closures=[
            ClosureDate(
                start_date=timezone.localdate() + datetime.timedelta(days=20),
                end_date=timezone.localdate() + datetime.timedelta(days=22),
                reason="Staff training",
            )
        ],
        phones=[
            Phone(number="0191 498 0001", description="Monday to Friday"),
            Phone(number="07700 900123", type="text"),
        ],
        contacts=[Contact(name="Family hub team", phone="0191 498 0002")],
        assured_date=timezone.localdate() - datetime.timedelta(days=2),
    )
    response = client.get(service.url)
    assert response.status_code == 200
    text = text_of(response)
    for expected in (
        "Little Explorers stay and play",
        "Ages: 0 to 4 years",
        "Suitable for every family.",
        "£1.50 per family",
        "You can contact the service yourself, or a professional can refer you.",
        "You can take part in person or online.",
        "Mondays and Wednesdays, 9am to 5pm",
        "Term time only",
        "Closed from",
        "(Staff training)",
        "City Hall, Plater Way",
        "SR1 3AA",
        "Areas covered: Sunderland",
        "English, Polish, British Sign Language",
        "Buggy parking at the door.",
        f"Last checked {display.long_date(timezone.localdate() - datetime.timedelta(days=2))}",
    ):
        assert expected in text, expected
    html = response.content.decode()
    assert 'href="tel:01914980001"' in html
    assert 'href="sms:07700900123"' in html
    assert 'href="mailto:support@family-trust.example.org"' in html
    assert 'href="https://refer.example.org/little-explorers"' in html
    assert "govuk-summary-list" in html
    # Save and share: a POST form (works without JavaScript), a mailto share and the canonical link.
    assert 'action="/my-list/add/"' in html and "csrfmiddlewaretoken" in html
    assert "mailto:?subject=" in html
    assert f'<link rel="canonical" href="http://127.0.0.1:8000{service.url}">' in html
    assert f'href="{service.url}report-a-problem/"' in html
    # Not a domestic abuse service: no quick exit.
    assert "govuk-exit-this-page" not in html
    assert "How to browse safely" not in html


def test_free_service_and_missing_cost(client):
    service = ServicePageFactory()
    assert "Free" in text_of(client.get(service.url))
    no_cost = ServicePageFactory(cost_options=[])
    assert "Ask the service" in text_of(client.get(no_cost.url))


def test_temporarily_closed_banner_and_alert(client):
    service = ServicePageFactory(status=ServiceStatus.TEMPORARILY_CLOSED, alert="We are moving to Hendon.")
    html = client.get(service.url).content.decode()
    assert "govuk-notification-banner" in html
    assert "This service is temporarily closed." in html
    assert "We are moving to Hendon." in html
    open_service = ServicePageFactory()
    assert "govuk-notification-banner" not in client.get(open_service.url).content.decode()


def test_closed_today_shows_a_banner(client):
    today = timezone.localdate()
    service = ServicePageFactory(
        closures=[ClosureDate(start_date=today, end_date=today + datetime.timedelta(days=3), reason="Flooding")]
    )
    text = text_of(client.get(service.url))
    assert f"Closed until {display.long_date(today + datetime.timedelta(days=3))} (Flooding)." in text


def test_hidden_services_are_not_found(client):
    for service in (
        ServicePageFactory(status=ServiceStatus.INACTIVE),
        ServicePageFactory(verified=False),
        ServicePageFactory(assured_date=timezone.localdate() - datetime.timedelta(days=400)),
    ):
        assert client.get(service.url).status_code == 404


# --- Confidential locations and domestic abuse pages ------------------------------------


def _assert_no_refuge_details(html: str) -> None:
    for secret in (
        REFUGE_ADDRESS,
        REFUGE_POSTCODE,
        REFUGE_POSTCODE.replace(" ", ""),
        str(REFUGE_LAT),
        str(REFUGE_LNG),
        f"{REFUGE_LAT:.4f}",
        f"{REFUGE_LNG:.4f}",
        "Safe house",
        "Ground floor rooms at the refuge",
    ):
        assert secret not in html, secret


@pytest.fixture
def refuge():
    da = TaxonomyTermFactory(name="Domestic abuse", code="domestic-abuse")
    refuge_term = TaxonomyTermFactory(name="Refuges", code="refuges", parent=da)
    return ServicePageFactory(
        title="Wearside Women's Refuge",
        locations=[confidential_location()],
        service_areas=[ServiceArea(name="Sunderland and South Tyneside")],
        phones=[Phone(number="0191 498 0999", description="24 hours")],
        terms=[refuge_term],
    )


def test_confidential_location_is_shown_as_area_and_phone_only(client, refuge):
    response = client.get(refuge.url)
    html = response.content.decode()
    _assert_no_refuge_details(html)
    text = text_of(response)
    assert "The address is kept private to keep people safe." in text
    assert "Areas covered: Sunderland and South Tyneside" in text
    assert 'href="tel:01914980999"' in html


def test_confidential_location_is_in_no_family_page(client, refuge):
    ServicePageFactory(locations=[public_location(), confidential_location(address_1="2 Other Street")])
    index = directory_index()
    for url in (refuge.url, index.url, "/sitemap.xml", "/my-list/"):
        response = client.get(url)
        assert response.status_code == 200, url
        _assert_no_refuge_details(response.content.decode())
    client.post("/my-list/add/", {"service": refuge.pk})
    _assert_no_refuge_details(client.get("/my-list/").content.decode())


def test_domestic_abuse_page_has_exit_this_page_and_safety_guide(client, refuge):
    html = client.get(refuge.url).content.decode()
    assert 'data-module="govuk-exit-this-page"' in html
    assert 'href="https://www.bbc.co.uk/weather"' in html
    assert "How to browse safely" in html
    assert "Shift key 3 times" in html


@pytest.mark.parametrize(
    ("term_kwargs", "confidential", "expected"),
    [
        ({"name": "Domestic abuse", "code": "domestic-abuse"}, False, True),
        ({"name": "Domestic violence support", "code": "lga-123"}, False, True),
        ({"name": "Parenting", "code": "parenting"}, True, True),  # any refuge
        ({"name": "Parenting", "code": "parenting"}, False, False),
    ],
)
def test_which_pages_are_domestic_abuse_pages(client, term_kwargs, confidential, expected):
    term = TaxonomyTermFactory(**term_kwargs)
    child = TaxonomyTermFactory(name="Child term", code=f"child-{term.pk}", parent=term)
    locations = [confidential_location()] if confidential else [public_location()]
    service = ServicePageFactory(terms=[child], locations=locations)
    html = client.get(service.url).content.decode()
    assert ("govuk-exit-this-page" in html) is expected


def test_service_page_query_count_is_bounded(client, django_assert_max_num_queries):
    service = ServicePageFactory(
        locations=[public_location(), public_location(name="Second")],
        schedules=[weekly_schedule(), weekly_schedule("TU")],
        phones=[Phone(number="0191 498 0001"), Phone(number="0191 498 0002")],
    )
    client.get(service.url)
    with django_assert_max_num_queries(30):
        assert client.get(service.url).status_code == 200


# --- The directory index ------------------------------------------------------------------


def test_directory_index_lists_categories_and_services(client):
    parenting = TaxonomyTermFactory(name="Parenting", code="parenting")
    groups = TaxonomyTermFactory(name="Parenting groups", code="parenting-groups", parent=parenting)
    shown = ServicePageFactory(title="Positive parenting course", terms=[groups])
    hidden = ServicePageFactory(title="Old parenting course", terms=[groups], status=ServiceStatus.INACTIVE)
    # /services/ itself is the family search page (DESIGN.md §5), so the index page's own
    # content is seen through Wagtail's preview.
    response = directory_index().make_preview_request()
    text = text_of(response)
    assert "Browse by category" in text
    assert "Parenting (1)" in text
    assert shown.title in text
    assert hidden.title not in text


def test_admin_preview_shows_the_draft(client):
    service = ServicePageFactory(title="Old name")
    service.title = "New name in the draft"
    service.locations = [public_location(name="New venue"), confidential_location()]
    response = service.make_preview_request()
    html = response.content.decode()
    assert response.status_code == 200
    assert "New name in the draft" in html and "New venue" in html
    _assert_no_refuge_details(html)
    assert "The address is kept private" in html
