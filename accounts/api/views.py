from django.contrib.auth import authenticate
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.generics import RetrieveUpdateAPIView
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import selectors, services
from accounts.api.serializers import (
    OrganizationSerializer,
    RegistrationResponseSerializer,
    RegistrationSerializer,
    TokenRequestSerializer,
    TokenResponseSerializer,
    TransitionSerializer,
    UserSerializer,
)
from accounts.tokens.services import api_token_create
from core.api.schema import ERROR_RESPONSES, VALIDATION_ERROR
from core.api.views import BaseViewSet


class TokenView(APIView):
    """Exchange an email and password for a new API token for this device (each sign-in gets its
    own; it expires unless used, and is revoked by logout and by a password change)."""

    permission_classes = [AllowAny]
    authentication_classes: list = []
    throttle_scope = "auth"

    @extend_schema(
        request=TokenRequestSerializer,
        responses={200: TokenResponseSerializer, 400: VALIDATION_ERROR},
        auth=[],
    )
    def post(self, request):
        serializer = TokenRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        # The Django request, so django-axes' lock-out flag reaches its middleware.
        user = authenticate(
            request._request,
            email=serializer.validated_data["email"].lower(),
            password=serializer.validated_data["password"],
        )
        if user is None or not user.is_active:
            raise ValidationError(
                {"non_field_errors": [_("The email address or the password is not correct.")]}
            )
        device = serializer.validated_data.get("device") or request.META.get("HTTP_USER_AGENT", "")
        token, key = api_token_create(user=user, name=device)
        return Response(TokenResponseSerializer({"token": key, "expiry": token.expiry}).data)


class RegistrationView(APIView):
    """Create an account (technology holder or enterprise). The answer is the same whether the
    address is new or already registered: a new address gets a confirmation email, a registered
    one an email to its owner. Then ask for a token with `POST /api/v1/auth/token/`."""

    permission_classes = [AllowAny]
    authentication_classes: list = []
    throttle_scope = "auth"

    @extend_schema(
        request=RegistrationSerializer,
        responses={201: RegistrationResponseSerializer, 400: VALIDATION_ERROR},
        auth=[],
    )
    def post(self, request):
        serializer = RegistrationSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.user_sign_up(request=request._request, **serializer.validated_data)
        detail = _(
            "Thank you. We have sent an email to %(email)s: follow it to confirm the address, or "
            "to sign in if you already have an account."
        ) % {"email": serializer.validated_data["email"].strip().lower()}
        return Response({"detail": detail}, status=status.HTTP_201_CREATED)


class MeView(RetrieveUpdateAPIView):
    """The signed-in user's profile."""

    serializer_class = UserSerializer
    permission_classes = [IsAuthenticated]
    http_method_names = ["get", "patch", "head", "options"]

    def get_object(self):
        return self.request.user

    def perform_update(self, serializer):
        serializer.instance = services.user_update_profile(
            user=self.request.user, **serializer.validated_data
        )


class OrganizationViewSet(
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    BaseViewSet,
    viewsets.ReadOnlyModelViewSet,
):
    """Organisations: verified ones are public; members see and edit their own."""

    serializer_class = OrganizationSerializer
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return selectors.organizations_visible_to(user=self.request.user).order_by("pk")

    def perform_create(self, serializer):
        serializer.instance = services.organization_create(
            user=self.request.user, **serializer.validated_data
        )

    def perform_update(self, serializer):
        serializer.instance = services.organization_update(
            organization=serializer.instance, user=self.request.user, **serializer.validated_data
        )

    def check_object_permissions(self, request, obj):
        super().check_object_permissions(request, obj)
        if request.method == "PATCH" and not services.organization_is_member(
            organization=obj, user=request.user
        ):
            self.permission_denied(request, message=_("Only members may change the organisation."))

    @extend_schema(
        request=TransitionSerializer,
        responses={200: OrganizationSerializer, **ERROR_RESPONSES},
        description=(
            "Move the organisation's verification: `request` (members), `verify`, `reject`, "
            "`revoke` (reviewers; `reject` and `revoke` need a note)."
        ),
    )
    @action(detail=True, methods=["post"], permission_classes=[IsAuthenticated])
    def transition(self, request, pk=None):
        organization = self.get_object()
        serializer = TransitionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        organization = services.organization_transition(
            organization=organization, user=request.user, **serializer.validated_data
        )
        return Response(self.get_serializer(organization).data)

    @extend_schema(responses={200: OrganizationSerializer(many=True)})
    @action(detail=False, methods=["get"], permission_classes=[IsAuthenticated])
    def awaiting_verification(self, request):
        if not request.user.is_reviewer:
            self.permission_denied(request, message=_("Only reviewers see this queue."))
        page = self.paginate_queryset(selectors.organizations_awaiting_verification())
        return self.get_paginated_response(self.get_serializer(page, many=True).data)
