from django.urls import path

from programmes import views

app_name = "programmes"

urlpatterns = [
    path("experts/", views.expert_list, name="expert_list"),
    path("experts/apply/", views.expert_apply, name="expert_apply"),
    path("experts/me/", views.expert_edit, name="expert_edit"),
    path("experts/<int:pk>/", views.expert_detail, name="expert_detail"),
    path("experts/<int:pk>/transition/", views.expert_transition, name="expert_transition"),
    path("experts/<int:pk>/consulting/", views.expert_consulting, name="expert_consulting"),
    path("evaluations/", views.evaluation_list, name="evaluation_list"),
    path("evaluations/request/", views.evaluation_request, name="evaluation_request"),
    path("evaluations/<int:pk>/", views.evaluation_detail, name="evaluation_detail"),
    path("evaluations/<int:pk>/<str:verb>/", views.evaluation_action, name="evaluation_action"),
    path("events/", views.event_list, name="event_list"),
    path("events/new/", views.event_create, name="event_create"),
    path("events/<int:pk>/", views.event_detail, name="event_detail"),
    path("events/<int:pk>/<str:verb>/", views.event_action, name="event_action"),
    path("challenges/", views.challenge_list, name="challenge_list"),
    path("challenges/new/", views.challenge_create, name="challenge_create"),
    path("challenges/<int:pk>/", views.challenge_detail, name="challenge_detail"),
    path("challenges/<int:pk>/<str:verb>/", views.challenge_action, name="challenge_action"),
    path("", views.programme_list, name="programme_list"),
    path("new/", views.programme_create, name="programme_create"),
    path("<int:pk>/", views.programme_detail, name="programme_detail"),
    path("<int:pk>/edit/", views.programme_edit, name="programme_edit"),
    path("<int:pk>/export/<str:file_format>/", views.programme_export, name="programme_export"),
    path("<int:pk>/<str:verb>/", views.programme_action, name="programme_action"),
]
