from django.urls import path
from rest_framework.routers import DefaultRouter

from finance.api.views import (
    ApplicationViewSet,
    MoneyRequestViewSet,
    PipelineView,
    ProductViewSet,
    ProgrammeDashboardView,
    ProgrammeViewSet,
    ValuationViewSet,
    VoucherViewSet,
)

router = DefaultRouter()
router.register("products", ProductViewSet, basename="finance-product")
router.register("applications", ApplicationViewSet, basename="finance-application")
router.register("valuations", ValuationViewSet, basename="finance-valuation")
router.register("vouchers", VoucherViewSet, basename="finance-voucher")
router.register("programmes", ProgrammeViewSet, basename="finance-programme")
router.register("money-requests", MoneyRequestViewSet, basename="finance-money-request")

urlpatterns = [
    *router.urls,
    path("dashboard/pipeline/", PipelineView.as_view(), name="finance-pipeline"),
    path("dashboard/programmes/", ProgrammeDashboardView.as_view(), name="finance-programmes"),
]
