"""The printable view of a submitted assessment: every answer, the print stylesheet, and the
people who must not see it named at the top."""

from __future__ import annotations

import pytest

from django.urls import reverse

from eh_assessments import services
from eh_assessments.models import Assessment
from portal.audit.models import AuditEvent
from tests.eh_assessments.conftest import fill_steps

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eh_roles")]


def print_url(assessment) -> str:
    return reverse("eh_assessments:print", kwargs={"pk": assessment.uuid})


@pytest.fixture
def submitted(assessment, lead, alex, kim):
    fill_steps(
        assessment,
        lead,
        overrides={
            "consent": {
                "must_not_see": [str(kim.uuid)],
                "must_not_see_others": "Jordan Black (mother's former partner)",
            },
            "analysis": {"worries": "Alex is missing school on Mondays."},
        },
    )
    assessment.refresh_from_db()
    return services.submit_assessment(assessment, expected_version=assessment.version, user=lead)


def test_the_printable_view_names_who_must_not_see_it_at_the_top(client, lead, submitted):
    client.force_login(lead)
    page = client.get(print_url(submitted)).content.decode()
    warning = page.index(
        "This assessment must not be shared with: Kim Smith; Jordan Black (mother&#x27;s former partner)"
    )
    assert warning < page.index("<h1")


def test_the_printable_view_shows_every_answer_and_uses_a_print_stylesheet(client, lead, submitted):
    client.force_login(lead)
    page = client.get(print_url(submitted)).content.decode()
    assert 'href="/static/portal/assessment-print.css" media="print"' in page
    assert submitted.reference in page
    for heading in ("About this assessment", "Consent", "Alex Smith: developmental needs", "Chronology", "Analysis"):
        assert heading in page, heading
    assert "Alex is missing school on Mondays." in page
    assert "Change<span" not in page  # no change links on a submitted assessment
    assert AuditEvent.objects.filter(action="view", object_id=str(submitted.pk), detail__page="print").exists()


def test_a_draft_has_no_printable_view_yet(client, lead, assessment):
    client.force_login(lead)
    assert client.get(print_url(assessment))["Location"] == reverse(
        "eh_assessments:task_list", kwargs={"pk": assessment.uuid}
    )


def test_the_printable_view_is_not_found_for_other_users(client, submitted, make_user):
    client.force_login(make_user("lead_professional", email="someone.else@example.org"))
    assert client.get(print_url(submitted)).status_code == 404


def test_a_team_manager_can_print_a_submitted_assessment(client, manager, submitted):
    client.force_login(manager)
    assert client.get(print_url(submitted)).status_code == 200
    assert Assessment.objects.get(pk=submitted.pk).status == Assessment.Status.SUBMITTED
