"""Receivers for the sign-in events of django.contrib.auth and axes: sign-in, failed sign-in,
lock-out and sign-out. Audit is a leaf: changes of roles and memberships are recorded by accounts
(accounts/signals.py), which calls `audit_record`."""

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from audit.choices import AuditKind
from audit.services import audit_record


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
