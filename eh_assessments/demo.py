"""The ``load_demo`` step for early help assessments (issue 6 point 7): eight families with
children and adults, how they are related, the professionals involved, the requests for help,
and an assessment in every state:

* drafts at different points: just started, half done (one step saved "for later"), everything
  but the level of need, a key adult's assessment for a pupil of their school, and one going
  ahead without consent for a safeguarding reason;
* submitted: one with domestic abuse indicated and a DASH risk identification at the MARAC
  threshold, and a level 2;
* decided.

Every answer is written the way the wizard writes it: the demo posts each step's answers to
the step's form (``steps.steps_for``), and saves the form's cleaned data through
``services.save_step``; family members go through ``PersonForm`` and ``services.add_person``.
So the demo cannot hold an answer the forms would refuse (tests/eh_assessments/test_demo.py
binds every stored section to its form again).

Idempotent: demo families are marked by their email domain (``DEMO_EMAIL_DOMAIN``); running
the step again deletes them, with their assessments, and builds them afresh. Needs the demo
accounts (``portal.accounts.demo.load``) and the Encompass demo schools (for the key adult's
pupil) loaded first.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils import timezone

from portal.accounts.models import User
from portal.encompass.models import Pupil, School

from . import services, steps, working_days
from .forms import PersonForm
from .models import Assessment, Family, Person, ProfessionalInvolved, Referral, Relationship, submission_fields

DEMO_EMAIL_DOMAIN = "families.demo.example.org"
LEAD = "lead.professional@example.org"
KEY_ADULT = "key.adult@example.org"
DEPUTY = "deputy.key.adult@example.org"
MANAGER = "early.help.manager@example.org"
KEY_ADULT_SCHOOL_URN = 900001  # the Encompass demo's first school, where key.adult@ is key adult


class DemoDataError(ImproperlyConfigured):
    """A demo answer that the step's form refuses: the demo has drifted from the forms."""


# --- Specification of the families --------------------------------------------------------------
@dataclass(frozen=True)
class Member:
    given_name: str
    age: int  # years, on the day the demo is loaded (dates of birth move with it)
    gender: str
    kind: str = Person.CHILD
    role: str = ""  # for adults: "parent", "parent_partner", "grandparent" …
    ethnicity: str = "white_british"
    first_language: str = "English"
    interpreter: bool = False
    send: str = "none"
    religion: str = ""
    school: bool = False  # at the key adult's demo school
    lives_in_household: bool = True
    family_name: str = ""


@dataclass(frozen=True)
class DemoFamily:
    family_name: str
    address: str
    postcode: str
    members: tuple[Member, ...]
    referral_source: str
    referrer: tuple[str, str, str]  # name, role, organisation
    reason: str
    stage: str  # see STAGES
    started_days_ago: int
    professionals: tuple[tuple[str, str, str], ...] = ()
    main_language: str = "English"


STAGES = ("started", "half", "all_but_level", "consent_refused", "key_adult", "submitted_da", "submitted", "decided")

FAMILIES: tuple[DemoFamily, ...] = (
    DemoFamily(
        "Walker",
        "14 Ashbrooke Road, Sunderland",
        "SR2 7HQ",
        (
            Member("Kim", 34, "female", Person.ADULT, "parent"),
            Member("Alex", 9, "male", school=True),
            Member("Mia", 4, "female"),
        ),
        "school",
        ("Sam Teacher", "Designated safeguarding lead", "Hylton Primary School"),
        "Alex's attendance has dropped to 82% this term and Kim asked the school for help with mornings.",
        "started",
        2,
        professionals=(("Sam Teacher", "Designated safeguarding lead", "Hylton Primary School"),),
    ),
    DemoFamily(
        "Hussain",
        "3 Roker Terrace, Sunderland",
        "SR6 9NB",
        (
            Member("Sadia", 38, "female", Person.ADULT, "parent", ethnicity="asian_pakistani", religion="Muslim"),
            Member("Imran", 41, "male", Person.ADULT, "parent", ethnicity="asian_pakistani", religion="Muslim"),
            Member("Zain", 12, "male", ethnicity="asian_pakistani", send="sen_support", religion="Muslim"),
            Member("Amira", 7, "female", ethnicity="asian_pakistani", religion="Muslim"),
            Member("Yusuf", 2, "male", ethnicity="asian_pakistani"),
        ),
        "health_visitor",
        ("Claire Dobson", "Health visitor", "Sunderland 0-19 service"),
        "Yusuf's speech is delayed and Sadia is struggling with Zain's behaviour since the family moved here.",
        "half",
        12,
        professionals=(
            ("Claire Dobson", "Health visitor", "Sunderland 0-19 service"),
            ("Dr Anwar", "GP", "Roker Medical Practice"),
        ),
        main_language="Urdu and English",
    ),
    DemoFamily(
        "Nowak",
        "27 Millfield Street, Sunderland",
        "SR4 6HB",
        (
            Member(
                "Marta",
                39,
                "female",
                Person.ADULT,
                "parent",
                ethnicity="white_other",
                first_language="Polish",
                interpreter=True,
                religion="Catholic",
            ),
            Member("Oliwia", 14, "female", ethnicity="white_other", first_language="Polish"),
            Member("Jakub", 11, "male", ethnicity="white_other", first_language="Polish", send="being_assessed"),
        ),
        "school",
        ("Jon Elliott", "Head of year 9", "Castle View Academy"),
        "Oliwia has been self-harming and Jakub is often late and hungry. Mum works nights.",
        "all_but_level",
        30,
        professionals=(
            ("Jon Elliott", "Head of year 9", "Castle View Academy"),
            ("Priya Shah", "School nurse", "Sunderland 0-19 service"),
        ),
        main_language="Polish",
    ),
    DemoFamily(
        "Brown",
        "9 Hendon Close, Sunderland",
        "SR1 2QD",
        (
            Member("Lisa", 44, "female", Person.ADULT, "parent"),
            Member("Tyler", 15, "male"),
        ),
        "police",
        ("PC 2291 Hart", "Neighbourhood officer", "Northumbria Police"),
        "Tyler has been found with older young people who are known for dealing; he went missing overnight twice.",
        "consent_refused",
        8,
        professionals=(("PC 2291 Hart", "Neighbourhood officer", "Northumbria Police"),),
    ),
    DemoFamily(
        "Robinson",
        "41 Hylton Lane, Sunderland",
        "SR5 4BS",
        (
            Member("Grace", 10, "female", school=True),
            Member("Natalie", 31, "female", Person.ADULT, "parent"),
        ),
        "school",
        ("", "Designated safeguarding lead", ""),  # the key adult and their school, filled in when loaded
        "Grace seems withdrawn and has said she worries about her mum being poorly.",
        "key_adult",
        1,
    ),
    DemoFamily(
        "Taylor",
        "Flat 2, 18 Southwick Road, Sunderland",
        "SR5 2AB",
        (
            Member("Chloe", 27, "female", Person.ADULT, "parent"),
            Member("Dean", 30, "male", Person.ADULT, "parent_partner", family_name="Marsh", lives_in_household=False),
            Member("Ruby", 6, "female"),
            Member("Leo", 3, "male"),
        ),
        "police",
        ("PC 1877 Graham", "Operation Encompass officer", "Northumbria Police"),
        "Third police call-out this year for domestic abuse at the home; the children were present.",
        "submitted_da",
        40,
        professionals=(
            ("Amy Reed", "Independent domestic violence adviser", "Wearside Women in Need"),
            ("Sam Teacher", "Designated safeguarding lead", "Hylton Primary School"),
        ),
    ),
    DemoFamily(
        "Ahmed",
        "6 Barnes Park Road, Sunderland",
        "SR4 7PE",
        (
            Member("Farah", 32, "female", Person.ADULT, "parent", ethnicity="black_african", religion="Muslim"),
            Member("Hana", 8, "female", ethnicity="black_african", religion="Muslim"),
        ),
        "family",
        ("Farah Ahmed", "Parent", ""),
        "Farah asked the family hub for help with debt and with Hana's sleep since they moved out of temporary housing.",
        "submitted",
        25,
        professionals=(("Lee Carter", "Family support worker", "Sunderland North family hub"),),
    ),
    DemoFamily(
        "Lambton",
        "22 Fulwell Road, Sunderland",
        "SR6 8AQ",
        (
            Member("Jo", 36, "female", Person.ADULT, "parent"),
            Member("Margaret", 67, "female", Person.ADULT, "grandparent"),
            Member("Callum", 13, "male", send="ehc_plan"),
            Member("Ellie", 10, "female"),
            Member("Sophie", 5, "female"),
        ),
        "school",
        ("Rachel Moore", "SENCo", "Fulwell Junior School"),
        "Jo's mental health has declined since her mother moved in to help; Callum's exclusions are rising.",
        "decided",
        70,
        professionals=(
            ("Rachel Moore", "SENCo", "Fulwell Junior School"),
            ("Dr Patel", "Consultant psychiatrist", "Sunderland CAMHS"),
            ("Kevin Hall", "Housing officer", "Gentoo"),
        ),
    ),
)


# --- Helpers ----------------------------------------------------------------------------------
def date_parts(name: str, day: datetime.date) -> dict[str, str]:
    """A GOV.UK date input as a browser posts it."""
    return {f"{name}_day": str(day.day), f"{name}_month": str(day.month), f"{name}_year": str(day.year)}


def _born(today: datetime.date, age: int, offset_days: int) -> datetime.date:
    try:
        birthday = today.replace(year=today.year - age)
    except ValueError:  # 29 February
        birthday = today.replace(year=today.year - age, day=28)
    return birthday - datetime.timedelta(days=offset_days)


def _refuse_unless_demo_mode() -> None:
    if not getattr(settings, "DEMO_MODE", False):
        raise ImproperlyConfigured("Demo families are loaded only when DEMO_MODE is on (dev and test settings).")


def _user(email: str) -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        raise ImproperlyConfigured(f"Load the demo accounts first: {email} is missing.")
    return user


class Writer:
    """Writes one assessment's answers through the step forms and the services."""

    def __init__(self, assessment: Assessment, user: User):
        self.assessment = assessment
        self.user = user

    def step(self, name: str, data: dict[str, Any], *, child: Person | None = None, later: bool = False) -> None:
        if child is not None:
            name = steps.child_step_name(name, child)
        registry = {s.name: s for s in steps.steps_for(self.assessment)}
        if name not in registry:
            raise DemoDataError(f"{self.assessment.reference}: there is no step {name!r}.")
        step = registry[name]
        form = step.form_class(data=data, assessment=self.assessment, child=step.child)
        if not form.is_valid():
            raise DemoDataError(f"{self.assessment.reference} {name}: the form refuses the demo answers: {form.errors}")
        services.save_step(
            self.assessment,
            name,
            form.cleaned_data,
            expected_version=self.assessment.version,
            user=self.user,
            in_progress=later,
        )


# --- Answers ----------------------------------------------------------------------------------
def _about(family: DemoFamily, received: datetime.date, *, lead: User, school: School | None) -> dict[str, str]:
    name, role, organisation = family.referrer
    if family.stage == "key_adult":
        name, organisation = lead.get_full_name(), school.name if school else ""
    return {
        "reason": family.reason,
        "source_agency": family.referral_source,
        "referrer_name": name,
        "referrer_role": role,
        "referrer_contact": organisation,
        **date_parts("request_date", received),
    }


def _consent_yes(carer: Person, day: datetime.date, **extra) -> dict[str, Any]:
    return {
        "consent_to_assessment": "yes",
        "consent_to_share": "yes",
        "share_with": ["school", "health"],
        "given_by": str(carer.uuid),
        **date_parts("given_on", day),
        "method": "in_person",
        "copy_to": [str(carer.uuid)],
        **extra,
    }


def _scores(areas: tuple[str, ...], scores: tuple[int, ...], notes: dict[str, tuple[str, str]]) -> dict[str, str]:
    """Scores with strengths for every area and needs wherever the score shows some (3 or less)."""
    data: dict[str, str] = {}
    for area, score in zip(areas, scores, strict=True):
        label = area.replace("_", " ")
        strengths, needs = notes.get(area, (f"Strengths seen in {label}.", f"Some needs in {label}."))
        data[f"{area}_score"] = str(score)
        data[f"{area}_strengths"] = strengths
        if score <= 3:
            data[f"{area}_needs"] = needs
    return data


DEVELOPMENT_AREAS = ("health", "education", "emotional", "identity", "relationships", "self_care")
PARENTING_AREAS = ("basic_care", "safety", "warmth", "stimulation", "boundaries", "stability")
ENVIRONMENT_AREAS = ("housing", "income", "employment", "community", "history", "wider_family")


def _development(child: Person, scores=(4, 3, 3, 4, 4, 4)) -> dict[str, str]:
    name = child.given_name
    return _scores(
        DEVELOPMENT_AREAS,
        scores,
        {
            "education": (f"{name} enjoys reading and art.", "Attendance and punctuality need to improve."),
            "emotional": (f"{name} is affectionate at home.", "Gets upset at transitions and needs reassurance."),
        },
    )


def _voice(child: Person, age: int) -> dict[str, str]:
    if age < 4:
        return {"gathered": "no", "why_not": f"{child.given_name} is too young to say; observed at play at home."}
    return {
        "gathered": "yes",
        "said": f"{child.given_name} said mornings are 'shouty' and they would like more time with mum.",
        "how": "Talking and drawing at school",
        "present": "Their class teacher",
    }


def _parenting(scores=(4, 4, 4, 3, 3, 3)) -> dict[str, str]:
    return _scores(
        PARENTING_AREAS,
        scores,
        {"boundaries": ("Clear bedtime routine most nights.", "Struggles to hold boundaries when tired.")},
    )


def _environment(scores=(3, 3, 4, 4, 4, 3)) -> dict[str, str]:
    return _scores(
        ENVIRONMENT_AREAS,
        scores,
        {"income": ("Receives the benefits the family is entitled to.", "Rent arrears of about £600.")},
    )


def _chronology(today: datetime.date) -> dict[str, str]:
    return {
        **date_parts("event-0-date", today - datetime.timedelta(days=200)),
        "event-0-what": "Family moved to Sunderland.",
        "event-0-source": "Parent",
        "event-0-impact": "Children changed school mid-year.",
    }


def _identity(children: list[Person]) -> dict[str, str]:
    return {
        "family_identity": "A close family who value their faith and their neighbours.",
        "communication": "English at home; written letters in plain English.",
        **{
            f"child_{child.uuid.hex}_identity": f"{child.given_name} is proud of their family and culture."
            for child in children
        },
    }


def _analysis(worry: str) -> dict[str, str]:
    return {
        "working_well": "Warm relationships; the parents want help and engage with the school.",
        "worries": worry,
        "needs_to_happen": "A family plan with the school and the family hub, reviewed every six weeks.",
    }


def _outcomes() -> dict[str, str]:
    return {
        "outcome_1": "The children get to school on time every day.",
        "outcome_2": "Mornings at home are calmer.",
        "outcome_3": "The family is on top of its bills.",
    }


def _dash_at_marac_threshold(victim: Person) -> dict[str, str]:
    """Risk identification (DASH) with 15 yes answers: over the visible high-risk threshold."""
    data = {f"q{n:02d}": ("yes" if n <= 15 else "no") for n in range(1, 25)}
    data.update(
        victim=str(victim.uuid),
        professional_judgement="high",
        judgement_reason="Escalating frequency and severity; threats to kill; separation imminent.",
        police_callouts="yes",
        notes="Chloe answered the questions alone at the family hub; Dean was not present.",
    )
    return data


# --- Building -----------------------------------------------------------------------------------
def _clear() -> None:
    families = Family.objects.filter(email__endswith=f"@{DEMO_EMAIL_DOMAIN}")
    Assessment.objects.filter(family__in=families).delete()
    families.delete()


def _person_data(family: DemoFamily, member: Member, today: datetime.date, index: int) -> dict[str, Any]:
    born = _born(today, member.age, 30 + 17 * index)
    data = {
        "kind": member.kind,
        "given_name": member.given_name,
        "family_name": member.family_name or family.family_name,
        **date_parts("date_of_birth", born),
        "gender": member.gender,
        "ethnicity": member.ethnicity,
        "religion": member.religion,
        "first_language": member.first_language,
        "interpreter_needed": "yes" if member.interpreter else "no",
        "send": member.send if member.kind == Person.CHILD else "",
        "lives_in_household": "yes" if member.lives_in_household else "no",
    }
    if member.school:
        data["school_urn"] = str(KEY_ADULT_SCHOOL_URN)
    return data


def _add_members(family: Family, spec: DemoFamily, today: datetime.date, user: User, skip=()) -> list[Person]:
    people = list(Person.objects.filter(family=family))
    for index, member in enumerate(spec.members):
        if member.given_name in skip:
            continue
        form = PersonForm(data=_person_data(spec, member, today, index))
        if not form.is_valid():
            raise DemoDataError(f"{spec.family_name} {member.given_name}: PersonForm refuses the demo: {form.errors}")
        people.append(services.add_person(family, form.person_data(), main_carer=form.relationship_data(), user=user))
    return people


def _relate(family: Family, spec: DemoFamily, people: list[Person]) -> None:
    by_name = {p.given_name: p for p in people}
    children = [p for p in people if p.is_child]
    for member in spec.members:
        if member.kind != Person.ADULT:
            continue
        adult = by_name[member.given_name]
        for child in children:
            Relationship.objects.create(
                family=family,
                person=adult,
                relative=child,
                kind=member.role or "other",
                parental_responsibility=member.role == "parent",
            )
    for older in children:
        for younger in children:
            if older.pk != younger.pk:
                Relationship.objects.create(family=family, person=older, relative=younger, kind="sibling")


def _backdate(assessment: Assessment, days: int, *, now: datetime.datetime) -> None:
    started = now - datetime.timedelta(days=days)
    target = working_days.add_working_days(timezone.localtime(started).date(), working_days.STANDARD_TARGET_DAYS)
    Assessment.objects.filter(pk=assessment.pk).update(started_at=started, target_date=target)
    assessment.started_at, assessment.target_date = started, target


def _build(spec: DemoFamily, users: dict[str, User], school: School | None, now: datetime.datetime) -> Assessment:
    today = timezone.localdate(now)
    lead = users[KEY_ADULT] if spec.stage == "key_adult" else users[LEAD]
    received = today - datetime.timedelta(days=spec.started_days_ago + 3)
    email = f"{spec.family_name.lower()}@{DEMO_EMAIL_DOMAIN}"

    if spec.stage == "key_adult":
        pupil_spec = next(m for m in spec.members if m.school)
        pupil, _ = Pupil.objects.update_or_create(
            given_name=pupil_spec.given_name,
            family_name=spec.family_name,
            date_of_birth=_born(today, pupil_spec.age, 30),
            defaults={"school": school},
        )
        assessment = services.start_assessment(user=lead, pupil=pupil, school=school)
        family = assessment.family
        Family.objects.filter(pk=family.pk).update(
            email=email, address=spec.address, postcode=spec.postcode, main_language=spec.main_language
        )
        people = _add_members(family, spec, today, lead, skip={pupil_spec.given_name})
    else:
        family = Family.objects.create(
            address=spec.address,
            postcode=spec.postcode,
            phone="07700 900" + str(100 + STAGES.index(spec.stage)),
            email=email,
            main_language=spec.main_language,
            team=lead.team,
            created_by=lead,
        )
        people = _add_members(family, spec, today, lead)
        name, role, organisation = spec.referrer
        referral = Referral.objects.create(
            family=family,
            source_agency=spec.referral_source,
            referrer_name=name,
            referrer_role=role,
            referrer_organisation=organisation,
            received_on=received,
            reason=spec.reason,
            created_by=lead,
        )
        referral.children.set([p for p in people if p.is_child])
        assessment = services.start_assessment(user=lead, referral=referral)
    for professional in spec.professionals:
        ProfessionalInvolved.objects.create(
            family=family, name=professional[0], role=professional[1], agency=professional[2]
        )
    _relate(family, spec, people)
    _backdate(assessment, spec.started_days_ago, now=now)
    assessment.family.refresh_from_db()

    children = [p for p in people if p.is_child]
    adults = [p for p in people if not p.is_child]
    carer = adults[0]
    ages = {m.given_name: m.age for m in spec.members}
    write = Writer(assessment, lead)
    consent_day = today - datetime.timedelta(days=max(spec.started_days_ago - 1, 0))

    write.step(steps.ABOUT, _about(spec, received, lead=lead, school=school))
    if spec.stage == "started":
        return assessment

    if spec.stage == "consent_refused":
        write.step(
            steps.CONSENT,
            {
                "consent_to_assessment": "no",
                "no_consent_reason": (
                    "Tyler is at risk of criminal exploitation and has been missing overnight twice. Lisa does "
                    "not agree to an assessment; the risk to Tyler means we go ahead and tell her we are doing so."
                ),
            },
        )
    elif spec.stage == "submitted_da":
        partner = next(p for p in adults if p.given_name == "Dean")
        write.step(steps.CONSENT, _consent_yes(carer, consent_day, must_not_see=[str(partner.uuid)]))
    else:
        write.step(steps.CONSENT, _consent_yes(carer, consent_day))
    write.step(steps.FAMILY, {"add_another": "no"})
    if spec.stage == "key_adult":
        return assessment

    if spec.stage == "half":
        first = children[0]
        write.step(steps.TARGET, {"own_target": "no"}, child=first)
        write.step(steps.DEVELOPMENT, _development(first, (4, 3, 2, 4, 3, 4)), child=first)
        write.step(steps.VOICE, _voice(first, ages[first.given_name]), child=first)
        write.step(steps.TARGET, {"own_target": "no"}, child=children[1])
        write.step(steps.PARENTING, _parenting(), later=True)
        return assessment

    for index, child in enumerate(children):
        if index == 0 and spec.stage in ("all_but_level", "submitted_da"):
            target = {
                "own_target": "yes",
                **date_parts("target_date", today + datetime.timedelta(days=14)),
                "reason": "Sooner than 45 working days: the risk to this child needs a plan quickly.",
            }
        else:
            target = {"own_target": "no"}
        write.step(steps.TARGET, target, child=child)
        write.step(steps.DEVELOPMENT, _development(child), child=child)
        write.step(steps.VOICE, _voice(child, ages[child.given_name]), child=child)
    write.step(steps.PARENTING, _parenting())
    write.step(steps.ENVIRONMENT, _environment())
    write.step(
        steps.PARENT_VOICE,
        {
            "said": f"{carer.given_name} said: 'I want the kids to be happy and for us to stop arguing.'",
            "who": carer.full_name,
            "how": "Home visit",
        },
    )
    write.step(steps.CHRONOLOGY, _chronology(today))
    if spec.stage == "submitted_da":
        write.step(
            steps.RISKS,
            {
                "adult_risks": ["domestic_abuse"],
                "adult_details": "Repeated abuse of Chloe by her ex-partner Dean, who still visits.",
                "domestic_abuse": "yes",
                **{f"child_{c.uuid.hex}_risks": ["domestic_abuse"] for c in children},
                **{
                    f"child_{c.uuid.hex}_details": f"{c.given_name} was at home during the last three incidents."
                    for c in children
                },
            },
        )
        write.step(steps.DOMESTIC_ABUSE, _dash_at_marac_threshold(carer))
        write.step(steps.MARAC, {"action": "referred", **date_parts("referred_on", today - datetime.timedelta(days=2))})
    elif spec.stage == "consent_refused":
        write.step(
            steps.RISKS,
            {
                **{f"child_{c.uuid.hex}_risks": ["exploitation", "missing"] for c in children},
                **{
                    f"child_{c.uuid.hex}_details": "Seen with older young people known for dealing; missing twice."
                    for c in children
                },
                "domestic_abuse": "no",
            },
        )
        return assessment
    else:
        write.step(steps.RISKS, {"domestic_abuse": "no"})
    write.step(steps.IDENTITY, _identity(children))
    worries = {
        "all_but_level": "Oliwia's self-harm and Jakub's hunger while mum works nights.",
        "submitted_da": "Domestic abuse at high risk; the children witness it.",
        "submitted": "Debt and Hana's poor sleep after months in temporary housing.",
        "decided": "Jo's mental health, Callum's exclusions and the strain on Margaret.",
    }[spec.stage]
    write.step(steps.ANALYSIS, _analysis(worries))
    write.step(steps.OUTCOMES, _outcomes())
    if spec.stage == "all_but_level":
        return assessment

    level_answers = {
        "submitted_da": {"indicators": ["l4-domestic-abuse-high-risk", "l3-domestic-abuse"], "level": "4"},
        "submitted": {"indicators": ["l2-financial-difficulty", "l2-poor-housing"], "level": "2"},
        "decided": {
            "indicators": ["l3-parental-mental-health", "l3-severe-absence", "l2-young-carer"],
            "level": "3",
        },
    }[spec.stage]
    write.step(steps.LEVEL_OF_NEED, level_answers)
    assessment.refresh_from_db()
    services.submit_assessment(assessment, expected_version=assessment.version, user=lead)
    submitted = now - datetime.timedelta(days=max(spec.started_days_ago - 20, 1))
    Assessment.objects.filter(pk=assessment.pk).update(**submission_fields(submitted))
    if spec.stage == "decided":
        # As the manager's decision leaves it (the decision record itself is casework's).
        Assessment.objects.filter(pk=assessment.pk).update(
            status=Assessment.Status.DECIDED,
            decided_at=submitted + datetime.timedelta(days=3),
            level_of_need=3,
            updated_by=users[MANAGER],
        )
        services.add_to_team_around_family(assessment, [users[DEPUTY]], user=lead)
    assessment.refresh_from_db()
    return assessment


def load() -> str:
    """The ``load_demo`` step (idempotent; see the module docstring)."""
    _refuse_unless_demo_mode()
    users = {email: _user(email) for email in (LEAD, KEY_ADULT, DEPUTY, MANAGER)}
    school = School.objects.filter(urn=KEY_ADULT_SCHOOL_URN).first()
    if school is None:
        raise ImproperlyConfigured("Load the Operation Encompass demo first: the key adult's demo school is missing.")
    now = timezone.now()
    with transaction.atomic():
        _clear()
        built = [_build(spec, users, school, now) for spec in FAMILIES]
    counts = {status: sum(a.status == status for a in built) for status in Assessment.Status.values}
    people = Person.objects.filter(family__email__endswith=f"@{DEMO_EMAIL_DOMAIN}").count()
    return (
        f"{len(built)} early help families ({people} people) with assessments: "
        f"{counts['draft']} draft, {counts['submitted']} submitted, {counts['decided']} decided"
    )
