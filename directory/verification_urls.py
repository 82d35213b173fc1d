"""The public "still correct" link. Mount with
``path("directory/verify/", include("directory.verification_urls"))``."""

from django.urls import path

from directory import verification_views

app_name = "directory_verification"

urlpatterns = [
    path("<str:token>/", verification_views.ConfirmStillCorrectView.as_view(), name="confirm"),
]
