"""What gets indexed about a service, built once for both backends. Only
``directory.selectors.public_services()`` are indexed, and only their NON-confidential
locations are ever loaded: a refuge's address and coordinates cannot reach an index."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from django.db.models import Prefetch

from directory.models import ClosureDate, CostOption, Location, Schedule, ServicePage
from directory.models.choices import AttendanceMode, HowToAccess, LevelOfNeed
from directory.selectors import public_services


@dataclass
class ServiceDocument:
    page_id: int
    title: str
    summary: str
    description: str
    taxonomy_names: list[str]
    organisation: str
    url: str
    status: str
    minimum_age: int | None
    maximum_age: int | None
    is_free: bool
    review_due_on: datetime.date | None
    tags: list[tuple[str, str]] = field(default_factory=list)
    locations: list[tuple[float, float]] = field(default_factory=list)
    openings: list[
        tuple[str, datetime.time | None, datetime.time | None, datetime.date | None, datetime.date | None]
    ] = field(default_factory=list)
    closures: list[tuple[datetime.date, datetime.date]] = field(default_factory=list)

    @property
    def taxonomy_text(self) -> str:
        return " ".join(self.taxonomy_names)

    def tag_values(self, dimension: str) -> list[str]:
        return [v for d, v in self.tags if d == dimension]


def document_queryset(page_ids: Iterable[int] | None = None):
    pages = (
        public_services()
        .select_related("organisation")
        .prefetch_related(
            "taxonomy_terms",
            Prefetch(
                "locations",
                queryset=Location.objects.filter(confidential=False, latitude__isnull=False, longitude__isnull=False),
                to_attr="indexable_locations",
            ),
            Prefetch("schedules", queryset=Schedule.objects.all()),
            Prefetch("closures", queryset=ClosureDate.objects.all()),
            Prefetch("cost_options", queryset=CostOption.objects.all()),
        )
    )
    if page_ids is not None:
        pages = pages.filter(pk__in=list(page_ids))
    return pages.order_by("pk")


def build(page: ServicePage) -> ServiceDocument:
    terms = list(page.taxonomy_terms.all())
    costs = list(page.cost_options.all())
    is_free = any(c.is_free for c in costs)  # "free only" finds services with a free option
    tags: list[tuple[str, str]] = [("category", str(t.oruk_id)) for t in terms]
    if is_free:
        tags.append(("free", "yes"))
    if page.how_to_access in (HowToAccess.SELF_REFERRAL, HowToAccess.BOTH):
        tags.append(("access", "self_referral"))
    if page.how_to_access in (HowToAccess.PROFESSIONAL_REFERRAL, HowToAccess.BOTH):
        tags.append(("access", "professional_referral"))
    tags += [("attend", m.value) for m in AttendanceMode if getattr(page, f"attend_{m.value}")]
    tags += [("need", n.value) for n in LevelOfNeed if getattr(page, f"need_{n.value}")]
    tags += [("language", code) for code in (page.languages or [])]
    openings = []
    for schedule in page.schedules.all():
        for code in schedule.days:
            day = code[-2:]
            openings.append((day, schedule.opens_at, schedule.closes_at, schedule.valid_from, schedule.valid_to))
    tags += [("day", d) for d in sorted({o[0] for o in openings})]
    return ServiceDocument(
        page_id=page.pk,
        title=page.title,
        summary=page.summary,
        description="\n".join(x for x in (page.description, page.eligibility_description) if x),
        taxonomy_names=[t.name for t in terms],
        organisation=page.organisation.name if page.organisation else "",
        url=page.url or "",
        status=page.status,
        minimum_age=page.minimum_age,
        maximum_age=page.maximum_age,
        is_free=is_free,
        review_due_on=page.review_due_on,
        tags=tags,
        locations=[(loc.latitude, loc.longitude) for loc in page.indexable_locations],
        openings=openings,
        closures=[(c.start_date, c.end_date) for c in page.closures.all()],
    )


def documents(page_ids: Iterable[int] | None = None, chunk: int = 500) -> Iterator[ServiceDocument]:
    queryset = document_queryset(page_ids)
    ids = list(queryset.values_list("pk", flat=True))
    for start in range(0, len(ids), chunk):
        for page in document_queryset(ids[start : start + chunk]):
            yield build(page)


def public_page_count() -> int:
    return public_services().count()
