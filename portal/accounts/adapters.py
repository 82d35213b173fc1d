from allauth.account.adapter import DefaultAccountAdapter

from django.conf import settings


class AccountAdapter(DefaultAccountAdapter):
    """Professionals are invited by an administrator; nobody signs themselves up. Messages
    follow the GOV.UK style: say what happened and what to do, without blame."""

    error_messages = {
        **DefaultAccountAdapter.error_messages,
        # The same words whether or not the address has an account (no enumeration).
        "email_password_mismatch": "Enter a correct email address and password",
        "incorrect_password": "The password is not correct",
        "enter_current_password": "Enter your current password",
        "invalid_password_reset": "The password reset link is not valid. Ask for a new one.",
        "rate_limited": "You have made too many requests. Wait a few minutes, then try again.",
    }

    def __init__(self, request=None):
        super().__init__(request)
        minutes = settings.SIGN_IN_LOCKOUT_MINUTES
        self.error_messages = {
            **self.error_messages,
            "too_many_login_attempts": (
                "You have tried to sign in too many times. "
                f"Wait {minutes} minute{'s' if minutes != 1 else ''}, then try again, "
                "or reset your password."
            ),
        }

    def is_open_for_signup(self, request):
        return False

    def send_mail(self, template_prefix, email, context):
        # allauth emails addresses with no account when somebody asks to reset their
        # password, inviting them to sign up. There is no sign-up here, and the reset page
        # already looks the same for every address, so such addresses get no email at all.
        if template_prefix == "account/email/unknown_account":
            return
        super().send_mail(template_prefix, email, context)
