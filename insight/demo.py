"""Demo: refresh the statistics after every other app's demo data is in (idempotent: a refresh
replaces the previous summary rows)."""

from insight.choices import RunTrigger
from insight.models import ImpactDefaults
from insight.services import statistics_refresh


def seed() -> str:
    ImpactDefaults.current()
    run = statistics_refresh(trigger=RunTrigger.DEMO)
    return f"statistics refreshed in {run.duration_ms} ms ({run.status})"
