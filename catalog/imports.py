"""Import technologies from CSV or Excel: every row is checked, and nothing is saved unless all
rows are valid (the report names each wrong row and field)."""

from __future__ import annotations

import csv
import io

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from catalog import services
from core.exports import csv_text

MAX_ROWS = 2000
LIST_SEPARATOR = ";"
COLUMNS = (
    "title_zh",
    "title_en",
    "summary_zh",
    "summary_en",
    "description_zh",
    "description_en",
    "category",
    "keywords",
    "trl",
    "application_scope",
    "advantages",
    "economic_comparison",
    "transaction_modes",
    "asking_price",
    "currency",
    "patents",
    "co2e_avoided_tonnes_per_year",
    "co2e_method",
    "region",
    "target_regions",
)


class ImportFailed(Exception):
    """The file or some rows are wrong; `errors` is a list of (row number, field, message)."""

    def __init__(self, errors: list[tuple[int, str, str]]):
        super().__init__(f"{len(errors)} errors")
        self.errors = errors


def _rows_from_upload(upload) -> list[dict]:
    name = (upload.name or "").lower()
    if name.endswith(".xlsx"):
        from openpyxl import load_workbook

        try:
            workbook = load_workbook(upload, read_only=True, data_only=True)
        except Exception as error:
            raise ImportFailed(
                [(0, "file", _("The file is not a readable Excel workbook."))]
            ) from error
        sheet = workbook.worksheets[0]
        values = [
            ["" if cell is None else str(cell).strip() for cell in row]
            for row in sheet.iter_rows(values_only=True)
        ]
    elif name.endswith(".csv"):
        raw = upload.read()
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            try:
                text = raw.decode("gb18030")
            except UnicodeDecodeError as error:
                raise ImportFailed(
                    [(0, "file", _("The CSV file must be UTF-8 or GB18030."))]
                ) from error
        values = [[cell.strip() for cell in row] for row in csv.reader(io.StringIO(text))]
    else:
        raise ImportFailed([(0, "file", _("Upload a .csv or .xlsx file."))])
    if not values:
        raise ImportFailed([(0, "file", _("The file is empty."))])
    header = [cell.strip().lower() for cell in values[0]]
    unknown = [column for column in header if column and column not in COLUMNS]
    missing = [column for column in ("category", "trl") if column not in header]
    if unknown or missing:
        errors = [(1, column, _("Unknown column.")) for column in unknown]
        errors += [(1, column, _("This column is required.")) for column in missing]
        raise ImportFailed(errors)
    rows = []
    for cells in values[1:]:
        if not any(cells):
            rows.append(None)
            continue
        rows.append(
            {
                column: (cells[i] if i < len(cells) else "")
                for i, column in enumerate(header)
                if column
            }
        )
    if len(rows) > MAX_ROWS:
        raise ImportFailed([(0, "file", _("At most %(max)d rows per file.") % {"max": MAX_ROWS})])
    return rows


def _split(value: str) -> list[str]:
    return [
        part.strip()
        for part in (value or "").replace("；", LIST_SEPARATOR).split(LIST_SEPARATOR)
        if part.strip()
    ]


def row_to_data(row: dict) -> dict:
    """A service payload from one row; patents as `number|kind|status` separated by `;`."""
    data: dict = {}
    for column, value in row.items():
        if column in ("keywords", "target_regions", "transaction_modes"):
            data[column] = _split(value)
        elif column == "patents":
            patents = []
            for item in _split(value):
                number, kind, status = ([*item.split("|"), "", ""])[:3]
                patents.append(
                    {
                        "number": number.strip(),
                        "kind": kind.strip() or "invention_patent",
                        "status": status.strip() or "granted",
                        "jurisdiction": "CN",
                    }
                )
            data["patents"] = patents
        elif column == "trl":
            try:
                data["trl"] = int(float(value)) if value else None
            except ValueError:
                data["trl"] = value
        elif column in ("asking_price", "co2e_avoided_tonnes_per_year"):
            data[column] = value or None
        else:
            data[column] = value
    if "currency" in data and not data["currency"]:
        data.pop("currency")
    return data


def technologies_import(*, user, organization, upload) -> list:
    """Create one draft per row, all or nothing; raise ImportFailed with every row's errors."""
    rows = _rows_from_upload(upload)
    errors: list[tuple[int, str, str]] = []
    created = []
    with transaction.atomic():
        for number, row in enumerate(rows, start=2):
            if row is None:
                continue
            data = row_to_data(row)
            if isinstance(data.get("trl"), str):
                errors.append((number, "trl", _("TRL must be a whole number from 1 to 9.")))
                continue
            try:
                with transaction.atomic():
                    created.append(
                        services.technology_create(user=user, organization=organization, data=data)
                    )
            except ValidationError as error:
                for field, messages in getattr(error, "message_dict", {"": error.messages}).items():
                    errors.extend((number, field, message) for message in messages)
        if not created and not errors:
            errors.append((0, "file", _("The file has no technology rows.")))
        if errors:
            transaction.set_rollback(True)
    if errors:
        raise ImportFailed(errors)
    return created


def template_csv() -> str:
    return csv_text(
        COLUMNS,
        [
            [
                "高浓度有机废水厌氧处理技术",
                "Anaerobic treatment of high-strength organic wastewater",
                "采用内循环厌氧反应器处理化工高浓度有机废水。",
                "An internal-circulation anaerobic reactor for high-strength chemical wastewater.",
                "",
                "",
                "2.4",
                "厌氧;有机废水;IC反应器",
                "7",
                "化工、制药",
                "",
                "",
                "license;transfer",
                "800000",
                "CNY",
                "ZL202010123456.2|invention_patent|granted",
                "1200",
                "与好氧处理相比的电耗差额折算",
                "CN-JS",
                "CN-ZJ;CN-SD",
            ]
        ],
    )
