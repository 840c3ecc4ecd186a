from django.urls import path
from rest_framework.routers import DefaultRouter

from accounts.api.views import MeView, OrganizationViewSet, RegistrationView, TokenView

router = DefaultRouter()
router.register("organizations", OrganizationViewSet, basename="organization")

urlpatterns = [
    path("auth/token/", TokenView.as_view(), name="api-token"),
    path("auth/register/", RegistrationView.as_view(), name="api-register"),
    path("me/", MeView.as_view(), name="api-me"),
    *router.urls,
]
