"""Export search results to CSV or Excel (through core.exports, which neutralises formulas).

Only public fields of a technology are exported: every column is checked against the catalog's
field policy (catalog.visibility) when this module is imported.
"""

from __future__ import annotations

from django.http import HttpResponse
from django.utils import timezone

from catalog.visibility import TECHNOLOGY_FIELDS, Clearance
from core.exports import csv_response, xlsx_response

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
TECHNOLOGY_FIELDS.require(HEADER, clearance=Clearance.PUBLIC, where="catalog.exports.HEADER")


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
            "" if technology.asking_price is None else technology.asking_price,
            technology.currency,
            technology.region,
            technology.organization.display_name,
            "yes" if technology.has_granted_patent else "no",
            (
                timezone.localtime(technology.published_at).isoformat()
                if technology.published_at
                else ""
            ),
        ]


def _filename(extension: str) -> str:
    return f"technologies-{timezone.localtime():%Y%m%d-%H%M}.{extension}"


def technologies_csv_response(technologies) -> HttpResponse:
    return csv_response(HEADER, _rows(technologies), filename=_filename("csv"))


def technologies_xlsx_response(technologies) -> HttpResponse:
    return xlsx_response(
        HEADER, _rows(technologies), filename=_filename("xlsx"), sheet_title="technologies"
    )
