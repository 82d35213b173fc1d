"""The assessment's step forms and the family member form: every validation rule a practitioner
relies on (GOV.UK messages, nothing typed lost), the conditional branches, and the templates."""

from __future__ import annotations

import datetime
from types import SimpleNamespace

import pytest

from django.http import QueryDict
from django.template.loader import render_to_string
from django.test import RequestFactory, override_settings
from django.utils import timezone

from eh_assessments import dash
from eh_assessments import forms as f
from eh_assessments.models import Assessment, Family, Person, ThresholdDocument, ThresholdIndicator, ThresholdLevel
from portal.encompass.models import School

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


# --- helpers ---------------------------------------------------------------------------------


def years_ago(years: int, days: int = 0) -> datetime.date:
    day = TODAY.replace(year=TODAY.year - years) if not (TODAY.month == 2 and TODAY.day == 29) else TODAY
    return day - datetime.timedelta(days=days)


def date_parts(name: str, day: datetime.date | None = None, *, parts: tuple[str, str, str] | None = None) -> dict:
    if parts is None:
        parts = (str(day.day), str(day.month), str(day.year))
    return {f"{name}_day": parts[0], f"{name}_month": parts[1], f"{name}_year": parts[2]}


def qd(data: dict, prefix: str = "") -> QueryDict:
    q = QueryDict(mutable=True)
    for key, value in data.items():
        name = f"{prefix}-{key}" if prefix and key != "stay_on_step" else key
        if isinstance(value, list):
            q.setlist(name, [str(v) for v in value])
        else:
            q[name] = str(value)
    return q


def bind(form_class, data: dict, *, prefix: str | None = None, **kwargs):
    return form_class(qd(data, prefix or ""), prefix=prefix, **kwargs)


def errors(form) -> list[str]:
    return [str(message) for messages in form.errors.values() for message in messages]


@pytest.fixture
def lead(make_user):
    return make_user("lead_professional")


@pytest.fixture
def family():
    return Family.objects.create(address="1 High Street")


@pytest.fixture
def mum(family):
    return Person.objects.create(
        family=family, kind=Person.ADULT, given_name="Kim", family_name="Rowe", date_of_birth=years_ago(35)
    )


@pytest.fixture
def alex(family):
    return Person.objects.create(
        family=family, kind=Person.CHILD, given_name="Alex", family_name="Rowe", date_of_birth=years_ago(9)
    )


@pytest.fixture
def document():
    doc = ThresholdDocument.objects.create(version=901, title="Test levels", published_at=timezone.now())
    for number, name in [(1, "Universal"), (2, "Additional"), (3, "Multiple"), (4, "Acute")]:
        ThresholdLevel.objects.create(document=doc, number=number, name=name, description=name)
    rows = [
        (2, "development", "poor-attendance", "Attendance below 90%", False),
        (2, "parenting", "inconsistent-boundaries", "Inconsistent boundaries", False),
        (2, "environment", "debt", "Debt or rent arrears", False),
        (3, "safety", "da-historic", "Domestic abuse in the past", True),
        (4, "safety", "serious-harm", "Risk of serious harm", False),
    ]
    for order, (level, area, code, text, da) in enumerate(rows):
        ThresholdIndicator.objects.create(
            document=doc, level=level, area=area, code=code, text=text, domestic_abuse=da, sort_order=order
        )
    return doc


@pytest.fixture
def assessment(family, lead, document, alex, mum):
    return Assessment.objects.create(
        family=family,
        lead_professional=lead,
        threshold_document=document,
        target_date=TODAY + datetime.timedelta(days=63),
    )


# --- Text limits and dates shared by every form ----------------------------------------------


def test_oversized_long_text_is_refused_with_the_limit_in_the_message(assessment):
    form = bind(
        f.AnalysisForm,
        {"working_well": "x" * 5001, "worries": "Worries", "needs_to_happen": "Help"},
        assessment=assessment,
    )
    assert not form.is_valid()
    assert form.errors["working_well"] == ["What is working well must be 5,000 characters or fewer"]


def test_text_at_the_limit_is_accepted(assessment):
    form = bind(
        f.AnalysisForm,
        {"working_well": "x" * 5000, "worries": "Worries", "needs_to_happen": "Help"},
        assessment=assessment,
    )
    assert form.is_valid(), form.errors


def test_every_text_field_of_every_step_form_has_a_maximum_length(assessment, alex):
    forms_ = [
        f.AboutForm(assessment=assessment),
        f.ConsentForm(assessment=assessment),
        f.DevelopmentForm(assessment=assessment, child=alex),
        f.ParentingForm(assessment=assessment),
        f.FamilyEnvironmentForm(assessment=assessment),
        f.ChildVoiceForm(assessment=assessment, child=alex),
        f.ParentVoiceForm(assessment=assessment),
        f.ChronologyForm(assessment=assessment),
        f.RisksForm(assessment=assessment),
        f.DomesticAbuseForm(assessment=assessment),
        f.MaracForm(assessment=assessment),
        f.IdentityForm(assessment=assessment),
        f.AnalysisForm(assessment=assessment),
        f.LevelOfNeedForm(assessment=assessment),
        f.FamilyOutcomesForm(assessment=assessment),
        f.ChildTargetForm(assessment=assessment, child=alex),
        f.PersonForm(family=assessment.family),
    ]
    for form in forms_:
        for name, field in form.fields.items():
            if isinstance(field, f.forms.CharField) and not isinstance(field, f.forms.ChoiceField):
                assert field.max_length, f"{type(form).__name__}.{name} has no maximum length"
                assert "characters or fewer" in field.error_messages["max_length"]


def test_long_text_renders_a_character_count_without_a_maxlength_attribute(assessment):
    html = str(f.AnalysisForm(assessment=assessment)["working_well"].as_field_group())
    assert 'data-module="govuk-character-count"' in html
    assert 'data-maxlength="5000"' in html
    assert "You can enter up to 5000 characters" in html
    assert 'aria-describedby="id_working_well-info"' in html
    assert "maxlength=" not in html.replace("data-maxlength", "")


# --- About ------------------------------------------------------------------------------------


def about_data(**overrides):
    data = {
        "reason": "Alex is often late and upset at school",
        "source_agency": "school",
        "referrer_name": "Sam Patel",
        "referrer_role": "Designated safeguarding lead",
        **date_parts("request_date", TODAY - datetime.timedelta(days=3)),
    }
    data.update(overrides)
    return data


def test_about_valid(assessment):
    form = bind(f.AboutForm, about_data(), assessment=assessment)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["request_date"] == TODAY - datetime.timedelta(days=3)


def test_about_other_source_needs_saying_who(assessment):
    form = bind(f.AboutForm, about_data(source_agency="other"), assessment=assessment)
    assert form.errors["source_other"] == ["Enter who asked for the assessment"]
    form = bind(f.AboutForm, about_data(source_agency="school", source_other="left over"), assessment=assessment)
    assert form.is_valid()
    assert form.cleaned_data["source_other"] == ""


def test_about_request_date_cannot_be_in_the_future(assessment):
    form = bind(
        f.AboutForm, about_data(**date_parts("request_date", TODAY + datetime.timedelta(days=1))), assessment=assessment
    )
    assert form.errors["request_date"] == ["Date of the request must be today or in the past"]


def test_about_is_prefilled_from_the_referral(assessment, alex):
    from eh_assessments.models import Referral

    referral = Referral.objects.create(
        family=assessment.family,
        source_agency="health_visitor",
        referrer_name="Jo Bloggs",
        reason="Worried about sleep",
        received_on=TODAY,
    )
    assessment.referral = referral
    form = f.AboutForm(assessment=assessment)
    assert form.initial["referrer_name"] == "Jo Bloggs"
    assert form.initial["source_agency"] == "health_visitor"


# --- Consent ----------------------------------------------------------------------------------


def consent_yes(mum, **overrides):
    data = {
        "consent_to_assessment": "yes",
        "consent_to_share": "yes",
        "share_with": ["school", "health"],
        "given_by": str(mum.uuid),
        "method": "in_person",
        **date_parts("given_on", TODAY),
    }
    data.update(overrides)
    return data


def test_consent_decision_is_required(assessment):
    form = bind(f.ConsentForm, {}, assessment=assessment)
    assert form.errors["consent_to_assessment"] == ["Select yes if the family consents to the assessment"]


def test_consent_given_valid(assessment, mum):
    form = bind(f.ConsentForm, consent_yes(mum, must_not_see=[str(mum.uuid)]), assessment=assessment)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["share_with"] == ["school", "health"]
    assert form.cleaned_data["no_consent_reason"] == ""


def test_consent_given_needs_who_when_how_and_sharing(assessment):
    form = bind(f.ConsentForm, {"consent_to_assessment": "yes"}, assessment=assessment)
    assert form.errors["consent_to_share"] == [
        "Select yes if they consent to information being shared with other agencies"
    ]
    assert form.errors["given_by"] == ["Select or enter who gave consent"]
    assert form.errors["given_on"] == ["Enter the date consent was given"]
    assert form.errors["method"] == ["Select how consent was given"]


def test_consent_to_share_needs_the_agencies(assessment, mum):
    form = bind(f.ConsentForm, consent_yes(mum, share_with=[]), assessment=assessment)
    assert form.errors["share_with"] == ["Select the agencies information can be shared with"]
    form = bind(f.ConsentForm, consent_yes(mum, consent_to_share="no"), assessment=assessment)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["share_with"] == []


def test_consent_date_cannot_be_in_the_future(assessment, mum):
    data = consent_yes(mum, **date_parts("given_on", TODAY + datetime.timedelta(days=1)))
    form = bind(f.ConsentForm, data, assessment=assessment)
    assert form.errors["given_on"] == ["Date consent was given must be today or in the past"]


def test_consent_other_method_needs_describing(assessment, mum):
    form = bind(f.ConsentForm, consent_yes(mum, method="other"), assessment=assessment)
    assert form.errors["method_other"] == ["Enter how consent was given"]


def test_consent_given_by_someone_not_in_the_family_list(assessment, mum):
    data = consent_yes(mum, given_by="", given_by_name="Aunt Jo")
    form = bind(f.ConsentForm, data, assessment=assessment)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["given_by_name"] == "Aunt Jo"


def test_consent_given_by_must_be_a_family_member(assessment):
    data = {"consent_to_assessment": "yes", "given_by": "not-a-person"}
    form = bind(f.ConsentForm, data, assessment=assessment)
    assert "given_by" in form.errors


def test_consent_refused_needs_the_safeguarding_reason(assessment):
    form = bind(f.ConsentForm, {"consent_to_assessment": "no"}, assessment=assessment)
    assert form.errors == {"no_consent_reason": ["Enter the safeguarding reason for going ahead without consent"]}


def test_consent_refused_clears_the_consent_branch(assessment, mum):
    data = consent_yes(mum, consent_to_assessment="no", no_consent_reason="Risk of harm if parents are told")
    form = bind(f.ConsentForm, data, assessment=assessment)
    assert form.is_valid(), form.errors
    cleaned = form.cleaned_data
    assert cleaned["no_consent_reason"] == "Risk of harm if parents are told"
    assert cleaned["share_with"] == [] and cleaned["given_by"] is None and cleaned["given_on"] is None


def test_consent_refused_ignores_bad_input_in_the_other_branch(assessment):
    data = {
        "consent_to_assessment": "no",
        "no_consent_reason": "Safeguarding",
        **date_parts("given_on", parts=("31", "2", "2024")),
    }
    form = bind(f.ConsentForm, data, assessment=assessment)
    assert form.is_valid(), form.errors


def test_must_not_see_names_for_the_print_view(assessment, mum):
    form = f.ConsentForm(
        assessment=assessment, initial={"must_not_see": [str(mum.uuid)], "must_not_see_others": "Lee Rowe"}
    )
    assert form.must_not_see_names() == ["Kim Rowe", "Lee Rowe"]


# --- Scored areas -----------------------------------------------------------------------------


def development_data(**overrides):
    data = {}
    for key, _ in f.DEVELOPMENT_AREAS:
        data[f"{key}_score"] = "4"
        data[f"{key}_strengths"] = "Doing well"
    data.update(overrides)
    return data


def test_development_names_the_child_in_its_questions_and_errors(assessment, alex):
    form = bind(f.DevelopmentForm, development_data(health_score=""), assessment=assessment, child=alex)
    assert form.errors["health_score"] == ["Select a score for Alex’s health"]
    legends = [node["legend"] for node in form.layout()]
    assert legends[0] == "Alex’s health"
    assert "Alex’s self-care skills" in legends


def test_a_low_score_needs_the_needs_described(assessment, alex):
    form = bind(f.DevelopmentForm, development_data(education_score="2"), assessment=assessment, child=alex)
    assert form.errors["education_needs"] == ["Enter the needs for Alex’s education and learning: you scored it 2"]
    form = bind(
        f.DevelopmentForm,
        development_data(education_score="2", education_needs="Reading support"),
        assessment=assessment,
        child=alex,
    )
    assert form.is_valid(), form.errors
    assert form.cleaned_data["education_score"] == 2


def test_scores_outside_1_to_5_are_refused(assessment, alex):
    form = bind(f.DevelopmentForm, development_data(health_score="6"), assessment=assessment, child=alex)
    assert "health_score" in form.errors


def test_scores_show_their_meaning(assessment):
    form = f.ParentingForm(assessment=assessment)
    score_node = form.layout()[0]["children"][2]
    assert score_node["type"] == "choices"
    labels = [str(o["option"].choice_label) for o in score_node["options"]]
    assert labels[0] == "1 – Significant needs" and labels[-1] == "5 – No needs, thriving"
    assert score_node["options"][0]["hint"] == "Serious concerns: help is needed now."


def test_parenting_and_environment_cover_their_areas(assessment):
    assert {k for k, _ in f.PARENTING_AREAS} == {
        "basic_care",
        "safety",
        "warmth",
        "stimulation",
        "boundaries",
        "stability",
    }
    form = f.FamilyEnvironmentForm(assessment=assessment)
    assert "housing_score" in form.fields and "wider_family_needs" in form.fields
    oversized = {f"{k}_score": "5" for k, _ in f.ENVIRONMENT_AREAS} | {"income_needs": "x" * 5001}
    bound = bind(f.FamilyEnvironmentForm, oversized, assessment=assessment)
    assert bound.errors["income_needs"] == ["Needs for income must be 5,000 characters or fewer"]


def test_scored_summary_rows(assessment, alex):
    form = f.DevelopmentForm(assessment=assessment, child=alex)
    rows = form.summary_rows({"health_score": 2, "health_needs": "Asthma"})
    assert rows[0] == ("Alex’s health", "2 – High needs\nNeeds: Asthma")


def test_a_child_too_old_for_a_child_section_is_refused(assessment, family):
    old = Person.objects.create(
        family=family, kind=Person.CHILD, given_name="Max", family_name="Rowe", date_of_birth=years_ago(20)
    )
    form = bind(f.DevelopmentForm, development_data(), assessment=assessment, child=old)
    assert not form.is_valid()
    assert "a child or young person must be 18 or under" in form.non_field_errors()[0]
    old.send = "ehc_plan"
    form = bind(f.DevelopmentForm, development_data(), assessment=assessment, child=old)
    assert form.is_valid(), form.errors


# --- Voices -----------------------------------------------------------------------------------


def test_child_voice_gathered_needs_what_how_and_who(assessment, alex):
    form = bind(f.ChildVoiceForm, {"gathered": "yes"}, assessment=assessment, child=alex)
    assert form.errors["said"] == ["Enter what Alex said"]
    assert form.errors["how"] == ["Enter how you gathered Alex’s views"]
    assert form.errors["present"] == ["Enter who else was there, or ‘No one’"]
    assert form.fields["gathered"].label == "Have you been able to gather Alex’s views?"


def test_child_voice_not_gathered_needs_why(assessment, alex):
    form = bind(f.ChildVoiceForm, {"gathered": "no", "said": "stale"}, assessment=assessment, child=alex)
    assert form.errors == {"why_not": ["Enter why Alex’s views could not be gathered"]}
    form = bind(
        f.ChildVoiceForm, {"gathered": "no", "why_not": "Too young", "said": "x"}, assessment=assessment, child=alex
    )
    assert form.is_valid()
    assert form.cleaned_data["said"] == ""


def test_child_voice_needs_one_of_the_two(assessment, alex):
    form = bind(f.ChildVoiceForm, {}, assessment=assessment, child=alex)
    assert form.errors["gathered"] == ["Select yes if you have gathered Alex’s views"]


def test_parent_voice(assessment):
    assert bind(f.ParentVoiceForm, {}, assessment=assessment).errors["said"] == [
        "Enter what the parents and carers said"
    ]
    assert bind(f.ParentVoiceForm, {"said": "We need help with sleep"}, assessment=assessment).is_valid()


# --- Chronology -------------------------------------------------------------------------------


def event(i: int, day: datetime.date | None, what: str = "", **extra) -> dict:
    data = {f"event-{i}-what": what}
    if day is not None:
        data |= date_parts(f"event-{i}-date", day)
    for key, value in extra.items():
        data[f"event-{i}-{key}"] = value
    return data


def test_chronology_stores_dated_events_in_date_order(assessment):
    early = TODAY - datetime.timedelta(days=400)
    late = TODAY - datetime.timedelta(days=10)
    data = event(0, late, "Moved house", source="Mum") | event(1, early, "Grandad died") | event(2, None)
    form = bind(f.ChronologyForm, data, prefix="chronology", assessment=assessment)
    assert form.is_valid(), form.errors
    assert form.cleaned_data == {
        "events": [
            {"date": early.isoformat(), "what": "Grandad died", "source": "", "impact": ""},
            {"date": late.isoformat(), "what": "Moved house", "source": "Mum", "impact": ""},
        ]
    }


def test_chronology_event_dates_cannot_be_in_the_future(assessment):
    form = bind(f.ChronologyForm, event(0, TODAY + datetime.timedelta(days=1), "Court"), assessment=assessment)
    assert form.errors["event-0-date"] == ["Date of event 1 must be today or in the past"]


def test_chronology_event_needs_a_real_date_and_what_happened(assessment):
    data = date_parts("event-0-date", parts=("30", "2", "2020")) | {"event-0-what": "Something"}
    form = bind(f.ChronologyForm, data, assessment=assessment)
    assert form.errors["event-0-date"] == ["Date of event 1 must be a real date"]
    form = bind(f.ChronologyForm, event(0, TODAY, ""), assessment=assessment)
    assert form.errors["event-0-what"] == ["Enter what happened in event 1"]
    form = bind(f.ChronologyForm, {"event-0-what": "Something"}, assessment=assessment)
    assert form.errors["event-0-date"] == ["Enter the date of event 1"]


def test_chronology_needs_at_least_one_event_to_continue(assessment):
    form = bind(f.ChronologyForm, event(0, None), assessment=assessment)
    assert form.errors["event-0-date"] == ["Enter at least one significant event, with its date and what happened"]


def test_chronology_add_another_saves_and_stays(assessment):
    form = bind(
        f.ChronologyForm,
        event(0, TODAY, "Started school") | {"stay_on_step": "add_event"},
        prefix="chronology",
        assessment=assessment,
    )
    assert form.stay_on_step
    assert form.is_valid(), form.errors
    # The page shown again: the saved event and one empty row to fill in.
    again = f.ChronologyForm(prefix="chronology", assessment=assessment, initial=form.cleaned_data)
    assert again.rows == 2
    assert again.initial["event-0-what"] == "Started school"
    assert "event-0-remove" in again.fields and "event-1-remove" not in again.fields


def test_chronology_remove_drops_an_event(assessment):
    saved = {"events": [{"date": TODAY.isoformat(), "what": "A", "source": "", "impact": ""}]}
    data = event(0, TODAY, "A", remove="on") | event(1, TODAY, "B")
    form = bind(f.ChronologyForm, data, assessment=assessment, initial=saved)
    assert form.is_valid(), form.errors
    assert [e["what"] for e in form.cleaned_data["events"]] == ["B"]


def test_chronology_summary_rows(assessment):
    form = f.ChronologyForm(assessment=assessment)
    rows = form.summary_rows({"events": [{"date": datetime.date(2025, 3, 4), "what": "Moved", "impact": "Upset"}]})
    assert rows == [("4 March 2025", "Moved\nImpact: Upset")]


# --- Risks ------------------------------------------------------------------------------------


def test_risks_ticked_need_details(assessment, alex):
    key = f"child_{alex.uuid.hex}"
    form = bind(f.RisksForm, {f"{key}_risks": ["neglect"], "domestic_abuse": "no"}, assessment=assessment)
    assert form.errors == {f"{key}_details": ["Enter the details of the risks to Alex"]}


def test_risks_domestic_abuse_ticked_but_answered_no_is_refused(assessment):
    form = bind(
        f.RisksForm,
        {"adult_risks": ["domestic_abuse"], "adult_details": "Shouting", "domestic_abuse": "no"},
        assessment=assessment,
    )
    assert form.errors["domestic_abuse"] == [
        "Select yes if domestic abuse is happening or suspected: you ticked it as a risk"
    ]


def test_risks_question_required(assessment):
    form = bind(f.RisksForm, {}, assessment=assessment)
    assert form.errors["domestic_abuse"] == ["Select yes if domestic abuse is happening or suspected"]


# --- Domestic abuse (DASH) --------------------------------------------------------------------


def dash_data(yes: int, **overrides) -> dict:
    data = {q.field_name: (dash.YES if i < yes else dash.NO) for i, q in enumerate(dash.QUESTIONS)}
    data |= {"professional_judgement": "not_high", "police_callouts": "no"}
    data.update(overrides)
    return data


def test_dash_has_the_24_questions():
    assert [q.number for q in dash.QUESTIONS] == list(range(1, 25))
    assert dash.VISIBLE_HIGH_RISK_THRESHOLD == 14


@pytest.mark.parametrize(
    ("yes", "overrides", "expected"),
    [
        (13, {}, False),
        (14, {}, True),
        (24, {}, True),
        (0, {"professional_judgement": "high", "judgement_reason": "Threats to kill"}, True),
        (0, {"police_callouts": "yes"}, True),
        (13, {"police_callouts": "not_known"}, False),
    ],
)
def test_dash_marac_criteria(assessment, yes, overrides, expected):
    form = bind(f.DomesticAbuseForm, dash_data(yes, **overrides), assessment=assessment)
    assert form.is_valid(), form.errors
    assert bool(form.marac_reasons()) is expected
    assert dash.marac_referral_indicated(form.cleaned_data) is expected


def test_dash_every_question_must_be_answered(assessment):
    data = dash_data(5)
    del data["q07"]
    form = bind(f.DomesticAbuseForm, data, assessment=assessment)
    assert form.errors["q07"] == ["Select yes, no or not known for question 7"]


def test_dash_high_risk_judgement_needs_a_reason(assessment):
    form = bind(f.DomesticAbuseForm, dash_data(2, professional_judgement="high"), assessment=assessment)
    assert form.errors["judgement_reason"] == ["Enter why you judge the risk to be high"]


def test_dash_summary_counts_yes_answers(assessment):
    form = f.DomesticAbuseForm(assessment=assessment)
    assert form.summary_rows(dash_data(14))[0] == ("Yes answers", "14 of 24 (14 or more is visible high risk)")


def test_marac_step_needs_the_action_and_its_detail(assessment):
    form = bind(f.MaracForm, {}, assessment=assessment)
    assert form.errors["action"] == ["Select what you have done about a MARAC referral"]
    form = bind(f.MaracForm, {"action": "not_referring"}, assessment=assessment)
    assert form.errors["not_referring_reason"] == ["Enter why you are not referring to the MARAC"]
    form = bind(f.MaracForm, {"action": "referred"}, assessment=assessment)
    assert form.errors["referred_on"] == ["Enter the date of the referral"]
    form = bind(f.MaracForm, {"action": "referred", **date_parts("referred_on", TODAY)}, assessment=assessment)
    assert form.is_valid(), form.errors


# --- Identity ---------------------------------------------------------------------------------


def test_identity_asks_about_each_child_and_shows_recorded_details(assessment, alex, mum):
    alex.ethnicity = "mixed_white_asian"
    alex.save()
    form = bind(f.IdentityForm, {}, assessment=assessment)
    key = f"child_{alex.uuid.hex}_identity"
    assert form.errors == {key: ["Enter how Alex’s identity affects their needs"]}
    people = {p.full_name: rows for p, rows in form.people_identity()}
    assert ("Ethnicity", "White and Asian") in people["Alex Rowe"]
    assert ("SEND", "Not recorded") in people["Alex Rowe"]
    assert not any(key == "SEND" for key, _ in people["Kim Rowe"])


# --- Level of need ----------------------------------------------------------------------------


def test_level_recommendation_from_ticked_indicators(assessment):
    form = bind(f.LevelOfNeedForm, {"indicators": ["poor-attendance"], "level": "2"}, assessment=assessment)
    assert form.recommendation.level == 2
    assert form.is_valid(), form.errors
    assert form.cleaned_data["recommended_level"] == 2
    assert form.cleaned_data["level_reason"] == ""


def test_level_different_from_recommendation_needs_a_reason(assessment):
    form = bind(f.LevelOfNeedForm, {"indicators": ["poor-attendance"], "level": "3"}, assessment=assessment)
    assert form.errors == {"level_reason": ["Enter why you chose level 3 when the recommended level is 2"]}
    form = bind(
        f.LevelOfNeedForm,
        {"indicators": ["poor-attendance"], "level": "3", "level_reason": "Escalating quickly"},
        assessment=assessment,
    )
    assert form.is_valid(), form.errors


def test_level_is_required_to_continue_but_not_to_see_the_recommendation(assessment):
    form = bind(f.LevelOfNeedForm, {"indicators": ["serious-harm"]}, assessment=assessment)
    assert form.errors == {"level": ["Select the level of need"]}
    form = bind(
        f.LevelOfNeedForm,
        {"indicators": ["serious-harm"], "stay_on_step": "recommend"},
        prefix="level-of-need",
        assessment=assessment,
    )
    assert form.is_valid(), form.errors
    assert form.recommendation.level == 4
    assert not form.is_complete()


def test_level_indicators_grouped_by_area(assessment):
    form = f.LevelOfNeedForm(assessment=assessment, initial={"indicators": ["debt"]})
    groups = dict(form.indicator_groups())
    assert list(groups) == [
        "Child's developmental needs",
        "Parenting capacity",
        "Family and environment",
        "Safety and risk",
    ]
    assert [item["level"] for item in groups["Safety and risk"]] == [3, 4]
    assert form.recommendation.level == 2


def test_level_refuses_unknown_indicators(assessment):
    form = bind(f.LevelOfNeedForm, {"indicators": ["made-up"], "level": "1"}, assessment=assessment)
    assert "indicators" in form.errors


# --- Outcomes and target ----------------------------------------------------------------------


def test_outcomes_need_at_least_one(assessment):
    form = bind(f.FamilyOutcomesForm, {}, assessment=assessment)
    assert form.errors == {"outcome_1": ["Enter at least one outcome the family wants"]}
    form = bind(
        f.FamilyOutcomesForm, {"outcome_1": "Alex goes to school every day", "outcome_3": "  "}, assessment=assessment
    )
    assert form.is_valid()
    assert form.cleaned_data == {"outcomes": ["Alex goes to school every day"]}
    again = f.FamilyOutcomesForm(assessment=assessment, initial=form.cleaned_data)
    assert again.initial["outcome_1"] == "Alex goes to school every day"


def test_child_target_date(assessment, alex):
    form = bind(f.ChildTargetForm, {"own_target": "yes"}, assessment=assessment, child=alex)
    assert form.errors == {
        "target_date": ["Enter the target date"],
        "reason": ["Enter why Alex needs a different target date"],
    }
    data = {"own_target": "yes", "reason": "Court date", **date_parts("target_date", TODAY)}
    form = bind(f.ChildTargetForm, data, assessment=assessment, child=alex)
    assert form.errors == {"target_date": ["Target date must be in the future"]}
    data |= date_parts("target_date", TODAY + datetime.timedelta(days=20))
    assert bind(f.ChildTargetForm, data, assessment=assessment, child=alex).is_valid()
    form = bind(f.ChildTargetForm, {"own_target": "no", "reason": "x"}, assessment=assessment, child=alex)
    assert form.is_valid()
    assert form.cleaned_data["reason"] == "" and form.cleaned_data["target_date"] is None
    assert "45 working days" in form.fields["own_target"].help_text


# --- Family members (PersonForm) ---------------------------------------------------------------


def person_data(**overrides):
    data = {
        "kind": "child",
        "given_name": "Alex",
        "family_name": "Rowe",
        "lives_in_household": "yes",
        **date_parts("date_of_birth", years_ago(9)),
    }
    data.update(overrides)
    return data


def test_person_valid_gives_person_fields(family):
    form = bind(f.PersonForm, person_data(nhs_number="943 476 5919", upn="t801200108001"), family=family)
    assert form.is_valid(), form.errors
    data = form.person_data()
    assert set(data) == set(f.PERSON_FIELDS)
    assert data["nhs_number"] == "9434765919"
    assert data["upn"] == "T801200108001"
    assert data["lives_in_household"] is True and data["interpreter_needed"] is False
    person = Person.objects.create(family=family, **data)
    person.full_clean()


def test_person_date_of_birth_in_the_future(family):
    form = bind(
        f.PersonForm, person_data(**date_parts("date_of_birth", TODAY + datetime.timedelta(days=1))), family=family
    )
    assert form.errors["date_of_birth"] == ["Date of birth must be in the past"]


def test_person_date_of_birth_must_be_real(family):
    form = bind(f.PersonForm, person_data(**date_parts("date_of_birth", parts=("31", "4", "2015"))), family=family)
    assert form.errors["date_of_birth"] == ["Date of birth must be a real date"]
    form = bind(f.PersonForm, person_data(**date_parts("date_of_birth", parts=("3", "", "2015"))), family=family)
    assert form.errors["date_of_birth"] == ["Date of birth must include a month"]
    form = bind(f.PersonForm, person_data(**date_parts("date_of_birth", parts=("3", "4", "15"))), family=family)
    assert form.errors["date_of_birth"] == ["Date of birth: the year must include 4 numbers"]


def test_person_implausible_date_of_birth(family):
    form = bind(f.PersonForm, person_data(kind="adult", **date_parts("date_of_birth", years_ago(121))), family=family)
    assert form.errors["date_of_birth"][0].startswith("Date of birth must be after ")
    assert bind(
        f.PersonForm, person_data(kind="adult", **date_parts("date_of_birth", years_ago(100))), family=family
    ).is_valid()


@pytest.mark.parametrize(
    ("age", "send", "ok"),
    [
        (18, "", True),
        (19, "", False),
        (19, "none", False),
        (19, "ehc_plan", True),
        (25, "sen_support", True),
        (26, "ehc_plan", False),
    ],
)
def test_person_child_age_rule(family, age, send, ok):
    dob = years_ago(age) - datetime.timedelta(days=1)
    form = bind(f.PersonForm, person_data(send=send, **date_parts("date_of_birth", dob)), family=family)
    assert form.is_valid() is ok, form.errors
    if not ok:
        assert "must be 18 or under" in form.errors["date_of_birth"][0]


def test_person_child_needs_a_date_of_birth_or_expected_date(family):
    data = person_data(date_of_birth_day="", date_of_birth_month="", date_of_birth_year="")
    form = bind(f.PersonForm, data, family=family)
    assert form.errors["date_of_birth"] == ["Enter their date of birth, or an expected date of birth if not born yet"]
    data |= date_parts("expected_date_of_birth", TODAY + datetime.timedelta(days=60))
    assert bind(f.PersonForm, data, family=family).is_valid()


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("943 476 5918", "Enter a real NHS number, like 943 476 5919"),
        ("12345", "Enter a 10 digit NHS number, like 943 476 5919"),
        ("94347659190", "Enter a 10 digit NHS number, like 943 476 5919"),
    ],
)
def test_person_nhs_number_validated(family, value, message):
    form = bind(f.PersonForm, person_data(nhs_number=value), family=family)
    assert form.errors["nhs_number"] == [message]


def test_person_upn_validated(family):
    form = bind(f.PersonForm, person_data(upn="A801200108001"), family=family)
    assert form.errors["upn"] == ["Enter a real UPN: the first letter does not match the number"]
    form = bind(f.PersonForm, person_data(upn="T8012"), family=family)
    assert form.errors["upn"] == ["Enter a 13 character UPN, like T801200108001"]


def test_person_school_from_the_register_by_urn(family):
    school = School.objects.create(urn=100123, name="Hill Primary")
    form = bind(f.PersonForm, person_data(school_urn="100123", school_name="ignored"), family=family)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["school"] == school and form.cleaned_data["school_name"] == ""
    form = bind(f.PersonForm, person_data(school_urn="999999"), family=family)
    assert form.errors["school_urn"] == [
        "No school in our list has the URN 999999: check it, or enter the school’s name"
    ]
    form = bind(f.PersonForm, person_data(school_urn="999999", school_name="Out of Area School"), family=family)
    assert form.is_valid()
    assert form.cleaned_data["school"] is None
    assert form.cleaned_data["school_name"] == "Out of Area School (URN 999999)"
    form = bind(f.PersonForm, person_data(school_urn="12ab"), family=family)
    assert form.errors["school_urn"] == ["Enter a URN of 6 or 7 digits, like 100000"]


def test_person_school_name_without_a_register(family):
    form = bind(f.PersonForm, person_data(school_name="St Mary's"), family=family)
    assert form.is_valid()
    assert form.cleaned_data["school_name"] == "St Mary's"


def test_person_oversized_name_refused(family):
    form = bind(f.PersonForm, person_data(given_name="A" * 101), family=family)
    assert form.errors["given_name"] == ["First name must be 100 characters or fewer"]


def test_person_change_shows_the_saved_answers(family):
    school = School.objects.create(urn=100124, name="Vale School")
    person = Person.objects.create(
        family=family,
        kind=Person.CHILD,
        given_name="Alex",
        family_name="Rowe",
        date_of_birth=years_ago(9),
        interpreter_needed=True,
        lives_in_household=False,
        school=school,
    )
    # As the family member pages pass it: model values and the school's primary key.
    initial = {"interpreter_needed": True, "lives_in_household": False, "school": school.pk, "given_name": "Alex"}
    form = f.PersonForm(family=family, instance=person, initial=initial)
    assert form.initial["interpreter_needed"] == "yes"
    assert form.initial["lives_in_household"] == "no"
    assert form.initial["school_urn"] == "100124"
    html = str(form)
    assert 'value="100124"' in html
    form = f.PersonForm(family=family, instance=person)
    assert form.initial["given_name"] == "Alex" and form.initial["school_urn"] == "100124"


def test_person_kept_input_on_error(family):
    form = bind(
        f.PersonForm,
        person_data(given_name="", **date_parts("date_of_birth", parts=("31", "2", "2015"))),
        family=family,
    )
    html = str(form)
    assert 'value="31"' in html and 'value="2015"' in html
    assert "Enter their first name" in html


# --- Templates --------------------------------------------------------------------------------

STEP_TEMPLATES = [
    ("about", f.AboutForm, False),
    ("consent", f.ConsentForm, False),
    ("target", f.ChildTargetForm, True),
    ("development", f.DevelopmentForm, True),
    ("voice", f.ChildVoiceForm, True),
    ("parenting", f.ParentingForm, False),
    ("environment", f.FamilyEnvironmentForm, False),
    ("parent-voice", f.ParentVoiceForm, False),
    ("chronology", f.ChronologyForm, False),
    ("risks", f.RisksForm, False),
    ("domestic-abuse", f.DomesticAbuseForm, False),
    ("marac", f.MaracForm, False),
    ("identity", f.IdentityForm, False),
    ("analysis", f.AnalysisForm, False),
    ("level-of-need", f.LevelOfNeedForm, False),
    ("outcomes", f.FamilyOutcomesForm, False),
]


def render_step(kind, form, assessment, child=None):
    request = RequestFactory().get("/")
    from django.contrib.auth.models import AnonymousUser

    request.user = AnonymousUser()
    context = {
        "form": form,
        "assessment": assessment,
        "child": child,
        "step": SimpleNamespace(heading="Step", title="Step", name=kind),
        "wizard": {"management_form": ""},
        "back_url": "/back/",
        "assessment_version": assessment.version,
    }
    return render_to_string(f"eh_assessments/steps/{kind}.html", context, request=request)


@pytest.mark.parametrize(("kind", "form_class", "per_child"), STEP_TEMPLATES)
def test_every_step_template_renders_its_fields_and_errors(assessment, alex, kind, form_class, per_child):
    child = alex if per_child else None
    blank = form_class(assessment=assessment, child=child, prefix=kind)
    html = render_step(kind, blank, assessment, child)
    assert html.count("<h1") == 1
    for name in blank.fields:
        assert f'name="{blank.add_prefix(name)}' in html, f"{name} is not on the {kind} page"
    assert "maxlength=" not in html.replace("data-maxlength", "")
    bound = form_class(qd({}, kind), assessment=assessment, child=child, prefix=kind)
    bound.is_valid()
    html = render_step(kind, bound, assessment, child)
    if bound.errors:
        assert "govuk-error-summary" in html
        first = errors(bound)[0]
        assert first.replace("'", "&#x27;") in html


def test_consent_page_reveals_the_no_consent_reason_under_no(assessment):
    html = render_step("consent", f.ConsentForm(assessment=assessment, prefix="consent"), assessment)
    assert 'data-aria-controls="conditional-id_consent-consent_to_assessment_1"' in html
    conditional = html.split('id="conditional-id_consent-consent_to_assessment_1"')[1]
    assert 'name="consent-no_consent_reason"' in conditional.split("</fieldset>")[0]
    # Not revealed yet: hidden only where GOV.UK Frontend's JavaScript runs (CSS needs it).
    assert "govuk-radios__conditional govuk-radios__conditional--hidden" in html


def test_revealed_answer_stays_open_on_re_render(assessment):
    form = f.ConsentForm(qd({"consent_to_assessment": "no"}, "consent"), assessment=assessment, prefix="consent")
    form.is_valid()
    html = render_step("consent", form, assessment)
    before = html.split('id="conditional-id_consent-consent_to_assessment_1"')[0]
    assert before.rstrip().endswith('class="govuk-radios__conditional"')


@override_settings(MARAC_CONTACT="Call the MARAC coordinator on 01234 567890")
def test_marac_guidance_page_names_the_criteria_and_the_contact(assessment):
    assessment.sections = {"risks": {"domestic_abuse": "yes"}, "domestic-abuse": dash_data(14)}
    html = render_step("marac", f.MaracForm(assessment=assessment, prefix="marac"), assessment)
    assert "You should refer this family to the MARAC." in html
    assert "14 questions were answered yes" in html
    assert "Call the MARAC coordinator on 01234 567890" in html
    assert "Operation Encompass" in html and "independent domestic violence adviser" in html


def test_marac_contact_has_a_default(assessment):
    assert f.marac_contact() == f.DEFAULT_MARAC_CONTACT


@pytest.mark.parametrize(("yes", "shown"), [(13, False), (14, True)])
def test_domestic_abuse_page_points_to_the_guidance_when_saved_answers_meet_it(assessment, yes, shown):
    form = f.DomesticAbuseForm(assessment=assessment, prefix="domestic-abuse", initial=dash_data(yes))
    html = render_step("domestic-abuse", form, assessment)
    assert ("meet the criteria for a MARAC referral" in html) is shown
    assert "Operation Encompass" in html


def test_level_of_need_page_shows_the_recommendation(assessment):
    form = f.LevelOfNeedForm(assessment=assessment, prefix="level-of-need", initial={"indicators": ["serious-harm"]})
    html = render_step("level-of-need", form, assessment)
    assert "Level 4 is recommended for the indicators ticked." in html
    assert "Level 4: Risk of serious harm" in html
    assert 'name="stay_on_step" value="recommend"' in html


def test_chronology_page_has_add_another(assessment):
    initial = {"events": [{"date": TODAY.isoformat(), "what": "Moved", "source": "", "impact": ""}]}
    form = f.ChronologyForm(assessment=assessment, prefix="chronology", initial=initial)
    html = render_step("chronology", form, assessment)
    assert 'name="stay_on_step" value="add_event"' in html
    assert "Event 2" in html and "Remove event 1" in html
    assert f'value="{TODAY.year}"' in html


def test_questions_required_in_their_branch_are_not_labelled_optional(assessment, alex):
    form = f.ConsentForm(assessment=assessment)
    assert form["no_consent_reason"].govuk_label == "What is the safeguarding reason for going ahead without consent?"
    assert form["consent_to_share"].govuk_label.endswith("agencies?")
    assert form["copy_to_others"].govuk_label.endswith("(optional)")
    voice = f.ChildVoiceForm(assessment=assessment, child=alex)
    assert voice["why_not"].govuk_label == "Why could Alex’s views not be gathered?"
    # ...and no HTML required attribute that would block a hidden branch.
    assert " required" not in str(form)


def test_consent_before_any_family_member_is_added(lead, document):
    empty = Assessment.objects.create(
        family=Family.objects.create(), lead_professional=lead, threshold_document=document
    )
    form = bind(f.ConsentForm, {"consent_to_assessment": "yes", "consent_to_share": "no"}, assessment=empty)
    assert "given_by" not in form.fields and "must_not_see" not in form.fields
    assert form.errors["given_by_name"] == ["Enter who gave consent"]
    data = {
        "consent_to_assessment": "yes",
        "consent_to_share": "no",
        "given_by_name": "Kim Rowe",
        "method": "phone",
        "must_not_see_others": "Lee Rowe",
        **date_parts("given_on", TODAY),
    }
    form = bind(f.ConsentForm, data, assessment=empty)
    assert form.is_valid(), form.errors
    refused = bind(f.ConsentForm, {"consent_to_assessment": "no", "no_consent_reason": "Risk"}, assessment=empty)
    assert refused.is_valid(), refused.errors


def test_showing_the_recommendation_still_needs_a_reason_for_a_different_level(assessment):
    data = {"indicators": ["serious-harm"], "level": "2", "stay_on_step": "recommend"}
    form = bind(f.LevelOfNeedForm, data, prefix="level-of-need", assessment=assessment)
    assert form.errors == {"level_reason": ["Enter why you chose level 2 when the recommended level is 4"]}


def test_person_main_carer_and_relationship(family, mum):
    form = bind(f.PersonForm, person_data(main_carer=str(mum.uuid)), family=family)
    assert form.errors == {"relationship": ["Select what Kim Rowe is to them"]}
    form = bind(f.PersonForm, person_data(main_carer=str(mum.uuid), relationship="parent"), family=family)
    assert form.is_valid(), form.errors
    assert form.relationship_data() == {"person": mum, "kind": "parent"}
    form = bind(f.PersonForm, person_data(relationship="parent"), family=family)
    assert form.is_valid()
    assert form.relationship_data() is None and form.cleaned_data["relationship"] == ""
    other_family = Person.objects.create(
        family=Family.objects.create(), kind=Person.ADULT, given_name="Not", family_name="Ours"
    )
    form = bind(f.PersonForm, person_data(main_carer=str(other_family.uuid), relationship="parent"), family=family)
    assert "main_carer" in form.errors


def test_person_change_shows_the_saved_main_carer(family, mum, alex):
    from eh_assessments.models import Relationship

    Relationship.objects.create(family=family, person=mum, relative=alex, kind="grandparent")
    form = f.PersonForm(family=family, instance=alex)
    assert form.initial["main_carer"] == str(mum.uuid) and form.initial["relationship"] == "grandparent"
    assert str(alex.uuid) not in dict(form.fields["main_carer"].choices)
