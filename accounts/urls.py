from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("workspace/", views.workspace, name="workspace"),
    path("profile/", views.profile, name="profile"),
    path("notifications/", views.notification_list, name="notifications"),
    path("organizations/new/", views.organization_create, name="organization_create"),
    path("organizations/<int:pk>/", views.organization_detail, name="organization_detail"),
    path("organizations/<int:pk>/edit/", views.organization_edit, name="organization_edit"),
    path(
        "organizations/<int:pk>/transition/",
        views.organization_transition,
        name="organization_transition",
    ),
    path("review/", views.review_queue, name="review_queue"),
]
