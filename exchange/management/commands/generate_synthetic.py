import time

from django.core.management.base import BaseCommand

from catalog.synthetic import generate_technologies


class Command(BaseCommand):
    help = "Bulk-create realistic-looking synthetic data for benchmarks (never for production)."

    def add_arguments(self, parser):
        parser.add_argument("--technologies", type=int, default=0, help="How many technologies.")
        parser.add_argument("--needs", type=int, default=0, help="How many needs (exchange).")
        parser.add_argument("--seed", type=int, default=2026)

    def handle(self, *args, **options):
        # Each kind of data is one small block, so other apps can add theirs (e.g. --needs).
        if options["technologies"]:
            started = time.perf_counter()
            count = generate_technologies(options["technologies"], seed=options["seed"])
            elapsed = time.perf_counter() - started
            self.stdout.write(
                f"{count} technologies in {elapsed:.1f} s ({count / max(elapsed, 1e-9):,.0f}/s)"
            )
        if options["needs"]:
            from exchange.synthetic import generate_needs

            started = time.perf_counter()
            count = generate_needs(options["needs"], seed=options["seed"])
            elapsed = time.perf_counter() - started
            self.stdout.write(
                f"{count} needs in {elapsed:.1f} s ({count / max(elapsed, 1e-9):,.0f}/s)"
            )
