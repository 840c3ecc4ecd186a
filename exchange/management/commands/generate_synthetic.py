import time

from django.core.management.base import BaseCommand

from catalog.synthetic import generate_technologies
from exchange.synthetic import generate_needs


class Command(BaseCommand):
    # In exchange, the lowest app that knows both kinds of listing (catalog knows no need).
    help = "Bulk-create realistic-looking synthetic data for benchmarks (never for production)."

    def add_arguments(self, parser):
        parser.add_argument("--technologies", type=int, default=0, help="How many technologies.")
        parser.add_argument("--needs", type=int, default=0, help="How many needs (exchange).")
        parser.add_argument("--seed", type=int, default=2026)

    def handle(self, *args, **options):
        generators = (("technologies", generate_technologies), ("needs", generate_needs))
        for option, generate in generators:
            if not options[option]:
                continue
            started = time.perf_counter()
            count = generate(options[option], seed=options["seed"])
            elapsed = time.perf_counter() - started
            self.stdout.write(
                f"{count} {option} in {elapsed:.1f} s ({count / max(elapsed, 1e-9):,.0f}/s)"
            )
