"""The project's URLs with the ORUK API included, for directory tests until portal/urls.py
includes it (then this is the project's list unchanged)."""

from django.urls import include, path

from portal.urls import urlpatterns as project_urlpatterns

_project = [p for p in project_urlpatterns if str(getattr(p, "pattern", "")) != "api/oruk/"]
urlpatterns = [path("api/oruk/", include("directory.api.urls")), *_project]
handler403 = "portal.views.permission_denied"
handler404 = "portal.views.page_not_found"
handler500 = "portal.views.server_error"
