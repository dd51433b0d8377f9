"""The import template round-trips through the reader and the validator. Pure: no database."""

import csv
from datetime import date
from io import BytesIO

import openpyxl
import pytest

from households.imports import columns
from households.imports.readers import read_sheet
from households.imports.regions import RegionIndex
from households.imports.template import (
    EXAMPLE_KK_NUMBER,
    FIRST_DATA_ROW,
    HEADER_ROW,
    build_template_xlsx,
    template_columns,
)
from households.imports.validation import validate_rows
from households.reference import REGIONS_CSV

REGIONS = RegionIndex.from_csv(REGIONS_CSV)
with REGIONS_CSV.open(encoding="utf-8") as _handle:
    KELURAHAN = [r["name"] for r in csv.DictReader(_handle) if r["level"] == "kelurahan"]


@pytest.fixture(scope="module")
def template() -> bytes:
    return build_template_xlsx(KELURAHAN)


def test_the_example_family_is_refused_so_it_never_enters_the_registry(template, tmp_path):
    path = tmp_path / "templat.xlsx"
    path.write_bytes(template)
    sheet = read_sheet(path, filename=path.name, max_bytes=10 * 2**20, max_rows=1000)
    result = validate_rows(sheet.rows, regions=REGIONS, today=date(2026, 11, 28))
    assert result.rows == []
    assert result.error_rows == {FIRST_DATA_ROW, FIRST_DATA_ROW + 1}
    assert {(i.code, i.severity) for i in result.issues} == {("template_example", "error")}


def test_template_reads_back_as_the_example_family_without_errors(template, tmp_path, monkeypatch):
    monkeypatch.setattr(columns, "EXAMPLE_KK_NUMBER", "not the example")  # read it as real
    path = tmp_path / "templat.xlsx"
    path.write_bytes(template)
    sheet = read_sheet(path, filename=path.name, max_bytes=10 * 2**20, max_rows=1000)
    assert sheet.header_row == HEADER_ROW
    assert not sheet.unknown_headers
    assert set(sheet.columns) == {c.name for c in template_columns()}
    result = validate_rows(sheet.rows, regions=REGIONS, today=date(2026, 11, 28))
    assert result.issues == []
    head, wife = result.rows
    assert (head.number, wife.number) == (FIRST_DATA_ROW, FIRST_DATA_ROW + 1)
    assert head.kk_number == wife.kk_number == EXAMPLE_KK_NUMBER
    assert head.member["relationship"] == "head"
    assert head.member["birth_date"] == date(1985, 8, 17)
    assert head.household["kelurahan"] == REGIONS.id_for_code("32.75.01.1001")
    assert head.household["rt"] == "003"
    assert head.household["electricity_va"] == 900
    assert head.programs["pkh"] is True
    assert wife.programs["pbi-jk"] is True


def test_required_headers_are_marked_and_id_columns_are_text(template):
    sheet = openpyxl.load_workbook(BytesIO(template)).worksheets[0]
    headers = {cell.value: cell for cell in sheet[HEADER_ROW] if cell.value}
    assert "No KK *" in headers
    assert "NIK *" in headers
    assert "Tempat Lahir" in headers
    assert headers["No KK *"].font.b
    positions = {c.name: i for i, c in enumerate(template_columns(), start=1)}
    for name in ("kk_number", "nik", "rt", "rw"):
        assert sheet.cell(FIRST_DATA_ROW + 10, positions[name]).number_format == "@"
    assert sheet.cell(FIRST_DATA_ROW, positions["nik"]).value == "3275011708850001"  # text
    assert sheet.cell(1, 1).value.strip()  # a title row above the header


def test_coded_columns_have_drop_downs(template):
    workbook = openpyxl.load_workbook(BytesIO(template))
    sheet = workbook.worksheets[0]
    positions = {c.name: i for i, c in enumerate(template_columns(), start=1)}
    letters = {openpyxl.utils.get_column_letter(p): name for name, p in positions.items()}
    validated = {
        letters[str(ref).split(":")[0].rstrip("0123456789")]
        for dv in sheet.data_validations.dataValidation
        for ref in dv.sqref.ranges
    }
    coded = {
        c.name
        for c in template_columns()
        if c.kind
        in (columns.SEX, columns.RELATIONSHIP, columns.CHOICE, columns.YES_NO,
            columns.ELECTRICITY_VA, columns.KELURAHAN)
    }  # fmt: skip
    assert coded <= validated
    lists = workbook.worksheets[-1]
    values = {cell.value for column in lists.iter_cols() for cell in column}
    assert {"Kepala Keluarga", "Keramik", "Bekasijaya", "Jatirahayu"} <= values


def test_instructions_sheet(template):
    workbook = openpyxl.load_workbook(BytesIO(template))
    assert len(workbook.worksheets) == 3
    guide = workbook.worksheets[1]
    assert sum(1 for row in guide.iter_rows() if row[0].value) >= 8


def test_template_without_kelurahan_names_still_builds(tmp_path, monkeypatch):
    monkeypatch.setattr(columns, "EXAMPLE_KK_NUMBER", "not the example")  # read it as real
    path = tmp_path / "t.xlsx"
    path.write_bytes(build_template_xlsx([]))
    sheet = read_sheet(path, filename="t.xlsx", max_bytes=10 * 2**20, max_rows=1000)
    result = validate_rows(
        sheet.rows,
        regions=REGIONS,
        today=date(2026, 11, 28),
        default_kelurahan_id=REGIONS.id_for_code("32.75.01.1002"),
    )
    assert not result.error_rows
