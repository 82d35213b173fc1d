"""Audit lines for views: ``@audited`` for function views (and the shared rule for when a
response counts as successful, used by :class:`portal.audit.mixins.AuditedObjectMixin`).

Put ``@audited`` *inside* the access checks, so that it only runs for a request the view
serves::

    @login_required
    @permission_required("encompass.view_notification", raise_exception=True)
    @audited("view", object_type="encompass.notification", object_id_kwarg="pk")
    def notification(request, pk): ...
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponseBase

from .models import AuditEvent
from .services import record

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def is_successful(request: HttpRequest, response: HttpResponseBase) -> bool:
    """A response that showed or did what was asked: any 2xx; and for POST and the other
    unsafe methods also a 3xx, since a form that succeeds redirects (post/redirect/get).
    A redirect answering a GET shows nothing, so it is not a view; errors never count."""
    status = response.status_code
    if 200 <= status < 300:
        return True
    return request.method not in SAFE_METHODS and 300 <= status < 400


def when_successful(request: HttpRequest, response: HttpResponseBase, write: Callable[[], object]) -> None:
    """Call ``write`` if ``response`` is successful. A template response not rendered yet is
    recorded once it has rendered, so a page that fails to render is not recorded as seen."""
    if not is_successful(request, response):
        return
    if hasattr(response, "add_post_render_callback") and not getattr(response, "is_rendered", True):

        def after_render(rendered):
            write()  # returns None, so the rendered response is kept

        response.add_post_render_callback(after_render)
    else:
        write()


def _label(object_type) -> str:
    if hasattr(object_type, "_meta"):
        return object_type._meta.label_lower
    if not isinstance(object_type, str) or "." not in object_type:
        raise ImproperlyConfigured("audited() needs object_type as a model or an 'app_label.model' string.")
    return object_type


def audited(
    action: str = AuditEvent.Action.VIEW,
    *,
    object_type,
    object_id_kwarg: str | None = "pk",
    detail: dict | None = None,
):
    """Record ``action`` on the object named by the URL keyword ``object_id_kwarg`` when the
    view responds successfully (see :func:`is_successful`). ``object_id_kwarg=None`` records
    the object type alone (for a page about a kind of record rather than one)."""
    label = _label(object_type)

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if object_id_kwarg is not None and object_id_kwarg not in kwargs:
                raise ImproperlyConfigured(
                    f"{view.__qualname__} is audited by the URL keyword {object_id_kwarg!r}, which its URL lacks."
                )
            object_id = kwargs.get(object_id_kwarg) if object_id_kwarg else None
            response = view(request, *args, **kwargs)
            when_successful(
                request,
                response,
                lambda: record(request, action, object_type=label, object_id=object_id, detail=detail),
            )
            return response

        return wrapper

    return decorator
