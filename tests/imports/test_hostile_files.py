"""Issue 16, finding 3: bounded readers. A small hostile file must not cost gigabytes: each is
read in a child process under a memory cap (RLIMIT_AS) and a time cap, and must end in one
clear Indonesian message, not a crash."""

import io
import re
import struct
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import openpyxl
import pytest

from households.imports.readers import CSV_MAX_LINE_BYTES, UnreadableFile, read_sheet
from tests.imports.files import FAMILY_A, HEADER, XLS_FIXTURE, ods_bytes

MEMORY_CAP = 2**30  # 1 GB of address space for the whole child (Python, Django, calamine)
TIME_CAP = 60  # seconds

CHILD = textwrap.dedent(
    """
    import os, resource, sys
    resource.setrlimit(resource.RLIMIT_AS, ({cap}, {cap}))
    os.environ["DJANGO_SETTINGS_MODULE"] = "tests.settings"
    import django
    django.setup()
    from django.utils import translation
    from households.imports.readers import UnreadableFile, read_sheet
    translation.activate("id")
    try:
        sheet = read_sheet(sys.argv[1], filename=os.path.basename(sys.argv[1]),
                           max_bytes=50 * 2**20, max_rows=1_000_000)
    except UnreadableFile as error:
        print(error.code)
        print(error.message)
    else:
        print("read", len(sheet.rows))
    """
)


def read_in_child(path: Path) -> tuple[str, str]:
    """(code, Indonesian message) of the reader in a child process under the caps."""
    script = CHILD.format(cap=MEMORY_CAP)
    result = subprocess.run(
        [sys.executable, "-c", script, str(path)],
        capture_output=True,
        text=True,
        timeout=TIME_CAP,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert result.returncode == 0, f"the reader crashed ({result.returncode}): {result.stderr}"
    code, _, message = result.stdout.strip().partition("\n")
    return code, message


def _workbook_with_far_cell(row: int = 100_000, column: int = 16_384) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(HEADER.split(";"))
    sheet.append(FAMILY_A[0].split(";"))
    sheet.cell(row=row, column=column, value="x")
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _rewrite_sheet(content: bytes, change) -> bytes:
    """The same workbook with its first sheet's XML passed through `change`."""
    source = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = change(data)
            target.writestr(item.filename, data)
    return out.getvalue()


def _lying_dimension(data: bytes) -> bytes:
    return re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:C2"', data)


def _no_dimension(data: bytes) -> bytes:
    return re.sub(rb"<dimension [^>]*/>", b"", data)


def _implicit_wide_row(data: bytes) -> bytes:
    """16,384 cells without references in the header row (each follows the one before) and
    no dimension: only counting the cells tells how wide the sheet is."""
    wide = b"<c/>" * 16_384
    data = _no_dimension(data)
    return re.sub(rb'(<row r="1"[^>]*>)', rb"\1" + wide, data, count=1)


def _padded(data: bytes) -> bytes:
    """200 MB of blanks inside the sheet: a zip member that inflates far beyond its size."""
    return data.replace(b"<sheetData>", b"<sheetData>" + b" " * 200 * 2**20, 1)


HOSTILE = [
    pytest.param(_workbook_with_far_cell(), "sheet_too_large", id="cell-at-XFD100000"),
    # within the template's width, a million rows down: a 1.5 GB grid for calamine
    pytest.param(
        _workbook_with_far_cell(row=1_000_000, column=47), "sheet_too_large", id="AU1000000"
    ),
    pytest.param(
        _rewrite_sheet(_workbook_with_far_cell(), _lying_dimension),
        "sheet_too_large",
        id="dimension-lies",
    ),
    pytest.param(
        _rewrite_sheet(_workbook_with_far_cell(), _no_dimension),
        "sheet_too_large",
        id="no-dimension",
    ),
    pytest.param(
        _rewrite_sheet(_workbook_with_far_cell(row=100_000, column=1), _implicit_wide_row),
        "sheet_too_large",
        id="cells-without-references",
    ),
    pytest.param(
        _rewrite_sheet(_workbook_with_far_cell(row=3, column=1), _padded),
        "sheet_too_large",
        id="zip-bomb-member",
    ),
]


@pytest.mark.parametrize(("content", "code"), HOSTILE)
def test_a_hostile_workbook_is_refused_in_bounded_memory_and_time(tmp_path, content, code):
    path = tmp_path / "rw12.xlsx"
    path.write_bytes(content)
    assert len(content) < 1024 * 1024  # small files, each worth gigabytes to a naive reader
    found, message = read_in_child(path)
    assert found == code
    assert message.startswith("rw12.xlsx memiliki sel jauh di kanan")  # Indonesian


def _far_cell_spelled(spelling: bytes):
    """The far cell's tag written another way calamine reads the same (the dimension lies)."""

    def change(data: bytes) -> bytes:
        data = _lying_dimension(data)
        return re.sub(rb'<c r="XFD(\d+)"([^>]*)>(.*?)</c>', spelling, data)

    return _rewrite_sheet(_workbook_with_far_cell(), change)


# Each of these passed the bounds check before 2026-12-06 (evening) and calamine then asked
# for 52 GB: the reference after a tab or a line end, in single quotes, in lower case, with
# spaces around "=", or the cell tag with a namespace prefix.
SPELLINGS = [
    pytest.param(rb'<c\tr="XFD\1"\2>\3</c>', id="tab"),
    pytest.param(rb'<c\nr="XFD\1"\2>\3</c>', id="line-end"),
    pytest.param(rb"<c r='XFD\1'\2>\3</c>", id="single-quotes"),
    pytest.param(rb'<c r="xfd\1"\2>\3</c>', id="lower-case"),
    pytest.param(rb'<c r = "XFD\1"\2>\3</c>', id="spaces-around-equals"),
    pytest.param(rb'<x:c r="XFD\1"\2>\3</x:c>', id="prefixed-tag"),
]


@pytest.mark.parametrize("spelling", SPELLINGS)
def test_a_far_cell_spelled_otherwise_is_refused_too(tmp_path, spelling):
    path = tmp_path / "rw12.xlsx"
    path.write_bytes(_far_cell_spelled(spelling))
    found, message = read_in_child(path)
    assert found == "sheet_too_large"
    assert message.startswith("rw12.xlsx memiliki sel jauh di kanan")


def test_an_xml_part_with_a_dtd_is_refused(tmp_path):
    laughs = b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">]>'
    content = _rewrite_sheet(
        _workbook_with_far_cell(row=3, column=1),
        lambda data: laughs + re.sub(rb"^<\?xml[^>]*>", b"", data),
    )
    path = tmp_path / "rw12.xlsx"
    path.write_bytes(content)
    with pytest.raises(UnreadableFile) as excinfo:
        read_sheet(path, filename="rw12.xlsx", max_bytes=50 * 2**20, max_rows=1_000)
    assert excinfo.value.code == "corrupt"


def test_a_csv_line_longer_than_the_limit_is_refused_before_it_is_split(tmp_path):
    path = tmp_path / "rw12.csv"
    commas = b";" * (20 * 2**20)  # twenty million empty cells on one line
    path.write_bytes(HEADER.encode() + b"\n" + FAMILY_A[0].encode() + b"\n" + commas + b"\n")
    found, message = read_in_child(path)
    assert found == "line_too_long"
    assert message.startswith(
        f"rw12.csv memiliki baris yang lebih panjang dari {CSV_MAX_LINE_BYTES // 1024} KB"
    )


def test_an_ordinary_workbook_is_still_read(tmp_path):
    workbook = openpyxl.Workbook()
    for line in [HEADER, *FAMILY_A]:
        workbook.active.append(line.split(";"))
    path = tmp_path / "rw12.xlsx"
    workbook.save(path)
    sheet = read_sheet(path, filename="rw12.xlsx", max_bytes=50 * 2**20, max_rows=1_000)
    assert len(sheet.rows) == 3


# .xls and .ods (issue 18, point 13): the same bounds before calamine opens the file ------------

XLS = XLS_FIXTURE.read_bytes()


def _xls_far_cell(data: bytes) -> bytes:
    """Rizky's KK cell (row 6, column A) moved to IV65536: calamine would build 65,536 x 256
    cells for every sheet (512 MB) when it opens the file."""
    old = b"\xfd\x00\x0a\x00\x05\x00\x00\x00"  # LABELSST, 10 bytes, row 5, column 0
    assert data.count(old) == 1
    return data.replace(old, b"\xfd\x00\x0a\x00\xff\xff\xff\x00")


def _xls_sst_count(data: bytes) -> bytes:
    """A shared-string table declaring two billion strings."""
    at = re.search(rb"\xfc\x00..", data, re.S).end() + 4
    return data[:at] + struct.pack("<I", 2**31 - 1) + data[at + 4 :]


def _xls_stream_size(data: bytes) -> bytes:
    """The Workbook stream's directory entry says it is 2 GB."""
    at = data.index("Workbook".encode("utf-16-le"))
    return data[: at + 0x78] + struct.pack("<I", 2**31) + data[at + 0x7C :]


def _xls_fat_loop(data: bytes) -> bytes:
    """The directory's sector chain points back at itself: a reader that follows it loops."""
    fat, directory = (
        struct.unpack_from("<I", data, 0x4C)[0],
        struct.unpack_from("<I", data, 0x30)[0],
    )
    at = 512 * (fat + 1) + 4 * directory
    return data[:at] + struct.pack("<I", directory) + data[at + 4 :]


HOSTILE_XLS = [
    pytest.param(_xls_far_cell(XLS), "sheet_too_large", id="xls-cell-at-IV65536"),
    pytest.param(_xls_sst_count(XLS), "corrupt", id="xls-two-billion-strings"),
    pytest.param(_xls_stream_size(XLS), "corrupt", id="xls-stream-size-lies"),
    pytest.param(_xls_fat_loop(XLS), "corrupt", id="xls-sector-chain-loops"),
]


@pytest.mark.parametrize(("content", "code"), HOSTILE_XLS)
def test_a_hostile_xls_is_refused_in_bounded_memory_and_time(tmp_path, content, code):
    path = tmp_path / "rw12.xls"
    path.write_bytes(content)
    found, message = read_in_child(path)
    assert found == code
    assert message.startswith("rw12.xls ")
    assert "memiliki sel jauh di kanan" in message or "rusak" in message  # Indonesian


_FAR_ROWS = (  # one text cell repeated 16,384 times, in a row repeated a million times
    '<table:table-row table:number-rows-repeated="1000000">'
    '<table:table-cell table:number-columns-repeated="16384" office:value-type="string">'
    "<text:p>x</text:p></table:table-cell></table:table-row>"
)


def _ods_bomb() -> bytes:
    """content.xml padded with 200 MB of blanks: a part that inflates far beyond its size."""
    return ods_bytes(FAMILY_A, after=" " * 200 * 2**20)


HOSTILE_ODS = [
    pytest.param(ods_bytes(FAMILY_A, after=_FAR_ROWS), "sheet_too_large", id="ods-repeated-cells"),
    pytest.param(
        ods_bytes(FAMILY_A, tables=f'<table:table table:name="x">{_FAR_ROWS}</table:table>'),
        "sheet_too_large",
        id="ods-second-table-repeated",
    ),
    pytest.param(
        ods_bytes(
            FAMILY_A,
            after='<table:table-row><table:table-cell office:value-type="string" '
            'table:number-columns-repeated="16384"/></table:table-row>'
            '<table:table-row table:number-rows-repeated="999999"><table:table-cell '
            'office:value-type="float" office:value="1"/></table:table-row>',
        ),
        "sheet_too_large",
        id="ods-self-closed-cells-with-values",
    ),
    pytest.param(_ods_bomb(), "sheet_too_large", id="ods-zip-bomb-member"),
    pytest.param(  # within the grid's limit, but 40 million cells out of one written cell
        ods_bytes(
            FAMILY_A,
            tables='<table:table table:name="x">'
            '<table:table-row table:number-rows-repeated="1000000">'
            '<table:table-cell table:number-columns-repeated="40" office:value-type="string">'
            "<text:p>x</text:p></table:table-cell></table:table-row></table:table>",
        ),
        "sheet_too_large",
        id="ods-one-cell-repeated-into-millions",
    ),
]


@pytest.mark.parametrize(("content", "code"), HOSTILE_ODS)
def test_a_hostile_ods_is_refused_in_bounded_memory_and_time(tmp_path, content, code):
    path = tmp_path / "rw12.ods"
    path.write_bytes(content)
    assert len(content) < 1024 * 1024
    found, message = read_in_child(path)
    assert found == code
    assert message.startswith("rw12.ods memiliki sel jauh di kanan")


def test_an_ods_with_a_dtd_past_the_first_bytes_is_refused(tmp_path):
    content = ods_bytes(FAMILY_A)
    laughs = b"<!--" + b" " * 8000 + b'--><!DOCTYPE lolz [<!ENTITY lol "lol">]>'
    source = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "content.xml":
                data = re.sub(rb"^(<\?xml[^>]*>)", rb"\1" + laughs, data)
            target.writestr(item.filename, data)
    path = tmp_path / "rw12.ods"
    path.write_bytes(out.getvalue())
    with pytest.raises(UnreadableFile) as excinfo:
        read_sheet(path, filename="rw12.ods", max_bytes=50 * 2**20, max_rows=1_000)
    assert excinfo.value.code == "corrupt"


@pytest.mark.parametrize(
    ("name", "content"),
    [("rw12.xls", XLS), ("rw12.ods", ods_bytes(FAMILY_A))],
)
def test_an_ordinary_xls_or_ods_is_still_read_in_the_child(tmp_path, name, content):
    path = tmp_path / name
    path.write_bytes(content)
    assert read_in_child(path) == ("read 3", "")
