"""Django merges every catalogue of the project into one: a msgid (with its msgctxt) that two
catalogues translate differently shows one of the two at random-looking places (the catalogue
that wins is the one loaded last). Each meaning has one translation; where the same English word
really means two things, the code gives it a context (pgettext)."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import polib

REPO_ROOT = Path(__file__).resolve().parents[2]
SKIPPED = {".venv", ".venv-lock", ".data", ".git", "node_modules", "staticfiles", "media"}


def project_catalogues() -> list[Path]:
    return sorted(
        path
        for path in REPO_ROOT.glob("**/LC_MESSAGES/django.po")
        if not SKIPPED.intersection(path.relative_to(REPO_ROOT).parts)
    )


def conflicting_translations() -> dict[tuple[str | None, str], dict[str, list[str]]]:
    translations: dict[tuple[str | None, str], dict[str, list[str]]] = defaultdict(
        lambda: defaultdict(list)
    )
    for path in project_catalogues():
        for entry in polib.pofile(str(path)):
            if entry.obsolete or "fuzzy" in entry.flags:
                continue
            if entry.msgid_plural:
                msgstr = " | ".join(
                    entry.msgstr_plural[index] for index in sorted(entry.msgstr_plural)
                )
            else:
                msgstr = entry.msgstr
            if not msgstr.strip():
                continue
            key = (entry.msgctxt, entry.msgid)
            translations[key][msgstr].append(str(path.relative_to(REPO_ROOT).parts[0]))
    return {key: dict(by_text) for key, by_text in translations.items() if len(by_text) > 1}


def test_the_project_has_catalogues_to_compare():
    assert len(project_catalogues()) >= 9


def test_no_msgid_is_translated_two_ways_in_two_catalogues():
    conflicts = conflicting_translations()
    report = "\n".join(
        f"{context + ' | ' if context else ''}{msgid!r}: "
        + "; ".join(f"{text!r} in {', '.join(apps)}" for text, apps in by_text.items())
        for (context, msgid), by_text in sorted(conflicts.items(), key=lambda item: item[0][1])
    )
    assert not conflicts, f"{len(conflicts)} msgid(s) translated differently:\n{report}"


def test_every_project_translation_is_the_one_django_shows():
    """Django merges third-party catalogues too (admin, auth, django-filter, allauth ...), and an
    app listed earlier in INSTALLED_APPS wins over a later one: django.contrib.admin's "Filter"
    (过滤器) hid ours (筛选). What a catalogue of ours says is what a Chinese page shows."""
    from django.utils import translation

    differing = []
    with translation.override("zh-hans"):
        for path in project_catalogues():
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
