"""Small views that use the audit mixin and decorator, for tests/audit/test_view_helpers.py."""

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, HttpResponseForbidden, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import include, path, reverse_lazy
from django.views.generic import DeleteView, DetailView

from portal.audit.decorators import audited
from portal.audit.mixins import AuditedObjectMixin
from portal.audit.services import record_list

User = get_user_model()


class UserDetail(AuditedObjectMixin, DetailView):
    model = User
    template_name = "audit_tests/object.html"

    def get_audit_object_repr(self, obj):
        return f"USR-{obj.pk}"

    def get_context_data(self, **kwargs):
        self.get_object()  # a second fetch in the same request must not record twice
        return super().get_context_data(**kwargs)


class UserDetailForbidden(AuditedObjectMixin, DetailView):
    """Fetches the object, then refuses it (an object-level permission check)."""

    model = User
    template_name = "audit_tests/object.html"

    def get_object(self, queryset=None):
        super().get_object(queryset)
        raise PermissionDenied


class UserDetailBrokenTemplate(AuditedObjectMixin, DetailView):
    model = User
    template_name = "audit_tests/does-not-exist.html"


class UserDetailRedirecting(AuditedObjectMixin, DetailView):
    model = User

    def get(self, request, *args, **kwargs):
        self.get_object()
        return HttpResponseRedirect("/elsewhere/")


class UserDelete(AuditedObjectMixin, DeleteView):
    model = User
    audit_action = "delete"
    success_url = reverse_lazy("portal_home")
    template_name = "audit_tests/object.html"


@audited("view", object_type="accounts.user", object_id_kwarg="pk")
def user_view(request, pk):
    user = get_object_or_404(User, pk=pk)
    status = request.GET.get("status")
    if status == "403":
        return HttpResponseForbidden()
    if status == "302":
        return HttpResponseRedirect("/elsewhere/")
    if status == "template":
        return TemplateResponse(request, "audit_tests/object.html", {"object": user})
    return HttpResponse(f"user {user.pk}")


@audited("acknowledge", object_type=User, object_id_kwarg="pk")
def user_acknowledge(request, pk):
    return HttpResponseRedirect("/done/")


@audited("view", object_type="accounts.user", object_id_kwarg="id")
def wrongly_configured(request, pk):
    return HttpResponse("never")


def user_list(request):
    users = list(User.objects.order_by("pk"))
    record_list(request, users)
    return HttpResponse(", ".join(str(u.pk) for u in users))


urlpatterns = [
    path("t/users/<int:pk>/", UserDetail.as_view(), name="t-detail"),
    path("t/users/<int:pk>/forbidden/", UserDetailForbidden.as_view(), name="t-forbidden"),
    path("t/users/<int:pk>/broken/", UserDetailBrokenTemplate.as_view(), name="t-broken"),
    path("t/users/<int:pk>/redirect/", UserDetailRedirecting.as_view(), name="t-redirect"),
    path("t/users/<int:pk>/delete/", UserDelete.as_view(), name="t-delete"),
    path("t/fn/<int:pk>/", user_view, name="t-fn"),
    path("t/fn/<int:pk>/acknowledge/", user_acknowledge, name="t-ack"),
    path("t/fn/<int:pk>/wrong/", wrongly_configured, name="t-wrong"),
    path("t/list/", user_list, name="t-list"),
    path("", include("portal.urls")),
]
