from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditKind(models.TextChoices):
    LOGIN = "login", _("Signed in")
    LOGIN_FAILED = "login_failed", _("Failed sign-in")
    LOCKED_OUT = "locked_out", _("Locked out after repeated failures")
    LOGOUT = "logout", _("Signed out")
    ROLES_CHANGED = "roles_changed", _("Roles or staff rights changed")
    MEMBERSHIP_CHANGED = "membership_changed", _("Organisation membership changed")
    ORGANIZATION_VERIFICATION = "organization_verification", _("Organisation verification decision")
    LISTING_REVIEW = "listing_review", _("Technology listing review")
    NEED_REVIEW = "need_review", _("Need review")
    DEAL_REVIEW = "deal_review", _("Deal review")
    MONEY_REQUEST = "money_request", _("Two-key money request decision")
