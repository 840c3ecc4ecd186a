from django.urls import path

from programmes import scenario_views as views

app_name = "scenarios"

urlpatterns = [
    path("", views.scenario_list, name="scenario_list"),
    path("new/", views.scenario_create, name="scenario_create"),
    path("lists/new/", views.scenario_list_create, name="scenario_list_create"),
    path("lists/<int:pk>/", views.scenario_list_detail, name="scenario_list_detail"),
    path(
        "lists/<int:pk>/download/<str:file_format>/",
        views.scenario_list_download,
        name="scenario_list_download",
    ),
    path("<int:pk>/", views.scenario_detail, name="scenario_detail"),
    path("<int:pk>/edit/", views.scenario_edit, name="scenario_edit"),
    path("<int:pk>/apply/", views.scenario_apply, name="scenario_apply"),
    path("<int:pk>/award/", views.scenario_award, name="scenario_award"),
    path("<int:pk>/<str:verb>/", views.scenario_transition, name="scenario_transition"),
]
