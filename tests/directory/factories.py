"""Factories for directory tests (and the editorial, verification, search and family-page
tests that follow).

``ServicePageFactory()`` makes a published, verified, active service under the directory
index (created under the site root if missing) with one public location, a weekly
schedule and one taxonomy term. Switch parts off or on with keyword arguments::

    ServicePageFactory(status=ServiceStatus.INACTIVE)
    ServicePageFactory(publish=False)                   # a draft
    ServicePageFactory(verified=False)                  # never assured
    ServicePageFactory(locations=[public_location(), confidential_location()])
    ServicePageFactory(terms=[term_a, term_b], schedules=[], locations=[])
"""

from __future__ import annotations

import datetime

import factory

from django.conf import settings
from django.utils import timezone

from wagtail.coreutils import get_supported_content_language_variant
from wagtail.models import Locale, Page, Site

from directory.models import (
    ClosureDate,
    Contact,
    CostOption,
    DirectoryIndexPage,
    Location,
    Organisation,
    Phone,
    Schedule,
    ServiceArea,
    ServicePage,
    ServiceStatus,
    Taxonomy,
    TaxonomyTerm,
)

# A real Sunderland postcode and coordinates near it, and a confidential refuge's values that
# tests search for in every response.
PUBLIC_POSTCODE = "SR1 3AA"
PUBLIC_LAT, PUBLIC_LNG = 54.9058, -1.3815
REFUGE_ADDRESS = "17 Hidden Refuge Terrace"
REFUGE_POSTCODE = "SR4 7ZZ"
REFUGE_LAT, REFUGE_LNG = 54.8937123, -1.4123457


def directory_index() -> DirectoryIndexPage:
    """The directory index page, created under the default site's root page if missing."""
    index = DirectoryIndexPage.objects.first()
    if index is not None:
        return index
    site = Site.objects.filter(is_default_site=True).first()
    parent = site.root_page if site else (Page.get_first_root_node() or _tree_root())
    index = DirectoryIndexPage(title="Find a service", slug="services")
    parent.add_child(instance=index)
    index.save_revision().publish()
    return index


def _tree_root() -> Page:
    # Transactional tests (live_server) flush the tables, losing the root Wagtail's migrations make.
    Locale.objects.get_or_create(language_code=get_supported_content_language_variant(settings.LANGUAGE_CODE))
    return Page.add_root(instance=Page(title="Root", slug="root"))


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Wearside Family Trust {n}")
    description = "A local charity supporting families."
    email = factory.Sequence(lambda n: f"hello{n}@family-trust.example.org")
    website = "https://family-trust.example.org/"


class TaxonomyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Taxonomy
        django_get_or_create = ("name",)

    name = "Early help categories"
    description = "The council's categories of early help."
    version = "1"


class TaxonomyTermFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TaxonomyTerm

    taxonomy = factory.SubFactory(TaxonomyFactory)
    name = factory.Sequence(lambda n: f"Parenting support {n}")
    code = factory.Sequence(lambda n: f"parenting-{n}")
    description = "Help with being a parent."


def public_location(**kwargs) -> Location:
    values = {
        "name": "Sunderland Family Hub",
        "address_1": "City Hall, Plater Way",
        "city": "Sunderland",
        "state_province": "Tyne and Wear",
        "postal_code": PUBLIC_POSTCODE,
        "latitude": PUBLIC_LAT,
        "longitude": PUBLIC_LNG,
        "accessibility": "Step-free entrance and a hearing loop.",
    }
    values.update(kwargs)
    return Location(**values)


def confidential_location(**kwargs) -> Location:
    values = {
        "name": "Safe house",
        "address_1": REFUGE_ADDRESS,
        "city": "Sunderland",
        "postal_code": REFUGE_POSTCODE,
        "latitude": REFUGE_LAT,
        "longitude": REFUGE_LNG,
        "accessibility": "Ground floor rooms at the refuge.",
        "confidential": True,
    }
    values.update(kwargs)
    return Location(**values)


def weekly_schedule(byday: str = "MO,WE", opens: str = "09:00", closes: str = "17:00", **kwargs) -> Schedule:
    return Schedule(
        freq="WEEKLY",
        byday=byday,
        opens_at=datetime.time.fromisoformat(opens),
        closes_at=datetime.time.fromisoformat(closes),
        description=kwargs.pop("description", "Drop in on Monday and Wednesday."),
        **kwargs,
    )


_CHILD_RELATIONS = {
    "locations": "locations",
    "schedules": "schedules",
    "service_areas": "service_areas",
    "cost_options": "cost_options",
    "contacts": "contacts",
    "phones": "phones",
    "closures": "closures",
}


class ServicePageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ServicePage

    title = factory.Sequence(lambda n: f"Family support service {n}")
    summary = "Practical help for parents and carers."
    description = "Workers visit families at home and run groups at the family hub."
    organisation = factory.SubFactory(OrganisationFactory)
    status = ServiceStatus.ACTIVE
    website = "https://family-trust.example.org/support"
    email = "support@family-trust.example.org"
    minimum_age = 0
    maximum_age = 18
    eligibility_description = "Families with children living in Sunderland."
    referral_instructions = "Phone us or ask your health visitor to refer you."
    attend_in_person = True
    need_early_help = True
    languages = factory.LazyFunction(lambda: ["en"])

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        parent = kwargs.pop("parent", None) or directory_index()
        publish = kwargs.pop("publish", True)
        verified = kwargs.pop("verified", True)
        terms = kwargs.pop("terms", None)
        children = {name: kwargs.pop(name, None) for name in _CHILD_RELATIONS}
        if children["locations"] is None:
            children["locations"] = [public_location()]
        if children["schedules"] is None:
            children["schedules"] = [weekly_schedule()]
        if children["phones"] is None:
            children["phones"] = [Phone(number="0191 498 0001", description="Monday to Friday")]
        if children["service_areas"] is None:
            children["service_areas"] = [ServiceArea(name="Sunderland")]
        if children["cost_options"] is None:
            children["cost_options"] = [CostOption(is_free=True)]
        if verified and "assured_date" not in kwargs:
            kwargs["assured_date"] = timezone.localdate()
        page = model_class(*args, **kwargs)
        for name, objects in children.items():
            if objects:
                setattr(page, _CHILD_RELATIONS[name], objects)
        if terms is None:
            terms = [TaxonomyTermFactory()]
        page.taxonomy_terms = terms
        parent.add_child(instance=page)
        revision = page.save_revision()
        if publish:
            revision.publish()
        else:
            ServicePage.objects.filter(pk=page.pk).update(live=False, has_unpublished_changes=True)
        return ServicePage.objects.get(pk=page.pk)


__all__ = [
    "ClosureDate",
    "Contact",
    "CostOption",
    "OrganisationFactory",
    "Phone",
    "ServiceArea",
    "ServicePageFactory",
    "TaxonomyFactory",
    "TaxonomyTermFactory",
    "confidential_location",
    "directory_index",
    "public_location",
    "weekly_schedule",
]
