"""Factories for early help families, people, referrals and assessments."""

from __future__ import annotations

import datetime

import factory

from django.utils import timezone

from eh_assessments.models import Assessment, Family, Person, Referral, ThresholdDocument
from tests.factories import UserFactory


def years_ago(years: int, days: int = 40) -> datetime.date:
    today = timezone.localdate()
    return today.replace(year=today.year - years) - datetime.timedelta(days=days)


class FamilyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Family

    address = "1 Example Street, Sunderland"
    postcode = "SR1 1AA"


class ChildFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    family = factory.SubFactory(FamilyFactory)
    kind = Person.CHILD
    given_name = factory.Sequence(lambda n: f"Child{n}")
    family_name = "Example"
    date_of_birth = factory.LazyFunction(lambda: years_ago(8))


class AdultFactory(ChildFactory):
    kind = Person.ADULT
    given_name = factory.Sequence(lambda n: f"Adult{n}")
    date_of_birth = factory.LazyFunction(lambda: years_ago(35))


class ReferralFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Referral

    family = factory.SubFactory(FamilyFactory)
    source_agency = "school"
    referrer_name = "Sam Teacher"
    referrer_role = "Designated safeguarding lead"
    reason = "Attendance has dropped and the family asked for help."


class AssessmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Assessment

    family = factory.SubFactory(FamilyFactory)
    lead_professional = factory.SubFactory(UserFactory, roles=["lead_professional"])
    team = factory.LazyAttribute(lambda o: o.lead_professional.team)
    threshold_document = factory.LazyFunction(lambda: ThresholdDocument.objects.current())
    target_date = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=63))
