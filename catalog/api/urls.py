from django.urls import path
from rest_framework.routers import DefaultRouter

from catalog.api.inventors import TechnologyInventorsView
from catalog.api.serializers import TechnologyTranslationSerializer
from catalog.api.views import (
    CategoryViewSet,
    DuplicateFlagViewSet,
    FavouriteViewSet,
    SavedSearchViewSet,
    TechnologyViewSet,
    TrlAssessmentViewSet,
)
from catalog.selectors import technologies_visible_to
from catalog.services import TECHNOLOGY_TRANSLATIONS
from core.api.translations import translation_views

router = DefaultRouter()
router.register("categories", CategoryViewSet, basename="category")
router.register("technologies", TechnologyViewSet, basename="technology")
router.register("saved-searches", SavedSearchViewSet, basename="saved-search")
router.register("favourites", FavouriteViewSet, basename="favourite")
router.register("duplicate-flags", DuplicateFlagViewSet, basename="duplicate-flag")
router.register("trl-assessments", TrlAssessmentViewSet, basename="trl-assessment")

TranslationList, TranslationDetail, TranslationConfirm = translation_views(
    name="technology",
    rules=TECHNOLOGY_TRANSLATIONS,
    serializer=TechnologyTranslationSerializer,
    visible_objects=technologies_visible_to,
)

urlpatterns = [
    *router.urls,
    path(
        "technologies/<int:pk>/translations/",
        TranslationList.as_view(),
        name="technology-translations",
    ),
    path(
        "technologies/<int:pk>/translations/<str:language>/",
        TranslationDetail.as_view(),
        name="technology-translation",
    ),
    path(
        "technologies/<int:pk>/translations/<str:language>/confirm/",
        TranslationConfirm.as_view(),
        name="technology-translation-confirm",
    ),
    path(
        "technologies/<int:pk>/inventors/",
        TechnologyInventorsView.as_view(),
        name="technology-inventors",
    ),
]
