"""The portal's Operation Encompass pages, to be included at ``portal/encompass/``."""

from django.urls import path

from . import views

app_name = "encompass"
urlpatterns = [
    path("", views.notification_list, name="list"),
    path("notifications/<uuid:pk>/", views.notification_detail, name="detail"),
    path("notifications/<uuid:pk>/acknowledge/", views.acknowledge, name="acknowledge"),
    path("submit/", views.submit, name="submit"),
    path("submit/<uuid:pk>/", views.submitted, name="submitted"),
    path("dashboard/", views.dashboard, name="dashboard"),
]
