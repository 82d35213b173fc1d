"""URLs of the intake API, to be included at ``api/encompass/``. Bodies over
ENCOMPASS_MAX_BODY_BYTES are refused with 413 before anything is parsed."""

from __future__ import annotations

import functools

from django.http import JsonResponse
from django.urls import URLPattern

from . import conf
from .api import api


def limit_body(view):
    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        limit = conf.max_body_bytes()
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > limit:
            return JsonResponse(
                {"status": 413, "message": f"The body is larger than {limit} bytes.", "errors": []}, status=413
            )
        return view(request, *args, **kwargs)

    for attribute in ("csrf_exempt",):
        if hasattr(view, attribute):
            setattr(wrapped, attribute, getattr(view, attribute))
    return wrapped


_patterns, _app_name, _namespace = api.urls
app_name = _namespace  # "encompass_api"
urlpatterns = [URLPattern(p.pattern, limit_body(p.callback), p.default_args, p.name) for p in _patterns]
