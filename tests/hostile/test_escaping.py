"""HTML and script in every free-text field a user can submit come back escaped: service
pages (from the directory's factories), problem reports (the form that keeps the user's
input, and the directory team's view of a report), Operation Encompass notifications as key
adults read them, and the search query echoed on /services/."""

from __future__ import annotations

import datetime
import html

import pytest

from django.urls import reverse

from tests.hostile.strategies import XSS_ATTRIBUTE, XSS_SCRIPT

PAYLOADS = [XSS_SCRIPT, XSS_ATTRIBUTE]
RAW_TAGS = ("<script>alert(1)", "<img src=x onerror=alert(1)>")


def assert_escaped(content: bytes, payload: str, where: str) -> None:
    text = content.decode()
    for raw in RAW_TAGS:
        assert raw not in text, f"{where}: the raw tag {raw!r} is in the page"
    escaped = html.escape(payload, quote=True)  # &lt;script&gt;… and &quot;&gt;&lt;img …
    # Django escapes ' as &#x27; and " as &quot;, as html.escape does for these payloads.
    assert escaped in text, f"{where}: the escaped form {escaped!r} is not in the page"


@pytest.mark.parametrize("payload", PAYLOADS)
def test_service_page_free_text_is_escaped(client, db, payload):
    from directory.models import CostOption, Phone, ServiceArea
    from tests.directory.factories import (
        OrganisationFactory,
        ServicePageFactory,
        TaxonomyTermFactory,
        public_location,
        weekly_schedule,
    )

    fields = {
        "title": f"Title {payload}",
        "summary": f"Summary {payload}",
        "description": f"Description {payload}",
        "alert": f"Alert {payload}",
        "eligibility_description": f"Eligibility {payload}",
        "referral_instructions": f"Referral {payload}",
        "accessibility": f"Accessibility {payload}",
    }
    page = ServicePageFactory(
        slug="hostile-service",
        organisation=OrganisationFactory(name=f"Organisation {payload}", description=f"Org description {payload}"),
        terms=[TaxonomyTermFactory(name=f"Term {payload}")],
        locations=[
            public_location(
                name=f"Location {payload}", address_1=f"Address {payload}", accessibility=f"Loc access {payload}"
            )
        ],
        schedules=[weekly_schedule(description=f"Schedule {payload}")],
        phones=[Phone(number="0191 498 0001", description=f"Phone {payload}")],
        service_areas=[ServiceArea(name=f"Area {payload}")],
        cost_options=[CostOption(is_free=False, amount_description=f"Cost {payload}")],
        **fields,
    )
    response = client.get(page.url)
    assert response.status_code == 200
    text = response.content.decode()
    for label in [
        "Title",
        "Summary",
        "Description",
        "Alert",
        "Eligibility",
        "Referral",
        "Organisation",
        "Location",
        "Address",
        "Schedule",
        "Phone",
    ]:
        assert f"{label} {html.escape(payload)}" in text, f"{label} is not shown escaped"
    assert_escaped(response.content, payload, "service page")
    # Search results show the title and summary too.
    results = client.get("/services/", {"q": "Title"})
    assert_escaped(results.content, payload, "search results")


@pytest.mark.parametrize("payload", PAYLOADS)
def test_search_query_is_echoed_escaped(client, db, payload):
    response = client.get("/services/", {"q": payload, "postcode": payload})
    assert response.status_code == 200
    assert_escaped(response.content, payload, "/services/")


@pytest.fixture
def service(db):
    from tests.directory.factories import ServicePageFactory

    return ServicePageFactory(slug="reported-service")


@pytest.mark.parametrize("payload", PAYLOADS)
def test_problem_report_form_keeps_the_input_escaped(client, service, payload):
    url = service.url + "report-a-problem/"
    # No kind chosen: the form comes back with an error and the user's words kept.
    response = client.post(url, {"details": f"Details {payload}", "email": payload})
    assert response.status_code == 200
    assert_escaped(response.content, payload, "problem report form")


@pytest.mark.parametrize("payload", PAYLOADS)
def test_problem_report_is_escaped_for_the_directory_team(client, service, make_user, payload):
    from directory.models import ProblemReport

    response = client.post(
        service.url + "report-a-problem/", {"kind": "wrong_contact", "details": f"Details {payload}"}
    )
    assert response.status_code == 302
    report = ProblemReport.objects.get()
    client.force_login(make_user("directory_manager"))
    inspect = client.get(reverse("directory_problem_reports:inspect", kwargs={"pk": report.pk}))
    assert inspect.status_code == 200
    assert_escaped(inspect.content, payload, "the report in the admin")
    for name in ("directory_problem_reports:edit", "directory_problem_reports:index"):
        page = client.get(reverse(name, kwargs={"pk": report.pk} if name.endswith("edit") else None))
        assert page.status_code == 200, name
        for raw in RAW_TAGS:
            assert raw not in page.content.decode(), name


@pytest.mark.parametrize("payload", PAYLOADS)
def test_encompass_free_text_is_escaped_for_key_adults(client, make_user, db, payload):
    from portal.encompass.models import NotifiedChild
    from tests.encompass.factories import NotificationFactory, NotifiedChildFactory, SchoolFactory

    school = SchoolFactory(urn=100001, name="Hylton Primary School", la_code="394")
    key_adult = make_user("school_key_adult")
    school.key_adults.add(key_adult)
    notification = NotificationFactory(
        summary=f"Summary {payload}", location=f"Location {payload}", officer=f"Officer {payload}"
    )
    child = NotifiedChildFactory(
        notification=notification,
        school=school,
        given_name=f"Given {payload}"[:100],
        family_name=f"Family {payload}"[:100],
        voice_of_child=f"Voice {payload}",
        date_of_birth=datetime.date(2016, 5, 4),
        routed_to=NotifiedChild.Route.SCHOOL,
    )
    client.force_login(key_adult)
    detail = client.get(reverse("encompass:detail", kwargs={"pk": child.pk}))
    assert detail.status_code == 200
    text = detail.content.decode()
    for label in ("Summary", "Location", "Officer", "Voice", "Given", "Family"):
        assert f"{label} {html.escape(payload)}" in text, f"{label} is not shown escaped"
    assert_escaped(detail.content, payload, "notification detail")
    listing = client.get(reverse("encompass:list"))
    assert listing.status_code == 200
    for raw in RAW_TAGS:
        assert raw not in listing.content.decode()
