from drf_spectacular.utils import extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from core.api.schema import ERROR_RESPONSES
from core.api.views import BaseViewSet
from licensing import selectors, services
from licensing.api.serializers import (
    AcceptSerializer,
    LicenceSerializer,
    LicenceTransitionSerializer,
    OfferCreateSerializer,
    OfferUpdateSerializer,
    OfferWithdrawSerializer,
    OpenLicenceOfferSerializer,
)
from licensing.filtersets import LicenceFilterSet, OpenLicenceOfferFilterSet


class OpenLicenceOfferViewSet(BaseViewSet, viewsets.ReadOnlyModelViewSet):
    """Open licences (专利开放许可): posted terms, the same for every licensee. Open offers are
    public; the holder sees its closed ones too.

    `POST` offers a granted patent of your published technology (multipart with
    `evaluation_report` for utility-model and design patents); `PATCH` edits terms nobody has
    accepted yet (409 once a licensee accepted: `revise` publishes a new version, existing
    licences keep theirs); `withdraw` stops new licences. `accept` takes the licence for your
    verified enterprise; `licensees` lists who took it (holder only).
    """

    serializer_class = OpenLicenceOfferSerializer
    filterset_class = OpenLicenceOfferFilterSet
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return selectors.offers_visible_to(user=self.request.user).order_by("-published_at", "-pk")

    def _created(self, offer, code=status.HTTP_201_CREATED):
        return Response(self.get_serializer(offer).data, status=code)

    @extend_schema(
        request=OfferCreateSerializer,
        responses={201: OpenLicenceOfferSerializer, **ERROR_RESPONSES},
    )
    def create(self, request):
        serializer = OfferCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        offer = services.offer_create(user=request.user, **serializer.validated_data)
        return self._created(offer)

    def _holder_offer(self):
        offer = self.get_object()
        if not selectors.can_see_licensees(user=self.request.user, offer=offer):
            raise PermissionDenied
        return offer

    @extend_schema(
        request=OfferUpdateSerializer,
        responses={200: OpenLicenceOfferSerializer, **ERROR_RESPONSES},
    )
    def partial_update(self, request, pk=None):
        offer = self.get_object()
        serializer = OfferUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        offer = services.offer_update(offer=offer, user=request.user, **serializer.validated_data)
        return Response(self.get_serializer(offer).data)

    @extend_schema(
        request=OfferUpdateSerializer,
        responses={201: OpenLicenceOfferSerializer, **ERROR_RESPONSES},
    )
    @action(detail=True, methods=["post"], permission_classes=[IsAuthenticated])
    def revise(self, request, pk=None):
        """Publish changed terms as a new version (the answer is the new offer)."""
        offer = self.get_object()
        serializer = OfferUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        offer = services.offer_revise(offer=offer, user=request.user, **serializer.validated_data)
        return self._created(offer)

    @extend_schema(
        request=OfferWithdrawSerializer,
        responses={200: OpenLicenceOfferSerializer, **ERROR_RESPONSES},
    )
    @action(detail=True, methods=["post"], permission_classes=[IsAuthenticated])
    def withdraw(self, request, pk=None):
        offer = self.get_object()
        serializer = OfferWithdrawSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        offer = services.offer_withdraw(offer=offer, user=request.user, **serializer.validated_data)
        return Response(self.get_serializer(offer).data)

    @extend_schema(
        request=AcceptSerializer,
        responses={201: LicenceSerializer, **ERROR_RESPONSES},
        description=(
            "Accept the posted terms for your verified enterprise: a licence awaiting payment "
            "(in force at once when nothing is due on taking it). 409 when the offer is closed "
            "or your enterprise already holds a licence under it."
        ),
    )
    @action(detail=True, methods=["post"], permission_classes=[IsAuthenticated])
    def accept(self, request, pk=None):
        offer = self.get_object()
        serializer = AcceptSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        licence = services.licence_accept(
            offer=offer, user=request.user, **serializer.validated_data
        )
        licence = selectors.licences_visible_to(user=request.user).get(pk=licence.pk)
        return Response(
            LicenceSerializer(licence, context=self.get_serializer_context()).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(responses={200: LicenceSerializer(many=True), **ERROR_RESPONSES})
    @action(detail=True, methods=["get"], permission_classes=[IsAuthenticated])
    def licensees(self, request, pk=None):
        """Every licence under this offer and its earlier versions (the holder and reviewers)."""
        licences = selectors.licensees_of(offer=self._holder_offer()).select_related(
            "offer__technology", "offer__patent", "offer__organization"
        )
        page = self.paginate_queryset(licences)
        serializer = LicenceSerializer(page, many=True, context=self.get_serializer_context())
        return self.get_paginated_response(serializer.data)


class LicenceViewSet(BaseViewSet, viewsets.ReadOnlyModelViewSet):
    """Licences under open licence offers: the licensee's and the holder's members and
    reviewers see one (404 otherwise). `transition` pays (the licence takes effect: a completed
    licence deal and its certificate) or cancels before paying; 409 when not possible now."""

    serializer_class = LicenceSerializer
    filterset_class = LicenceFilterSet
    permission_classes = [IsAuthenticated]

    def get_queryset(self):
        return selectors.licences_visible_to(user=self.request.user).order_by("-accepted_at", "-pk")

    @extend_schema(
        request=LicenceTransitionSerializer, responses={200: LicenceSerializer, **ERROR_RESPONSES}
    )
    @action(detail=True, methods=["post"])
    def transition(self, request, pk=None):
        licence = self.get_object()  # others' licences are 404 before the body is read
        serializer = LicenceTransitionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        licence = services.licence_transition(
            licence=licence, user=request.user, **serializer.validated_data
        )
        return Response(self.get_serializer(self.get_queryset().get(pk=licence.pk)).data)
