from django.http import Http404
from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework import permissions
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.schema import ERROR_RESPONSES
from matching import selectors, services
from matching.api.serializers import (
    FeedbackRequestSerializer,
    FeedbackSerializer,
    MatchingRunSerializer,
    MatchListResponseSerializer,
    MatchSerializer,
    ScoreBandSerializer,
    SearchRequestSerializer,
    SearchResponseSerializer,
    SimilarTechnologiesResponseSerializer,
    components_with_reason,
    similar_payload,
    violations_with_message,
)


def _chinese(request) -> bool:
    return (getattr(request, "LANGUAGE_CODE", "") or "zh-hans").startswith("zh")


def _match_list(matches, run) -> dict:
    return {
        "count": len(matches),
        "run": MatchingRunSerializer(run).data if run is not None else None,
        "results": MatchSerializer(matches, many=True).data,
    }


class NeedMatchesView(APIView):
    """Ranked technologies for a need (its organisation, brokers and reviewers; others 404)."""

    permission_classes = [permissions.AllowAny]

    @extend_schema(
        responses={200: MatchListResponseSerializer, 404: ERROR_RESPONSES[404]},
        tags=["matching"],
    )
    def get(self, request, pk: int):
        need = selectors.need_for_matches(need_id=pk, user=request.user)
        if need is None:
            raise Http404
        matches = list(selectors.matches_of_need(need=need))
        return Response(_match_list(matches, selectors.latest_need_run(need=need)))


class TechnologyMatchesView(APIView):
    """Ranked needs for a technology (its holder, brokers and reviewers; others 404)."""

    permission_classes = [permissions.AllowAny]

    @extend_schema(
        responses={200: MatchListResponseSerializer, 404: ERROR_RESPONSES[404]},
        tags=["matching"],
    )
    def get(self, request, pk: int):
        technology = selectors.technology_for_matches(technology_id=pk, user=request.user)
        if technology is None:
            raise Http404
        matches = list(selectors.matches_of_technology(technology=technology))
        return Response(
            _match_list(matches, selectors.latest_technology_run(technology=technology))
        )


class SimilarTechnologiesView(APIView):
    """Published technologies like this one, best first (the matching engine's scoring); only
    listings the reader may see. A technology that is not published, or not visible, is 404."""

    permission_classes = [permissions.AllowAny]

    @extend_schema(
        responses={200: SimilarTechnologiesResponseSerializer, 404: ERROR_RESPONSES[404]},
        tags=["matching"],
    )
    def get(self, request, pk: int):
        technology = selectors.technology_for_similar(technology_id=pk, user=request.user)
        if technology is None:
            raise Http404
        similar = services.similar_technologies(technology=technology, user=request.user)
        return Response(similar_payload(similar))


def search_payload(request, language: str, results) -> dict:
    from catalog.models import Technology

    chinese = _chinese(request)
    titles = {
        technology.pk: technology.title
        for technology in Technology.objects.filter(
            pk__in=[int(result.technology_id) for result in results]
        ).only("pk", "title_zh", "title_en")
    }
    rows = []
    for result in results:
        data = result.to_dict()
        technology_id = int(result.technology_id)
        rows.append(
            {
                "technology": {
                    "id": technology_id,
                    "title": titles.get(technology_id, ""),
                    "url": reverse("catalog:technology_detail", args=[technology_id]),
                },
                "score": data["score"],
                "demoted": result.demoted,
                "components": components_with_reason(data["components"]),
                "reasons": result.reasons_zh if chinese else result.reasons_en,
                "constraint_violations": violations_with_message(data["constraint_violations"]),
            }
        )
    return {"language": language, "count": len(rows), "results": rows}


class SearchByProblemView(APIView):
    """Ad-hoc search: paste a problem (Chinese or English) and get ranked technologies."""

    permission_classes = [permissions.AllowAny]

    @extend_schema(
        request=SearchRequestSerializer,
        responses={200: SearchResponseSerializer, 400: ERROR_RESPONSES[400]},
        tags=["matching"],
    )
    def post(self, request):
        serializer = SearchRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        language, results = services.search_by_problem(
            text=serializer.validated_data["text"], limit=serializer.validated_data["limit"]
        )
        return Response(search_payload(request, language, results))


class MatchFeedbackView(APIView):
    """Mark a match useful or not (the two parties, brokers and reviewers)."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        request=FeedbackRequestSerializer,
        responses={
            200: FeedbackSerializer,
            400: ERROR_RESPONSES[400],
            403: ERROR_RESPONSES[403],
            404: ERROR_RESPONSES[404],
        },
        tags=["matching"],
    )
    def post(self, request, pk: int):
        match = selectors.matches_visible_to(user=request.user).filter(pk=pk).first()
        if match is None:
            raise Http404
        serializer = FeedbackRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        feedback = services.match_feedback_record(
            user=request.user, match=match, **serializer.validated_data
        )
        return Response(FeedbackSerializer(feedback).data)


class IsReviewer(permissions.BasePermission):
    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user.has_role("reviewer", "admin"))


class FeedbackReportView(APIView):
    """Usefulness rate by score band (reviewers and administrators)."""

    permission_classes = [IsReviewer]

    @extend_schema(
        responses={200: ScoreBandSerializer(many=True), 403: ERROR_RESPONSES[403]},
        tags=["matching"],
    )
    def get(self, request):
        return Response(ScoreBandSerializer(selectors.feedback_report(), many=True).data)
