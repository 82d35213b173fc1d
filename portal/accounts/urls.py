from django.urls import include, path, re_path

from . import views

urlpatterns = [
    path("invitation/<str:token>/", views.AcceptInvitationView.as_view(), name="accept_invitation"),
    # allauth's MFA set-up pages, wrapped so that set-up returns to ``next``. Same paths and
    # names as allauth's own, listed first so that they win.
    path("2fa/", views.MFAIndexView.as_view(), name="mfa_index"),
    path("2fa/totp/activate/", views.ActivateTOTPView.as_view(), name="mfa_activate_totp"),
    path("2fa/webauthn/add/", views.AddWebAuthnView.as_view(), name="mfa_add_webauthn"),
    path("2fa/recovery-codes/", views.ViewRecoveryCodesView.as_view(), name="mfa_view_recovery_codes"),
    path("email/", views.EmailManagedByAdministratorView.as_view(), name="account_email"),
    # allauth's entrance pages with GOV.UK error messages: same paths and names as allauth's.
    path("login/", views.LoginView.as_view(), name="account_login"),
    path("password/reset/", views.PasswordResetView.as_view(), name="account_reset_password"),
    re_path(
        r"^password/reset/key/(?P<uidb36>[0-9A-Za-z]+)-(?P<key>.+)/$",
        views.PasswordResetFromKeyView.as_view(),
        name="account_reset_password_from_key",
    ),
    path("2fa/authenticate/", views.SecurityCodeView.as_view(), name="mfa_authenticate"),
    path("", include("allauth.urls")),
]
