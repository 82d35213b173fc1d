"""The directory's settings, with their defaults. Read through these helpers so a council
that has not set them gets the documented behaviour."""

from django.conf import settings


def verification_grace_days() -> int:
    """Days after a service's review falls due before it is hidden from families and the API."""
    return int(getattr(settings, "DIRECTORY_VERIFICATION_GRACE_DAYS", 28))


def assurer_email() -> str:
    """The address published as ORUK ``assurer_email`` (the directory team's mailbox). Never a
    member of staff's own address; blank leaves the property out."""
    return getattr(settings, "DIRECTORY_ASSURER_EMAIL", "")


def import_timeout_seconds() -> int:
    return int(getattr(settings, "DIRECTORY_IMPORT_TIMEOUT", 30))
