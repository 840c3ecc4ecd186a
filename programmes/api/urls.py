from rest_framework.routers import DefaultRouter

from programmes.api.scenarios import PilotAgreementViewSet, ScenarioListViewSet, ScenarioViewSet
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
router.register("scenarios", ScenarioViewSet, basename="scenario")
router.register("scenario-lists", ScenarioListViewSet, basename="scenario-list")
router.register("pilot-agreements", PilotAgreementViewSet, basename="pilot-agreement")

urlpatterns = [*router.urls]
