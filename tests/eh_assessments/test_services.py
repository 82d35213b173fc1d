"""The assessment services: starting, saving a step with optimistic concurrency, submitting,
family members; and the JSON helpers of the wizard storage."""

from __future__ import annotations

import datetime
import decimal
import uuid

import pytest
import time_machine

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from eh_assessments import services, working_days
from eh_assessments import steps as registry
from eh_assessments.models import Assessment, Person, ThresholdDocument
from eh_assessments.storage import PROGRESS_KEY, completed_steps, from_json, in_progress_steps, to_json
from portal.audit.models import AuditEvent
from tests.eh_assessments.conftest import fill_steps
from tests.eh_assessments.factories import ChildFactory, ReferralFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eh_roles")]


# --- JSON helpers ------------------------------------------------------------------------------
def test_to_json_keeps_only_json_safe_values_and_from_json_brings_them_back():
    day = datetime.date(2026, 3, 27)
    at = datetime.datetime(2026, 3, 27, 9, 30, tzinfo=datetime.UTC)
    key = uuid.uuid4()
    stored = to_json(
        {
            "when": day,
            "at": at,
            "amount": decimal.Decimal("12.50"),
            "who": key,
            "ticks": {"b", "a"},
            "events": [{"date": day, "what": "Moved"}],
            "score": 4,
            "flag": True,
            "none": None,
        }
    )
    assert stored == {
        "when": "2026-03-27",
        "at": "2026-03-27T09:30:00+00:00",
        "amount": "12.50",
        "who": str(key),
        "ticks": ["a", "b"],
        "events": [{"date": "2026-03-27", "what": "Moved"}],
        "score": 4,
        "flag": True,
        "none": None,
    }
    back = from_json(stored)
    assert back["when"] == day and back["at"] == at
    assert back["events"] == [{"date": day, "what": "Moved"}]
    assert back["score"] == 4 and back["amount"] == "12.50"


def test_from_json_converts_by_field_type_when_given_the_form_fields():
    from django import forms

    fields = {"amount": forms.DecimalField(), "when": forms.DateField(), "text": forms.CharField()}
    back = from_json({"amount": "12.50", "when": "2026-03-27", "text": "2026-03-27"}, fields)
    assert back == {"amount": decimal.Decimal("12.50"), "when": datetime.date(2026, 3, 27), "text": "2026-03-27"}


def test_to_json_stores_a_model_by_its_uuid_and_refuses_files(alex):
    assert to_json({"person": alex}) == {"person": str(alex.uuid)}
    with pytest.raises(TypeError):
        to_json({"upload": SimpleUploadedFile("a.txt", b"x")})


# --- Starting -----------------------------------------------------------------------------------
def test_start_assessment_makes_a_draft_with_a_family_and_a_45_working_day_target(lead):
    assessment = services.start_assessment(user=lead)
    assert assessment.is_draft and assessment.reference == f"EHA-{assessment.pk:06d}"
    assert assessment.lead_professional == lead and assessment.team == lead.team
    assert assessment.family.team == lead.team and assessment.family.created_by == lead
    assert assessment.target_date == working_days.add_working_days(timezone.localdate(), 45)
    assert assessment.threshold_document == ThresholdDocument.objects.current()
    assert AuditEvent.objects.filter(
        action="create", object_type="eh_assessments.assessment", object_id=str(assessment.pk), user_id=lead.pk
    ).exists()


def test_start_assessment_from_a_referral_uses_its_family(lead):
    referral = ReferralFactory()
    assessment = services.start_assessment(user=lead, referral=referral)
    assert assessment.family == referral.family and assessment.referral == referral


# --- Saving a step ------------------------------------------------------------------------------
def test_save_step_bumps_the_version_and_refuses_a_stale_one(assessment, lead, colleague):
    version = assessment.version
    services.save_step(assessment, "about", {"reason": "First"}, expected_version=version, user=lead)
    assert assessment.version == version + 1
    stale = Assessment.objects.get(pk=assessment.pk)
    stale.version = version  # a page loaded before the save
    with pytest.raises(services.StaleAssessment):
        services.save_step(stale, "about", {"reason": "Second"}, expected_version=version, user=colleague)
    assessment.refresh_from_db()
    assert assessment.sections["about"] == {"reason": "First"}
    assert assessment.version == version + 1
    assert AuditEvent.objects.filter(action="update", object_id=str(assessment.pk)).count() == 1


def test_save_step_marks_in_progress_and_continue_completes(assessment, lead):
    services.save_step(
        assessment, "about", {"reason": "x"}, expected_version=assessment.version, user=lead, in_progress=True
    )
    assert in_progress_steps(assessment.sections) == {"about"} and completed_steps(assessment.sections) == set()
    services.save_step(assessment, "about", {"reason": "x"}, expected_version=assessment.version, user=lead)
    assert PROGRESS_KEY not in assessment.sections and completed_steps(assessment.sections) == {"about"}


def test_save_step_refuses_a_submitted_assessment(assessment, lead):
    Assessment.objects.filter(pk=assessment.pk).update(status=Assessment.Status.SUBMITTED)
    with pytest.raises(services.AssessmentLocked):
        services.save_step(assessment, "about", {"reason": "x"}, expected_version=assessment.version, user=lead)


def test_save_step_keeps_the_report_fields_in_step_with_the_answers(assessment, lead):
    services.save_step(
        assessment, "consent", {"consent_to_assessment": "yes"}, expected_version=assessment.version, user=lead
    )
    services.save_step(assessment, "risks", {"domestic_abuse": "yes"}, expected_version=assessment.version, user=lead)
    services.save_step(
        assessment,
        "level-of-need",
        {"indicators": [], "level": 3, "level_reason": "Several agencies involved", "recommended_level": 1},
        expected_version=assessment.version,
        user=lead,
    )
    assessment.refresh_from_db()
    assert assessment.consent_given is True
    assert assessment.domestic_abuse_indicated is True
    assert (assessment.level_of_need, assessment.level_reason) == (3, "Several agencies involved")


def test_step_names_cannot_be_the_reserved_progress_key(assessment, lead):
    with pytest.raises(ValueError):
        services.save_step(assessment, PROGRESS_KEY, {}, expected_version=assessment.version, user=lead)


# --- Submitting ---------------------------------------------------------------------------------
def test_submit_needs_every_required_step_and_a_consent_decision(assessment, lead, alex):
    with pytest.raises(services.AssessmentIncomplete) as excinfo:
        services.submit_assessment(assessment, expected_version=assessment.version, user=lead)
    assert excinfo.value.missing[:3] == ["About this assessment", "Consent", "Family members"]
    assert "Alex Smith: developmental needs" in excinfo.value.missing
    assert "Alex Smith: target date for the assessment" not in excinfo.value.missing  # optional


def test_submit_drops_answers_of_steps_that_no_longer_apply(assessment, lead, alex):
    fill_steps(assessment, lead)
    assessment.refresh_from_db()
    services.save_step(
        assessment, "domestic-abuse", {"q01": "yes"}, expected_version=assessment.version, user=lead
    )  # answered while it applied, then withdrawn
    services.submit_assessment(assessment, expected_version=assessment.version, user=lead)
    assessment.refresh_from_db()
    assert assessment.status == Assessment.Status.SUBMITTED and assessment.submitted_at
    assert "domestic-abuse" not in assessment.sections
    assert registry.child_step_name(registry.DEVELOPMENT, alex) in assessment.sections
    assert AuditEvent.objects.filter(action="update", object_id=str(assessment.pk), detail__submitted=True).exists()


def test_submit_stores_the_local_day_of_submission(assessment, lead, alex):
    # 23:30 UTC on 30 June is 00:30 on 1 July in London: timeliness is judged by the local day,
    # which reports compare with the target in the database.
    fill_steps(assessment, lead)
    assessment.refresh_from_db()
    with time_machine.travel(datetime.datetime(2026, 6, 30, 23, 30, tzinfo=datetime.UTC), tick=False):
        services.submit_assessment(assessment, expected_version=assessment.version, user=lead)
    assert assessment.submitted_on == datetime.date(2026, 7, 1)
    assessment.refresh_from_db()
    assert assessment.submitted_on == datetime.date(2026, 7, 1)
    # A submission time changed through save() moves the day with it.
    assessment.submitted_at = datetime.datetime(2026, 1, 10, 23, 30, tzinfo=datetime.UTC)
    assessment.save(update_fields=["submitted_at"])
    assessment.refresh_from_db()
    assert assessment.submitted_on == datetime.date(2026, 1, 10)


def test_submit_refuses_a_stale_version(assessment, lead, alex):
    fill_steps(assessment, lead)
    assessment.refresh_from_db()
    with pytest.raises(services.StaleAssessment):
        services.submit_assessment(assessment, expected_version=assessment.version - 1, user=lead)


# --- Family members -----------------------------------------------------------------------------
def test_add_update_and_remove_a_person_are_audited(assessment, lead):
    person = services.add_person(
        assessment.family,
        {"kind": "child", "given_name": "Jo", "family_name": "Smith", "date_of_birth": datetime.date(2019, 1, 2)},
        user=lead,
    )
    services.update_person(person, {"given_name": "Joanne"}, user=lead)
    person.refresh_from_db()
    assert person.given_name == "Joanne"
    pk = person.pk
    services.remove_person(person, user=lead)
    assert not Person.objects.filter(pk=pk).exists()
    actions = list(
        AuditEvent.objects.filter(object_type="eh_assessments.person", object_id=str(pk)).values_list(
            "action", flat=True
        )
    )
    assert sorted(actions) == ["create", "delete", "update"]


def test_removing_a_child_drops_their_answers_from_drafts(assessment, lead, alex):
    other = ChildFactory(family=assessment.family, given_name="Bea")
    fill_steps(assessment, lead)
    assessment.refresh_from_db()
    version = assessment.version
    services.remove_person(alex, user=lead)
    assessment.refresh_from_db()
    assert not any(name.startswith(f"child-{alex.uuid}-") for name in assessment.sections)
    assert registry.child_step_name(registry.DEVELOPMENT, other) in assessment.sections
    assert assessment.version == version + 1


def test_a_person_in_a_submitted_assessment_cannot_be_removed(assessment, lead, alex):
    Assessment.objects.filter(pk=assessment.pk).update(status=Assessment.Status.SUBMITTED)
    with pytest.raises(services.AssessmentLocked):
        services.remove_person(alex, user=lead)
    assert Person.objects.filter(pk=alex.pk).exists()
