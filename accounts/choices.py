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
    # A centre of the international technology transfer network (技术转移中心): like every kind
    # it takes effect only once a reviewer verifies the organisation (the kind is part of the
    # verified identity, so choosing it later sends the organisation back to verification).
    TRANSFER_CENTRE = "transfer_centre", _("Technology transfer centre")


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

# Roles a member of a verified organisation may ask for; the administrator role is never asked for.
GRANTABLE_ROLES = (Role.BROKER, Role.FINANCIER, Role.OPERATOR, Role.REVIEWER)


class RoleGrantStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    GRANTED = "granted", _("Granted")
    REFUSED = "refused", _("Refused")
    REVOKED = "revoked", _("Revoked")


# The kinds of organisation whose verified members may hold each privileged role. Technology
# brokers (技术经纪人) work for transfer agencies, for universities' and institutes' technology
# transfer offices and for the platform operator; conflicts of interest with their own
# organisation's listings are refused where introductions are made.
ROLE_ORGANIZATION_KINDS = {
    Role.BROKER: (
        OrganizationType.INTERMEDIARY,
        OrganizationType.TRANSFER_CENTRE,
        OrganizationType.UNIVERSITY,
        OrganizationType.INSTITUTE,
        OrganizationType.OPERATOR,
    ),
    Role.FINANCIER: (OrganizationType.FINANCIAL,),
    Role.OPERATOR: (OrganizationType.GOVERNMENT, OrganizationType.OPERATOR),
    Role.REVIEWER: (OrganizationType.OPERATOR,),
}

# Roles whose request must name a credential: the broker's certificate (技术经纪人证书) or the
# financial institution's licence (金融许可证).
ROLES_NEEDING_CREDENTIAL = (Role.BROKER, Role.FINANCIER)
