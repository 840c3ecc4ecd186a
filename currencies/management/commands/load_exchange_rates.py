from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from currencies.services import exchange_rates_load


class Command(BaseCommand):
    help = (
        "Load exchange rates (yuan per unit) from a CSV list such as the CFETS central parity "
        "(人民币汇率中间价); safe to run again on the same file."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="CSV file (UTF-8 or GB18030)")
        parser.add_argument(
            "--source", default="", help="source recorded on rows whose list has no source column"
        )
        parser.add_argument(
            "--strict", action="store_true", help="load nothing if any row cannot be read"
        )

    def handle(self, *args, file, source, strict, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        report = exchange_rates_load(
            data=path.read_bytes(), source=source or path.stem, strict=strict
        )
        for line, message in report.errors:
            self.stderr.write(f"line {line}: {message}")
        for code, count in sorted(report.ignored.items()):
            self.stdout.write(f"ignored {count} rate(s) of {code}: not a currency of the platform")
        if strict and report.errors:
            raise CommandError(f"{len(report.errors)} bad row(s); nothing loaded (--strict)")
        self.stdout.write(
            f"{report.created} created, {report.updated} updated, {report.unchanged} unchanged, "
            f"{len(report.errors)} bad row(s)"
        )
