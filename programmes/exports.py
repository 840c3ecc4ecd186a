"""Export a programme's shortlist to CSV or Excel."""

from __future__ import annotations

from django.http import HttpResponse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from core.exports import (
    TABLE_CONTENT_TYPES,
    csv_bytes,
    csv_response,
    pdf_table_bytes,
    xlsx_bytes,
    xlsx_response,
)
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


# --- scenario lists ---------------------------------------------------------------------------

SCENARIO_LIST_PDF_COLUMN_WIDTHS_MM = (10, 40, 35, 20, 20, 30, 25)


def scenario_list_rows(scenarios) -> tuple[list[str], list[list]]:
    """The rows of a published scenario list, labels in the reader's language."""
    header = [
        _("No."),
        _("Scenario"),
        _("Site"),
        _("Region"),
        _("Industry"),
        _("Capacity on offer"),
        _("Applications close"),
        _("Problem to solve"),
    ]
    rows = [
        [
            position,
            scenario.title,
            scenario.site,
            scenario.region_label,
            scenario.industry.name if scenario.industry else "",
            scenario.capacity,
            date_format(timezone.localtime(scenario.closes_at), "Y-m-d H:i"),
            scenario.problem,
        ]
        for position, scenario in enumerate(scenarios, start=1)
    ]
    return header, rows


def scenario_list_response(*, scenario_list, scenarios, file_format: str) -> HttpResponse:
    """The list as CSV, Excel or PDF (core.exports; the PDF leaves the long problem text out)."""
    header, rows = scenario_list_rows(scenarios)
    if file_format == "csv":
        content = csv_bytes(header, rows)
    elif file_format == "xlsx":
        content = xlsx_bytes(header, rows, sheet_title=str(_("Scenarios")))
    else:
        content = pdf_table_bytes(
            header[:-1],
            [row[:-1] for row in rows],
            title=scenario_list.title,
            subtitle=scenario_list.period,
            column_widths_mm=SCENARIO_LIST_PDF_COLUMN_WIDTHS_MM,
        )
    response = HttpResponse(content, content_type=TABLE_CONTENT_TYPES[file_format])
    response["Content-Disposition"] = (
        f'attachment; filename="scenario-list-{scenario_list.pk}.{file_format}"'
    )
    return response
