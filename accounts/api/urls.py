from django.urls import path
from rest_framework.routers import DefaultRouter

from accounts.api.token_views import ApiTokenViewSet, LogoutAllView, LogoutView
from accounts.api.views import (
    MeView,
    OrganizationViewSet,
    RegistrationView,
    RoleGrantViewSet,
    TokenView,
)

router = DefaultRouter()
router.register("organizations", OrganizationViewSet, basename="organization")
router.register("auth/tokens", ApiTokenViewSet, basename="api-token-device")
router.register("role-grants", RoleGrantViewSet, basename="role-grant")

urlpatterns = [
    path("auth/token/", TokenView.as_view(), name="api-token"),
    path("auth/logout/", LogoutView.as_view(), name="api-logout"),
    path("auth/logout-all/", LogoutAllView.as_view(), name="api-logout-all"),
    path("auth/register/", RegistrationView.as_view(), name="api-register"),
    path("me/", MeView.as_view(), name="api-me"),
    *router.urls,
]
