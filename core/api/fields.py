"""Serializer fields shared by the apps' APIs."""

from collections.abc import Callable

from django.db.models import Model, QuerySet
from rest_framework import serializers


class VisiblePrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    """A primary key resolved among the rows the requesting user may see (`scope(user=...)`,
    one of the apps' selectors). Another organisation's private row then answers exactly like
    an id that belongs to nobody ("Invalid pk … object does not exist"), so ids cannot be probed
    for existence. `model` only tells the schema the key's type."""

    def __init__(self, *, model: type[Model], scope: Callable[..., QuerySet], **kwargs):
        self.scope = scope
        super().__init__(queryset=model._default_manager.all(), **kwargs)

    def get_queryset(self) -> QuerySet:
        return self.scope(user=self.context["request"].user)
