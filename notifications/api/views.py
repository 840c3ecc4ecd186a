from drf_spectacular.utils import extend_schema
from rest_framework import mixins
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from core.api.schema import VALIDATION_ERROR
from core.api.views import BaseViewSet
from notifications.api.serializers import (
    NotificationMarkReadResponseSerializer,
    NotificationMarkReadSerializer,
    NotificationSerializer,
)
from notifications.filtersets import NotificationFilterSet
from notifications.selectors import notifications_for
from notifications.services import notification_mark_read


class NotificationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, BaseViewSet):
    """The signed-in user's own notifications, newest first, in the language of the request
    (send `Accept-Language: en` or `zh-hans`). Another user's notification is 404."""

    serializer_class = NotificationSerializer
    permission_classes = [IsAuthenticated]
    filterset_class = NotificationFilterSet

    def get_queryset(self):
        return notifications_for(user=self.request.user)

    @extend_schema(
        request=NotificationMarkReadSerializer,
        responses={200: NotificationMarkReadResponseSerializer, 400: VALIDATION_ERROR},
    )
    @action(detail=False, methods=["post"], url_path="mark-read")
    def mark_read(self, request):
        """Mark the given notifications (or all unread ones) as read; others' ids change nothing."""
        serializer = NotificationMarkReadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        marked = notification_mark_read(
            user=request.user, notification_ids=serializer.validated_data.get("ids")
        )
        return Response(NotificationMarkReadResponseSerializer({"marked": marked}).data)
