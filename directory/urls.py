"""The family's shortlist ("my list"). Included at the site root, before Wagtail's pages."""

from django.urls import path

from directory import views

app_name = "directory"

urlpatterns = [
    path("my-list/", views.shortlist, name="shortlist"),
    path("my-list/add/", views.shortlist_add, name="shortlist_add"),
    path("my-list/remove/", views.shortlist_remove, name="shortlist_remove"),
    path("my-list/email/", views.shortlist_email, name="shortlist_email"),
]
