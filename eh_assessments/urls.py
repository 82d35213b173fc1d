"""URLs of the early help assessment, mounted at /portal/assessments/."""

from django.urls import path  # noqa: F401

app_name = "eh_assessments"

urlpatterns: list = []
