"""The early help demo (issue 6 point 7): families with assessments in every state, written
through the step forms, and still accepted by them: every stored section is bound to its form
again here, so the demo cannot drift from the forms."""

from __future__ import annotations

import pytest

from django import forms

from eh_assessments import conditions, dash, demo, selectors, steps
from eh_assessments.forms import PersonForm
from eh_assessments.models import Assessment, ChildTarget, Family, Person, Relationship
from eh_assessments.storage import PROGRESS_KEY, from_json, in_progress_steps, to_json
from portal.accounts import demo as accounts_demo
from portal.accounts.models import User
from portal.encompass import demo as encompass_demo

pytestmark = pytest.mark.django_db


@pytest.fixture
def loaded(django_capture_on_commit_callbacks, mailoutbox):
    accounts_demo.load()
    encompass_demo.load()
    with django_capture_on_commit_callbacks(execute=True):
        summary = demo.load()
    return summary


def demo_assessments():
    return Assessment.objects.filter(family__email__endswith=f"@{demo.DEMO_EMAIL_DOMAIN}").select_related(
        "family", "lead_professional", "threshold_document"
    )


def by_family(name: str) -> Assessment:
    return demo_assessments().get(family__email=f"{name.lower()}@{demo.DEMO_EMAIL_DOMAIN}")


def as_post_data(form: forms.Form) -> dict:
    """What a browser would post for an unbound form showing its initial values."""
    data: dict = {}
    for name, field in form.fields.items():
        bound = form[name]
        value = bound.initial
        if value is None or value == "" or value == []:
            continue
        widget = field.widget
        if isinstance(widget, forms.MultiWidget):
            for suffix, part in zip(widget.widgets_names, widget.decompress(value), strict=True):
                data[bound.html_name + suffix] = "" if part is None else str(part)
        elif isinstance(value, bool):
            if isinstance(field, forms.BooleanField):
                if value:
                    data[bound.html_name] = "on"
            else:
                data[bound.html_name] = "yes" if value else "no"
        elif isinstance(value, list | tuple):
            data[bound.html_name] = [str(v) for v in value]
        else:
            data[bound.html_name] = str(value)
    return data


def check_every_state_is_there(loaded):
    assert "8 early help families" in loaded
    assessments = list(demo_assessments())
    assert len(assessments) == 8
    statuses = [a.status for a in assessments]
    assert statuses.count(Assessment.Status.DRAFT) == 5
    assert statuses.count(Assessment.Status.SUBMITTED) == 2
    assert statuses.count(Assessment.Status.DECIDED) == 1


def check_drafts_are_at_different_points(loaded):
    started = by_family("Walker")
    assert set(started.sections) == {steps.ABOUT}

    half = by_family("Hussain")
    assert steps.PARENTING in in_progress_steps(half.sections)
    registry = steps.applicable_steps(half, steps.steps_for(half))
    missing = steps.missing_steps(registry, half.sections)
    assert 5 < len(missing) < len(registry) - 3

    nearly = by_family("Nowak")
    registry = steps.applicable_steps(nearly, steps.steps_for(nearly))
    assert [s.name for s in steps.missing_steps(registry, nearly.sections)] == [steps.LEVEL_OF_NEED]
    target = ChildTarget.objects.get(assessment=nearly)
    assert target.child.given_name == "Oliwia" and target.reason


def check_domestic_abuse_at_the_marac_threshold(loaded):
    assessment = by_family("Taylor")
    assert assessment.status == Assessment.Status.SUBMITTED
    assert assessment.domestic_abuse_indicated
    answers = assessment.sections[steps.DOMESTIC_ABUSE]
    assert dash.yes_count(answers) >= dash.VISIBLE_HIGH_RISK_THRESHOLD
    assert conditions.marac_referral_indicated(assessment)
    assert assessment.sections[steps.MARAC]["action"] == "referred"
    assert assessment.recommended_level == 4 and assessment.level_of_need == 4
    dean = Person.objects.get(family=assessment.family, given_name="Dean")
    assert assessment.sections[steps.CONSENT]["must_not_see"] == [str(dean.uuid)]


def check_consent_refused_with_a_safeguarding_reason_alerts_the_manager(loaded, mailoutbox):
    assessment = by_family("Brown")
    assert assessment.is_draft
    assert assessment.consent_given is False
    assert "exploitation" in assessment.sections[steps.CONSENT]["no_consent_reason"]
    assert any("without consent" in message.subject for message in mailoutbox)


def check_key_adult_started_one_for_a_pupil_of_their_school(loaded):
    key_adult = User.objects.get(email=demo.KEY_ADULT)
    assessment = by_family("Robinson")
    assert assessment.lead_professional == key_adult
    assert assessment.started_by_school.urn == demo.KEY_ADULT_SCHOOL_URN
    assert key_adult in assessment.started_by_school.key_adults.all()
    grace = Person.objects.get(family=assessment.family, given_name="Grace")
    assert grace.school_id == assessment.started_by_school_id
    assert list(selectors.assessments_for(key_adult)) == [assessment]


def check_demo_accounts_see_what_their_roles_allow(loaded):
    lead = User.objects.get(email=demo.LEAD)
    manager = User.objects.get(email=demo.MANAGER)
    commissioner = User.objects.get(email="commissioner@example.org")
    assert selectors.assessments_for(lead).count() == 7
    assert selectors.assessments_for(manager).count() == 7  # the team's (the key adult is in none)
    assert not selectors.assessments_for(commissioner).exists()


def check_families_have_relationships_professionals_and_referrals(loaded):
    families = Family.objects.filter(email__endswith=f"@{demo.DEMO_EMAIL_DOMAIN}")
    assert families.count() == 8
    for family in families:
        assert family.people.filter(kind=Person.CHILD).exists(), family
        assert family.people.filter(kind=Person.ADULT).exists(), family
        assert Relationship.objects.filter(family=family, kind="parent", parental_responsibility=True).exists()
    assert families.filter(referrals__isnull=False).distinct().count() == 7
    assert families.filter(professionals__isnull=False).distinct().count() == 7
    assert by_family("Nowak").family.people.get(given_name="Marta").interpreter_needed
    assert max(f.people.filter(kind=Person.CHILD).count() for f in families) == 3


def test_every_stored_answer_and_person_is_accepted_by_its_form(loaded):
    check_every_stored_section_is_accepted_by_its_form()
    check_every_person_is_accepted_by_the_person_form()


def check_every_stored_section_is_accepted_by_its_form():
    checked = 0
    for assessment in demo_assessments():
        registry = {step.name: step for step in steps.steps_for(assessment)}
        for name, stored in assessment.sections.items():
            if name == PROGRESS_KEY:
                continue
            step = registry[name]
            kwargs = {"assessment": assessment, "child": step.child}
            shown = step.form_class(initial=from_json(stored, step.form_class.base_fields), **kwargs)
            form = step.form_class(data=as_post_data(shown), **kwargs)
            assert form.is_valid(), (assessment.family.email, name, form.errors)
            assert to_json(form.cleaned_data) == stored, (assessment.family.email, name)
            checked += 1
    assert checked > 60


def check_every_person_is_accepted_by_the_person_form():
    for person in Person.objects.filter(family__email__endswith=f"@{demo.DEMO_EMAIL_DOMAIN}"):
        initial = {
            name: getattr(person, name)
            for name in ("kind", "given_name", "family_name", "date_of_birth", "gender", "ethnicity", "send")
        }
        initial["interpreter_needed"] = person.interpreter_needed
        initial["lives_in_household"] = person.lives_in_household
        initial["school_urn"] = str(person.school.urn) if person.school_id else ""
        form = PersonForm(data=as_post_data(PersonForm(initial=initial)))
        assert form.is_valid(), (person.given_name, form.errors)


def test_the_demo_covers_every_state_and_scenario(loaded, mailoutbox):
    """One load, every scenario (loading the demo takes seconds, so the checks share it)."""
    check_every_state_is_there(loaded)
    check_drafts_are_at_different_points(loaded)
    check_domestic_abuse_at_the_marac_threshold(loaded)
    check_consent_refused_with_a_safeguarding_reason_alerts_the_manager(loaded, mailoutbox)
    check_key_adult_started_one_for_a_pupil_of_their_school(loaded)
    check_demo_accounts_see_what_their_roles_allow(loaded)
    check_families_have_relationships_professionals_and_referrals(loaded)


def test_loading_twice_gives_the_same_demo(loaded, django_capture_on_commit_callbacks):
    first = sorted(demo_assessments().values_list("family__email", "status"))
    people = Person.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        again = demo.load()
    assert again == loaded
    assert sorted(demo_assessments().values_list("family__email", "status")) == first
    assert Person.objects.count() == people


def test_refused_without_demo_mode(settings):
    settings.DEMO_MODE = False
    with pytest.raises(Exception, match="DEMO_MODE"):
        demo.load()
