from django.core.management.base import BaseCommand, CommandError

from insight.choices import RunStatus, RunTrigger
from insight.services import statistics_refresh


class Command(BaseCommand):
    help = "Recompute the statistics summary tables now (the beat task does it every 10 minutes)."

    def handle(self, *args, **options):
        run = statistics_refresh(trigger=RunTrigger.COMMAND)
        if run.status == RunStatus.SKIPPED:
            raise CommandError("Another refresh is running; nothing was recomputed.")
        self.stdout.write(
            self.style.SUCCESS(f"Statistics refreshed in {run.duration_ms} ms (run {run.pk}).")
        )
