from django.urls import path

from . import views

app_name = "insights"
urlpatterns = [
    path("", views.index, name="index"),
    path("open-data.json", views.open_data, name="open_data"),
    path("<slug:slug>.csv", views.export, name="export"),
    path("<slug:slug>/", views.dashboard, name="dashboard"),
]
