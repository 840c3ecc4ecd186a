import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.filters import IdFilter
from licensing.choices import FeeKind, LicenceStatus, OfferStatus
from licensing.models import Licence, OpenLicenceOffer


class OpenLicenceOfferFilterSet(django_filters.FilterSet):
    """Filters of the open-licence list, shared by the API and the page."""

    q = django_filters.CharFilter(method="filter_q", label=_("Search"))
    fee_kind = django_filters.ChoiceFilter(choices=FeeKind.choices, label=_("Kind of fee"))
    status = django_filters.ChoiceFilter(choices=OfferStatus.choices, label=_("Status"))
    technology = IdFilter(field_name="technology_id", label=_("Technology (id)"))
    organization = IdFilter(
        field_name="organization_id", label=_("Patent holder (organisation id)")
    )

    class Meta:
        model = OpenLicenceOffer
        fields = ["q", "fee_kind", "status", "technology", "organization"]

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(technology__title_zh__icontains=value)
            | Q(technology__title_en__icontains=value)
            | Q(patent__number__icontains=value)
            | Q(field_of_use__icontains=value)
        )


class LicenceFilterSet(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=LicenceStatus.choices, label=_("Status"))
    offer = IdFilter(field_name="offer_id", label=_("Offer (id)"))

    class Meta:
        model = Licence
        fields = ["status", "offer"]
