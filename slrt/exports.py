"""Export plumbing shared by every app: formula-safe cells, .xlsx and .csv writers, the response.

Every CSV/Excel cell goes out through `safe_cell()` (STYLE.md section 9): a text cell that a
spreadsheet would read as a formula gets a leading apostrophe (OWASP, CSV injection).
"""

import csv
import datetime
import io
from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.text import slugify
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

# What Excel, LibreOffice and Google Sheets start a formula (or a DDE payload) with.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
TYPED = (int, float, Decimal, datetime.date, datetime.time)  # bool is an int; datetime a date

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
FORMATS = ("xlsx", "csv")
CSV_ROWS_PER_CHUNK = 500
SHEET_TITLE_FORBIDDEN = str.maketrans("", "", "[]:*?/\\")


def safe_cell(value: Any) -> Any:
    """The value as a spreadsheet may safely receive it: numbers and dates typed and untouched
    (-5 is data), None empty, text starting like a formula ("-1+1", "=HYPERLINK(...)") quoted."""
    if value is None:
        return ""
    if isinstance(value, TYPED):
        return value
    text = str(value)  # lazy translations, enums
    if text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text


@dataclass(frozen=True)
class Table:
    """One export: headers, rows (an iterable, consumed once), the names it goes out under, and
    which columns are text that looks like a number (NIK, KK) and must stay text in Excel."""

    headers: list[str]
    rows: Iterable[Sequence[Any]]
    sheet_title: str
    filename_stem: str  # "slrt-keluarga": data, not a translation
    text_columns: frozenset[int] = field(default_factory=frozenset)
    # Lines above the header in .xlsx (who, what, when, source, notes): the first in bold.
    # With them or without, the header row is frozen.
    title_rows: tuple[str, ...] = ()


def _local(value: datetime.datetime) -> datetime.datetime:
    """Excel has no time zones: an aware datetime goes out as local (Asia/Jakarta) time."""
    if timezone.is_aware(value):
        return timezone.make_naive(value)
    return value


@dataclass(frozen=True)
class Sheet:
    """One sheet of a workbook: as `Table`, without the file's names."""

    title: str
    headers: list[str]
    rows: Iterable[Sequence[Any]]
    text_columns: Collection[int] = ()
    title_rows: Sequence[str] = ()


def write_xlsx(
    headers: list[str],
    rows: Iterable[Sequence[Any]],
    *,
    sheet_title: str,
    text_columns: Collection[int] = (),
    title_rows: Sequence[str] = (),
) -> bytes:
    """An .xlsx file of one sheet (write_workbook)."""
    return write_workbook([Sheet(sheet_title, headers, rows, text_columns, title_rows)])


def write_workbook(sheets: Sequence[Sheet]) -> bytes:
    """An .xlsx file of the sheets in order, each written row by row (openpyxl write-only
    mode): the title rows (if any), a blank row, then the header, frozen so it stays in view.
    An empty text cell ("") is left empty, not written as text."""
    workbook = Workbook(write_only=True)
    for sheet in sheets:
        _write_sheet(workbook, sheet)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _write_sheet(workbook: Workbook, spec: Sheet) -> None:
    headers, text_columns, title_rows = spec.headers, spec.text_columns, spec.title_rows
    # Excel refuses sheet titles over 31 characters or with []:*?/\
    sheet = workbook.create_sheet(title=spec.title.translate(SHEET_TITLE_FORBIDDEN)[:31])
    for index, header in enumerate(headers):
        width = 20 if index in text_columns else max(len(header) + 2, 10)
        sheet.column_dimensions[get_column_letter(index + 1)].width = width
    bold = Font(bold=True)
    header_row = len(title_rows) + 2 if title_rows else 1
    sheet.freeze_panes = f"A{header_row + 1}"
    for index, line in enumerate(title_rows):
        cell = WriteOnlyCell(sheet, value=_xlsx_value(line))
        if index == 0:
            cell.font = Font(bold=True, size=13)
        sheet.append([cell])
    if title_rows:
        sheet.append([])
    header_cells = []
    for header in headers:
        cell = WriteOnlyCell(sheet, value=_xlsx_value(header))
        cell.font = bold
        header_cells.append(cell)
    sheet.append(header_cells)
    for row in spec.rows:
        values = [None if value == "" else _xlsx_value(value) for value in row]
        for index in text_columns:
            if values[index] not in ("", None):
                cell = WriteOnlyCell(sheet, value=str(values[index]))
                cell.number_format = "@"  # text: Excel keeps all 16 digits and leading zeros
                values[index] = cell
        sheet.append(values)


def _xlsx_value(value: Any) -> Any:
    value = safe_cell(value)
    if isinstance(value, str):
        # Control characters (other than tab and line breaks) make openpyxl refuse the cell;
        # checked again after removing them: "\x01=1+1" must not become a formula.
        return safe_cell(ILLEGAL_CHARACTERS_RE.sub("", value))
    if isinstance(value, datetime.datetime):
        return _local(value)
    return value


def iter_csv(headers: list[str], rows: Iterable[Sequence[Any]]) -> Iterator[bytes]:
    """A CSV file in chunks: UTF-8 with BOM (so Excel reads Indonesian text right), commas,
    quoting by the csv module, CRLF line ends."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([safe_cell(header) for header in headers])
    yield "\ufeff".encode() + _drain(buffer)
    pending = 0
    for row in rows:
        writer.writerow([_csv_value(safe_cell(value)) for value in row])
        pending += 1
        if pending == CSV_ROWS_PER_CHUNK:
            yield _drain(buffer)
            pending = 0
    if pending:
        yield _drain(buffer)


def write_csv(headers: list[str], rows: Iterable[Sequence[Any]]) -> bytes:
    return b"".join(iter_csv(headers, rows))


def _drain(buffer: io.StringIO) -> bytes:
    data = buffer.getvalue().encode()
    buffer.seek(0)
    buffer.truncate()
    return data


def _csv_value(value: Any) -> Any:
    if isinstance(value, datetime.datetime):
        return _local(value).strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def export_filename(stem: str, extension: str, *, now: datetime.datetime | None = None) -> str:
    """`slrt-keluarga-20260131-1405.xlsx`: ASCII only, local time, minute precision."""
    moment = timezone.localtime(now)
    return f"{slugify(stem)}-{moment:%Y%m%d-%H%M}.{extension}"


def export_response(table: Table, *, file_format: str) -> HttpResponse:
    """The table as a download: .xlsx built in full (a zip is written at its end), .csv
    streamed in chunks. Personal data: never cached."""
    filename = export_filename(table.filename_stem, file_format)
    if file_format == "xlsx":
        content = write_xlsx(
            table.headers,
            table.rows,
            sheet_title=table.sheet_title,
            text_columns=table.text_columns,
            title_rows=table.title_rows,
        )
        response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    elif file_format == "csv":
        response = StreamingHttpResponse(
            iter_csv(table.headers, table.rows), content_type=CSV_CONTENT_TYPE
        )
    else:
        raise ValueError(f"Unknown export format {file_format!r}")
    return as_download(response, filename)


def as_download(response: HttpResponse, filename: str) -> HttpResponse:
    """Saved under `filename`, never cached: every download here holds personal data."""
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["Cache-Control"] = "no-store, private"
    return response
