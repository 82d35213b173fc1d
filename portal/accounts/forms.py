from __future__ import annotations

from allauth.account import forms as allauth_forms
from allauth.mfa.base import forms as allauth_mfa_forms
from allauth.mfa.totp import forms as allauth_totp_forms

from django import forms
from django.contrib.auth import password_validation

from .models import Invitation, Team, User
from .roles import ROLES, ROLES_BY_SLUG
from .services import email_has_account

POLICE_ROLE = "police_encompass_officer"


class InvitationForm(forms.Form):
    """What an administrator says about the professional they invite."""

    email = forms.EmailField(
        label="Email address",
        help_text="Their work email address. The invitation is sent here and it becomes their sign-in.",
        widget=forms.EmailInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        error_messages={
            "required": "Enter their email address",
            "invalid": "Enter an email address in the correct format, like name@example.org",
        },
    )
    first_name = forms.CharField(
        label="First name",
        max_length=150,
        widget=forms.TextInput(attrs={"spellcheck": "false"}),
        error_messages={"required": "Enter their first name"},
    )
    last_name = forms.CharField(
        label="Last name",
        max_length=150,
        widget=forms.TextInput(attrs={"spellcheck": "false"}),
        error_messages={"required": "Enter their last name"},
    )
    roles = forms.MultipleChoiceField(
        label="Roles",
        help_text="Select all that apply.",
        choices=[(role.slug, role.name) for role in ROLES],
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Select at least one role"},
    )
    team = forms.ModelChoiceField(
        label="Team",
        help_text="Lead professionals and early help managers see their team's cases.",
        queryset=Team.objects.all(),
        required=False,
        empty_label="No team",
    )
    police_force = forms.CharField(
        label="Police force code",
        help_text="Only for police Encompass officers, for example NBR for Northumbria Police.",
        max_length=10,
        required=False,
        widget=forms.TextInput(attrs={"class": "govuk-input--width-5", "spellcheck": "false", "autocomplete": "off"}),
    )

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip().lower()
        if email_has_account(email):
            raise forms.ValidationError(
                "%(email)s already has an account. They can sign in, or reset their password if they have forgotten it.",
                code="email_taken",
                params={"email": email},
            )
        if Invitation.objects.pending().filter(email=email).exists():
            raise forms.ValidationError(
                "An invitation to %(email)s is waiting to be accepted. Resend it from the list of invitations instead.",
                code="invitation_pending",
                params={"email": email},
            )
        return email

    def clean_roles(self):
        return [ROLES_BY_SLUG[slug] for slug in self.cleaned_data["roles"]]

    def clean_police_force(self) -> str:
        return self.cleaned_data["police_force"].strip().upper()

    def clean(self):
        cleaned = super().clean()
        roles = cleaned.get("roles") or []
        if any(role.slug == POLICE_ROLE for role in roles) and not cleaned.get("police_force"):
            self.add_error("police_force", "Enter the police force code for a police Encompass officer")
        return cleaned

    def role_options(self):
        """Each role with what the checkbox needs: the template shows each role's description
        as the checkbox's hint."""
        selected = set(self["roles"].value() or [])
        return [
            {
                "role": role,
                "id": f"{self['roles'].auto_id}_{index}",  # as Django names them: the error summary links to _0
                "checked": role.slug in selected,
            }
            for index, role in enumerate(ROLES)
        ]


class AcceptInvitationForm(forms.Form):
    """The invitee confirms their name and chooses a password."""

    first_name = forms.CharField(
        label="First name",
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "given-name", "spellcheck": "false"}),
        error_messages={"required": "Enter your first name"},
    )
    last_name = forms.CharField(
        label="Last name",
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "family-name", "spellcheck": "false"}),
        error_messages={"required": "Enter your last name"},
    )
    job_title = forms.CharField(
        label="Job title",
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "organization-title"}),
    )
    password1 = forms.CharField(
        label="Create a password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={"required": "Create a password"},
    )
    password2 = forms.CharField(
        label="Confirm your password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={"required": "Enter the same password again"},
    )

    def __init__(self, *args, invitation: Invitation, **kwargs):
        self.invitation = invitation
        kwargs["initial"] = {
            "first_name": invitation.first_name,
            "last_name": invitation.last_name,
            **(kwargs.get("initial") or {}),
        }
        super().__init__(*args, **kwargs)
        self.fields["password1"].help_text = password_hint()

    def clean(self):
        cleaned = super().clean()
        password1, password2 = cleaned.get("password1"), cleaned.get("password2")
        if password1 and password2 and password1 != password2:
            self.add_error("password2", "The passwords do not match")
        if password1 and "password1" not in self.errors:
            candidate = User(
                email=self.invitation.email,
                first_name=cleaned.get("first_name") or self.invitation.first_name,
                last_name=cleaned.get("last_name") or self.invitation.last_name,
            )
            try:
                password_validation.validate_password(password1, user=candidate)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned


def password_hint() -> str:
    """The rules the password validators apply, in one sentence."""
    min_length = next(
        (
            validator.min_length
            for validator in password_validation.get_default_password_validators()
            if isinstance(validator, password_validation.MinimumLengthValidator)
        ),
        None,
    )
    start = f"Use at least {min_length} characters. " if min_length else ""
    return start + "Avoid common passwords, numbers only, and anything close to your name or email address."


# --- allauth's forms, with GOV.UK error messages ------------------------------------------
# allauth's forms say "This field is required." and "Enter a valid email address." for every
# field, so an error summary listing two of them does not say which field is which. GOV.UK
# error messages name the thing to enter. The views in views.py use these forms.
EMAIL_FORMAT_MESSAGE = "Enter an email address in the correct format, like name@example.org"


class GovUKErrorMessagesMixin:
    """``govuk_error_messages = {field name: {error code: message}}`` replaces the field's
    own messages for those codes."""

    govuk_error_messages: dict[str, dict[str, str]] = {}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, messages in self.govuk_error_messages.items():
            if name in self.fields:
                self.fields[name].error_messages = {**self.fields[name].error_messages, **messages}


class SignInForm(GovUKErrorMessagesMixin, allauth_forms.LoginForm):
    govuk_error_messages = {
        "login": {"required": "Enter your email address", "invalid": EMAIL_FORMAT_MESSAGE},
        "password": {"required": "Enter your password"},
    }


class ResetPasswordForm(GovUKErrorMessagesMixin, allauth_forms.ResetPasswordForm):
    govuk_error_messages = {"email": {"required": "Enter your email address", "invalid": EMAIL_FORMAT_MESSAGE}}


class ResetPasswordKeyForm(GovUKErrorMessagesMixin, allauth_forms.ResetPasswordKeyForm):
    govuk_error_messages = {
        "password1": {"required": "Enter a new password"},
        "password2": {"required": "Enter the same password again"},
    }


class SecurityCodeForm(GovUKErrorMessagesMixin, allauth_mfa_forms.AuthenticateForm):
    govuk_error_messages = {"code": {"required": "Enter the security code from your authenticator app"}}


class ActivateTOTPForm(GovUKErrorMessagesMixin, allauth_totp_forms.ActivateTOTPForm):
    govuk_error_messages = {"code": {"required": "Enter the 6-digit code your authenticator app shows"}}
