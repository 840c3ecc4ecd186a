"""Export a programme's shortlist to CSV or Excel."""

from __future__ import annotations

import csv
import io

from django.http import HttpResponse
from django.utils import timezone

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
    stamp = timezone.localtime().strftime("%Y%m%d")
    name = f"programme-{programme.pk}-shortlist-{stamp}"
    if file_format == "xlsx":
        from openpyxl import Workbook

        workbook = Workbook()
        sheet = workbook.active
        sheet.title = "shortlist"
        sheet.append(HEADER)
        for row in _rows(entries):
            sheet.append(row)
        buffer = io.BytesIO()
        workbook.save(buffer)
        response = HttpResponse(
            buffer.getvalue(),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
        return response
    buffer = io.StringIO()
    buffer.write("\ufeff")  # Excel opens UTF-8 CSV with Chinese correctly only with a BOM
    writer = csv.writer(buffer)
    writer.writerow(HEADER)
    writer.writerows(_rows(entries))
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    return response
