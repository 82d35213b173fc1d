from django.conf import settings


def portal(request):
    return {
        "COUNCIL_NAME": settings.COUNCIL_NAME,
        "csp_nonce": getattr(request, "csp_nonce", ""),
        "SESSION_IDLE_TIMEOUT": settings.SESSION_IDLE_TIMEOUT,
    }
