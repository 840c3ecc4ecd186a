"""Export search results to CSV or Excel."""

from __future__ import annotations

import csv
import io

from django.http import HttpResponse
from django.utils import timezone

MAX_EXPORT_ROWS = 5000
HEADER = (
    "id",
    "title_zh",
    "title_en",
    "summary_zh",
    "summary_en",
    "category",
    "trl",
    "transaction_modes",
    "asking_price",
    "currency",
    "region",
    "holder",
    "has_granted_patent",
    "published_at",
)


def _rows(technologies):
    for technology in technologies:
        yield [
            technology.pk,
            technology.title_zh,
            technology.title_en,
            technology.summary_zh,
            technology.summary_en,
            technology.category.code,
            technology.trl,
            ";".join(technology.transaction_modes),
            "" if technology.asking_price is None else str(technology.asking_price),
            technology.currency,
            technology.region,
            technology.organization.display_name,
            "yes" if technology.has_granted_patent else "no",
            technology.published_at.isoformat() if technology.published_at else "",
        ]


def _filename(extension: str) -> str:
    return f"technologies-{timezone.now():%Y%m%d-%H%M}.{extension}"


def technologies_csv_response(technologies) -> HttpResponse:
    buffer = io.StringIO()
    buffer.write("\ufeff")  # lets Excel open UTF-8 Chinese text correctly
    writer = csv.writer(buffer)
    writer.writerow(HEADER)
    writer.writerows(_rows(technologies))
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_filename("csv")}"'
    return response


def technologies_xlsx_response(technologies) -> HttpResponse:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("technologies")
    sheet.append(list(HEADER))
    for row in _rows(technologies):
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{_filename("xlsx")}"'
    return response
