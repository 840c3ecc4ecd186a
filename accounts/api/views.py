from django.contrib.auth import authenticate
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.generics import RetrieveUpdateAPIView
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import selectors, services
from accounts.api.serializers import (
    OrganizationSerializer,
    RegistrationResponseSerializer,
    RegistrationSerializer,
    RoleGrantDecisionSerializer,
    RoleGrantSerializer,
    TokenRequestSerializer,
    TokenResponseSerializer,
    TransitionSerializer,
    UserSerializer,
)
from accounts.permissions import is_member, is_reviewer
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
        if request.method == "PATCH" and not is_member(user=request.user, organization=obj):
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
        if not is_reviewer(user=request.user):
            self.permission_denied(request, message=_("Only reviewers see this queue."))
        page = self.paginate_queryset(selectors.organizations_awaiting_verification())
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


class RoleGrantViewSet(mixins.CreateModelMixin, BaseViewSet, viewsets.ReadOnlyModelViewSet):
    """Privileged roles (broker, financier, programme operator, reviewer): members of a verified
    organisation of the right type ask for one; reviewers (administrators for the reviewer role)
    grant, refuse or revoke it. Applicants see their own requests, reviewers all of them."""

    serializer_class = RoleGrantSerializer
    permission_classes = [IsAuthenticated]
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self):
        return selectors.role_grants_visible_to(user=self.request.user).order_by("pk")

    @extend_schema(
        request=RoleGrantSerializer,
        responses={201: RoleGrantSerializer, 400: VALIDATION_ERROR},
        description=(
            "Ask for a role in the name of one of your organisations. Brokers give the number "
            "of their technology broker certificate (技术经纪人证书), financial institutions "
            "their licence number; a PDF or image of it may be attached (multipart)."
        ),
    )
    def create(self, request, *args, **kwargs):
        return super().create(request, *args, **kwargs)

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = services.role_grant_request(
            user=self.request.user,
            role=data["role"],
            organization=data["organization"],
            credential_number=data.get("credential_number", ""),
            note=data.get("note", ""),
            evidence=data.get("evidence"),
        )

    def _decide(self, request, action_name: str):
        grant = self.get_object()
        serializer = RoleGrantDecisionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        note = serializer.validated_data["note"]
        if action_name == "revoke":
            grant = services.role_grant_revoke(grant=grant, user=request.user, note=note)
        else:
            grant = services.role_grant_decide(
                grant=grant, user=request.user, decision=action_name, note=note
            )
        return Response(self.get_serializer(grant).data)

    @extend_schema(
        request=RoleGrantDecisionSerializer,
        responses={200: RoleGrantSerializer, **ERROR_RESPONSES},
        description=(
            "Grant a requested role (reviewers; the reviewer role: administrators). 409 when the "
            "organisation is not verified or not of the right type, or the request was decided."
        ),
    )
    @action(detail=True, methods=["post"])
    def grant(self, request, pk=None):
        return self._decide(request, "grant")

    @extend_schema(
        request=RoleGrantDecisionSerializer,
        responses={200: RoleGrantSerializer, **ERROR_RESPONSES},
        description="Refuse a requested role; `note` (the reason) is required.",
    )
    @action(detail=True, methods=["post"])
    def refuse(self, request, pk=None):
        return self._decide(request, "refuse")

    @extend_schema(
        request=RoleGrantDecisionSerializer,
        responses={200: RoleGrantSerializer, **ERROR_RESPONSES},
        description="Take a granted role back; `note` (the reason) is required.",
    )
    @action(detail=True, methods=["post"])
    def revoke(self, request, pk=None):
        return self._decide(request, "revoke")
