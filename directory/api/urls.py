"""URLs of the ORUK API, to be included at ``api/oruk/``.

Every response carries ``Access-Control-Allow-Origin: *`` (the UK profile's one security
rule): successes, errors, unknown paths and CORS preflight requests alike. The wrapper is
applied here, around django-ninja's views, so it needs no project-wide middleware."""

from __future__ import annotations

import functools
import logging

from django.core import signals
from django.http import HttpResponse, JsonResponse
from django.urls import URLPattern, re_path
from django.views.decorators.csrf import csrf_exempt

from directory.api.views import api

logger = logging.getLogger("directory.api")

CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "GET, HEAD, OPTIONS",
    "Access-Control-Max-Age": "86400",
    # An open data API: other sites may fetch and embed it.
    "Cross-Origin-Resource-Policy": "cross-origin",
}


def _add_cors(response: HttpResponse, request) -> HttpResponse:
    for header, value in CORS_HEADERS.items():
        response[header] = value
    requested = request.headers.get("Access-Control-Request-Headers")
    if requested:
        response["Access-Control-Allow-Headers"] = requested
    return response


def with_cors(view):
    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        if request.method == "OPTIONS":
            return _add_cors(HttpResponse(status=204), request)
        try:
            response = view(request, *args, **kwargs)
        except Exception:
            # Keep Django's behaviour (logging, the test client re-raising) but answer in JSON
            # with the CORS header, so a browser client sees the error.
            logger.exception("ORUK API error on %s", request.path)
            signals.got_request_exception.send(sender=None, request=request)
            response = JsonResponse({"status": 500, "message": "Server error"}, status=500)
        return _add_cors(response, request)

    return csrf_exempt(wrapped)


@with_cors
def unknown_path(request, path=""):
    return JsonResponse({"status": 404, "message": "Not found"}, status=404)


def _wrap(pattern: URLPattern) -> URLPattern:
    return URLPattern(pattern.pattern, with_cors(pattern.callback), pattern.default_args, pattern.name)


_patterns, _app_name, _namespace = api.urls

app_name = _namespace  # "oruk"
urlpatterns = [_wrap(p) for p in _patterns] + [re_path(r"^(?P<path>.*)$", unknown_path, name="unknown")]
