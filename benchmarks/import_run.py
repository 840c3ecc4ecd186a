"""An import run of a 3,000-row real-shaped export: rows per second and peak memory.

Creates a throw-away database `<DATABASE_URL's name>_import_run_bench` on the same server and
migrates it. The file is the tests' generated export (tests/imports/realistic.py: 300-character
titles, HTML, empty fields, duplicates, unknown categories, formula cells, a wrong patent check
digit). Measured in the same run:
  - baseline: reading and cleaning every row (core.tabular + imports.fields.RowReader), no writes;
  - the import run: upload analysis, then imports.services.import_run_process (every row through
    technology_create in its own savepoint, batches of 100 committed with their results);
  - the re-import of the same file (every row recognised by its source id and skipped);
  - the old all-or-nothing catalog.imports path on a 1,000-row file of its fixed columns.
Peak memory: the process's peak resident set (getrusage) and, in a separate pass of the
re-import, the peak of Python allocations (tracemalloc). Celery goes to an in-memory broker; the
service is called directly, as the worker's task does.
Run:  DATABASE_URL=postgres://... python benchmarks/import_run.py [--rows 3000]
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
import tracemalloc
from pathlib import Path

from _common import ThrowAwayDatabase, machine_description

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=3000)
    arguments = parser.parse_args()

    database = ThrowAwayDatabase("import_run_bench")
    os.environ["CELERY_BROKER_URL"] = "memory://"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DEBUG", "false")
    import django

    django.setup()
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.core.management import call_command
    from django.db import connection

    from catalog import imports as old_imports
    from core import tabular
    from imports import services
    from imports.choices import ImportKind
    from imports.fields import RowReader
    from imports.models import ImportRun
    from tests.factories import OrganizationFactory, UserFactory
    from tests.imports import realistic

    def peak_rss_mb() -> float:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    def run_import(user, organization, source, content: bytes) -> tuple[ImportRun, float]:
        started = time.perf_counter()
        run = services.import_run_create(
            user=user,
            organization=organization,
            upload=SimpleUploadedFile("export.csv", content),
            kind=ImportKind.TECHNOLOGIES,
            source=source,
        )
        run = services.import_run_start(user=user, run=run, column_mapping=realistic.MAPPING)
        services.import_run_process(run_id=run.pk)
        elapsed = time.perf_counter() - started
        run.refresh_from_db()
        return run, elapsed

    try:
        call_command("migrate", verbosity=0)
        with connection.cursor() as cursor:
            cursor.execute("SELECT version()")
            server = cursor.fetchone()[0].split(",")[0]
        organization = OrganizationFactory(region="CN-JS")
        user = UserFactory(roles=["holder"], organization=organization)
        source = services.import_source_save(
            user=user, organization=organization, name="bench", kind=ImportKind.TECHNOLOGIES
        )
        rows, _expected = realistic.realistic_rows(arguments.rows)
        content = realistic.csv_bytes(rows)

        # baseline: read and clean every row, write nothing
        started = time.perf_counter()
        lines = tabular.csv_cells(SimpleUploadedFile("export.csv", content), encoding="utf-8-sig")
        header = next(lines)
        reader = RowReader(
            kind=ImportKind.TECHNOLOGIES,
            columns=header,
            mapping=realistic.MAPPING,
            value_mappings={},
        )
        parsed = sum(1 for cells in lines if reader.read(cells))
        parse_seconds = time.perf_counter() - started

        rss_before = peak_rss_mb()
        first, first_seconds = run_import(user, organization, source, content)
        again, again_seconds = run_import(user, organization, source, content)
        rss_after = peak_rss_mb()
        tracemalloc.start()
        _third, _ = run_import(user, organization, source, content)
        _current, traced_peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()

        # the old all-or-nothing path, on a file of its own fixed columns
        template = old_imports.template_csv().splitlines()
        old_rows = 1000
        body = "\n".join(
            [template[0]]
            + [
                template[1].replace("高浓度有机废水", f"高浓度有机废水{index}号")
                for index in range(old_rows)
            ]
        )
        started = time.perf_counter()
        old_imports.technologies_import(
            user=user, organization=organization, upload=SimpleUploadedFile("t.csv", body.encode())
        )
        old_seconds = time.perf_counter() - started
    finally:
        database.drop()

    print(machine_description(server))
    print(
        f"file: {arguments.rows:,} rows, {len(content) / 1024:.0f} KiB CSV; first run "
        f"created {first.created_count}, skipped {first.skipped_count}, refused "
        f"{first.failed_count}; re-import created {again.created_count}, updated "
        f"{again.updated_count}, skipped {again.skipped_count}, refused {again.failed_count}"
    )
    for label, count, seconds in (
        ("baseline: read + clean only, no writes", parsed, parse_seconds),
        ("import run (first import)", first.total, first_seconds),
        ("import run (re-import, all recognised)", again.total, again_seconds),
        ("old catalog.imports path (1,000 valid rows)", old_rows, old_seconds),
    ):
        print(f"{label:<46} {count / seconds:8.1f} rows/s   ({seconds:6.1f} s for {count:,} rows)")
    print(
        f"peak memory: resident set {rss_after:.0f} MB (was {rss_before:.0f} MB before the two "
        f"runs); Python allocations during a re-import peaked at {traced_peak / 2**20:.1f} MB"
    )


if __name__ == "__main__":
    main()
