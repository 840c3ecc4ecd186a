"""Receivers for cross-cutting security events: sign-in, failed sign-in, lock-out, sign-out and
changes of roles or memberships (which the admin site may make without a service)."""

import copy

from axes.signals import user_locked_out
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import post_delete, post_init, post_save
from django.dispatch import receiver

from accounts.models import Membership
from audit.choices import AuditKind
from audit.services import audit_record

User = get_user_model()
WATCHED_USER_FIELDS = ("roles", "is_staff", "is_superuser", "is_active")


def _attempted_email(credentials: dict | None, request) -> str:
    credentials = credentials or {}
    email = credentials.get("email") or credentials.get("username") or credentials.get("login")
    if not email and request is not None:
        email = getattr(request, "POST", {}).get("login", "")
    return str(email or "").strip().lower()


@receiver(user_logged_in, dispatch_uid="audit_user_logged_in")
def record_login(sender, request, user, **kwargs):
    audit_record(kind=AuditKind.LOGIN, actor=user, request=request, target=user)


@receiver(user_login_failed, dispatch_uid="audit_user_login_failed")
def record_login_failed(sender, credentials, request=None, **kwargs):
    audit_record(
        kind=AuditKind.LOGIN_FAILED,
        email=_attempted_email(credentials, request),
        request=request,
    )


@receiver(user_locked_out, dispatch_uid="audit_user_locked_out")
def record_locked_out(sender, request, username, ip_address, **kwargs):
    audit_record(
        kind=AuditKind.LOCKED_OUT,
        email=str(username or ""),
        request=request,
        data={"ip_address": ip_address},
    )


@receiver(user_logged_out, dispatch_uid="audit_user_logged_out")
def record_logout(sender, request, user, **kwargs):
    if user is not None:
        audit_record(kind=AuditKind.LOGOUT, actor=user, request=request, target=user)


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
