"""Bounded input (issue 16, finding 3): a file is measured before calamine or the csv module
builds anything from it, so a small hostile file cannot cost gigabytes.

calamine builds a sheet as a full grid, from A1 to its last cell: one cell at XFD100000 under
a header costs 1.6 billion cells (gigabytes) from a file of 1.5 KB. So before calamine sees
the file: every zip member's uncompressed size and ratio are bounded, no XML member declares
a DTD (entity tricks), and the first sheet's extent, declared and real, must fit the
template's grid with IMPORT_MAX_ROWS rows of data (max_sheet_cells).
"""

import functools
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path
from xml.parsers import expat
from zlib import error as zlib_error

from households.imports.unreadable import UnreadableFile, too_many_rows, unreadable

EXCEL_LAST_ROW = 1_048_576

# A workbook's parts may expand to at most this much in all, and a part larger than
# ZIP_RATIO_FROM at most ZIP_MAX_RATIO times its compressed size (a real 100,000-row sheet
# compresses about 20 to 1).
ZIP_MAX_UNCOMPRESSED = 2 * 2**30
ZIP_MAX_RATIO = 200
ZIP_RATIO_FROM = 2**20
_CHUNK = 1 << 22
_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\s+ref="[A-Z]*\d*:?([A-Z]{1,4})(\d{1,9})"')
# A cell or row tag as calamine reads it: any namespace prefix, the name ended by a space, a
# tab, a line end, ">" or "/". Its reference: either quote, letters of either case (calamine
# takes "xfd1" for XFD1), spaces around "=".
_TAG = re.compile(rb"<(/?)(?:[^\s<>/:]+:)?(row|c)(?=[\s>/])([^>]*)>")
_REF = re.compile(rb"\sr\s*=\s*[\"']([A-Za-z]{0,3})(\d{1,7})[\"']")
_ANY_REF = re.compile(rb"\sr\s*=")
_SHEET_DATA = re.compile(rb"<(?:[^\s<>/:]+:)?sheetData[\s>/]")
_PREFIXED_CELL = re.compile(rb":c[\s>/]")


def max_sheet_cells(max_rows: int) -> int:
    """The largest grid (columns x rows) a sheet may span: the template's columns times
    IMPORT_MAX_ROWS rows of data under the template's own formatted rows."""
    from households.imports.template import LAST_FORMATTED_ROW, template_columns

    return len(template_columns()) * (max_rows + LAST_FORMATTED_ROW)


def check_xlsx(path: Path, filename: str, max_rows: int) -> None:
    """An .xlsx calamine may load: a workbook, its parts bounded, its first sheet's grid
    within max_sheet_cells, declared (refused before anything is read) and real."""
    limit = max_sheet_cells(max_rows)
    try:
        with zipfile.ZipFile(path) as archive:
            if "xl/workbook.xml" not in archive.namelist():
                raise unreadable("not_spreadsheet", name=filename)
            sheet = _first_sheet_member(archive)
            if sheet is not None:
                with archive.open(sheet) as part:
                    declared = _DIMENSION.search(part.read(4096))
                if declared and int(declared[2]) >= EXCEL_LAST_ROW:  # filled down to the end
                    raise too_many_rows(max_rows)
            _check_members(archive, filename)
            if sheet is None:
                return
            if declared and _column_number(declared[1]) * int(declared[2]) > limit:
                raise unreadable("sheet_too_large", name=filename)
            with archive.open(sheet) as part:
                width, height = _cheap_extent(part, limit)
            if width * height > limit:
                with archive.open(sheet) as part:
                    width, height = _exact_extent(part, limit)
    except UnreadableFile:
        raise
    except (KeyError, zipfile.BadZipFile, OSError, ValueError, EOFError, zlib_error):
        raise unreadable("corrupt", name=filename) from None
    if width * height > limit:
        raise unreadable("sheet_too_large", name=filename)


def _check_members(archive: zipfile.ZipFile, filename: str) -> None:
    """Every part's uncompressed size and ratio bounded; no XML part declares a DTD."""
    members = archive.infolist()
    if sum(m.file_size for m in members) > ZIP_MAX_UNCOMPRESSED or any(
        m.file_size > ZIP_RATIO_FROM and m.file_size > ZIP_MAX_RATIO * max(m.compress_size, 1)
        for m in members
    ):
        raise unreadable("sheet_too_large", name=filename)
    for member in members:
        if member.filename.endswith((".xml", ".rels")):
            with archive.open(member) as part:
                start = part.read(4096)
            if b"<!DOCTYPE" in start or b"<!ENTITY" in start:
                raise unreadable("corrupt", name=filename)


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
    cell tag is `<c r="..."` with its reference first, in a column up to AZ (52), and no
    reference has more digits than the last <row r="..."> number. Anything else (a cell
    without its reference, another spelling of it, a prefixed cell tag) answers "unbounded"
    and _exact_extent measures the sheet cell by cell. (A reference below the last row but
    with as many digits stays within 52 x 10^digits cells: no more than a full-width sheet
    of as many rows.)"""
    unbounded = (limit + 1, 1)
    rows = 0
    in_data = False
    for data in _chunks(part):
        if not in_data:
            start = _SHEET_DATA.search(data)
            if start is None:
                continue
            in_data, data = True, data[start.start() :]
        end = data.find(b"</sheetData")
        if end >= 0:
            data = data[:end]
        last = data.rfind(b'<row r="')
        if last >= 0:
            number = re.match(rb'<row r="(\d{1,9})"', data[last : last + 20])
            if number is None:
                return unbounded
            rows = max(rows, int(number[1]))
        if _unusual_cell(len(str(rows))).search(data) or _has_prefixed_cell(data):
            return unbounded
        if end >= 0:
            break
    return (52, max(rows, 1))


def _has_prefixed_cell(data: bytes) -> bool:
    """A cell tag with a namespace prefix (`<x:c ...>`), which calamine reads as a cell: each
    colon looked at (a byte search, then a match at it; a sheet has few colons)."""
    at = data.find(b":")
    while at >= 0:
        if _PREFIXED_CELL.match(data, at):
            return True
        at = data.find(b":", at + 1)
    return False


@functools.cache
def _unusual_cell(digits: int) -> re.Pattern:
    """A cell tag (`<c` and a space, a tab, a line end, ">" or "/") not followed by ` r="`
    and a reference in a column up to AZ with a row number of at most `digits` digits."""
    return re.compile(rb'<c(?![^\s>/]| r="A?[A-Z]\d{1,%d}")' % digits)


def _exact_extent(part, limit: int) -> tuple[int, int]:
    """The sheet's real extent, cell by cell, as calamine will see it (a cell without its
    reference follows the one before it); stops as soon as it exceeds `limit`. A reference
    it cannot read (four letters, eight digits, ...) counts as beyond the limit."""
    width = height = 0
    row = column = 0
    for data in _chunks(part):
        for closing, tag, attributes in _TAG.findall(data):
            if closing:
                continue
            ref = _REF.search(attributes)
            if ref is None and _ANY_REF.search(attributes):
                return limit + 1, 1
            if tag == b"row":
                row = int(ref[2]) if ref else row + 1
                column = 0
            else:
                if ref and ref[1]:
                    column, row_of_cell = _column_number(ref[1].upper()), int(ref[2])
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


def check_xls(path: Path, filename: str, max_rows: int) -> None:
    """An .xls calamine may open: a workbook stream, not encrypted, every sheet's grid bounded."""
    data = path.read_bytes()
    named = ("Workbook".encode("utf-16-le") in data, "Book".encode("utf-16-le") in data)
    if "EncryptionInfo".encode("utf-16-le") in data or not any(named):
        # An .xlsx with a password is a compound file too, holding no workbook stream.
        raise unreadable("encrypted", name=filename)
    try:
        stream = _workbook_stream(data)
        if stream is None:
            raise unreadable("not_spreadsheet", name=filename)
        cells = _xls_cells(stream, filename)
    except _BrokenFile:
        raise unreadable("corrupt", name=filename) from None
    del data, stream
    if cells > _xls_limit(max_rows):
        raise unreadable("sheet_too_large", name=filename)


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
            raise unreadable("encrypted", name=filename)
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


def is_ods(path: Path) -> bool:
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


def check_ods(path: Path, filename: str, max_rows: int) -> None:
    """An .ods calamine may open: its parts bounded, its tables' grids within the limit."""
    limit = max_sheet_cells(max_rows)
    try:
        with zipfile.ZipFile(path) as archive:
            _check_members(archive, filename)
            with archive.open("content.xml") as part:
                cells = _ods_cells(part, limit)
    except UnreadableFile:
        raise
    except (KeyError, zipfile.BadZipFile, OSError, ValueError, EOFError, zlib_error):
        raise unreadable("corrupt", name=filename) from None
    if cells > limit:
        raise unreadable("sheet_too_large", name=filename)


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


def check_csv_lines(path: Path, filename: str) -> None:
    if not _lines_fit(path):
        raise unreadable("line_too_long", name=filename, limit=CSV_MAX_LINE_BYTES // 1024)


def _lines_fit(path: Path) -> bool:
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
                    return False
                continue
            if run + first > CSV_MAX_LINE_BYTES:
                return False
            last = chunk.rfind(b"\n")
            for start in range(first + 1, last, window):
                if chunk.find(b"\n", start, min(start + window, last + 1)) < 0:
                    return False
            run = len(chunk) - last - 1
    return run <= CSV_MAX_LINE_BYTES
