"""Admin registration: organisations and the taxonomy as snippets, grouped under one menu;
the editorial scope of service provider editors; the "Services due for review" report and
the reported problems."""

from django.urls import path, reverse

from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.models import Page
from wagtail.permission_policies.pages import PagePermissionPolicy
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from directory import admin_views
from directory.editorial import EDITOR_GROUP, is_directory_manager, scope_explorer_queryset
from directory.models import Organisation, Taxonomy, TaxonomyTerm


class OrganisationViewSet(SnippetViewSet):
    model = Organisation
    icon = "group"
    menu_label = "Organisations"
    list_display = ["name", "email", "website", "updated_at"]
    search_fields = ["name"]
    ordering = ["name"]
    inspect_view_enabled = True


class TaxonomyViewSet(SnippetViewSet):
    model = Taxonomy
    icon = "list-ul"
    menu_label = "Taxonomies"
    list_display = ["name", "version", "updated_at"]
    search_fields = ["name"]


class TaxonomyTermViewSet(SnippetViewSet):
    model = TaxonomyTerm
    icon = "tag"
    menu_label = "Categories"
    list_display = ["name", "code", "taxonomy", "parent"]
    list_filter = ["taxonomy"]
    search_fields = ["name", "code"]
    ordering = ["taxonomy__name", "name"]


class DirectoryViewSetGroup(SnippetViewSetGroup):
    menu_label = "Directory"
    menu_icon = "site"
    menu_order = 200
    items = (OrganisationViewSet, TaxonomyViewSet, TaxonomyTermViewSet)


register_snippet(DirectoryViewSetGroup)


# --- Editorial: provider editors see and touch only their organisations' services --------


@hooks.register("construct_explorer_page_queryset")
def hide_other_organisations_services(parent_page, pages, request):
    return scope_explorer_queryset(pages, request.user)


class ScopedPagePermissionPolicy(PagePermissionPolicy):
    """Wagtail's page policy, except that a provider editor cannot explore (so cannot find in
    the admin's page search or choosers) another organisation's services — the explorer hook
    above does not reach the search view, which asks the policy for explorable pages."""

    def explorable_instances(self, user):
        return scope_explorer_queryset(super().explorable_instances(user), user)


register_permission_policy(Page, ScopedPagePermissionPolicy(), exact_class=True)


@hooks.register("register_log_actions")
def register_directory_log_actions(actions):
    actions.register_action("directory.verified", "Verify listing", "Listing confirmed as still correct")


# --- Verification and reported problems ---------------------------------------------------


@hooks.register("register_admin_urls")
def register_directory_admin_urls():
    return [
        path(
            "directory/due-for-review/",
            admin_views.ServicesDueForReviewView.as_view(),
            name="directory_services_due_for_review",
        ),
        path(
            "directory/due-for-review/results/",
            admin_views.ServicesDueForReviewView.as_view(results_only=True),
            name="directory_services_due_for_review_results",
        ),
        path(
            "directory/due-for-review/<int:page_id>/verify/", admin_views.mark_verified, name="directory_mark_verified"
        ),
    ]


class DirectoryUserMenuItem(MenuItem):
    def is_shown(self, request):
        user = request.user
        return is_directory_manager(user) or user.groups.filter(name=EDITOR_GROUP).exists()


@hooks.register("register_reports_menu_item")
def register_services_due_menu_item():
    return DirectoryUserMenuItem(
        "Services due for review", reverse("directory_services_due_for_review"), icon_name="date", order=50
    )


@hooks.register("register_admin_viewset")
def register_problem_report_viewset():
    return admin_views.ProblemReportViewSet()
