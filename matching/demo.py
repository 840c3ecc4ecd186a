"""Demo data: match every published demo need against the published demo technologies."""

from django.db import transaction

from exchange.models import Need
from matching.choices import RunSubject, RunTrigger
from matching.models import Match
from matching.services import (
    MATCHABLE_NEED_STATUSES,
    matching_run_create,
    matching_run_execute,
    technology_profiles_refresh,
)
from matching.statistics import corpus_statistics


def seed() -> str:
    """Idempotent: runs upsert one Match row per pair, so seeding twice changes nothing."""
    with transaction.atomic():
        technology_profiles_refresh()
    corpus_statistics(refresh=True)
    need_ids = list(
        Need.objects.filter(status__in=MATCHABLE_NEED_STATUSES)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    for need_id in need_ids:
        run = matching_run_create(
            subject=RunSubject.NEED, subject_id=need_id, trigger=RunTrigger.MANUAL
        )
        matching_run_execute(run_id=run.pk)
    strong = Match.objects.strong().count()
    return f"matched {len(need_ids)} needs: {Match.objects.count()} matches, {strong} strong"
