"""URLs of the early help assessment, mounted at /portal/assessments/."""

from django.urls import path

from . import views

app_name = "eh_assessments"

urlpatterns = [
    path("", views.assessment_list, name="list"),
    path("start/", views.start, name="start"),
    path("<uuid:pk>/", views.task_list, name="task_list"),
    path("<uuid:pk>/steps/<str:step>/", views.AssessmentWizard.as_view(), name="step"),
    path("<uuid:pk>/family/add/", views.person_add, name="person_add"),
    path("<uuid:pk>/family/<uuid:person_pk>/change/", views.person_change, name="person_change"),
    path("<uuid:pk>/family/<uuid:person_pk>/remove/", views.person_remove, name="person_remove"),
    path("<uuid:pk>/submitted/", views.confirmation, name="confirmation"),
    path("<uuid:pk>/print/", views.print_view, name="print"),
]
