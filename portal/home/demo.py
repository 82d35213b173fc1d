"""Demo content for a Sunderland early help portal: the home page, the accessibility
statement, privacy notice, cookies page and "Worried about a child", and the council's
details. ``build_page_tree()`` is idempotent: it creates what is missing and never changes
what exists, so editors' changes survive a second run.

Phone numbers marked "demo number" are in Ofcom's range kept for drama (0191 498 0xxx), so
they reach no one: replace them with the council's own before going live.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import transaction

from wagtail.coreutils import get_supported_content_language_variant
from wagtail.models import Locale, Page, Site

from .models import HomePage, SiteSettings, StandardPage

COUNCIL = "Sunderland City Council"
SERVICE = "Early help and family support"
EMAIL = "early.help@example.org"
FRONT_DOOR = "0191 498 0123"
OUT_OF_HOURS = "0191 498 0456"
EARLY_HELP_TEAM = "0191 498 0789"

SITE_DETAILS = {
    "council_name": COUNCIL,
    "service_name": SERVICE,
    "contact_email": EMAIL,
    "contact_phone": f"{EARLY_HELP_TEAM} (demo number)",
    "opening_hours": "Monday to Friday, 8:30am to 5pm",
    "contact_address": "Early Help Service\nSunderland City Council\nCity Hall\nPlater Way\nSunderland\nSR1 3AA",
}


def build_page_tree() -> HomePage:
    """Make a HomePage the root of the default site, with its content pages, and fill in
    the site's council details. Safe to run any number of times."""
    with transaction.atomic():
        site = Site.objects.filter(is_default_site=True).first()
        home = HomePage.objects.first()
        created = home is None
        if created:
            home = _add_page(_tree_root(), HomePage(title=f"{SERVICE} in Sunderland", slug="early-help"))
        _make_site_root(site, home)

        pages = {slug: _child_page(home, slug, title, body) for slug, title, body in _content_pages()}
        if created:
            home.body = _home_body(worried=pages["worried-about-a-child"])
            home.save_revision().publish()

        _fill_site_settings(
            SiteSettings.for_site(Site.objects.get(root_page=home)),
            accessibility_statement=pages["accessibility-statement"],
            privacy_notice=pages["privacy-notice"],
            cookies_page=pages["cookies"],
        )
    return home


def _tree_root() -> Page:
    root = Page.get_first_root_node()
    if root is None:
        # A flushed database (as TransactionTestCase leaves it) has lost the root page and
        # locale that Wagtail's migrations create.
        Locale.objects.get_or_create(language_code=get_supported_content_language_variant(settings.LANGUAGE_CODE))
        root = Page.add_root(instance=Page(title="Root", slug="root"))
    return root


def _add_page(parent: Page, page: Page, body=None) -> Page:
    if body is not None:
        page.body = body
    parent.add_child(instance=page)
    page.save_revision().publish()
    return page


def _make_site_root(site: Site | None, home: HomePage) -> None:
    if site is None:
        Site.objects.create(hostname="localhost", port=80, root_page=home, is_default_site=True, site_name=SERVICE)
        return
    if site.root_page_id == home.pk:
        return
    previous = site.root_page
    site.root_page = home
    site.save()
    # Wagtail's "Welcome to your new Wagtail site!" page: a bare Page with nothing under it.
    if previous.specific_class is Page and previous.depth == 2 and not previous.get_children().exists():
        previous.delete()


def _child_page(home: HomePage, slug: str, title: str, body: list) -> StandardPage:
    existing = StandardPage.objects.child_of(home).filter(slug=slug).first()
    return existing or _add_page(home, StandardPage(title=title, slug=slug), body)


def _fill_site_settings(site_settings: SiteSettings, **pages: Page) -> None:
    changed = False
    for field, value in {**SITE_DETAILS, **pages}.items():
        if not getattr(site_settings, field):
            setattr(site_settings, field, value)
            changed = True
    if changed:
        site_settings.save()


def _block(kind: str, value) -> dict:
    return {"type": kind, "value": value}


def _contact(name: str, phone: str, description: str) -> dict:
    return {"name": name, "phone": phone, "description": description}


POLICE = _contact("Police", "999", "If someone is in immediate danger. For anything else, call 101.")
DOMESTIC_ABUSE = _contact(
    "National Domestic Abuse Helpline",
    "0808 2000 247",
    "Free and confidential advice for anyone affected by domestic abuse, 24 hours a day, every day.",
)
CHILDRENS_SERVICES = _contact(
    "Sunderland children's services (Integrated Front Door)",
    f"{FRONT_DOOR} (demo number)",
    "If you are worried about a child's safety. Monday to Friday, 8:30am to 5pm.",
)
OUT_OF_HOURS_TEAM = _contact(
    "Out-of-hours emergency duty team",
    f"{OUT_OF_HOURS} (demo number)",
    "Evenings, weekends and bank holidays, if a child is at risk and it cannot wait.",
)
CHILDLINE = _contact("Childline", "0800 1111", "For children and young people. Free, confidential, open any time.")
NSPCC = _contact("NSPCC helpline", "0808 800 5000", "For adults worried about a child, Monday to Friday, 8am to 10pm.")


def _home_body(worried: Page) -> list[dict]:
    return [
        _block(
            "intro",
            "Find support for your family in Sunderland: family hubs, parenting groups, help with money, "
            "housing, mental health, and support if you are affected by domestic abuse.",
        ),
        _block(
            "warning",
            "If you or a child are in immediate danger, call 999. If you cannot speak, call 999 from a mobile, "
            "listen to the operator, then press 55.",
        ),
        _block(
            "contacts",
            {"heading": "Get help now", "contacts": [POLICE, DOMESTIC_ABUSE, CHILDRENS_SERVICES, OUT_OF_HOURS_TEAM]},
        ),
        _block(
            "links",
            {
                "heading": "Find services",
                "introduction": "Services in the directory are free or low cost. Many you can contact yourself, "
                "without a referral.",
                "links": [
                    {
                        "title": "Search for a service",
                        "description": "Support near you by postcode or by what you need help with, from baby groups "
                        "to debt advice.",
                        "page": None,
                        "url": "/services/",
                    },
                    {
                        "title": "Worried about a child",
                        "description": "What to do if you think a child is being harmed or is at risk, and who to call.",
                        "page": worried.pk,
                        "url": "",
                    },
                ],
            },
        ),
        _block(
            "professionals",
            {
                "heading": "For professionals",
                "text": "<p>If you work with children and families in Sunderland – in a school, in health, in the "
                "police or in early help – sign in to complete early help assessments, receive Operation Encompass "
                "notifications and follow up the families you support.</p><p>Accounts are by invitation. Ask an "
                "administrator in your organisation if you need one.</p>",
                "link_text": "Sign in to the professional portal",
                "link_url": "/portal/",
            },
        ),
    ]


def _duration(seconds: int) -> str:
    if seconds % (7 * 86400) == 0:
        weeks = seconds // (7 * 86400)
        return "1 year" if weeks == 52 else f"{weeks} weeks"
    return f"{seconds // 86400} days"


def _content_pages() -> list[tuple[str, str, list[dict]]]:
    return [
        ("worried-about-a-child", "Worried about a child", _worried_body()),
        ("accessibility-statement", "Accessibility statement", _accessibility_body()),
        ("privacy-notice", "Privacy notice", _privacy_body()),
        ("cookies", "Cookies", _cookies_body()),
    ]


def _worried_body() -> list[dict]:
    return [
        _block(
            "intro",
            "If you think a child is being harmed, or is at risk of harm, tell someone. You do not need to be sure.",
        ),
        _block("warning", "If a child is in immediate danger, call 999."),
        _block("contacts", {"heading": "Who to call", "contacts": [CHILDRENS_SERVICES, OUT_OF_HOURS_TEAM, NSPCC]}),
        _block(
            "text",
            "<h2>What happens when you call</h2>"
            "<p>A social worker will ask what you have seen or heard, and what you know about the child and their "
            "family. Tell them as much as you can. You can ask them not to tell the family who called.</p>"
            "<p>They will decide with you what should happen next. That might be a visit from a social worker, or "
            "support for the family from an early help worker.</p>"
            "<h2>If you are a child or young person</h2>"
            "<p>You can talk to a teacher or another adult you trust, or call Childline free on 0800 1111 at any "
            "time. The number will not show on your phone bill.</p>"
            "<h2>If your family needs some help</h2>"
            "<p>If nobody is in danger but things are hard at home, early help can support the whole family. "
            '<a href="/services/">Search for a service</a> or ask your child\'s school, health visitor or GP.</p>',
        ),
    ]


def _accessibility_body() -> list[dict]:
    today = datetime.date.today()
    prepared_on = f"{today.day} {today:%B %Y}"
    return [
        _block(
            "intro",
            f"This statement applies to the {SERVICE.lower()} website run by {COUNCIL}, including its service "
            "directory and the professional portal.",
        ),
        _block(
            "text",
            "<p>We want as many people as possible to be able to use this website. For example, you should be able "
            "to:</p><ul>"
            "<li>change colours, contrast levels and fonts using browser or device settings</li>"
            "<li>zoom in up to 400% without the text spilling off the screen</li>"
            "<li>get around the whole website using just a keyboard or speech recognition software</li>"
            "<li>listen to the website using a screen reader, including recent versions of JAWS, NVDA and "
            "VoiceOver</li>"
            "<li>use the website without JavaScript</li></ul>"
            "<p>We have also made the text as simple as possible to understand.</p>"
            '<p><a href="https://mcmw.abilitynet.org.uk/">AbilityNet has advice on making your device easier to '
            "use</a> if you have a disability.</p>"
            "<h2>How accessible this website is</h2>"
            "<p>The website is built with the GOV.UK Design System, whose components are tested with disabled people "
            "and assistive technologies, to meet the Web Content Accessibility Guidelines (WCAG) version 2.2 at "
            "level AA.</p>"
            "<p>We know some parts are not fully accessible:</p><ul>"
            "<li>some leaflets and timetables attached to service listings are PDFs written by the organisations "
            "that run the services, and may not work well with a screen reader</li>"
            "<li>service descriptions are written by those organisations, so some may be harder to read than we "
            "would like</li></ul>"
            "<h2>Feedback and contact information</h2>"
            f"<p>If you need information on this website in a different format, such as large print, easy read, an "
            f'audio recording or braille, email <a href="mailto:{EMAIL}">{EMAIL}</a> or call {EARLY_HELP_TEAM} '
            "(demo number), Monday to Friday, 8:30am to 5pm.</p>"
            "<p>We will consider your request and reply within 10 working days.</p>"
            "<h2>Reporting accessibility problems with this website</h2>"
            "<p>We are always looking to improve the accessibility of this website. If you find a problem that is "
            f'not listed on this page, or think we are not meeting accessibility requirements, email <a href="mailto:'
            f'{EMAIL}">{EMAIL}</a>.</p>'
            "<h2>Enforcement procedure</h2>"
            "<p>The Equality and Human Rights Commission (EHRC) is responsible for enforcing the Public Sector Bodies "
            "(Websites and Mobile Applications) (No. 2) Accessibility Regulations 2018 (the accessibility "
            "regulations). If you are not happy with how we respond to your complaint, contact the "
            '<a href="https://www.equalityadvisoryservice.com/">Equality Advisory and Support Service (EASS)</a>.</p>'
            "<h2>Technical information about this website's accessibility</h2>"
            f"<p>{COUNCIL} is committed to making its website accessible, in accordance with the accessibility "
            "regulations.</p>"
            "<h3>Compliance status</h3>"
            "<p>This website is partially compliant with the Web Content Accessibility Guidelines version 2.2 AA "
            "standard, because of the non-compliance listed below.</p>"
            "<h3>Non-accessible content</h3>"
            "<p>Some PDF documents attached to service listings do not have a logical reading order, headings or "
            "text alternatives for images. This fails WCAG 2.2 success criteria 1.1.1 (non-text content) and 1.3.1 "
            "(info and relationships). When we approve a listing we ask its organisation for an accessible version "
            "or put the essential information in the listing itself.</p>"
            "<h2>What we are doing to improve accessibility</h2>"
            "<p>Every page in the main journeys is checked automatically each time the website changes, and we "
            "test by hand with a keyboard, a screen reader and the page zoomed to 400%. We will have the website "
            "audited by an independent accessibility specialist before the service leaves beta.</p>"
            "<h2>Preparation of this accessibility statement</h2>"
            f"<p>This statement was prepared on {prepared_on}. It will be reviewed at least once a year, and whenever "
            "the website changes significantly.</p>",
        ),
    ]


def _privacy_body() -> list[dict]:
    return [
        _block(
            "intro",
            f"{COUNCIL} is the data controller for the personal information this website holds. This notice "
            "explains what we hold, why, who we share it with and how long we keep it.",
        ),
        _block(
            "text",
            "<h2>If you use the directory</h2>"
            "<p>You do not need an account to search for services, and we do not ask who you are. We record the "
            "words you search for and the area you search in, without anything that identifies you, to learn "
            "which services families look for. We keep these records for "
            f"{settings.RETENTION_SEARCH_LOG_DAYS} days.</p>"
            "<h2>If you are a professional with an account</h2>"
            "<p>We hold your name, work email address, organisation, the roles you have been given, how you secure "
            "your sign-in (such as an authenticator app) and when you signed in. Accounts are created by invitation "
            "only.</p>"
            "<h2>Information about children and families</h2>"
            "<p>Professionals use the portal to record early help for children and families: assessments, plans, "
            "reviews, the family's consent decisions, outcomes, and referrals to and from children's social care. "
            "Schools also receive Operation Encompass notifications from the police when a child has been affected "
            "by a domestic abuse incident.</p>"
            "<p>This is safeguarding information. It can include details of health, ethnicity, religion and family "
            "relationships where they matter to a child's needs.</p>"
            "<h3>Our lawful basis</h3><ul>"
            "<li>UK GDPR Article 6(1)(e): we need the information to carry out our public tasks under the Children "
            "Act 1989, the Children Act 2004 and the Domestic Abuse Act 2021</li>"
            "<li>UK GDPR Article 9(2)(g) and the Data Protection Act 2018, Schedule 1, paragraph 18 (safeguarding of "
            "children and of individuals at risk), for special category information</li></ul>"
            "<p>We ask families for their consent before sharing an early help assessment with other services, and "
            "record their decision. If a child is at risk of significant harm we may share information without "
            "consent, and we record why.</p>"
            "<h3>Who we share it with</h3>"
            "<p>Only the people working with a family, and only what they need: schools, health services, the "
            "police, children's social care and the organisations that provide the support a family agrees to.</p>"
            "<h2>Keeping a record of who sees what</h2>"
            "<p>Every time someone views or changes a record about a child, we log who it was, what they saw or "
            "changed, and when. This audit log lets us check that information is only seen by people with a reason "
            f"to see it. We keep it for {settings.RETENTION_AUDIT_YEARS} years.</p>"
            "<h2>How long we keep information</h2><ul>"
            "<li>Operation Encompass notifications: "
            f"{settings.RETENTION_ENCOMPASS_DAYS} days after they are received</li>"
            f"<li>early help records: {settings.RETENTION_CASE_YEARS} years, in line with the council's retention "
            "schedule for children's records</li>"
            f"<li>the audit log: {settings.RETENTION_AUDIT_YEARS} years</li>"
            f"<li>directory search records: {settings.RETENTION_SEARCH_LOG_DAYS} days</li></ul>"
            "<p>Information is deleted automatically at the end of these periods.</p>"
            "<h2>Keeping information safe</h2>"
            "<p>Professionals must use two-step sign-in, each person sees only the families and schools their role "
            "covers, and all information is sent over encrypted connections.</p>"
            "<h2>Your rights</h2>"
            "<p>You can ask for a copy of the information we hold about you or your child, ask us to correct it, and "
            "in some cases ask us to delete it or stop using it. We may not be able to delete records we need to keep "
            f'children safe. To make a request, email <a href="mailto:{EMAIL}">{EMAIL}</a>.</p>'
            "<p>If you are unhappy with how we have used your information, you can complain to the Information "
            'Commissioner\'s Office (ICO) at <a href="https://ico.org.uk/make-a-complaint/">ico.org.uk/make-a-'
            "complaint</a> or on 0303 123 1113.</p>"
            "<h2>Cookies</h2>"
            "<p>This website only uses cookies that it needs to work. The cookies page lists them.</p>",
        ),
    ]


def _cookies_body() -> list[dict]:
    idle = settings.SESSION_IDLE_TIMEOUT
    return [
        _block(
            "intro",
            "Cookies are small files saved on your phone, tablet or computer when you visit a website. "
            "This website only uses cookies it needs to work.",
        ),
        _block(
            "text",
            "<p>We do not use cookies to measure how you use the website, to advertise, or to track you on other "
            "websites. Because these cookies are essential, we do not ask for your permission to set them.</p>"
            "<h2>Essential cookies</h2><ul>"
            f"<li><b>{settings.SESSION_COOKIE_NAME}</b> remembers information as you move between pages and keeps "
            f"professionals signed in. It is deleted when you close your browser, or after {idle} minutes without "
            "activity.</li>"
            f"<li><b>{settings.CSRF_COOKIE_NAME}</b> protects the forms on this website from being misused by other "
            f"websites. It expires after {_duration(settings.CSRF_COOKIE_AGE)}.</li>"
            "<li><b>messages</b> shows you a confirmation, such as 'Your changes have been saved', on the next page. "
            "It is deleted once the message has been shown.</li></ul>"
            "<h2>Changing your settings</h2>"
            "<p>You can block or delete cookies in your browser's settings. If you block these cookies, you will not "
            "be able to sign in or send forms on this website.</p>",
        ),
    ]
