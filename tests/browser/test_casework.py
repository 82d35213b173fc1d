"""Casework in a real browser, with axe-core on each page in its first and its error state:
recording a decision on a request for help, agreeing the plan, reviewing it, proposing
closure and a manager's sign-off (refused for the proposer)."""

from __future__ import annotations

import datetime

import pytest

from django.utils import timezone

from eh_assessments.models_casework import Decision, Episode, Plan, Review
from tests.browser.pages import GovUKPage
from tests.eh_assessments.casework_factories import referral_for, world
from tests.factories import TEST_PASSWORD

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

BASE = "/portal/assessments/cases"


def fill_date(page, legend: str, day: datetime.date) -> None:
    group = page.get_by_role("group", name=legend)
    group.get_by_label("Day").fill(str(day.day))
    group.get_by_label("Month").fill(str(day.month))
    group.get_by_label("Year").fill(str(day.year))


def submit(page, name: str) -> None:
    page.get_by_role("button", name=name, exact=True).click()
    page.wait_for_load_state()


def test_decision_plan_review_closure_and_sign_off(open_browser_page):
    w = world()
    today = timezone.localdate()
    referral = referral_for(w["team"], "Amy")

    # The manager decides on the request for help.
    manager = open_browser_page()
    manager.sign_in(w["manager"].email, TEST_PASSWORD)
    manager.goto(f"{BASE}/requests/{referral.uuid}/decide/")
    page = GovUKPage(manager)
    assert page.heading == "Record a decision"
    manager.check_accessibility("the decision page")
    manager.page.get_by_label("Single agency early help").check()
    submit(manager.page, "Record the decision")
    page.assert_errors("Enter the reasons for the decision", "Select the lead professional")
    manager.check_accessibility("the decision page with errors")
    assert manager.page.get_by_label("Single agency early help").is_checked()
    assert not Decision.objects.exists()
    manager.page.get_by_label("Lead professional").select_option(label=w["lead"].get_full_name())
    manager.page.get_by_label("Reasons for the decision").fill("Attendance has dropped; routines at home.")
    submit(manager.page, "Record the decision")
    assert page.heading == "Decision recorded"
    manager.check_accessibility("the decision confirmation")
    episode = Episode.objects.get()

    # The lead professional agrees the plan.
    lead = open_browser_page()
    lead.sign_in(w["lead"].email, TEST_PASSWORD)
    lead.goto(f"{BASE}/{episode.uuid}/")
    lead_page = GovUKPage(lead)
    lead.page.get_by_role("link", name="Agree the plan").click()
    assert lead_page.heading == "Agree the plan"
    lead.check_accessibility("the plan page")
    fill_date(lead.page, "Date the plan was agreed", today)
    lead.page.get_by_label("Need 1", exact=True).fill("Amy misses school")
    lead.page.get_by_label("What the family wants (need 1)").fill("Amy goes to school every day")
    lead.page.get_by_label("Action 1", exact=True).first.fill("Morning routine chart")
    fill_date(lead.page, "Due date of action 1", today + datetime.timedelta(days=14))
    submit(lead.page, "Agree the plan")
    lead_page.assert_errors("Enter who will do the action")
    lead.check_accessibility("the plan page with errors")
    assert not Plan.objects.exists()
    lead.page.get_by_label("Their name, if not a portal user (action 1)").first.fill("Mum")
    submit(lead.page, "Agree the plan")
    assert Plan.objects.filter(episode=episode).exists()

    # The review: dated before the plan is refused.
    lead.page.get_by_role("link", name="Review the plan").click()
    assert lead_page.heading == "Review the plan"
    lead.check_accessibility("the review page")
    fill_date(lead.page, "Date of the review", today - datetime.timedelta(days=1))
    lead.page.get_by_label("Done", exact=True).check()
    lead.page.get_by_label("Summary of the review").fill("The chart works.")
    submit(lead.page, "Save the review")
    lead_page.assert_errors("The review cannot be dated before the plan was agreed")
    lead.check_accessibility("the review page with errors")
    assert not Review.objects.exists()
    fill_date(lead.page, "Date of the review", today)
    submit(lead.page, "Save the review")
    assert Review.objects.filter(episode=episode).exists()

    # Closure: a reason is needed; then it waits for sign-off.
    lead.page.get_by_role("link", name="Close the episode").click()
    assert lead_page.heading == "Close the episode"
    lead.check_accessibility("the closure page")
    lead.page.get_by_label("Closing summary").fill("Attendance back to 96%.")
    lead.page.get_by_label("Reasons for closing").fill("Needs met.")
    submit(lead.page, "Propose closing")
    lead_page.assert_errors("Select why the episode is closing")
    lead.check_accessibility("the closure page with errors")
    assert not Decision.objects.filter(kind=Decision.Kind.CLOSURE).exists()
    lead.page.get_by_label("Needs met").check()
    submit(lead.page, "Propose closing")
    assert lead_page.heading == "Decision proposed"
    closure = Decision.objects.get(kind=Decision.Kind.CLOSURE)

    # The manager signs it off; refusing needs a comment.
    manager.goto(f"{BASE}/sign-off/")
    manager.page.get_by_role("link", name="Close the episode").click()
    assert page.heading == "Sign off: Close the episode"
    manager.check_accessibility("the sign-off page")
    manager.page.get_by_label("No, do not agree").check()
    submit(manager.page, "Save")
    page.assert_errors("Enter why you do not agree with the decision")
    manager.check_accessibility("the sign-off page with errors")
    manager.page.get_by_label("Yes, sign it off").check()
    submit(manager.page, "Save")
    assert page.heading == "Sign-off recorded"
    closure.refresh_from_db()
    assert closure.status == Decision.Status.APPROVED
    episode.refresh_from_db()
    assert episode.status == Episode.Status.CLOSED


def test_the_proposer_cannot_sign_off_their_own_decision(open_browser_page):
    from eh_assessments import casework
    from eh_assessments.models_casework import ClosureReason
    from tests.eh_assessments.casework_factories import open_episode

    w = world()
    episode = open_episode(w, "Amy")
    closure = casework.record_decision(
        user=w["manager"],
        kind=Decision.Kind.CLOSURE,
        rationale="Needs met.",
        episode=episode,
        closure_reason=ClosureReason.NEEDS_MET,
        closure_summary="Done.",
    )
    bp = open_browser_page()
    bp.sign_in(w["manager"].email, TEST_PASSWORD)
    bp.goto(f"{BASE}/sign-off/{closure.uuid}/")
    page = GovUKPage(bp)
    bp.page.get_by_label("Yes, sign it off").check()
    submit(bp.page, "Save")
    page.assert_errors("You proposed this decision: another early help manager must sign it off")
    bp.check_accessibility("the sign-off page refusing the proposer")
    closure.refresh_from_db()
    assert closure.is_pending
