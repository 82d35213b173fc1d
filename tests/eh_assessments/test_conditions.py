"""When the conditional steps apply, read from the stored answers (``Assessment.sections``)."""

from __future__ import annotations

import pytest

from django.utils import timezone

from eh_assessments import conditions, dash
from eh_assessments.models import Assessment, ThresholdDocument, ThresholdIndicator


def answers(yes: int, **overrides) -> dict:
    data = {name: (dash.YES if i < yes else dash.NO) for i, name in enumerate(dash.FIELD_NAMES)}
    data |= {"professional_judgement": "not_high", "police_callouts": dash.NO}
    data.update(overrides)
    return data


def unsaved(sections: dict, document=None) -> Assessment:
    return Assessment(sections=sections, threshold_document=document)


# --- Consent ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("consent", "refused", "decided"),
    [
        (None, False, False),
        ({"consent_to_assessment": "yes"}, False, True),
        ({"consent_to_assessment": "no", "no_consent_reason": "Safeguarding"}, True, True),
        ({"consent_to_assessment": ""}, False, False),
    ],
)
def test_consent_refused_and_decided(consent, refused, decided):
    sections = {} if consent is None else {"consent": consent}
    assert conditions.consent_refused(unsaved(sections)) is refused
    assert conditions.consent_decided(unsaved(sections)) is decided


def test_conditions_tolerate_missing_or_odd_sections():
    assert conditions.consent_refused(Assessment(sections={})) is False
    assert conditions.consent_refused(Assessment(sections={"consent": "no"})) is False
    assert conditions.domestic_abuse_indicated(Assessment(sections={"risks": None})) is False
    assert conditions.always(Assessment()) is True


# --- Domestic abuse ---------------------------------------------------------------------------


def test_domestic_abuse_indicated_by_the_risks_question():
    assert conditions.domestic_abuse_indicated(unsaved({"risks": {"domestic_abuse": "yes"}}))
    assert not conditions.domestic_abuse_indicated(unsaved({"risks": {"domestic_abuse": "no"}}))
    assert not conditions.domestic_abuse_indicated(unsaved({}))


def test_domestic_abuse_indicated_when_ticked_as_a_risk_to_anyone():
    risks = {"domestic_abuse": "no", "child_abc_risks": ["neglect", "domestic_abuse"]}
    assert conditions.domestic_abuse_indicated(unsaved({"risks": risks}))
    risks = {"domestic_abuse": "no", "adult_risks": ["mental_health"]}
    assert not conditions.domestic_abuse_indicated(unsaved({"risks": risks}))


@pytest.mark.django_db
def test_domestic_abuse_indicated_by_a_domestic_abuse_threshold_indicator():
    document = ThresholdDocument.objects.create(version=902, published_at=timezone.now())
    ThresholdIndicator.objects.create(
        document=document, level=3, area="safety", code="da-current", text="Domestic abuse", domestic_abuse=True
    )
    ThresholdIndicator.objects.create(document=document, level=2, area="environment", code="debt", text="Debt")
    ticked_da = {"risks": {"domestic_abuse": "no"}, "level-of-need": {"indicators": ["debt", "da-current"]}}
    ticked_other = {"risks": {"domestic_abuse": "no"}, "level-of-need": {"indicators": ["debt"]}}
    assert conditions.domestic_abuse_indicated(unsaved(ticked_da, document))
    assert not conditions.domestic_abuse_indicated(unsaved(ticked_other, document))
    # Without the document the codes mean nothing.
    assert not conditions.domestic_abuse_indicated(unsaved(ticked_da))


# --- MARAC referral (the DASH thresholds) -------------------------------------------------------


@pytest.mark.parametrize(
    ("da_answers", "expected"),
    [
        pytest.param(answers(13), False, id="13-yes-below-the-line"),
        pytest.param(answers(14), True, id="14-yes-visible-high-risk"),
        pytest.param(answers(13, q24=dash.NOT_KNOWN), False, id="not-known-is-not-yes"),
        pytest.param(answers(0, professional_judgement="high"), True, id="professional-judgement"),
        pytest.param(answers(3, police_callouts=dash.YES), True, id="escalation-3-call-outs"),
        pytest.param(answers(3, police_callouts=dash.NOT_KNOWN), False, id="call-outs-not-known"),
        pytest.param({}, False, id="not-answered"),
    ],
)
def test_marac_referral_indicated(da_answers, expected):
    sections = {"risks": {"domestic_abuse": "yes"}, "domestic-abuse": da_answers}
    assert conditions.marac_referral_indicated(unsaved(sections)) is expected


def test_marac_step_goes_when_domestic_abuse_is_no_longer_indicated():
    sections = {"risks": {"domestic_abuse": "no"}, "domestic-abuse": answers(20)}
    assert conditions.marac_referral_indicated(unsaved(sections)) is False


def test_marac_reasons_name_each_criterion_met():
    reasons = dash.marac_reasons(answers(15, professional_judgement="high", police_callouts=dash.YES))
    assert reasons == [
        "15 questions were answered yes: 14 or more is visible high risk.",
        "Your professional judgement is that the risk is high.",
        "The police have been called out 3 or more times in the past 12 months (potential escalation).",
    ]
    assert dash.yes_count(answers(13)) == 13


def test_the_checklist_is_the_24_safelives_questions_in_order():
    assert len(dash.QUESTIONS) == 24
    assert dash.FIELD_NAMES[0] == "q01" and dash.FIELD_NAMES[-1] == "q24"
    assert len({q.text for q in dash.QUESTIONS}) == 24
    assert "strangle" in dash.QUESTIONS[14].text
