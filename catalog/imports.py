"""Import technologies from CSV or Excel with the template's fixed columns: every row is checked,
and nothing is saved unless all rows are valid (the report names each wrong row and field).

The files are read by core.tabular (size and zip-bomb limits before reading, rows streamed);
reading stops at the first row past MAX_ROWS. Imports of other platforms' exports, with a column
mapping and a per-row report, are the `imports` app's."""

from __future__ import annotations

from collections.abc import Iterator

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from catalog import services
from catalog.models import Technology
from core import tabular
from core.exports import csv_text

MAX_ROWS = 2000
LIST_SEPARATOR = ";"
# The columns of an import file: the listing's editable fields up to its economic case, then
# the offer as modes and one price, the IP records in one cell, impact and regions.
COLUMNS = (
    *Technology.EDITABLE_FIELDS[: Technology.EDITABLE_FIELDS.index("economic_comparison") + 1],
    "transaction_modes",
    "asking_price",
    "currency",
    "patents",
    "co2e_avoided_tonnes_per_year",
    "co2e_method",
    "region",
    "target_regions",
)


def column_labels() -> dict[str, str]:
    """Each import column with the name people read: its field's label (the IP records by
    their model's plural name)."""
    labels = {}
    for column in COLUMNS:
        field = Technology._meta.get_field(column)
        label = (
            field.verbose_name if field.concrete else field.related_model._meta.verbose_name_plural
        )
        labels[column] = capfirst(label)
    return labels


class ImportFailed(Exception):
    """The file or some rows are wrong; `errors` is a list of (row number, field, message)."""

    def __init__(self, errors: list[tuple[int, str, str]]):
        super().__init__(f"{len(errors)} errors")
        self.errors = errors


def _file_error(message: str) -> ImportFailed:
    return ImportFailed([(0, "file", message)])


# The readers are core.tabular's; named here so that tests can count the rows each yields.
_xlsx_cells = tabular.xlsx_cells
_csv_cells = tabular.csv_cells


def _rows_from_upload(upload) -> list[dict | None]:
    """The data rows as dicts (None for a blank row). The file is read as a stream and reading
    stops at the first row past MAX_ROWS: a huge file costs no more than a full one."""
    kind = tabular.file_kind(upload.name)
    if kind not in ("csv", "xlsx"):
        raise _file_error(_("Upload a .csv or .xlsx file."))
    try:
        tabular.check_size(upload)
        try:
            return _rows_from_lines(_xlsx_cells(upload) if kind == "xlsx" else _csv_cells(upload))
        except tabular.NotUtf8:
            return _rows_from_lines(_csv_cells(upload, encoding=tabular.GB18030))
    except tabular.TabularFileError as error:
        raise ImportFailed([(error.line, "file", error.message)]) from error


def _rows_from_lines(lines: Iterator[list[str]]) -> list[dict | None]:
    try:
        first = next(lines, None)
        if first is None or not any(first):
            raise _file_error(_("The file is empty."))
        header = [cell.strip().lower() for cell in first]
        unknown = [column for column in header if column and column not in COLUMNS]
        missing = [column for column in ("category", "trl") if column not in header]
        if unknown or missing:
            errors = [(1, column, _("Unknown column.")) for column in unknown]
            errors += [(1, column, _("This column is required.")) for column in missing]
            raise ImportFailed(errors)
        rows: list[dict | None] = []
        for cells in lines:
            if len(rows) >= MAX_ROWS:
                raise _file_error(_("At most %(max)d rows per file.") % {"max": MAX_ROWS})
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
    finally:
        lines.close()
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
