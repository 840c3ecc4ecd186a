#!/usr/bin/env python3
"""Compile every gettext catalogue (``locale/*/LC_MESSAGES/*.po``) of the project to ``.mo``.

Pure Python (polib), so no Debian gettext is needed; falls back to Django's ``compilemessages``
(which needs ``msgfmt``) when polib is missing. A ``.mo`` newer than its ``.po`` is left alone.
Only the project's own folders are searched, never .venv or .data.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
SKIPPED_DIRECTORIES = {
    ".venv", ".venv-lock", ".data", ".git", "node_modules", "staticfiles", "media", "static",
}  # fmt: skip


def find_catalogues(root: Path = REPO_ROOT) -> list[Path]:
    catalogues = []
    for directory, subdirectories, files in os.walk(root):
        subdirectories[:] = [name for name in subdirectories if name not in SKIPPED_DIRECTORIES]
        if Path(directory).name != "LC_MESSAGES":
            continue
        catalogues += [Path(directory) / name for name in files if name.endswith(".po")]
    return sorted(catalogues)


def compile_catalogues(catalogues: list[Path]) -> int:
    import polib

    compiled = 0
    for po_path in catalogues:
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        catalogue = polib.pofile(str(po_path))
        # polib writes the header plus translated entries only: fuzzy and obsolete entries are
        # left out, as msgfmt does without --use-fuzzy.
        catalogue.save_as_mofile(str(mo_path))
        compiled += 1
    return compiled


def main() -> int:
    catalogues = find_catalogues()
    if not catalogues:
        return 0
    try:
        import polib  # noqa: F401
    except ImportError:
        if shutil.which("msgfmt") is None:
            print("compile_messages: install polib (dev dependency) or gettext", file=sys.stderr)
            return 1
        return subprocess.call(
            [sys.executable, "manage.py", "compilemessages", "--ignore", ".venv*"], cwd=REPO_ROOT
        )
    compiled = compile_catalogues(catalogues)
    if compiled:
        print(f"compile_messages: compiled {compiled} of {len(catalogues)} catalogue(s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
