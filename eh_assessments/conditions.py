"""When assessment steps apply, and facts the services act on: functions ``(assessment) -> bool``
reading the stored answers (``Assessment.sections``, keyed by the step names in
``eh_assessments.steps``).

- ``consent_refused``: the family did not consent; the assessment goes ahead for a
  safeguarding reason and the services alert the practitioner's manager.
- ``domestic_abuse_indicated``: opens the domestic abuse (DASH) step.
- ``marac_referral_indicated``: opens the MARAC referral guidance after it.
"""

from __future__ import annotations

from . import dash

# Step names (the keys of Assessment.sections), as eh_assessments.steps names them. Kept here
# as well so this module never imports steps (which imports it).
CONSENT = "consent"
RISKS = "risks"
DOMESTIC_ABUSE = "domestic-abuse"
LEVEL_OF_NEED = "level-of-need"

_KEYS = {
    "consent": CONSENT,
    "risks": RISKS,
    "domestic_abuse": DOMESTIC_ABUSE,
    "level_of_need": LEVEL_OF_NEED,
}


def section(assessment, name: str) -> dict:
    """The stored answers of step ``name`` (a step name, or one of the keys of ``_KEYS``), or {}."""
    sections = getattr(assessment, "sections", None) or {}
    value = sections.get(_KEYS.get(name, name))
    return value if isinstance(value, dict) else {}


def always(assessment) -> bool:
    return True


def consent_refused(assessment) -> bool:
    """True when the family did not consent to the assessment (and it goes ahead for the
    safeguarding reason recorded with it)."""
    return section(assessment, CONSENT).get("consent_to_assessment") == "no"


def consent_decided(assessment) -> bool:
    """True when a consent decision (yes, or no with a safeguarding reason) is recorded."""
    return section(assessment, CONSENT).get("consent_to_assessment") in {"yes", "no"}


def domestic_abuse_indicated(assessment) -> bool:
    """True when domestic abuse is happening or suspected: the risks step says so, domestic abuse
    is ticked as a risk to anyone, or a ticked threshold indicator (the level of need step) is
    one the assessment's threshold document marks as a domestic abuse indicator."""
    risks = section(assessment, RISKS)
    if risks.get("domestic_abuse") == "yes":
        return True
    for key, value in risks.items():
        if key.endswith("_risks") and isinstance(value, list) and "domestic_abuse" in value:
            return True
    ticked = ticked_indicators(assessment)
    if ticked:
        from . import thresholds

        document = getattr(assessment, "threshold_document", None)
        if set(ticked) & thresholds.domestic_abuse_codes(document):
            return True
    return False


def ticked_indicators(assessment) -> set[str]:
    """Threshold indicator codes ticked in any step (a field named ``indicators`` or ending in
    ``_indicators``; today only the level of need step has one)."""
    codes: set[str] = set()
    for name, values in (getattr(assessment, "sections", None) or {}).items():
        if name.startswith("_") or not isinstance(values, dict):
            continue
        for key, value in values.items():
            if (key == "indicators" or key.endswith("_indicators")) and isinstance(value, list):
                codes.update(str(code) for code in value)
    return codes


def marac_referral_indicated(assessment) -> bool:
    """True when the domestic abuse step applies and its answers meet a MARAC referral
    criterion (14 or more yes answers, professional judgement of high risk, or 3 or more police
    call-outs in 12 months: see eh_assessments.dash)."""
    if not domestic_abuse_indicated(assessment):
        return False
    return dash.marac_referral_indicated(section(assessment, DOMESTIC_ABUSE))
