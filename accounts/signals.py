"""Audit-log receivers for changes of a user's rights and of memberships, which the admin site
may make without a service: accounts tells the audit log (audit knows no app)."""

import copy

from django.db.models.signals import post_delete, post_init, post_save
from django.dispatch import receiver

from accounts.models import Membership, User
from audit.choices import AuditKind
from audit.services import audit_record

WATCHED_USER_FIELDS = ("roles", "is_staff", "is_superuser", "is_active")


def _rights(user) -> dict:
    # Copies, so that an in-place change (user.roles.append(...)) is still seen as a change.
    return {
        field: copy.copy(user.__dict__[field])
        for field in WATCHED_USER_FIELDS
        if field in user.__dict__
    }


@receiver(post_init, sender=User, dispatch_uid="audit_user_rights_loaded")
def remember_rights(sender, instance, **kwargs):
    # Read from __dict__ so a deferred field is never loaded (no extra query per user).
    instance._audit_rights_before = _rights(instance)


@receiver(post_save, sender=User, dispatch_uid="audit_user_rights_after")
def record_rights_change(sender, instance, created, raw=False, **kwargs):
    before = getattr(instance, "_audit_rights_before", None) or {}
    after = _rights(instance)
    instance._audit_rights_before = after
    if raw or created:
        return
    changes = {
        field: {"from": before[field], "to": after[field]}
        for field in before
        if field in after and before[field] != after[field]
    }
    if changes:
        audit_record(
            kind=AuditKind.ROLES_CHANGED,
            email=instance.email,
            target=instance,
            summary=", ".join(sorted(changes)),
            data=changes,
        )


@receiver(post_save, sender=Membership, dispatch_uid="audit_membership_saved")
def record_membership_saved(sender, instance, created, raw=False, **kwargs):
    if raw:
        return
    audit_record(
        kind=AuditKind.MEMBERSHIP_CHANGED,
        email=instance.user.email,
        target=instance.organization,
        summary="added" if created else "changed",
        data={"user_id": instance.user_id, "role": instance.role},
    )


@receiver(post_delete, sender=Membership, dispatch_uid="audit_membership_deleted")
def record_membership_deleted(sender, instance, **kwargs):
    audit_record(
        kind=AuditKind.MEMBERSHIP_CHANGED,
        email=getattr(instance.user, "email", ""),
        target=instance.organization,
        summary="removed",
        data={"user_id": instance.user_id, "role": instance.role},
    )
