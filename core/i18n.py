"""Bilingual content: every listing, need and organisation may be written in Chinese, English or
both; readers get their language when it is there and the other one otherwise."""

from django.utils.translation import get_language


def in_chinese() -> bool:
    return (get_language() or "zh-hans").startswith("zh")


def localized(chinese: str, english: str) -> str:
    return (chinese or english) if in_chinese() else (english or chinese)


def bilingual(name: str) -> property:
    """A read-only property giving `<name>_zh` or `<name>_en` in the reader's language, the
    other one when it is empty: `title = bilingual("title")` on a model with `title_zh` and
    `title_en` columns."""

    def read(instance) -> str:
        return localized(getattr(instance, f"{name}_zh"), getattr(instance, f"{name}_en"))

    read.__name__ = name
    return property(read, doc=f"The {name} in the reader's language.")
