"""Synthetic directory services for benchmarks (``manage.py seed_synthetic --services N``).

N published, verified services spread over the synthetic categories (domestic abuse among
them) and Sunderland places, each with a venue, a weekly schedule and a cost option. Pages are
written in bulk (the page tree paths are computed here, not one ``add_child`` at a time), so
100 000 services take minutes, not hours. Run ``rebuild_search_index`` (and Wagtail's
``update_index`` for its own search) afterwards. Running it again adds N more services."""

from __future__ import annotations

import datetime
import random

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from wagtail.models import Locale, Page

from directory.models import (
    CostOption,
    DirectoryIndexPage,
    Location,
    Organisation,
    Schedule,
    ServicePage,
    Taxonomy,
    TaxonomyTerm,
)

CATEGORIES = [
    ("Domestic abuse", "domestic abuse support, safety planning and refuge"),
    ("Parenting", "parenting courses and parent support groups"),
    ("Early years", "stay and play, baby groups and toddler sessions"),
    ("SEND and autism", "support for autistic children and special educational needs"),
    ("Mental health", "emotional wellbeing and children's mental health"),
    ("Money and food", "food bank, debt and benefits advice"),
    ("Housing", "housing advice and homelessness prevention"),
    ("Young carers", "young carers groups and respite"),
    ("Youth activities", "youth clubs and holiday activities"),
    ("School attendance", "help when a child is anxious about school"),
    ("Substance misuse", "drugs and alcohol support for families"),
    ("Health visiting", "health visitor clinics and breastfeeding support"),
    ("Bereavement", "grief and bereavement support"),
]
PLACES = [
    "Hendon",
    "Millfield",
    "Southwick",
    "Washington",
    "Houghton",
    "Hetton",
    "Roker",
    "Pennywell",
    "Doxford",
    "Castletown",
    "Ryhope",
    "Silksworth",
    "Fulwell",
    "Seaburn",
    "Barnes",
    "Redhouse",
]
WORDS = [
    "family",
    "support",
    "help",
    "advice",
    "group",
    "drop-in",
    "session",
    "workers",
    "children",
    "parents",
    "carers",
    "local",
    "community",
    "friendly",
    "free",
    "confidential",
    "weekly",
    "visit",
    "home",
    "online",
    "phone",
    "referral",
    "team",
    "trained",
    "volunteers",
]
DAYS = ["MO", "TU", "WE", "TH", "FR", "SA"]


def seed_services(services: int, *, seed: int = 2016, stdout=None) -> int:
    """Write ``services`` synthetic services; returns how many were written."""
    rng = random.Random(seed)
    with transaction.atomic():
        index = _index()
        taxonomy, _ = Taxonomy.objects.get_or_create(name="Synthetic categories", defaults={"version": "1"})
        terms = [
            TaxonomyTerm.objects.get_or_create(taxonomy=taxonomy, name=name, defaults={"code": slugify(name)})[0]
            for name, _ in CATEGORIES
        ]
        orgs = Organisation.objects.bulk_create(
            Organisation(name=f"Synthetic organisation {i}", email=f"org{i}@example.org") for i in range(200)
        )
        content_type = ContentType.objects.get_for_model(ServicePage)
        locale = index.locale
        start = index.numchild
        today = timezone.localdate()
        created = 0
        batch = 2000
        while created < services:
            n = min(batch, services - created)
            pages = []
            for k in range(n):
                number = start + created + k + 1
                category = rng.randrange(len(CATEGORIES))
                place = rng.choice(PLACES)
                name = f"{place} {CATEGORIES[category][0].lower()} service {number}"
                summary = f"{CATEGORIES[category][1].capitalize()} in {place}."
                description = " ".join(rng.choice(WORDS) for _ in range(40))
                minimum = rng.choice([None, 0, 0, 5, 11])
                pages.append(
                    (
                        ServicePage(
                            title=name,
                            draft_title=name,
                            slug=f"synthetic-{number}",
                            live=True,
                            content_type=content_type,
                            locale=locale,
                            path=_child_path(index.path, number),
                            depth=index.depth + 1,
                            numchild=0,
                            url_path=f"{index.url_path}synthetic-{number}/",
                            first_published_at=timezone.now(),
                            last_published_at=timezone.now(),
                            summary=summary,
                            description=description,
                            organisation=rng.choice(orgs),
                            status="active",
                            minimum_age=minimum,
                            maximum_age=None if minimum is None else minimum + rng.choice([5, 7, 13]),
                            how_to_access=rng.choice(["self_referral", "professional_referral", "both"]),
                            attend_in_person=True,
                            attend_online=rng.random() < 0.3,
                            attend_phone=rng.random() < 0.3,
                            need_early_help=True,
                            languages=["en"],
                            assured_date=today,
                            review_due_on=today + datetime.timedelta(days=180),
                        ),
                        terms[category],
                    )
                )
            _insert([p for p, _ in pages])
            ids = {p.slug: p.pk for p, _ in pages}
            Location.objects.bulk_create(
                Location(
                    page_id=ids[p.slug],
                    name="Venue",
                    postal_code="SR1 3AA",
                    latitude=54.9058 + rng.uniform(-0.12, 0.12),
                    longitude=-1.3815 + rng.uniform(-0.2, 0.2),
                )
                for p, _ in pages
            )
            Schedule.objects.bulk_create(
                Schedule(
                    page_id=ids[p.slug],
                    freq="WEEKLY",
                    byday=",".join(rng.sample(DAYS, 2)),
                    opens_at=datetime.time(9),
                    closes_at=datetime.time(rng.choice([12, 15, 17])),
                )
                for p, _ in pages
            )
            CostOption.objects.bulk_create(
                CostOption(page_id=ids[p.slug], is_free=rng.random() < 0.7, amount_description="per session")
                for p, _ in pages
            )
            through = ServicePage.taxonomy_terms.through
            through.objects.bulk_create(through(servicepage_id=ids[p.slug], taxonomyterm_id=t.pk) for p, t in pages)
            created += n
            if stdout is not None:
                stdout.write(f"\r{created}/{services} services", ending="")
                stdout.flush()
        Page.objects.filter(pk=index.pk).update(numchild=start + created)
    if stdout is not None:
        stdout.write("")
    return created


def _index() -> DirectoryIndexPage:
    index = DirectoryIndexPage.objects.first()
    if index is None:
        root = Page.get_first_root_node()
        Locale.objects.get_or_create(language_code="en")
        home = root.get_children().first() or root
        index = DirectoryIndexPage(title="Find a service", slug="services")
        home.add_child(instance=index)
        index.save_revision().publish()
        index.refresh_from_db()
    return index


def _insert(pages: list[ServicePage]) -> None:
    # Multi-table inheritance: the wagtailcore_page rows first, then the service rows.
    bases = Page.objects.bulk_create(
        [
            Page(**{f.attname: getattr(p, f.attname) for f in Page._meta.concrete_fields if f.attname != "id"})
            for p in pages
        ]
    )
    for page, base in zip(pages, bases, strict=True):
        page.pk = page.page_ptr_id = base.pk
    local = list(ServicePage._meta.local_concrete_fields)
    ServicePage._base_manager._insert(pages, fields=local, using="default")


ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _child_path(parent_path: str, number: int) -> str:
    """treebeard's 4-character base-36 step for the ``number``-th child."""
    digits = ""
    for _ in range(4):
        number, rest = divmod(number, 36)
        digits = ALPHABET[rest] + digits
    return parent_path + digits
