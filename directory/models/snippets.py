"""Organisations and the taxonomy: content that is not a page, edited as snippets."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.search import index


class Organisation(index.Indexed, models.Model):
    """An organisation that provides services. ``editors`` are the service provider editors
    who may edit its services (their organisation scope)."""

    oruk_id = models.UUIDField("ORUK id", default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(max_length=255)
    description = models.TextField(blank=True)
    website = models.URLField(blank=True)
    email = models.EmailField(blank=True)
    logo = models.ForeignKey("wagtailimages.Image", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    logo_url = models.URLField(
        "logo URL", blank=True, help_text="An image address, for organisations imported from another directory."
    )
    uri = models.URLField(
        "URI",
        blank=True,
        help_text="A persistent identifier such as a Charity Commission or Companies House page (not the website).",
    )
    editors = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="directory_organisations",
        help_text="Service provider editors who keep this organisation's services up to date.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    panels = [
        FieldPanel("name"),
        FieldPanel("description"),
        MultiFieldPanel([FieldPanel("website"), FieldPanel("email"), FieldPanel("uri")], heading="Contact"),
        MultiFieldPanel([FieldPanel("logo"), FieldPanel("logo_url")], heading="Logo"),
        FieldPanel("editors"),
    ]
    search_fields = [index.SearchField("name"), index.AutocompleteField("name")]

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Taxonomy(index.Indexed, models.Model):
    """A vocabulary of terms (for example the LGA service types, or the council's own)."""

    oruk_id = models.UUIDField("ORUK id", default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(max_length=255, unique=True)
    description = models.TextField(blank=True)
    uri = models.URLField("URI", blank=True)
    version = models.CharField(max_length=50, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    panels = [FieldPanel("name"), FieldPanel("description"), FieldPanel("uri"), FieldPanel("version")]
    search_fields = [index.SearchField("name")]

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "taxonomies"

    def __str__(self) -> str:
        return self.name


class TaxonomyTerm(index.Indexed, models.Model):
    """A term in a taxonomy; terms form a tree through ``parent``."""

    oruk_id = models.UUIDField("ORUK id", default=uuid.uuid4, unique=True, editable=False)
    taxonomy = models.ForeignKey(Taxonomy, on_delete=models.PROTECT, related_name="terms")
    code = models.CharField(max_length=100, blank=True, help_text="The term's code in its taxonomy, if it has one.")
    name = models.CharField(max_length=255)
    description = models.TextField(blank=True)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="children")
    language = models.CharField(max_length=10, blank=True, default="en")
    term_uri = models.URLField("term URI", blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    panels = [
        FieldPanel("taxonomy"),
        FieldPanel("name"),
        FieldPanel("code"),
        FieldPanel("description"),
        FieldPanel("parent"),
        FieldPanel("language"),
        FieldPanel("term_uri"),
    ]
    search_fields = [
        index.SearchField("name"),
        index.AutocompleteField("name"),
        index.SearchField("code"),
        index.FilterField("taxonomy"),
    ]

    class Meta:
        ordering = ["taxonomy__name", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["taxonomy", "code"], condition=~models.Q(code=""), name="directory_term_code_unique"
            )
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self):
        super().clean()
        if self.parent_id is not None:
            if self.pk is not None and self.parent_id == self.pk:
                raise ValidationError({"parent": "A term cannot be its own parent."})
            ancestor, seen = self.parent, {self.pk}
            while ancestor is not None:
                if ancestor.pk in seen:
                    raise ValidationError({"parent": "That parent would make a loop of terms."})
                seen.add(ancestor.pk)
                ancestor = ancestor.parent
            if self.taxonomy_id and self.parent.taxonomy_id != self.taxonomy_id:
                raise ValidationError({"parent": "The parent term must be in the same taxonomy."})

    def ancestors(self) -> list[TaxonomyTerm]:
        chain, node, seen = [], self.parent, set()
        while node is not None and node.pk not in seen:
            chain.append(node)
            seen.add(node.pk)
            node = node.parent
        return chain[::-1]
