"""Demo contract records: the record of each completed demo deal, opened as on completion."""

from registry.services import records_backfill


def seed() -> str:
    opened = records_backfill()
    return f"{opened} contract records opened"
