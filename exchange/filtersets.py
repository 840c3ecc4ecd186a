import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.filters import TrlFilter
from core.regions import region_choices
from core.widgets import LongSelect
from exchange.choices import NeedStatus, TransactionMode
from exchange.models import Need
from exchange.selectors import need_search


class NeedFilterSet(django_filters.FilterSet):
    """Filters of the need list, used by /api/v1/needs/ and the public need page alike."""

    q = django_filters.CharFilter(method="filter_text", label=_("Search"))
    category = django_filters.CharFilter(method="filter_category", label=_("Category code"))
    region = django_filters.ChoiceFilter(
        choices=region_choices, label=_("Region"), widget=LongSelect
    )
    trl = TrlFilter(method="filter_trl", label=_("My technology's readiness level (1–9)"))
    transaction_mode = django_filters.ChoiceFilter(
        choices=TransactionMode.choices, method="filter_mode", label=_("Transaction mode")
    )
    status = django_filters.ChoiceFilter(choices=NeedStatus.choices, label=_("Status"))
    open_call = django_filters.BooleanFilter(field_name="is_open_call", label=_("Open calls only"))

    class Meta:
        model = Need
        fields = ["q", "category", "region", "trl", "transaction_mode", "status", "open_call"]

    def filter_text(self, queryset, name, value):
        return need_search(queryset=queryset, text=value)

    def filter_category(self, queryset, name, value):
        return queryset.filter(Q(category__code=value) | Q(category__parent__code=value))

    def filter_trl(self, queryset, name, value):
        return queryset.filter(Q(trl_min__isnull=True) | Q(trl_min__lte=value))

    def filter_mode(self, queryset, name, value):
        return queryset.filter(transaction_modes__contains=[value])
