from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.http import HttpResponseRedirect


class RequireMFAMiddleware:
    """When REQUIRE_MFA is on, a signed-in professional without a second factor (an
    authenticator app or a security key; recovery codes alone do not count) is taken to set
    one up before any page that shows personal data: paths under MFA_PROTECTED_PATH_PREFIXES
    (the portal, the Wagtail admin and the Django admin).

    The page they asked for travels as ``next``, url-encoded so that nothing in the original
    query string can add parameters of its own; the MFA views accept it only if it is a
    local path (see :func:`portal.accounts.views.safe_next`). The MFA set-up pages themselves
    are never protected, so this cannot loop.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if settings.REQUIRE_MFA and self._needs_mfa(request):
            query = urlencode({REDIRECT_FIELD_NAME: request.get_full_path()})
            return HttpResponseRedirect(f"{settings.MFA_SETUP_URL}?{query}")
        return self.get_response(request)

    @staticmethod
    def _needs_mfa(request) -> bool:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return False
        path = request.path
        if path.startswith(settings.MFA_SETUP_URL) or not path.startswith(tuple(settings.MFA_PROTECTED_PATH_PREFIXES)):
            return False
        from allauth.mfa.models import Authenticator
        from allauth.mfa.utils import is_mfa_enabled

        return not is_mfa_enabled(user, [Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN])
