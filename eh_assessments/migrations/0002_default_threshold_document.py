"""Seed version 1 of the local threshold document: a sensible default modelled on the "levels
of need" (continuum of need) documents English local authorities publish, so a new install can
assess from day one. It is product data, not policy: a council replaces it by copying it into a
new version in the admin (Early help → Threshold document), editing the levels and indicators
to match its own published document, and publishing that version.

Indicator codes are stable slugs: keep a code when an indicator is reworded, so figures can
compare like with like across versions. Indicators marked ``domestic_abuse`` open the domestic
abuse (DASH) questions in the assessment.

Nothing is written when a version 1 already exists. Reversing deletes version 1 only while no
assessment uses it (an assessment keeps the document it was assessed against).
"""

from django.db import migrations
from django.utils import timezone

TITLE = "Levels of need"
SUMMARY = (
    "Default levels of need supplied with the portal. Replace it with your local threshold "
    "document: create a new version from this one, edit it and publish it."
)

LEVELS = [
    (
        1,
        "Universal",
        "Children and young people whose needs are met by universal services: they are healthy, "
        "safe, learning and developing well, with parents and carers who meet their needs.",
        "Universal services (schools, early years settings, GPs, health visitors, family hubs) "
        "meet the child's needs. No referral is needed: use the service directory for advice "
        "and signposting.",
    ),
    (
        2,
        "Additional needs",
        "Children and young people with additional needs that one agency, or a universal "
        "service with some targeted support, can meet. Without support the needs may grow.",
        "With the family's consent, the professional who knows the family best completes an "
        "early help assessment and leads a single agency plan, reviewed at least every 12 "
        "weeks. Ask the early help hub for advice if unsure.",
    ),
    (
        3,
        "Multiple or complex needs",
        "Children and young people with multiple or complex needs that need a co-ordinated "
        "response from more than one agency, or whose needs have not been met by single "
        "agency support.",
        "An early help assessment with a named lead professional and a team around the family; "
        "a family plan reviewed at least every 6 to 8 weeks. If needs escalate or harm is "
        "suspected, step up to children's social care.",
    ),
    (
        4,
        "Acute or statutory",
        "Children and young people who are suffering, or likely to suffer, significant harm, or "
        "whose needs are so complex that they need a statutory assessment by children's social "
        "care (section 17 child in need or section 47 child protection).",
        "Contact the front door (children's social care) straight away and follow up in writing "
        "within 48 hours. If a child is in immediate danger, call 999. Do not wait to complete "
        "an early help assessment.",
    ),
]

# (level, area, code, text, domestic_abuse)
INDICATORS = [
    # Level 1: universal
    (
        1,
        "development",
        "l1-healthy-development",
        "Healthy and meeting developmental milestones; immunisations up to date",
        False,
    ),
    (
        1,
        "development",
        "l1-learning-well",
        "Attends school or early years regularly and makes expected progress",
        False,
    ),
    (1, "development", "l1-emotionally-well", "Emotionally well: makes and keeps friendships", False),
    (1, "parenting", "l1-basic-care", "Parents and carers provide basic care, warmth and consistent boundaries", False),
    (
        1,
        "parenting",
        "l1-guidance",
        "Parents and carers guide the child and keep them safe from everyday hazards",
        False,
    ),
    (1, "environment", "l1-stable-housing", "Stable, adequate housing", False),
    (1, "environment", "l1-income-meets-needs", "Family income meets the family's needs", False),
    (1, "environment", "l1-community", "Family is part of its community and uses local services", False),
    (1, "safety", "l1-safe", "Child is safe and protected; no concerns about harm", False),
    (1, "safety", "l1-online-safety", "Child understands how to stay safe, including online", False),
    # Level 2: additional needs
    (2, "development", "l2-attendance-below-90", "Persistent absence: school attendance below 90%", False),
    (
        2,
        "development",
        "l2-developmental-delay",
        "Some developmental delay, or speech, language and communication needs",
        False,
    ),
    (
        2,
        "development",
        "l2-low-mood-behaviour",
        "Low-level anxiety, low mood or behaviour that affects learning or friendships",
        False,
    ),
    (2, "development", "l2-missed-health-care", "Missed health appointments, dental care or immunisations", False),
    (
        2,
        "parenting",
        "l2-parenting-support",
        "Parents and carers need advice with routines, boundaries or behaviour",
        False,
    ),
    (
        2,
        "parenting",
        "l2-parent-health",
        "A parent's physical or mental health sometimes affects their care of the child",
        False,
    ),
    (2, "environment", "l2-poor-housing", "Poor or overcrowded housing, or at risk of losing the home", False),
    (2, "environment", "l2-financial-difficulty", "Debt or low income affecting the family", False),
    (2, "environment", "l2-isolation", "Family socially isolated or new to the area", False),
    (2, "environment", "l2-young-carer", "Young carer with some caring responsibilities", False),
    (
        2,
        "safety",
        "l2-parental-conflict",
        "Parental conflict (arguments without abuse) that the child is aware of",
        False,
    ),
    (2, "safety", "l2-online-risk", "Risky online behaviour with no sign of exploitation", False),
    # Level 3: multiple or complex needs
    (
        3,
        "development",
        "l3-severe-absence",
        "Severe absence (below 50%), repeated exclusion, or not in education",
        False,
    ),
    (3, "development", "l3-complex-health-unmet", "Complex health needs or disability not being met", False),
    (
        3,
        "development",
        "l3-mental-health",
        "Emotional or mental health needs, such as self-harm, needing specialist support",
        False,
    ),
    (3, "development", "l3-antisocial-behaviour", "Anti-social behaviour or low-level offending", False),
    (
        3,
        "parenting",
        "l3-inconsistent-care",
        "Inconsistent care: the child's needs are often not met (early signs of neglect)",
        False,
    ),
    (
        3,
        "parenting",
        "l3-parental-substance-misuse",
        "Parental drug or alcohol misuse affecting the care of the child",
        False,
    ),
    (3, "parenting", "l3-parental-mental-health", "Parental mental ill health affecting the care of the child", False),
    (3, "environment", "l3-homeless", "Family homeless or in temporary accommodation", False),
    (
        3,
        "environment",
        "l3-domestic-abuse",
        "Domestic abuse in the household, children not directly harmed (standard or medium risk)",
        True,
    ),
    (
        3,
        "environment",
        "l3-young-carer-impact",
        "Young carer whose caring affects their health, wellbeing or education",
        False,
    ),
    (
        3,
        "safety",
        "l3-exploitation-signs",
        "Early signs of exploitation: going missing, unexplained gifts, older associates",
        False,
    ),
    (3, "safety", "l3-missing-episode", "Has gone missing from home once or twice", False),
    # Level 4: acute or statutory
    (4, "development", "l4-serious-health-unmet", "Serious health needs not met, putting the child at risk", False),
    (4, "development", "l4-serious-self-harm", "Serious self-harm or suicidal thoughts", False),
    (4, "parenting", "l4-neglect", "Neglect: the child's basic needs are persistently not met", False),
    (4, "parenting", "l4-parent-unable-to-care", "Parent or carer unable to care for the child", False),
    (4, "environment", "l4-no-accommodation", "Child without accommodation, or abandoned", False),
    (
        4,
        "environment",
        "l4-domestic-abuse-high-risk",
        "Domestic abuse with a risk of serious harm, or a MARAC referral",
        True,
    ),
    (4, "safety", "l4-abuse-allegation", "Allegation or evidence of physical, sexual or emotional abuse", False),
    (4, "safety", "l4-exploitation", "Child sexual or criminal exploitation, or trafficking", False),
    (4, "safety", "l4-frequently-missing", "Frequently missing from home or care", False),
    (
        4,
        "safety",
        "l4-fgm-forced-marriage",
        "Female genital mutilation, forced marriage or so-called honour-based abuse",
        False,
    ),
]


def seed(apps, schema_editor):
    Document = apps.get_model("eh_assessments", "ThresholdDocument")
    Level = apps.get_model("eh_assessments", "ThresholdLevel")
    Indicator = apps.get_model("eh_assessments", "ThresholdIndicator")
    db = schema_editor.connection.alias
    if Document.objects.using(db).filter(version=1).exists():
        return
    now = timezone.now()
    document = Document.objects.using(db).create(
        version=1, title=TITLE, summary=SUMMARY, created_at=now, published_at=now
    )
    Level.objects.using(db).bulk_create(
        Level(document=document, number=number, name=name, description=description, response=response)
        for number, name, description, response in LEVELS
    )
    Indicator.objects.using(db).bulk_create(
        Indicator(
            document=document,
            level=level,
            area=area,
            code=code,
            text=text,
            domestic_abuse=domestic_abuse,
            sort_order=position,
        )
        for position, (level, area, code, text, domestic_abuse) in enumerate(INDICATORS)
    )


def unseed(apps, schema_editor):
    Document = apps.get_model("eh_assessments", "ThresholdDocument")
    db = schema_editor.connection.alias
    Document.objects.using(db).filter(version=1, assessments__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("eh_assessments", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
