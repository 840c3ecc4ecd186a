#!/usr/bin/env python3
"""Keep the translation catalogues in step with the code, in every language of the interface.

Each app keeps its own catalogues (`<app>/locale/<language>/LC_MESSAGES/django.po`) so that work
on different apps never edits the same file; project-wide strings (templates/, core/, config/)
live in `locale/` ("root"). The msgids are English; English needs no catalogue.

    python scripts/i18n.py extract [--language xx] [APP ...]   # refresh .po files from the code
    python scripts/i18n.py missing [--language xx] [APP ...]   # msgids without a translation
    python scripts/i18n.py fill APP FILE.json [--language xx]  # set translations from a JSON file
    python scripts/i18n.py fill-dir DIR --language xx          # fill every app from DIR/<app>.json
    python scripts/i18n.py unify --language xx                 # one text per msgid (fill-dir does)

Without --language, extract and missing work on every language, fill on Chinese (zh_Hans).
A JSON file maps a msgid, or "msgctxt\\u0004msgid" for an entry with a context, to its msgstr; a
plural entry's value is the list of its plural forms in the language's order (Arabic 6,
Russian 3, French 2, Chinese and Thai 1). A translation whose placeholders (%(name)s, %s, {name})
or HTML tags differ from the msgid's is refused and reported, never written.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import polib

REPO_ROOT = Path(__file__).resolve().parent.parent
APPS = [
    "accounts",
    "notifications",
    "currencies",
    "catalog",
    "exchange",
    "exportcontrol",
    "imports",
    "matching",
    "finance",
    "programmes",
    "insight",
    "licensing",
    "facilities",
    "registry",
    "centres",
]
# Catalogue folder name (Django's locale name) -> the Plural-Forms header gettext evaluates.
PLURAL_FORMS = {
    "zh_Hans": "nplurals=1; plural=0;",
    "ru": (
        "nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 : n%10>=2 && n%10<=4 && "
        "(n%100<10 || n%100>=20) ? 1 : 2);"
    ),
    "fr": "nplurals=2; plural=(n > 1);",
    "ar": (
        "nplurals=6; plural=n==0 ? 0 : n==1 ? 1 : n==2 ? 2 : n%100>=3 && n%100<=10 ? 3 : "
        "n%100>=11 ? 4 : 5;"
    ),
    "th": "nplurals=1; plural=0;",
}
LANGUAGES = list(PLURAL_FORMS)
DEFAULT_FILL_LANGUAGE = "zh_Hans"

# What must survive translation unchanged: printf-style and brace placeholders, and HTML tags.
PLACEHOLDER = re.compile(
    r"%\([A-Za-z_][A-Za-z0-9_]*\)[-#0 +]*\d*(?:\.\d+)?[sdifr]|%[sdif]|\{[A-Za-z_][A-Za-z0-9_.]*\}"
)
HTML_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9]*\b[^<>]*>")


def normalise_language(code: str) -> str:
    """Accept "zh-hans", "zh_Hans", "ru" ...; return the catalogue folder name."""
    for language in LANGUAGES:
        if code.replace("-", "_").lower() == language.lower():
            return language
    raise SystemExit(f"unknown language {code!r}: one of {', '.join(LANGUAGES)}")


def nplurals(language: str) -> int:
    return int(re.match(r"nplurals=(\d+)", PLURAL_FORMS[language]).group(1))


def catalogue_path(app: str, language: str = DEFAULT_FILL_LANGUAGE) -> Path:
    base = REPO_ROOT / "locale" if app == "root" else REPO_ROOT / app / "locale"
    return base / language / "LC_MESSAGES" / "django.po"


def placeholders(text: str) -> list[str]:
    return sorted(PLACEHOLDER.findall(text))


def html_tags(text: str) -> list[str]:
    # A tag's name and attributes, not the order: a translation may move a link in the sentence.
    return sorted(HTML_TAG.findall(text))


def markup_differences(msgid: str, msgstr: str) -> list[str]:
    """Why a translation would break its page: placeholders or tags that differ from the msgid's.
    Empty when it is safe."""
    problems = []
    if placeholders(msgid) != placeholders(msgstr):
        problems.append(f"placeholders {placeholders(msgid)} != {placeholders(msgstr)}")
    if html_tags(msgid) != html_tags(msgstr):
        problems.append(f"HTML tags {html_tags(msgid)} != {html_tags(msgstr)}")
    return problems


def entry_problems(entry: polib.POEntry) -> list[str]:
    """A translated entry's markup problems. A plural form matches msgid_plural or msgid; a form
    for exactly 0, 1 or 2 may spell its number out ("ساعة واحدة"), leaving out a named number
    placeholder such as %(count)d, never a positional one (Python would refuse the arguments)."""
    if not entry.msgid_plural:
        return markup_differences(entry.msgid, entry.msgstr) if entry.msgstr else []
    problems = []
    for index, text in sorted(entry.msgstr_plural.items()):
        if not text:
            continue
        differences = markup_differences(entry.msgid_plural, text)
        if not differences or not markup_differences(entry.msgid, text):
            continue
        expected = placeholders(entry.msgid_plural)
        kept = placeholders(text)
        dropped = list(expected)
        for item in kept:
            if item in dropped:
                dropped.remove(item)
        spelled_out = (
            len(kept) + len(dropped) == len(expected)
            and all(re.fullmatch(r"%\(\w+\)[ds]", item) for item in dropped)
            and html_tags(text) == html_tags(entry.msgid_plural)
        )
        if not spelled_out:
            problems += [f"form {index}: {difference}" for difference in differences]
    return problems


def set_header(catalogue: polib.POFile, language: str) -> None:
    catalogue.metadata["Plural-Forms"] = PLURAL_FORMS[language]
    catalogue.metadata["Content-Type"] = "text/plain; charset=UTF-8"
    catalogue.metadata["Language"] = language


def extract(app: str, languages: list[str]) -> None:
    python = sys.executable
    for language in languages:
        catalogue_path(app, language).parent.mkdir(parents=True, exist_ok=True)
    if app == "root":
        ignores = [arg for name in APPS for arg in ("--ignore", f"{name}/*")]
        for folder in (".venv", ".data", "static", "tests", "scripts", "benchmarks", "staticfiles"):
            ignores += ["--ignore", f"{folder}/*"]
        locales = [arg for language in languages for arg in ("-l", language)]
        command = [python, "manage.py", "makemessages", *locales, "--no-obsolete", *ignores]
        subprocess.run(command, cwd=REPO_ROOT, check=True)
    else:
        # Inside an app folder with LOCALE_PATHS emptied, makemessages writes to <app>/locale.
        # Django is set up from the repository root first: Celery's Django fix-up puts the
        # working directory on sys.path, where an app's own `rules.py` would hide `rules`.
        code = (
            "import django, os; from django.conf import settings; django.setup(); "
            f"os.chdir({str(REPO_ROOT / app)!r}); "
            "settings.LOCALE_PATHS = []; from django.core.management import call_command; "
            f"call_command('makemessages', locale={languages!r}, no_obsolete=True, "
            "ignore_patterns=['migrations/*', 'tests/*', 'engine/*'])"
        )
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "PYTHONPATH": str(REPO_ROOT),
        }
        env.setdefault("DEBUG", "true")
        subprocess.run([python, "-P", "-c", code], cwd=REPO_ROOT, check=True, env=env)
    for language in languages:
        # makemessages copies Django's own Plural-Forms for a new catalogue (Russian there has
        # four forms); every catalogue of a language has the same header.
        path = catalogue_path(app, language)
        if not path.exists():
            continue
        catalogue = polib.pofile(str(path))
        plural_count = nplurals(language)
        for entry in catalogue:
            if entry.msgid_plural:
                forms = {index: entry.msgstr_plural.get(index, "") for index in range(plural_count)}
                entry.msgstr_plural = forms
        set_header(catalogue, language)
        catalogue.save()


def is_untranslated(entry: polib.POEntry) -> bool:
    if entry.obsolete:
        return False
    if "fuzzy" in entry.flags:
        return True
    if entry.msgid_plural:
        return not entry.msgstr_plural or not all(text for text in entry.msgstr_plural.values())
    return not entry.msgstr


def missing(app: str, language: str) -> list[str]:
    path = catalogue_path(app, language)
    if not path.exists():
        return []
    return [entry.msgid for entry in polib.pofile(str(path)) if is_untranslated(entry)]


def fill(
    app: str, translations: dict[str, str | list[str]], language: str = DEFAULT_FILL_LANGUAGE
) -> int:
    """Write the translations of `app`'s catalogue in `language`; returns how many entries were
    filled. Refused translations (wrong number of plural forms, placeholders or tags that differ)
    are reported on stderr and leave the entry as it was."""
    path = catalogue_path(app, language)
    if not path.exists():
        print(f"{app}: no {language} catalogue; run extract first", file=sys.stderr)
        return 0
    catalogue = polib.pofile(str(path))
    plural_count = nplurals(language)
    count = 0
    for entry in catalogue:
        if entry.obsolete:
            continue
        # A key "context\u0004msgid" (gettext's own joining) fills only that context's entry.
        value = translations.get(f"{entry.msgctxt}\x04{entry.msgid}") if entry.msgctxt else None
        if value is None:
            value = translations.get(entry.msgid)
        if value is None:
            continue
        label = f"{app} {language} {entry.msgid!r}"
        if entry.msgid_plural:
            forms = [value] * plural_count if isinstance(value, str) else list(value)
            if len(forms) != plural_count or not all(isinstance(form, str) for form in forms):
                print(
                    f"{label}: needs {plural_count} plural form(s), got {value!r}", file=sys.stderr
                )
                continue
            candidate = polib.POEntry(
                msgid=entry.msgid,
                msgid_plural=entry.msgid_plural,
                msgstr_plural=dict(enumerate(forms)),
            )
        else:
            if not isinstance(value, str):
                print(f"{label}: needs a string, got {value!r}", file=sys.stderr)
                continue
            candidate = polib.POEntry(msgid=entry.msgid, msgstr=value)
        problems = entry_problems(candidate)
        if problems:
            print(f"{label}: refused, {'; '.join(problems)}", file=sys.stderr)
            continue
        if entry.msgid_plural:
            entry.msgstr_plural = candidate.msgstr_plural
        else:
            entry.msgstr = candidate.msgstr
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
        entry.previous_msgid = entry.previous_msgid_plural = entry.previous_msgctxt = None
        count += 1
    set_header(catalogue, language)
    catalogue.save()
    return count


def unify(language: str) -> int:
    """Make every catalogue of `language` say what the page shows. Django merges the project's
    catalogues with the third-party ones (admin, allauth ...; an app listed earlier in
    INSTALLED_APPS wins, the project's locale/ wins over all): where two catalogues of ours
    translate a msgid differently, or a third-party one hides ours, ours takes the shown text.
    Returns how many entries changed. Run by fill-dir; needs Django, so run from the repository."""
    sys.path[:] = [
        entry for entry in sys.path if Path(entry or ".").resolve() != Path(__file__).parent
    ]
    sys.path.insert(0, str(REPO_ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DEBUG", "true")
    compiler = Path(__file__).with_name("compile_messages.py")
    subprocess.run([sys.executable, str(compiler)], check=True, cwd=REPO_ROOT)
    import django
    from django.utils import translation

    django.setup()
    changed = 0
    django_language = "zh-hans" if language == "zh_Hans" else language
    with translation.override(django_language):
        for app in app_names():
            path = catalogue_path(app, language)
            if not path.exists():
                continue
            catalogue = polib.pofile(str(path))
            edits = 0
            for entry in catalogue:
                if (
                    entry.obsolete
                    or entry.msgid_plural
                    or not entry.msgstr
                    or "fuzzy" in entry.flags
                ):
                    continue
                if entry.msgctxt:
                    shown = translation.pgettext(entry.msgctxt, entry.msgid)
                else:
                    shown = translation.gettext(entry.msgid)
                # A shown msgid is a translation too: a catalogue that wins keeps the English.
                if shown == entry.msgstr or markup_differences(entry.msgid, shown):
                    continue
                entry.msgstr = shown
                edits += 1
            if edits:
                catalogue.save()
                print(f"{app}: {edits} translation(s) made the same as the page shows")
                changed += edits
    return changed


def app_names() -> list[str]:
    return ["root", *[app for app in APPS if (REPO_ROOT / app).is_dir()]]


def pop_language(arguments: list[str]) -> str | None:
    if "--language" not in arguments:
        return None
    index = arguments.index("--language")
    if index + 1 >= len(arguments):
        raise SystemExit("--language needs a value")
    language = normalise_language(arguments[index + 1])
    del arguments[index : index + 2]
    return language


def read_json(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__)
        return 2
    verb, *rest = argv
    language = pop_language(rest)
    if verb == "fill":
        if len(rest) != 2:
            print("usage: fill APP FILE.json [--language xx]", file=sys.stderr)
            return 2
        app, file_name = rest
        filled = fill(app, read_json(Path(file_name)), language or DEFAULT_FILL_LANGUAGE)
        print(f"{filled} filled")
        return 0
    if verb == "fill-dir":
        if len(rest) != 1 or language is None:
            print("usage: fill-dir DIR --language xx", file=sys.stderr)
            return 2
        directory = Path(rest[0])
        for app in app_names():
            source = directory / f"{app}.json"
            if not source.exists():
                print(f"{app}: no {source}", file=sys.stderr)
                continue
            print(f"{app}: {fill(app, read_json(source), language)} filled")
        # In a fresh interpreter: the .mo files just compiled are the ones Django must read.
        subprocess.run([sys.executable, __file__, "unify", "--language", language], check=True)
        return 0
    if verb == "unify":
        if rest or language is None:
            print("usage: unify --language xx", file=sys.stderr)
            return 2
        unify(language)
        return 0
    if verb not in {"extract", "missing"}:
        print(__doc__)
        return 2
    languages = [language] if language else LANGUAGES
    for app in rest or app_names():
        if verb == "extract":
            extract(app, languages)
        else:
            for each in languages:
                for msgid in missing(app, each):
                    print(f"{app}\t{each}\t{json.dumps(msgid, ensure_ascii=False)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
