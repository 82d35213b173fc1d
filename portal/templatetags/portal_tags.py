"""Template tags shared by every template: site settings, the service navigation,
notification banners, pagination and GOV.UK typography for rich text."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django import template
from django.contrib.messages import constants as message_constants
from django.urls import NoReverseMatch, reverse
from django.utils.safestring import mark_safe

register = template.Library()


@register.simple_tag
def url_or_none(name: str, *args, **kwargs) -> str | None:
    """``{% url_or_none "services" as services_url %}``: the URL, or None while no app
    provides that URL name yet."""
    try:
        return reverse(name, args=args, kwargs=kwargs)
    except NoReverseMatch:
        return None


@register.simple_tag(takes_context=True)
def site_settings(context):
    """``{% site_settings as site %}``: the current site's SiteSettings, or None when there is
    no request (the 500 page is rendered without one) or no site matches it."""
    request = context.get("request")
    if request is None:
        return None
    from portal.home.models import SiteSettings

    try:
        return SiteSettings.for_request(request)
    except SiteSettings.DoesNotExist:
        return None


@dataclass(frozen=True)
class NavItem:
    text: str
    href: str
    current: bool = False  # this page
    active: bool = False  # a page in this section


@register.inclusion_tag("components/service_navigation.html", takes_context=True)
def service_navigation(context, service_name: str):
    request = context.get("request")
    path = getattr(request, "path", "")
    user = getattr(request, "user", None)
    items = []
    for text, url_name in (("Find a service", "services"), ("For professionals", "portal_home")):
        href = url_or_none(url_name)
        if href:
            items.append(NavItem(text, href, current=path == href, active=path.startswith(href)))
    signed_in = bool(user and user.is_authenticated)
    if not signed_in and (login_url := url_or_none("account_login")):
        items.append(NavItem("Sign in", login_url, current=path == login_url))
    logout_url = url_or_none("account_logout") if signed_in else None
    return {
        "service_name": service_name,
        "items": items,
        "logout_url": logout_url,
        "collapse_on_mobile": len(items) + bool(logout_url) > 1,
        "csrf_token": context.get("csrf_token"),
    }


@register.simple_tag
def notification_groups(messages) -> list[tuple[bool, list]]:
    """Split messages into (is_success, messages) groups: successes first, then the rest."""
    if not messages:
        return []
    messages = list(messages)
    success = [m for m in messages if m.level == message_constants.SUCCESS]
    other = [m for m in messages if m.level != message_constants.SUCCESS]
    return [(is_success, group) for is_success, group in ((True, success), (False, other)) if group]


@register.simple_tag
def elided_page_range(page_obj, on_each_side: int = 1, on_ends: int = 1):
    return list(page_obj.paginator.get_elided_page_range(page_obj.number, on_each_side=on_each_side, on_ends=on_ends))


@register.filter
def any_href(rows) -> bool:
    def href(row):
        return row.get("href") if isinstance(row, dict) else getattr(row, "href", None)

    return any(href(row) for row in rows or ())


@register.filter
def tel_href(phone) -> str:
    """``0191 498 0123 (demo number)`` -> ``tel:01914980123``; empty if there are no digits."""
    digits = re.sub(r"[^\d+]", "", str(phone or "").split("(")[0])
    return f"tel:{digits}" if digits else ""


_RICH_TEXT_CLASSES = {
    "p": "govuk-body",
    "h2": "govuk-heading-l",
    "h3": "govuk-heading-m",
    "h4": "govuk-heading-s",
    "ul": "govuk-list govuk-list--bullet",
    "ol": "govuk-list govuk-list--number",
    "a": "govuk-link",
    "hr": "govuk-section-break govuk-section-break--m govuk-section-break--visible",
}
_RICH_TEXT_TAG = re.compile(r"<({})(?=[\s>/])(?![^>]*\sclass=)".format("|".join(_RICH_TEXT_CLASSES)))


@register.filter(is_safe=True)
def govuk_rich_text(html) -> str:
    """Add GOV.UK typography classes to rich text from the Wagtail editor (which writes
    plain <p>, <h2>, <ul>, <a> and so on). Tags that already have a class are left alone."""
    html = str(html or "")
    return mark_safe(_RICH_TEXT_TAG.sub(lambda m: f'<{m[1]} class="{_RICH_TEXT_CLASSES[m[1]]}"', html))
