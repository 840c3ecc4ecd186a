"""A read-only serializer field naming a person by display name (core.visibility.actor_label):
full name or a neutral label, never an e-mail address except to reviewers."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.visibility import actor_label


@extend_schema_field({"type": "string", "nullable": True})
class ActorNameField(serializers.Field):
    def __init__(self, **kwargs):
        kwargs["read_only"] = True
        kwargs.setdefault("default", None)
        super().__init__(**kwargs)

    def to_representation(self, value) -> str:
        request = self.context.get("request")
        return actor_label(value, viewer=getattr(request, "user", None))
