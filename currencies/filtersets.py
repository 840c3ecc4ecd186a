import django_filters
from django.utils.translation import gettext_lazy as _

from core.filters import DayFilter
from currencies.choices import Currency
from currencies.models import ExchangeRate


class ExchangeRateFilterSet(django_filters.FilterSet):
    """Filters of the rate table (API)."""

    currency = django_filters.ChoiceFilter(choices=Currency.choices, label=_("Currency"))
    date = DayFilter(field_name="date", label=_("Date"))
    date_from = DayFilter(field_name="date", lookup_expr="gte", label=_("From date"))
    date_to = DayFilter(field_name="date", lookup_expr="lte", label=_("Up to date"))

    class Meta:
        model = ExchangeRate
        fields = ["currency", "date", "date_from", "date_to"]
