"""Export a programme's shortlist to CSV or Excel."""

from __future__ import annotations

from django.http import HttpResponse
from django.utils import timezone

from core.exports import csv_response, xlsx_response
from programmes.choices import SCREENING_CRITERIA
from programmes.selectors.programmes import entry_expert_median

HEADER = [
    "rank",
    "technology_id",
    "title",
    "holder",
    "region",
    "category",
    "trl",
    "total_score",
    *[f"{name}_contribution" for name, _label in SCREENING_CRITERIA],
    "expert_median",
    "status",
    "holder_invited",
    "holder_response",
]


def _rows(entries):
    for entry in entries:
        technology = entry.technology
        yield [
            entry.rank,
            technology.pk,
            technology.title,
            technology.organization.display_name,
            technology.region,
            technology.category.code,
            technology.trl,
            float(entry.total_score),
            *[
                entry.components.get(name, {}).get("contribution", 0)
                for name, _ in SCREENING_CRITERIA
            ],
            entry_expert_median(entry),
            entry.status,
            bool(entry.holder_invited_at),
            entry.holder_response,
        ]


def shortlist_response(*, programme, entries, file_format: str) -> HttpResponse:
    """The shortlist as Excel or CSV, formulas neutralised (core.exports)."""
    stamp = timezone.localtime().strftime("%Y%m%d")
    name = f"programme-{programme.pk}-shortlist-{stamp}"
    if file_format == "xlsx":
        return xlsx_response(
            HEADER, _rows(entries), filename=f"{name}.xlsx", sheet_title="shortlist"
        )
    return csv_response(HEADER, _rows(entries), filename=f"{name}.csv")
