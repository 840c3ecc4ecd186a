from django.urls import path

from insight.api.views import FreshnessView, StatisticsView

urlpatterns = [
    path("stats/", StatisticsView.as_view(), name="stats"),
    path("freshness/", FreshnessView.as_view(), name="freshness"),
]
