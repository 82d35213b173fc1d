"""``AuditedObjectMixin``: the audit line for any class-based view with ``get_object()``.

    class NotificationDetailView(LoginRequiredMixin, AuditedObjectMixin, DetailView):
        model = Notification
        audit_action = "view"            # the default

        def get_audit_object_repr(self, obj):
            return obj.reference         # optional; never a name

The object fetched by ``get_object()`` is recorded once per request, after the response
turned out successful (see :func:`portal.audit.decorators.is_successful`): a 403 or 404
raised by ``get_object()`` or a permission check records nothing, and neither does a page
that fails to render. The object's type and id are taken when it is fetched, so a
DeleteView still records the id of what it deleted.
"""

from __future__ import annotations

from .decorators import when_successful
from .models import AuditEvent
from .services import record


class AuditedObjectMixin:
    audit_action: str = AuditEvent.Action.VIEW
    audit_detail: dict | None = None

    def get_audit_action(self) -> str:
        return self.audit_action

    def get_audit_object_repr(self, obj) -> str:
        return ""

    def get_audit_detail(self, obj) -> dict | None:
        return self.audit_detail

    def get_object(self, queryset=None):
        obj = super().get_object(queryset)
        self._audited = (obj, obj._meta.label_lower, obj.pk, self.get_audit_object_repr(obj))
        return obj

    def dispatch(self, request, *args, **kwargs):
        self._audited = None
        response = super().dispatch(request, *args, **kwargs)
        if self._audited is not None:
            obj, object_type, object_id, object_repr = self._audited
            when_successful(
                request,
                response,
                lambda: record(
                    request,
                    self.get_audit_action(),
                    object_type=object_type,
                    object_id=object_id,
                    object_repr=object_repr,
                    detail=self.get_audit_detail(obj),
                ),
            )
        return response
