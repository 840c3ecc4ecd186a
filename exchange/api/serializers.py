from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.models import Organization
from accounts.permissions import member_organization_ids
from accounts.selectors import organizations_visible_to
from catalog.models import Category, Technology
from catalog.selectors import technologies_visible_to
from core.api.actors import ActorNameField
from core.api.fields import (
    VisiblePrimaryKeyRelatedField,
    turn_down_reason_field,
    turn_down_reason_read_field,
)
from core.api.translations import translation_serializers
from exchange import selectors, services
from exchange.choices import (
    Currency,
    DealAction,
    DealStage,
    DocumentKind,
    LicenceCheckDecision,
    NeedCloseReason,
    ReviewDecision,
    TransactionMode,
)
from exchange.crossborder import TradeDirection, deal_direction
from exchange.models import (
    Deal,
    DealDocument,
    DealEvent,
    DealLicenceCheck,
    DealMessage,
    DealMilestone,
    DemandList,
    Introduction,
    Need,
    NeedTranslation,
    Proposal,
    ProposalMessage,
    Rating,
)
from exportcontrol.choices import ControlCatalogue, ScreeningOutcome

NeedTranslationSerializer, NeedOriginalTextSerializer = translation_serializers(NeedTranslation)


class NeedSerializer(serializers.ModelSerializer):
    """A technology need. `organization_name` is null when the need is anonymous to you."""

    category = serializers.SlugRelatedField(
        slug_field="code",
        queryset=Category.objects.all(),
        required=False,
        allow_null=True,
        help_text=_("A category code of the taxonomy, e.g. 2.4 (optional)."),
    )
    transaction_modes = serializers.ListField(
        child=serializers.ChoiceField(choices=TransactionMode.choices),
        required=False,
        allow_empty=True,
    )
    organization_name = serializers.SerializerMethodField()
    review_comment = serializers.SerializerMethodField(
        help_text="The reviewer's comment; blank for anyone but the need's organisation and "
        "reviewers."
    )
    allowed_actions = serializers.SerializerMethodField()
    # Declared so the schema says it may be blank (an open need has no close reason).
    close_reason = serializers.ChoiceField(
        choices=NeedCloseReason.choices, allow_blank=True, read_only=True
    )
    valid_until = serializers.DateField(
        required=False,
        help_text="Until when the need counts as current (its deadline once published). On the "
        "edit of a published need: a confirmation until that day (today at the earliest, at "
        "most three years ahead, never after the deadline).",
    )
    is_outdated = serializers.BooleanField(
        read_only=True,
        help_text="Listed and past `valid_until`: left out of the default list and the "
        "matching until the organisation confirms it.",
    )
    translations = NeedTranslationSerializer(many=True, read_only=True)
    original_text = NeedOriginalTextSerializer(
        required=False,
        write_only=True,
        help_text="Create only: the text of a need written in a language other than Chinese or "
        "English (`original_language`); Chinese and English text goes in the `_zh` / `_en` "
        "fields.",
    )

    class Meta:
        model = Need
        fields = [
            "id",
            *Need.EDITABLE_FIELDS,
            "status",
            "close_reason",
            "review_comment",
            "organization_name",
            "published_at",
            "valid_until",
            "last_confirmed_at",
            "is_outdated",
            "allowed_actions",
            "translations",
            "original_text",
        ]
        read_only_fields = ["status", "close_reason", "published_at", "last_confirmed_at"]
        extra_kwargs = {
            "region": {
                "required": False,
                "help_text": "ISO 3166-2 code of a Chinese province (e.g. CN-JS) or an ISO 3166-1 "
                "country code abroad. Omitted on create: the region of your organisation.",
            }
        }

    def validate_valid_until(self, value):
        if self.instance is None:
            raise serializers.ValidationError(
                _("A new need is current until its deadline; confirm it once it is published.")
            )
        return value

    def _organization_ids(self):
        return self.context.get("organization_ids")

    def get_review_comment(self, need: Need) -> str:
        user = self.context["request"].user
        if getattr(user, "is_reviewer", False):
            return need.review_comment
        organization_ids = self._organization_ids()
        if organization_ids is None:
            organization_ids = member_organization_ids(user=user)
        return need.review_comment if need.organization_id in organization_ids else ""

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_organization_name(self, need: Need) -> str | None:
        user = self.context["request"].user
        if selectors.need_company_visible(
            need=need, user=user, organization_ids=self._organization_ids()
        ):
            return need.organization.display_name
        return None

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_allowed_actions(self, need: Need) -> list[str]:
        return services.need_allowed_actions(
            need=need, user=self.context["request"].user, organization_ids=self._organization_ids()
        )

    def validate(self, attrs):
        # Field rules live in the model and the service (full_clean), reported per field.
        return attrs


class NeedReviewSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=ReviewDecision.choices)
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class NeedConfirmSerializer(serializers.Serializer):
    valid_until = serializers.DateField(
        required=False,
        help_text="Current until this day (today at the earliest, never after the deadline); "
        "default: the deadline.",
    )


class NeedNoteSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="")


class DemandListSerializer(serializers.ModelSerializer):
    category = serializers.SlugRelatedField(
        slug_field="code", queryset=Category.objects.all(), required=False, allow_null=True
    )
    need_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = DemandList
        fields = [
            "id",
            "title_zh",
            "title_en",
            "period_start",
            "period_end",
            "region",
            "category",
            "published_at",
            "need_count",
        ]
        read_only_fields = ["published_at"]


# --- deals ----------------------------------------------------------------------------------


class MilestoneSerializer(serializers.ModelSerializer):
    on_time = serializers.BooleanField(read_only=True, allow_null=True)
    allowed_actions = serializers.SerializerMethodField(
        help_text="`confirm` when you are the side that confirms this open milestone (the "
        "seller a payment, the buyer a delivery); `POST .../milestones/{id}/done/` takes it."
    )
    awaiting = serializers.SerializerMethodField(
        help_text="The side whose confirmation an open milestone waits for (`seller` or "
        "`buyer`); null once done or outside execution."
    )

    class Meta:
        model = DealMilestone
        fields = [
            "id",
            "kind",
            "title",
            "amount",
            "due_date",
            "done_at",
            "on_time",
            "allowed_actions",
            "awaiting",
        ]
        read_only_fields = ["done_at"]

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_allowed_actions(self, milestone: DealMilestone) -> list[str]:
        request = self.context.get("request")
        if request is None:
            return []
        roles = services.deal_actor_roles(
            deal=milestone.deal,
            user=request.user,
            organization_ids=self.context.get("organization_ids"),
        )
        return services.milestone_allowed_actions(
            milestone=milestone, deal=milestone.deal, roles=roles
        )

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_awaiting(self, milestone: DealMilestone) -> str | None:
        if not services.milestone_awaits_confirmation(milestone=milestone, deal=milestone.deal):
            return None
        return services.milestone_confirming_side(milestone=milestone)


class LicenceCheckSerializer(serializers.ModelSerializer):
    class Meta:
        model = DealLicenceCheck
        fields = [
            "id",
            "document",
            "kind",
            "decision",
            "number",
            "issued_on",
            "expires_on",
            "note",
            "checked_at",
        ]
        read_only_fields = fields


class ScreeningEntrySerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    level = serializers.CharField()
    revision = serializers.CharField()


class ScreeningRequirementSerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()
    met = serializers.BooleanField()


class ExportControlSerializer(serializers.Serializer):
    """The export- or import-control screening of a deal (技术进出口管制). `required` is true for
    a technology export or import; `catalogue` then names the catalogue it is screened against,
    `outcome` what its classification allows, `requirements` what is met and missing,
    `blocked_actions` which workflow actions are refused now and why."""

    required = serializers.BooleanField()
    catalogue = serializers.ChoiceField(
        choices=ControlCatalogue.choices,
        allow_null=True,
        help_text="export for a technology export, import for a technology import, null when "
        "no screening applies.",
    )
    outcome = serializers.ChoiceField(
        choices=ScreeningOutcome.choices,
        allow_null=True,
        help_text="null when no screening applies (neither an export nor an import).",
    )
    outcome_label = serializers.CharField(allow_blank=True)
    entry = ScreeningEntrySerializer(
        allow_null=True,
        help_text="The catalogue entry (the declared one while a reviewer has not confirmed).",
    )
    requirements = ScreeningRequirementSerializer(many=True)
    blocked_actions = serializers.DictField(child=serializers.CharField())
    licence_intent = LicenceCheckSerializer(allow_null=True)
    licence = LicenceCheckSerializer(allow_null=True)
    contract_registration_number = serializers.CharField(allow_blank=True)


def export_control_data(screening) -> dict:
    entry = screening.entry
    return {
        "required": screening.required,
        "catalogue": screening.regime.catalogue if screening.regime else None,
        "outcome": screening.outcome,
        "outcome_label": screening.outcome_label,
        "entry": {
            "code": entry.code,
            "name": entry.name,
            "level": entry.level,
            "revision": entry.revision,
        }
        if entry
        else None,
        "requirements": [
            {"code": item.code, "label": item.label, "met": item.met}
            for item in screening.requirements
        ],
        "blocked_actions": {
            action: refusal
            for action in DealAction.values
            if (refusal := screening.refusal(action))
        },
        "licence_intent": screening.licence_intent,
        "licence": screening.licence,
        "contract_registration_number": screening.deal.contract_registration_number,
    }


class LicenceCheckCreateSerializer(serializers.Serializer):
    document = serializers.IntegerField(help_text="A licence document of this deal (its id).")
    decision = serializers.ChoiceField(choices=LicenceCheckDecision.choices)
    number = serializers.CharField(required=False, allow_blank=True, default="", max_length=60)
    issued_on = serializers.DateField(required=False, allow_null=True, default=None)
    expires_on = serializers.DateField(required=False, allow_null=True, default=None)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class ContractRegistrationSerializer(serializers.Serializer):
    number = serializers.CharField(
        max_length=40, help_text="The technology import/export contract registration number."
    )


class DealSerializer(serializers.ModelSerializer):
    technology_title = serializers.CharField(source="technology.title", read_only=True)
    seller_name = serializers.CharField(source="seller.display_name", read_only=True)
    buyer_name = serializers.CharField(source="buyer.display_name", read_only=True)
    milestones = MilestoneSerializer(many=True, read_only=True)
    allowed_actions = serializers.SerializerMethodField()
    certificate_number = serializers.SerializerMethodField()
    cross_border = serializers.SerializerMethodField(
        help_text="True when the seller and the buyer are registered in different countries."
    )
    direction = serializers.SerializerMethodField(
        help_text="From China's side: export (seller in China), import (buyer in China) or "
        "foreign (neither party in China); null for a domestic deal."
    )
    export_control = serializers.SerializerMethodField()
    fx_rate = serializers.DecimalField(
        max_digits=20,
        decimal_places=10,
        read_only=True,
        allow_null=True,
        help_text="Yuan per unit of the deal's currency, fixed when the contract was signed.",
    )
    fx_rate_date = serializers.DateField(
        read_only=True, allow_null=True, help_text="Date of the rate fixed at signing."
    )
    price_cny = serializers.DecimalField(
        max_digits=14,
        decimal_places=2,
        read_only=True,
        allow_null=True,
        help_text="The price in yuan at the rate fixed at signing (null before signing).",
    )

    class Meta:
        model = Deal
        fields = [
            "id",
            "technology",
            "technology_title",
            "need",
            "proposal",
            "introduction",
            "seller",
            "seller_name",
            "buyer",
            "buyer_name",
            "broker",
            "deal_type",
            *Deal.EDITABLE_FIELDS,
            "fx_rate",
            "fx_rate_date",
            "price_cny",
            "stage",
            "cross_border",
            "direction",
            "export_control",
            "allowed_actions",
            "milestones",
            "certificate_number",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_allowed_actions(self, deal: Deal) -> list[str]:
        return services.deal_allowed_actions(
            deal=deal,
            user=self.context["request"].user,
            organization_ids=self.context.get("organization_ids"),
        )

    @extend_schema_field(serializers.BooleanField())
    def get_cross_border(self, deal: Deal) -> bool:
        return deal_direction(deal) is not None

    @extend_schema_field(serializers.ChoiceField(choices=TradeDirection.choices, allow_null=True))
    def get_direction(self, deal: Deal) -> str | None:
        return deal_direction(deal)

    @extend_schema_field(ExportControlSerializer)
    def get_export_control(self, deal: Deal) -> dict:
        screening = services.deal_export_screening(deal=deal)
        return ExportControlSerializer(export_control_data(screening)).data

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_certificate_number(self, deal: Deal) -> str | None:
        certificate = (
            getattr(deal, "certificate", None) if deal.stage == DealStage.COMPLETED else None
        )
        return certificate.number if certificate else None


class DealCreateSerializer(serializers.Serializer):
    technology = VisiblePrimaryKeyRelatedField(model=Technology, scope=technologies_visible_to)
    need = VisiblePrimaryKeyRelatedField(
        model=Need, scope=selectors.needs_visible_to, required=False, allow_null=True
    )
    deal_type = serializers.ChoiceField(choices=TransactionMode.choices)
    price = serializers.DecimalField(
        max_digits=14, decimal_places=2, required=False, allow_null=True, min_value=0
    )
    currency = serializers.ChoiceField(choices=Currency.choices, default="CNY")


class DealUpdateSerializer(serializers.ModelSerializer):
    class Meta:
        model = Deal
        fields = list(Deal.EDITABLE_FIELDS)
        extra_kwargs = {name: {"required": False} for name in fields}


class DealTransitionSerializer(serializers.Serializer):
    action = serializers.CharField()
    note = serializers.CharField(required=False, allow_blank=True, default="")


class DealEventSerializer(serializers.ModelSerializer):
    actor = ActorNameField()
    # The API has always called a deal's statuses stages.
    from_stage = serializers.CharField(source="from_status", read_only=True)
    to_stage = serializers.CharField(source="to_status", read_only=True)
    note = serializers.CharField(
        source="shown_note",
        read_only=True,
        help_text="As its author wrote it; a screening decision in the request's language.",
    )

    class Meta:
        model = DealEvent
        fields = [
            "id",
            "created_at",
            "actor",
            "actor_role",
            "action",
            "from_stage",
            "to_stage",
            "note",
            "changes",
        ]


class DealDocumentSerializer(serializers.ModelSerializer):
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = DealDocument
        fields = ["id", "kind", "name", "content_type", "size", "created_at", "download_url"]

    def get_download_url(self, document: DealDocument) -> str:
        return reverse("exchange:deal_document_download", args=[document.deal_id, document.pk])


class DealMessageSerializer(serializers.ModelSerializer):
    author = ActorNameField()
    documents = DealDocumentSerializer(many=True, read_only=True)
    file = serializers.FileField(write_only=True, required=False)
    kind = serializers.ChoiceField(
        choices=DocumentKind.choices, write_only=True, required=False, default="other"
    )

    class Meta:
        model = DealMessage
        fields = ["id", "author", "body", "created_at", "documents", "file", "kind"]
        extra_kwargs = {"body": {"required": False, "allow_blank": True}}


class RatingSerializer(serializers.ModelSerializer):
    class Meta:
        model = Rating
        fields = [
            "id",
            "subject",
            "score",
            "comment",
            "rater",
            "rated_organization",
            "rated_broker",
            "created_at",
        ]
        read_only_fields = ["rater", "rated_organization", "rated_broker", "created_at"]


# --- proposals and introductions ------------------------------------------------------------


class ProposalSerializer(serializers.ModelSerializer):
    technology = VisiblePrimaryKeyRelatedField(model=Technology, scope=technologies_visible_to)
    need = VisiblePrimaryKeyRelatedField(model=Need, scope=selectors.needs_visible_to)
    allowed_actions = serializers.SerializerMethodField()
    reason_label = serializers.CharField(read_only=True)

    reason_code = turn_down_reason_read_field()

    class Meta:
        model = Proposal
        fields = [
            "id",
            "need",
            "technology",
            "organization",
            "approach",
            "deal_type",
            "price",
            "currency",
            "timeline",
            "status",
            "decline_reason",
            "reason_code",
            "reason_label",
            "allowed_actions",
            "created_at",
        ]
        read_only_fields = ["organization", "status", "decline_reason", "reason_code", "created_at"]

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_allowed_actions(self, proposal) -> list[str]:
        return services.proposal_allowed_actions(
            proposal=proposal,
            user=self.context["request"].user,
            organization_ids=self.context.get("organization_ids"),
        )


class ProposalMessageSerializer(serializers.ModelSerializer):
    author = ActorNameField()

    class Meta:
        model = ProposalMessage
        fields = ["id", "author", "body", "created_at"]


def _verified_transfer_centres(*, user):
    from accounts.choices import OrganizationType

    return Organization.objects.verified().filter(kind=OrganizationType.TRANSFER_CENTRE)


class IntroductionSerializer(serializers.ModelSerializer):
    technology = VisiblePrimaryKeyRelatedField(model=Technology, scope=technologies_visible_to)
    need = VisiblePrimaryKeyRelatedField(
        model=Need, scope=selectors.needs_visible_to, required=False, allow_null=True
    )
    enterprise = VisiblePrimaryKeyRelatedField(
        model=Organization, scope=organizations_visible_to, required=False, allow_null=True
    )
    lead_centre = VisiblePrimaryKeyRelatedField(
        model=Organization,
        scope=_verified_transfer_centres,
        required=False,
        allow_null=True,
        help_text="Co-brokering: the verified transfer centre the broker works for.",
    )
    partner_centre = VisiblePrimaryKeyRelatedField(
        model=Organization,
        scope=_verified_transfer_centres,
        required=False,
        allow_null=True,
        help_text="Co-brokering: the partner transfer centre sharing the commission.",
    )
    lead_centre_share = serializers.DecimalField(
        max_digits=5, decimal_places=2, required=False, allow_null=True,
        help_text="The lead centre's share of the commission in %; the two shares sum to 100.",
    )  # fmt: skip
    partner_centre_share = serializers.DecimalField(
        max_digits=5, decimal_places=2, required=False, allow_null=True,
        help_text="The co-broker centre's share of the commission in %.",
    )  # fmt: skip
    allowed_actions = serializers.SerializerMethodField()
    deal = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
    enterprise_name = serializers.SerializerMethodField(
        help_text="The enterprise's name; “Anonymous enterprise” (and `enterprise` null) for an "
        "anonymous need until the enterprise accepts."
    )

    class Meta:
        model = Introduction
        fields = [
            "id",
            "broker",
            *Introduction.PROPOSED_FIELDS,
            "enterprise_name",
            "status",
            "decline_reason",
            "allowed_actions",
            "deal",
            "created_at",
        ]
        read_only_fields = ["broker", "status", "decline_reason", "created_at"]

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_allowed_actions(self, introduction) -> list[str]:
        return services.introduction_allowed_actions(
            introduction=introduction,
            user=self.context["request"].user,
            organization_ids=self.context.get("organization_ids"),
        )

    def _enterprise_visible(self, introduction) -> bool:
        return selectors.introduction_enterprise_visible(
            introduction=introduction,
            user=self.context["request"].user,
            organization_ids=self.context.get("organization_ids"),
        )

    def get_enterprise_name(self, introduction) -> str:
        if self._enterprise_visible(introduction):
            return introduction.enterprise.display_name
        return str(_("Anonymous enterprise"))

    def to_representation(self, introduction):
        data = super().to_representation(introduction)
        if not self._enterprise_visible(introduction):
            data["enterprise"] = None
        return data


class ActionSerializer(serializers.Serializer):
    action = serializers.CharField()
    note = serializers.CharField(required=False, allow_blank=True, default="")


class ProposalActionSerializer(ActionSerializer):
    reason_code = turn_down_reason_field()
