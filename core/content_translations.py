"""Content in many languages: a listing's or a need's public text per language.

An object names its `original_language`; that text is authoritative. Chinese and English
originals live in the object's `<field>_zh` / `<field>_en` columns (the other of the two columns
is the holder's own translation); an original in any other language is the object's translation
row of that language. Other rows are translations, each the holder's own or a draft (written by a
broker or a reviewer, or not yet confirmed by the holder). Readers get their interface language
when there is text in it, marked as translated, with the original one click away.

Apps subclass `ContentTranslation` (one row per object and language) and call `shown_content`
for pages and `translation_write` / `translation_texts_index` from their services.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from core.i18n import localized
from core.workflow import event_record

CHINESE, ENGLISH = "zh-hans", "en"
# The object's own columns per original language.
COLUMN_SUFFIX = {CHINESE: "zh", ENGLISH: "en"}
RIGHT_TO_LEFT = frozenset({"ar"})


class ContentLanguage(models.TextChoices):
    """Languages listings and needs may be written in (the codes are an API contract)."""

    CHINESE = CHINESE, _("Chinese")
    ENGLISH = ENGLISH, _("English")
    RUSSIAN = "ru", _("Russian")
    FRENCH = "fr", _("French")
    ARABIC = "ar", _("Arabic")
    THAI = "th", _("Thai")
    VIETNAMESE = "vi", _("Vietnamese")
    INDONESIAN = "id", _("Indonesian")
    MALAY = "ms", _("Malay")
    SPANISH = "es", _("Spanish")
    PORTUGUESE = "pt", _("Portuguese")
    KHMER = "km", _("Khmer")
    LAO = "lo", _("Lao")
    BURMESE = "my", _("Burmese")
    FILIPINO = "fil", _("Filipino")
    KAZAKH = "kk", _("Kazakh")


class TranslationOrigin(models.TextChoices):
    OWN = "own", _("holder's translation")
    DRAFT = "draft", _("draft translation")


def language_label(code: str) -> str:
    return str(dict(ContentLanguage.choices).get(code, code))


def text_direction(code: str) -> str:
    return "rtl" if code in RIGHT_TO_LEFT else "auto"


def reader_language() -> str:
    """The reader's interface language as a content language code."""
    code = (get_language() or CHINESE).lower()
    return CHINESE if code.startswith("zh") else code.split("-")[0]


def original_language_of(values: dict) -> str:
    """What a listing without a declared original is written in: Chinese when its Chinese
    title is filled, English otherwise (the default of existing rows)."""
    return CHINESE if (values.get("title_zh") or "").strip() else ENGLISH


def original_language_field() -> models.CharField:
    """The object's `original_language`: Chinese by default (English for rows without a
    Chinese title, set by the migration that added it)."""
    return models.CharField(
        _("original language"),
        max_length=10,
        choices=ContentLanguage.choices,
        default=ContentLanguage.CHINESE,
        db_default=ContentLanguage.CHINESE,  # bulk writers that leave the column out
    )


def translated_text_field() -> models.TextField:
    """The object's `translated_text`: every translation row's public text, kept by its
    services for the search vector and the match documents."""
    return models.TextField(blank=True, default="", db_default="", editable=False)


class ContentTranslation(models.Model):
    """One language version of an object's public text; subclasses add the foreign key to the
    object (`related_name="translations"`), the text fields and the unique (object, language)."""

    language = models.CharField(_("language"), max_length=10, choices=ContentLanguage.choices)
    origin = models.CharField(
        _("translation by"),
        max_length=10,
        choices=TranslationOrigin.choices,
        default=TranslationOrigin.OWN,
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("written by"),
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    # The translated public fields of the subclass, in order; `title` comes first and is required.
    TEXT_FIELDS: tuple[str, ...] = ("title",)

    class Meta:
        abstract = True
        ordering = ["language"]

    def __str__(self) -> str:
        return f"{self.language}: {getattr(self, 'title', '')}"

    @property
    def language_label(self) -> str:
        return language_label(self.language)

    @property
    def direction(self) -> str:
        return text_direction(self.language)

    @property
    def texts(self) -> dict[str, str]:
        return {name: getattr(self, name) for name in self.TEXT_FIELDS}


@dataclass(frozen=True)
class TranslatableText:
    """How an object's text is laid out: the translated fields, those of them with `_zh` /
    `_en` columns (the others are single columns, in the original language)."""

    fields: tuple[str, ...]
    bilingual: tuple[str, ...]

    def column_texts(self, instance, language: str) -> dict[str, str] | None:
        """The text of a Chinese or English column set, None without a title in it."""
        suffix = COLUMN_SUFFIX.get(language)
        if suffix is None or not (getattr(instance, f"title_{suffix}", "") or "").strip():
            return None
        texts = {}
        for name in self.fields:
            column = f"{name}_{suffix}" if name in self.bilingual else name
            texts[name] = getattr(instance, column, "") or ""
        return texts

    def original_texts(self, instance, rows) -> dict[str, str]:
        original = instance.original_language
        texts = self.column_texts(instance, original)
        if texts is not None:
            return texts
        row = next((row for row in rows if row.language == original), None)
        if row is not None:
            return {
                name: getattr(row, name) or self.single_column(instance, name)
                for name in self.fields
            }
        # An original never written (data from before the original language was declared).
        return {
            name: (
                localized(getattr(instance, f"{name}_zh"), getattr(instance, f"{name}_en"))
                if name in self.bilingual
                else self.single_column(instance, name)
            )
            for name in self.fields
        }

    def single_column(self, instance, name: str) -> str:
        return "" if name in self.bilingual else (getattr(instance, name, "") or "")


@dataclass
class ShownContent:
    """What a page shows of an object's text and whether it is a translation."""

    text: dict[str, str]
    language: str
    original_language: str
    is_translation: bool
    origin: str = ""
    showing_original: bool = False

    @property
    def language_label(self) -> str:
        return language_label(self.language)

    @property
    def original_language_label(self) -> str:
        return language_label(self.original_language)

    @property
    def origin_label(self) -> str:
        return str(dict(TranslationOrigin.choices).get(self.origin, ""))

    @property
    def direction(self) -> str:
        return text_direction(self.language)

    @property
    def original_direction(self) -> str:
        return text_direction(self.original_language)

    @property
    def has_other_version(self) -> bool:
        """Whether a "show original" / "show translation" link makes sense."""
        return self.is_translation or self.showing_original


def shown_content(
    instance, *, layout: TranslatableText, rows, original: bool = False, language: str = ""
) -> ShownContent:
    """The text of `instance` in the reader's language (`language`, by default the interface
    language), from its columns or its translation rows; the original when `original` is set or
    no version in that language exists. A translation's empty field shows the original's."""
    rows = list(rows)
    language = language or reader_language()
    source = instance.original_language
    base = layout.original_texts(instance, rows)
    shown = ShownContent(text=base, language=source, original_language=source, is_translation=False)
    # Without a version in the reader's language, English serves the other languages as
    # before translations existed (Chinese readers get the original).
    candidates = [language] if language == CHINESE else [language, ENGLISH]
    translated = None
    for candidate in candidates:
        if candidate == source:
            return shown
        translated, origin = _version(instance, layout, rows, candidate)
        if translated is not None:
            language = candidate
            break
    if translated is None:
        return shown
    if original:
        shown.showing_original = True
        return shown
    return ShownContent(
        text={name: translated.get(name) or base.get(name, "") for name in layout.fields},
        language=language,
        original_language=source,
        is_translation=True,
        origin=origin,
    )


def _version(instance, layout: TranslatableText, rows, language: str):
    """(texts, origin) of the version in `language`, (None, "") without one."""
    texts = layout.column_texts(instance, language)
    if texts is not None:
        return texts, TranslationOrigin.OWN
    row = next((row for row in rows if row.language == language), None)
    return (row.texts, row.origin) if row is not None else (None, "")


def translation_texts_index(rows) -> str:
    """Every translation's public text as one string, for the search index and the match
    documents (the rows hold public fields only)."""
    parts = []
    for row in rows:
        parts.extend(value for value in row.texts.values() if value and value.strip())
    return "\n".join(parts)


def translation_origin_for(*, owner: bool, drafter: bool, user=None, existing=None) -> str:
    """The origin of a write: the holder's members write their own translation; a broker or a
    reviewer only proposes drafts, and never overwrites the holder's text or another's draft."""
    if owner:
        return TranslationOrigin.OWN
    if not drafter:
        raise PermissionDenied(_("Only members of the holder can change its translations."))
    if existing is not None and existing.origin == TranslationOrigin.OWN:
        raise PermissionDenied(
            _("The holder's own translation can be changed only by its members.")
        )
    if existing is not None and existing.author_id != getattr(user, "pk", None):
        raise PermissionDenied(
            _("Someone else's draft translation can be changed only by the holder.")
        )
    return TranslationOrigin.DRAFT


def has_column_text(instance, language: str) -> bool:
    """Whether `instance` holds its own text in `language` (a titled Chinese or English column)."""
    suffix = COLUMN_SUFFIX.get(language)
    return suffix is not None and bool((getattr(instance, f"title_{suffix}", "") or "").strip())


def validate_translation_language(*, instance, language: str, origin: str) -> None:
    """A translation's language: one of the content languages, not the original in the
    object's own columns (edit the listing itself for that); the original in another language
    is the holder's own text, never a draft."""
    if language not in ContentLanguage.values:
        raise ValidationError({"language": _("Choose one of the languages offered.")})
    if has_column_text(instance, language) and language != instance.original_language:
        # Pages show the Chinese and English columns before any row in those languages.
        raise ValidationError(
            {
                "language": _(
                    "Text in this language is part of the listing itself: edit the listing to "
                    "change it."
                )
            }
        )
    if language == instance.original_language:
        if language in COLUMN_SUFFIX:
            raise ValidationError(
                {"language": _("This is the original language: edit the text itself.")}
            )
        if origin == TranslationOrigin.DRAFT:
            raise ValidationError({"language": _("Only the holder writes the original text.")})


def translation_write(
    *, model, parent_field: str, instance, user, language: str, texts: dict, origin: str
):
    """Create or replace the row of `language` (the caller holds the object's lock and has
    decided the origin); returns (row, created). Text fields not given are kept."""
    validate_translation_language(instance=instance, language=language, origin=origin)
    row = model.objects.filter(**{parent_field: instance, "language": language}).first()
    created = row is None
    if created:
        row = model(**{parent_field: instance, "language": language})
    for name in model.TEXT_FIELDS:
        if name in texts:
            setattr(row, name, (texts[name] or "").strip())
    row.origin = origin
    row.author = user if getattr(user, "pk", None) else None
    row.full_clean(exclude=[parent_field])
    row.save()
    return row, created


def translatable(name: str) -> property:
    """`core.i18n.bilingual` for an object with translation rows (`translations`): the
    `<name>_zh` / `<name>_en` column in the reader's language, and for an original in another
    language (both columns empty) the original row's text."""

    def read(instance) -> str:
        text = localized(getattr(instance, f"{name}_zh"), getattr(instance, f"{name}_en"))
        if text or instance.original_language in COLUMN_SUFFIX or instance.pk is None:
            return text
        for row in instance.translations.all():
            if row.language == instance.original_language:
                return getattr(row, name, "") or ""
        return ""

    read.__name__ = name
    return property(read, doc=f"The {name} in the reader's language.")


def _row_of(*, model, parent_field: str, instance, language: str):
    row = model.objects.filter(**{parent_field: instance, "language": language}).first()
    if row is None:
        raise Http404
    return row


def translation_save(
    *,
    model,
    parent_field: str,
    instance,
    user,
    language: str,
    texts: dict,
    owner: bool,
    drafter: bool,
):
    """Write the row of `language` as the holder's own (`owner`) or as a draft (`drafter`);
    returns (row, created). The caller holds the object's lock and reindexes it."""
    existing = model.objects.filter(**{parent_field: instance, "language": language}).first()
    origin = translation_origin_for(owner=owner, drafter=drafter, user=user, existing=existing)
    return translation_write(
        model=model,
        parent_field=parent_field,
        instance=instance,
        user=user,
        language=language,
        texts=texts,
        origin=origin,
    )


def translation_remove(
    *, model, parent_field: str, instance, user, language: str, owner: bool
) -> None:
    """Delete a translation: the holder's members any, a drafter their own draft; the
    original text of an object written in another language stays."""
    row = _row_of(model=model, parent_field=parent_field, instance=instance, language=language)
    own_draft = row.origin == TranslationOrigin.DRAFT and row.author_id == getattr(user, "pk", None)
    if not owner and not own_draft:
        raise PermissionDenied(_("Only members of the holder can change its translations."))
    if language == instance.original_language:
        raise ValidationError({"language": _("The original text cannot be deleted, only changed.")})
    row.delete()


def translation_accept(*, model, parent_field: str, instance, user, language: str, owner: bool):
    """The holder takes a draft translation as its own."""
    if not owner:
        raise PermissionDenied(_("Only members of the holder can confirm a translation."))
    row = _row_of(model=model, parent_field=parent_field, instance=instance, language=language)
    if row.origin != TranslationOrigin.OWN:
        row.origin = TranslationOrigin.OWN
        row.save(update_fields=["origin", "updated_at"])
    return row


TRANSLATE, TRANSLATION_DELETE, TRANSLATION_CONFIRM = (
    "translate",
    "translation_delete",
    "translation_confirm",
)


@dataclass(frozen=True)
class TranslationRules:
    """The translation services of one kind of object, wired by its app: how to lock a row the
    user may see (its visibility rule, so a hidden object is 404), who its owners are, who may
    draft, how to reindex it, and its workflow's event table (`event_model`, a row per change
    naming the language; the status does not move)."""

    model: type
    parent_field: str
    layout: TranslatableText
    locked: Callable
    is_owner: Callable
    may_draft: Callable
    reindex: Callable
    event_model: type

    def roles(self, *, instance, user) -> dict[str, bool]:
        return {
            "owner": bool(self.is_owner(instance, user)),
            "drafter": bool(self.may_draft(user)),
        }

    def shown(self, instance, *, original: bool = False) -> ShownContent:
        return shown_content(
            instance, layout=self.layout, rows=instance.translations.all(), original=original
        )

    def _rows(self) -> dict:
        return {"model": self.model, "parent_field": self.parent_field}

    def _done(self, instance, *, user, action: str, language: str) -> None:
        self.reindex(instance)
        event_record(
            self.event_model,
            user=user,
            action=action,
            from_status=instance.status,
            to_status=instance.status,
            note=language_label(language),
            **{self.parent_field: instance},
        )

    def save(self, *, user, instance, language: str, texts: dict):
        """The object's text in `language`: the holder's own for its members, a draft for a
        drafter. Returns (row, created)."""
        with transaction.atomic():
            instance = self.locked(instance, user)
            row, created = translation_save(
                **self._rows(),
                instance=instance,
                user=user,
                language=language,
                texts=texts,
                **self.roles(instance=instance, user=user),
            )
            self._done(instance, user=user, action=TRANSLATE, language=language)
        return row, created

    def delete(self, *, user, instance, language: str) -> None:
        with transaction.atomic():
            instance = self.locked(instance, user)
            owner = self.roles(instance=instance, user=user)["owner"]
            translation_remove(
                **self._rows(), instance=instance, user=user, language=language, owner=owner
            )
            self._done(instance, user=user, action=TRANSLATION_DELETE, language=language)

    def confirm(self, *, user, instance, language: str):
        """The holder takes a draft translation as its own."""
        with transaction.atomic():
            instance = self.locked(instance, user)
            owner = self.roles(instance=instance, user=user)["owner"]
            row = translation_accept(
                **self._rows(), instance=instance, user=user, language=language, owner=owner
            )
            self._done(instance, user=user, action=TRANSLATION_CONFIRM, language=language)
        return row

    def create_original(self, *, user, instance, texts: dict | None) -> None:
        """At creation: the text of an original in a language other than Chinese or English
        (the caller's transaction; the object is new and the user its owner)."""
        if instance.original_language in COLUMN_SUFFIX:
            return
        required = self.layout.fields[:2]
        missing = [name for name in required if not ((texts or {}).get(name) or "").strip()]
        if missing:
            raise ValidationError(
                {
                    "original_text": _(
                        "Written in %(language)s: give the title and the %(field)s in "
                        "%(language)s, or choose Chinese or English as the original language."
                    )
                    % {
                        "language": language_label(instance.original_language),
                        "field": self.model._meta.get_field(required[1]).verbose_name,
                    }
                }
            )
        translation_write(
            **self._rows(),
            instance=instance,
            user=user,
            language=instance.original_language,
            texts=texts,
            origin=TranslationOrigin.OWN,
        )
        self.reindex(instance)
