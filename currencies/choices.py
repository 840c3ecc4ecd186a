"""The currencies prices, budgets, offers and deals may be written in (ISO 4217 codes, a public
contract of the API, imports and exports): the yuan, the dollar and the euro, and the currencies
of the main partner countries of cross-border transfer (ASEAN, Russia, the Gulf, Central Asia)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

YUAN = "CNY"


class Currency(models.TextChoices):
    CNY = "CNY", _("Chinese yuan (CNY)")
    USD = "USD", _("US dollar (USD)")
    EUR = "EUR", _("Euro (EUR)")
    THB = "THB", _("Thai baht (THB)")
    VND = "VND", _("Vietnamese dong (VND)")
    IDR = "IDR", _("Indonesian rupiah (IDR)")
    MYR = "MYR", _("Malaysian ringgit (MYR)")
    RUB = "RUB", _("Russian rouble (RUB)")
    AED = "AED", _("UAE dirham (AED)")
    SAR = "SAR", _("Saudi riyal (SAR)")
    KZT = "KZT", _("Kazakhstani tenge (KZT)")
