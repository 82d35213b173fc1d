"""The project's URLs with the casework pages mounted where the lead engineer mounts them
(first, at /portal/assessments/cases/), for tests until portal/urls.py includes them."""

from django.urls import include, path

from portal.urls import handler403, handler404, handler500  # noqa: F401
from portal.urls import urlpatterns as portal_urlpatterns

urlpatterns = [
    path("portal/assessments/cases/", include("eh_assessments.case_urls")),
    *portal_urlpatterns,
]
