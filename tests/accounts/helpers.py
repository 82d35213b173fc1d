"""Helpers for the accounts tests: reading GOV.UK pages and making TOTP codes."""

from __future__ import annotations

import time

from bs4 import BeautifulSoup


def page(response) -> BeautifulSoup:
    return BeautifulSoup(response.content.decode(), "html.parser")


def text(element) -> str:
    return " ".join(element.get_text(" ").split()) if element is not None else ""


def h1(response) -> str:
    return text(page(response).find("h1"))


def error_summary(response) -> list[str]:
    """The messages in the GOV.UK error summary, or [] when there is none."""
    summary = page(response).select_one(".govuk-error-summary")
    if summary is None:
        return []
    return [text(li) for li in summary.select(".govuk-error-summary__list li")]


def field_value(response, name: str) -> str | None:
    element = page(response).find(attrs={"name": name})
    return None if element is None else element.get("value")


def totp_code(secret: str, *, at: float | None = None) -> str:
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    return format_hotp_value(hotp_value(secret, int(at if at is not None else time.time()) // 30))


def sign_in(client, email: str, password: str, **extra):
    return client.post("/accounts/login/", {"login": email, "password": password, **extra})
