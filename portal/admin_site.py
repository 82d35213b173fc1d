"""Django's own admin is for superusers only, at a non-default path (DJANGO_ADMIN_URL).
Everyday administration happens in the Wagtail admin and the portal."""

from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.urls import reverse


class SuperuserAdminSite(admin.AdminSite):
    site_header = "Early help portal: system administration"
    site_title = "System administration"
    index_title = "System administration"

    def has_permission(self, request):
        return bool(request.user.is_active and request.user.is_superuser)

    def login(self, request, extra_context=None):
        # Sign-in always goes through allauth, so MFA and lockout apply.
        return redirect_to_login(request.get_full_path(), reverse("account_login"))


admin_site = SuperuserAdminSite(name="superadmin")
