"""Notification text that each reader gets in their own language.

A notification keeps its message as a message id (the English source text marked for
translation) and its parameters, as JSON, and is rendered when it is read, under the reader's
language: the page's, the API request's, or the recipient's preferred language for an e-mail.
A parameter is itself plain text (a name, a reviewer's note, a number), content written in
Chinese and English (`Bilingual`, a title's `_zh` and `_en` columns), a date and time (in the
reader's time zone; `ZonedTime` also names the zone), a list, or another message (a choice
label, a nested message).

    Message(gettext_lazy("New inquiry about %(title)s"), title=Bilingual.of(technology, "title"))

Only what the sender passes is stored, so a notification reveals no more than its sender chose
to put in it; pass only fields its recipients may see.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import Promise
from django.utils.translation import gettext, gettext_lazy, override, pgettext

from core.i18n import in_chinese, localized
from core.timezones import local_time


@dataclass(frozen=True)
class Bilingual:
    """Content written in Chinese, English or both; the reader gets their language when it is
    there and the other one otherwise (core.i18n.localized)."""

    zh: str = ""
    en: str = ""

    @classmethod
    def of(cls, instance, name: str) -> Bilingual:
        """The `<name>_zh` and `<name>_en` columns of a model instance."""
        return cls(
            zh=getattr(instance, f"{name}_zh", "") or "",
            en=getattr(instance, f"{name}_en", "") or "",
        )


@dataclass(frozen=True)
class ZonedTime:
    """A moment the reader needs to act on (a meeting's start): shown in the reader's time zone
    and named after it, "2027-01-12 10:00 Bangkok time", where a plain datetime parameter shows
    only the digits."""

    moment: datetime.datetime


class Message:
    """A translatable message (marked with gettext_lazy / pgettext_lazy, so the catalogues hold
    it) and the parameters its `%(name)s` placeholders take."""

    def __init__(self, text: Promise, /, **params) -> None:
        if not isinstance(text, Promise):
            raise TypeError(
                "A notification message is marked for translation, not already translated: "
                "pass gettext_lazy('...') (parameters as keywords), not a str."
            )
        self.text = text
        self.params = params
        # Encoded now, so a parameter that is not one fails where the message is written.
        self._json = _encode_lazy(text, with_params=True)
        self._json["params"] = {name: encode(param) for name, param in params.items()}

    def to_json(self) -> dict:
        return dict(self._json)

    def __str__(self) -> str:
        return render(self._json)


def encode(value) -> object:
    """The JSON form of a message or a parameter, rendered later by `render`."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, str | int | float):
        return value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, ZonedTime):
        return {"zoned_datetime": value.moment.isoformat()}
    if isinstance(value, datetime.datetime):
        return {"datetime": value.isoformat()}
    if isinstance(value, datetime.date):
        return {"date": value.isoformat()}
    if isinstance(value, Bilingual):
        return {"zh": value.zh, "en": value.en}
    if isinstance(value, Message):
        return value.to_json()
    if isinstance(value, Promise):
        return _encode_lazy(value)
    if isinstance(value, list | tuple):
        return [encode(item) for item in value]
    # A model instance or anything else would be printed in the sender's language (or show
    # more than intended): say which of its fields the message shows instead.
    raise TypeError(f"Not a notification parameter: {type(value).__name__}")


def _encode_lazy(text: Promise, *, with_params: bool = False) -> dict:
    # A lazy translation pickles as (function, arguments): the message id, and its context for
    # pgettext_lazy. Any other lazy text (format_lazy ...) is kept rendered in both languages;
    # it cannot take parameters.
    _unpickle, (function, args, kwargs, *_result_classes) = text.__reduce__()
    if function is gettext and len(args) == 1 and not kwargs:
        return {"msgid": args[0]}
    if function is pgettext and len(args) == 2 and not kwargs:
        return {"msgid": args[1], "context": args[0]}
    if with_params:
        raise TypeError("A notification message is marked with gettext_lazy or pgettext_lazy.")
    with override("zh-hans"):
        chinese = str(text)
    with override("en"):
        english = str(text)
    return {"zh": chinese, "en": english}


def render(value) -> str:
    """A stored message or parameter as text in the active language."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, list):
        separator = "、" if in_chinese() else ", "
        return separator.join(render(item) for item in value)
    if not isinstance(value, Mapping):
        return ""
    if "msgid" in value:
        return _render_message(value)
    if "zoned_datetime" in value:
        moment = datetime.datetime.fromisoformat(value["zoned_datetime"])
        return local_time(moment, timezone.get_current_timezone_name())
    if "datetime" in value:
        moment = datetime.datetime.fromisoformat(value["datetime"])
        return date_format(timezone.localtime(moment), "Y-m-d H:i")
    if "date" in value:
        return date_format(datetime.date.fromisoformat(value["date"]), "DATE_FORMAT")
    return localized(value.get("zh", ""), value.get("en", ""))


def _render_message(value: Mapping) -> str:
    msgid = value["msgid"]
    if not msgid:
        return ""  # gettext("") is the catalogue's header
    context = value.get("context")
    translated = pgettext(context, msgid) if context else gettext(msgid)
    params = value.get("params") or {}
    if not params:
        return translated
    arguments = {
        name: param if isinstance(param, int | float) else render(param)
        for name, param in params.items()
    }
    # A translation that lost or mistyped a placeholder falls back to the source text.
    for text in (translated, msgid):
        try:
            return text % arguments
        except (KeyError, ValueError, TypeError):
            continue
    return msgid


def labelled(message: Message, subject) -> Message:
    """ "<message>: <subject>", the colon as the reader's language writes it."""
    return Message(gettext_lazy("%(message)s: %(subject)s"), message=message, subject=subject)


def person(user) -> str | Message:
    """A person as notifications name them: their full name, never their e-mail address
    (core.visibility.actor_label), or "a platform user" in the reader's language."""
    full_name = (getattr(user, "full_name", "") or "").strip()
    if full_name and "@" not in full_name:
        return full_name
    return Message(gettext_lazy("a platform user"))


def choice_label(instance, field_name: str):
    """The label of a choice field's value (its translatable label, not the code):
    `choice_label(deal, "stage")` rather than `deal.get_stage_display()`, which is already text
    in the sender's language."""
    value = getattr(instance, field_name)
    return dict(instance._meta.get_field(field_name).flatchoices).get(value, value)
