"""The administrator's pages for professionals and invitations, under /portal/users/."""

from django.urls import path

from . import views

app_name = "users"
urlpatterns = [
    path("", views.UserListView.as_view(), name="list"),
    path("invite/", views.InviteView.as_view(), name="invite"),
    path("invitations/<uuid:uuid>/resend/", views.ResendInvitationView.as_view(), name="resend"),
    path("invitations/<uuid:uuid>/revoke/", views.RevokeInvitationView.as_view(), name="revoke"),
]
