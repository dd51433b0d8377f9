"""File -> rows of text (STYLE.md section 9). `.xlsx`, `.xls` (Excel 97-2003) and `.ods`
(LibreOffice Calc) through python-calamine, `.csv` through the csv module; every cell as text,
so NIK and KK keep their digits. Each format is bounded before it is read
(households.imports.bounds).

read_sheet() checks the whole file before it returns: a file it cannot read raises
UnreadableFile with a translated message and nothing else happens. Row numbers are the ones
the clerk sees in Excel (1-based, title and blank rows counted).

`SheetData.rows` is not a list: it is a sized, re-iterable sequence of the data rows, read as
SourceRows or, for the check, as columns (`column_chunks`). A CSV is read again from `path`
on each pass (a 1,000,000-row file then costs no memory), so keep the file until the import
is done.
"""

import codecs
import csv
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from itertools import islice
from pathlib import Path

from django.conf import settings

from households.imports.bounds import (
    CSV_MAX_LINE_BYTES,
    EXCEL_LAST_ROW,
    check_csv_lines,
    check_ods,
    check_xls,
    check_xlsx,
    is_ods,
)
from households.imports.columns import match_header
from households.imports.unreadable import UnreadableFile, megabytes, too_many_rows, unreadable

__all__ = ["CSV_MAX_LINE_BYTES", "SourceRow", "UnreadableFile", "megabytes", "read_sheet"]

_is_text = str.__instancecheck__  # isinstance(value, str), for map()

# What the upload form accepts: the workbooks ward offices save, and CSV.
READABLE_SUFFIXES = (".xlsx", ".xls", ".ods", ".csv")
HEADER_SCAN_ROWS = 30  # non-blank rows searched for the header
_SCAN = HEADER_SCAN_ROWS * 4  # rows read to find them
MIN_KNOWN_HEADERS = 3
_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
_CFB_MAGIC = b"\xd0\xcf\x11\xe0"  # an OLE2 compound file: .xls
_NOT_SPREADSHEET_MAGIC = (b"%PDF", b"\x89PNG", b"GIF8", b"\xff\xd8\xff", b"Rar!", b"\x1f\x8b")
_DELIMITERS = (";", ",", "\t", "|")
_NUMBERING = re.compile(r"^\(?(\d{1,3})[).]?$")


@dataclass(frozen=True, slots=True)
class SourceRow:
    number: int  # row number as the clerk sees it in Excel / the CSV record number
    values: dict[str, str]  # canonical column name -> cell text (stripped); blank cells left out
    raw: tuple[str, ...]  # every cell of the original row, in file order (for the error report)


RawRows = Callable[[], Iterator[tuple[int, tuple[str, ...]]]]


class SourceRows:
    """The data rows of a sheet: len() and repeated iteration, rows built on the fly."""

    def __init__(self, open_raw: RawRows, count: int, columns: dict[str, int]) -> None:
        self._open_raw = open_raw
        self._count = count
        self._columns = tuple(columns.items())
        self._width = max(columns.values(), default=-1) + 1  # a shorter row is padded

    def __len__(self) -> int:
        return self._count

    def _padded(self, raw: tuple[str, ...]) -> tuple[str, ...]:
        return raw if len(raw) >= self._width else (*raw, *[""] * (self._width - len(raw)))

    def __iter__(self) -> Iterator[SourceRow]:
        columns = self._columns
        for number, raw in self._open_raw():
            cells = self._padded(raw)
            values = {name: text for name, position in columns if (text := cells[position].strip())}
            yield SourceRow(number, values, raw)

    def column_chunks(self, size: int) -> Iterator[tuple[list[int], dict[str, tuple[str, ...]]]]:
        """The rows `size` at a time, as (row numbers, canonical name -> each row's cell as
        it is in the file, not stripped)."""
        rows = self._open_raw()
        while part := list(islice(rows, size)):
            # Transposed by zip() in C: every padded row is at least as wide as the columns.
            by_position = list(zip(*[self._padded(raw) for _number, raw in part], strict=False))
            cells = {name: by_position[p] for name, p in self._columns}
            yield [number for number, _raw in part], cells

    def __repr__(self) -> str:
        return f"<SourceRows: {self._count} rows>"


@dataclass(frozen=True)
class SheetData:
    header_row: int
    headers: tuple[str, ...]  # original header cells, in file order
    columns: dict[str, int]  # canonical name -> position in `raw`
    unknown_headers: tuple[str, ...]  # non-blank header cells that match no column
    rows: SourceRows
    duplicate_headers: tuple[str, ...] = ()  # a second header for a column already found
    file_format: str = ""  # "xlsx", "xls", "ods" or "csv"
    encoding: str = ""  # CSV only
    delimiter: str = ""  # CSV only


def read_sheet(
    path: Path, *, filename: str, max_bytes: int | None = None, max_rows: int | None = None
) -> SheetData:
    """Read the first visible worksheet of a workbook, or a .csv (comma, semicolon, tab or
    bar; UTF-8, UTF-8 with BOM, UTF-16 with BOM or Windows-1252). The limits default to
    IMPORT_MAX_BYTES and IMPORT_MAX_ROWS."""
    path = Path(path)
    max_bytes = settings.IMPORT_MAX_BYTES if max_bytes is None else max_bytes
    max_rows = settings.IMPORT_MAX_ROWS if max_rows is None else max_rows
    suffix = Path(filename).suffix.lower()
    if suffix not in READABLE_SUFFIXES:
        why = "wrong_format" if suffix in (".xlsm", ".xlsb") else "not_spreadsheet"
        raise unreadable(why, name=filename)
    size = path.stat().st_size
    if size == 0:
        raise unreadable("empty", name=filename)
    if size > max_bytes:
        raise unreadable("too_big", name=filename, size=megabytes(size), limit=megabytes(max_bytes))
    with path.open("rb") as handle:
        head = handle.read(8)
    if head.startswith((*_ZIP_MAGIC, _CFB_MAGIC)):
        # A workbook is loaded whole, as a dense grid (calamine): its own, smaller row limit
        # keeps the largest grid it may span within memory (47 columns x 200,000 rows is
        # about 0.4 GB in calamine); a CSV streams and keeps IMPORT_MAX_ROWS.
        max_rows = min(max_rows, settings.IMPORT_MAX_WORKBOOK_ROWS)
        if head.startswith(_CFB_MAGIC):
            check, file_format = check_xls, "xls"
        elif is_ods(path):
            check, file_format = check_ods, "ods"
        else:
            check, file_format = check_xlsx, "xlsx"
        check(path, filename, max_rows)
        return _read_workbook(path, filename, max_rows, file_format=file_format)
    # An ".xls" of text is read as CSV: systems that "export to Excel" often write one.
    if suffix in (".xlsx", ".ods") or head.startswith(_NOT_SPREADSHEET_MAGIC):
        raise unreadable("not_spreadsheet", name=filename)
    return _read_csv(path, filename, max_rows)


# Header ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Header:
    index: int  # position of the header row in the scanned rows
    data_from: int  # first position after the header (and any sub-header/numbering row)
    cells: tuple[str, ...]
    columns: dict[str, int]
    unknown: tuple[str, ...]
    duplicates: tuple[str, ...]


def _match_row(cells) -> tuple[dict[str, int], list[str], list[str]]:
    found: dict[str, int] = {}
    unknown: list[str] = []
    duplicates: list[str] = []
    for position, cell in enumerate(cells):
        text = cell.strip()
        if not text:
            continue
        name = match_header(text)
        if name is None:
            unknown.append(text)
        elif name in found:
            duplicates.append(text)
        else:
            found[name] = position
    return found, unknown, duplicates


def _is_blank(cells) -> bool:
    return all(not cell or cell.isspace() for cell in cells)


def _is_numbering(cells) -> bool:
    """A row of column numbers under the header: (1) (2) (3) ... as government forms have."""
    numbers = []
    for cell in cells:
        if cell.strip():
            match = _NUMBERING.match(cell.strip())
            if not match:
                return False
            numbers.append(int(match[1]))
    return len(numbers) >= 3 and numbers == list(range(numbers[0], numbers[0] + len(numbers)))


def _find_header(rows: list[tuple[str, ...]]) -> _Header | None:
    """The first of the first HEADER_SCAN_ROWS non-blank rows that names the KK and NIK
    columns and at least MIN_KNOWN_HEADERS columns in all."""
    seen = 0
    for index, cells in enumerate(rows):
        if _is_blank(cells):
            continue
        seen += 1
        if seen > HEADER_SCAN_ROWS:
            return None
        found, unknown, duplicates = _match_row(cells)
        if "kk_number" in found and "nik" in found and len(found) >= MIN_KNOWN_HEADERS:
            data_from = index + 1
            # A second header row under merged cells ("Alamat" over "RT" and "RW").
            if data_from < len(rows):
                below = rows[data_from]
                more, _unknown, _dup = _match_row(below)
                new = {k: v for k, v in more.items() if k not in found}
                empty_ids = all(
                    found[k] >= len(below) or not below[found[k]].strip()
                    for k in ("kk_number", "nik")
                )
                if len(new) >= 1 and empty_ids:
                    found.update(new)
                    unknown = [u for u in unknown if match_header(u) is None]
                    data_from += 1
            if data_from < len(rows) and _is_numbering(rows[data_from]):
                data_from += 1
            return _Header(index, data_from, tuple(cells), found, tuple(unknown), tuple(duplicates))
    return None


# Workbooks: .xlsx, .xls, .ods through calamine, each bounded first (households.imports.bounds)


def _cell_text(value) -> str:
    kind = type(value)
    if kind is str:
        return value
    if kind is float:
        return str(int(value)) if value.is_integer() else repr(value)
    if kind is int:
        return str(value)
    if kind is date:
        return value.isoformat()
    if kind is datetime:
        if value.time() == time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if value is None:
        return ""
    return str(value)


def _read_workbook(path: Path, filename: str, max_rows: int, *, file_format: str) -> SheetData:
    """The first visible worksheet of a workbook that passed its format's bounds."""
    from python_calamine import CalamineWorkbook, SheetTypeEnum, SheetVisibleEnum

    try:
        with path.open("rb") as handle:
            workbook = CalamineWorkbook.from_filelike(handle)
        sheets = [
            m
            for m in workbook.sheets_metadata
            if m.typ == SheetTypeEnum.WorkSheet and m.visible == SheetVisibleEnum.Visible
        ]
        if not sheets:
            raise unreadable("empty", name=filename)
        sheet = workbook.get_sheet_by_name(sheets[0].name)
        if sheet.height >= EXCEL_LAST_ROW:  # cells down to the last row: dragged formulas
            raise too_many_rows(max_rows)
        cells = sheet.to_python(skip_empty_area=False)
        merged = sheet.merged_cell_ranges or []
    except UnreadableFile:
        raise
    except Exception:  # calamine raises its own errors for broken XML, zip members, ...
        raise unreadable("corrupt", name=filename) from None
    if not cells:
        raise unreadable("empty", name=filename)
    scan = [tuple(_cell_text(v) for v in row) for row in cells[:_SCAN]]
    header = _find_header(scan)
    if header is None:
        raise _no_header(filename, blank=all(_is_blank(r) for r in scan))
    for (top, left), (bottom, _right) in merged:
        # Merged down in the data (a KK over its members' rows): every row shows the value.
        if bottom > top >= header.data_from and top < len(cells):
            value = cells[top][left] if left < len(cells[top]) else ""
            for r in range(top + 1, min(bottom, len(cells) - 1) + 1):
                if left < len(cells[r]):
                    cells[r][left] = value
    stored: list[tuple[int, tuple[str, ...]]] = []
    for index in range(header.data_from, len(cells)):
        row = cells[index]
        # Text cells (most of a ward file) are taken as they are, checked in a C loop.
        raw = tuple(row) if all(map(_is_text, row)) else tuple(map(_cell_text, row))
        if not _is_blank(raw):
            stored.append((index + 1, raw))
    del cells
    if len(stored) > max_rows:
        raise too_many_rows(max_rows)
    return _sheet(header, lambda: iter(stored), len(stored), filename, file_format=file_format)


def _no_header(filename: str, *, blank: bool) -> UnreadableFile:
    if blank:
        return unreadable("empty", name=filename)
    return unreadable("no_header", name=filename, rows=HEADER_SCAN_ROWS)


def _sheet(header: _Header, open_raw: RawRows, count: int, filename: str, **more) -> SheetData:
    if not count:
        raise unreadable("no_rows", name=filename)
    return SheetData(
        header_row=header.index + 1,
        headers=header.cells,
        columns=header.columns,
        unknown_headers=header.unknown,
        rows=SourceRows(open_raw, count, header.columns),
        duplicate_headers=header.duplicates,
        **more,
    )


# csv ------------------------------------------------------------------------------------------


def _encoding(path: Path) -> str:
    """UTF-16 by its BOM; else UTF-8 (with or without BOM) if every byte decodes; else
    Windows-1252, as Excel saves "CSV" on Indonesian Windows; else Latin-1 (cp1252 leaves
    five bytes undefined; Latin-1 never fails)."""
    with path.open("rb") as handle:
        if handle.read(4).startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return "utf-16"
        for encoding in ("utf-8-sig", "cp1252"):
            handle.seek(0)
            decoder = codecs.getincrementaldecoder(encoding)()
            try:
                while chunk := handle.read(1 << 20):
                    decoder.decode(chunk)
                decoder.decode(b"", final=True)
            except UnicodeDecodeError:
                continue
            return encoding
    return "latin-1"


def _csv_records(path: Path, encoding: str, delimiter: str) -> Iterator[list[str]]:
    with path.open(encoding=encoding, newline="") as handle:
        yield from csv.reader(handle, delimiter=delimiter)


def _read_csv(path: Path, filename: str, max_rows: int) -> SheetData:
    check_csv_lines(path, filename)
    encoding = _encoding(path)
    with path.open("rb") as handle:
        if b"\x00" in handle.read(4096) and encoding != "utf-16":
            raise unreadable("not_spreadsheet", name=filename)
    header = None
    delimiter = ""
    blank_file = False
    try:
        for candidate in _DELIMITERS:
            sample = [tuple(r) for r in islice(_csv_records(path, encoding, candidate), _SCAN)]
            blank_file = blank_file or all(_is_blank(r) for r in sample)
            found = _find_header(sample)
            if found and (header is None or len(found.columns) > len(header.columns)):
                header, delimiter = found, candidate
    except csv.Error:
        raise unreadable("corrupt_csv", name=filename) from None
    if header is None:
        raise _no_header(filename, blank=blank_file)
    data_from = header.data_from

    def open_raw() -> Iterator[tuple[int, tuple[str, ...]]]:
        records = enumerate(_csv_records(path, encoding, delimiter), start=1)
        for number, record in islice(records, data_from, None):
            if not _is_blank(record):
                yield number, tuple(record)

    count = 0
    try:  # the whole file once now, so no later pass meets an error
        for _row in open_raw():
            count += 1
            if count > max_rows:
                raise too_many_rows(max_rows)
    except csv.Error:
        raise unreadable("corrupt_csv", name=filename) from None
    return _sheet(
        header, open_raw, count, filename, file_format="csv", encoding=encoding, delimiter=delimiter
    )
