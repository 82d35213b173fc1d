"""Security headers for every response: a content security policy with a per-request nonce
(no 'unsafe-inline' for scripts), Permissions-Policy and frame-ancestors; and no caching of
the pages that show personal data (the portal, the admin and the account pages), so a
browser's cache or back button never shows them to the next person at a shared computer."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.utils.cache import add_never_cache_headers

PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
    "microphone=(), payment=(), usb=(), interest-cohort=()"
)


def content_security_policy(nonce: str, *, admin: bool) -> str:
    # Wagtail's admin still sets inline styles on elements, so style attributes are allowed
    # there only. Scripts never run inline without the nonce.
    style_src = "'self' 'unsafe-inline'" if admin else f"'self' 'nonce-{nonce}'"
    return "; ".join(
        [
            "default-src 'self'",
            f"script-src 'self' 'nonce-{nonce}'",
            f"style-src {style_src}",
            "img-src 'self' data: blob:",
            "font-src 'self' data:",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            # Wagtail's admin previews pages in a same-origin frame; nothing else is framed.
            "frame-ancestors 'self'" if admin else "frame-ancestors 'none'",
        ]
    )


def private_prefixes() -> tuple[str, ...]:
    """Paths whose pages show personal data or account details: never stored by a cache."""
    return (*settings.MFA_PROTECTED_PATH_PREFIXES, "/accounts/")


class SecurityHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.csp_nonce = secrets.token_urlsafe(16)
        response = self.get_response(request)
        admin = request.path.startswith(("/admin/", "/" + settings.DJANGO_ADMIN_URL))
        response.setdefault("Content-Security-Policy", content_security_policy(request.csp_nonce, admin=admin))
        response.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        response.setdefault("Cross-Origin-Resource-Policy", "same-site")
        if not response.has_header("Cache-Control") and request.path.startswith(private_prefixes()):
            add_never_cache_headers(response)
        return response
