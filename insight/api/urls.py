from django.urls import path

from insight.api.views import StatisticsView

urlpatterns = [
    path("stats/", StatisticsView.as_view(), name="stats"),
]
