from rest_framework.routers import DefaultRouter

from currencies.api.views import ExchangeRateViewSet

router = DefaultRouter()
router.register("exchange-rates", ExchangeRateViewSet, basename="exchange-rate")

urlpatterns = router.urls
