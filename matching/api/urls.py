from django.urls import path
from rest_framework.routers import DefaultRouter

from matching.api import views

router = DefaultRouter()

urlpatterns = [
    *router.urls,
    path("needs/<int:pk>/matches/", views.NeedMatchesView.as_view(), name="need-matches"),
    path(
        "technologies/<int:pk>/matches/",
        views.TechnologyMatchesView.as_view(),
        name="technology-matches",
    ),
    path(
        "technologies/<int:pk>/similar/",
        views.SimilarTechnologiesView.as_view(),
        name="technology-similar",
    ),
    path("match/", views.SearchByProblemView.as_view(), name="match-search"),
    path("matches/<int:pk>/feedback/", views.MatchFeedbackView.as_view(), name="match-feedback"),
    path(
        "matches/feedback-report/",
        views.FeedbackReportView.as_view(),
        name="match-feedback-report",
    ),
]
