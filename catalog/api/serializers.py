from decimal import Decimal

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from catalog import selectors, services
from catalog.choices import (
    IntellectualPropertyKind,
    IntellectualPropertyStatus,
    ResourceKind,
    ReviewDecision,
    TransactionMode,
    TrlConfirmerRole,
    TrlReadiness,
)
from catalog.duplicates import flag_reason
from catalog.models import (
    ROW_RELATIONS,
    AccessRequest,
    Category,
    DuplicateFlag,
    Favourite,
    Inquiry,
    SavedSearch,
    Technology,
    TechnologyAttachment,
    TechnologyOffer,
    TechnologyPatent,
    TechnologyPerformanceFigure,
    TechnologyResourceSaving,
    TechnologyTranslation,
    TrlAssessment,
)
from catalog.selectors import technology_checklist, technology_insider
from catalog.visibility import (
    ATTACHMENT_REPRESENTATION,
    TECHNOLOGY_DETAIL_REPRESENTATION,
    TECHNOLOGY_FIELDS,
    TECHNOLOGY_REPRESENTATION,
    Clearance,
)
from core.api.actors import ActorNameField
from core.api.fields import strict_text_field_mapping
from core.api.translations import translation_serializers


class CategorySerializer(serializers.ModelSerializer):
    parent = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    level = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)

    class Meta:
        model = Category
        fields = ["code", "parent", "level", "name", "name_zh", "name_en"]


class OfferSerializer(serializers.ModelSerializer):
    asking_price = serializers.DecimalField(
        max_digits=14, decimal_places=2, min_value=Decimal(0), allow_null=True, required=False
    )
    negotiable = serializers.BooleanField(required=False, default=False)
    exclusive = serializers.BooleanField(required=False, allow_null=True, default=None)

    class Meta:
        model = TechnologyOffer
        fields = list(TechnologyOffer.EDITABLE_FIELDS)


class PatentSerializer(serializers.ModelSerializer):
    class Meta:
        model = TechnologyPatent
        fields = list(TechnologyPatent.EDITABLE_FIELDS)
        extra_kwargs = {"jurisdiction": {"required": False}, "title": {"required": False}}


class PerformanceFigureSerializer(serializers.ModelSerializer):
    class Meta:
        model = TechnologyPerformanceFigure
        fields = list(TechnologyPerformanceFigure.EDITABLE_FIELDS)
        extra_kwargs = {"unit": {"required": False}}


class ResourceSavingSerializer(serializers.ModelSerializer):
    class Meta:
        model = TechnologyResourceSaving
        fields = list(TechnologyResourceSaving.EDITABLE_FIELDS)
        extra_kwargs = {"note": {"required": False}}


class AttachmentSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()
    is_image = serializers.BooleanField(read_only=True)
    thumbnail_url = serializers.SerializerMethodField()

    class Meta:
        model = TechnologyAttachment
        fields = list(ATTACHMENT_REPRESENTATION)
        read_only_fields = fields

    def get_url(self, attachment) -> str:
        return reverse("catalog:attachment_download", args=[attachment.pk])

    def get_thumbnail_url(self, attachment) -> str | None:
        """Public pictures only: a confidential picture never has a thumbnail URL."""
        if attachment.confidential or not attachment.is_image:
            return None
        return reverse("catalog:attachment_thumbnail", args=[attachment.pk])


class AttachmentUploadSerializer(serializers.Serializer):
    file = serializers.FileField(
        help_text="PDF or picture (PNG, JPEG, WebP), at most 10 MB; pictures get a thumbnail."
    )
    confidential = serializers.BooleanField(required=False, default=False)


class FavouriteSerializer(serializers.ModelSerializer):
    technology = serializers.IntegerField(source="technology_id", read_only=True)
    title = serializers.CharField(source="technology.title", read_only=True)
    url = serializers.SerializerMethodField()

    class Meta:
        model = Favourite
        fields = ["id", "technology", "title", "url", "created_at"]
        read_only_fields = fields

    def get_url(self, favourite) -> str:
        return reverse("catalog:technology_detail", args=[favourite.technology_id])


TechnologyTranslationSerializer, TechnologyOriginalTextSerializer = translation_serializers(
    TechnologyTranslation
)

CONFIDENTIAL_FIELDS = tuple(sorted(TECHNOLOGY_FIELDS.confidential, reverse=True))


class TechnologySerializer(serializers.ModelSerializer):
    """A technology as the API shows it. Confidential fields are absent without access."""

    category = serializers.SlugRelatedField(slug_field="code", read_only=True)
    organization_name = serializers.CharField(source="organization.display_name", read_only=True)
    holder_type = serializers.CharField(source="organization.kind", read_only=True)
    trl_definition = serializers.CharField(read_only=True)
    offers = OfferSerializer(many=True, read_only=True)
    patents = PatentSerializer(many=True, read_only=True)
    performance_figures = PerformanceFigureSerializer(many=True, read_only=True)
    resource_savings = ResourceSavingSerializer(many=True, read_only=True)
    confidential_access = serializers.SerializerMethodField()
    is_outdated = serializers.BooleanField(
        read_only=True,
        help_text="Published and past `valid_until`: left out of the default search and the "
        "matching until the holder confirms it.",
    )

    class Meta:
        model = Technology
        fields = list(TECHNOLOGY_REPRESENTATION)
        read_only_fields = fields
        # Left out of the response for readers without confidential access (to_representation).
        schema_optional_fields = CONFIDENTIAL_FIELDS

    def _has_access(self, technology) -> bool:
        return technology.pk in self.context.get("confidential_ids", set())

    def _clearance(self, technology) -> Clearance:
        request = self.context.get("request")
        user = getattr(request, "user", None)
        if technology_insider(user=user, technology=technology):
            return Clearance.INTERNAL
        return Clearance.CONFIDENTIAL if self._has_access(technology) else Clearance.PUBLIC

    def get_confidential_access(self, technology) -> bool:
        return self._has_access(technology)

    def to_representation(self, technology):
        """Only the fields catalog.visibility lets this reader see (undeclared: insiders)."""
        data = super().to_representation(technology)
        return TECHNOLOGY_FIELDS.redact(data, self._clearance(technology))


class TechnologyListSerializer(TechnologySerializer):
    """TechnologySerializer's representation of a page of technologies, nested rows read from
    the lists selectors.technology_page_nested_rows() fetched. Technologies without
    confidential access have no performance figures fetched: DRF skips a read-only field whose
    source is missing, and to_representation leaves the confidential fields out anyway."""

    offers = OfferSerializer(many=True, read_only=True, source="prefetched_offers")
    patents = PatentSerializer(many=True, read_only=True, source="prefetched_patents")
    performance_figures = PerformanceFigureSerializer(
        many=True, read_only=True, source="prefetched_performance_figures"
    )
    resource_savings = ResourceSavingSerializer(
        many=True, read_only=True, source="prefetched_resource_savings"
    )


class CriterionSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="A code of catalog.completeness.CRITERIA.")
    label = serializers.CharField()
    hint = serializers.CharField()


class CompletenessSerializer(serializers.Serializer):
    """What a buyer needs that the listing gives: the score 0-100 for everyone; the minimum to
    submit, and the criteria met and missing, for members of the holder and reviewers."""

    score = serializers.IntegerField(min_value=0, max_value=100)
    minimum = serializers.IntegerField(required=False)
    met = CriterionSerializer(many=True, required=False)
    missing = CriterionSerializer(many=True, required=False)

    class Meta:
        schema_optional_fields = ("minimum", "met", "missing")


class CompletenessRefusalSerializer(serializers.Serializer):
    """The 400 body of a submission refused for its completeness (a CompletenessBelowMinimum):
    the message under `completeness`, like a field error, and the criteria missing."""

    completeness = serializers.SerializerMethodField()
    score = serializers.SerializerMethodField()
    minimum = serializers.IntegerField()
    missing = serializers.SerializerMethodField()

    class Meta:
        schema_optional_fields = ("completeness", "score", "minimum", "missing")

    def get_completeness(self, refusal) -> list[str]:
        return list(refusal.messages)

    def get_score(self, refusal) -> int:
        return refusal.completeness.score

    @extend_schema_field(CriterionSerializer(many=True))
    def get_missing(self, refusal) -> list[dict]:
        return [
            {"code": r.code, "label": r.label, "hint": r.hint} for r in refusal.completeness.missing
        ]


def completeness_representation(checklist) -> dict:
    def criteria(results):
        return [{"code": r.code, "label": r.label, "hint": r.hint} for r in results]

    return {
        "score": checklist.score,
        "minimum": checklist.minimum,
        "met": criteria(checklist.completeness.met),
        "missing": criteria(checklist.completeness.missing),
    }


class TrlEvidenceSerializer(serializers.Serializer):
    """An evidence file: everyone who sees the listing sees its hash and size; the name and the
    download address only those cleared to read it (selectors.trl_evidence_clearance)."""

    id = serializers.IntegerField()
    sha256 = serializers.CharField()
    size = serializers.IntegerField()
    name = serializers.CharField(allow_null=True)
    url = serializers.CharField(allow_null=True)


class TrlAssessmentSerializer(serializers.ModelSerializer):
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    definition = serializers.CharField(read_only=True)
    # Blank until a reviewer or an expert decides (DRF drops allow_blank on read-only fields).
    decider_role = serializers.ChoiceField(
        choices=TrlConfirmerRole.choices, allow_blank=True, read_only=True
    )
    decider_role_label = serializers.CharField(source="get_decider_role_display", read_only=True)
    decider_organization_name = serializers.CharField(
        source="decider_organization_label", read_only=True
    )
    evidence = serializers.SerializerMethodField()
    note = serializers.SerializerMethodField()

    class Meta:
        model = TrlAssessment
        fields = [
            "id",
            "technology",
            "level",
            "definition",
            "application_context",
            "assessed_on",
            "status",
            "status_label",
            "decider_role",
            "decider_role_label",
            "decider_organization",
            "decider_organization_name",
            "decided_at",
            "note",
            "evidence",
            "created_at",
        ]
        read_only_fields = fields

    def _cleared(self, assessment) -> bool:
        return selectors.trl_evidence_clearance(
            user=self.context["request"].user,
            assessment=assessment,
            technology=assessment.technology,
        )

    def get_note(self, assessment) -> str:
        user = self.context["request"].user
        if self._cleared(assessment) or selectors.technology_insider(
            user=user, technology=assessment.technology
        ):
            return assessment.note
        return ""

    @extend_schema_field(TrlEvidenceSerializer(many=True))
    def get_evidence(self, assessment) -> list[dict]:
        cleared = self._cleared(assessment)
        request = self.context["request"]
        return [
            {
                "id": evidence.pk,
                "sha256": evidence.sha256,
                "size": evidence.size,
                "name": evidence.name if cleared else None,
                "url": request.build_absolute_uri(
                    reverse("catalog:trl_evidence_download", args=[evidence.pk])
                )
                if cleared
                else None,
            }
            for evidence in assessment.evidence.all()
        ]


class TrlClaimSerializer(serializers.Serializer):
    level = serializers.IntegerField(min_value=1, max_value=9)
    application_context = serializers.CharField(max_length=300)
    assessed_on = serializers.DateField()
    files = serializers.ListField(
        child=serializers.FileField(),
        required=False,
        help_text="Evidence: PDF, PNG, JPEG or Word (.docx), at most 10 MB each, up to 10 files.",
    )


class TrlReadinessSerializer(serializers.Serializer):
    """The current assessed level of a listing (selectors.technology_readiness)."""

    level = serializers.IntegerField()
    state = serializers.ChoiceField(choices=TrlReadiness.choices)
    state_label = serializers.CharField()
    status = serializers.CharField(allow_null=True, help_text="Status of the assessment shown.")
    assessed_on = serializers.DateField(allow_null=True)
    context = serializers.CharField(allow_null=True)


class TechnologyDetailSerializer(TechnologySerializer):
    attachments = serializers.SerializerMethodField()
    completeness = serializers.SerializerMethodField()
    trl_assessment = serializers.SerializerMethodField()
    allowed_actions = serializers.SerializerMethodField()
    pending_change = serializers.SerializerMethodField()
    translations = TechnologyTranslationSerializer(many=True, read_only=True)

    class Meta(TechnologySerializer.Meta):
        fields = [*TECHNOLOGY_REPRESENTATION, *TECHNOLOGY_DETAIL_REPRESENTATION]
        read_only_fields = fields

    def get_attachments(self, technology) -> list[dict]:
        attachments = technology.attachments.all()
        if not self._has_access(technology):
            attachments = [a for a in attachments if not a.confidential]
        return AttachmentSerializer(attachments, many=True).data

    @extend_schema_field(CompletenessSerializer)
    def get_completeness(self, technology) -> dict:
        if self._clearance(technology) < Clearance.INTERNAL:
            return {"score": technology.completeness_score}
        return completeness_representation(technology_checklist(technology=technology))

    def get_allowed_actions(self, technology) -> list[str]:
        user = self.context["request"].user
        return services.technology_allowed_actions(technology=technology, user=user)

    @extend_schema_field(TrlReadinessSerializer)
    def get_trl_assessment(self, technology) -> dict:
        readiness = selectors.technology_readiness(technology=technology)
        assessment = readiness.assessment
        return {
            "level": readiness.level,
            "state": readiness.state,
            "state_label": readiness.state_label,
            "status": assessment.status if assessment else None,
            "assessed_on": assessment.assessed_on if assessment else None,
            "context": assessment.application_context if assessment else None,
        }

    def get_pending_change(self, technology) -> dict | None:
        user = self.context["request"].user
        if not services.technology_actor_roles(technology=technology, user=user):
            return None
        revision = services.technology_open_revision(technology=technology)
        if revision is None:
            return None
        return {"status": revision.status, "data": revision.data, "created_at": revision.created_at}


class TechnologyWriteSerializer(serializers.ModelSerializer):
    """Input of create and update: the fields of `Technology.EDITABLE_FIELDS` as the model
    defines them, every one optional (an update sends what changes), plus the organisation to
    list for, the offer summary and the rows. Business rules are checked by catalog.services."""

    organization = serializers.IntegerField(required=False)
    # A taxonomy code; the service names an unknown one.
    category = serializers.CharField(required=False, max_length=10)
    transaction_modes = serializers.ListField(
        child=serializers.ChoiceField(choices=TransactionMode.choices), required=False
    )
    asking_price = serializers.DecimalField(
        max_digits=14, decimal_places=2, min_value=Decimal(0), allow_null=True, required=False
    )
    offers = OfferSerializer(many=True, required=False)
    patents = PatentSerializer(many=True, required=False)
    performance_figures = PerformanceFigureSerializer(many=True, required=False)
    resource_savings = ResourceSavingSerializer(many=True, required=False)
    original_text = TechnologyOriginalTextSerializer(
        required=False,
        write_only=True,
        help_text="Create only: the text of a listing written in a language other than Chinese "
        "or English (`original_language`); Chinese and English text goes in the `_zh` / `_en` "
        "fields.",
    )
    valid_until = serializers.DateField(
        required=False,
        help_text="Edit only: the day until which the holder confirms the listing is current "
        "(today at the earliest, at most three years ahead); applied at once, without review.",
    )

    class Meta:
        model = Technology
        fields = [
            "organization",
            "valid_until",
            *Technology.EDITABLE_FIELDS,
            "original_text",
            "transaction_modes",
            "asking_price",
            *ROW_RELATIONS,
        ]
        extra_kwargs = {
            **{name: {"required": False} for name in Technology.EDITABLE_FIELDS},
            "keywords": {"required": False, "max_length": 30},
            "co2e_avoided_tonnes_per_year": {
                "required": False,
                "allow_null": True,
                "min_value": Decimal(0),
            },
        }


# Choices listed for the schema.
IP_KINDS = IntellectualPropertyKind.values
IP_STATUSES = IntellectualPropertyStatus.values
RESOURCE_KINDS = ResourceKind.values


class ConfirmSerializer(serializers.Serializer):
    valid_until = serializers.DateField(
        required=False,
        help_text="Current until this day (today at the earliest, at most three years ahead); "
        "default: twelve months from today.",
    )


class ReviewSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=ReviewDecision.values)
    comment = serializers.CharField(required=False, allow_blank=True, max_length=4000)
    field_comments = serializers.DictField(
        child=serializers.CharField(allow_blank=True, max_length=2000), required=False
    )


class NoteSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class EventSerializer(serializers.Serializer):
    """One history entry as catalog.selectors.technology_history_for() redacted it for the
    reader: `actor` is a display name (never an e-mail address but to reviewers); `note` and
    `field_comments` are absent for readers who may not see them, as are the old and new values
    of a change of a field they may not see (`redacted` is then true)."""

    action = serializers.CharField()
    actor = serializers.CharField()
    from_status = serializers.CharField()
    to_status = serializers.CharField()
    note = serializers.CharField(required=False)
    field_comments = serializers.DictField(child=serializers.CharField(), required=False)
    changes = serializers.ListField(child=serializers.DictField())
    created_at = serializers.DateTimeField()

    class Meta:
        schema_optional_fields = ("note", "field_comments")


class InquirySerializer(serializers.ModelSerializer):
    class Meta:
        model = Inquiry
        fields = ["id", "technology", "message", "created_at"]
        read_only_fields = ["id", "technology", "created_at"]


class AccessRequestSerializer(serializers.ModelSerializer):
    accept_nda = serializers.BooleanField(write_only=True)

    class Meta:
        model = AccessRequest
        fields = ["id", "technology", "message", "accept_nda", "status", "created_at"]
        read_only_fields = ["id", "technology", "status", "created_at"]


class SavedSearchSerializer(serializers.ModelSerializer):
    serializer_field_mapping = strict_text_field_mapping(
        serializers.ModelSerializer.serializer_field_mapping
    )

    class Meta:
        model = SavedSearch
        fields = ["id", "name", "query", "filters", "created_at"]
        read_only_fields = ["id", "created_at"]


class FacetValueSerializer(serializers.Serializer):
    value = serializers.CharField()
    label = serializers.CharField()
    count = serializers.IntegerField()


class FacetsSerializer(serializers.Serializer):
    total = serializers.IntegerField(
        help_text="The number of matches: exact up to 5,000, estimated from a sample beyond."
    )
    total_is_estimate = serializers.BooleanField(
        help_text="True when `total` and every facet count are estimates from a sample."
    )
    category = serializers.ListField(child=serializers.DictField())
    trl_band = FacetValueSerializer(many=True)
    transaction_mode = FacetValueSerializer(many=True)
    region = FacetValueSerializer(many=True)
    holder_type = FacetValueSerializer(many=True)
    has_granted_patent = FacetValueSerializer(many=True)


class DuplicateListingSerializer(serializers.Serializer):
    """A listing of a possible duplicate pair: its public names only (and its status)."""

    id = serializers.IntegerField()
    title_zh = serializers.CharField()
    title_en = serializers.CharField()
    organization = serializers.IntegerField(source="organization_id")
    organization_name = serializers.CharField(source="organization.display_name")
    status = serializers.CharField()
    status_label = serializers.CharField(source="get_status_display")
    url = serializers.SerializerMethodField()

    def get_url(self, technology) -> str:
        return reverse("catalog:technology_detail", args=[technology.pk])


class DuplicateCandidateSerializer(serializers.Serializer):
    """A listing that reads like the one asked about, with how alike and why."""

    technology = DuplicateListingSerializer()
    same_organization = serializers.BooleanField()
    score = serializers.FloatField(help_text="0 to 1: half titles, half texts.")
    title_score = serializers.FloatField(source="similarity.title")
    text_score = serializers.FloatField(source="similarity.text")
    shared_terms = serializers.ListField(
        child=serializers.CharField(), source="similarity.shared_terms"
    )
    reason = serializers.CharField()


class DuplicateFlagSerializer(serializers.ModelSerializer):
    """A recorded pair of look-alike listings and the reviewer's decision on it."""

    technology = DuplicateListingSerializer(read_only=True)
    candidate = DuplicateListingSerializer(read_only=True)
    decided_by = ActorNameField()
    reason = serializers.SerializerMethodField()
    compare_url = serializers.SerializerMethodField()

    class Meta:
        model = DuplicateFlag
        fields = [
            "id",
            "technology",
            "candidate",
            "same_organization",
            "score",
            "title_score",
            "text_score",
            "shared_terms",
            "reason",
            "source",
            "status",
            "survivor",
            "decided_by",
            "decided_at",
            "note",
            "created_at",
            "compare_url",
        ]
        read_only_fields = fields

    def get_reason(self, flag) -> str:
        return flag_reason(flag)

    def get_compare_url(self, flag) -> str:
        return reverse("catalog:duplicate_compare", args=[flag.pk])


class DuplicateDismissSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class DuplicateMergeSerializer(serializers.Serializer):
    keep = serializers.IntegerField(help_text="The id of the pair's listing to keep.")
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000)
