from django.core.management.base import BaseCommand

from registry.services import records_backfill


class Command(BaseCommand):
    help = (
        "Open the technology contract record of every completed deal that has none "
        "(idempotent: running it again opens nothing new)."
    )

    def handle(self, *args, **options):
        opened = records_backfill()
        self.stdout.write(f"{opened} contract record(s) opened")
