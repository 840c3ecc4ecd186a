"""python manage.py rematch --all | --need ID... | --technology ID... [--queue]"""

import sys
import time

from django.core.management.base import BaseCommand, CommandError

from catalog.choices import TechnologyStatus
from catalog.models import Technology
from exchange.models import Need
from matching.choices import RunStatus, RunSubject, RunTrigger
from matching.services import (
    MATCHABLE_NEED_STATUSES,
    RUN_BATCH_SIZE,
    matching_run_create,
    matching_run_execute,
    matching_runs_execute,
    schedule_matching_for_needs,
    schedule_matching_for_technology,
    technology_profiles_refresh,
)
from matching.statistics import corpus_statistics


def progress(stream, done: int, total: int, started: float, failed: int) -> None:
    width = 30
    filled = int(width * done / total) if total else width
    elapsed = time.monotonic() - started
    rate = done / elapsed if elapsed else 0.0
    stream.write(
        f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total} needs "
        f"{rate:.1f}/s, {failed} failed"
    )
    stream.flush()


class Command(BaseCommand):
    help = "Re-match needs (and refresh technology terms) by hand, with a progress bar."

    def add_arguments(self, parser):
        parser.add_argument("--all", action="store_true", help="every published need")
        parser.add_argument("--need", type=int, nargs="*", default=[], help="need ids")
        parser.add_argument("--technology", type=int, nargs="*", default=[], help="technology ids")
        parser.add_argument(
            "--queue", action="store_true", help="queue Celery runs instead of running here"
        )

    def handle(self, *args, **options):
        if not (options["all"] or options["need"] or options["technology"]):
            raise CommandError("Give --all, --need ID... or --technology ID...")
        need_ids = list(options["need"])
        technology_ids = list(options["technology"])
        if options["all"]:
            need_ids = list(
                Need.objects.filter(status__in=MATCHABLE_NEED_STATUSES)
                .order_by("pk")
                .values_list("pk", flat=True)
            )
        if options["queue"]:
            from django.db import transaction

            with transaction.atomic():
                schedule_matching_for_needs(need_ids, trigger=RunTrigger.MANUAL)
                for technology_id in technology_ids:
                    schedule_matching_for_technology(technology_id, trigger=RunTrigger.MANUAL)
            self.stdout.write(
                f"Queued {len(need_ids)} need and {len(technology_ids)} technology runs"
            )
            return
        refreshed = technology_profiles_refresh(
            technology_ids=None
            if options["all"]
            else technology_ids
            or Technology.objects.filter(status=TechnologyStatus.PUBLISHED).values_list(
                "pk", flat=True
            )
        )
        self.stdout.write(f"Refreshed the terms of {refreshed} technologies")
        corpus_statistics(refresh=True)
        failed = 0
        started = time.monotonic()
        stream = self.stdout if not sys.stdout.isatty() else sys.stdout
        done = 0
        for start in range(0, len(need_ids), RUN_BATCH_SIZE):
            runs = [
                matching_run_create(
                    subject=RunSubject.NEED, subject_id=need_id, trigger=RunTrigger.MANUAL
                )
                for need_id in need_ids[start : start + RUN_BATCH_SIZE]
            ]
            finished = matching_runs_execute(run_ids=[run.pk for run in runs])
            failed += len(runs) - sum(run.status == RunStatus.COMPLETED for run in finished)
            done += len(runs)
            progress(stream, done, len(need_ids), started, failed)
        for technology_id in technology_ids:
            run = matching_run_create(
                subject=RunSubject.TECHNOLOGY, subject_id=technology_id, trigger=RunTrigger.MANUAL
            )
            run = matching_run_execute(run_id=run.pk)
            failed += run is None or run.status == RunStatus.FAILED
        self.stdout.write(
            f"\nRe-matched {len(need_ids)} needs and {len(technology_ids)} technologies "
            f"in {time.monotonic() - started:.1f} s; {failed} failed"
        )
        if failed:
            raise CommandError(f"{failed} runs failed; see the matching runs")
