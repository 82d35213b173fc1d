"""The threshold document in the Wagtail admin, for early help managers (issue 6 point 5).

* Only holders of ``eh_assessments.manage_thresholds`` (early help managers) see the menu item
  or reach any of its pages: :class:`ThresholdPermissionPolicy` asks for that one permission
  for every action.
* A draft's levels and indicators are edited in place (inline panels).
* A published version never changes, so an old assessment keeps showing the indicators it was
  assessed against: its edit page is read only and says why, saving it is refused, and it
  cannot be deleted. "Create a new version from this one" copies it into a draft numbered
  after every existing version; "Publish" makes a draft the current document.
* Every change is written to the audit log (and to Wagtail's history of the snippet).
"""

from __future__ import annotations

from django.contrib.admin.utils import quote
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.views.generic import TemplateView

from wagtail import log_actions
from wagtail.admin import messages
from wagtail.admin.panels import FieldPanel, HelpPanel, InlinePanel, ObjectList
from wagtail.admin.ui.menus import MenuItem
from wagtail.admin.views.generic.base import BaseObjectMixin, WagtailAdminTemplateMixin
from wagtail.admin.views.generic.permissions import PermissionCheckedMixin
from wagtail.admin.widgets.button import Button
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views import snippets as snippet_views

from portal.audit.models import AuditEvent
from portal.audit.services import record

from . import thresholds
from .models import ThresholdDocument
from .permissions import MANAGE_THRESHOLDS

READ_ONLY_REASON = (
    "Version {version} is published, so it cannot be changed: assessments keep the indicators "
    "they were assessed against. To change the levels of need, create a new version from this "
    "one, edit the draft and publish it."
)


def _repr(document: ThresholdDocument) -> str:
    return f"Threshold document version {document.version}"


def _audit(request, action, document: ThresholdDocument, **detail) -> None:
    record(request, action, document, object_repr=_repr(document), detail={"version": document.version, **detail})


# --- Permissions ---------------------------------------------------------------------------------
class ThresholdPermissionPolicy(ModelPermissionPolicy):
    """Every action on the threshold document needs ``manage_thresholds``; a published version
    cannot be deleted (nor changed, which the edit view enforces while still showing it)."""

    ACTIONS = frozenset({"add", "change", "delete", "view"})

    def user_has_permission(self, user, action):
        return bool(user.is_active and action in self.ACTIONS and user.has_perm(MANAGE_THRESHOLDS))

    def user_has_permission_for_instance(self, user, action, instance):
        if action == "delete" and instance.is_published:
            return False
        return self.user_has_permission(user, action)

    def users_with_any_permission(self, actions):
        """Active holders of ``manage_thresholds`` (through a role or directly) and superusers."""
        users = get_user_model()._default_manager.filter(is_active=True)
        if not set(actions) & self.ACTIONS:
            return users.none()
        app_label, codename = MANAGE_THRESHOLDS.split(".")
        held = {"content_type__app_label": app_label, "codename": codename}
        return users.filter(
            Q(is_superuser=True)
            | Q(user_permissions__in=Permission.objects.filter(**held))
            | Q(groups__permissions__in=Permission.objects.filter(**held))
        ).distinct()


register_permission_policy(ThresholdDocument, ThresholdPermissionPolicy(ThresholdDocument))


# --- Panels (a level once and an indicator code once per document: the inline formsets check
# the database's unique constraints and say which rows clash) ---------------------------------
DRAFT_PANELS = ObjectList(
    [
        HelpPanel(
            content="<p>Levels of need and their indicators, as in your local threshold document. "
            "Indicator codes should stay the same when an indicator is reworded, so figures compare "
            "like with like across versions.</p>"
        ),
        FieldPanel("title"),
        FieldPanel("summary"),
        InlinePanel(
            "levels",
            heading="Levels of need",
            label="Level",
            panels=[FieldPanel("number"), FieldPanel("name"), FieldPanel("description"), FieldPanel("response")],
        ),
        InlinePanel(
            "indicators",
            heading="Indicators",
            label="Indicator",
            panels=[
                FieldPanel("level"),
                FieldPanel("area"),
                FieldPanel("code"),
                FieldPanel("text"),
                FieldPanel("domestic_abuse"),
                FieldPanel("sort_order"),
            ],
        ),
    ]
)


def _published_panels(document: ThresholdDocument) -> ObjectList:
    return ObjectList(
        [
            HelpPanel(
                content=f'<p class="help-block help-warning">{READ_ONLY_REASON.format(version=document.version)}</p>'
            ),
            FieldPanel("title", read_only=True),
            FieldPanel("summary", read_only=True),
            HelpPanel(
                heading="Levels and indicators", template="eh_assessments/admin/threshold_document_contents.html"
            ),
        ]
    ).bind_to_model(ThresholdDocument)


# --- Views ---------------------------------------------------------------------------------------
class ActionUrlsMixin:
    """URLs of the two version actions, for the listing and the edit view."""

    new_version_url_name = None
    publish_url_name = None

    def new_version_url(self, document) -> str | None:
        if self.new_version_url_name and self.user_has_permission("add"):
            return reverse(self.new_version_url_name, args=[quote(document.pk)])
        return None

    def publish_url(self, document) -> str | None:
        if self.publish_url_name and not document.is_published and self.user_has_permission("change"):
            return reverse(self.publish_url_name, args=[quote(document.pk)])
        return None


class IndexView(ActionUrlsMixin, snippet_views.IndexView):
    def get_list_more_buttons(self, instance):
        buttons = super().get_list_more_buttons(instance)
        if url := self.new_version_url(instance):
            buttons.append(MenuItem("Create a new version from this one", url=url, icon_name="copy", priority=15))
        if url := self.publish_url(instance):
            buttons.append(MenuItem("Publish", url=url, icon_name="upload", priority=16))
        return buttons


class CreateView(snippet_views.CreateView):
    def save_instance(self):
        self.form.instance.version = thresholds.next_version()
        self.form.instance.created_by = self.request.user
        instance = super().save_instance()
        _audit(self.request, AuditEvent.Action.CREATE, instance)
        return instance


class EditView(ActionUrlsMixin, snippet_views.EditView):
    """A draft is edited as usual. A published version is shown read only, with the reason and
    the way to change it; a POST to it changes nothing."""

    def get_panel(self):
        document = getattr(self, "object", None)
        if document is not None and document.is_published:
            return _published_panels(document)
        return super().get_panel()

    def get_form_class(self):
        if self.object.is_published:
            return self.panel.get_form_class()  # no editable fields, no formsets
        return super().get_form_class()

    def post(self, request, *args, **kwargs):
        if self.object.is_published:
            messages.error(request, READ_ONLY_REASON.format(version=self.object.version))
            return redirect(self.get_edit_url())
        return super().post(request, *args, **kwargs)

    def save_instance(self):
        instance = super().save_instance()
        _audit(self.request, AuditEvent.Action.UPDATE, instance)
        return instance

    def get_template_names(self):
        if self.object.is_published and not self.hydrate_create_view:
            return ["eh_assessments/admin/threshold_document_published.html"]
        return super().get_template_names()

    @cached_property
    def header_more_buttons(self):
        buttons = list(super().header_more_buttons)
        if url := self.new_version_url(self.object):
            buttons.append(Button("Create a new version from this one", url=url, icon_name="copy", priority=5))
        if url := self.publish_url(self.object):
            buttons.append(Button("Publish", url=url, icon_name="upload", priority=6))
        return buttons

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["read_only_reason"] = READ_ONLY_REASON.format(version=self.object.version)
        context["new_version_url"] = self.new_version_url(self.object)
        return context


class DeleteView(snippet_views.DeleteView):
    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        if self.object.is_published or self.object.assessments.exists():
            raise PermissionDenied("A published threshold document cannot be deleted.")

    def delete_action(self):
        _audit(self.request, AuditEvent.Action.DELETE, self.object)
        return super().delete_action()


class VersionActionView(PermissionCheckedMixin, WagtailAdminTemplateMixin, BaseObjectMixin, TemplateView):
    """A confirmation page (GET) and the action (POST) for one threshold document."""

    model = ThresholdDocument
    template_name = "eh_assessments/admin/threshold_document_confirm.html"
    header_icon = "list-ol"
    edit_url_name = None
    index_url_name = None
    confirm_label = ""
    explanation = ""

    def get_page_subtitle(self):
        return str(self.object)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            explanation=self.explanation.format(version=self.object.version),
            confirm_label=self.confirm_label,
            cancel_url=reverse(self.edit_url_name, args=[quote(self.object.pk)]),
            problems=self.get_problems(),
        )
        return context

    def get_problems(self) -> list[str]:
        return []

    def post(self, request, *args, **kwargs):
        try:
            result = self.perform()
        except thresholds.ThresholdDocumentError as error:
            messages.error(request, str(error))
            return redirect(reverse(self.edit_url_name, args=[quote(self.object.pk)]))
        return redirect(reverse(self.edit_url_name, args=[quote(result.pk)]))

    def perform(self) -> ThresholdDocument:
        raise NotImplementedError


class NewVersionView(VersionActionView):
    permission_required = "add"
    page_title = "Create a new version"
    confirm_label = "Create the new version"
    explanation = (
        "This copies the title, levels and indicators of version {version} into a new draft. "
        "Version {version} does not change. Edit the draft, then publish it to make it the "
        "document new assessments use."
    )

    def perform(self) -> ThresholdDocument:
        draft = thresholds.new_version_from(self.object, user=self.request.user)
        log_actions.log(instance=draft, action="wagtail.create", user=self.request.user)
        _audit(self.request, AuditEvent.Action.CREATE, draft, copied_from=self.object.version)
        messages.success(
            self.request, f"Version {draft.version} created from version {self.object.version}. It is a draft."
        )
        return draft


class PublishView(VersionActionView):
    permission_required = "change"
    page_title = "Publish"
    confirm_label = "Publish this version"
    explanation = (
        "Once published, version {version} becomes the threshold document that new assessments use, "
        "and it can no longer be changed. Assessments already started keep the version they started with."
    )

    def get_problems(self) -> list[str]:
        return thresholds.publication_problems(self.object)

    def perform(self) -> ThresholdDocument:
        document = thresholds.publish(self.object, user=self.request.user)
        log_actions.log(instance=document, action="wagtail.publish", user=self.request.user)
        _audit(self.request, AuditEvent.Action.UPDATE, document, published=True)
        messages.success(self.request, f"Version {document.version} is published. New assessments use it from now on.")
        return document


class ThresholdDocumentViewSet(snippet_views.SnippetViewSet):
    model = ThresholdDocument
    icon = "list-ol"
    menu_label = "Threshold document"
    menu_name = "threshold-document"
    menu_order = 310
    add_to_admin_menu = True
    copy_view_enabled = False  # "Create a new version from this one" is the way to copy
    inspect_view_enabled = False
    list_display = ["__str__", "version", "published_at", "created_at"]
    list_filter = {"published_at": ["isnull"]}
    ordering = ["-version"]
    edit_handler = DRAFT_PANELS

    index_view_class = IndexView
    add_view_class = CreateView
    edit_view_class = EditView
    delete_view_class = DeleteView

    def get_index_view_kwargs(self, **kwargs):
        return super().get_index_view_kwargs(
            new_version_url_name=self.get_url_name("new_version"),
            publish_url_name=self.get_url_name("publish"),
            **kwargs,
        )

    def get_edit_view_kwargs(self, **kwargs):
        return super().get_edit_view_kwargs(
            new_version_url_name=self.get_url_name("new_version"),
            publish_url_name=self.get_url_name("publish"),
            **kwargs,
        )

    def _action_view(self, view_class):
        return view_class.as_view(
            edit_url_name=self.get_url_name("edit"),
            index_url_name=self.get_url_name("list"),
            breadcrumbs_items=self.breadcrumbs_items,
        )

    def get_urlpatterns(self):
        return [
            *super().get_urlpatterns(),
            path("new-version/<int:pk>/", self._action_view(NewVersionView), name="new_version"),
            path("publish/<int:pk>/", self._action_view(PublishView), name="publish"),
        ]


register_snippet(ThresholdDocumentViewSet)
