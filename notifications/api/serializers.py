from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from notifications.models import Notification


class NotificationSerializer(serializers.ModelSerializer):
    """A notification in the reader's language (the request's: Accept-Language, the language
    cookie, or the site's default), whatever language it was sent in."""

    title = serializers.CharField(source="shown_title", read_only=True, label=_("title"))
    body = serializers.CharField(source="shown_body", read_only=True, label=_("message"))
    is_read = serializers.SerializerMethodField(label=_("read"))
    language = serializers.SerializerMethodField(label=_("language"))

    class Meta:
        model = Notification
        fields = ["id", "title", "body", "url", "created_at", "read_at", "is_read", "language"]
        read_only_fields = fields

    @extend_schema_field(serializers.BooleanField())
    def get_is_read(self, notification: Notification) -> bool:
        return notification.read_at is not None

    @extend_schema_field(serializers.CharField(help_text="The language title and body are in."))
    def get_language(self, notification: Notification) -> str:
        return get_language()


class NotificationMarkReadSerializer(serializers.Serializer):
    ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        required=False,
        max_length=500,
        label=_("notifications"),
        help_text="The notifications to mark as read; all unread ones when left out.",
    )


class NotificationMarkReadResponseSerializer(serializers.Serializer):
    marked = serializers.IntegerField(help_text="How many notifications were marked as read.")
