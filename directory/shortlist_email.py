"""Emailing the shortlist to the family. Sent at once, in the request: the address is never
stored (not in the database, not in a task queue's table, not in a log)."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string

from directory import display

# A neutral subject: someone else may see the inbox.
SUBJECT = "Your saved list"


def _item(service) -> dict:
    from directory.templatetags.directory_tags import absolute_url

    return {
        "title": service.title,
        "summary": service.summary,
        "phones": [(display.phone_action(p.type), p.number, p.description) for p in service.phones.all()],
        "email": service.email,
        "addresses": [", ".join(display.address_lines(loc)) for loc in service.public_locations()],
        "confidential": getattr(service, "has_confidential", False),
        "areas": [a.name for a in service.service_areas.all()],
        "url": absolute_url(service.get_url() or "/"),
    }


def send_shortlist(address: str, services) -> None:
    body = render_to_string(
        "directory/email/shortlist.txt",
        {"items": [_item(s) for s in services], "BASE_URL": settings.BASE_URL},
    )
    EmailMessage(SUBJECT, body, settings.DEFAULT_FROM_EMAIL, [address]).send()
