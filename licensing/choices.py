"""Codes of open licensing (专利开放许可). The codes are a public contract (API)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class FeeKind(models.TextChoices):
    """How the posted licence fee is computed (the payment methods of the open-licence notice)."""

    LUMP_SUM = "lump_sum", _("Lump sum")
    NET_SALES_ROYALTY = "net_sales_royalty", _("Royalty on net sales")
    PROFIT_ROYALTY = "profit_royalty", _("Royalty on profit")
    ENTRY_FEE_AND_ROYALTY = "entry_fee_and_royalty", _("Entry fee plus royalty on net sales")


# Which fee kinds carry a fixed amount (paid on taking the licence) and which a royalty rate.
FIXED_FEE_KINDS = (FeeKind.LUMP_SUM, FeeKind.ENTRY_FEE_AND_ROYALTY)
ROYALTY_KINDS = (FeeKind.NET_SALES_ROYALTY, FeeKind.PROFIT_ROYALTY, FeeKind.ENTRY_FEE_AND_ROYALTY)


class OfferStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("open licence offer", "Open for licensees")
    SUPERSEDED = "superseded", pgettext_lazy("open licence offer", "Replaced by a new version")
    WITHDRAWN = "withdrawn", pgettext_lazy("open licence offer", "Withdrawn")


class OfferAction(models.TextChoices):
    """What happens to an offer: created, edited before anyone took it, replaced or withdrawn."""

    CREATE = "create", _("Open licence offered")
    EDIT = "edit", _("Terms edited")
    REVISE = "revise", _("Replaced by a new version")
    WITHDRAW = "withdraw", _("Offer withdrawn")


class LicenceStatus(models.TextChoices):
    ACCEPTED = "accepted", pgettext_lazy("licence", "Accepted: awaiting payment")
    LICENSED = "licensed", pgettext_lazy("licence", "Licensed")
    CANCELLED = "cancelled", pgettext_lazy("licence", "Cancelled")


class LicenceAction(models.TextChoices):
    """The steps of a licence: accept the posted terms, pay the posted fee, or cancel first."""

    ACCEPT = "accept", _("Open licence accepted")
    PAY = "pay", _("Fee paid: licence in force")
    CANCEL = "cancel", _("Licence cancelled before payment")


class LicenceActor(models.TextChoices):
    LICENSEE = "licensee", _("Licensee")
    HOLDER = "holder", _("Patent holder")
