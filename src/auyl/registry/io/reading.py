"""Read an uploaded CSV or XLSX file into a checked table of text cells.

Everything that can be wrong with the file as a whole is found here and reported as a
:class:`ReadError` with messages in the user's language: too large, empty, not a
spreadsheet, not UTF-8 (with the line), too many rows, missing, unknown or repeated
columns. Cells come out as stripped text whatever the format, so that validation has one
kind of input: numbers from XLSX are written the way Python writes them (``12``,
``50.25``), and the apostrophe that export puts before ``= + - @`` is removed again.

CSV is UTF-8, with or without a byte-order mark, delimited by ``,``, ``;`` or tab (whichever
the header row uses). When the user chose Windows-1251 (older Russian Excel), a file that
is not valid UTF-8 is read as Windows-1251. XLSX is read from the sheet named like the
dataset, else from the first sheet. The header is row 1; row numbers in messages are those
the spreadsheet shows, blank rows included.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import time
import uuid
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

from auyl.registry.io.datasets import Dataset

#: First characters that make a spreadsheet treat a cell as a formula (and tab/CR, which
#: some spreadsheets strip before looking). Export puts an apostrophe before them.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
ENCODINGS = ("utf-8", "cp1251")
DEFAULT_MAX_ROWS = 100_000
KEEP_UPLOADS = dt.timedelta(days=7)

_ZIP_MAGIC = b"PK\x03\x04"
_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # old .xls (and .doc)


class ReadError(Exception):
    """The file cannot be read as a table of this dataset; ``messages`` say why."""

    def __init__(self, *messages: str) -> None:
        super().__init__("; ".join(messages))
        self.messages = list(messages)


@dataclass
class Table:
    """A file's data rows as text, keyed by (lower-case) column name."""

    format: str  # "csv" or "xlsx"
    columns: list[str]
    rows: list[tuple[int, dict[str, str]]]  # (row number as the user sees it, cells)
    sheet: str = ""
    #: Problems with single rows found while reading: (row, column, message).
    row_problems: list[tuple[int, str, str]] = field(default_factory=list)


def max_rows() -> int:
    return int(getattr(settings, "AUYL_IMPORT_MAX_ROWS", DEFAULT_MAX_ROWS))


def uploads_dir() -> Path:
    return Path(settings.MEDIA_ROOT) / "imports"


def upload_path(upload_id: str) -> Path:
    """Where an upload is kept; ``upload_id`` must be a UUID (it comes from a job's params)."""
    return uploads_dir() / str(uuid.UUID(upload_id))


def store_upload(file: UploadedFile) -> str:
    """Keep an uploaded file under ``MEDIA_ROOT/imports/<uuid>``; return the uuid.

    An applied upload is deleted at once; one that was only previewed is deleted by a later
    upload once it is older than :data:`KEEP_UPLOADS` (files hold teachers' names).
    """
    remove_old_uploads()
    upload_id = str(uuid.uuid4())
    path = upload_path(upload_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("xb") as out:
        for chunk in file.chunks():
            out.write(chunk)
    return upload_id


def remove_old_uploads(now: float | None = None) -> None:
    folder = uploads_dir()
    if not folder.is_dir():
        return
    limit = (now or time.time()) - KEEP_UPLOADS.total_seconds()
    for path in folder.iterdir():
        if path.is_file() and path.stat().st_mtime < limit:
            path.unlink(missing_ok=True)


def unescape_text(value: str) -> str:
    """Undo export's formula guard: ``'=1+2`` → ``=1+2``; ``''x`` → ``'x``."""
    if len(value) > 1 and value[0] == "'" and value[1] in (*FORMULA_PREFIXES, "'"):
        return value[1:]
    return value


def read_table(path: Path, *, dataset: Dataset, filename: str, encoding: str = "") -> Table:
    """Read ``path`` (uploaded as ``filename``) as a table of ``dataset``."""
    limit = settings.AUYL_MAX_UPLOAD_BYTES
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise ReadError(
            _(
                "The uploaded file is no longer available (it was already imported, or "
                "removed). Upload it again."
            )
        ) from None
    if size > limit:
        raise ReadError(
            _(
                "The file is too large (%(size)s MB). The limit is %(limit)s MB: split the "
                "file by district and import the parts one after another."
            )
            % {"size": size // (1024 * 1024), "limit": limit // (1024 * 1024)}
        )
    if size == 0:
        raise ReadError(_("The file is empty."))
    with path.open("rb") as f:
        head = f.read(8)
    suffix = Path(filename).suffix.lower()
    if head.startswith(_ZIP_MAGIC):
        return _read_xlsx(path, dataset)
    if head.startswith(_OLE2_MAGIC):
        raise ReadError(
            _(
                "This is an old Excel file (.xls). Open it in Excel and save it as "
                "“Excel Workbook (.xlsx)” or “CSV UTF-8”, then import that file."
            )
        )
    if suffix in (".xlsx", ".xlsm"):
        raise ReadError(
            _("The file is named .xlsx but is not an Excel workbook; it may be damaged.")
        )
    return _read_csv(path.read_bytes(), dataset, encoding)


# --- CSV ----------------------------------------------------------------------------------


def _decode(data: bytes, encoding: str) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ReadError(
            _(
                "The file is saved as “Unicode text” (UTF-16). In Excel choose "
                "File → Save As → “CSV UTF-8 (comma delimited)” and import that file."
            )
        )
    if b"\x00" in data[:65536]:
        raise ReadError(
            _(
                "The file is not a CSV or XLSX spreadsheet (it contains binary data). "
                "Choose the file saved from Excel or LibreOffice as CSV or XLSX."
            )
        )
    if encoding == "cp1251":
        try:  # a file that is valid UTF-8 is UTF-8, whatever was chosen
            return data.decode("utf-8-sig")
        except UnicodeDecodeError:
            return data.decode("cp1251", errors="replace")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ReadError(
            _(
                "Line %(line)s of the file is not valid UTF-8 text: the file was probably "
                "saved in another encoding (such as Windows-1251 by an older Excel). Save "
                "it in Excel as “CSV UTF-8 (comma delimited)”, or choose “Windows-1251” "
                "as the encoding when importing."
            )
            % {"line": line}
        ) from None


def _sniff_delimiter(text: str) -> str:
    """The delimiter of the header line: whichever of , ; and tab occurs most."""
    first_line = text.split("\n", 1)[0]
    counts = {d: first_line.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _read_csv(data: bytes, dataset: Dataset, encoding: str) -> Table:
    text = _decode(data, encoding)
    if not text.strip():
        raise ReadError(_("The file is empty."))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_sniff_delimiter(text))
    try:
        records = _limited(reader)
        return _build_table("csv", records, dataset, sheet="")
    except csv.Error as exc:
        raise ReadError(
            _("The file could not be read as CSV near line %(line)s (%(reason)s).")
            % {"line": reader.line_num, "reason": exc}
        ) from None


# --- XLSX ---------------------------------------------------------------------------------


def _read_xlsx(path: Path, dataset: Dataset) -> Table:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError):
        raise ReadError(
            _(
                "The file could not be opened as an Excel workbook (.xlsx). Save it from "
                "Excel or LibreOffice as .xlsx or as “CSV UTF-8” and try again."
            )
        ) from None
    try:
        names = {name.strip().lower(): name for name in workbook.sheetnames}
        sheet_name = names.get(dataset.name, workbook.sheetnames[0])
        sheet = workbook[sheet_name]
        records = ([_cell_text(v) for v in row] for row in sheet.iter_rows(values_only=True))
        return _build_table("xlsx", _limited(records), dataset, sheet=sheet_name)
    finally:
        workbook.close()


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    return str(value)


# --- Both ---------------------------------------------------------------------------------


def _limited(records: Any) -> list[list[str]]:
    """All records (header included), refusing a file with more rows than allowed."""
    limit = max_rows()
    out: list[list[str]] = []
    data_rows = 0
    for record in records:
        out.append(record)
        if len(out) > 1 and any(c.strip() for c in record):
            data_rows += 1
            if data_rows > limit:
                raise ReadError(
                    _(
                        "The file has more than %(limit)s rows. Split it (for example by "
                        "district) and import the parts one after another."
                    )
                    % {"limit": f"{limit:,}".replace(",", " ")}
                )
    return out


def _build_table(fmt: str, records: list[list[str]], dataset: Dataset, *, sheet: str) -> Table:
    if not any(c.strip() for record in records for c in record):
        raise ReadError(_("The file is empty."))
    header = [c.strip().lower() for c in records[0]]
    while header and not header[-1]:
        header.pop()
    _check_header(header, dataset, sheet)
    table = Table(format=fmt, columns=header, rows=[], sheet=sheet)
    width = len(header)
    for number, record in enumerate(records[1:], start=2):
        if not any(c.strip() for c in record):
            continue
        extra = [c for c in record[width:] if c.strip()]
        if extra:
            table.row_problems.append(
                (number, "", _("The row has values to the right of the last named column."))
            )
        cells = {name: unescape_text(c.strip()) for name, c in zip(header, record, strict=False)}
        for name in header[len(record) :]:
            cells[name] = ""
        table.rows.append((number, cells))
    return table


def _check_header(header: list[str], dataset: Dataset, sheet: str) -> None:
    expected = dataset.column_names
    problems: list[str] = []
    if not any(header):
        problems.append(
            _("The first row must hold the column names: %(columns)s.")
            % {"columns": ", ".join(expected)}
        )
        header = []
    blanks = [str(i) for i, name in enumerate(header, start=1) if not name]
    if blanks:
        problems.append(
            _("Column(s) %(numbers)s of the first row have no name.")
            % {"numbers": ", ".join(blanks)}
        )
    repeated = sorted(n for n, times in Counter(header).items() if n and times > 1)
    if repeated:
        problems.append(
            _("These columns appear more than once: %(columns)s.")
            % {"columns": ", ".join(repeated)}
        )
    missing = [c for c in expected if c not in header]
    if missing and header:
        problems.append(
            _(
                "Required columns are missing: %(columns)s. A %(dataset)s file needs the "
                "columns %(expected)s (download the template file)."
            )
            % {
                "columns": ", ".join(missing),
                "dataset": dataset.name,
                "expected": ", ".join(expected),
            }
        )
    unknown = [c for c in dict.fromkeys(header) if c and c not in expected]
    if unknown:
        problems.append(
            _("Unknown columns: %(columns)s. Remove them or check their spelling.")
            % {"columns": ", ".join(unknown)}
        )
    if problems and sheet:
        on_sheet = _("Sheet “%(sheet)s”:") % {"sheet": sheet}
        problems = [f"{on_sheet} {p}" for p in problems]
        if missing and sheet.strip().lower() != dataset.name:
            problems.append(
                _(
                    "The data are read from the sheet named “%(dataset)s”, or else from the "
                    "first sheet: rename the data's sheet to “%(dataset)s” or move it first."
                )
                % {"dataset": dataset.name}
            )
    if problems:
        raise ReadError(*problems)
