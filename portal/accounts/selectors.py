"""Read queries for accounts. Views call these rather than building querysets, so what an
administrator sees, and how it is fetched, is decided in one place."""

from __future__ import annotations

from allauth.mfa.models import Authenticator

from django.contrib.auth.models import Group
from django.db.models import Exists, OuterRef, Prefetch, QuerySet

from .models import Invitation, User
from .services import InvitationError, check_token

# Authenticators that count as a second factor (recovery codes alone do not).
MFA_TYPES = (Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN)


def professionals() -> QuerySet[User]:
    """Every account, with what the users list shows, in a fixed number of queries:
    roles (groups) prefetched, team joined, and ``has_mfa`` computed in the database."""
    return (
        User.objects.select_related("team")
        .prefetch_related(Prefetch("groups", queryset=Group.objects.order_by("name")))
        .annotate(
            has_mfa=Exists(Authenticator.objects.filter(user_id=OuterRef("pk"), type__in=MFA_TYPES)),
        )
        .order_by("last_name", "first_name", "email")
    )


def open_invitations() -> QuerySet[Invitation]:
    """Invitations neither accepted nor revoked (pending or expired), newest first."""
    return (
        Invitation.objects.filter(accepted_at__isnull=True, revoked_at__isnull=True)
        .select_related("team", "invited_by")
        .prefetch_related(Prefetch("roles", queryset=Group.objects.order_by("name")))
        .order_by("-created_at")
    )


def invitation_for_token(token: str) -> tuple[Invitation | None, InvitationError | None]:
    """The pending invitation for ``token``, or the reason it cannot be used."""
    try:
        return check_token(token), None
    except InvitationError as error:
        return None, error
