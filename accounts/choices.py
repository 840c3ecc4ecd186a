from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Role(models.TextChoices):
    HOLDER = "holder", _("Technology holder")
    ENTERPRISE = "enterprise", _("Enterprise (demand side)")
    BROKER = "broker", _("Technology broker")
    FINANCIER = "financier", _("Financial institution")
    OPERATOR = "operator", _("Programme operator")
    REVIEWER = "reviewer", _("Reviewer")
    ADMIN = "admin", _("Administrator")


class OrganizationType(models.TextChoices):
    UNIVERSITY = "university", _("University")
    INSTITUTE = "institute", _("Research institute")
    ENTERPRISE = "enterprise", _("Enterprise")
    INTERMEDIARY = "intermediary", _("Intermediary agency")
    FINANCIAL = "financial", _("Financial institution")
    GOVERNMENT = "government", _("Government")
    OPERATOR = "operator", _("Platform operator")


class VerificationStatus(models.TextChoices):
    UNVERIFIED = "unverified", _("Not verified")
    PENDING = "pending", _("Verification requested")
    # a context keeps allauth's "Verified" (已验证, for e-mail addresses) from winning
    VERIFIED = "verified", pgettext_lazy("verification status", "Verified")
    REJECTED = "rejected", _("Verification refused")


class MembershipRole(models.TextChoices):
    OWNER = "owner", _("Owner")
    MEMBER = "member", _("Member")


class NotificationFrequency(models.TextChoices):
    IMMEDIATE = "immediate", _("Immediately")
    DAILY = "daily", _("Daily digest")
    OFF = "off", _("Off")


# Anyone may take these at registration; the others are granted by a reviewer (role grants).
SELF_ASSIGNABLE_ROLES = (Role.HOLDER, Role.ENTERPRISE)
PRIVILEGED_ROLES = (Role.BROKER, Role.FINANCIER, Role.OPERATOR, Role.REVIEWER, Role.ADMIN)
