"""File -> rows of text (STYLE.md section 9). `.xlsx`, `.xls` (Excel 97-2003) and `.ods`
(LibreOffice Calc) through python-calamine, `.csv` through the csv module; every cell as text,
so NIK and KK keep their digits. Each workbook format is bounded before calamine sees it.

read_sheet() checks the whole file before it returns: a file it cannot read raises
UnreadableFile with a translated message and nothing else happens. Row numbers are the ones
the clerk sees in Excel (1-based, title and blank rows counted).

`SheetData.rows` is not a list: it is a sized, re-iterable sequence that builds each
SourceRow as it is reached. A CSV is read again from `path` on each pass (a 1,000,000-row
file then costs no memory), so keep the file until the import is done.
"""

import codecs
import csv
import functools
import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from itertools import islice
from operator import itemgetter
from pathlib import Path
from xml.parsers import expat
from zlib import error as zlib_error

from django.conf import settings
from django.utils.formats import number_format

from households.imports.columns import match_header
from slrt.messages import translatable as _

_is_text = str.__instancecheck__  # isinstance(value, str), for map()

# What the upload form accepts: the workbooks ward offices save, and CSV.
READABLE_SUFFIXES = (".xlsx", ".xls", ".ods", ".csv")
HEADER_SCAN_ROWS = 30  # non-blank rows searched for the header
MIN_KNOWN_HEADERS = 3
EXCEL_LAST_ROW = 1_048_576
_CFB_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_NOT_SPREADSHEET_MAGIC = (b"%PDF", b"\x89PNG", b"GIF8", b"\xff\xd8\xff", b"Rar!", b"\x1f\x8b")
_DELIMITERS = (";", ",", "\t", "|")
_NUMBERING = re.compile(r"^\(?(\d{1,3})[).]?$")


@dataclass(frozen=True, slots=True)
class SourceRow:
    number: int  # row number as the clerk sees it in Excel / the CSV record number
    values: dict[str, str]  # canonical column name -> cell text (stripped); blank cells left out
    raw: tuple[str, ...]  # every cell of the original row, in file order (for the error report)


class UnreadableFile(Exception):
    """The file cannot be imported at all; `message` says why and what to do."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


RawRows = Callable[[], Iterator[tuple[int, tuple[str, ...]]]]


class SourceRows:
    """The data rows of a sheet: len() and repeated iteration, SourceRows built on the fly."""

    def __init__(self, open_raw: RawRows, count: int, columns) -> None:
        self._open_raw = open_raw
        self._count = count
        self._columns = tuple(columns.items())

    def __len__(self) -> int:
        return self._count

    def __iter__(self) -> Iterator[SourceRow]:
        columns = self._columns
        width = max((position for _, position in columns), default=-1) + 1
        for number, raw in self._open_raw():
            if len(raw) >= width:  # a complete row: one comprehension, the fast case
                values = {
                    name: text for name, position in columns if (text := raw[position].strip())
                }
            else:
                size = len(raw)
                values = {
                    name: text
                    for name, position in columns
                    if position < size and (text := raw[position].strip())
                }
            yield SourceRow(number, values, raw)

    def column_chunks(self, size: int) -> Iterator[tuple[list[int], dict[str, list[str]]]]:
        """The rows `size` at a time, as (row numbers, canonical name -> each row's cell)."""
        columns = self._columns
        width = max((position for _, position in columns), default=-1) + 1
        rows = self._open_raw()
        while part := list(islice(rows, size)):
            numbers = [number for number, _raw in part]
            raws = [raw if len(raw) >= width else (*raw, *[""] * (width - len(raw)))
                    for _number, raw in part]  # fmt: skip
            yield (
                numbers,
                {name: list(map(itemgetter(position), raws)) for name, position in columns},
            )

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


# Entry point ----------------------------------------------------------------------------------


def read_sheet(path: Path, *, filename: str, max_bytes: int, max_rows: int) -> SheetData:
    """Read the first visible worksheet of an .xlsx, or a .csv (comma, semicolon or tab;
    UTF-8, UTF-8 with BOM, UTF-16 with BOM or Windows-1252)."""
    path = Path(path)
    suffix = Path(filename).suffix.lower()
    if suffix not in READABLE_SUFFIXES:
        if suffix in (".xlsm", ".xlsb"):
            raise UnreadableFile(
                "wrong_format",
                _(
                    "%(name)s is not an .xlsx workbook. Open it in Excel, choose Save As, pick "
                    "“Excel Workbook (*.xlsx)” and upload that file."
                )
                % {"name": filename},
            )
        raise _not_spreadsheet(filename)
    size = path.stat().st_size
    if size == 0:
        raise _empty(filename)
    if size > max_bytes:
        raise UnreadableFile(
            "too_big",
            _(
                "%(name)s is %(size)s MB; files up to %(limit)s MB can be imported. Split it "
                "into smaller files (for example one per RW)."
            )
            % {
                "name": filename,
                "size": megabytes(size),
                "limit": megabytes(max_bytes),
            },
        )
    with path.open("rb") as handle:
        head = handle.read(8)
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06", _CFB_MAGIC[:4])):
        # A workbook is loaded whole, as a dense grid (calamine): its own, smaller row limit
        # keeps the largest grid it may span within memory (47 columns x 200,000 rows is
        # about 0.4 GB in calamine); a CSV streams and keeps IMPORT_MAX_ROWS.
        max_rows = min(max_rows, settings.IMPORT_MAX_WORKBOOK_ROWS)
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        if _is_ods(path):
            return _read_ods(path, filename, max_rows)
        return _read_xlsx(path, filename, max_rows)
    if head.startswith(_CFB_MAGIC[:4]):
        return _read_xls(path, filename, max_rows)
    # An ".xls" of text is read as CSV: systems that "export to Excel" often write one.
    if suffix in (".xlsx", ".ods") or head.startswith(_NOT_SPREADSHEET_MAGIC):
        raise _not_spreadsheet(filename)
    return _read_csv(path, filename, max_rows)


def megabytes(size: int) -> str:
    value = size / 2**20
    if value >= 10 or value == int(value):
        return str(round(value))
    return number_format(value, decimal_pos=1)  # 1,4 in Indonesian


def _not_spreadsheet(filename: str) -> UnreadableFile:
    return UnreadableFile(
        "not_spreadsheet",
        _(
            "%(name)s is not a spreadsheet. Upload the data as an Excel workbook (.xlsx or "
            ".xls), a LibreOffice Calc sheet (.ods) or a CSV file (.csv), for example the import "
            "template."
        )
        % {"name": filename},
    )


def _empty(filename: str) -> UnreadableFile:
    return UnreadableFile(
        "empty",
        _("%(name)s is empty. Fill in the template and upload it again.") % {"name": filename},
    )


def _corrupt(filename: str) -> UnreadableFile:
    return UnreadableFile(
        "corrupt",
        _(
            "%(name)s is damaged and cannot be opened. Open it in Excel or LibreOffice, save "
            "it again as .xlsx and upload the new file."
        )
        % {"name": filename},
    )


def _too_many_rows(max_rows: int) -> UnreadableFile:
    return UnreadableFile(
        "too_many_rows",
        _(
            "The sheet has more than %(limit)s rows, the most that can be imported at once. "
            "Split the file; if the rows below your data are empty, delete them in Excel and "
            "save again."
        )
        % {"limit": f"{max_rows:,}".replace(",", ".")},
    )


def _encrypted(filename: str) -> UnreadableFile:
    return UnreadableFile(
        "encrypted",
        _(
            "%(name)s is protected with a password, so it cannot be read. Open it in Excel, "
            "remove the password (File › Info › Protect Workbook › Encrypt with Password, "
            "clear it), save and upload it again."
        )
        % {"name": filename},
    )


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


def _no_header(filename: str) -> UnreadableFile:
    return UnreadableFile(
        "no_header",
        _(
            "No header row was found in %(name)s. The first %(rows)s rows must include a row "
            "of column names with at least No KK and NIK (and, for example, Nama, Tanggal "
            "Lahir, Hubungan Keluarga). Use the import template, or rename your columns."
        )
        % {"name": filename, "rows": HEADER_SCAN_ROWS},
    )


# xlsx -----------------------------------------------------------------------------------------


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


def _first_sheet_rows(path: Path) -> int | None:
    """Rows of the first worksheet as its <dimension> says, read without loading the sheet,
    so a sheet filled down to row 1,048,576 is refused before it takes any memory."""
    try:
        with zipfile.ZipFile(path) as archive:
            member = _first_sheet_member(archive)
            if member is None:
                return None
            with archive.open(member) as sheet:
                start = sheet.read(4096).decode("utf-8", "replace")
    except (KeyError, zipfile.BadZipFile, OSError, ValueError):
        return None
    match = re.search(r"<(?:\w+:)?dimension\s+ref=\"[A-Z]*\d*:?[A-Z]+(\d+)\"", start)
    return int(match[1]) if match else None


def _read_xlsx(path: Path, filename: str, max_rows: int) -> SheetData:
    from python_calamine import CalamineWorkbook

    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        raise _corrupt(filename) from None
    if "xl/workbook.xml" not in names:
        raise _not_spreadsheet(filename)
    declared = _first_sheet_rows(path)
    if declared is not None and declared >= EXCEL_LAST_ROW:  # refused before it is loaded
        raise _too_many_rows(max_rows)
    _check_extent(path, filename, max_rows)  # before calamine builds its grid
    return _read_workbook(
        lambda: CalamineWorkbook.from_path(str(path)), filename, max_rows, file_format="xlsx"
    )


def _read_workbook(open_workbook, filename: str, max_rows: int, *, file_format: str) -> SheetData:
    """The first visible worksheet of a workbook that passed its format's bounds."""
    from python_calamine import SheetTypeEnum, SheetVisibleEnum

    try:
        workbook = open_workbook()
        sheets = [
            m
            for m in workbook.sheets_metadata
            if m.typ == SheetTypeEnum.WorkSheet and m.visible == SheetVisibleEnum.Visible
        ]
        if not sheets:
            raise _empty(filename)
        sheet = workbook.get_sheet_by_name(sheets[0].name)
        if sheet.height >= EXCEL_LAST_ROW:  # cells down to the last row: dragged formulas
            raise _too_many_rows(max_rows)
        cells = sheet.to_python(skip_empty_area=False)
        merged = sheet.merged_cell_ranges or []
    except UnreadableFile:
        raise
    except Exception:  # calamine raises its own errors for broken XML, zip members, ...
        raise _corrupt(filename) from None
    if not cells:
        raise _empty(filename)
    scan = [tuple(_cell_text(v) for v in row) for row in cells[: HEADER_SCAN_ROWS * 4]]
    header = _find_header(scan)
    if header is None:
        raise _no_header(filename) if any(not _is_blank(r) for r in scan) else _empty(filename)
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
        raise _too_many_rows(max_rows)
    if not stored:
        raise _no_rows(filename)
    return SheetData(
        header_row=header.index + 1,
        headers=header.cells,
        columns=header.columns,
        unknown_headers=header.unknown,
        rows=SourceRows(lambda: iter(stored), len(stored), header.columns),
        duplicate_headers=header.duplicates,
        file_format=file_format,
    )


def _no_rows(filename: str) -> UnreadableFile:
    return UnreadableFile(
        "no_rows",
        _("%(name)s has a header row but no data rows under it.") % {"name": filename},
    )


# Bounded input (issue 16, finding 3) ---------------------------------------------------------
#
# calamine builds a sheet as a full grid, from A1 to its last cell: one cell at XFD100000 under
# a header costs 1.6 billion cells (gigabytes) from a file of 1.5 KB. So before calamine sees
# the file: every zip member's uncompressed size and ratio are bounded, no XML member declares
# a DTD (entity tricks), and the first sheet's extent, declared and real, must fit the
# template's grid with IMPORT_MAX_ROWS rows of data (max_sheet_cells).

# A workbook's parts may expand to at most this much in all, and a part larger than
# ZIP_RATIO_FROM at most ZIP_MAX_RATIO times its compressed size (a real 100,000-row sheet
# compresses about 20 to 1).
ZIP_MAX_UNCOMPRESSED = 2 * 2**30
ZIP_MAX_RATIO = 200
ZIP_RATIO_FROM = 2**20
_CHUNK = 1 << 22
_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\s+ref="[A-Z]*\d*:?([A-Z]{1,4})(\d{1,9})"')
_TAG = re.compile(rb"<(/?)(?:\w+:)?(row|c)\b([^>]*)>")
_REF = re.compile(rb"\sr=\"([A-Z]{0,4})(\d{1,9})\"")


def max_sheet_cells(max_rows: int) -> int:
    """The largest grid (columns x rows) a sheet may span: the template's columns times
    IMPORT_MAX_ROWS rows of data under the template's own formatted rows."""
    from households.imports.template import LAST_FORMATTED_ROW, template_columns

    return len(template_columns()) * (max_rows + LAST_FORMATTED_ROW)


def _too_large_sheet(filename: str) -> UnreadableFile:
    return UnreadableFile(
        "sheet_too_large",
        _(
            "%(name)s has cells far to the right of or far below the data (the sheet spans "
            "more cells than an import may hold). Copy only the data into a new sheet, or use "
            "the import template, and upload it again."
        )
        % {"name": filename},
    )


def _check_extent(path: Path, filename: str, max_rows: int) -> None:
    limit = max_sheet_cells(max_rows)
    try:
        with zipfile.ZipFile(path) as archive:
            _check_members(archive, filename)
            sheet = _first_sheet_member(archive)
            if sheet is None:
                return
            with archive.open(sheet) as part:
                declared = _DIMENSION.search(part.read(4096))
            if declared and _column_number(declared[1]) * int(declared[2]) > limit:
                raise _too_large_sheet(filename)
            with archive.open(sheet) as part:
                width, height = _cheap_extent(part, limit)
            if width * height > limit:
                with archive.open(sheet) as part:
                    width, height = _exact_extent(part, limit)
    except UnreadableFile:
        raise
    except (KeyError, zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise _corrupt(filename) from None
    except zlib_error:
        raise _corrupt(filename) from None
    if width * height > limit:
        raise _too_large_sheet(filename)


def _check_members(archive: zipfile.ZipFile, filename: str) -> None:
    """Every part's uncompressed size and ratio bounded; no XML part declares a DTD."""
    members = archive.infolist()
    if sum(m.file_size for m in members) > ZIP_MAX_UNCOMPRESSED or any(
        m.file_size > ZIP_RATIO_FROM and m.file_size > ZIP_MAX_RATIO * max(m.compress_size, 1)
        for m in members
    ):
        raise _too_large_sheet(filename)
    for member in members:
        if member.filename.endswith((".xml", ".rels")):
            with archive.open(member) as part:
                start = part.read(4096)
            if b"<!DOCTYPE" in start or b"<!ENTITY" in start:
                raise _corrupt(filename)


def _first_sheet_member(archive: zipfile.ZipFile) -> str | None:
    workbook = archive.read("xl/workbook.xml")[: 1 << 20].decode("utf-8", "replace")
    rels = archive.read("xl/_rels/workbook.xml.rels")[: 1 << 20].decode("utf-8", "replace")
    first = re.search(r"<(?:\w+:)?sheet\b[^>]*\br:id=\"([^\"]+)\"", workbook)
    if not first:
        return None
    for relationship in re.findall(r"<Relationship\b[^>]*>", rels):
        if f'Id="{first[1]}"' in relationship:
            target = re.search(r'Target="([^"]+)"', relationship)
            if not target:
                return None
            member = target[1].lstrip("/")
            return member if member.startswith("xl/") else "xl/" + member
    return None


def _chunks(part) -> Iterator[bytes]:
    """The part in pieces that end at a tag's end, so no tag is cut in two."""
    carry = b""
    while chunk := part.read(_CHUNK):
        data = carry + chunk
        end = data.rfind(b">") + 1
        carry = data[end:]
        if len(carry) > _CHUNK:  # no tag end in 4 MB: not a sheet
            raise ValueError("no tag end")
        yield data[:end]
    if carry.strip():
        yield carry


def _cheap_extent(part, limit: int) -> tuple[int, int]:
    """An upper bound of the sheet's grid at the speed of one regular-expression pass: every
    cell carries its reference in a column up to AZ (52), and no reference has more digits
    than the last <row r="..."> number. Anything else answers "unbounded" and _exact_extent
    measures the sheet cell by cell. (A reference below the last row but with as many digits
    stays within 52 x 10^digits cells: no more than a full-width sheet of as many rows.)"""
    unbounded = (limit + 1, 1)
    rows = 0
    in_data = False
    for data in _chunks(part):
        if not in_data:
            start = data.find(b"<sheetData")
            if start < 0:
                continue
            in_data, data = True, data[start:]
        end = data.find(b"</sheetData")
        if end >= 0:
            data = data[:end]
        last = data.rfind(b'<row r="')
        if last >= 0:
            number = re.match(rb'<row r="(\d{1,9})"', data[last : last + 20])
            if number is None:
                return unbounded
            rows = max(rows, int(number[1]))
        if _unusual_cell(len(str(rows))).search(data):
            return unbounded
        if end >= 0:
            break
    return (52, max(rows, 1))


@functools.cache
def _unusual_cell(digits: int) -> re.Pattern:
    """A cell tag without its reference first (`<c>`, `<c t=...`), in a column after AZ, or
    with a row number of more than `digits` digits."""
    return re.compile(
        rb'<c(?:[>/]| (?!r=")| r="(?:[B-Z][A-Z]|A[A-Z]{2}|[A-Z]{1,2}\d{%d}))' % (digits + 1)
    )


def _exact_extent(part, limit: int) -> tuple[int, int]:
    """The sheet's real extent, cell by cell, as calamine will see it (a cell without its
    reference follows the one before it); stops as soon as it exceeds `limit`."""
    width = height = 0
    row = column = 0
    for data in _chunks(part):
        for closing, tag, attributes in _TAG.findall(data):
            if closing:
                continue
            ref = _REF.search(attributes)
            if tag == b"row":
                row = int(ref[2]) if ref else row + 1
                column = 0
            else:
                if ref and ref[1]:
                    column, row_of_cell = _column_number(ref[1]), int(ref[2])
                    height = max(height, row_of_cell)
                else:
                    column += 1
            height = max(height, row)
            width = max(width, column)
            if width * height > limit:
                return width, height
    return width, height


def _column_number(letters: bytes) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + letter - 64
    return number


# .xls: an OLE2 compound file holding a BIFF "Workbook" stream ---------------------------------
#
# calamine reads every sheet of an .xls when it opens it, each as a full grid: one cell at IV65536
# in a 5 KB file costs 512 MB, and a record's count or a stream's size that lies makes it reserve
# what it is told. So before calamine opens the file, the compound file and its Workbook stream
# are walked here (every chain bounded by the file's own sectors) and every sheet's extent,
# declared and real, is added up; a shared-string table must be able to hold what it declares.

# The BIFF records that name a cell: (row, first column) at their start; MULRK and MULBLANK
# also name their last column at their end.
_XLS_CELLS = frozenset({0x0006, 0x00FD, 0x00D6, 0x0201, 0x0203, 0x0204, 0x0205, 0x027E})
_XLS_MULTI = frozenset({0x00BD, 0x00BE})
_XLS_ROW, _XLS_DIMENSIONS, _XLS_BOF, _XLS_EOF = 0x0208, 0x0200, 0x0809, 0x000A
_XLS_BOUNDSHEET, _XLS_SST, _XLS_CONTINUE, _XLS_FILEPASS = 0x0085, 0x00FC, 0x003C, 0x002F
_XLS_LAST_ROW = 65_536
_CFB_END_OF_CHAIN = 0xFFFFFFFE


class _BrokenFile(Exception):
    """The compound file or its BIFF stream does not hold together."""


def _read_xls(path: Path, filename: str, max_rows: int) -> SheetData:
    data = path.read_bytes()
    named = ("Workbook".encode("utf-16-le") in data, "Book".encode("utf-16-le") in data)
    if "EncryptionInfo".encode("utf-16-le") in data or not any(named):
        # An .xlsx with a password is a compound file too, holding no workbook stream.
        raise _encrypted(filename)
    try:
        stream = _workbook_stream(data)
        if stream is None:
            raise _not_spreadsheet(filename)
        cells = _xls_cells(stream, filename)
    except _BrokenFile:
        raise _corrupt(filename) from None
    del data, stream
    if cells > _xls_limit(max_rows):
        raise _too_large_sheet(filename)

    def open_workbook():
        from python_calamine import CalamineWorkbook

        with path.open("rb") as handle:
            return CalamineWorkbook.from_filelike(handle)

    return _read_workbook(open_workbook, filename, max_rows, file_format="xls")


def _xls_limit(max_rows: int) -> int:
    """All the sheets of an .xls together: the template's grid, at most 65,536 rows deep."""
    from households.imports.template import LAST_FORMATTED_ROW

    rows = min(max_rows + LAST_FORMATTED_ROW, _XLS_LAST_ROW)
    return max_sheet_cells(max_rows) // (max_rows + LAST_FORMATTED_ROW) * rows


def _u16(data: bytes, at: int) -> int:
    if at + 2 > len(data):
        raise _BrokenFile
    return int.from_bytes(data[at : at + 2], "little")


def _u32(data: bytes, at: int) -> int:
    if at + 4 > len(data):
        raise _BrokenFile
    return int.from_bytes(data[at : at + 4], "little")


def _workbook_stream(data: bytes) -> bytes | None:
    """The Workbook (BIFF8) or Book (BIFF5) stream of a compound file; None if it has neither."""
    sector_size = 1 << _u16(data, 0x1E)
    mini_size = 1 << _u16(data, 0x20)
    if sector_size not in (512, 4096) or mini_size != 64:
        raise _BrokenFile
    sectors = max(0, (len(data) - sector_size) // sector_size)

    def sector(number: int) -> bytes:
        if number >= sectors:
            raise _BrokenFile
        start = sector_size * (number + 1)
        return data[start : start + sector_size]

    # The FAT's sectors: 109 listed in the header, the rest in a chain of DIFAT sectors.
    fat_sectors = [_u32(data, 0x4C + 4 * i) for i in range(109)]
    difat, seen = _u32(data, 0x44), 0
    while difat < _CFB_END_OF_CHAIN:
        seen += 1
        if seen > sectors:
            raise _BrokenFile  # a DIFAT chain that loops
        block = sector(difat)
        fat_sectors += [_u32(block, 4 * i) for i in range(sector_size // 4 - 1)]
        difat = _u32(block, sector_size - 4)
    fat_sectors = [s for s in fat_sectors[: _u32(data, 0x2C)] if s < _CFB_END_OF_CHAIN - 2]
    fat = b"".join(sector(s) for s in fat_sectors)

    def chain(start: int, table: bytes, limit: int) -> list[int]:
        found: list[int] = []
        while start < _CFB_END_OF_CHAIN - 2:
            if len(found) >= limit:
                raise _BrokenFile  # a chain that loops
            found.append(start)
            start = _u32(table, 4 * start)
        return found

    directory = b"".join(sector(s) for s in chain(_u32(data, 0x30), fat, sectors))
    entries = [directory[i : i + 128] for i in range(0, len(directory) - 127, 128)]
    if not entries:
        raise _BrokenFile
    found = None
    for entry in entries:
        name = entry[: min(_u16(entry, 0x40), 64)].decode("utf-16-le", "replace").rstrip("\x00")
        if entry[0x42] == 2 and name in ("Workbook", "Book"):
            found = entry
            break
    if found is None:
        return None
    size = _u32(found, 0x78)
    if size > len(data):  # a stream larger than the file that holds it
        raise _BrokenFile
    start = _u32(found, 0x74)
    if size >= _u32(data, 0x38):  # a regular stream
        stream = b"".join(sector(s) for s in chain(start, fat, sectors))
    else:  # a small stream, in 64-byte pieces of the mini stream
        root = entries[0]
        mini_stream = b"".join(sector(s) for s in chain(_u32(root, 0x74), fat, sectors))
        mini_fat = b"".join(sector(s) for s in chain(_u32(data, 0x3C), fat, sectors))[
            : 4 * _u32(data, 0x40) * sector_size
        ]
        pieces = chain(start, mini_fat, len(mini_stream) // 64 + 1)
        stream = b"".join(mini_stream[64 * p : 64 * p + 64] for p in pieces)
    if len(stream) < size:
        raise _BrokenFile
    return stream[:size]


def _xls_records(stream: bytes, start: int) -> Iterator[tuple[int, bytes, int]]:
    """(type, data, offset) of each BIFF record from `start` to the stream's end."""
    at = start
    while at + 4 <= len(stream):
        kind, length = _u16(stream, at), _u16(stream, at + 2)
        if at + 4 + length > len(stream):
            raise _BrokenFile
        yield kind, stream[at + 4 : at + 4 + length], at
        at += 4 + length


def _xls_cells(stream: bytes, filename: str) -> int:
    """The cells of every sheet's grid (A1 to its last cell, declared or real), added up."""
    sheets: list[int] = []
    for kind, data, _at in _xls_records(stream, 0):
        if kind == _XLS_FILEPASS:
            raise _encrypted(filename)
        if kind == _XLS_BOUNDSHEET:
            sheets.append(_u32(data, 0))
        elif kind == _XLS_SST:
            _check_sst(stream, data, _at)
        elif kind == _XLS_EOF:
            break
    total = 0
    for start in sheets:
        width = height = 0
        for kind, data, _at in _xls_records(stream, start):
            if kind in _XLS_CELLS:
                height, width = max(height, _u16(data, 0) + 1), max(width, _u16(data, 2) + 1)
            elif kind in _XLS_MULTI:
                height = max(height, _u16(data, 0) + 1)
                width = max(width, _u16(data, len(data) - 2) + 1)
            elif kind == _XLS_ROW:
                height = max(height, _u16(data, 0) + 1)
            elif kind == _XLS_DIMENSIONS and len(data) >= 14:  # BIFF8: rows as 32 bits
                height, width = max(height, _u32(data, 4)), max(width, _u16(data, 10))
            elif kind == _XLS_EOF:
                break
        total += width * height
    return total


def _check_sst(stream: bytes, data: bytes, at: int) -> None:
    """A shared-string table declaring more strings than its bytes can hold (each takes at
    least three) is broken: calamine would reserve room for all of them first."""
    size = len(data)
    following = at + 4 + len(data)
    for kind, more, _at in _xls_records(stream, following):
        if kind != _XLS_CONTINUE:
            break
        size += len(more)
    if _u32(data, 4) > size // 3 + 1:
        raise _BrokenFile


# .ods: a zip of XML parts, the sheets in content.xml -----------------------------------------
#
# calamine reads every table of content.xml when it opens the file, and repeats a row or a
# cell as often as `number-rows-repeated` / `number-columns-repeated` say: one cell repeated
# 16,384 times in a row repeated a million times is a 1 KB file. So the zip is bounded as an
# .xlsx is (sizes, ratio, no DTD) and content.xml is walked tag by tag, adding up each table's
# grid up to its last cell with a value.

_ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"


def _is_ods(path: Path) -> bool:
    try:
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
            if "content.xml" not in names or "xl/workbook.xml" in names:
                return False
            if "mimetype" not in names:
                return True
            with archive.open("mimetype") as part:
                return part.read(100).strip() == _ODS_MIMETYPE
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, zlib_error):
        return False


def _read_ods(path: Path, filename: str, max_rows: int) -> SheetData:
    limit = max_sheet_cells(max_rows)
    try:
        with zipfile.ZipFile(path) as archive:
            _check_members(archive, filename)
            with archive.open("content.xml") as part:
                cells = _ods_cells(part, limit)
    except UnreadableFile:
        raise
    except (KeyError, zipfile.BadZipFile, OSError, ValueError, EOFError, zlib_error):
        raise _corrupt(filename) from None
    if cells > limit:
        raise _too_large_sheet(filename)

    def open_workbook():
        from python_calamine import CalamineWorkbook

        with path.open("rb") as handle:
            return CalamineWorkbook.from_filelike(handle)

    return _read_workbook(open_workbook, filename, max_rows, file_format="ods")


# Cells with a value that repeat themselves: LibreOffice writes a run of equal neighbours as one
# repeated cell, but a real sheet has few such runs. Past this many repeats per written cell
# (and a margin), a small file is asking to be blown up into millions of cells.
ODS_MAX_REPEATS = 100
ODS_REPEAT_ALLOWANCE = 100_000


def _ods_cells(part, limit: int) -> int:
    """Every table's grid up to its last cell with a value (repeats counted), added up; stops
    as soon as the sum passes `limit`. A cell counts as holding a value when it has a value
    type or any content: an empty cell repeated to the sheet's edge, as LibreOffice writes
    the rest of a sheet, costs nothing. Read with expat, which sees each tag as calamine
    will; a DTD anywhere in the part is refused."""
    state = {"total": 0, "width": 0, "height": 0, "row": 0, "repeat": 1, "column": 0}
    state.update(written=0, repeated=0)  # cells with a value: as written, and their repeats
    cell: list = []  # [repeat, has value] of the open cell

    def start(name: str, attributes: dict[str, str]) -> None:
        local = name.rpartition(":")[2]
        if local == "table":
            state.update(width=0, height=0, row=0, column=0)
        elif local == "table-row":
            state["repeat"] = _repeat(attributes, "number-rows-repeated")
            state["column"] = 0
        elif local in ("table-cell", "covered-table-cell"):
            has_value = any(key.endswith("value-type") for key in attributes)
            cell[:] = [_repeat(attributes, "number-columns-repeated"), has_value]
        elif cell:
            cell[1] = True  # content inside the cell (text:p, ...)

    def end(name: str) -> None:
        local = name.rpartition(":")[2]
        if local == "table":
            state["total"] += state["width"] * state["height"]
            state["width"] = state["height"] = 0
        elif local == "table-row":
            state["row"] += state["repeat"]
        elif local in ("table-cell", "covered-table-cell") and cell:
            repeat, has_value = cell
            if has_value:
                state["width"] = max(state["width"], state["column"] + repeat)
                state["height"] = max(state["height"], state["row"] + state["repeat"])
                state["written"] += 1
                state["repeated"] += repeat * state["repeat"] - 1
                if state["repeated"] > ODS_MAX_REPEATS * state["written"] + ODS_REPEAT_ALLOWANCE:
                    raise _OverLimit  # a few cells repeated into millions
            state["column"] += repeat
            cell.clear()
        if state["total"] + state["width"] * state["height"] > limit:
            raise _OverLimit

    def text(data: str) -> None:
        if cell and not data.isspace():
            cell[1] = True

    def refuse(*_args) -> None:
        raise ValueError("a DTD in content.xml")

    parser = expat.ParserCreate()
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = text
    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    try:
        while chunk := part.read(_CHUNK):
            parser.Parse(chunk, False)
        parser.Parse(b"", True)
    except _OverLimit:
        return limit + 1
    except expat.ExpatError:
        raise ValueError("not XML") from None
    return state["total"] + state["width"] * state["height"]


class _OverLimit(Exception):
    pass


def _repeat(attributes: dict[str, str], name: str) -> int:
    for key, value in attributes.items():
        if key.endswith(name):
            return max(int(value), 1) if value.isdigit() and len(value) <= 10 else 1
    return 1


# CSV: a line longer than this is refused before the csv module builds it (a line of ten
# million commas would be ten million cells).
CSV_MAX_LINE_BYTES = 2**16


def _check_csv_lines(path: Path, filename: str) -> None:
    """No line longer than about CSV_MAX_LINE_BYTES (lines under half of it always pass):
    a few byte searches per megabyte, no line built."""
    window = CSV_MAX_LINE_BYTES // 2
    run = 0  # bytes since the last line end
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            first = chunk.find(b"\n")
            if first < 0:
                run += len(chunk)
                if run > CSV_MAX_LINE_BYTES:
                    raise _csv_line_too_long(filename)
                continue
            if run + first > CSV_MAX_LINE_BYTES:
                raise _csv_line_too_long(filename)
            last = chunk.rfind(b"\n")
            for start in range(first + 1, last, window):
                if chunk.find(b"\n", start, min(start + window, last + 1)) < 0:
                    raise _csv_line_too_long(filename)
            run = len(chunk) - last - 1
    if run > CSV_MAX_LINE_BYTES:
        raise _csv_line_too_long(filename)


def _csv_line_too_long(filename: str) -> UnreadableFile:
    return UnreadableFile(
        "line_too_long",
        _(
            "%(name)s has a line longer than %(limit)s KB, far longer than a row of data. Open "
            "it in Excel, check it and save it again."
        )
        % {"name": filename, "limit": CSV_MAX_LINE_BYTES // 1024},
    )


# csv ------------------------------------------------------------------------------------------


def _encoding(path: Path) -> str:
    """UTF-16 by its BOM; else UTF-8 (with or without BOM) if every byte decodes; else
    Windows-1252, as Excel saves "CSV" on Indonesian Windows."""
    with path.open("rb") as handle:
        start = handle.read(4)
        if start.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return "utf-16"
        handle.seek(0)
        decoder = codecs.getincrementaldecoder("utf-8")()
        try:
            while chunk := handle.read(1 << 20):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            handle.seek(0)
            try:
                decoder = codecs.getincrementaldecoder("cp1252")()
                while chunk := handle.read(1 << 20):
                    decoder.decode(chunk)
            except UnicodeDecodeError:
                return "latin-1"  # five bytes cp1252 leaves undefined; never fails
            return "cp1252"
    return "utf-8-sig"


def _csv_records(path: Path, encoding: str, delimiter: str) -> Iterator[list[str]]:
    with path.open(encoding=encoding, newline="") as handle:
        yield from csv.reader(handle, delimiter=delimiter)


def _count_csv(path: Path, encoding: str, delimiter: str, data_from: int, max_rows: int) -> int:
    """Data rows in the file (a row with a non-blank cell under the header)."""
    count = 0
    for number, record in enumerate(_csv_records(path, encoding, delimiter), start=1):
        if number > data_from and any(cell and not cell.isspace() for cell in record):
            count += 1
            if count > max_rows:
                raise _too_many_rows(max_rows)
    return count


def _read_csv(path: Path, filename: str, max_rows: int) -> SheetData:
    _check_csv_lines(path, filename)
    encoding = _encoding(path)
    with path.open("rb") as handle:
        if b"\x00" in handle.read(4096) and encoding != "utf-16":
            raise _not_spreadsheet(filename)
    header = None
    delimiter = ""
    blank_file = False
    try:
        for candidate in _DELIMITERS:
            sample = []
            for record in _csv_records(path, encoding, candidate):
                sample.append(tuple(record))
                if len(sample) >= HEADER_SCAN_ROWS * 4:
                    break
            blank_file = blank_file or all(_is_blank(r) for r in sample)
            found = _find_header(sample)
            if found and (header is None or len(found.columns) > len(header.columns)):
                header, delimiter = found, candidate
    except csv.Error:
        raise _corrupt_csv(filename) from None
    if header is None:
        raise _empty(filename) if blank_file else _no_header(filename)
    data_from = header.data_from

    def open_raw() -> Iterator[tuple[int, tuple[str, ...]]]:
        number = 0
        for record in _csv_records(path, encoding, delimiter):
            number += 1
            if number <= data_from:
                continue
            for cell in record:
                if cell and not cell.isspace():
                    yield number, tuple(record)
                    break

    try:  # the whole file once now, so no later pass meets an error
        count = _count_csv(path, encoding, delimiter, data_from, max_rows)
    except csv.Error:
        raise _corrupt_csv(filename) from None
    if not count:
        raise _no_rows(filename)
    return SheetData(
        header_row=header.index + 1,
        headers=header.cells,
        columns=header.columns,
        unknown_headers=header.unknown,
        rows=SourceRows(open_raw, count, header.columns),
        duplicate_headers=header.duplicates,
        file_format="csv",
        encoding=encoding,
        delimiter=delimiter,
    )


def _corrupt_csv(filename: str) -> UnreadableFile:
    return UnreadableFile(
        "corrupt",
        _(
            '%(name)s cannot be read as CSV: a quote (") is probably opened and never closed, '
            "or a cell is far too long. Open it in Excel, check it and save it again."
        )
        % {"name": filename},
    )
