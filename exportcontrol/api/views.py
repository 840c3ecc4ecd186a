from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from catalog.selectors import technologies_visible_to
from core.api.schema import ERROR_RESPONSES
from core.api.views import BaseViewSet
from exportcontrol import selectors, services
from exportcontrol.api.serializers import (
    ClassificationDeclareSerializer,
    ClassificationReviewSerializer,
    ClassificationSerializer,
    ControlEntrySerializer,
    classification_data,
)
from exportcontrol.choices import ControlCatalogue, ControlLevel


@extend_schema(
    parameters=[
        OpenApiParameter("catalogue", enum=ControlCatalogue.values, required=False),
        OpenApiParameter("level", enum=ControlLevel.values, required=False),
        OpenApiParameter("q", str, required=False, description="Code, name or control points."),
    ]
)
class ControlEntryViewSet(BaseViewSet, viewsets.ReadOnlyModelViewSet):
    """China's catalogues of technologies prohibited or restricted from export and import
    (entries in force), for signed-in users."""

    serializer_class = ControlEntrySerializer
    permission_classes = [IsAuthenticated]

    def get_queryset(self):
        params = self.request.query_params
        errors = {}
        for name, allowed in (("catalogue", ControlCatalogue), ("level", ControlLevel)):
            if name in params and params[name] not in allowed.values:
                errors[name] = [_("Choose one of the listed values.")]
        if errors:
            raise ValidationError(errors)
        return selectors.control_entries(
            catalogue=params.get("catalogue", ""),
            level=params.get("level", ""),
            q=params.get("q", "")[:100],
        )


class ClassificationMixin:
    permission_classes = [IsAuthenticated]

    def technology(self, request, pk: int):
        """The technology, when the user may see its classification (holder's members and
        reviewers); 404 for anyone else."""
        technology = get_object_or_404(technologies_visible_to(user=request.user), pk=pk)
        if not selectors.classification_visible_to(user=request.user, technology=technology):
            raise Http404
        return technology

    def respond(self, request, technology):
        selectors.classification_forget(technology=technology)
        classification = selectors.classification_of(technology=technology)
        data = classification_data(
            technology=technology,
            catalogue=selectors.technology_control_catalogue(technology=technology),
            classification=classification,
            outcome=selectors.technology_screening(technology=technology).outcome,
            offered_abroad=bool(selectors.regions_abroad(technology.target_regions)),
            allowed_actions=services.classification_allowed_actions(
                technology=technology, user=request.user
            ),
            history=list(selectors.classification_history(classification=classification))
            if classification
            else [],
        )
        return Response(ClassificationSerializer(data).data)


class ClassificationView(ClassificationMixin, APIView):
    """A technology's export-control classification: the holder's declaration, the reviewer's
    confirmation, the screening outcome and its history (holder's members and reviewers)."""

    @extend_schema(responses={200: ClassificationSerializer, **ERROR_RESPONSES})
    def get(self, request, pk: int):
        return self.respond(request, self.technology(request, pk))


class ClassificationDeclareView(ClassificationMixin, APIView):
    """The holder declares the export-catalogue entry the technology falls under, or null for
    not listed; a reviewer then confirms or corrects it."""

    @extend_schema(
        request=ClassificationDeclareSerializer,
        responses={200: ClassificationSerializer, **ERROR_RESPONSES},
    )
    def post(self, request, pk: int):
        technology = self.technology(request, pk)
        serializer = ClassificationDeclareSerializer(
            data=request.data,
            context={"catalogue": selectors.technology_control_catalogue(technology=technology)},
        )
        serializer.is_valid(raise_exception=True)
        services.classification_declare(
            technology=technology, user=request.user, **serializer.validated_data
        )
        return self.respond(request, technology)


class ClassificationReviewView(ClassificationMixin, APIView):
    """A platform reviewer who is not a member of the holder confirms the declaration or
    corrects it (with a reason)."""

    @extend_schema(
        request=ClassificationReviewSerializer,
        responses={200: ClassificationSerializer, **ERROR_RESPONSES},
    )
    def post(self, request, pk: int):
        technology = self.technology(request, pk)
        serializer = ClassificationReviewSerializer(
            data=request.data,
            context={"catalogue": selectors.technology_control_catalogue(technology=technology)},
        )
        serializer.is_valid(raise_exception=True)
        services.classification_review(
            technology=technology, user=request.user, **serializer.validated_data
        )
        return self.respond(request, technology)
