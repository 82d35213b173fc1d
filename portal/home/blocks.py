"""StreamField blocks for the home page and content pages. Each block's template, under
templates/blocks/, is named after the GOV.UK component or style it renders."""

from __future__ import annotations

from django.core.exceptions import ValidationError

from wagtail import blocks
from wagtail.blocks.struct_block import StructBlockValidationError

RICH_TEXT_FEATURES = ["h2", "h3", "h4", "bold", "italic", "ol", "ul", "link", "document-link", "hr"]


class LinkValue(blocks.StructValue):
    @property
    def href(self) -> str:
        page = self.get("page")
        if page is not None and page.live:
            return page.url
        return self.get("url") or ""


class LinkBlock(blocks.StructBlock):
    """A link with a description: to a page on this site, or to a URL."""

    title = blocks.CharBlock(max_length=120)
    description = blocks.TextBlock(required=False, max_length=300)
    page = blocks.PageChooserBlock(required=False, help_text="A page on this site…")
    url = blocks.CharBlock(
        required=False,
        label="URL",
        help_text="…or a web address (https://…), or a path on this site such as /services/",
    )

    class Meta:
        icon = "link"
        value_class = LinkValue

    def clean(self, value):
        value = super().clean(value)
        url = value.get("url", "")
        errors = {}
        if bool(value.get("page")) == bool(url):
            errors["url"] = ValidationError("Choose a page or enter a URL, but not both.")
        elif url and not url.startswith(("/", "https://", "http://", "mailto:", "tel:")):
            errors["url"] = ValidationError("Enter a web address starting https://, or a path starting /.")
        if errors:
            raise StructBlockValidationError(block_errors=errors)
        return value


class LinkListBlock(blocks.StructBlock):
    heading = blocks.CharBlock(max_length=120)
    introduction = blocks.TextBlock(required=False)
    links = blocks.ListBlock(LinkBlock(), min_num=1)

    class Meta:
        icon = "list-ul"
        label = "Find services links"
        template = "blocks/link_list.html"


class ContactBlock(blocks.StructBlock):
    name = blocks.CharBlock(max_length=120, help_text="Who to call, for example 'Police'")
    phone = blocks.CharBlock(max_length=40)
    description = blocks.TextBlock(required=False, help_text="When to call and when the line is open")


class ContactListBlock(blocks.StructBlock):
    heading = blocks.CharBlock(max_length=120)
    contacts = blocks.ListBlock(ContactBlock(), min_num=1)

    class Meta:
        icon = "mobile-alt"
        label = "Phone numbers"
        template = "blocks/summary_list.html"


class ProfessionalsBlock(blocks.StructBlock):
    heading = blocks.CharBlock(max_length=120, default="For professionals")
    text = blocks.RichTextBlock(features=["bold", "italic", "link", "ul"])
    link_text = blocks.CharBlock(max_length=80, default="Go to the professional portal")
    link_url = blocks.CharBlock(max_length=200, default="/portal/")

    class Meta:
        icon = "user"
        label = "For professionals"
        template = "blocks/button.html"


class DetailsBlock(blocks.StructBlock):
    summary = blocks.CharBlock(max_length=120)
    text = blocks.RichTextBlock(features=RICH_TEXT_FEATURES)

    class Meta:
        icon = "collapse-down"
        template = "blocks/details.html"


class ContentBlock(blocks.StreamBlock):
    """What any content page may hold."""

    intro = blocks.TextBlock(
        template="blocks/lead_paragraph.html", icon="pilcrow", help_text="A short opening paragraph, in larger text"
    )
    text = blocks.RichTextBlock(features=RICH_TEXT_FEATURES, template="blocks/rich_text.html")
    warning = blocks.TextBlock(template="blocks/warning_text.html", icon="warning", label="Warning text")
    inset = blocks.TextBlock(template="blocks/inset_text.html", icon="openquote", label="Inset text")
    details = DetailsBlock()
    contacts = ContactListBlock()
    links = LinkListBlock()


class HomeBodyBlock(ContentBlock):
    professionals = ProfessionalsBlock()
