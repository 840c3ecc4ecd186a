from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response

from accounts.permissions import is_member
from centres import selectors, services
from centres.api.serializers import (
    CentreProfileUpdateSerializer,
    ReferralCreateSerializer,
    ReferralDetailSerializer,
    ReferralSerializer,
    ReferralTransitionSerializer,
    TransferCentreSerializer,
)
from centres.models import ReferralEvent
from core.api.schema import ERROR_RESPONSES
from core.api.views import BaseViewSet


class TransferCentreViewSet(BaseViewSet, viewsets.ReadOnlyModelViewSet):
    """The technology transfer network: verified centres (public), with the countries they
    cover and their languages. A centre's members set those with `profile`."""

    serializer_class = TransferCentreSerializer
    permission_classes = [AllowAny]

    def get_queryset(self):
        return selectors.verified_centres()

    @extend_schema(
        request=CentreProfileUpdateSerializer,
        responses={200: TransferCentreSerializer, **ERROR_RESPONSES},
    )
    @action(detail=True, methods=["post"], permission_classes=[IsAuthenticated])
    def profile(self, request, pk=None):
        """Set the countries covered (ISO 3166-1) and the working languages (members only)."""
        centre = self.get_object()
        if not is_member(user=request.user, organization=centre):
            raise PermissionDenied
        serializer = CentreProfileUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.centre_profile_update(
            organization=centre,
            user=request.user,
            countries=serializer.validated_data["countries_covered"],
            languages=serializer.validated_data["languages"],
        )
        return Response(self.get_serializer(self.get_queryset().get(pk=centre.pk)).data)


class ReferralViewSet(mixins.CreateModelMixin, BaseViewSet, viewsets.ReadOnlyModelViewSet):
    """Referrals between technology transfer centres: only members of the two centres see one
    (404 otherwise). `POST` refers a technology or a need to a partner centre (members of a
    verified centre only, 403 otherwise); `transition` takes `accept`, `decline` (with a
    `note`), `match` (with a `note`: who was found) or `close`; 409 when not possible now or
    not for your side."""

    permission_classes = [IsAuthenticated]

    def get_queryset(self):
        queryset = selectors.referrals_visible_to(user=self.request.user).order_by(
            "-created_at", "-pk"
        )
        if self.action != "list":
            queryset = queryset.prefetch_related(
                Prefetch("events", queryset=ReferralEvent.objects.select_related("actor"))
            )
        return queryset

    def get_serializer_class(self):
        return ReferralSerializer if self.action == "list" else ReferralDetailSerializer

    @extend_schema(
        request=ReferralCreateSerializer,
        responses={201: ReferralDetailSerializer, **ERROR_RESPONSES},
    )
    def create(self, request):
        serializer = ReferralCreateSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        referral = services.referral_create(user=request.user, **serializer.validated_data)
        return Response(
            self.get_serializer(self.get_queryset().get(pk=referral.pk)).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(
        request=ReferralTransitionSerializer,
        responses={200: ReferralDetailSerializer, **ERROR_RESPONSES},
    )
    @action(detail=True, methods=["post"])
    def transition(self, request, pk=None):
        referral = self.get_object()  # others' referrals are 404 before the body is read
        serializer = ReferralTransitionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        referral = services.referral_transition(
            referral=referral, user=request.user, **serializer.validated_data
        )
        return Response(self.get_serializer(self.get_queryset().get(pk=referral.pk)).data)
