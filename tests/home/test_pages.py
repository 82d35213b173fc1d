import pytest

from wagtail.models import Page, Site

from portal.home.demo import build_page_tree
from portal.home.models import HomePage, SiteSettings, StandardPage

pytestmark = pytest.mark.django_db


def test_home_page_only_under_the_root_and_only_one():
    root = Page.get_first_root_node()
    assert HomePage.can_create_at(root)
    home = build_page_tree()
    assert not HomePage.can_create_at(root), "a second home page must not be allowed"
    assert not HomePage.can_create_at(home)
    assert not HomePage.can_create_at(StandardPage.objects.first())


def test_standard_pages_go_under_the_home_page_or_each_other():
    root = Page.get_first_root_node()
    home = build_page_tree()
    assert StandardPage.can_create_at(home)
    assert StandardPage.can_create_at(StandardPage.objects.child_of(home).first())
    assert not StandardPage.can_create_at(root)


def test_build_page_tree_replaces_the_wagtail_welcome_page():
    assert Page.objects.filter(title__startswith="Welcome to your new Wagtail site").exists()
    home = build_page_tree()
    site = Site.objects.get(is_default_site=True)
    assert site.root_page.specific == home
    assert not Page.objects.filter(title__startswith="Welcome to your new Wagtail site").exists()
    titles = set(StandardPage.objects.child_of(home).live().values_list("title", flat=True))
    assert {"Accessibility statement", "Privacy notice", "Cookies"} <= titles


def _snapshot():
    site_settings = SiteSettings.objects.values().get()
    return (
        list(Page.objects.order_by("path").values_list("path", "title", "live", "latest_revision_id")),
        list(Site.objects.values_list("hostname", "root_page_id", "is_default_site")),
        site_settings,
    )


def test_build_page_tree_twice_changes_nothing():
    first = build_page_tree()
    before = _snapshot()
    assert build_page_tree() == first
    assert _snapshot() == before


def test_build_page_tree_keeps_editors_changes():
    build_page_tree()
    settings = SiteSettings.objects.get()
    settings.contact_email = "team@sunderland.example"
    settings.save()
    build_page_tree()
    assert SiteSettings.objects.get().contact_email == "team@sunderland.example"


def test_site_settings_point_at_the_published_content_pages():
    build_page_tree()
    settings = SiteSettings.objects.get()
    assert settings.council_name == "Sunderland City Council"
    assert [text for text, _ in settings.footer_links()] == ["Accessibility statement", "Privacy notice", "Cookies"]


def test_home_page_is_served_at_the_root(client):
    build_page_tree()
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Find support for your family in Sunderland" in html
    assert "0808 2000 247" in html
    assert 'href="/portal/"' in html
    # The link to an internal page resolves to its URL.
    assert 'href="/worried-about-a-child/"' in html


def test_content_page_has_breadcrumbs_and_footer_links(client):
    build_page_tree()
    response = client.get("/cookies/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<h1 class="govuk-heading-xl">Cookies</h1>' in html
    assert '<a class="govuk-breadcrumbs__link" href="/">Home</a>' in html
    assert 'href="/accessibility-statement/">Accessibility statement</a>' in html
    assert "csrftoken" in html


@pytest.mark.django_db
def test_page_title_and_header_name_the_same_council(client, settings):
    """One source for the council's name: the site setting, with COUNCIL_NAME only as the
    fallback before anyone has set it."""
    settings.COUNCIL_NAME = "Fallback Council"
    build_page_tree()
    site_settings = SiteSettings.objects.get()
    site_settings.council_name = "Wearside Borough Council"
    site_settings.save()
    html = client.get("/cookies/").content.decode()
    assert "<title>Cookies – Wearside Borough Council</title>" in html
    assert "Fallback Council" not in html

    site_settings.council_name = ""
    site_settings.save()
    html = client.get("/cookies/").content.decode()
    assert "<title>Cookies – Fallback Council</title>" in html
