"""The LA Encompass lead edits schools (key adults, deputies, start time) and term dates in
the Wagtail admin."""

import datetime

from django.urls import reverse

from portal.encompass.models import Calendar, CalendarPeriod


def test_lead_assigns_key_adults_and_start_time(signed_in, make_user, school):
    lead = make_user("la_encompass_lead")
    adult = make_user("school_key_adult", email="new.dsl@example.org")
    make_user("commissioner", email="not.a.dsl@example.org")
    client = signed_in(lead)
    url = reverse("wagtailsnippets_encompass_school:edit", args=[school.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert adult.get_full_name() in page.content.decode()
    response = client.post(url, {"day_start": "08:45", "key_adults": [adult.pk], "deputies": []})
    assert response.status_code == 302, response.content.decode()[:2000]
    school.refresh_from_db()
    assert school.day_start == datetime.time(8, 45)
    assert list(school.key_adults.all()) == [adult]


def test_lead_adds_a_closure_day(signed_in, make_user):
    lead = make_user("la_encompass_lead")
    calendar = Calendar.objects.create(la_code="394", name="LA 394")
    response = signed_in(lead).post(
        reverse("wagtailsnippets_encompass_calendarperiod:add"),
        {
            "calendar": calendar.pk,
            "kind": "closure",
            "start": "2025-11-14",
            "end": "2025-11-15",
            "summary": "Strike day",
        },
    )
    assert response.status_code == 302
    assert CalendarPeriod.objects.get().summary == "Strike day"


def test_key_adult_cannot_edit_schools(signed_in, key_adult, school):
    response = signed_in(key_adult).get(reverse("wagtailsnippets_encompass_school:edit", args=[school.pk]))
    assert response.status_code in (302, 403)
