from datetime import timedelta

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.choices import OrganizationType
from catalog.choices import (
    TRL_BAND_RANGES,
    DuplicateFlagStatus,
    TechnologyStatus,
    TransactionMode,
    TrlBand,
)
from catalog.models import (
    FRESHNESS_STATUSES,
    Category,
    DuplicateFlag,
    Technology,
    TechnologySearchEntry,
)
from core.filters import (
    DayFilter,
    IdFilter,
    MoneyFilter,
    SearchWordsFilter,
    TrlFilter,
    start_of_local_day,
)
from core.freshness import Freshness, freshness_filter

# The statuses of listings a recorded duplicate pair may hold: what reviewers see, never a
# draft (catalog.duplicates, which imports this module, records and lists pairs by them).
DUPLICATE_FLAGGED_STATUSES = (
    TechnologyStatus.SUBMITTED,
    TechnologyStatus.RETURNED,
    TechnologyStatus.PUBLISHED,
    TechnologyStatus.WITHDRAWN,
)


class CategoryFilterSet(django_filters.FilterSet):
    parent = django_filters.CharFilter(field_name="parent__code", label=_("Parent code"))
    top_level = django_filters.BooleanFilter(
        field_name="parent", lookup_expr="isnull", label=_("Industries only")
    )

    class Meta:
        model = Category
        fields = ["parent", "top_level"]


class TechnologyFilterSet(django_filters.FilterSet):
    """The facet filters of the catalogue, shared by the API, the search page and saved searches.

    Full-text `q` is checked here (its length) and applied, with the sort order, by
    catalog.selectors.technology_search.
    """

    q = SearchWordsFilter(method="filter_search_words", label=_("Search words"))

    category = django_filters.CharFilter(
        method="filter_category", label=_("Category code (an industry includes its groups)")
    )
    trl_band = django_filters.ChoiceFilter(
        choices=TrlBand.choices, method="filter_trl_band", label=_("TRL band")
    )
    trl_min = TrlFilter(field_name="trl", lookup_expr="gte", label=_("TRL from"))
    trl_max = TrlFilter(field_name="trl", lookup_expr="lte", label=_("TRL to"))
    transaction_mode = django_filters.ChoiceFilter(
        choices=TransactionMode.choices, method="filter_mode", label=_("Transaction mode")
    )
    region = django_filters.CharFilter(field_name="region", label=_("Holder region"))
    holder_type = django_filters.ChoiceFilter(
        field_name="organization__kind",
        choices=OrganizationType.choices,
        label=_("Holder type"),
    )
    has_granted_patent = django_filters.BooleanFilter(
        field_name="has_granted_patent", label=_("Has a granted patent")
    )
    price_min = MoneyFilter(
        field_name="asking_price", lookup_expr="gte", label=_("Asking price from")
    )
    price_max = MoneyFilter(
        field_name="asking_price", lookup_expr="lte", label=_("Asking price up to")
    )
    published_from = DayFilter(
        method="filter_published_from", label=_("Published on or after (date)")
    )
    published_until = DayFilter(
        method="filter_published_until", label=_("Published on or before (date)")
    )
    status = django_filters.ChoiceFilter(
        choices=TechnologyStatus.choices, field_name="status", label=_("Status")
    )
    organization = IdFilter(field_name="organization_id", label=_("Holder (organisation id)"))
    # Applied in filter_queryset, so that leaving it out means "current only".
    freshness = django_filters.ChoiceFilter(
        choices=Freshness.choices,
        method="filter_freshness",
        label=_("Outdated listings (default: current only)"),
    )

    class Meta:
        model = Technology
        fields = [
            "q",
            "category",
            "trl_band",
            "trl_min",
            "trl_max",
            "transaction_mode",
            "region",
            "holder_type",
            "has_granted_patent",
            "price_min",
            "price_max",
            "published_from",
            "published_until",
            "status",
            "organization",
            "freshness",
        ]

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        value = self.form.cleaned_data.get("freshness") or Freshness.CURRENT
        return freshness_filter(queryset, value, statuses=FRESHNESS_STATUSES)

    def filter_freshness(self, queryset, name, value):
        return queryset  # see filter_queryset

    def filter_search_words(self, queryset, name, value):
        return queryset  # searched by catalog.selectors.technology_search

    def filter_category(self, queryset, name, value):
        return queryset.filter(Q(category__code=value) | Q(category__parent__code=value))

    def filter_trl_band(self, queryset, name, value):
        low, high = TRL_BAND_RANGES[TrlBand(value)]
        return queryset.filter(trl__gte=low, trl__lte=high)

    # Dates are days of the site's time zone; compared as instants, so the index is used.
    def filter_published_from(self, queryset, name, value):
        return queryset.filter(published_at__gte=start_of_local_day(value))

    def filter_published_until(self, queryset, name, value):
        return queryset.filter(published_at__lt=start_of_local_day(value + timedelta(days=1)))

    def filter_mode(self, queryset, name, value):
        return queryset.filter(transaction_modes__contains=[value])

    # --- licence: open licences (专利开放许可) come from the licensing app, which sits above
    # catalog and adds the reverse relation `open_licence_offers`; "open" is its OfferStatus.OPEN.
    open_licence = django_filters.BooleanFilter(
        method="filter_open_licence", label=_("Offered under an open licence")
    )

    def filter_open_licence(self, queryset, name, value):
        offered = Technology.objects.filter(open_licence_offers__status="open").values("pk")
        column = "technology_id__in" if queryset.model is TechnologySearchEntry else "pk__in"
        return (
            queryset.filter(**{column: offered}) if value else queryset.exclude(**{column: offered})
        )


class DuplicateFlagFilterSet(django_filters.FilterSet):
    """Filters of the reviewers' list of possible duplicates (API)."""

    status = django_filters.ChoiceFilter(
        choices=DuplicateFlagStatus.choices,
        method="filter_status",
        label=_("Status"),
        help_text=_("“open”: the pairs still to check, both listings still in play."),
    )
    same_organization = django_filters.BooleanFilter(label=_("Same holder"))
    technology = django_filters.NumberFilter(method="filter_technology", label=_("Listing"))

    class Meta:
        model = DuplicateFlag
        fields = ["status", "same_organization", "technology"]

    def filter_status(self, queryset, name, value):
        if value == DuplicateFlagStatus.OPEN:
            return queryset.filter(
                status=value,
                technology__status__in=DUPLICATE_FLAGGED_STATUSES,
                candidate__status__in=DUPLICATE_FLAGGED_STATUSES,
            )
        return queryset.filter(status=value)

    def filter_technology(self, queryset, name, value):
        return queryset.filter(Q(technology_id=value) | Q(candidate_id=value))
