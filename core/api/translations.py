"""`/api/v1/<objects>/{id}/translations/[{language}/]`: an object's text per language
(core.content_translations). Read by whoever may read the object (its own visibility rule);
written by the holder's members (their own translation) or proposed as a draft by a broker or a
reviewer. Each app subclasses the two views with its rules, queryset and serializer."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import IsAuthenticatedOrReadOnly
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.fields import strict_text_field_mapping
from core.api.schema import ERROR_RESPONSES
from core.content_translations import ContentLanguage, TranslationOrigin


class ContentTranslationSerializer(serializers.ModelSerializer):
    """One language version; subclasses name the model and add its TEXT_FIELDS."""

    serializer_field_mapping = strict_text_field_mapping(
        serializers.ModelSerializer.serializer_field_mapping
    )
    language = serializers.ChoiceField(choices=ContentLanguage.choices)
    language_label = serializers.CharField(read_only=True)
    origin = serializers.ChoiceField(choices=TranslationOrigin.choices, read_only=True)
    origin_label = serializers.CharField(source="get_origin_display", read_only=True)
    direction = serializers.CharField(
        read_only=True, help_text="`rtl` for right-to-left languages, else `auto`."
    )

    BASE_FIELDS = [
        "language",
        "language_label",
        "origin",
        "origin_label",
        "direction",
        "created_at",
        "updated_at",
    ]


def translation_serializers(model) -> tuple[type, type]:
    """The serializer of `model`'s rows and the one of an original text given at creation."""
    text_fields = list(model.TEXT_FIELDS)
    meta = {
        "model": model,
        "fields": [
            *ContentTranslationSerializer.BASE_FIELDS[:5],
            *text_fields,
            "created_at",
            "updated_at",
        ],
        "read_only_fields": ["created_at", "updated_at"],
    }
    row = type(
        f"{model.__name__}Serializer",
        (ContentTranslationSerializer,),
        {"Meta": type("Meta", (), meta), "__module__": model.__module__},
    )
    original = type(
        f"{model.__name__}OriginalSerializer",
        (serializers.ModelSerializer,),
        {
            "serializer_field_mapping": ContentTranslationSerializer.serializer_field_mapping,
            "Meta": type("Meta", (), {"model": model, "fields": text_fields}),
            "__module__": model.__module__,
            "__doc__": "The original text of an object written in a language other than "
            "Chinese or English (`original_language`), given when it is created.",
        },
    )
    return row, original


LANGUAGE_PARAMETER = OpenApiParameter(
    "language",
    str,
    OpenApiParameter.PATH,
    enum=ContentLanguage.values,
    description="A content language code (zh-hans, en, ru, fr, ar, th, vi, ...).",
)


class _TranslationViewBase(APIView):
    permission_classes = [IsAuthenticatedOrReadOnly]
    rules = None  # core.content_translations.TranslationRules
    serializer_class: type[serializers.Serializer] = ContentTranslationSerializer

    def visible_objects(self, user):
        raise NotImplementedError

    def _object(self, request, pk: int):
        # Translations follow the object's visibility exactly: hidden objects are 404.
        return get_object_or_404(self.visible_objects(request.user), pk=pk)

    def _body(self, row, status_code=status.HTTP_200_OK):
        return Response(self.serializer_class(row).data, status=status_code)

    def _save(self, request, instance, language: str, data, *, partial: bool = False):
        serializer = self.serializer_class(
            data={**_mapping(data), "language": language}, partial=partial
        )
        serializer.is_valid(raise_exception=True)
        texts = {
            name: value for name, value in serializer.validated_data.items() if name != "language"
        }
        return self.rules.save(user=request.user, instance=instance, language=language, texts=texts)


def _mapping(data) -> dict:
    if hasattr(data, "dict"):  # a form-encoded body
        return data.dict()
    if not isinstance(data, dict):
        raise ValidationError({"non_field_errors": [_("Send a JSON object.")]})
    return data


def _known_language(language: str) -> str:
    if language not in ContentLanguage.values:
        raise ValidationError({"language": [_("Choose one of the languages offered.")]})
    return language


class TranslationListView(_TranslationViewBase):
    def get(self, request, pk: int):
        instance = self._object(request, pk)
        rows = instance.translations.all()
        return Response(self.serializer_class(rows, many=True).data)

    def post(self, request, pk: int):
        instance = self._object(request, pk)
        language = _mapping(request.data).get("language")
        if not isinstance(language, str):
            raise ValidationError({"language": [_("Choose one of the languages offered.")]})
        _known_language(language)
        if instance.translations.filter(language=language).exists():
            raise ValidationError(
                {"language": [_("There is a translation in this language: change it instead.")]}
            )
        row, _created = self._save(request, instance, language, request.data)
        return self._body(row, status.HTTP_201_CREATED)


class TranslationDetailView(_TranslationViewBase):
    def _row(self, instance, language: str):
        return get_object_or_404(instance.translations.all(), language=_known_language(language))

    def get(self, request, pk: int, language: str):
        return self._body(self._row(self._object(request, pk), language))

    def put(self, request, pk: int, language: str):
        instance = self._object(request, pk)
        row, created = self._save(request, instance, _known_language(language), request.data)
        return self._body(row, status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    def patch(self, request, pk: int, language: str):
        instance = self._object(request, pk)
        self._row(instance, language)
        row, _created = self._save(request, instance, language, request.data, partial=True)
        return self._body(row)

    def delete(self, request, pk: int, language: str):
        instance = self._object(request, pk)
        self.rules.delete(user=request.user, instance=instance, language=_known_language(language))
        return Response(status=status.HTTP_204_NO_CONTENT)


class TranslationConfirmView(_TranslationViewBase):
    def post(self, request, pk: int, language: str):
        instance = self._object(request, pk)
        row = self.rules.confirm(
            user=request.user, instance=instance, language=_known_language(language)
        )
        return self._body(row)


def translation_views(*, name: str, rules, serializer, visible_objects):
    """The list, detail and confirm views of one kind of object, with their schema."""
    many = serializer(many=True)
    errors = dict(ERROR_RESPONSES)
    detail = {"parameters": [LANGUAGE_PARAMETER]}
    methods = {
        "visible_objects": lambda self, user: visible_objects(user=user),
        "rules": rules,
        "serializer_class": serializer,
    }
    list_view = extend_schema_view(
        get=extend_schema(
            responses={200: many, **errors}, description=f"The {name}'s translations."
        ),
        post=extend_schema(
            request=serializer,
            responses={201: serializer, **errors},
            description="Add the text in a language not translated yet: the holder's own for "
            "its members, a draft for a broker or a reviewer.",
        ),
    )(type(f"{serializer.__name__}ListView", (TranslationListView,), dict(methods)))
    detail_view = extend_schema_view(
        get=extend_schema(**detail, responses={200: serializer, **errors}),
        put=extend_schema(
            **detail,
            request=serializer,
            responses={200: serializer, 201: serializer, **errors},
            description="Create or replace the text in this language.",
        ),
        patch=extend_schema(**detail, request=serializer, responses={200: serializer, **errors}),
        delete=extend_schema(**detail, responses={204: None, **errors}),
    )(type(f"{serializer.__name__}DetailView", (TranslationDetailView,), dict(methods)))
    confirm_view = extend_schema_view(
        post=extend_schema(
            **detail,
            request=None,
            responses={200: serializer, **errors},
            description="Members of the holder: take a draft translation as the holder's own.",
        )
    )(type(f"{serializer.__name__}ConfirmView", (TranslationConfirmView,), dict(methods)))
    return list_view, detail_view, confirm_view
