from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from currencies.choices import YUAN, Currency

# Yuan per unit: 10 decimals keep the rupiah (about 0.0004 yuan) and the dong exact enough.
RATE = {"max_digits": 20, "decimal_places": 10}


def significant(value: Decimal, digits: int = 6) -> str:
    """A rate with `digits` significant figures, never in scientific notation (0.000426 41)."""
    if not value:
        return "0"
    exponent = value.adjusted() - digits + 1
    rounded = value.quantize(Decimal(1).scaleb(min(exponent, 0)))
    return f"{rounded.normalize():f}" if exponent < 0 else f"{rounded:f}"


class ExchangeRate(models.Model):
    """How many yuan one unit of a currency is worth on a date (e.g. the CFETS central parity,
    人民币汇率中间价). One row per currency and date; reloading a list updates it."""

    date = models.DateField(_("date"))
    currency = models.CharField(_("currency"), max_length=3, choices=Currency.choices)
    rate = models.DecimalField(
        _("yuan per unit"),
        validators=[MinValueValidator(Decimal("0.0000000001"))],
        help_text=_("How many yuan (CNY) one unit of the currency is worth."),
        **RATE,
    )
    source = models.CharField(_("source"), max_length=120, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("last changed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-date", "currency"]
        verbose_name = _("exchange rate")
        verbose_name_plural = _("exchange rates")
        constraints = [
            models.UniqueConstraint(fields=["currency", "date"], name="exchange_rate_one_per_day"),
            models.CheckConstraint(condition=Q(rate__gt=0), name="exchange_rate_positive"),
            models.CheckConstraint(condition=~Q(currency=YUAN), name="exchange_rate_not_yuan"),
        ]
        indexes = [models.Index(fields=["currency", "-date"], name="exchange_rate_latest")]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} 1 {self.currency} = {self.rate.normalize():f} CNY"

    @property
    def rate_text(self) -> str:
        return significant(self.rate)

    @property
    def inverse_text(self) -> str:
        return significant(Decimal(1) / self.rate)

    @property
    def inverse(self) -> Decimal:
        """Units of the currency one yuan buys."""
        return (Decimal(1) / self.rate).quantize(Decimal("0.0001"))
