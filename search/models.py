"""The directory search's own tables.

- :class:`Postcode` — the local postcode table (``import_postcodes``); outcode centroids are
  averages of its rows.
- :class:`SynonymGroup` — the thesaurus, a snippet edited in the Wagtail admin.
- :class:`IndexedService` and its child rows — the database backend's denormalised index:
  one row per public service, rebuilt on publish, unpublish, move and delete. Confidential
  locations are never copied here (no address, no coordinates).
- :class:`IndexedTerm` — the vocabulary of indexed words, for "did you mean".
- :class:`SearchLog` — what families searched for: text, filters, outcode, result count.
"""

from __future__ import annotations

from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import Q

from wagtail.admin.panels import FieldPanel
from wagtail.search import index


class Postcode(models.Model):
    postcode = models.CharField(max_length=8, primary_key=True, help_text="Normalised: 'SR1 3AA'.")
    outcode = models.CharField(max_length=4, db_index=True)
    latitude = models.FloatField()
    longitude = models.FloatField()

    class Meta:
        ordering = ["postcode"]

    def __str__(self) -> str:
        return self.postcode


class SynonymGroup(index.Indexed, models.Model):
    """Words and phrases that mean the same need: a search for any finds all."""

    name = models.CharField(max_length=100, help_text="A label for the admin, for example 'Domestic abuse'.")
    terms = models.TextField(
        help_text="One word or phrase per line (or separated by commas), for example: DV, domestic violence, "
        "domestic abuse. Case does not matter."
    )
    updated_at = models.DateTimeField(auto_now=True)

    panels = [FieldPanel("name"), FieldPanel("terms")]
    search_fields = [index.SearchField("name"), index.SearchField("terms"), index.AutocompleteField("name")]

    class Meta:
        ordering = ["name"]
        verbose_name = "synonym group"

    def __str__(self) -> str:
        return self.name

    @property
    def term_list(self) -> list[str]:
        from search.text import split_terms

        return split_terms(self.terms)

    def add_term(self, term: str) -> bool:
        from search.text import normalise_term

        term = normalise_term(term)
        if not term or term in self.term_list:
            return False
        self.terms = "\n".join([*self.term_list, term])
        self.save()
        return True


class IndexedService(models.Model):
    """One public service, flattened for the database backend (the primary key is the
    page's id). ``search_vector`` is filled on PostgreSQL only; SQLite keeps a parallel FTS5
    virtual table (``directory_search_fts``, rowid = page id) created by migration 0002."""

    page_id = models.IntegerField(primary_key=True)
    title = models.CharField(max_length=255)
    summary = models.TextField(blank=True)
    description = models.TextField(blank=True)
    taxonomy_text = models.TextField(blank=True)
    organisation = models.CharField(max_length=255, blank=True)
    url = models.CharField(max_length=500)
    status = models.CharField(max_length=20)
    minimum_age = models.PositiveSmallIntegerField(null=True)
    maximum_age = models.PositiveSmallIntegerField(null=True)
    is_free = models.BooleanField(default=False)
    review_due_on = models.DateField(null=True, db_index=True)
    has_public_location = models.BooleanField(default=False)
    indexed_at = models.DateTimeField(auto_now=True)
    search_vector = SearchVectorField(null=True)

    class Meta:
        ordering = ["title"]
        indexes = [
            # The few services with no public location are near every centre (they serve the area).
            models.Index(fields=["page_id"], condition=Q(has_public_location=False), name="dsearch_service_noloc"),
        ]

    def __str__(self) -> str:
        return self.title


class IndexedTag(models.Model):
    """A multi-valued filter value of an indexed service: category (term id), day, access,
    attend, need, language, free. Facet counts are one GROUP BY over these rows."""

    service = models.ForeignKey(IndexedService, on_delete=models.CASCADE, related_name="tags")
    dimension = models.CharField(max_length=20)
    value = models.CharField(max_length=64)

    class Meta:
        indexes = [
            models.Index(fields=["dimension", "value", "service"], name="dsearch_tag_dim_val"),
            # Covering index for the facet counts: a search's candidates join their tags by id.
            models.Index(fields=["service", "dimension", "value"], name="dsearch_tag_service"),
        ]

    def __str__(self) -> str:
        return f"{self.dimension}={self.value}"


class IndexedLocation(models.Model):
    """Coordinates of a NON-confidential location of an indexed service."""

    service = models.ForeignKey(IndexedService, on_delete=models.CASCADE, related_name="locations")
    latitude = models.FloatField()
    longitude = models.FloatField()

    class Meta:
        indexes = [
            models.Index(fields=["latitude", "longitude"], name="dsearch_loc_latlng"),
            # A text search probes each matching service for a location in the box, index only.
            models.Index(fields=["service", "latitude", "longitude"], name="dsearch_loc_service_latlng"),
        ]

    def __str__(self) -> str:
        return f"{self.latitude},{self.longitude}"


class IndexedOpening(models.Model):
    """A weekly opening of an indexed service (monthly rules count for their weekday)."""

    service = models.ForeignKey(IndexedService, on_delete=models.CASCADE, related_name="openings")
    day = models.CharField(max_length=2)
    opens_at = models.TimeField(null=True)
    closes_at = models.TimeField(null=True)
    valid_from = models.DateField(null=True)
    valid_to = models.DateField(null=True)

    def __str__(self) -> str:
        return f"{self.day} {self.opens_at}-{self.closes_at}"


class IndexedClosure(models.Model):
    service = models.ForeignKey(IndexedService, on_delete=models.CASCADE, related_name="closures")
    start_date = models.DateField()
    end_date = models.DateField()

    def __str__(self) -> str:
        return f"{self.start_date}–{self.end_date}"


class IndexedTerm(models.Model):
    """A word that occurs in the index (names, summaries, categories, synonyms): the
    vocabulary that misspellings are corrected against."""

    term = models.CharField(max_length=64, unique=True)

    def __str__(self) -> str:
        return self.term


class SearchLog(models.Model):
    """One family search. Never the IP address, never a full postcode: the outcode only."""

    text = models.CharField(max_length=200, blank=True)
    filters = models.JSONField(default=dict, blank=True)
    outcode = models.CharField(max_length=4, blank=True)
    result_count = models.PositiveIntegerField()
    backend = models.CharField(max_length=20)
    created = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created"]
        indexes = [models.Index(fields=["result_count", "created"], name="dsearch_log_zero")]

    def __str__(self) -> str:
        return f"{self.text!r} ({self.result_count})"
