"""Import technologies from CSV or Excel: every row is checked, and nothing is saved unless all
rows are valid (the report names each wrong row and field).

Files are refused above IMPORT_MAX_BYTES before anything is read, an .xlsx whose members unpack
to more than IMPORT_MAX_UNCOMPRESSED_BYTES before it is opened; rows are then streamed (csv over
a text wrapper, openpyxl in read-only mode) and reading stops at the first row past MAX_ROWS."""

from __future__ import annotations

import codecs
import csv
import io
import zipfile
from collections.abc import Iterator

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from catalog import services
from catalog.models import Technology
from core.exports import csv_text

MAX_ROWS = 2000
# Columns read per row of a sheet (there are len(COLUMNS) known ones; more is a wrong file).
MAX_COLUMNS = 64
MAX_ARCHIVE_MEMBERS = 1000
CSV_SNIFF_BYTES = 64 * 1024
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


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.0f}"


def _check_size(upload) -> None:
    """Refuse a file above IMPORT_MAX_BYTES before reading any of it."""
    limit = settings.IMPORT_MAX_BYTES
    size = getattr(upload, "size", None)
    if size is None:
        position = upload.tell()
        size = upload.seek(0, io.SEEK_END)
        upload.seek(position)
    if size > limit:
        raise _file_error(
            _("The file is larger than %(limit)s MB: split it into smaller files.")
            % {"limit": _megabytes(limit)}
        )


def _check_xlsx_archive(upload) -> None:
    """An .xlsx is a zip: refuse one whose members unpack to more than
    IMPORT_MAX_UNCOMPRESSED_BYTES (a zip bomb) before openpyxl opens it. zipfile never inflates
    a member beyond its declared size, so the declared sizes are a safe bound."""
    limit = settings.IMPORT_MAX_UNCOMPRESSED_BYTES
    try:
        with zipfile.ZipFile(upload) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError) as error:
        raise _file_error(_("The file is not a readable Excel workbook.")) from error
    finally:
        upload.seek(0)
    if len(members) > MAX_ARCHIVE_MEMBERS or sum(m.file_size for m in members) > limit:
        raise _file_error(
            _("The Excel file unpacks to more than %(limit)s MB: it cannot be imported.")
            % {"limit": _megabytes(limit)}
        )


def _xlsx_cells(upload) -> Iterator[list[str]]:
    """The rows of the first sheet, read one at a time (openpyxl read-only mode)."""
    from openpyxl import load_workbook

    _check_xlsx_archive(upload)
    try:
        workbook = load_workbook(upload, read_only=True, data_only=True)
        sheet = workbook.worksheets[0]
    except Exception as error:
        raise _file_error(_("The file is not a readable Excel workbook.")) from error
    try:
        # The declared dimension may claim 16,384 columns: ignore it, read at most MAX_COLUMNS.
        sheet.reset_dimensions()
        rows = sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True)
        while True:
            try:
                row = next(rows)
            except StopIteration:
                return
            except Exception as error:
                raise _file_error(_("The file is not a readable Excel workbook.")) from error
            cells = ["" if cell is None else str(cell).strip() for cell in row]
            while cells and not cells[-1]:
                cells.pop()
            yield cells
    finally:
        workbook.close()


def _csv_encoding(upload) -> str:
    head = upload.read(CSV_SNIFF_BYTES)
    upload.seek(0)
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        decoder.decode(head, final=False)
    except UnicodeDecodeError:
        return "gb18030"
    return "utf-8-sig"


class _NotUtf8(Exception):
    """A CSV whose start read as UTF-8 has a byte further on that is not: read it as GB18030."""


def _csv_cells(upload, encoding: str | None = None) -> Iterator[list[str]]:
    """The rows of a UTF-8 (or GB18030) CSV, decoded and parsed as they are read."""
    upload.seek(0)
    encoding = encoding or _csv_encoding(upload)
    stream = getattr(upload, "file", upload)
    text = io.TextIOWrapper(stream, encoding=encoding, newline="")
    try:
        reader = csv.reader(text)
        while True:
            try:
                row = next(reader)
            except StopIteration:
                return
            except UnicodeDecodeError as error:
                if encoding != "gb18030":
                    raise _NotUtf8 from error
                raise _file_error(_("The CSV file must be UTF-8 or GB18030.")) from error
            except csv.Error as error:
                raise ImportFailed(
                    [
                        (
                            reader.line_num,
                            "file",
                            _("This line is not valid CSV: %(error)s.") % {"error": error},
                        )
                    ]
                ) from error
            yield [cell.strip() for cell in row]
    finally:
        # Leave the upload open for its owner (closing the wrapper would close it).
        text.detach()


def _rows_from_upload(upload) -> list[dict | None]:
    """The data rows as dicts (None for a blank row). The file is read as a stream and reading
    stops at the first row past MAX_ROWS: a huge file costs no more than a full one."""
    name = (upload.name or "").lower()
    if name.endswith(".xlsx"):
        reader = _xlsx_cells
    elif name.endswith(".csv"):
        reader = _csv_cells
    else:
        raise _file_error(_("Upload a .csv or .xlsx file."))
    _check_size(upload)
    try:
        return _rows_from_lines(reader(upload))
    except _NotUtf8:
        return _rows_from_lines(_csv_cells(upload, encoding="gb18030"))


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
