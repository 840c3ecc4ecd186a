from django.urls import reverse
from drf_spectacular.utils import extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from core.i18n import in_chinese
from matching.models import Match, MatchingRun


@extend_schema_serializer(component_name="MatchScoreComponent")
class ComponentSerializer(serializers.Serializer):
    score = serializers.FloatField()
    weight = serializers.FloatField()
    reason = serializers.CharField()
    reason_zh = serializers.CharField()
    reason_en = serializers.CharField()


def components_with_reason(components: dict) -> dict:
    """Stored components plus `reason` in the request's language."""
    chinese = in_chinese()
    return {
        name: {**part, "reason": part["reason_zh"] if chinese else part["reason_en"]}
        for name, part in (components or {}).items()
    }


def violations_with_message(violations: list) -> list:
    chinese = in_chinese()
    return [
        {**item, "message": item["message_zh"] if chinese else item["message_en"]}
        for item in violations or []
    ]


class MatchingRunSerializer(serializers.ModelSerializer):
    class Meta:
        model = MatchingRun
        fields = [
            "id", "subject", "subject_id", "trigger", "status", "attempts", "candidates_count",
            "matches_count", "strong_count", "candidate_ms", "scoring_ms", "message",
            "queued_at", "started_at", "finished_at",
        ]  # fmt: skip


class CounterpartSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    url = serializers.CharField()


class MatchSerializer(serializers.ModelSerializer):
    components = serializers.SerializerMethodField()
    reasons = serializers.SerializerMethodField()
    constraint_violations = serializers.SerializerMethodField()
    need = serializers.SerializerMethodField()
    technology = serializers.SerializerMethodField()
    strong = serializers.BooleanField(source="is_strong", read_only=True)
    created = serializers.DateTimeField(source="created_at", read_only=True)
    updated = serializers.DateTimeField(source="updated_at", read_only=True)

    class Meta:
        model = Match
        fields = [
            "id", "need", "technology", "score", "strong", "demoted", "components", "reasons",
            "constraint_violations", "created", "updated",
        ]  # fmt: skip

    @extend_schema_field(serializers.DictField(child=ComponentSerializer()))
    def get_components(self, match: Match) -> dict:
        return components_with_reason(match.components)

    def get_reasons(self, match: Match) -> list[str]:
        return match.reasons

    def get_constraint_violations(self, match: Match) -> list[dict]:
        return violations_with_message(match.constraint_violations)

    def get_need(self, match: Match) -> CounterpartSerializer:
        return {
            "id": match.need_id,
            "title": match.need.title,
            "url": reverse("exchange:need_detail", args=[match.need_id]),
        }

    def get_technology(self, match: Match) -> CounterpartSerializer:
        return {
            "id": match.technology_id,
            "title": match.technology.title,
            "url": reverse("catalog:technology_detail", args=[match.technology_id]),
        }


class SearchRequestSerializer(serializers.Serializer):
    text = serializers.CharField(
        allow_blank=True, trim_whitespace=False, help_text="Problem description, Chinese or English"
    )
    limit = serializers.IntegerField(default=10, min_value=1, max_value=50)


class SearchResultSerializer(serializers.Serializer):
    technology = CounterpartSerializer()
    score = serializers.FloatField()
    demoted = serializers.BooleanField()
    components = serializers.DictField()
    reasons = serializers.ListField(child=serializers.CharField())
    constraint_violations = serializers.ListField(child=serializers.DictField())


class SearchResponseSerializer(serializers.Serializer):
    language = serializers.CharField()
    count = serializers.IntegerField()
    results = SearchResultSerializer(many=True)


class FeedbackRequestSerializer(serializers.Serializer):
    useful = serializers.BooleanField()
    comment = serializers.CharField(required=False, allow_blank=True, max_length=500, default="")


class FeedbackSerializer(serializers.Serializer):
    match = serializers.IntegerField(source="match_id")
    useful = serializers.BooleanField()
    comment = serializers.CharField()
    role = serializers.CharField()
    score = serializers.FloatField()
    updated = serializers.DateTimeField(source="updated_at")


class ScoreBandSerializer(serializers.Serializer):
    band = serializers.CharField()
    low = serializers.IntegerField()
    high = serializers.IntegerField()
    total = serializers.IntegerField()
    useful = serializers.IntegerField()
    not_useful = serializers.IntegerField()
    usefulness_rate = serializers.FloatField(allow_null=True)


class MatchListResponseSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    run = MatchingRunSerializer(allow_null=True)
    results = MatchSerializer(many=True)


class SimilarTechnologySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    url = serializers.CharField()
    category = serializers.CharField(allow_null=True)
    trl = serializers.IntegerField()
    organization_name = serializers.CharField()
    similarity = serializers.FloatField(help_text="The matching engine's score, 0 to 100.")


class SimilarTechnologiesResponseSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    results = SimilarTechnologySerializer(many=True)


def similar_payload(technologies) -> dict:
    from django.urls import reverse

    rows = [
        {
            "id": technology.pk,
            "title": technology.title,
            "url": reverse("catalog:technology_detail", args=[technology.pk]),
            "category": technology.category.code if technology.category_id else None,
            "trl": technology.trl,
            "organization_name": technology.organization.display_name,
            "similarity": technology.similarity,
        }
        for technology in technologies
    ]
    return {"count": len(rows), "results": rows}
