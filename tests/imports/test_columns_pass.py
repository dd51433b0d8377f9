"""Issue 17: the check reads a file a column at a time, in chunks of rows. The verdict must not
depend on how the rows arrive: as the reader's columns or one row at a time, in one chunk or
cut anywhere (a family, a repeated NIK or a household conflict across a chunk's edge).
Pure: no database."""

from datetime import date

import pytest

from households.imports import validation
from households.imports.readers import read_sheet
from households.imports.regions import RegionIndex
from households.reference import REGIONS_CSV

TODAY = date(2026, 11, 28)
REGIONS = RegionIndex.from_csv(REGIONS_CSV)
HEADER = "No KK;NIK;Nama Lengkap;JK;Tgl Lahir;Hubungan;Alamat;RT;RW;Kelurahan;Kecamatan;PBI"
ROWS = [
    # a family whose second member names another kecamatan and repeats the head's NIK
    "3275010502100007;3275011708850001;Budi Santoso;L;17-08-1985;Kepala Keluarga;"
    "Gg. Mawar 7;3;12;Margahayu;Bekasi Timur;Ya",
    "3275010502100007;3275011708850001;Siti Aminah;P;12/03/1988;Istri;;;;;Medan Satria;Tidak",
    "3275010502100007;3275010105150003;Rizky Santoso;L;2015-05-01;Anak;;;;;;",
    # a family whose rows disagree on the address (a conflict), one NIK unreadable
    "3275011203110008;3275012006700004;Joko Susilo;L;20 Juni 1970;Kepala Keluarga;"
    "Jl. Melati 2;1;5;Margahayu;;",
    "3275011203110008;3.27501E+15;Sri Wahyuni;P;20-07-1972;Istri;Jl. Melati 3;1;5;Margahayu;;Ya",
    # a family whose head, last, was born in the future; a member's name is blank
    "3275011111110009;3275014101900006;;P;01-01-1990;Anak;Jl. Anggrek 1;2;7;Bekasijaya;;",
    "3275011111110009;3275011111900007;Ahmad;L;11-11-2030;Kepala Keluarga;;;;;;",
    "3275011111110009;3275011111900008;Ahmad Jr;L;11-11-2010;Anak;;;;;;Ya",
    # a clean family: one member enrolled in PBI-JK, one not
    "3275010101200011;3275016202800009;Dewi Lestari;P;22-02-1980;Kepala Keluarga;"
    "Jl. Kenanga 4;4;2;Jatikarya;;Ya",
    "3275010101200011;3275010303050010;Eko Prasetyo;L;03-03-2005;Anak;Jl. Kenanga 4;4;2;;;Tidak",
]


def _result(sheet, *, as_rows: bool):
    rows = list(sheet.rows) if as_rows else sheet.rows
    return validation.validate_rows(rows, regions=REGIONS, today=TODAY)


def _verdict(result):
    return (
        [tuple(issue) for issue in result.issues],
        [(r.number, r.kk_number, r.household, r.member.as_dict(), r.programs) for r in result.rows],
        result.error_rows,
        result.family_count,
    )


@pytest.fixture
def sheet(tmp_path):
    path = tmp_path / "ward.csv"
    path.write_text("\n".join([HEADER, *ROWS]) + "\n", encoding="utf-8")
    return read_sheet(path, filename="ward.csv", max_bytes=2**20, max_rows=1000)


def test_columns_and_rows_give_the_same_verdict(sheet):
    by_columns = _result(sheet, as_rows=False)
    assert _verdict(by_columns) == _verdict(_result(sheet, as_rows=True))
    # and it is a verdict worth comparing: errors, warnings and clean rows in it
    codes = {issue.code for issue in by_columns.issues}
    assert {"nik_twice_in_file", "kecamatan_mismatch", "household_conflict"} <= codes
    assert {"nik_excel", "date_range", "required", "family_has_errors"} <= codes
    assert by_columns.rows
    assert by_columns.error_rows


@pytest.mark.parametrize("chunk", [1, 2, 3, 5])
def test_a_chunk_edge_anywhere_changes_nothing(sheet, monkeypatch, chunk):
    whole = _verdict(_result(sheet, as_rows=False))
    monkeypatch.setattr(validation, "CHUNK_ROWS", chunk)
    assert _verdict(_result(sheet, as_rows=False)) == whole
    assert _verdict(_result(sheet, as_rows=True)) == whole


def test_issues_of_a_row_keep_their_column_order(sheet):
    result = _result(sheet, as_rows=False)
    second = [(issue.column, issue.code) for issue in result.issues if issue.row == 3]
    # the row's own cells first (member columns, then the NIK), then the family's verdict
    assert second[0] == ("nik", "nik_twice_in_file")
    assert second.index(("nik", "nik_twice_in_file")) < second.index(
        ("kecamatan", "kecamatan_mismatch")
    )
