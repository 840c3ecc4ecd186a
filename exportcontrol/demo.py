"""Demo data: the shipped subset of the export-control catalogue (idempotent loader)."""

from pathlib import Path

from exportcontrol.services import control_entries_load

SUBSET = Path(__file__).resolve().parent / "data" / "export_control_subset.csv"


def seed() -> str:
    report = control_entries_load(text=SUBSET.read_text(encoding="utf-8"))
    return (
        f"export-control catalogue subset: {report.created} created, {report.updated} updated, "
        f"{report.unchanged} unchanged"
    )
