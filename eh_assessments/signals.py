"""Keep ``ReferralChild.rereferral`` right as requests for help and their children change
(``rereferral.refresh_flags``; registered in ``apps.py``)."""

from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete
from django.dispatch import receiver

from .models import Referral, ReferralChild
from .rereferral import refresh_flags


def _children_of(referral: Referral) -> list[int]:
    return list(ReferralChild.objects.filter(referral=referral).values_list("person_id", flat=True))


@receiver(m2m_changed, sender=ReferralChild)
def children_changed(sender, instance, action, reverse, pk_set, **kwargs):
    """``referral.children`` (``instance`` a Referral, ``pk_set`` children) or
    ``person.referrals`` (``reverse``: ``instance`` the child). ``clear`` names no one, so a
    request's children are noted before it and refreshed after."""
    if action in ("post_add", "post_remove"):
        refresh_flags([instance.pk] if reverse else pk_set)
    elif action == "pre_clear" and not reverse:
        instance._children_before_clear = _children_of(instance)
    elif action == "post_clear":
        refresh_flags([instance.pk] if reverse else instance.__dict__.pop("_children_before_clear", []))


@receiver(post_save, sender=Referral)
def referral_saved(sender, instance, created, update_fields, **kwargs):
    """A new request has no children yet; a saved one may have moved to another day."""
    if created or (update_fields is not None and "received_on" not in update_fields):
        return
    refresh_flags(_children_of(instance))


@receiver(pre_delete, sender=Referral)
def referral_deleting(sender, instance, **kwargs):
    instance._children_before_delete = _children_of(instance)


@receiver(post_delete, sender=Referral)
def referral_deleted(sender, instance, **kwargs):
    """Its links are gone by now: the children's later requests may no longer be re-referrals."""
    refresh_flags(instance.__dict__.pop("_children_before_delete", []))
