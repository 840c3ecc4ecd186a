"""Text from other platforms' exports made fit to store: HTML fragments turned into text,
entities decoded, control and zero-width characters dropped, whitespace collapsed, over-long
values cut at a word boundary (the caller records why). A cell that a spreadsheet would read as a
formula (`=HYPERLINK(...)`) is kept as plain text; core.exports neutralises it in every export.

Used by every import run and by the matching evaluation loader, so both accept the same rows."""

from __future__ import annotations

import html
import re
import unicodedata

from django.utils.html import strip_tags

_BLOCK_TAGS = re.compile(r"<\s*(br|/p|/div|/li|/tr|/h[1-6])\b[^>]*>", re.IGNORECASE)
_SCRIPT_OR_STYLE = re.compile(r"<\s*(script|style)\b.*?<\s*/\s*\1\s*>", re.IGNORECASE | re.DOTALL)
_INVISIBLE = dict.fromkeys(
    [0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF, *range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20)]
)
_SPACES = re.compile(r"[ \t\u00a0\u3000\u2000-\u200a\u202f\u205f]+")
_BLANK_LINES = re.compile(r"\n{3,}")
ELLIPSIS = "…"
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def clean_text(value, *, multiline: bool = False) -> str:
    """`value` as plain text: no markup, one space between words (paragraphs kept when
    `multiline`)."""
    if value is None:
        return ""
    text = str(value)
    if "<" in text:
        text = _SCRIPT_OR_STYLE.sub(" ", text)
        text = _BLOCK_TAGS.sub("\n", text)
        text = strip_tags(text)
    text = html.unescape(text)
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    text = text.translate(_INVISIBLE)
    if not multiline:
        return _SPACES.sub(" ", text.replace("\n", " ")).strip()
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


def shorten(text: str, limit: int) -> str:
    """`text` cut to at most `limit` characters, at a word boundary when there is one near."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space > limit * 0.6:
        cut = cut[:space]
    return cut.rstrip(" ,;，、。") + ELLIPSIS


def is_chinese(text: str) -> bool:
    """Whether a text is written in Chinese (it holds Han characters)."""
    return bool(_CJK.search(text or ""))


def split_list(value: str) -> list[str]:
    """A cell holding a list: items separated by ; , ， 、 or line breaks."""
    parts = re.split(r"[;；,，、\n]", value or "")
    return [part.strip() for part in parts if part.strip()]


def fit_fields(instance, names) -> list[str]:
    """Clean the text fields `names` of a model instance and cut each to its column's length;
    returns a note per field that was cut ("field: 300 → 250 characters")."""
    notes = []
    for name in names:
        field = instance._meta.get_field(name)
        value = clean_text(
            getattr(instance, name), multiline=not field.max_length or field.max_length > 300
        )
        limit = field.max_length
        if limit and len(value) > limit:
            notes.append(f"{name}: {len(value)} → {limit}")
            value = shorten(value, limit)
        setattr(instance, name, value)
    return notes
