"""Every interface language is complete: each app (and the project's locale/) has a catalogue in
every language of settings.LANGUAGES but English (the msgids are English), with the language's
plural forms, every msgid translated (no empty msgstr, no fuzzy entry), and translations that keep
the msgid's placeholders and HTML tags, so that a page in Arabic or Thai neither falls back to
English nor breaks on a missing %(name)s."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import polib
import pytest
from django.conf import settings

REPO_ROOT = Path(__file__).resolve().parents[2]


def load_i18n_script():
    spec = importlib.util.spec_from_file_location("i18n_script", REPO_ROOT / "scripts" / "i18n.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


i18n = load_i18n_script()
CATALOGUE_NAMES = i18n.app_names()


def folder_of(language_code: str) -> str:
    """settings.LANGUAGES code -> catalogue folder ("zh-hans" -> "zh_Hans")."""
    return i18n.normalise_language(language_code)


TRANSLATED_LANGUAGES = [folder_of(code) for code, _ in settings.LANGUAGES if code != "en"]


def test_every_interface_language_but_english_has_a_catalogue_language():
    assert set(TRANSLATED_LANGUAGES) == set(i18n.PLURAL_FORMS)
    assert {"zh_Hans", "ru", "fr", "ar", "th"} <= set(TRANSLATED_LANGUAGES)


@pytest.mark.parametrize("language", TRANSLATED_LANGUAGES)
@pytest.mark.parametrize("app", CATALOGUE_NAMES)
def test_the_catalogue_exists_with_the_languages_plural_forms(app, language):
    path = i18n.catalogue_path(app, language)
    assert path.exists(), f"run: python scripts/i18n.py extract --language {language} {app}"
    catalogue = polib.pofile(str(path))
    assert catalogue.metadata["Plural-Forms"] == i18n.PLURAL_FORMS[language]
    count = i18n.nplurals(language)
    for entry in catalogue:
        if entry.msgid_plural and not entry.obsolete:
            assert sorted(entry.msgstr_plural) == list(range(count)), entry.msgid


@pytest.mark.parametrize("language", TRANSLATED_LANGUAGES)
@pytest.mark.parametrize("app", CATALOGUE_NAMES)
def test_every_msgid_is_translated(app, language):
    untranslated = i18n.missing(app, language)
    assert not untranslated, (
        f"{len(untranslated)} msgid(s) of {app} without a {language} translation "
        f"(python scripts/i18n.py missing --language {language} {app}): {untranslated[:20]}"
    )


@pytest.mark.parametrize("language", TRANSLATED_LANGUAGES)
@pytest.mark.parametrize("app", CATALOGUE_NAMES)
def test_translations_keep_the_placeholders_and_tags_of_the_msgid(app, language):
    path = i18n.catalogue_path(app, language)
    if not path.exists():
        pytest.fail(f"no {language} catalogue for {app}")
    broken = [
        f"{entry.msgid!r}: {'; '.join(problems)}"
        for entry in polib.pofile(str(path))
        if not entry.obsolete and (problems := i18n.entry_problems(entry))
    ]
    assert not broken, "\n".join(broken)


# --- the checks themselves ---------------------------------------------------------------------


def test_a_translation_that_drops_a_placeholder_or_a_tag_is_caught():
    # given a msgid with a named placeholder and a link
    msgid = 'Signed in as %(name)s. <a href="%(url)s">Sign out</a>'
    # then a faithful translation passes and a lossy one does not
    assert not i18n.markup_differences(msgid, 'Вход: %(name)s. <a href="%(url)s">Выйти</a>')
    assert i18n.markup_differences(msgid, 'Вход выполнен. <a href="%(url)s">Выйти</a>')
    assert i18n.markup_differences(msgid, "Вход: %(name)s. Выйти")
    assert i18n.markup_differences("{count} new", "{nombre} nouveaux")


def test_a_plural_form_may_spell_out_its_number_but_keeps_positional_placeholders():
    # given Arabic's six forms, the singular and dual spelled out
    entry = polib.POEntry(
        msgid="%(counter)s technology",
        msgid_plural="%(counter)s technologies",
        msgstr_plural=dict(
            enumerate(
                [
                    "%(counter)s تقنية",
                    "تقنية واحدة",
                    "تقنيتان",
                    "%(counter)s تقنيات",
                    "%(counter)s تقنية",
                    "%(counter)s تقنية",
                ]
            )
        ),
    )
    # then it passes; a positional %d left out would make Python refuse the argument
    assert not i18n.entry_problems(entry)
    positional = polib.POEntry(
        msgid="at least %d character",
        msgid_plural="at least %d characters",
        msgstr_plural={0: "au moins un caractère", 1: "au moins %d caractères"},
    )
    assert i18n.entry_problems(positional)


def test_fill_takes_plural_lists_and_contexts(tmp_path, monkeypatch):
    # given a French catalogue with a context entry and a plural entry
    catalogue = polib.POFile()
    catalogue.append(polib.POEntry(msgid="Open", msgctxt="status", msgstr=""))
    catalogue.append(polib.POEntry(msgid="Open", msgstr=""))
    catalogue.append(
        polib.POEntry(msgid="%(n)s day", msgid_plural="%(n)s days", msgstr_plural={0: "", 1: ""})
    )
    catalogue.append(polib.POEntry(msgid="Hello %(name)s", msgstr=""))
    path = tmp_path / "demo" / "locale" / "fr" / "LC_MESSAGES" / "django.po"
    path.parent.mkdir(parents=True)
    catalogue.save(str(path))
    monkeypatch.setattr(i18n, "REPO_ROOT", tmp_path)
    # when it is filled from the JSON format (one lossy translation among them)
    filled = i18n.fill(
        "demo",
        {
            "status\u0004Open": "Ouvert",
            "Open": "Ouvrir",
            "%(n)s day": ["%(n)s jour", "%(n)s jours"],
            "Hello %(name)s": "Bonjour",
        },
        "fr",
    )
    # then the context, the plain entry and both plural forms are written, the lossy one is not
    written = {(entry.msgctxt, entry.msgid): entry for entry in polib.pofile(str(path))}
    assert filled == 3
    assert written[("status", "Open")].msgstr == "Ouvert"
    assert written[(None, "Open")].msgstr == "Ouvrir"
    assert written[(None, "%(n)s day")].msgstr_plural == {0: "%(n)s jour", 1: "%(n)s jours"}
    assert written[(None, "Hello %(name)s")].msgstr == ""
    assert polib.pofile(str(path)).metadata["Plural-Forms"] == "nplurals=2; plural=(n > 1);"
