import datetime

import factory

from django.utils import timezone

from portal.encompass.models import Notification, NotifiedChild, School


class SchoolFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = School
        django_get_or_create = ("urn",)

    urn = factory.Sequence(lambda n: 200000 + n)
    name = factory.Sequence(lambda n: f"School {n}")
    establishment_type = "Community school"
    status = "Open"
    phase = "Primary"
    la_code = "394"
    postcode = "SR1 1AA"


class NotificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Notification

    force = "NBR"
    police_reference = factory.Sequence(lambda n: f"NBR-{n:06d}")
    incident_at = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(hours=3))
    reported_at = factory.LazyAttribute(lambda o: o.incident_at + datetime.timedelta(minutes=30))
    summary = "Verbal argument between adults; the child was upstairs."
    officer = "PC 1234 Smith"


class NotifiedChildFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = NotifiedChild

    notification = factory.SubFactory(NotificationFactory)
    given_name = "Amy"
    family_name = factory.Sequence(lambda n: f"Family{n}")
    date_of_birth = datetime.date(2016, 5, 4)
    routed_to = NotifiedChild.Route.SCHOOL
    school = factory.SubFactory(SchoolFactory)
    notify_by = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(hours=10))
