from django.conf import settings
from django.shortcuts import redirect


class RequireMFAMiddleware:
    """When REQUIRE_MFA is on, a signed-in professional without MFA is taken to set it up
    before any page that shows personal data (paths in MFA_PROTECTED_PATH_PREFIXES)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if settings.REQUIRE_MFA and self._needs_mfa(request):
            return redirect(f"{settings.MFA_SETUP_URL}?next={request.get_full_path()}")
        return self.get_response(request)

    @staticmethod
    def _needs_mfa(request) -> bool:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return False
        if not request.path.startswith(settings.MFA_PROTECTED_PATH_PREFIXES):
            return False
        from allauth.mfa.utils import is_mfa_enabled

        return not is_mfa_enabled(user)
