import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.filters import DayFilter, IdFilter
from registry.choices import ContractType, RecordStatus
from registry.models import ContractRecord


class ContractRecordFilterSet(django_filters.FilterSet):
    """Filters of the contract records, shared by the API, the page and the batch export."""

    q = django_filters.CharFilter(method="filter_q", label=_("Search"))
    status = django_filters.ChoiceFilter(choices=RecordStatus.choices, label=_("Status"))
    contract_type = django_filters.ChoiceFilter(
        choices=ContractType.choices, label=_("Contract type")
    )
    completed_from = DayFilter(
        field_name="completed_on", lookup_expr="gte", label=_("Completed from")
    )
    completed_to = DayFilter(field_name="completed_on", lookup_expr="lte", label=_("Completed to"))
    deal = IdFilter(field_name="deal_id", label=_("Deal (id)"))

    class Meta:
        model = ContractRecord
        fields = ["q", "status", "contract_type", "completed_from", "completed_to", "deal"]

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(deal__technology__title_zh__icontains=value)
            | Q(deal__technology__title_en__icontains=value)
            | Q(deal__seller__name_zh__icontains=value)
            | Q(deal__seller__name_en__icontains=value)
            | Q(deal__buyer__name_zh__icontains=value)
            | Q(deal__buyer__name_en__icontains=value)
            | Q(registration_number__icontains=value)
        )
