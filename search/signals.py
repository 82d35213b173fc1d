"""Signals → index tasks. Publishing, unpublishing, moving, saving (a verification) and
deleting a service re-index it; renaming a category or organisation re-indexes its
services; editing the thesaurus clears the synonym cache (the database backend expands
synonyms at query time, so no rebuild is needed); saving or deleting a category or a
postcode makes every process re-read its memo of them (:mod:`search.cache`)."""

from __future__ import annotations

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from wagtail.signals import page_published, page_unpublished, post_page_move

from directory.models import Organisation, ServicePage, TaxonomyTerm
from search import cache as search_cache
from search import indexing
from search.models import Postcode, SynonymGroup
from search.text import clear_synonym_cache


def _service_id(instance) -> int | None:
    if isinstance(instance, ServicePage):
        return instance.pk
    specific_class = getattr(instance, "specific_class", None)
    return instance.pk if specific_class is not None and issubclass(specific_class, ServicePage) else None


@receiver(page_published)
@receiver(page_unpublished)
def _page_changed(sender, instance, **kwargs):
    if (pk := _service_id(instance)) is not None:
        indexing.enqueue_index(pk)


@receiver(post_page_move)
def _page_moved(sender, instance, **kwargs):
    if (pk := _service_id(instance)) is not None:
        indexing.enqueue_index(pk)


@receiver(post_save, sender=ServicePage)
def _service_saved(sender, instance, raw=False, **kwargs):
    # Verifications save the page without publishing; the index keeps review_due_on.
    if not raw and instance.live:
        indexing.enqueue_index(instance.pk)


@receiver(post_delete, sender=ServicePage)
def _service_deleted(sender, instance, **kwargs):
    indexing.enqueue_remove(instance.pk)


@receiver(post_save, sender=TaxonomyTerm)
def _term_saved(sender, instance, raw=False, **kwargs):
    search_cache.bump(search_cache.TAXONOMY)  # facet labels, the category filter's choices
    if not raw and instance.pk:
        indexing.enqueue_many(list(instance.services.filter(live=True).values_list("pk", flat=True)))


@receiver(post_save, sender=Organisation)
def _organisation_saved(sender, instance, raw=False, **kwargs):
    if not raw and instance.pk:
        indexing.enqueue_many(list(instance.services.filter(live=True).values_list("pk", flat=True)))


@receiver(post_save, sender=SynonymGroup)
@receiver(post_delete, sender=SynonymGroup)
def _synonyms_changed(sender, instance, **kwargs):
    clear_synonym_cache()
    if not kwargs.get("raw"):
        from search.tasks import synonyms_changed

        indexing._enqueue(synonyms_changed)


@receiver(post_delete, sender=TaxonomyTerm)
def _term_deleted(sender, instance, **kwargs):
    search_cache.bump(search_cache.TAXONOMY)


@receiver(post_save, sender=Postcode)
@receiver(post_delete, sender=Postcode)
def _postcode_changed(sender, instance, **kwargs):
    search_cache.bump(search_cache.POSTCODES)
