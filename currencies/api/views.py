from rest_framework import viewsets
from rest_framework.permissions import AllowAny

from core.api.views import BaseViewSet
from currencies.api.serializers import ExchangeRateSerializer
from currencies.filtersets import ExchangeRateFilterSet
from currencies.models import ExchangeRate


class ExchangeRateViewSet(BaseViewSet, viewsets.ReadOnlyModelViewSet):
    """Exchange rates to the yuan (CNY per unit), newest first; public and read-only. Rates are
    loaded by administrators (`load_exchange_rates`, Django admin), never through the API."""

    queryset = ExchangeRate.objects.order_by("-date", "currency")
    serializer_class = ExchangeRateSerializer
    filterset_class = ExchangeRateFilterSet
    permission_classes = [AllowAny]
