from django.urls import path
from rest_framework.routers import DefaultRouter

from exchange.api.views import (
    CertificateVerifyView,
    CreditView,
    DealViewSet,
    DemandListViewSet,
    IntroductionViewSet,
    NeedViewSet,
    ProposalViewSet,
)

router = DefaultRouter()
router.register("needs", NeedViewSet, basename="need")
router.register("demand-lists", DemandListViewSet, basename="demand-list")
router.register("deals", DealViewSet, basename="deal")
router.register("proposals", ProposalViewSet, basename="proposal")
router.register("introductions", IntroductionViewSet, basename="introduction")

urlpatterns = [
    *router.urls,
    path("certificates/verify/", CertificateVerifyView.as_view(), name="certificate-verify"),
    path(
        "organizations/<int:organization_id>/credit/",
        CreditView.as_view(),
        name="organization-credit",
    ),
]
