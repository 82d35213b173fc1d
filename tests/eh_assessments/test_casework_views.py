"""The read-only case page and the printable signposting list (issue 7), at the paths
portal/urls.py mounts them."""

from __future__ import annotations

import datetime

import pytest

from django.utils import timezone

from eh_assessments import casework
from eh_assessments.models_casework import ClosureReason, Decision
from portal.audit.models import AuditEvent
from tests.directory.factories import ServicePageFactory
from tests.eh_assessments.casework_factories import open_episode, referral_for, world
from tests.encompass.factories import NotificationFactory, NotifiedChildFactory
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def w(db):
    return world()


def case_url(episode):
    return f"/portal/assessments/cases/{episode.uuid}/"


def test_the_case_page_shows_the_episode_and_its_chronology(w, signed_in, django_assert_max_num_queries):
    episode = open_episode(w, "Amy", kind=Decision.Kind.TEAM_AROUND_FAMILY, members=[w["colleague"]])
    NotifiedChildFactory(
        given_name="Amy",
        family_name="Doe",
        date_of_birth=datetime.date(2015, 6, 1),
        notification=NotificationFactory(summary="Shouting heard by neighbours"),
    )
    casework.record_supervision(
        episode,
        user=w["manager"],
        held_on=timezone.localdate(),
        what_is_working="Routines.",
        what_worries_us="Attendance.",
        child_would_say="Mum is happier.",
        what_next="Review.",
    )
    client = signed_in(w["lead"])
    response = client.get(case_url(episode))
    assert response.status_code == 200
    html = response.content.decode()
    assert f"Episode of help {episode.reference}" in html
    assert "Amy Doe" in html
    assert "Operation Encompass notification" in html
    assert "Shouting" not in html
    assert "What the child would say" not in html  # supervision is for managers
    assert AuditEvent.objects.filter(
        object_type="eh_assessments.episode", object_id=str(episode.pk), action="view"
    ).exists()
    manager_html = signed_in(w["manager"]).get(case_url(episode)).content.decode()
    assert "Mum is happier." in manager_html


def test_the_case_page_query_count_does_not_grow_with_history(w, signed_in, django_assert_max_num_queries):
    episode = open_episode(w, "Amy")
    client = signed_in(w["lead"])
    client.get(case_url(episode))
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get(case_url(episode))
    for _ in range(5):
        casework.add_chronology_entry(episode, user=w["lead"], occurred_at=timezone.now(), summary="Home visit")
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(case_url(episode)).status_code == 200


def test_strangers_get_a_404(w, signed_in):
    episode = open_episode(w, "Amy")
    for user in (
        UserFactory(roles=["lead_professional"]),
        world("South locality")["manager"],
        UserFactory(is_superuser=True),
    ):
        assert signed_in(user).get(case_url(episode)).status_code == 404


def test_anonymous_users_are_sent_to_sign_in(w, client):
    episode = open_episode(w, "Amy")
    response = client.get(case_url(episode))
    assert response.status_code == 302 and "login" in response["Location"]


def test_the_page_shows_a_rereferral_and_earlier_episodes(w, signed_in):
    first = open_episode(w, "Amy", received_on=timezone.localdate() - datetime.timedelta(days=60))
    closure = casework.record_decision(
        user=w["lead"],
        kind=Decision.Kind.CLOSURE,
        rationale="x",
        episode=first,
        closure_reason=ClosureReason.NEEDS_MET,
        closure_summary="Done.",
    )
    casework.sign_off(closure, user=w["manager"], approve=True)
    again = referral_for(w["team"], "Amy", family=first.family)
    second = casework.record_decision(
        user=w["manager"], kind=Decision.Kind.SINGLE_AGENCY, rationale="x", referral=again, lead_professional=w["lead"]
    ).opened_episode
    html = signed_in(w["lead"]).get(case_url(second)).content.decode()
    assert "Re-referral within 12 months" in html
    assert f"{first.reference}: Closed: Needs met" in html


def test_the_printable_signposting_list(w, signed_in):
    service = ServicePageFactory(title="Holiday activities and food")
    referral = referral_for(w["team"], "Amy")
    decision = casework.record_decision(
        user=w["manager"],
        kind=Decision.Kind.UNIVERSAL,
        rationale="Signposted.",
        referral=referral,
        service_page_ids=[service.pk],
    )
    url = f"/portal/assessments/cases/signposting/{decision.uuid}/print/"
    html = signed_in(w["manager"]).get(url).content.decode()
    assert "Holiday activities and food" in html and "Amy" not in html
    assert signed_in(UserFactory(roles=["lead_professional"])).get(url).status_code == 404
