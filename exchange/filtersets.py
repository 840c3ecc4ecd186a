import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.permissions import member_organization_ids
from core.filters import IdFilter, SearchWordsFilter, TrlFilter
from core.freshness import Freshness, freshness_filter
from core.regions import region_choices
from core.widgets import LongSelect
from exchange.choices import NeedStatus, TransactionMode
from exchange.models import NEED_FRESHNESS_STATUSES, Need
from exchange.selectors import need_search


class NeedFilterSet(django_filters.FilterSet):
    """Filters of the need list, used by /api/v1/needs/ and the public need page alike."""

    q = SearchWordsFilter(method="filter_text", label=_("Search"))
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
    # Reached from links (the reviewers' freshness figures); not a field a reader types.
    organization = IdFilter(
        method="filter_organization", label=_("Organisation (id)"), widget=forms.HiddenInput
    )
    # Applied in filter_queryset, so that leaving it out means "current only".
    freshness = django_filters.ChoiceFilter(
        choices=Freshness.choices,
        method="filter_freshness",
        label=_("Outdated needs (default: current only)"),
    )

    class Meta:
        model = Need
        fields = [
            "q",
            "category",
            "region",
            "trl",
            "transaction_mode",
            "status",
            "open_call",
            "organization",
            "freshness",
        ]

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        value = self.form.cleaned_data.get("freshness") or Freshness.CURRENT
        return freshness_filter(queryset, value, statuses=NEED_FRESHNESS_STATUSES)

    def filter_freshness(self, queryset, name, value):
        return queryset  # see filter_queryset

    def filter_organization(self, queryset, name, value):
        """An organisation's needs; its anonymous ones only to reviewers and its members (the
        filter must not tell who posted an anonymous need)."""
        queryset = queryset.filter(organization_id=value)
        user = getattr(self.request, "user", None)
        if getattr(user, "is_authenticated", False) and (
            user.is_reviewer or value in member_organization_ids(user=user)
        ):
            return queryset
        return queryset.filter(is_anonymous=False)

    def filter_text(self, queryset, name, value):
        return need_search(queryset=queryset, text=value)

    def filter_category(self, queryset, name, value):
        return queryset.filter(Q(category__code=value) | Q(category__parent__code=value))

    def filter_trl(self, queryset, name, value):
        return queryset.filter(Q(trl_min__isnull=True) | Q(trl_min__lte=value))

    def filter_mode(self, queryset, name, value):
        return queryset.filter(transaction_modes__contains=[value])
