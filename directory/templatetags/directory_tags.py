"""Template tags for the family-facing directory pages (the service page, the directory
index and the shortlist). The wording lives in directory.display; the queries in
directory.selectors."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import quote, urlencode

from django import template
from django.conf import settings
from django.urls import NoReverseMatch, reverse

from directory import display, selectors
from directory.shortlist import Shortlist

register = template.Library()

SAFE_EXIT_URL = "https://www.bbc.co.uk/weather"


def absolute_url(path: str) -> str:
    """The public address of a path, from BASE_URL (never from the request's Host header)."""
    if path.startswith(("http://", "https://")):
        return path
    return settings.BASE_URL.rstrip("/") + "/" + path.lstrip("/")


def category_search_url(term) -> str | None:
    """The family search filtered to one category, or None while the search page is absent."""
    try:
        base = reverse("services")
    except NoReverseMatch:
        return None
    return f"{base}?{urlencode({'category': term.code or str(term.oruk_id)})}"


@dataclass
class ServiceDetails:
    service: object
    sensitive: bool
    in_shortlist: bool
    share_url: str
    mailto_url: str
    ages: str
    levels: str
    costs: list[str]
    access: str
    attendance: str
    schedules: list[tuple[str, str]]
    closures: list[str]
    closed_now: str
    locations: list[tuple[list[str], str]]
    confidential: bool
    areas: list[str]
    languages: list[str]
    categories: list[tuple[str, str | None]] = field(default_factory=list)
    last_checked: str = ""


@register.simple_tag(takes_context=True)
def service_details(context, page) -> ServiceDetails:
    """``{% service_details page as details %}``: everything the service page shows. Worked
    out once per page object, so each template block can ask for it again for nothing."""
    cached = getattr(page, "_family_details", None)
    if cached is not None:
        return cached
    request = context.get("request")
    # A preview in the admin shows the draft being edited, held in memory.
    preview = page.pk is None or getattr(request, "is_preview", False)
    service = page if preview else selectors.service_page_details(page)
    confidential = service.has_confidential_location()
    service.has_confidential = confidential
    today_closures = display.upcoming_closures(service.closures.all())
    closed_now = next((display.closure_words(c) for c in today_closures if c.covers()), "")
    share_url = absolute_url(page.get_url(request) or page.url_path)
    subject = f"{page.title}"
    body = f"{page.title}: {share_url}"
    details = ServiceDetails(
        service=service,
        sensitive=selectors.is_domestic_abuse_service(service),
        in_shortlist=request is not None and page.pk in Shortlist(request).ids,
        share_url=share_url,
        mailto_url=f"mailto:?subject={quote(subject)}&body={quote(body)}",
        ages=display.age_words(service.minimum_age, service.maximum_age),
        levels=display.levels_words(service.levels_of_need),
        costs=display.cost_words(service.cost_options.all()),
        access=display.access_words(service.how_to_access),
        attendance=display.attendance_words(service.attendance_modes),
        schedules=[
            (display.schedule_words(s), s.description) for s in display.current_schedules(service.schedules.all())
        ],
        closures=[display.closure_words(c) for c in today_closures if not c.covers()],
        closed_now=closed_now,
        locations=[(display.address_lines(loc), loc.accessibility) for loc in service.public_locations()],
        confidential=confidential,
        areas=[area.name for area in service.service_areas.all()],
        languages=display.language_names(service.languages),
        categories=[(t.name, category_search_url(t)) for t in service.taxonomy_terms.all()],
        last_checked=display.long_date(service.assured_date),
    )
    page._family_details = details
    return details


@register.simple_tag(takes_context=True)
def shortlist_count(context) -> int:
    request = context.get("request")
    return len(Shortlist(request).ids) if request is not None and hasattr(request, "session") else 0


@register.filter
def schedule_words(schedule) -> str:
    return display.schedule_words(schedule)


@register.filter
def address_lines(location) -> list[str]:
    return display.address_lines(location)


@register.filter
def phone_action(phone_type) -> str:
    return display.phone_action(phone_type)


@register.filter
def sms_href(number) -> str:
    from portal.templatetags.portal_tags import tel_href

    href = tel_href(number)
    return "sms:" + href.removeprefix("tel:") if href else ""


@register.simple_tag
def safe_exit_url() -> str:
    return SAFE_EXIT_URL


@register.simple_tag
def categories_with_links():
    """[(term, services, search url or None)] for the directory index."""
    return [(term, services, category_search_url(term)) for term, services in selectors.category_groups()]
