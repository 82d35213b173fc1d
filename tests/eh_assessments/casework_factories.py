"""Factories and builders for casework tests (issue 7). Kept apart from W1's factories.py."""

from __future__ import annotations

import datetime

import factory

from django.utils import timezone

from eh_assessments import casework
from eh_assessments.models import Assessment, Family, Person, Referral
from eh_assessments.models_casework import Decision, Episode
from tests.factories import TeamFactory, UserFactory


class CaseFamilyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Family

    postcode = "SR1 1AA"


class CaseChildFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    family = factory.SubFactory(CaseFamilyFactory)
    kind = Person.CHILD
    given_name = factory.Sequence(lambda n: f"Child{n}")
    family_name = "Doe"
    date_of_birth = datetime.date(2015, 6, 1)


class CaseReferralFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Referral
        skip_postgeneration_save = True

    family = factory.SubFactory(CaseFamilyFactory)
    source_agency = "school"
    referrer_name = "A. Teacher"
    referrer_email = "referrer@school.example.org"
    reason = "Attendance has dropped and the family asked for help."
    received_on = factory.LazyFunction(timezone.localdate)

    @factory.post_generation
    def children(self, create, extracted, **kwargs):
        if create and extracted:
            self.children.set(extracted)


def world(team_name: str = "North locality"):
    """A team with a lead professional, a colleague, two managers; and the front door."""
    team = TeamFactory(name=team_name)
    slug = team_name.split()[0].lower()
    return {
        "team": team,
        "lead": UserFactory(roles=["lead_professional"], team=team, email=f"lead.{slug}@example.org"),
        "colleague": UserFactory(roles=["lead_professional"], team=team, email=f"colleague.{slug}@example.org"),
        "manager": UserFactory(roles=["early_help_manager"], team=team, email=f"manager.{slug}@example.org"),
        "manager2": UserFactory(roles=["early_help_manager"], team=team, email=f"manager2.{slug}@example.org"),
    }


def referral_for(team, *children_names: str, received_on=None, family=None, **kwargs) -> Referral:
    family = family or CaseFamilyFactory(team=team)
    children = [
        Person.objects.filter(family=family, given_name=name).first()
        or CaseChildFactory(family=family, given_name=name)
        for name in (children_names or ("Amy",))
    ]
    return CaseReferralFactory(
        family=family, children=children, received_on=received_on or timezone.localdate(), **kwargs
    )


def submitted_assessment(lead, referral=None, *, started_at=None, **kwargs) -> Assessment:
    family = referral.family if referral else CaseFamilyFactory(team=lead.team)
    return Assessment.objects.create(
        family=family,
        referral=referral,
        lead_professional=lead,
        team=lead.team,
        status=Assessment.Status.SUBMITTED,
        started_at=started_at or timezone.now() - datetime.timedelta(days=20),
        submitted_at=timezone.now(),
        consent_given=True,
        **kwargs,
    )


def open_episode(w, *children_names: str, kind=Decision.Kind.SINGLE_AGENCY, members=(), **kwargs) -> Episode:
    """Open an episode by a front door style decision on a new referral, as the manager."""
    referral = referral_for(w["team"], *children_names, **kwargs)
    decision = casework.record_decision(
        user=w["manager"],
        kind=kind,
        rationale="Needs at level 2: attendance and routines.",
        referral=referral,
        lead_professional=w["lead"],
        members=members,
    )
    return decision.opened_episode
