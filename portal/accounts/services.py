"""Code that changes accounts: inviting professionals, and accepting, resending and revoking
invitations. Each function does its database work in one transaction; emails are sent after
the transaction commits, so a slow mail server never holds a database lock and a failed send
leaves an invitation the administrator can resend.

The invitation link is ``/accounts/invitation/<token>/``. The token is signed with a salt used
only for invitations (so no other signed value can stand in for one), carries the
invitation's uuid and how many times it has been sent (so resending makes the earlier links
stop working) and expires after ``INVITATION_MAX_AGE_DAYS`` days.
"""

from __future__ import annotations

import datetime
import logging
import smtplib
from collections.abc import Iterable
from urllib.parse import urljoin

from allauth.account.models import EmailAddress

from django.conf import settings
from django.contrib.auth.models import Group
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from portal.audit.services import Action, record

from .models import Invitation, Team, User
from .roles import ROLES_BY_SLUG, Role

logger = logging.getLogger(__name__)

INVITATION_SALT = "portal.accounts.invitation"


# --- Errors: each names what went wrong in words the invitee or administrator can act on ---
class InvitationError(Exception):
    """The invitation cannot be used. ``reason`` picks the page shown to the invitee."""

    reason = "invalid"

    def __init__(self, invitation: Invitation | None = None):
        super().__init__(self.reason)
        self.invitation = invitation


class InvitationInvalid(InvitationError):
    reason = "invalid"  # tampered with, mistyped, or for an invitation that no longer exists


class InvitationExpired(InvitationError):
    reason = "expired"


class InvitationRevoked(InvitationError):
    reason = "revoked"


class InvitationAlreadyUsed(InvitationError):
    reason = "used"


class InvitationSuperseded(InvitationError):
    reason = "superseded"  # a newer email was sent; only its link works


class EmailAlreadyRegistered(ValueError):
    """Somebody already has an account with this email address."""


class InvitationAlreadyPending(ValueError):
    """An invitation to this address is waiting to be accepted."""


# --- Tokens -------------------------------------------------------------------------------
def max_age() -> datetime.timedelta:
    return datetime.timedelta(days=settings.INVITATION_MAX_AGE_DAYS)


def make_token(invitation: Invitation) -> str:
    return signing.dumps({"i": str(invitation.uuid), "v": invitation.send_count}, salt=INVITATION_SALT, compress=True)


def invitation_url(invitation: Invitation) -> str:
    path = reverse("accept_invitation", kwargs={"token": make_token(invitation)})
    return urljoin(settings.BASE_URL.rstrip("/") + "/", path.lstrip("/"))


def check_token(token: str, *, lock: bool = False) -> Invitation:
    """The pending invitation ``token`` stands for, or an :class:`InvitationError` saying
    why it cannot be used. Used links say so before expired ones: "you already have an
    account" is more useful than "ask for a new invitation"."""
    try:
        payload = signing.loads(token, salt=INVITATION_SALT)
        uuid, version = str(payload["i"]), int(payload["v"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise InvitationInvalid() from None
    queryset = Invitation.objects.select_for_update() if lock else Invitation.objects.all()
    try:
        invitation = queryset.get(uuid=uuid)
    except (Invitation.DoesNotExist, ValidationError):
        raise InvitationInvalid() from None
    if invitation.accepted_at:
        raise InvitationAlreadyUsed(invitation)
    if invitation.revoked_at:
        raise InvitationRevoked(invitation)
    if version != invitation.send_count:
        raise InvitationSuperseded(invitation)
    try:
        signing.loads(token, salt=INVITATION_SALT, max_age=max_age())
    except signing.SignatureExpired:
        raise InvitationExpired(invitation) from None
    if invitation.expires_at <= timezone.now():
        raise InvitationExpired(invitation)
    return invitation


# --- Inviting -----------------------------------------------------------------------------
def _groups(roles: Iterable[Role | str]) -> list[Group]:
    groups = []
    for role in roles:
        role = ROLES_BY_SLUG[role] if isinstance(role, str) else role
        group, _ = Group.objects.get_or_create(name=role.name)
        groups.append(group)
    return groups


def email_has_account(email: str) -> bool:
    return User.objects.filter(email__iexact=email.strip()).exists()


def invite(
    *,
    email: str,
    first_name: str,
    last_name: str,
    roles: Iterable[Role | str],
    team: Team | None = None,
    police_force: str = "",
    invited_by: User | None,
    request=None,
) -> Invitation:
    """Create an invitation and email its link. Refuses an address that already has an
    account (:class:`EmailAlreadyRegistered`) or a pending invitation
    (:class:`InvitationAlreadyPending`)."""
    email = email.strip().lower()
    with transaction.atomic():
        if email_has_account(email):
            raise EmailAlreadyRegistered(email)
        if Invitation.objects.pending().filter(email=email).exists():
            raise InvitationAlreadyPending(email)
        now = timezone.now()
        invitation = Invitation.objects.create(
            email=email,
            first_name=first_name.strip(),
            last_name=last_name.strip(),
            team=team,
            police_force=police_force.strip().upper(),
            invited_by=invited_by,
            created_at=now,
            send_count=1,
            expires_at=now + max_age(),
        )
        invitation.roles.set(_groups(roles))
        record(
            request,
            Action.CREATE,
            invitation,
            object_repr=f"Invitation {invitation.uuid}",
            detail={"roles": sorted(g.name for g in invitation.roles.all())},
            actor=invited_by,
        )
    _send(invitation)
    return invitation


def resend(invitation: Invitation, *, by: User | None, request=None) -> Invitation:
    """Send the invitation again with a fresh link and a fresh expiry date. Earlier links
    stop working. An expired invitation may be resent; an accepted or revoked one may not."""
    with transaction.atomic():
        invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if invitation.accepted_at:
            raise InvitationAlreadyUsed(invitation)
        if invitation.revoked_at:
            raise InvitationRevoked(invitation)
        if email_has_account(invitation.email):
            raise EmailAlreadyRegistered(invitation.email)
        invitation.send_count += 1
        invitation.expires_at = timezone.now() + max_age()
        invitation.save(update_fields=["send_count", "expires_at"])
        record(
            request,
            Action.UPDATE,
            invitation,
            object_repr=f"Invitation {invitation.uuid}",
            detail={"resent": True, "send_count": invitation.send_count},
            actor=by,
        )
    _send(invitation)
    return invitation


def revoke(invitation: Invitation, *, by: User | None, request=None) -> Invitation:
    """Withdraw an invitation: its link stops working. Revoking twice is harmless."""
    with transaction.atomic():
        invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if invitation.accepted_at:
            raise InvitationAlreadyUsed(invitation)
        if invitation.revoked_at:
            return invitation
        invitation.revoked_at = timezone.now()
        invitation.revoked_by = by
        invitation.save(update_fields=["revoked_at", "revoked_by"])
        record(
            request,
            Action.UPDATE,
            invitation,
            object_repr=f"Invitation {invitation.uuid}",
            detail={"revoked": True},
            actor=by,
        )
    return invitation


def accept(
    token: str,
    *,
    password: str,
    first_name: str | None = None,
    last_name: str | None = None,
    job_title: str = "",
    request=None,
) -> User:
    """Turn a pending invitation into an account holding the invitation's roles, team and
    police force. The password must already have passed the password validators (the form
    does that, so the errors reach the invitee). The address counts as verified: the invitee
    proved they read mail sent to it."""
    with transaction.atomic():
        invitation = check_token(token, lock=True)
        if email_has_account(invitation.email):
            raise EmailAlreadyRegistered(invitation.email)
        user = User.objects.create_user(
            email=invitation.email,
            password=password,
            first_name=(first_name or invitation.first_name).strip(),
            last_name=(last_name or invitation.last_name).strip(),
            job_title=job_title.strip(),
            team=invitation.team,
            police_force=invitation.police_force,
        )
        user.groups.set(invitation.roles.all())
        EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=True)
        invitation.accepted_at = timezone.now()
        invitation.accepted_user = user
        invitation.save(update_fields=["accepted_at", "accepted_user"])
        record(
            request,
            Action.CREATE,
            user,
            object_repr=f"Account from invitation {invitation.uuid}",
            detail={"invitation": str(invitation.uuid)},
            actor=user,
        )
    return user


# --- Email --------------------------------------------------------------------------------
def _send(invitation: Invitation) -> bool:
    """Email the invitation's current link. Returns False (and logs) if the mail server
    refused it; the invitation stays, marked as not sent, for the administrator to resend."""
    inviter = invitation.invited_by
    context = {
        "invitation": invitation,
        "url": invitation_url(invitation),
        "inviter_name": (inviter.get_full_name() or inviter.email) if inviter else settings.COUNCIL_NAME,
        "roles": [group.name for group in invitation.roles.all()],
        "expires_at": invitation.expires_at,
        "COUNCIL_NAME": settings.COUNCIL_NAME,
        "BASE_URL": settings.BASE_URL,
        "REQUIRE_MFA": settings.REQUIRE_MFA,
    }
    subject = " ".join(render_to_string("accounts/email/invitation_subject.txt", context).split())
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string("accounts/email/invitation_message.txt", context),
        to=[invitation.email],
    )
    message.attach_alternative(render_to_string("accounts/email/invitation_message.html", context), "text/html")
    try:
        message.send()
    except (OSError, smtplib.SMTPException):
        logger.exception("Could not send invitation %s", invitation.uuid)
        Invitation.objects.filter(pk=invitation.pk).update(sent_at=None)
        return False
    sent_at = timezone.now()
    Invitation.objects.filter(pk=invitation.pk).update(sent_at=sent_at)
    invitation.sent_at = sent_at
    return True
