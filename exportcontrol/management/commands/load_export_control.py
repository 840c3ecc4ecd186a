"""Load China's export/import technology catalogue entries from a CSV file (idempotent)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from exportcontrol.services import control_entries_load


class Command(BaseCommand):
    help = (
        "Load entries of the catalogues of technologies prohibited or restricted from export "
        "and import from a CSV file (catalogue, code, name_zh, name_en, control_points, "
        "revision). Rows already loaded are matched by catalogue and code; bad rows are "
        "reported and skipped."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "file", help="CSV file, e.g. exportcontrol/data/export_control_subset.csv"
        )

    def handle(self, *args, file: str, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"No such file: {file}")
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError as error:
            raise CommandError(f"{file} is not UTF-8 text: {error}") from error
        report = control_entries_load(text=text)
        for line, message in report.errors:
            self.stderr.write(f"line {line}: {message}")
        self.stdout.write(
            f"{report.created} created, {report.updated} updated, {report.unchanged} unchanged, "
            f"{len(report.errors)} bad row(s) skipped"
        )
