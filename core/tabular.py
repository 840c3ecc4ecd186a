"""Safe readers of uploaded tables (CSV, Excel, JSON) shared by every import.

A file is refused above its size limit before any of it is read, an .xlsx whose members unpack to
more than IMPORT_MAX_UNCOMPRESSED_BYTES before openpyxl opens it (a zip bomb), and rows are
streamed (csv over a text wrapper, openpyxl in read-only mode) so a caller that stops early reads
no further. Every problem is a TabularFileError whose message people can read."""

from __future__ import annotations

import codecs
import csv
import io
import json
import zipfile
from collections.abc import Iterator

from django.conf import settings
from django.utils.translation import gettext as _

# Columns read per row of a sheet: a declared dimension may claim 16,384.
MAX_COLUMNS = 64
MAX_ARCHIVE_MEMBERS = 1000
CSV_SNIFF_BYTES = 64 * 1024
READ_CHUNK_BYTES = 256 * 1024
UTF8 = "utf-8-sig"
GB18030 = "gb18030"  # a superset of GBK and GB2312


class TabularFileError(Exception):
    """The file cannot be read; `line` is the line it broke at (0: the file as a whole)."""

    def __init__(self, message: str, *, line: int = 0):
        super().__init__(message)
        self.message = message
        self.line = line


class NotUtf8(Exception):
    """A CSV whose start read as UTF-8 has a byte further on that is not."""


def megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.0f}"


def upload_size(upload) -> int:
    size = getattr(upload, "size", None)
    if size is None:
        position = upload.tell()
        size = upload.seek(0, io.SEEK_END)
        upload.seek(position)
    return size


def check_size(upload, *, limit: int | None = None) -> None:
    """Refuse a file above `limit` (IMPORT_MAX_BYTES) bytes before reading any of it."""
    limit = settings.IMPORT_MAX_BYTES if limit is None else limit
    if upload_size(upload) > limit:
        raise TabularFileError(
            _("The file is larger than %(limit)s MB: split it into smaller files.")
            % {"limit": megabytes(limit)}
        )


def check_xlsx_archive(upload) -> None:
    """An .xlsx is a zip: refuse one whose members unpack to more than
    IMPORT_MAX_UNCOMPRESSED_BYTES before openpyxl opens it. zipfile never inflates a member
    beyond its declared size, so the declared sizes are a safe bound."""
    limit = settings.IMPORT_MAX_UNCOMPRESSED_BYTES
    try:
        with zipfile.ZipFile(upload) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError) as error:
        raise TabularFileError(_("The file is not a readable Excel workbook.")) from error
    finally:
        upload.seek(0)
    if len(members) > MAX_ARCHIVE_MEMBERS or sum(m.file_size for m in members) > limit:
        raise TabularFileError(
            _("The Excel file unpacks to more than %(limit)s MB: it cannot be imported.")
            % {"limit": megabytes(limit)}
        )


def xlsx_cells(upload) -> Iterator[list[str]]:
    """The rows of the first sheet, read one at a time (openpyxl read-only mode). A formula is
    read as its text (`=HYPERLINK(...)`), never evaluated."""
    from openpyxl import load_workbook

    check_xlsx_archive(upload)
    try:
        workbook = load_workbook(upload, read_only=True, data_only=False)
        sheet = workbook.worksheets[0]
    except Exception as error:
        raise TabularFileError(_("The file is not a readable Excel workbook.")) from error
    try:
        sheet.reset_dimensions()
        rows = sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True)
        while True:
            try:
                row = next(rows)
            except StopIteration:
                return
            except Exception as error:
                raise TabularFileError(_("The file is not a readable Excel workbook.")) from error
            cells = ["" if cell is None else str(cell).strip() for cell in row]
            while cells and not cells[-1]:
                cells.pop()
            yield cells
    finally:
        workbook.close()


def sniff_csv_encoding(upload) -> str:
    """UTF-8 when the file's start decodes as UTF-8, else GB18030."""
    head = upload.read(CSV_SNIFF_BYTES)
    upload.seek(0)
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        decoder.decode(head, final=False)
    except UnicodeDecodeError:
        return GB18030
    return UTF8


def detect_text_encoding(upload) -> str:
    """UTF-8 or GB18030 (GBK), decided on the whole file read in chunks; a file that is
    neither is refused with a message that says what to do."""
    for encoding in (UTF8, GB18030):
        upload.seek(0)
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            while chunk := upload.read(READ_CHUNK_BYTES):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        finally:
            upload.seek(0)
        return encoding
    raise TabularFileError(
        _(
            "The file is neither UTF-8 nor GBK/GB18030 text: save it again as "
            "“CSV UTF-8” and upload it once more."
        )
    )


def csv_cells(upload, encoding: str | None = None) -> Iterator[list[str]]:
    """The rows of a UTF-8 (or GB18030) CSV, decoded and parsed as they are read."""
    upload.seek(0)
    encoding = encoding or sniff_csv_encoding(upload)
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
                if encoding != GB18030:
                    raise NotUtf8 from error
                raise TabularFileError(_("The CSV file must be UTF-8 or GB18030.")) from error
            except csv.Error as error:
                raise TabularFileError(
                    _("This line is not valid CSV: %(error)s.") % {"error": error},
                    line=reader.line_num,
                ) from error
            yield [cell.strip() for cell in row]
    finally:
        # Leave the upload open for its owner (closing the wrapper would close it).
        text.detach()


def _json_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return ";".join(_json_cell(item) for item in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value).strip()


def json_cells(upload, *, encoding: str = UTF8) -> Iterator[list[str]]:
    """A JSON export as rows of cells: a list of objects, an object holding one such list
    (`{"items": [...]}`), or JSON Lines. The header is every key met, in order."""
    upload.seek(0)
    raw = upload.read()
    upload.seek(0)
    try:
        text = raw.decode(encoding)
    except UnicodeDecodeError as error:
        raise TabularFileError(_("The JSON file must be UTF-8.")) from error
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        try:
            data = [json.loads(line) for line in text.splitlines() if line.strip()]
        except json.JSONDecodeError as error:
            raise TabularFileError(
                _("The file is not valid JSON (line %(line)d).") % {"line": error.lineno},
                line=error.lineno,
            ) from error
    if isinstance(data, dict):
        lists = [value for value in data.values() if isinstance(value, list)]
        data = lists[0] if len(lists) == 1 else [data]
    if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
        raise TabularFileError(_("The JSON file must hold a list of records (objects)."))
    header: list[str] = []
    for item in data:
        for key in item:
            if key not in header and len(header) < MAX_COLUMNS:
                header.append(str(key))
    yield header
    for item in data:
        yield [_json_cell(item.get(key)) for key in header]


def file_kind(name: str) -> str | None:
    """ "csv", "xlsx" or "json" from a file name; None for anything else."""
    lowered = (name or "").lower()
    for kind in ("csv", "xlsx", "json", "jsonl"):
        if lowered.endswith("." + kind):
            return "json" if kind == "jsonl" else kind
    return None


def table_rows(upload, *, kind: str, encoding: str = UTF8) -> Iterator[list[str]]:
    """The rows of a file of `kind` (see `file_kind`), header first."""
    if kind == "xlsx":
        return xlsx_cells(upload)
    if kind == "json":
        return json_cells(upload, encoding=encoding)
    return csv_cells(upload, encoding=encoding)
