"""Serializer fields shared by the apps' APIs."""

from collections.abc import Callable, Mapping

from django.db.models import Model, QuerySet
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

Scope = Callable[..., QuerySet]


class VisiblePrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    """A primary key resolved among the rows the requesting user may see (`scope(user=...)`,
    one of the apps' selectors). Another organisation's private row then answers exactly like
    an id that belongs to nobody ("Invalid pk … object does not exist"), so ids cannot be probed
    for existence. The selector runs only when a key is resolved (or a form lists choices).

    The scope is given explicitly, or, for the fields a ModelSerializer builds itself, looked up
    by field name in the serializer's `visible_rows` (VisibleRowsMixin). `model` only tells the
    schema the key's type."""

    def __init__(self, *, model: type[Model] | None = None, scope: Scope | None = None, **kwargs):
        self.scope = scope
        if model is not None:
            kwargs["queryset"] = model._default_manager.all()
        super().__init__(**kwargs)

    def get_queryset(self) -> QuerySet:
        visible_rows: Mapping[str, Scope] = getattr(self.parent, "visible_rows", {})
        scope = self.scope or visible_rows.get(self.field_name)
        request = self.context.get("request")
        if scope is None or request is None:
            return super().get_queryset()
        return scope(user=request.user)


class VisibleRowsMixin:
    """For a ModelSerializer: its related fields resolve keys through the selectors named in
    `visible_rows` (field name -> selector)."""

    serializer_related_field = VisiblePrimaryKeyRelatedField
    visible_rows: Mapping[str, Scope] = {}


class StrictCharField(serializers.CharField):
    """A text field that takes only JSON strings: DRF's CharField turns a number into text, so
    `"name": 123` would pass although the schema says string."""

    default_error_messages = {"invalid": _("Enter text, not a number or another JSON value.")}

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


def strict_text_field_mapping(mapping: Mapping) -> dict:
    """A ModelSerializer field mapping whose text columns refuse non-string input."""
    from django.db import models

    return {**mapping, models.CharField: StrictCharField, models.TextField: StrictCharField}


def turn_down_reason_field() -> serializers.ChoiceField:
    """The reason code of a decline or reject action (core.reasons); the service requires it
    for those actions and answers 400 with a field error when it is missing."""
    from core.reasons import TurnDownReason

    return serializers.ChoiceField(
        choices=TurnDownReason.choices,
        required=False,
        allow_blank=True,
        default="",
        help_text="Required with `decline` / `reject`: why the party is turned down.",
    )


def turn_down_reason_read_field() -> serializers.ChoiceField:
    """The stored reason code of a turned-down object: blank until it is turned down.

    Declared explicitly because DRF drops `allow_blank` from read-only model fields, and the
    schema would then refuse the blank value every open object carries."""
    from core.reasons import TurnDownReason

    return serializers.ChoiceField(choices=TurnDownReason.choices, allow_blank=True, read_only=True)
