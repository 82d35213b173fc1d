"""Admin registration: organisations and the taxonomy as snippets, grouped under one menu."""

from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

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
