"""The LA Encompass lead's admin: schools (day start time, key adults and deputies) and term
calendars with their periods, as Wagtail snippets grouped under one menu."""

from django import forms

from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel, ObjectList
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from portal.accounts.roles import ROLES_BY_SLUG

from .models import Calendar, CalendarPeriod, School


class SchoolForm(WagtailAdminModelForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from django.contrib.auth import get_user_model

        users = get_user_model().objects.filter(is_active=True).order_by("last_name", "first_name")
        self.fields["key_adults"].queryset = users.filter(groups__name=ROLES_BY_SLUG["school_key_adult"].name)
        self.fields["deputies"].queryset = users.filter(groups__name=ROLES_BY_SLUG["school_deputy"].name)
        for name in ("key_adults", "deputies"):
            self.fields[name].widget = forms.CheckboxSelectMultiple()
            self.fields[name].widget.choices = self.fields[name].choices


class SchoolViewSet(SnippetViewSet):
    model = School
    icon = "home"
    menu_label = "Schools"
    list_display = ["name", "urn", "establishment_type", "la_code", "is_open", "day_start"]
    list_filter = ["is_open", "la_code"]
    search_fields = ["name", "postcode"]
    search_backend_name = None  # plain database filtering; schools are not in the search index
    ordering = ["name"]
    edit_handler = ObjectList(
        [FieldPanel("name", read_only=True), FieldPanel("day_start"), FieldPanel("key_adults"), FieldPanel("deputies")],
        base_form_class=SchoolForm,
    )


class CalendarViewSet(SnippetViewSet):
    model = Calendar
    icon = "date"
    menu_label = "Term calendars"
    list_display = ["__str__", "la_code", "school", "updated_at"]
    panels = [FieldPanel("name"), FieldPanel("la_code"), FieldPanel("school")]


class CalendarPeriodViewSet(SnippetViewSet):
    model = CalendarPeriod
    icon = "calendar-alt"
    menu_label = "Term dates and closures"
    list_display = ["calendar", "kind", "start", "end", "summary"]
    list_filter = ["calendar", "kind"]
    ordering = ["calendar", "start"]
    panels = [FieldPanel("calendar"), FieldPanel("kind"), FieldPanel("start"), FieldPanel("end"), FieldPanel("summary")]


class EncompassGroup(SnippetViewSetGroup):
    menu_label = "Operation Encompass"
    menu_icon = "warning"
    menu_order = 300
    items = (SchoolViewSet, CalendarViewSet, CalendarPeriodViewSet)


register_snippet(EncompassGroup)
