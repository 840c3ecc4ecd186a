import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.choices import OrganizationType
from core.filters import IdFilter, MoneyFilter, TrlFilter
from finance.choices import ApplicationStatus, Currency, ProductKind, ProductStatus
from finance.models import FinancingApplication, FinancingProduct


class ProductFilterSet(django_filters.FilterSet):
    """Filters of the product catalogue, shared by the API and the browse page."""

    q = django_filters.CharFilter(method="filter_q", label=_("Search"))
    kind = django_filters.ChoiceFilter(choices=ProductKind.choices, label=_("Type"))
    currency = django_filters.ChoiceFilter(choices=Currency.choices, label=_("Currency"))
    amount = MoneyFilter(method="filter_amount", label=_("Amount needed"))
    trl = TrlFilter(method="filter_trl", label=_("Technology's TRL"))
    region = django_filters.CharFilter(method="filter_region", label=_("Region code"))
    organization_kind = django_filters.ChoiceFilter(
        choices=OrganizationType.choices,
        method="filter_organization_kind",
        label=_("Organisation type"),
    )
    institution = IdFilter(field_name="institution_id", label=_("Institution"))
    status = django_filters.ChoiceFilter(choices=ProductStatus.choices, label=_("Status"))

    class Meta:
        model = FinancingProduct
        fields = ["q", "kind", "currency", "amount", "trl", "region", "organization_kind"]

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(name_zh__icontains=value)
            | Q(name_en__icontains=value)
            | Q(description__icontains=value)
            | Q(institution__name_zh__icontains=value)
            | Q(institution__name_en__icontains=value)
        )

    def filter_amount(self, queryset, name, value):
        return queryset.filter(amount_min__lte=value, amount_max__gte=value)

    def filter_trl(self, queryset, name, value):
        return queryset.filter(
            Q(trl_min__isnull=True) | Q(trl_min__lte=value),
            Q(trl_max__isnull=True) | Q(trl_max__gte=value),
        )

    def filter_region(self, queryset, name, value):
        return queryset.filter(Q(eligible_regions=[]) | Q(eligible_regions__contains=[value]))

    def filter_organization_kind(self, queryset, name, value):
        return queryset.filter(
            Q(eligible_organization_kinds=[]) | Q(eligible_organization_kinds__contains=[value])
        )


class ApplicationFilterSet(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=ApplicationStatus.choices, label=_("Status"))
    kind = django_filters.ChoiceFilter(
        field_name="product__kind", choices=ProductKind.choices, label=_("Product type")
    )
    product = IdFilter(field_name="product_id", label=_("Product"))

    class Meta:
        model = FinancingApplication
        fields = ["status", "kind", "product"]
