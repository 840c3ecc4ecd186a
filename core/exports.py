"""The one writer of tabular downloads (CSV, Excel and PDF tables) used by every export.

Every cell goes through `safe_cell()`: a text that a spreadsheet would read as a formula (it
starts with `=`, `+`, `-`, `@`, a tab or a carriage return) is prefixed with a single quote, as
OWASP recommends against CSV/formula injection, so a listing titled `=HYPERLINK(...)` is shown as
text and never evaluated. Real numbers (int, float, Decimal) stay numeric cells, negative ones
included; booleans and None become plain values.

Use `csv_bytes()` / `csv_response()` for CSV (UTF-8 with a byte-order mark so Excel opens
Chinese text correctly), `Spreadsheet` / `xlsx_response()` for Excel and `pdf_table_bytes()` for
the same rows as a PDF table (core.pdf; a PDF evaluates nothing, so its cells are formatted like
the others but not prefixed), or `table_bytes()` to pick one by name. Do not call `csv.writer`
or openpyxl's `Workbook` elsewhere.
"""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from django.http import HttpResponse
from django.utils import timezone

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"


def safe_text(text: str) -> str:
    """`text`, prefixed with a single quote when a spreadsheet would evaluate it."""
    if text and text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text


def safe_cell(value: Any) -> Any:
    """A cell value that no spreadsheet evaluates: numbers and dates as they are, anything else
    as neutralised text."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float | Decimal):
        return value
    if isinstance(value, datetime.datetime) and value.tzinfo is not None:
        # Excel has no time zones: the text of the site's local time, with its offset.
        return timezone.localtime(value).isoformat()
    if isinstance(value, datetime.date | datetime.time):
        return value
    return safe_text(str(value))


def cell_text(value: Any) -> str:
    """How a cell reads as text: dates in ISO form, aware times in the site's time zone."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime) and value.tzinfo is not None:
        return timezone.localtime(value).isoformat()
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    return str(value)


def _csv_cell(value: Any) -> str:
    return cell_text(safe_cell(value))


def csv_text(header: Sequence | None, rows: Iterable[Sequence]) -> str:
    """CSV text (without a byte-order mark) of `header` (optional) and `rows`."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    if header is not None:
        writer.writerow([_csv_cell(cell) for cell in header])
    for row in rows:
        writer.writerow([_csv_cell(cell) for cell in row])
    return buffer.getvalue()


def csv_bytes(header: Sequence | None, rows: Iterable[Sequence]) -> bytes:
    """UTF-8 CSV with a byte-order mark (lets Excel open Chinese text correctly)."""
    return ("\ufeff" + csv_text(header, rows)).encode("utf-8")


class Spreadsheet:
    """An Excel workbook written cell by neutralised cell.

    >>> book = Spreadsheet()
    >>> sheet = book.sheet("needs")
    >>> book.append(sheet, ["title", "budget"], bold=True)
    >>> book.append(sheet, ["=1+1", -5])
    >>> content = book.to_bytes()
    """

    def __init__(self) -> None:
        from openpyxl import Workbook

        self._workbook = Workbook()
        self._unused_default = self._workbook.active

    def sheet(self, title: str):
        if self._unused_default is not None:
            sheet, self._unused_default = self._unused_default, None
            sheet.title = (title or "Sheet")[:31]
            return sheet
        return self._workbook.create_sheet((title or "Sheet")[:31])

    def append(self, sheet, row: Sequence, *, bold: bool = False, size: float | None = None):
        values = [safe_cell(value) for value in row]
        sheet.append(values)
        for cell in sheet[sheet.max_row] if values else ():
            if isinstance(cell.value, str):
                cell.data_type = "s"  # never a formula, whatever the text
            if bold or size:
                from openpyxl.styles import Font

                cell.font = Font(bold=bold, size=size)

    def to_bytes(self) -> bytes:
        buffer = io.BytesIO()
        self._workbook.save(buffer)
        return buffer.getvalue()


def xlsx_bytes(header: Sequence | None, rows: Iterable[Sequence], *, sheet_title: str) -> bytes:
    """A one-sheet workbook of `header` (optional) and `rows`."""
    book = Spreadsheet()
    sheet = book.sheet(sheet_title)
    if header is not None:
        book.append(sheet, header)
    for row in rows:
        book.append(sheet, row)
    return book.to_bytes()


def pdf_table_bytes(
    header: Sequence,
    rows: Iterable[Sequence],
    *,
    title: str,
    column_widths_mm: Sequence[float],
    subtitle: str = "",
) -> bytes:
    """An A4 PDF headed by `title` (and `subtitle`) holding one table of `header` and `rows`."""
    from core.pdf import build_pdf, data_table, paragraph, spacer

    table = data_table(
        [cell_text(cell) for cell in header],
        [[cell_text(cell) for cell in row] for row in rows],
        column_widths_mm=column_widths_mm,
    )
    flowables = [paragraph(subtitle), spacer(4), table] if subtitle else [table]
    return build_pdf(title=title, flowables=flowables)


TABLE_CONTENT_TYPES = {
    "csv": CSV_CONTENT_TYPE,
    "xlsx": XLSX_CONTENT_TYPE,
    "pdf": "application/pdf",
}


def _attachment(content: bytes, *, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def csv_response(header: Sequence | None, rows: Iterable[Sequence], *, filename: str):
    return _attachment(csv_bytes(header, rows), content_type=CSV_CONTENT_TYPE, filename=filename)


def xlsx_response(
    header: Sequence | None, rows: Iterable[Sequence], *, filename: str, sheet_title: str
) -> HttpResponse:
    return _attachment(
        xlsx_bytes(header, rows, sheet_title=sheet_title),
        content_type=XLSX_CONTENT_TYPE,
        filename=filename,
    )
