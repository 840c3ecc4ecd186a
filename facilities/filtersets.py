import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.filters import IdFilter
from core.regions import region_choices
from facilities.choices import BookingStatus, FacilityKind, FacilityStatus, PriceUnit
from facilities.models import Facility, FacilityBooking


class FacilityFilterSet(django_filters.FilterSet):
    """Filters of the facilities list, shared by the API and the page."""

    q = django_filters.CharFilter(method="filter_q", label=_("Search"))
    kind = django_filters.ChoiceFilter(choices=FacilityKind.choices, label=_("Type"))
    region = django_filters.ChoiceFilter(choices=region_choices, label=_("Region"))
    price_unit = django_filters.ChoiceFilter(choices=PriceUnit.choices, label=_("Priced"))
    status = django_filters.ChoiceFilter(choices=FacilityStatus.choices, label=_("Status"))

    class Meta:
        model = Facility
        fields = ["q", "kind", "region", "price_unit", "status"]

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(title_zh__icontains=value)
            | Q(title_en__icontains=value)
            | Q(description_zh__icontains=value)
            | Q(description_en__icontains=value)
            | Q(capabilities__icontains=value)
            | Q(provider__name_zh__icontains=value)
            | Q(provider__name_en__icontains=value)
        )


class BookingFilterSet(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=BookingStatus.choices, label=_("Status"))
    facility = IdFilter(field_name="facility_id", label=_("Facility"))

    class Meta:
        model = FacilityBooking
        fields = ["status", "facility"]
