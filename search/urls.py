"""Included at ``services/`` BEFORE Wagtail's catch-all: ``/services/`` is the family search
and ``/services/suggest`` its typeahead; ``/services/<slug>/`` falls through to Wagtail."""

from django.urls import path

from search import views

urlpatterns = [
    path("", views.service_search, name="services"),
    path("suggest", views.suggest, name="services_suggest"),
]
