"""Writes to the directory. Each function does one change; callers (importers, the admin
hooks, the verification and editorial code to come) own the transaction."""

from __future__ import annotations

import uuid
from typing import Any

from django.utils.text import slugify

from wagtail.models import Page, Site

from directory.models import DirectoryIndexPage, Organisation, ServicePage, Taxonomy, TaxonomyTerm

VERIFICATION_FIELDS_FROM_IMPORT = ("assured_date",)


def get_or_create_directory_index() -> DirectoryIndexPage:
    """The directory index, created (and published) under the default site's root page if
    there is none yet."""
    index = DirectoryIndexPage.objects.first()
    if index is not None:
        return index
    site = Site.objects.filter(is_default_site=True).select_related("root_page").first()
    parent = site.root_page if site else Page.get_first_root_node()
    taken = set(parent.get_children().values_list("slug", flat=True))
    index = DirectoryIndexPage(title="Find a service", slug=unique_slug("services", taken))
    parent.add_child(instance=index)
    index.save_revision().publish()
    return index


def unique_slug(base: str, taken: set[str]) -> str:
    base = slugify(base)[:200] or "service"
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


def upsert_organisation(oruk_id: uuid.UUID, **values: Any) -> Organisation:
    """Create or update the organisation with this ORUK id; saves only if something changed."""
    organisation = Organisation.objects.filter(oruk_id=oruk_id).first()
    if organisation is None:
        return Organisation.objects.create(oruk_id=oruk_id, **values)
    if any(getattr(organisation, k) != v for k, v in values.items()):
        for key, value in values.items():
            setattr(organisation, key, value)
        organisation.save()
    return organisation


def upsert_taxonomy_term(oruk_id: uuid.UUID, *, taxonomy: Taxonomy, **values: Any) -> TaxonomyTerm:
    term = TaxonomyTerm.objects.filter(oruk_id=oruk_id).first()
    if term is None:
        return TaxonomyTerm.objects.create(oruk_id=oruk_id, taxonomy=taxonomy, **values)
    values["taxonomy"] = taxonomy
    if any(getattr(term, k) != v for k, v in values.items()):
        for key, value in values.items():
            setattr(term, key, value)
        term.save()
    return term


def save_imported_service(
    index: DirectoryIndexPage,
    *,
    oruk_id: uuid.UUID,
    fields: dict[str, Any],
    organisation: Organisation,
    terms: list[TaxonomyTerm],
    children: dict[str, list],
    publish: bool,
    publish_only: bool = False,
    user=None,
) -> ServicePage:
    """Create or update the service page with this ORUK id as a new revision, published
    unless ``publish`` is false (then it waits for moderation). Children keep their database
    rows when their ORUK id matches, so their history and ids stay stable."""
    existing = ServicePage.objects.filter(oruk_id=oruk_id).first()
    if existing is None:
        page = ServicePage(oruk_id=oruk_id, organisation=organisation, **fields)
        page.slug = unique_slug(fields["title"], set(index.get_children().values_list("slug", flat=True)))
        for relation, objects in children.items():
            setattr(page, relation, objects)
        page.taxonomy_terms = terms
        if not publish:
            page.live = False
        index.add_child(instance=page)
        revision = page.save_revision(user=user, log_action=True)
        if publish:
            revision.publish(user=user)
        return page

    if publish_only:
        existing.get_latest_revision().publish(user=user)
        return existing

    page = existing.get_latest_revision_as_object()
    for name, value in fields.items():
        setattr(page, name, value)
    page.organisation = organisation
    for relation, objects in children.items():
        current = {getattr(c, "oruk_id", None): c.pk for c in getattr(page, relation).all()}
        current.pop(None, None)
        for obj in objects:
            if getattr(obj, "oruk_id", None) in current:
                obj.pk = current[obj.oruk_id]
        setattr(page, relation, objects)
    page.taxonomy_terms = terms
    # Verification fields are kept from the live row when a revision is published, so an
    # imported assured date is written to the row directly.
    verification = {k: fields[k] for k in VERIFICATION_FIELDS_FROM_IMPORT if k in fields}
    if any(getattr(existing, k) != v for k, v in verification.items()):
        for key, value in verification.items():
            setattr(existing, key, value)
        existing.save(update_fields=[*verification, "review_due_on"])
    revision = page.save_revision(user=user, log_action=True)
    if publish:
        revision.publish(user=user)
    return page
