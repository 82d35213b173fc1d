"""Emails the directory sends. Each names the service and gives a link: no personal data
(the reporter's email address goes to the directory team only)."""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse

from directory import conf
from directory.editorial import MANAGER_GROUP


def directory_team():
    """Active users in the Directory manager group."""
    return get_user_model().objects.filter(is_active=True, groups__name=MANAGER_GROUP).distinct().order_by("pk")


def owners_of(page):
    """Active editors of the service's organisation (none if it has no organisation)."""
    if page.organisation_id is None:
        return get_user_model().objects.none()
    return page.organisation.editors.filter(is_active=True).order_by("pk")


def team_addresses() -> list[str]:
    addresses = [u.email for u in directory_team() if u.email]
    if conf.assurer_email() and conf.assurer_email() not in addresses:
        addresses.append(conf.assurer_email())
    return addresses


def send(template: str, subject: str, to: Iterable[str], context: dict) -> int:
    """Send ``templates/directory/email/<template>.txt`` and ``.html`` to each address
    separately (recipients never see each other)."""
    context = {"COUNCIL_NAME": settings.COUNCIL_NAME, **context}
    text = render_to_string(f"directory/email/{template}.txt", context)
    html = render_to_string(f"directory/email/{template}.html", context)
    count = 0
    for address in dict.fromkeys(a for a in to if a):
        message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, [address])
        message.attach_alternative(html, "text/html")
        message.send()
        count += 1
    return count


def admin_url(name: str, *args) -> str:
    return conf.base_url() + reverse(name, args=args)


def send_problem_report_emails(report) -> None:
    page = report.service
    context = {
        "service_name": page.title,
        "kind": report.get_kind_display(),
        "admin_link": admin_url("directory_problem_reports:edit", report.pk),
    }
    subject = f"Problem reported with the listing: {page.title}"
    team = team_addresses()
    owners = [u.email for u in owners_of(page) if u.email not in team]
    send("problem_report", subject, owners, {**context, "reporter_email": ""})
    send("problem_report", subject, team, {**context, "reporter_email": report.reporter_email, "for_team": True})
