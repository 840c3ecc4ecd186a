#!/usr/bin/env python3
"""Vendor the front-end libraries into ``static/vendor/`` from the npm registry.

Run ``python scripts/vendor_frontend.py`` (or ``make vendor``) after changing a version below.
Each package is fetched with ``npm pack`` into a temporary directory and only its distribution
files are copied, so no ``node_modules`` and no CDN are involved. The result is committed.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
VENDOR_DIR = REPO_ROOT / "static" / "vendor"

# package -> (exact version, [(path inside the package, destination relative to static/vendor)])
PACKAGES: dict[str, tuple[str, list[tuple[str, str]]]] = {
    "bootstrap": (
        "5.3.9",
        [
            ("dist/css/bootstrap.min.css", "bootstrap/css/bootstrap.min.css"),
            # The right-to-left build of the same version, loaded instead for Arabic pages.
            ("dist/css/bootstrap.rtl.min.css", "bootstrap/css/bootstrap.rtl.min.css"),
            ("dist/js/bootstrap.bundle.min.js", "bootstrap/js/bootstrap.bundle.min.js"),
            ("LICENSE", "bootstrap/LICENSE"),
        ],
    ),
    "bootstrap-icons": (
        "1.13.2",
        [
            ("font/bootstrap-icons.min.css", "bootstrap-icons/bootstrap-icons.min.css"),
            ("font/fonts/bootstrap-icons.woff2", "bootstrap-icons/fonts/bootstrap-icons.woff2"),
            ("font/fonts/bootstrap-icons.woff", "bootstrap-icons/fonts/bootstrap-icons.woff"),
            ("LICENSE", "bootstrap-icons/LICENSE"),
        ],
    ),
    "htmx.org": (
        "2.0.11",
        [
            ("dist/htmx.min.js", "htmx/htmx.min.js"),
            ("LICENSE", "htmx/LICENSE"),
        ],
    ),
    "chart.js": (
        "4.6.1",
        [
            ("dist/chart.umd.js", "chartjs/chart.umd.js"),
            ("LICENSE.md", "chartjs/LICENSE.md"),
        ],
    ),
    # Loaded only by the browser test suite (tests/browser/test_site_audit.py), never by a page.
    "axe-core": (
        "4.14.1",
        [
            ("axe.min.js", "axe-core/axe.min.js"),
            ("LICENSE", "axe-core/LICENSE"),
        ],
    ),
}

SOURCE_MAP_COMMENT_PREFIXES = ("//# sourceMappingURL=", "/*# sourceMappingURL=")


def strip_source_map_comment(path: Path) -> None:
    """Drop the trailing sourceMappingURL comment: the .map files are not vendored and
    Django's ManifestStaticFilesStorage would otherwise fail on the missing file."""
    text = path.read_text(encoding="utf-8")
    lines = text.rstrip("\n").split("\n")
    if lines and lines[-1].lstrip().startswith(SOURCE_MAP_COMMENT_PREFIXES):
        lines.pop()
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def vendor_package(name: str, version: str, files: list[tuple[str, str]], workdir: Path) -> None:
    result = subprocess.run(
        ["npm", "pack", f"{name}@{version}", "--silent", "--pack-destination", str(workdir)],
        check=True,
        capture_output=True,
        text=True,
    )
    tarball = workdir / result.stdout.strip().splitlines()[-1]
    extract_dir = workdir / name
    with tarfile.open(tarball) as archive:
        archive.extractall(extract_dir, filter="data")
    package_dir = extract_dir / "package"
    for source, destination in files:
        target = VENDOR_DIR / destination
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(package_dir / source, target)
        if target.suffix in {".js", ".css"}:
            strip_source_map_comment(target)


def main() -> int:
    if shutil.which("npm") is None:
        print("npm is required to vendor the front-end files", file=sys.stderr)
        return 1
    if VENDOR_DIR.exists():
        shutil.rmtree(VENDOR_DIR)
    VENDOR_DIR.mkdir(parents=True)
    with tempfile.TemporaryDirectory() as tmp:
        for name, (version, files) in PACKAGES.items():
            print(f"vendoring {name}@{version}")
            vendor_package(name, version, files, Path(tmp))
    lines = [
        "# Front-end files vendored from the npm registry by scripts/vendor_frontend.py.",
        "# Do not edit by hand: change the versions in that script and run `make vendor`.",
    ]
    for name, (version, files) in PACKAGES.items():
        lines.append(f"{name}=={version}")
        lines += [f"#   {destination}" for _, destination in files if destination.endswith(".css")]
    (VENDOR_DIR / "VERSIONS.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
