from __future__ import annotations

from django.db import models

from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.fields import StreamField
from wagtail.models import Page
from wagtail.search import index

from .blocks import ContentBlock, HomeBodyBlock


class HomePage(Page):
    """The site's root page at "/": what the directory is for, help now, links to find
    services and the way in for professionals."""

    body = StreamField(HomeBodyBlock(), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("body")]
    search_fields = [*Page.search_fields, index.SearchField("body")]

    parent_page_types = ["wagtailcore.Page"]
    subpage_types = ["home.StandardPage", "directory.DirectoryIndexPage"]
    max_count = 1

    template = "home/home_page.html"

    class Meta:
        verbose_name = "home page"


class StandardPage(Page):
    """A content page: the accessibility statement, privacy notice, cookies, guidance."""

    body = StreamField(ContentBlock(), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("body")]
    search_fields = [*Page.search_fields, index.SearchField("body")]

    parent_page_types = ["home.HomePage", "home.StandardPage"]
    subpage_types = ["home.StandardPage"]

    template = "home/standard_page.html"

    class Meta:
        verbose_name = "content page"

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        ancestors = self.get_ancestors().live().filter(depth__gt=1).specific()
        context["crumbs"] = [("Home" if a.depth == 2 else a.title, a.url) for a in ancestors]
        return context


@register_setting(icon="site")
class SiteSettings(BaseSiteSetting):
    """The council's details, shown in the header, footer, phase banner and error pages."""

    council_name = models.CharField(max_length=120, blank=True, help_text="For example 'Sunderland City Council'")
    service_name = models.CharField(
        max_length=120, blank=True, help_text="Shown in the header, for example 'Early help and family support'"
    )
    contact_email = models.EmailField(blank=True, help_text="Where feedback and questions go")
    contact_phone = models.CharField(max_length=40, blank=True)
    contact_address = models.TextField(blank=True)
    opening_hours = models.CharField(max_length=200, blank=True, help_text="For example 'Monday to Friday, 9am to 5pm'")
    logo = models.ForeignKey(
        "wagtailimages.Image",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Shown in the header instead of the council's name. It should read well on black.",
    )
    accessibility_statement = models.ForeignKey(
        "wagtailcore.Page", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    privacy_notice = models.ForeignKey(
        "wagtailcore.Page", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    cookies_page = models.ForeignKey(
        "wagtailcore.Page", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    select_related = ["logo", "accessibility_statement", "privacy_notice", "cookies_page"]

    panels = [
        MultiFieldPanel([FieldPanel("council_name"), FieldPanel("service_name"), FieldPanel("logo")], "Names"),
        MultiFieldPanel(
            [
                FieldPanel("contact_email"),
                FieldPanel("contact_phone"),
                FieldPanel("opening_hours"),
                FieldPanel("contact_address"),
            ],
            "Contact details",
        ),
        MultiFieldPanel(
            [FieldPanel("accessibility_statement"), FieldPanel("privacy_notice"), FieldPanel("cookies_page")],
            "Footer links",
        ),
    ]

    class Meta:
        verbose_name = "council details"

    def footer_links(self) -> list[tuple[str, str]]:
        """(text, url) for each footer page that is set and published."""
        pages = (
            ("Accessibility statement", self.accessibility_statement),
            ("Privacy notice", self.privacy_notice),
            ("Cookies", self.cookies_page),
        )
        return [(text, page.url) for text, page in pages if page is not None and page.live]
