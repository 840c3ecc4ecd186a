import json

from django.utils.translation import gettext as _
from rest_framework import serializers

from imports.choices import ImportKind
from imports.models import ImportRowResult, ImportRun, ImportSource

OWNER_HELP = (
    "Reviewers only: id of the verified organisation the import is for (its records become that "
    "organisation's drafts). Anyone else may only leave it out or name their own organisation."
)


class ImportSourceSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    organization_name = serializers.CharField(source="organization.display_name", read_only=True)
    owner_organisation = serializers.IntegerField(
        write_only=True, required=False, help_text=OWNER_HELP
    )

    class Meta:
        model = ImportSource
        fields = [
            "id",
            "name",
            "kind",
            "kind_label",
            "organization",
            "organization_name",
            "owner_organisation",
            "column_mapping",
            "value_mappings",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "organization", "created_at", "updated_at"]


class CountsSerializer(serializers.Serializer):
    created = serializers.IntegerField(source="created_count")
    updated = serializers.IntegerField(source="updated_count")
    skipped = serializers.IntegerField(source="skipped_count")
    failed = serializers.IntegerField(source="failed_count")


class ImportProgressSerializer(serializers.Serializer):
    processed = serializers.IntegerField()
    total = serializers.IntegerField()
    percent = serializers.IntegerField()


class ImportRunSerializer(serializers.ModelSerializer):
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    counts = CountsSerializer(source="*", read_only=True)
    progress = ImportProgressSerializer(source="*", read_only=True)
    organization_name = serializers.CharField(source="organization.display_name", read_only=True)
    imported_by = serializers.SerializerMethodField()

    class Meta:
        model = ImportRun
        fields = [
            "id",
            "organization",
            "organization_name",
            "on_behalf",
            "imported_by",
            "source",
            "kind",
            "kind_label",
            "file_name",
            "file_kind",
            "encoding",
            "columns",
            "column_mapping",
            "value_mappings",
            "status",
            "status_label",
            "message",
            "counts",
            "progress",
            "created_at",
            "started_at",
            "finished_at",
        ]
        read_only_fields = fields

    def get_imported_by(self, run) -> str:
        return str(run.created_by) if run.created_by else ""


class _JSONObjectField(serializers.JSONField):
    """A JSON object, sent as JSON or (in a multipart body) as a JSON text."""

    def to_internal_value(self, data):
        if isinstance(data, str):
            try:
                data = json.loads(data)
            except ValueError as error:
                raise serializers.ValidationError(_("Send a JSON object.")) from error
        if not isinstance(data, dict):
            raise serializers.ValidationError(_("Send a JSON object."))
        return data


class ImportRunCreateSerializer(serializers.Serializer):
    file = serializers.FileField()
    kind = serializers.ChoiceField(choices=ImportKind.choices)
    source = serializers.IntegerField(
        help_text="Id of one of your import sources (GET /api/v1/import-sources/)."
    )
    owner_organisation = serializers.IntegerField(required=False, help_text=OWNER_HELP)
    mapping = _JSONObjectField(
        required=False,
        help_text="{column in the file: field}; the source's saved mapping when left out.",
    )
    value_mappings = _JSONObjectField(
        required=False, help_text="{field: {value in the file: stored value}}."
    )


class ImportRowResultSerializer(serializers.ModelSerializer):
    outcome_label = serializers.CharField(source="get_outcome_display", read_only=True)

    class Meta:
        model = ImportRowResult
        fields = [
            "row_number",
            "source_id",
            "outcome",
            "outcome_label",
            "reason",
            "technology",
            "need",
        ]
        read_only_fields = fields
