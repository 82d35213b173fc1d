from django.conf import settings
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path

from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.contrib.sitemaps import Sitemap
from wagtail.documents import urls as wagtaildocs_urls

from portal import health, views
from portal.admin_site import admin_site

urlpatterns = [
    # Wagtail's own sign-in would skip MFA and lockout: send it to the portal's sign-in.
    path("admin/login/", views.admin_login_redirect, name="wagtailadmin_login_redirect"),
    path("admin/", include(wagtailadmin_urls)),
    path(settings.DJANGO_ADMIN_URL, admin_site.urls),
    path("accounts/", include("portal.accounts.urls")),
    path("portal/", views.PortalHomeView.as_view(), name="portal_home"),
    path("portal/users/", include("portal.accounts.urls_portal")),
    path("portal/audit/", include("portal.audit.urls")),
    path("portal/encompass/", include("portal.encompass.urls")),
    path("portal/assessments/cases/", include("eh_assessments.case_urls")),
    path("portal/assessments/", include("eh_assessments.urls")),
    path("portal/insights/", include("portal.insights.urls")),
    path("api/encompass/", include("portal.encompass.api_urls")),
    path("api/docs", views.ApiDocsView.as_view(), name="api_docs"),
    path("healthz", health.healthz, name="healthz"),
    path("api/oruk/", include("directory.api.urls")),
    path("directory/verify/", include("directory.verification_urls")),
    path("documents/", include(wagtaildocs_urls)),
    path("sitemap.xml", sitemap, {"sitemaps": {"pages": Sitemap}}, name="sitemap"),
    path("services/", include("search.urls")),  # /services/ and /services/suggest; /services/<slug>/ is Wagtail's
    path("", include("directory.urls")),  # the family's list at /my-list/ (before Wagtail's pages)
    path("", include(wagtail_urls)),
]

handler403 = "portal.views.permission_denied"
handler404 = "portal.views.page_not_found"
handler500 = "portal.views.server_error"
