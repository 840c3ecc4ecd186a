"""Django merges every catalogue of the project into one per language: a msgid (with its msgctxt)
that two catalogues of a language translate differently shows one of the two at random-looking
places (the catalogue that wins is the one loaded last). Each meaning has one translation in each
language; where the same English word really means two things, the code gives it a context
(pgettext)."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import polib
import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
# Catalogue folder -> the language code pages use (settings.LANGUAGES), English excepted: the
# msgids are English.
DJANGO_LANGUAGE_CODES = {"zh_Hans": "zh-hans", "ru": "ru", "fr": "fr", "ar": "ar", "th": "th"}
SKIPPED = {".venv", ".venv-lock", ".data", ".git", "node_modules", "staticfiles", "media"}


def project_catalogues() -> list[Path]:
    return sorted(
        path
        for path in REPO_ROOT.glob("**/LC_MESSAGES/django.po")
        if not SKIPPED.intersection(path.relative_to(REPO_ROOT).parts)
    )


def catalogue_language(path: Path) -> str:
    """The folder name: `<app>/locale/<language>/LC_MESSAGES/django.po`."""
    return path.parts[-3]


def conflicting_translations() -> dict[tuple[str, str | None, str], dict[str, list[str]]]:
    translations: dict[tuple[str, str | None, str], dict[str, list[str]]] = defaultdict(
        lambda: defaultdict(list)
    )
    for path in project_catalogues():
        language = catalogue_language(path)
        for entry in polib.pofile(str(path)):
            if entry.obsolete or "fuzzy" in entry.flags:
                continue
            if entry.msgid_plural:
                forms = [entry.msgstr_plural[index] for index in sorted(entry.msgstr_plural)]
            else:
                forms = [entry.msgstr]
            if not all(form.strip() for form in forms):
                continue  # not translated yet: test_catalogue_completeness says so
            msgstr = " | ".join(forms)
            key = (language, entry.msgctxt, entry.msgid)
            translations[key][msgstr].append(str(path.relative_to(REPO_ROOT).parts[0]))
    return {key: dict(by_text) for key, by_text in translations.items() if len(by_text) > 1}


def test_the_project_has_catalogues_to_compare():
    assert len(project_catalogues()) >= 9
    assert {catalogue_language(path) for path in project_catalogues()} == set(DJANGO_LANGUAGE_CODES)


def test_no_msgid_is_translated_two_ways_in_two_catalogues():
    conflicts = conflicting_translations()
    report = "\n".join(
        f"{language}: {context + ' | ' if context else ''}{msgid!r}: "
        + "; ".join(f"{text!r} in {', '.join(apps)}" for text, apps in by_text.items())
        for (language, context, msgid), by_text in sorted(
            conflicts.items(), key=lambda item: (item[0][0], item[0][2])
        )
    )
    assert not conflicts, f"{len(conflicts)} msgid(s) translated differently:\n{report}"


@pytest.mark.parametrize("folder", sorted(DJANGO_LANGUAGE_CODES))
def test_every_project_translation_is_the_one_django_shows(folder):
    """Django merges third-party catalogues too (admin, auth, django-filter, allauth ...), and an
    app listed earlier in INSTALLED_APPS wins over a later one: django.contrib.admin's "Filter"
    (过滤器) hid ours (筛选). What a catalogue of ours says is what a page in its language shows."""
    from django.utils import translation

    differing = []
    with translation.override(DJANGO_LANGUAGE_CODES[folder]):
        for path in project_catalogues():
            if catalogue_language(path) != folder:
                continue
            for entry in polib.pofile(str(path)):
                if entry.obsolete or "fuzzy" in entry.flags or entry.msgid_plural:
                    continue
                if not entry.msgstr.strip():
                    continue
                if entry.msgctxt:
                    shown = translation.pgettext(entry.msgctxt, entry.msgid)
                else:
                    shown = translation.gettext(entry.msgid)
                if shown != entry.msgstr:
                    differing.append(
                        f"{path.relative_to(REPO_ROOT).parts[0]}: {entry.msgid!r} "
                        f"should read {entry.msgstr!r}, Django shows {shown!r}"
                    )
    assert not differing, "\n".join(differing)
