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


# --- Editorial set-up: the approval workflow and the roles' page permissions -------------

DIRECTORY_WORKFLOW_NAME = "Directory approval"
DIRECTORY_TASK_NAME = "Directory manager approval"
EDITOR_PAGE_PERMISSIONS = ("add_page", "change_page")
MANAGER_PAGE_PERMISSIONS = ("add_page", "change_page", "publish_page", "lock_page", "unlock_page")


def ensure_editorial_setup(indexes=None) -> None:
    """Make the editorial set-up true for every directory index (idempotent; run after every
    migrate and whenever a directory index is created):

    - a "Directory approval" workflow whose one task is a group approval by the Directory
      manager group, assigned to each DirectoryIndexPage (so to every service under it);
    - the Service provider editor group may add and change pages under the index (never
      publish: their changes go through the workflow); the Directory manager group may add,
      change, publish, lock and unlock.

    Existing extra permissions are left alone; a council may add more by hand."""
    from django.contrib.auth.models import Group, Permission

    from wagtail.models import GroupApprovalTask, GroupPagePermission, Workflow, WorkflowPage, WorkflowTask

    from directory.editorial import EDITOR_GROUP, MANAGER_GROUP

    editors, _ = Group.objects.get_or_create(name=EDITOR_GROUP)
    managers, _ = Group.objects.get_or_create(name=MANAGER_GROUP)

    task = GroupApprovalTask.objects.filter(name=DIRECTORY_TASK_NAME).first()
    if task is None:
        task = GroupApprovalTask.objects.create(name=DIRECTORY_TASK_NAME)
    task.groups.add(managers)
    workflow, _ = Workflow.objects.get_or_create(name=DIRECTORY_WORKFLOW_NAME, defaults={"active": True})
    if not WorkflowTask.objects.filter(workflow=workflow, task=task).exists():
        WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=0)

    indexes = list(DirectoryIndexPage.objects.all()) if indexes is None else list(indexes)
    permissions = {
        p.codename: p
        for p in Permission.objects.filter(
            content_type__app_label="wagtailcore", codename__in=set(MANAGER_PAGE_PERMISSIONS)
        )
    }
    for index in indexes:
        WorkflowPage.objects.update_or_create(page_id=index.pk, defaults={"workflow": workflow})
        for group, codenames in ((editors, EDITOR_PAGE_PERMISSIONS), (managers, MANAGER_PAGE_PERMISSIONS)):
            for codename in codenames:
                GroupPagePermission.objects.get_or_create(
                    group=group, page_id=index.pk, permission=permissions[codename]
                )


def ensure_editorial_setup_after_migrate(sender, app_config=None, using=None, apps=None, **kwargs) -> None:
    """post_migrate: once, after the last app (so Wagtail's tables and the roles exist)."""
    from django.apps import apps as global_apps

    last = [c for c in global_apps.get_app_configs() if c.models_module is not None][-1]
    if app_config is not None and app_config.label != last.label:
        return
    ensure_editorial_setup()


def ensure_editorial_setup_for_new_index(sender, instance, created, raw=False, **kwargs) -> None:
    """post_save of a DirectoryIndexPage: a new index gets the workflow and permissions."""
    if created and not raw:
        ensure_editorial_setup([instance])


# --- Verification: recording that a listing is still correct ---------------------------


def record_verification(page: ServicePage, *, user, request=None, via: str = "link") -> ServicePage:
    """Record that ``user`` checked the service today: sets ``assured_date``, ``assurer`` and
    ``last_verified_at`` on the live page row (without a new revision, so nobody's draft is
    published or discarded), writes the same values into the page's latest and live
    revisions so a later publish or a revision comparison agrees, completes the service's
    open verification requests, and audits it. Call inside a transaction."""
    from django.db import transaction
    from django.utils import timezone

    from wagtail.log_actions import log

    from directory.models import VerificationRequest, add_months
    from portal.audit.services import Action, record

    today, now = timezone.localdate(), timezone.now()
    with transaction.atomic():
        page = ServicePage.objects.select_for_update().get(pk=page.pk)
        page.assured_date = today
        page.assurer = user
        page.last_verified_at = now
        page.save(clean=False, update_fields=["assured_date", "assurer", "last_verified_at", "review_due_on"])
        values = {
            "assured_date": today.isoformat(),
            "assurer": user.pk if user else None,
            "last_verified_at": now.isoformat(),
            "review_due_on": add_months(today, page.review_interval_months).isoformat(),
        }
        revisions = {page.latest_revision_id, page.live_revision_id} - {None}
        for revision in page.revisions.filter(pk__in=revisions):
            revision.content.update(values)
            revision.save(update_fields=["content"])
        VerificationRequest.objects.filter(service=page, completed_at__isnull=True).update(
            completed_at=now, completed_by=user
        )
        log(instance=page, action="directory.verified", user=user, data={"via": via})
        record(
            request,
            Action.UPDATE,
            page,
            object_repr=page.title[:200],
            detail={"change": "verified", "via": via, "assured_date": today.isoformat()},
            actor=user,
        )
    return page


# --- Problems reported by the public -----------------------------------------------------


def create_problem_report(page: ServicePage, *, kind: str, details: str, reporter_email: str = ""):
    """Store a reported problem and tell the service's owners and the directory team."""
    from django.db import transaction

    from directory.models import ProblemReport
    from directory.notifications import send_problem_report_emails

    with transaction.atomic():
        report = ProblemReport.objects.create(
            service=page, kind=kind, details=details.strip(), reporter_email=reporter_email.strip()
        )
        transaction.on_commit(lambda: send_problem_report_emails(report))
    return report


def resolve_problem_report(report, *, user, note: str, request=None):
    """Mark a reported problem resolved by ``user`` with a note, audited."""
    from django.utils import timezone

    from directory.models import ProblemReport
    from portal.audit.services import Action, record

    report.status = ProblemReport.Status.RESOLVED
    report.resolved_by = user
    report.resolved_at = timezone.now()
    report.resolution_note = note.strip()
    report.save(update_fields=["status", "resolved_by", "resolved_at", "resolution_note"])
    record(
        request,
        Action.UPDATE,
        report,
        object_repr=f"Problem report {report.pk}",
        detail={"change": "resolved"},
        actor=user,
    )
    return report
