from rest_framework.routers import DefaultRouter

from programmes.api.views import (
    ChallengeViewSet,
    EvaluationViewSet,
    EventViewSet,
    ExpertViewSet,
    ProgrammeViewSet,
)

router = DefaultRouter()
router.register("experts", ExpertViewSet, basename="expert")
router.register("evaluations", EvaluationViewSet, basename="evaluation")
router.register("programmes", ProgrammeViewSet, basename="programme")
router.register("events", EventViewSet, basename="event")
router.register("challenges", ChallengeViewSet, basename="challenge")

urlpatterns = [*router.urls]
