"""Bilingual content: every listing, need and organisation may be written in Chinese, English or
both; readers get their language when it is there and the other one otherwise."""

from django.utils.translation import get_language


def in_chinese() -> bool:
    return (get_language() or "zh-hans").startswith("zh")


def localized(chinese: str, english: str) -> str:
    return (chinese or english) if in_chinese() else (english or chinese)
