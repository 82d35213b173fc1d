"""Views for accounts: the administrator's users pages, accepting an invitation, and thin
wrappers round allauth's MFA set-up views so that set-up returns the professional to the page
they were trying to reach (``next``)."""

from __future__ import annotations

from urllib.parse import urlencode

from allauth.account import views as allauth_views
from allauth.account.internal.flows.login import record_authentication
from allauth.account.utils import perform_login
from allauth.mfa.base.views import AuthenticateView as AllauthAuthenticateView
from allauth.mfa.base.views import IndexView as AllauthMFAIndexView
from allauth.mfa.recovery_codes.views import ViewRecoveryCodesView as AllauthViewRecoveryCodesView
from allauth.mfa.totp.views import ActivateTOTPView as AllauthActivateTOTPView
from allauth.mfa.utils import is_mfa_enabled
from allauth.mfa.webauthn.views import AddWebAuthnView as AllauthAddWebAuthnView

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse, reverse_lazy
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.generic import FormView, TemplateView

from . import forms, selectors, services
from .forms import AcceptInvitationForm, InvitationForm
from .models import Invitation

INVITE_PERMISSION = "accounts.invite_user"


# --- next: only ever a path on this site ------------------------------------------------
def safe_next(request, value: str | None = None) -> str | None:
    """``value`` (or the request's ``next``) if it is a local path, else None.

    Only paths are accepted ("/portal/…"), never a URL with a scheme or host, nor "//host"
    or "/\\host" (which browsers treat as another site)."""
    if value is None:
        value = request.POST.get(REDIRECT_FIELD_NAME) or request.GET.get(REDIRECT_FIELD_NAME)
    if not value or not value.startswith("/") or value.startswith(("//", "/\\")):
        return None
    if not url_has_allowed_host_and_scheme(
        value, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return None
    return value


def with_next(url: str, next_url: str | None) -> str:
    return f"{url}?{urlencode({REDIRECT_FIELD_NAME: next_url})}" if next_url else url


class NextMixin:
    """Puts the safe ``next`` into the template context for links and hidden fields."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        next_url = safe_next(self.request)
        context["next_url"] = next_url
        context["next_query"] = urlencode({REDIRECT_FIELD_NAME: next_url}) if next_url else ""
        return context


# --- MFA set-up (allauth's views, returning to next) -------------------------------------
class MFAIndexView(NextMixin, AllauthMFAIndexView):
    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["mfa_required"] = settings.REQUIRE_MFA and not is_mfa_enabled(
            self.request.user, list(selectors.MFA_TYPES)
        )
        return context


class _ReturnToNextAfterAdding:
    """After adding the first authenticator allauth shows the new recovery codes; carry
    ``next`` there, or go straight to it when no codes were made."""

    def get_success_url(self) -> str:
        next_url = safe_next(self.request)
        if self.did_generate_recovery_codes:
            return with_next(reverse("mfa_view_recovery_codes"), next_url)
        return next_url or reverse("mfa_index")


class ActivateTOTPView(NextMixin, _ReturnToNextAfterAdding, AllauthActivateTOTPView):
    form_class = forms.ActivateTOTPForm


class AddWebAuthnView(NextMixin, _ReturnToNextAfterAdding, AllauthAddWebAuthnView):
    pass


class ViewRecoveryCodesView(NextMixin, AllauthViewRecoveryCodesView):
    pass


# --- allauth's entrance pages, with GOV.UK error messages (see forms.py) -----------------
class LoginView(allauth_views.LoginView):
    form_class = forms.SignInForm


class PasswordResetView(allauth_views.PasswordResetView):
    form_class = forms.ResetPasswordForm


class PasswordResetFromKeyView(allauth_views.PasswordResetFromKeyView):
    form_class = forms.ResetPasswordKeyForm


class SecurityCodeView(AllauthAuthenticateView):
    """The second step of signing in."""

    form_class = forms.SecurityCodeForm


class EmailManagedByAdministratorView(LoginRequiredMixin, TemplateView):
    """Replaces allauth's "manage email addresses" page. The sign-in address is the one the
    invitation was accepted from (so it is known to work); changing it is a job for an
    administrator, not a form that would add unverified addresses."""

    template_name = "accounts/email_managed.html"


# --- Administrators: professionals and invitations --------------------------------------
class InvitePermissionMixin(PermissionRequiredMixin):
    """Administrators only: others get 403, anonymous visitors the sign-in page."""

    permission_required = INVITE_PERMISSION


class UserListView(InvitePermissionMixin, TemplateView):
    template_name = "accounts/users/list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["professionals"] = selectors.professionals()
        context["invitations"] = selectors.open_invitations()
        return context


class InviteView(InvitePermissionMixin, FormView):
    template_name = "accounts/users/invite.html"
    form_class = InvitationForm
    success_url = reverse_lazy("users:list")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["INVITATION_MAX_AGE_DAYS"] = settings.INVITATION_MAX_AGE_DAYS
        return context

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            invitation = services.invite(
                email=data["email"],
                first_name=data["first_name"],
                last_name=data["last_name"],
                roles=data["roles"],
                team=data["team"],
                police_force=data["police_force"],
                invited_by=self.request.user,
                request=self.request,
            )
        except services.EmailAlreadyRegistered:
            form.add_error("email", f"{data['email']} already has an account")
            return self.form_invalid(form)
        except services.InvitationAlreadyPending:
            form.add_error("email", f"An invitation to {data['email']} is waiting to be accepted")
            return self.form_invalid(form)
        if invitation.sent_at:
            messages.success(self.request, f"Invitation sent to {invitation.email}")
        else:
            messages.error(
                self.request,
                f"The invitation for {invitation.email} was saved but the email could not be sent. Resend it.",
            )
        return super().form_valid(form)


class _InvitationActionView(InvitePermissionMixin, View):
    http_method_names = ["post"]

    def get_invitation(self) -> Invitation:
        return get_object_or_404(Invitation, uuid=self.kwargs["uuid"])

    def done(self):
        return HttpResponseRedirect(reverse("users:list"))


class ResendInvitationView(_InvitationActionView):
    def post(self, request, *args, **kwargs):
        invitation = self.get_invitation()
        try:
            invitation = services.resend(invitation, by=request.user, request=request)
        except services.InvitationAlreadyUsed:
            messages.error(request, f"{invitation.email} has already accepted their invitation")
        except services.InvitationRevoked:
            messages.error(request, f"The invitation for {invitation.email} was withdrawn. Invite them again.")
        except services.EmailAlreadyRegistered:
            messages.error(request, f"{invitation.email} already has an account")
        else:
            if invitation.sent_at:
                messages.success(request, f"Invitation sent again to {invitation.email}")
            else:
                messages.error(request, f"The email to {invitation.email} could not be sent. Try again later.")
        return self.done()


class RevokeInvitationView(_InvitationActionView):
    """GET asks "are you sure?"; POST withdraws the invitation."""

    http_method_names = ["get", "post"]

    def get(self, request, *args, **kwargs):
        invitation = self.get_invitation()
        if not invitation.is_pending and invitation.status != Invitation.Status.EXPIRED:
            return self.done()
        return render(request, "accounts/users/revoke.html", {"invitation": invitation})

    def post(self, request, *args, **kwargs):
        invitation = self.get_invitation()
        try:
            services.revoke(invitation, by=request.user, request=request)
        except services.InvitationAlreadyUsed:
            messages.error(request, f"{invitation.email} has already accepted their invitation")
        else:
            messages.success(request, f"Invitation for {invitation.email} withdrawn")
        return self.done()


# --- The invitee -------------------------------------------------------------------------
@method_decorator(never_cache, name="dispatch")
@method_decorator(sensitive_post_parameters("password1", "password2"), name="dispatch")
class AcceptInvitationView(FormView):
    """The link in the invitation email: choose a password, and the account exists."""

    template_name = "accounts/invitation/accept.html"
    form_class = AcceptInvitationForm

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            return self.problem("signed_in", status=200)
        self.invitation, error = selectors.invitation_for_token(kwargs["token"])
        if error is not None:
            return self.problem(error.reason)
        return super().dispatch(request, *args, **kwargs)

    def problem(self, reason: str, status: int | None = None):
        if status is None:
            status = 404 if reason == "invalid" else 410
        context = {"reason": reason, "INVITATION_MAX_AGE_DAYS": settings.INVITATION_MAX_AGE_DAYS}
        return render(self.request, "accounts/invitation/problem.html", context, status=status)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["invitation"] = self.invitation
        return kwargs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["invitation"] = self.invitation
        context["REQUIRE_MFA"] = settings.REQUIRE_MFA
        return context

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            user = services.accept(
                self.kwargs["token"],
                password=data["password1"],
                first_name=data["first_name"],
                last_name=data["last_name"],
                job_title=data["job_title"],
                request=self.request,
            )
        except services.InvitationError as error:
            return self.problem(error.reason)
        except services.EmailAlreadyRegistered:
            return self.problem("used")
        home = reverse("portal_home")
        target = with_next(settings.MFA_SETUP_URL, home) if settings.REQUIRE_MFA else home
        response = perform_login(self.request, user, redirect_url=target)
        # They have just chosen their password here, so allauth need not ask for it again
        # before they add an authenticator (its "confirm access" step).
        record_authentication(self.request, user, method="password", reauthenticated=True)
        return response
