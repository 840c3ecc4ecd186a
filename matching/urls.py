from django.urls import path

from matching import views

app_name = "matching"

urlpatterns = [
    path("", views.search, name="search"),
    path("leads/", views.lead_board, name="lead_board"),
    path("leads/<int:pk>/introduce/", views.lead_introduce, name="lead_introduce"),
    path("needs/<int:pk>/panel/", views.need_matches_panel, name="need_matches_panel"),
    path(
        "technologies/<int:pk>/panel/",
        views.technology_matches_panel,
        name="technology_matches_panel",
    ),
    path(
        "technologies/<int:pk>/similar/",
        views.similar_technologies_panel,
        name="similar_technologies_panel",
    ),
    path("matches/<int:pk>/feedback/", views.feedback, name="feedback"),
    path("feedback/", views.feedback_report, name="feedback_report"),
]
