from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("workspace/", views.workspace, name="workspace"),
    path("profile/", views.profile, name="profile"),
    path("profile/api-tokens/<int:pk>/revoke/", views.api_token_revoke, name="api_token_revoke"),
    path(
        "profile/api-tokens/revoke-all/", views.api_tokens_revoke_all, name="api_tokens_revoke_all"
    ),
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
    path("roles/", views.role_grants, name="role_grants"),
    path("roles/<int:pk>/", views.role_grant_detail, name="role_grant_detail"),
    path("roles/<int:pk>/transition/", views.role_grant_transition, name="role_grant_transition"),
    path("roles/<int:pk>/evidence/", views.role_grant_evidence, name="role_grant_evidence"),
]
