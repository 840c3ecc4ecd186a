from django.urls import path

from insight.api.views import FreshnessView, FunnelView, StatisticsView

urlpatterns = [
    path("stats/", StatisticsView.as_view(), name="stats"),
    path("stats/funnel/", FunnelView.as_view(), name="stats_funnel"),
    path("freshness/", FreshnessView.as_view(), name="freshness"),
]
