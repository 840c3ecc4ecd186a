from django.urls import path
from rest_framework.routers import DefaultRouter

from core.api.translations import translation_views
from exchange.api.serializers import NeedTranslationSerializer
from exchange.api.views import (
    CertificateVerifyView,
    CreditView,
    DealViewSet,
    DemandListViewSet,
    IntroductionViewSet,
    NeedViewSet,
    ProposalViewSet,
)
from exchange.selectors import needs_visible_to
from exchange.services import NEED_TRANSLATIONS

router = DefaultRouter()
router.register("needs", NeedViewSet, basename="need")
router.register("demand-lists", DemandListViewSet, basename="demand-list")
router.register("deals", DealViewSet, basename="deal")
router.register("proposals", ProposalViewSet, basename="proposal")
router.register("introductions", IntroductionViewSet, basename="introduction")

TranslationList, TranslationDetail, TranslationConfirm = translation_views(
    name="need",
    rules=NEED_TRANSLATIONS,
    serializer=NeedTranslationSerializer,
    visible_objects=needs_visible_to,
)

urlpatterns = [
    *router.urls,
    path("needs/<int:pk>/translations/", TranslationList.as_view(), name="need-translations"),
    path(
        "needs/<int:pk>/translations/<str:language>/",
        TranslationDetail.as_view(),
        name="need-translation",
    ),
    path(
        "needs/<int:pk>/translations/<str:language>/confirm/",
        TranslationConfirm.as_view(),
        name="need-translation-confirm",
    ),
    path("certificates/verify/", CertificateVerifyView.as_view(), name="certificate-verify"),
    path(
        "organizations/<int:organization_id>/credit/",
        CreditView.as_view(),
        name="organization-credit",
    ),
]
