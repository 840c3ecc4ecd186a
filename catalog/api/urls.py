from django.urls import path
from rest_framework.routers import DefaultRouter

from catalog.api.inventors import TechnologyInventorsView
from catalog.api.views import (
    CategoryViewSet,
    DuplicateFlagViewSet,
    FavouriteViewSet,
    SavedSearchViewSet,
    TechnologyViewSet,
    TrlAssessmentViewSet,
)

router = DefaultRouter()
router.register("categories", CategoryViewSet, basename="category")
router.register("technologies", TechnologyViewSet, basename="technology")
router.register("saved-searches", SavedSearchViewSet, basename="saved-search")
router.register("favourites", FavouriteViewSet, basename="favourite")
router.register("duplicate-flags", DuplicateFlagViewSet, basename="duplicate-flag")
router.register("trl-assessments", TrlAssessmentViewSet, basename="trl-assessment")

urlpatterns = [
    *router.urls,
    path(
        "technologies/<int:pk>/inventors/",
        TechnologyInventorsView.as_view(),
        name="technology-inventors",
    ),
]
