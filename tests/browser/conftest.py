"""Browser tests: Playwright for Python driving Debian's Chromium (never a downloaded
browser) against a live server, with axe-core checking every page at WCAG 2.2 AA.

The pages are served with their real content security policy; axe is injected through the
DevTools protocol (``page.evaluate``), which the policy does not govern, and any CSP
violation the page itself causes fails the test.
"""

from __future__ import annotations

import functools
import json
import os
import re
from pathlib import Path

import pytest

CHROMIUM_PATH = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
AXE_PATH = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]

# Playwright's sync API keeps an event loop running in this thread; the ORM calls the tests
# make between page actions are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM_PATH).exists():
        message = f"Chromium is not installed at {CHROMIUM_PATH} (run `make browser-deps` or set CHROMIUM_PATH)"
        if os.environ.get("REQUIRE_BROWSER_TESTS"):
            pytest.fail(message)
        pytest.skip(message)
    if not AXE_PATH.exists():
        pytest.fail(f"axe-core is missing at {AXE_PATH}: run `make setup` (npm ci)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM_PATH, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@functools.cache
def _axe_source() -> str:
    return AXE_PATH.read_text() + "\n;undefined"


_SCRIPT_ELEMENT = re.compile(r"<script\b.*?</script>", re.IGNORECASE | re.DOTALL)
_NOSCRIPT_TAG = re.compile(r"</?noscript\b[^>]*>", re.IGNORECASE)


_IS_GOVUK_CONDITIONAL_REVEAL = """selector => {
  const input = document.querySelector(selector);
  if (!input || !['radio', 'checkbox'].includes(input.type)) return false;
  const target = document.getElementById(input.getAttribute('aria-controls') || '');
  return !!target && /govuk-(radios|checkboxes)__conditional/.test(target.className)
    && [...input.attributes].filter(a => a.name.startsWith('aria-'))
         .every(a => ['aria-expanded', 'aria-controls', 'aria-describedby'].includes(a.name));
}"""


def _run_axe(page) -> dict:
    page.evaluate(_axe_source())
    return page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        AXE_TAGS,
    )


class BrowserPage:
    """A page object wrapper: navigation relative to the live server, CSP and console error
    capture, axe checks and sign-in."""

    def __init__(self, page, base_url: str, *, javascript: bool = True, context_options: dict | None = None):
        self.page = page
        self.base_url = base_url
        self.javascript = javascript
        self.context_options = context_options or {}
        self.csp_violations: list[str] = []
        self.js_errors: list[str] = []
        page.on("console", self._on_console)
        page.on("pageerror", lambda exc: self.js_errors.append(str(exc)))

    def _on_console(self, message):
        text = message.text
        if "Content Security Policy" in text or "Content-Security-Policy" in text:
            self.csp_violations.append(text)

    def goto(self, path: str):
        response = self.page.goto(self.base_url + path)
        return response

    def check_accessibility(self, context: str = "") -> None:
        """Run axe-core on the current page and fail on any WCAG 2.2 AA violation, on a CSP
        violation or on a JavaScript error."""
        result = _run_axe(self.page) if self.javascript else self._run_axe_without_javascript()
        violations = [
            {
                "id": v["id"],
                "impact": v["impact"],
                "help": v["help"],
                "targets": [n["target"] for n in v["nodes"]][:5],
            }
            for v in result["violations"]
            if not self._is_govuk_conditional_reveal_finding(v)
        ]
        where = context or self.page.url
        assert not violations, f"axe found WCAG 2.2 AA violations on {where}:\n{json.dumps(violations, indent=2)}"
        assert not self.csp_violations, f"Content security policy violations on {where}: {self.csp_violations}"
        assert not self.js_errors, f"JavaScript errors on {where}: {self.js_errors}"

    def _is_govuk_conditional_reveal_finding(self, violation: dict) -> bool:
        """GOV.UK Frontend's own script puts aria-expanded on a radio or checkbox that reveals a
        conditional question. ARIA does not allow it on those roles, so axe reports it, but
        GOV.UK keeps it on purpose after research with screen reader users (a known issue:
        https://github.com/alphagov/govuk-frontend/issues/979). That one finding, on exactly
        those inputs, is allowed; every other violation fails."""
        if violation["id"] != "aria-allowed-attr" or not self.javascript:
            return False
        return all(
            len(node["target"]) == 1 and self.page.evaluate(_IS_GOVUK_CONDITIONAL_REVEAL, node["target"][0])
            for node in violation["nodes"]
        )

    def _run_axe_without_javascript(self) -> dict:
        """axe needs JavaScript, and with it switched off ``axe.run`` never finishes. So the
        page as this browser has it (the server's markup: no script has run) is checked in a
        second page, with the same screen size, that is served that markup with every script
        taken out and ``<noscript>`` content shown, as a browser without JavaScript shows it.
        Stylesheets and images still load from the live server, so colour contrast is real."""
        html = _NOSCRIPT_TAG.sub("", _SCRIPT_ELEMENT.sub("", self.page.content()))
        url = self.page.url
        context = self.page.context.browser.new_context(**{**self.context_options, "java_script_enabled": True})
        try:
            checker = context.new_page()

            def serve_markup(route):
                if route.request.url == url and route.request.resource_type == "document":
                    route.fulfill(status=200, content_type="text/html; charset=utf-8", body=html)
                else:
                    route.continue_()

            checker.route("**/*", serve_markup)
            checker.goto(url)
            return _run_axe(checker)
        finally:
            context.close()

    def sign_in(self, email: str, password: str) -> None:
        self.goto("/accounts/login/")
        self.page.get_by_label("Email address").fill(email)
        self.page.get_by_label("Password", exact=True).fill(password)
        self.page.get_by_role("button", name="Sign in").click()
        self.page.wait_for_load_state()


DESKTOP = {"viewport": {"width": 1280, "height": 900}, "locale": "en-GB"}
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "locale": "en-GB"}


@pytest.fixture
def open_browser_page(browser, live_server):
    """``open_browser_page(**context_options)`` opens a page in a fresh browser context (its
    own cookies: another person, or the same person on another device). Options are
    Playwright's ``new_context`` ones, on top of the desktop defaults; every context opened is
    closed after the test."""
    contexts = []

    def open_page(**options) -> BrowserPage:
        options = {**DESKTOP, **options}
        context = browser.new_context(**options)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        return BrowserPage(
            page, live_server.url, javascript=options.get("java_script_enabled", True), context_options=options
        )

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def site(db):
    """The demo site: home page, content pages (the accessibility statement among them) and
    the council's details in the header and footer."""
    from portal.home.demo import build_page_tree

    return build_page_tree()


@pytest.fixture
def browser_page(open_browser_page):
    return open_browser_page()


@pytest.fixture
def phone_page(open_browser_page):
    return open_browser_page(**PHONE)
