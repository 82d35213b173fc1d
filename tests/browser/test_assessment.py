"""The early help assessment in a real browser, with axe-core on every page: start, the task
list, every step template (the domestic abuse and MARAC steps included), family members,
errors, check your answers with a Change link, submission and the confirmation, the printable
view; and the same wizard working with JavaScript switched off."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from eh_assessments import steps as registry
from eh_assessments.models import Assessment
from tests.browser.pages import AssessmentStepPage, AssessmentTaskListPage, GovUKPage
from tests.eh_assessments.conftest import ROLE_PERMISSIONS, valid_step_data
from tests.eh_assessments.factories import years_ago
from tests.factories import TEST_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def lead(make_user):
    from django.contrib.auth.models import Group, Permission

    from portal.accounts.roles import ROLES_BY_SLUG

    for slug, names in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=ROLES_BY_SLUG[slug].name)
        for name in names:
            app_label, codename = name.split(".")
            group.permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))
    return make_user("lead_professional", email="lead@example.org")


def _add_child(step: AssessmentStepPage, given: str) -> None:
    page = step.page
    page.get_by_role("link", name="Add a family member").click()
    page.wait_for_load_state()
    form = GovUKPage(step.bp)
    assert form.heading == "Add a family member"
    page.get_by_label("Child or young person").check()
    page.get_by_label("First name").fill(given)
    page.get_by_label("Last name").fill("Smith")
    born = years_ago(8)
    group = page.get_by_role("group", name="Date of birth (optional)", exact=True)
    group.get_by_label("Day").fill(str(born.day))
    group.get_by_label("Month").fill(str(born.month))
    group.get_by_label("Year").fill(str(born.year))
    page.locator('[name="lives_in_household"][value="yes"]').check()
    page.get_by_role("button", name="Add family member").click()
    page.wait_for_load_state()


def _answer(step_page: AssessmentStepPage, assessment: Assessment, name: str, **overrides) -> None:
    assessment.refresh_from_db()
    step = next(s for s in registry.steps_for(assessment) if s.name == name)
    data = valid_step_data(assessment, step, **overrides)
    step_page.fill(name, data).continue_()


def test_walk_the_assessment_with_axe_on_every_page(site, browser_page, lead):
    bp = browser_page
    bp.sign_in(lead.email, TEST_PASSWORD)
    bp.goto("/portal/assessments/")
    bp.check_accessibility("my assessments")
    bp.page.get_by_role("button", name="Start an early help assessment").click()
    bp.check_accessibility("start")
    bp.page.get_by_role("button", name="Start now").click()
    assessment = Assessment.objects.get(lead_professional=lead)

    tasks = AssessmentTaskListPage(bp)
    assert tasks.heading == "Early help assessment"
    assert tasks.status_of("About this assessment") == "Not yet started"
    assert tasks.status_of("Level of need") == "Cannot start yet"
    bp.check_accessibility("task list")
    tasks.open_task("About this assessment")

    step = AssessmentStepPage(bp)
    step.continue_()
    step.assert_errors("Enter why this assessment is needed")
    bp.check_accessibility("about, with errors")
    _answer(step, assessment, "about")
    bp.check_accessibility("consent")
    _answer(step, assessment, "consent")

    bp.check_accessibility("family members, empty")
    _add_child(step, "Alex")
    assert "You have added 1 family member" in step.heading
    bp.check_accessibility("family members")
    _answer(step, assessment, "family")

    assessment.refresh_from_db()
    for kind in registry.CHILD_KINDS:
        bp.check_accessibility(f"child step {kind}")
        assert "Alex" in bp.page.content()
        _answer(step, assessment, registry.child_step_name(kind, assessment.family.people.get()))
    for name in ("parenting", "environment", "parent-voice", "chronology"):
        bp.check_accessibility(name)
        _answer(step, assessment, name)
    bp.check_accessibility("risks")
    _answer(step, assessment, "risks", domestic_abuse="yes")
    bp.check_accessibility("domestic abuse")
    _answer(step, assessment, "domestic-abuse", professional_judgement="high", judgement_reason="Threats to kill.")
    bp.check_accessibility("MARAC referral")
    _answer(step, assessment, "marac")
    for name in ("identity", "analysis", "level-of-need", "outcomes"):
        bp.check_accessibility(name)
        _answer(step, assessment, name)

    check = GovUKPage(bp)
    assert check.heading == "Check your answers before submitting the assessment"
    bp.check_accessibility("check your answers")
    bp.page.get_by_role("link", name=re.compile(r"^Change What are we worried about", re.I)).first.click()
    _answer(step, assessment, "analysis", worries="Mornings are chaotic.")
    assert check.heading == "Check your answers before submitting the assessment"
    assert "Mornings are chaotic." in bp.page.content()

    bp.page.get_by_role("button", name="Submit assessment").click()
    assessment.refresh_from_db()
    assert assessment.status == Assessment.Status.SUBMITTED
    expect(bp.page.locator(".govuk-panel__title")).to_have_text("Assessment submitted")
    assert assessment.reference in bp.page.locator(".govuk-panel__body").inner_text()
    bp.check_accessibility("confirmation")
    bp.page.get_by_role("link", name="View and print the assessment").click()
    bp.check_accessibility("printable view")


def test_the_wizard_works_without_javascript(site, open_browser_page, lead):
    bp = open_browser_page(java_script_enabled=False)
    bp.sign_in(lead.email, TEST_PASSWORD)
    bp.goto("/portal/assessments/start/")
    bp.page.get_by_role("button", name="Start now").click()
    assessment = Assessment.objects.get(lead_professional=lead)
    bp.check_accessibility("task list, no JavaScript")
    AssessmentTaskListPage(bp).open_task("About this assessment")
    step = AssessmentStepPage(bp)
    step.continue_()
    step.assert_errors("Enter why this assessment is needed")
    bp.check_accessibility("about with errors, no JavaScript")
    assessment.refresh_from_db()
    about = registry.steps_for(assessment)[0]
    step.fill("about", valid_step_data(assessment, about)).save_and_come_back_later()
    tasks = AssessmentTaskListPage(bp)
    assert tasks.status_of("About this assessment") == "In progress"
    tasks.open_task("Consent")
    step.fill("consent", {"consent_to_assessment": "no", "no_consent_reason": "Risk from the father."}).continue_()
    assert step.heading == "Family members"
    assessment.refresh_from_db()
    assert assessment.consent_given is False
