"""Reading ward files: xlsx and csv, messy headers, blank rows, bad input. Pure: no database."""

import re
import zipfile
from datetime import date, datetime

import openpyxl
import pytest

from households.imports.readers import SourceRow, UnreadableFile, read_sheet

MB = 2**20
HEADER = ["No KK", "NIK", "Nama", "JK", "Tgl Lahir", "Hubungan", "Alamat", "RT", "RW", "Kelurahan"]
HEAD = ["3275010101200001", "3275011708850001", "Budi", "L", "17-08-1985", "Kepala Keluarga",
        "Jl. Melati 1", "3", "5", "Bekasijaya"]  # fmt: skip
WIFE = ["3275010101200001", "3275015708870002", "Siti", "P", "17-08-1987", "Istri", "", "", "", ""]


def write_csv(tmp_path, rows, *, delimiter=";", encoding="utf-8", name="data.csv"):
    path = tmp_path / name
    text = "\r\n".join(delimiter.join(cells) for cells in rows) + "\r\n"
    path.write_bytes(text.encode(encoding))
    return path


def write_xlsx(tmp_path, rows, *, name="data.xlsx", text_columns=(1, 2)):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for r, cells in enumerate(rows, start=1):
        for c, value in enumerate(cells, start=1):
            if value not in (None, ""):
                cell = sheet.cell(r, c, value)
                if c in text_columns:
                    cell.number_format = "@"
    path = tmp_path / name
    workbook.save(path)
    return path


def read(path, *, name=None, max_bytes=50 * MB, max_rows=1000):
    return read_sheet(path, filename=name or path.name, max_bytes=max_bytes, max_rows=max_rows)


def refused(path, **kwargs) -> str:
    with pytest.raises(UnreadableFile) as excinfo:
        read(path, **kwargs)
    assert excinfo.value.message  # always something to show the clerk
    return excinfo.value.code


# CSV ------------------------------------------------------------------------------------------


def test_semicolon_csv_with_title_and_blank_rows_keeps_excel_row_numbers(tmp_path):
    path = write_csv(
        tmp_path, [["Data warga RW 05", "", ""], [""], HEADER, HEAD, [""] * 10, WIFE, [";;"]]
    )
    sheet = read(path)
    assert sheet.header_row == 3
    assert sheet.delimiter == ";"
    rows = list(sheet.rows)
    assert [r.number for r in rows] == [4, 6]
    assert len(sheet.rows) == 2
    assert rows[0].values["nik"] == "3275011708850001"
    assert rows[0].values["relationship"] == "Kepala Keluarga"
    assert "address" not in rows[1].values  # blank cells are left out
    assert rows[1].raw == tuple(WIFE)


def test_comma_csv(tmp_path):
    sheet = read(write_csv(tmp_path, [HEADER, HEAD], delimiter=","))
    assert sheet.delimiter == ","
    assert list(sheet.rows)[0].values["kelurahan"] == "Bekasijaya"


def test_rows_can_be_read_twice(tmp_path):
    sheet = read(write_csv(tmp_path, [HEADER, HEAD, WIFE]))
    assert [r.number for r in sheet.rows] == [r.number for r in sheet.rows] == [2, 3]


def test_utf8_with_bom(tmp_path):
    path = write_csv(tmp_path, [HEADER, HEAD], encoding="utf-8-sig")
    sheet = read(path)
    assert sheet.columns["kk_number"] == 0  # the BOM is not part of "No KK"
    assert list(sheet.rows)[0].values["kk_number"] == "3275010101200001"


def test_windows_1252(tmp_path):
    rows = [HEADER, [*HEAD[:2], "Muñoz Sjafe’i", *HEAD[3:]]]
    sheet = read(write_csv(tmp_path, rows, encoding="cp1252"))
    assert sheet.encoding == "cp1252"
    assert list(sheet.rows)[0].values["name"] == "Muñoz Sjafe’i"


def test_utf8_names_stay_utf8(tmp_path):
    rows = [HEADER, [*HEAD[:2], "Muñoz", *HEAD[3:]]]
    sheet = read(write_csv(tmp_path, rows))
    assert sheet.encoding == "utf-8-sig"
    assert list(sheet.rows)[0].values["name"] == "Muñoz"


def test_utf16_tab_separated_as_excel_saves_unicode_text(tmp_path):
    path = write_csv(tmp_path, [HEADER, [*HEAD[:2], "Muñoz", *HEAD[3:]]], delimiter="\t",
                     encoding="utf-16")  # fmt: skip
    sheet = read(path)
    assert (sheet.encoding, sheet.delimiter) == ("utf-16", "\t")
    assert list(sheet.rows)[0].values["name"] == "Muñoz"


def test_header_is_searched_in_the_first_30_non_blank_rows_only(tmp_path):
    titles = [[f"Judul {i}"] for i in range(30)]
    assert refused(write_csv(tmp_path, [*titles, HEADER, HEAD])) == "no_header"


def test_unknown_and_duplicate_headers_are_reported(tmp_path):
    sheet = read(write_csv(tmp_path, [["No", *HEADER, "Keterangan", "Nama Lengkap"], ["1", *HEAD]]))
    assert sheet.unknown_headers == ("No", "Keterangan")
    assert sheet.duplicate_headers == ("Nama Lengkap",)
    assert sheet.columns["kk_number"] == 1


def test_excel_mangled_nik_is_kept_as_it_is(tmp_path):
    rows = [HEADER, ["3.27501E+15", "3,27501E+15", *HEAD[2:]]]
    values = list(read(write_csv(tmp_path, rows)).rows)[0].values
    assert (values["kk_number"], values["nik"]) == ("3.27501E+15", "3,27501E+15")


def test_column_number_row_under_the_header_is_skipped(tmp_path):
    numbering = [f"({i})" for i in range(1, 11)]
    sheet = read(write_csv(tmp_path, [HEADER, numbering, HEAD]))
    assert [r.number for r in sheet.rows] == [3]


def test_header_under_many_title_rows(tmp_path):
    titles = [[f"Judul {i}"] for i in range(20)]
    sheet = read(write_csv(tmp_path, [*titles, HEADER, HEAD]))
    assert sheet.header_row == 21


def test_a_csv_that_is_really_an_xlsx_is_read_as_xlsx(tmp_path):
    path = write_xlsx(tmp_path, [HEADER, HEAD])
    renamed = path.rename(tmp_path / "data.csv")
    assert read(renamed).file_format == "xlsx"


# xlsx -----------------------------------------------------------------------------------------


def test_xlsx_with_date_cells_and_text_niks(tmp_path):
    rows = [
        ["Data Warga RT 003 / RW 005"],
        [],
        HEADER,
        [*HEAD[:4], date(1985, 8, 17), *HEAD[5:]],
        [],
        [*WIFE[:4], datetime(1987, 8, 17), *WIFE[5:]],  # noqa: DTZ001 (an Excel cell)
        [*WIFE[:4], 31276, *WIFE[5:]],  # a date typed as a serial number
    ]
    sheet = read(write_xlsx(tmp_path, rows))
    assert sheet.header_row == 3
    assert sheet.file_format == "xlsx"
    got = list(sheet.rows)
    assert [r.number for r in got] == [4, 6, 7]
    assert got[0].values["nik"] == "3275011708850001"
    assert got[0].values["birth_date"] == "1985-08-17"
    assert got[1].values["birth_date"] == "1987-08-17"
    assert got[2].values["birth_date"] == "31276"
    assert got[0].values["rt"] == "3"  # a number cell without ".0"


def test_xlsx_nik_stored_as_a_number_loses_its_last_digit(tmp_path):
    rows = [HEADER, [3275010101200001, 3275011708850001, *HEAD[2:]]]
    values = list(read(write_xlsx(tmp_path, rows, text_columns=())).rows)[0].values
    assert values["kk_number"] == "3275010101200001"  # an exact float
    assert values["nik"].isdigit()


def test_xlsx_header_not_in_column_a(tmp_path):
    rows = [[None, None, *HEADER], [None, None, *HEAD]]
    sheet = read(write_xlsx(tmp_path, rows, text_columns=(3, 4)))
    assert sheet.columns["kk_number"] == 2
    assert list(sheet.rows)[0].values["nik"] == "3275011708850001"


def test_xlsx_merged_kk_cells_fill_every_member_row(tmp_path):
    path = write_xlsx(tmp_path, [HEADER, HEAD, ["", *WIFE[1:]]])
    workbook = openpyxl.load_workbook(path)
    workbook.active.merge_cells("A2:A3")
    workbook.save(path)
    rows = list(read(path).rows)
    assert rows[1].values["kk_number"] == "3275010101200001"


def test_xlsx_two_header_rows_under_merged_cells(tmp_path):
    top = ["No KK", "NIK", "Nama", "JK", "Tgl Lahir", "Hubungan", "Alamat", "", "", "Kelurahan"]
    below = ["", "", "", "", "", "", "Jalan", "RT", "RW", ""]
    sheet = read(write_xlsx(tmp_path, [top, below, HEAD]))
    assert sheet.columns["rt"] == 7
    assert sheet.columns["rw"] == 8
    assert [r.number for r in sheet.rows] == [3]


def test_xlsx_header_cells_merged_over_a_second_header_row(tmp_path):
    top = ["No KK", "NIK", "Nama", "JK", "Tgl Lahir", "Hubungan", "Alamat", "", "", "Kelurahan"]
    below = ["", "", "", "", "", "", "Jalan", "RT", "RW", ""]
    path = write_xlsx(tmp_path, [top, below, HEAD])
    workbook = openpyxl.load_workbook(path)
    for letter in "ABCDEFJ":
        workbook.active.merge_cells(f"{letter}1:{letter}2")
    workbook.active.merge_cells("G1:I1")
    workbook.save(path)
    sheet = read(path)
    assert (sheet.columns["rt"], sheet.columns["address"]) == (7, 6)
    assert [r.number for r in sheet.rows] == [3]


def test_first_visible_sheet_is_read(tmp_path):
    path = write_xlsx(tmp_path, [HEADER, HEAD])
    workbook = openpyxl.load_workbook(path)
    hidden = workbook.create_sheet("Lama", 0)
    hidden.sheet_state = "hidden"
    workbook.save(path)
    assert len(read(path).rows) == 1


# Bad input ------------------------------------------------------------------------------------


def test_pdf_renamed_xlsx_is_not_a_spreadsheet(tmp_path):
    path = tmp_path / "data.xlsx"
    path.write_bytes(b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n")
    assert refused(path) == "not_spreadsheet"


def test_png_renamed_csv_is_not_a_spreadsheet(tmp_path):
    path = tmp_path / "data.csv"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 100)
    assert refused(path) == "not_spreadsheet"


@pytest.mark.parametrize("name", ["data.pdf", "data.docx", "data", "data.txt"])
def test_other_extensions_are_refused(tmp_path, name):
    path = write_csv(tmp_path, [HEADER, HEAD], name=name)
    assert refused(path) == "not_spreadsheet"


def test_a_text_file_named_xls_is_read_as_csv(tmp_path):
    # "Export to Excel" of many systems writes delimited text under an .xls name.
    path = write_csv(tmp_path, [HEADER, HEAD], delimiter="\t", name="data.xls")
    sheet = read(path)
    assert (sheet.file_format, len(sheet.rows)) == ("csv", 1)


@pytest.mark.parametrize("name", ["data.xlsm", "data.xlsb"])
def test_macro_and_binary_workbooks_get_a_save_as_hint(tmp_path, name):
    path = write_csv(tmp_path, [HEADER, HEAD], name=name)
    assert refused(path) == "wrong_format"


def test_encrypted_xlsx_is_refused(tmp_path):
    path = tmp_path / "data.xlsx"
    path.write_bytes(
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504 + "EncryptionInfo".encode("utf-16-le")
    )
    assert refused(path) == "encrypted"


def test_cfb_magic_alone_is_taken_as_encrypted(tmp_path):
    path = tmp_path / "data.xlsx"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 1024)
    assert refused(path) == "encrypted"


def test_corrupt_zip_is_refused(tmp_path):
    path = tmp_path / "data.xlsx"
    path.write_bytes(b"PK\x03\x04" + b"\x14\x00broken" * 50)
    assert refused(path) == "corrupt"


def test_truncated_xlsx_is_refused(tmp_path):
    good = write_xlsx(tmp_path, [HEADER, HEAD]).read_bytes()
    path = tmp_path / "cut.xlsx"
    path.write_bytes(good[: len(good) // 2])
    assert refused(path) == "corrupt"


def test_zip_that_is_no_workbook_is_refused(tmp_path):
    path = tmp_path / "data.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    assert refused(path) == "not_spreadsheet"


@pytest.mark.parametrize("name", ["data.csv", "data.xlsx"])
def test_empty_file_is_refused(tmp_path, name):
    path = tmp_path / name
    path.write_bytes(b"")
    assert refused(path) == "empty"


def test_blank_csv_is_empty(tmp_path):
    assert refused(write_csv(tmp_path, [[""], [" ; ;"]])) == "empty"


def test_no_recognisable_header(tmp_path):
    path = write_csv(tmp_path, [["Nama", "Umur"], ["Budi", "40"]])
    with pytest.raises(UnreadableFile) as excinfo:
        read(path)
    assert excinfo.value.code == "no_header"
    assert "No KK" in excinfo.value.message
    assert "NIK" in excinfo.value.message


def test_header_without_kk_is_not_a_header(tmp_path):
    assert refused(write_csv(tmp_path, [HEADER[1:], HEAD[1:]])) == "no_header"


def test_header_without_rows(tmp_path):
    assert refused(write_csv(tmp_path, [HEADER, [""]])) == "no_rows"


def test_too_big(tmp_path):
    path = write_csv(tmp_path, [HEADER, *[HEAD] * 50])
    with pytest.raises(UnreadableFile) as excinfo:
        read(path, max_bytes=1000)
    assert excinfo.value.code == "too_big"


def test_size_limit_is_said_in_mb(tmp_path):
    path = write_csv(tmp_path, [HEADER, *[HEAD] * 15_000])
    with pytest.raises(UnreadableFile) as excinfo:
        read(path, max_bytes=1 * MB, max_rows=20_000)
    assert "1 MB" in excinfo.value.message  # the limit
    assert re.search(r"1,\d MB", excinfo.value.message)  # the file, Indonesian decimal comma


@pytest.mark.parametrize("writer", [write_csv, write_xlsx])
def test_too_many_rows(tmp_path, writer):
    path = writer(tmp_path, [HEADER, *[HEAD] * 11])
    assert refused(path, max_rows=10) == "too_many_rows"
    assert len(read(path, max_rows=11).rows) == 11


def test_sheet_down_to_excels_last_row_is_refused_before_loading(tmp_path):
    path = write_xlsx(tmp_path, [HEADER, HEAD])
    workbook = openpyxl.load_workbook(path)
    workbook.active.cell(1_048_576, 1, "x")
    workbook.save(path)
    assert refused(path, max_rows=2_000_000) == "too_many_rows"


def test_unclosed_quote_is_refused_whole(tmp_path):
    path = tmp_path / "data.csv"
    path.write_text(
        ";".join(HEADER) + "\n" + ";".join(HEAD) + '\n"' + ("x" * 100 + "\n") * 2_000,
        encoding="utf-8",
    )
    assert refused(path) == "corrupt"


def test_source_row_is_plain_data():
    row = SourceRow(number=5, values={"nik": "1"}, raw=("1",))
    assert (row.number, row.values, row.raw) == (5, {"nik": "1"}, ("1",))
