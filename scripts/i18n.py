#!/usr/bin/env python3
"""Keep the Chinese catalogues in step with the code.

Each app keeps its own catalogue (`<app>/locale/zh_Hans/LC_MESSAGES/django.po`) so that work on
different apps never edits the same file; project-wide strings (templates/, core/, config/) live
in `locale/`.

    python scripts/i18n.py extract [APP ...]   # refresh .po files from the code ("root" = project)
    python scripts/i18n.py missing [APP ...]   # list msgids still without a Chinese translation
    python scripts/i18n.py fill APP FILE.json  # set translations from a {msgid: msgstr} file
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import polib

REPO_ROOT = Path(__file__).resolve().parent.parent
APPS = [
    "accounts",
    "notifications",
    "catalog",
    "exchange",
    "imports",
    "matching",
    "finance",
    "programmes",
    "insight",
    "licensing",
    "facilities",
    "centres",
]
LANGUAGE = "zh_Hans"


def catalogue_path(app: str) -> Path:
    base = REPO_ROOT / "locale" if app == "root" else REPO_ROOT / app / "locale"
    return base / LANGUAGE / "LC_MESSAGES" / "django.po"


def extract(app: str) -> None:
    python = sys.executable
    path = catalogue_path(app)
    path.parent.mkdir(parents=True, exist_ok=True)
    if app == "root":
        ignores = [arg for name in APPS for arg in ("--ignore", f"{name}/*")]
        ignores += [
            "--ignore",
            ".venv/*",
            "--ignore",
            ".data/*",
            "--ignore",
            "static/*",
            "--ignore",
            "tests/*",
            "--ignore",
            "scripts/*",
            "--ignore",
            "benchmarks/*",
            "--ignore",
            "staticfiles/*",
        ]
        command = [python, "manage.py", "makemessages", "-l", LANGUAGE, "--no-obsolete", *ignores]
        subprocess.run(command, cwd=REPO_ROOT, check=True)
        return
    # Inside an app folder with LOCALE_PATHS emptied, makemessages writes to <app>/locale. Django
    # is set up from the repository root first: Celery's Django fix-up puts the working directory
    # on sys.path, where an app's own `rules.py` would hide the `rules` package.
    code = (
        "import django, os; from django.conf import settings; django.setup(); "
        f"os.chdir({str(REPO_ROOT / app)!r}); "
        "settings.LOCALE_PATHS = []; from django.core.management import call_command; "
        f"call_command('makemessages', locale=['{LANGUAGE}'], no_obsolete=True, "
        "ignore_patterns=['migrations/*', 'tests/*', 'engine/*'])"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", "PYTHONPATH": str(REPO_ROOT)}
    env.setdefault("DEBUG", "true")
    subprocess.run([python, "-P", "-c", code], cwd=REPO_ROOT, check=True, env=env)


def missing(app: str) -> list[str]:
    path = catalogue_path(app)
    if not path.exists():
        return []
    catalogue = polib.pofile(str(path))
    return [entry.msgid for entry in catalogue.untranslated_entries() + catalogue.fuzzy_entries()]


def fill(app: str, translations: dict[str, str]) -> int:
    path = catalogue_path(app)
    catalogue = polib.pofile(str(path))
    count = 0
    for entry in catalogue:
        # A key "context\u0004msgid" (gettext's own joining) fills only that context's entry.
        value = translations.get(f"{entry.msgctxt}\x04{entry.msgid}") if entry.msgctxt else None
        if value is None:
            value = translations.get(entry.msgid)
        if value is None:
            continue
        if entry.msgid_plural:
            entry.msgstr_plural = {0: value}
        else:
            entry.msgstr = value
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
        count += 1
    catalogue.metadata["Plural-Forms"] = "nplurals=1; plural=0;"
    catalogue.metadata["Content-Type"] = "text/plain; charset=UTF-8"
    catalogue.metadata["Language"] = "zh_Hans"
    catalogue.save()
    return count


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__)
        return 2
    verb, *rest = argv
    if verb == "fill":
        app, file_name = rest
        print(f"{fill(app, json.loads(Path(file_name).read_text(encoding='utf-8')))} filled")
        return 0
    apps = rest or ["root", *[app for app in APPS if (REPO_ROOT / app).is_dir()]]
    for app in apps:
        if verb == "extract":
            extract(app)
        elif verb == "missing":
            for msgid in missing(app):
                print(f"{app}\t{json.dumps(msgid, ensure_ascii=False)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
