import sys

from django.conf import settings
from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.auth.views import redirect_to_login
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, HttpResponseServerError
from django.shortcuts import render
from django.template import loader
from django.urls import reverse
from django.views.generic import TemplateView

from portal.accounts.roles import roles_for
from portal.registry import cards_for

RETRY_AFTER_SECONDS = 5


def admin_login_redirect(request):
    return redirect_to_login(request.GET.get("next") or reverse("wagtailadmin_home"), reverse("account_login"))


class PortalHomeView(LoginRequiredMixin, TemplateView):
    template_name = "portal/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["roles"] = roles_for(self.request.user)
        context["cards"] = cards_for(self.request.user)
        return context


def permission_denied(request, exception=None):
    return render(request, "errors/403.html", status=403)


def page_not_found(request, exception=None):
    return render(request, "errors/404.html", status=404)


def server_error(request):
    """Django's handler500, called while the exception is being handled. A database that is
    unreachable for a moment (a restart, a failover) is a 503 with Retry-After rather than a
    500: proxies and police systems retry, and monitors see an outage rather than a bug.
    Rendered without context processors: the error may be the database itself."""
    context = {"COUNCIL_NAME": settings.COUNCIL_NAME}
    if isinstance(sys.exc_info()[1], OperationalError | InterfaceError):
        html = loader.get_template("errors/503.html").render(context)
        response = HttpResponse(html, status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    return HttpResponseServerError(loader.get_template("errors/500.html").render(context))


class ApiDocsView(TemplateView):
    """/api/docs: the portal's JSON APIs, each with its OpenAPI description and interactive
    documentation (django-ninja serves both from our own static files)."""

    template_name = "portal/api_docs.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["apis"] = [
            {
                "title": "Open Referral UK v3 directory API",
                "description": "Open data: the published, verified services in the directory, in the Open Referral UK v3 format. No key is needed.",
                "base": reverse("oruk:info"),
                "docs": reverse("oruk:openapi-view"),
                "openapi": reverse("oruk:openapi-json"),
            },
            {
                "title": "Operation Encompass intake API",
                "description": "For police forces: submit domestic abuse notifications for children. Each force authenticates with its own bearer token.",
                "base": reverse("encompass_api:notifications"),
                "docs": reverse("encompass_api:openapi-view"),
                "openapi": reverse("encompass_api:openapi-json"),
            },
        ]
        return context
