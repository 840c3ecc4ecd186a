from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from exportcontrol.choices import ClassificationAction, ControlCatalogue, ScreeningOutcome
from exportcontrol.models import ClassificationEvent, ControlEntry, TechnologyClassification
from exportcontrol.selectors import entries_for_declaration


class ControlEntrySerializer(serializers.ModelSerializer):
    """An entry of China's catalogue of technologies prohibited or restricted from export or
    import. `level` follows the code's suffix: J prohibited, X restricted."""

    name = serializers.CharField(read_only=True, help_text="In the reader's language.")

    class Meta:
        model = ControlEntry
        fields = [
            "id",
            "catalogue",
            "code",
            "level",
            "name",
            "name_zh",
            "name_en",
            "control_points",
            "revision",
            "is_active",
        ]
        read_only_fields = fields


@extend_schema_field(serializers.CharField(allow_null=True))
class EntryCodeField(serializers.SlugRelatedField):
    def get_queryset(self):
        # The view passes the catalogue that applies to the technology (import for a holder
        # abroad); an entry of the other catalogue is then "does not exist".
        return entries_for_declaration(
            catalogue=self.context.get("catalogue", ControlCatalogue.EXPORT)
        )


class ClassificationEventSerializer(serializers.ModelSerializer):
    actor = serializers.SerializerMethodField()

    class Meta:
        model = ClassificationEvent
        fields = [
            "id",
            "created_at",
            "actor",
            "action",
            "from_status",
            "to_status",
            "entry_code",
            "note",
        ]

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_actor(self, event) -> str | None:
        return str(event.actor) if event.actor_id else None


class ClassificationSerializer(serializers.Serializer):
    """A technology's export-control classification as its holder and reviewers see it."""

    technology = serializers.IntegerField()
    catalogue = serializers.ChoiceField(
        choices=ControlCatalogue.choices,
        help_text="The catalogue that applies: export for a holder in China, import for one "
        "abroad.",
    )
    status = serializers.CharField()
    declared_entry = ControlEntrySerializer(allow_null=True)
    entry = ControlEntrySerializer(
        allow_null=True, help_text="The reviewer's confirmed entry; null when not listed."
    )
    outcome = serializers.ChoiceField(choices=ScreeningOutcome.choices)
    offered_abroad = serializers.BooleanField()
    allowed_actions = serializers.ListField(child=serializers.CharField())
    history = ClassificationEventSerializer(many=True)


class ClassificationDeclareSerializer(serializers.Serializer):
    entry = EntryCodeField(
        slug_field="code",
        allow_null=True,
        help_text="An entry code of the catalogue that applies (export for a holder in China, "
        "import for one abroad) such as 086501X, or null for not listed.",
    )
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class ClassificationReviewSerializer(serializers.Serializer):
    action = serializers.ChoiceField(
        choices=[
            (ClassificationAction.CONFIRM.value, ClassificationAction.CONFIRM.label),
            (ClassificationAction.CORRECT.value, ClassificationAction.CORRECT.label),
        ]
    )
    entry = EntryCodeField(
        slug_field="code",
        allow_null=True,
        required=False,
        help_text="For correct: the right entry code, or null for not listed.",
    )
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


def classification_data(*, technology, classification: TechnologyClassification | None, **extra):
    return {
        "technology": technology.pk,
        "status": classification.status if classification else "unclassified",
        "declared_entry": classification.declared_entry if classification else None,
        "entry": classification.entry if classification else None,
        **extra,
    }
