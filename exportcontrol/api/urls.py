from django.urls import path
from rest_framework.routers import DefaultRouter

from exportcontrol.api.views import (
    ClassificationDeclareView,
    ClassificationReviewView,
    ClassificationView,
    ControlEntryViewSet,
)

router = DefaultRouter()
router.register("export-control-entries", ControlEntryViewSet, basename="export-control-entry")

urlpatterns = [
    *router.urls,
    path(
        "technologies/<int:pk>/export-classification/",
        ClassificationView.as_view(),
        name="technology-export-classification",
    ),
    path(
        "technologies/<int:pk>/export-classification/declare/",
        ClassificationDeclareView.as_view(),
        name="technology-export-classification-declare",
    ),
    path(
        "technologies/<int:pk>/export-classification/review/",
        ClassificationReviewView.as_view(),
        name="technology-export-classification-review",
    ),
]
