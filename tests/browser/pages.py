"""Page objects for the foundation's journeys, and the few helpers they share.

Each page object wraps a :class:`tests.browser.conftest.BrowserPage` (``bp``) and knows one
page as a professional meets it: its heading, what they fill in and press, and what it tells
them back. They find things the way a person using a screen reader would, by role and label,
so a page that loses a label or a heading breaks the test as it would break the journey.
"""

from __future__ import annotations

import re
import time
from urllib.parse import urlsplit

from playwright.sync_api import Locator

# --- Helpers ------------------------------------------------------------------------------


def text_of(locator: Locator) -> str:
    return " ".join(locator.inner_text().split())


def totp_code(secret: str) -> str:
    """The code an authenticator app shows now for ``secret``, as allauth computes it.

    allauth accepts only the current 30-second period (no tolerance), so near the end of a
    period this waits for the next one: the code must still be current when the server checks
    it."""
    from allauth.mfa import app_settings
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    period = app_settings.TOTP_PERIOD
    if period - time.time() % period < 3:
        time.sleep(period - time.time() % period + 0.1)
    return format_hotp_value(hotp_value(secret, int(time.time()) // period))


def wrong_totp_code(secret: str) -> str:
    """A six-digit code that is not the current one."""
    right = totp_code(secret)
    return f"{(int(right) + 1) % 1_000_000:06d}"


def link_in(message, fragment: str) -> str:
    """The first link in an email's text body whose address contains ``fragment``."""
    for url in re.findall(r"https?://\S+", message.body):
        if fragment in url:
            return url
    raise AssertionError(f"No link containing {fragment!r} in the email:\n{message.body}")


def path_of(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


# --- Every page -----------------------------------------------------------------------------


class GovUKPage:
    """What every page in the service has: a title, one <h1>, an error summary when a form
    went wrong, notification banners, and the service navigation."""

    def __init__(self, bp):
        self.bp = bp
        self.page = bp.page

    @property
    def heading(self) -> str:
        h1 = self.page.locator("h1")
        assert h1.count() == 1, f"expected one <h1> on {self.page.url}, found {h1.count()}"
        return text_of(h1)

    @property
    def title(self) -> str:
        return self.page.title()

    @property
    def path(self) -> str:
        return path_of(self.page.url)

    # Error summary -------------------------------------------------------------------------
    @property
    def error_summary(self) -> Locator:
        return self.page.locator(".govuk-error-summary:not([hidden])")

    def error_messages(self) -> list[str]:
        return [text_of(item) for item in self.error_summary.locator(".govuk-error-summary__list li").all()]

    def assert_errors(self, *expected: str) -> None:
        """The page is in its error state the GOV.UK way: "Error: " in the title, the error
        summary showing each message (and each linked to its field), and the keyboard focus
        moved to the summary so that a screen reader announces it."""
        assert self.title.startswith("Error: "), self.title
        assert self.error_summary.is_visible()
        messages = self.error_messages()
        for message in expected:
            assert any(message in m for m in messages), f"{message!r} not in the error summary {messages}"
        if self.page.evaluate("() => document.body.classList.contains('govuk-frontend-supported')"):
            focused = self.page.evaluate(
                "() => document.activeElement && document.activeElement.classList.contains('govuk-error-summary')"
            )
            assert focused, "the error summary did not take the keyboard focus"
        for link in self.error_summary.locator("a").all():
            target = link.get_attribute("href")
            assert target.startswith("#") and self.page.locator(target).count() == 1, f"{target} goes nowhere"

    def inline_error(self, label: str) -> str:
        """The error message shown with the field labelled ``label``."""
        field = self.page.get_by_label(label, exact=True)
        described_by = (field.get_attribute("aria-describedby") or "").split()
        for element_id in described_by:
            element = self.page.locator(f"#{element_id}")
            if "govuk-error-message" in (element.get_attribute("class") or ""):
                return text_of(element)
        raise AssertionError(f"{label!r} has no error message linked to it")

    def group_error(self, legend: str) -> str:
        """The error message of the fieldset (date, radios, checkboxes) with ``legend``,
        checked to be linked to the fieldset so a screen reader reads it with the legend."""
        group = self.page.get_by_role("group", name=legend)
        message = group.locator(".govuk-error-message")
        assert message.get_attribute("id") in (group.get_attribute("aria-describedby") or "").split()
        return text_of(message)

    def assert_fits_the_screen(self) -> None:
        """Nothing makes the whole page scroll sideways (WCAG 1.4.10 Reflow, which axe cannot
        check). Wide tables may scroll inside their own box."""
        # clientWidth is the layout viewport; a phone browser's innerWidth grows with the page.
        overflow = self.page.evaluate(
            "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"{self.page.url} is {overflow}px wider than the screen"

    # Messages --------------------------------------------------------------------------------
    def banner(self) -> str:
        banner = self.page.locator(".govuk-notification-banner")
        return text_of(banner.first) if banner.count() else ""

    # Service navigation ----------------------------------------------------------------------
    @property
    def navigation(self) -> Locator:
        return self.page.get_by_role("navigation", name="Menu")

    def navigation_items(self) -> list[str]:
        """The links and buttons in the service navigation (also when folded behind "Menu"
        on a phone)."""
        items = self.navigation.locator(".govuk-service-navigation__item").all()
        return [" ".join(item.text_content().split()) for item in items]

    def sign_out(self) -> None:
        menu_toggle = self.navigation.get_by_role("button", name="Menu")
        if menu_toggle.is_visible() and menu_toggle.get_attribute("aria-expanded") != "true":
            menu_toggle.click()
        self.navigation.get_by_role("button", name="Sign out").click()
        self.page.wait_for_load_state()

    def check_accessibility(self, context: str) -> None:
        self.bp.check_accessibility(context)


# --- Signing in ---------------------------------------------------------------------------


class SignInPage(GovUKPage):
    path_ = "/accounts/login/"

    def open(self, next_path: str = "") -> SignInPage:
        self.bp.goto(self.path_ + (f"?next={next_path}" if next_path else ""))
        assert self.heading == "Sign in"
        return self

    def sign_in(self, email: str, password: str) -> None:
        self.page.get_by_label("Email address").fill(email)
        self.page.get_by_label("Password", exact=True).fill(password)
        self.page.get_by_role("button", name="Sign in").click()
        self.page.wait_for_load_state()


class SecurityCodePage(GovUKPage):
    """The second step of signing in, for a professional with an authenticator app."""

    def assert_here(self) -> SecurityCodePage:
        assert self.path.startswith("/accounts/2fa/authenticate/"), self.page.url
        assert self.heading == "Enter your security code"
        return self

    def enter(self, code: str) -> None:
        self.page.get_by_label("Security code").fill(code)
        self.page.get_by_role("button", name="Continue").click()
        self.page.wait_for_load_state()


# --- The professional portal ----------------------------------------------------------------


class PortalHomePage(GovUKPage):
    def assert_here(self) -> PortalHomePage:
        assert self.path == "/portal/", self.page.url
        assert self.heading == "Professional portal"
        return self

    def role_names(self) -> list[str]:
        return [text_of(title) for title in self.page.locator(".govuk-summary-card__title").all()]

    def card_titles(self) -> list[str]:
        return [text_of(link) for link in self.page.locator(".app-link-list__item h3 a").all()]

    def follow_card(self, title: str) -> None:
        self.page.get_by_role("link", name=title, exact=True).click()
        self.page.wait_for_load_state()


class UsersPage(GovUKPage):
    def assert_here(self) -> UsersPage:
        assert self.path == "/portal/users/", self.page.url
        assert self.heading == "Professionals and invitations"
        return self

    def start_invitation(self) -> None:
        self.page.get_by_role("button", name="Invite a professional").click()
        self.page.wait_for_load_state()

    def invitations_table(self) -> Locator:
        return self.page.get_by_role("table", name="Invitations not yet accepted")


class InvitePage(GovUKPage):
    def assert_here(self) -> InvitePage:
        assert self.path == "/portal/users/invite/", self.page.url
        assert self.heading == "Invite a professional"
        return self

    def fill(self, *, email: str = "", first_name: str = "", last_name: str = "", roles: tuple[str, ...] = ()) -> None:
        self.page.get_by_label("Email address").fill(email)
        self.page.get_by_label("First name").fill(first_name)
        self.page.get_by_label("Last name").fill(last_name)
        for role in roles:
            self.page.get_by_role("group", name="Roles").get_by_label(role, exact=True).check()

    def send(self) -> None:
        self.page.get_by_role("button", name="Send invitation").click()
        self.page.wait_for_load_state()

    def value(self, label: str) -> str:
        return self.page.get_by_label(label, exact=True).input_value()

    def checked_roles(self) -> list[str]:
        group = self.page.get_by_role("group", name="Roles")
        return [
            text_of(group.locator(f"label[for='{box.get_attribute('id')}']"))
            for box in group.get_by_role("checkbox").all()
            if box.is_checked()
        ]


class AcceptInvitationPage(GovUKPage):
    def assert_here(self) -> AcceptInvitationPage:
        assert self.path.startswith("/accounts/invitation/"), self.page.url
        assert self.heading == "Set up your account"
        return self

    def details(self) -> dict[str, str]:
        rows = self.page.locator(".govuk-summary-list__row").all()
        return {
            text_of(row.locator(".govuk-summary-list__key")): text_of(row.locator(".govuk-summary-list__value"))
            for row in rows
        }

    def choose_password(self, password: str, confirm: str | None = None, *, job_title: str = "") -> None:
        if job_title:
            self.page.get_by_label("Job title (optional)").fill(job_title)
        self.page.get_by_label("Create a password").fill(password)
        self.page.get_by_label("Confirm your password").fill(password if confirm is None else confirm)
        self.page.get_by_role("button", name="Create account").click()
        self.page.wait_for_load_state()


# --- Two-factor authentication --------------------------------------------------------------


class TwoFactorPage(GovUKPage):
    """/accounts/2fa/: where a professional without a second factor is sent."""

    def assert_here(self) -> TwoFactorPage:
        assert self.path.startswith("/accounts/2fa/"), self.page.url
        assert self.heading == "Two-factor authentication"
        return self

    def set_up_authenticator_app(self) -> None:
        self.page.get_by_role("button", name="Set up an authenticator app").click()
        self.page.wait_for_load_state()


class ActivateAuthenticatorPage(GovUKPage):
    def assert_here(self) -> ActivateAuthenticatorPage:
        assert self.path.startswith("/accounts/2fa/totp/activate/"), self.page.url
        assert self.heading == "Set up an authenticator app"
        return self

    def secret(self) -> str:
        """The set-up key, as a person who cannot scan the QR code reads it."""
        self.page.get_by_text("I cannot scan the QR code").click()
        key = self.page.locator("#authenticator-secret")
        assert key.is_visible()
        return text_of(key).replace(" ", "")

    def enter_code(self, code: str) -> None:
        self.page.get_by_label("Enter the 6-digit code the app shows").fill(code)
        self.page.get_by_role("button", name="Continue").click()
        self.page.wait_for_load_state()


class RecoveryCodesPage(GovUKPage):
    def assert_here(self) -> RecoveryCodesPage:
        assert self.path.startswith("/accounts/2fa/recovery-codes/"), self.page.url
        assert self.heading == "Your recovery codes"
        return self

    def codes(self) -> list[str]:
        return [
            text_of(item) for item in self.page.get_by_role("list", name="Unused recovery codes").locator("li").all()
        ]

    def continue_(self) -> None:
        self.page.get_by_role("button", name="Continue").click()
        self.page.wait_for_load_state()


# --- Audit log ------------------------------------------------------------------------------


class AuditLogPage(GovUKPage):
    def open(self, query: str = "") -> AuditLogPage:
        self.bp.goto("/portal/audit/" + (f"?{query}" if query else ""))
        return self.assert_here()

    def assert_here(self) -> AuditLogPage:
        assert self.path.startswith("/portal/audit/"), self.page.url
        assert self.heading == "Audit log"
        return self

    def filter(
        self,
        *,
        user_email: str | None = None,
        action: str | None = None,
        date_from: tuple[str, str, str] | None = None,
        date_to: tuple[str, str, str] | None = None,
    ) -> None:
        if user_email is not None:
            self.page.get_by_label("User email address contains (optional)").fill(user_email)
        if action is not None:
            self.page.get_by_label("Action (optional)").select_option(label=action)
        for legend, date in (("From (optional)", date_from), ("To (optional)", date_to)):
            if date is not None:
                group = self.page.get_by_role("group", name=legend)
                for label, value in zip(("Day", "Month", "Year"), date, strict=True):
                    group.get_by_label(label).fill(value)
        self.page.get_by_role("button", name="Apply filters").click()
        self.page.wait_for_load_state()

    def results_heading(self) -> str:
        return text_of(self.page.locator("h2.govuk-heading-m").last)

    def rows(self) -> list[list[str]]:
        table = self.page.get_by_role("table")
        return [[text_of(cell) for cell in row.locator("td").all()] for row in table.locator("tbody tr").all()]


# --- Early help assessment ------------------------------------------------------------------


class AssessmentStepPage(GovUKPage):
    """One question page of the early help assessment wizard. Fields are found by their
    posted names (``<step>-<field>``), as the wizard's forms are prefixed with the step name;
    radios and checkboxes are chosen by value, so a conditional reveal opens as a person's
    click would open it."""

    def fill(self, step: str, answers: dict) -> AssessmentStepPage:
        for name, value in answers.items():
            values = value if isinstance(value, list) else [value]
            field = self.page.locator(f'[name="{step}-{name}"]')
            kind = field.first.get_attribute("type") if field.count() else None
            if kind in ("radio", "checkbox"):
                for item in values:
                    self.page.locator(f'[name="{step}-{name}"][value="{item}"]').check()
            elif field.count():
                field.first.fill(str(values[0]))
            else:
                raise AssertionError(f"No field {step}-{name} on {self.page.url}")
        return self

    def continue_(self) -> None:
        self.page.get_by_role("button", name="Continue", exact=True).click()
        self.page.wait_for_load_state()

    def save_and_come_back_later(self) -> None:
        self.page.get_by_role("button", name="Save and come back later").click()
        self.page.wait_for_load_state()


class AssessmentTaskListPage(GovUKPage):
    def status_of(self, task: str) -> str:
        item = self.page.locator(".govuk-task-list__item", has_text=task).first
        return text_of(item.locator(".govuk-task-list__status"))

    def open_task(self, task: str) -> None:
        self.page.get_by_role("link", name=task, exact=True).first.click()
        self.page.wait_for_load_state()
