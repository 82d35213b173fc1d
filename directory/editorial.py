"""Editorial rules for the directory in the Wagtail admin: who may touch which service.

A service provider editor works on their own organisations' services only (the organisations
whose ``editors`` include them). Directory managers and superusers work on every service.
The rule is enforced in one place for each surface Wagtail has:

- :class:`ServicePagePermissionTester` (``ServicePage.permissions_for_user``): edit, delete,
  copy, move, lock, unpublish, revisions, submit for moderation — every page action view and
  every button asks it;
- :func:`scope_explorer_queryset` (the ``construct_explorer_page_queryset`` hook): others'
  services are not listed in the explorer;
- :class:`ServicePageForm`: the organisation chooser offers only the editor's organisations,
  and the form refuses any other (creating or editing).
"""

from __future__ import annotations

from django import forms
from django.db.models import Q, QuerySet

from wagtail.admin.forms import WagtailAdminPageForm
from wagtail.models import PagePermissionTester

from portal.accounts.roles import ROLES_BY_SLUG

MANAGER_GROUP = ROLES_BY_SLUG["directory_manager"].name
EDITOR_GROUP = ROLES_BY_SLUG["service_provider_editor"].name


def is_directory_manager(user) -> bool:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_superuser:
        return True
    cached = getattr(user, "_directory_manager_cache", None)
    if cached is None:
        cached = user.groups.filter(name=MANAGER_GROUP).exists()
        user._directory_manager_cache = cached
    return cached


def is_scoped_editor(user) -> bool:
    """True for users limited to their own organisations' services."""
    return getattr(user, "is_authenticated", False) and not is_directory_manager(user)


def organisation_ids_for(user) -> set[int]:
    cached = getattr(user, "_directory_org_ids_cache", None)
    if cached is None:
        cached = set(user.directory_organisations.values_list("pk", flat=True))
        user._directory_org_ids_cache = cached
    return cached


def user_can_work_on(user, page) -> bool:
    """Whether ``user`` may act on this service at all (before Wagtail's own permissions)."""
    if not is_scoped_editor(user):
        return True
    return page.organisation_id is not None and page.organisation_id in organisation_ids_for(user)


def scope_explorer_queryset(pages: QuerySet, user) -> QuerySet:
    if not is_scoped_editor(user):
        return pages
    from directory.models import ServicePage

    others = ServicePage.objects.filter(~Q(organisation__in=organisation_ids_for(user)) | Q(organisation__isnull=True))
    return pages.exclude(pk__in=others.values("pk"))


class ServicePagePermissionTester(PagePermissionTester):
    """Wagtail's tester, with no permissions at all on another organisation's service."""

    def __init__(self, user, page):
        super().__init__(user, page)
        self.out_of_scope = not user_can_work_on(user, page)
        if self.out_of_scope:
            self.permissions = set()

    def can_edit(self):
        return False if self.out_of_scope else super().can_edit()

    def can_submit_for_moderation(self):
        return False if self.out_of_scope else super().can_submit_for_moderation()

    def can_lock(self):
        return False if self.out_of_scope else super().can_lock()

    def can_unlock(self):
        return False if self.out_of_scope else super().can_unlock()

    def can_view_revisions(self):
        return False if self.out_of_scope else super().can_view_revisions()


class ServicePageForm(WagtailAdminPageForm):
    """The service edit form: a provider editor picks only among their organisations."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = self.for_user
        field = self.fields.get("organisation")
        if field is not None and user is not None and is_scoped_editor(user):
            field.queryset = field.queryset.filter(pk__in=organisation_ids_for(user))
            # The snippet chooser would offer every organisation: a plain list of theirs instead.
            field.widget = forms.Select()
            field.widget.choices = field.choices
            if not field.queryset.exists():
                field.help_text = "You are not an editor of any organisation yet: ask the directory team."

    def clean_organisation(self):
        organisation = self.cleaned_data.get("organisation")
        user = self.for_user
        scoped = organisation is not None and user is not None and is_scoped_editor(user)
        if scoped and organisation.pk not in organisation_ids_for(user):
            raise forms.ValidationError("Choose one of your own organisations.")
        return organisation
