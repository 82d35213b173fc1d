"""Admin: the thesaurus as a snippet, and the zero-result report under Reports."""

from django.urls import path, reverse

from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from search import admin_views
from search.models import SynonymGroup


class SynonymGroupViewSet(SnippetViewSet):
    model = SynonymGroup
    icon = "search"
    menu_label = "Search synonyms"
    menu_order = 210
    add_to_admin_menu = True
    list_display = ["name", "terms", "updated_at"]
    search_fields = ["name", "terms"]
    ordering = ["name"]


register_snippet(SynonymGroupViewSet)


@hooks.register("register_admin_urls")
def register_search_admin_urls():
    return [
        path("search/zero-results/", admin_views.zero_results_report, name="search_zero_results"),
        path("search/zero-results/make-synonym/", admin_views.make_synonym, name="search_make_synonym"),
    ]


class ZeroResultsMenuItem(MenuItem):
    def is_shown(self, request):
        return admin_views.can_view(request.user)


@hooks.register("register_reports_menu_item")
def register_zero_results_menu_item():
    return ZeroResultsMenuItem("Searches with no results", reverse("search_zero_results"), icon_name="search", order=60)
