"""The import template: an .xlsx with every column, an example family, drop-down lists for
coded columns and a sheet of instructions. Reading it back gives the example family with no
errors (tests/imports/test_template.py)."""

from datetime import date
from io import BytesIO

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation

from households.imports import choices, columns

TITLE_ROW, NOTE_ROW, HEADER_ROW = 1, 2, 3
FIRST_DATA_ROW = HEADER_ROW + 1
LAST_FORMATTED_ROW = 5000  # drop-downs and Text format reach this far
EXAMPLE_KK_NUMBER = columns.EXAMPLE_KK_NUMBER
EXAMPLE_ROWS = (
    {
        "kk_number": EXAMPLE_KK_NUMBER,
        "nik": "3275011708850001",
        "name": "Budi Santoso",
        "sex": "L",
        "birth_place": "Bekasi",
        "birth_date": date(1985, 8, 17),
        "relationship": "Kepala Keluarga",
        "marital_status": "Kawin",
        "education": "SMA/SMK/Sederajat",
        "occupation": "Buruh",
        "disability": "Tidak Ada",
        "chronic_illness": "Tidak Ada",
        "is_pregnant": "Tidak",
        "health_insurance": "PBI",
        "is_deceased": "Tidak",
        "address": "Jl. Melati No. 12",
        "rt": "003",
        "rw": "005",
        "house_ownership": "Milik Sendiri",
        "floor_area": 36,
        "floor_material": "Keramik",
        "wall_material": "Tembok",
        "roof_material": "Genteng",
        "water_source": "Air Isi Ulang",
        "sanitation": "Sendiri",
        "cooking_fuel": "Elpiji 3 kg",
        "lighting": "PLN Meteran Sendiri",
        "electricity_va": 900,
        "car_count": 0,
        "motorcycle_count": 1,
        "has_refrigerator": "Ya",
        "has_air_conditioner": "Tidak",
        "has_gold": "Tidak",
        "owns_other_house": "Tidak",
        "monthly_income": 2500000,
        "monthly_expenditure": 2000000,
        "program:pkh": "Ya",
        "program:bpnt": "Ya",
        "program:pbi-jk": "Ya",
        "program:blt": "Tidak",
        "program:rutilahu": "Tidak",
    },
    {
        "kk_number": EXAMPLE_KK_NUMBER,
        "nik": "3275015708870002",
        "name": "Siti Aminah",
        "sex": "P",
        "birth_place": "Jakarta",
        "birth_date": date(1987, 8, 17),
        "relationship": "Istri/Suami",
        "marital_status": "Kawin",
        "education": "SMP/Sederajat",
        "occupation": "Mengurus Rumah Tangga",
        "disability": "Tidak Ada",
        "chronic_illness": "Tidak Ada",
        "is_pregnant": "Tidak",
        "health_insurance": "PBI",
        "is_deceased": "Tidak",
        "program:pbi-jk": "Ya",
    },
)
TEXT_KINDS = (columns.KK, columns.NIK, columns.RT_RW)
FORMATS = {columns.DATE: "DD-MM-YYYY"}
WIDE = {"name": 28, "address": 32, "kelurahan": 20, "birth_place": 16}
_REQUIRED_FILL = PatternFill("solid", fgColor="FDE9D9")
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_EXAMPLE_FONT = Font(italic=True, color="808080")


def template_columns() -> list[columns.Column]:
    return [c for c in columns.COLUMNS if c.name != "rt_rw"]


def _list_values(column: columns.Column, kelurahan_names: list[str]) -> list[str] | None:
    if column.kind in (columns.SEX, columns.RELATIONSHIP, columns.CHOICE):
        return choices.template_words(column.name)
    if column.kind == columns.YES_NO:
        return ["Ya", "Tidak"]
    if column.kind == columns.ELECTRICITY_VA:
        return ["Tanpa Listrik", "450", "900", "1300", "2200", "3500", "4400", "5500", "7700",
                "11000"]  # fmt: skip
    if column.kind == columns.KELURAHAN:
        return list(kelurahan_names) or None
    return None


def build_template_xlsx(kelurahan_names: list[str]) -> bytes:
    """The template for the given kelurahan (their names fill the kelurahan drop-down)."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Data"
    lists = workbook.create_sheet(_("Choice lists"))
    guide = workbook.create_sheet(_("Instructions"), 1)
    layout = template_columns()

    sheet.cell(TITLE_ROW, 1, _("SLRT data import template — one row per family member"))
    sheet.cell(TITLE_ROW, 1).font = Font(bold=True, size=14)
    sheet.cell(
        NOTE_ROW,
        1,
        _(
            "Columns marked * must be filled in. The grey rows are an example: delete them "
            "before you upload. See the Instructions sheet."
        ),
    )
    sheet.cell(NOTE_ROW, 1).font = Font(italic=True)

    list_column = 0
    for position, column in enumerate(layout, start=1):
        letter = get_column_letter(position)
        header = sheet.cell(HEADER_ROW, position, column.label + (" *" if column.required else ""))
        header.font = Font(bold=True)
        header.fill = _REQUIRED_FILL if column.required else _HEADER_FILL
        header.alignment = Alignment(wrap_text=True, vertical="center")
        sheet.column_dimensions[letter].width = WIDE.get(
            column.name,
            20 if column.kind in (columns.KK, columns.NIK) else max(12, len(column.label) * 0.9),
        )
        cells = f"{letter}{FIRST_DATA_ROW}:{letter}{LAST_FORMATTED_ROW}"
        number_format = "@" if column.kind in TEXT_KINDS else FORMATS.get(column.kind)
        if number_format:
            for (cell,) in sheet.iter_rows(
                min_row=FIRST_DATA_ROW,
                max_row=LAST_FORMATTED_ROW,
                min_col=position,
                max_col=position,
            ):
                cell.number_format = number_format
        values = _list_values(column, kelurahan_names)
        if values:
            list_column += 1
            list_letter = get_column_letter(list_column)
            lists.cell(1, list_column, column.label).font = Font(bold=True)
            for offset, value in enumerate(values, start=2):
                lists.cell(offset, list_column, value)
            lists.column_dimensions[list_letter].width = max(14, len(column.label))
            source = (
                f"{quote_sheetname(lists.title)}!${list_letter}$2:${list_letter}${len(values) + 1}"
            )
            validation = DataValidation(
                type="list",
                formula1=source,
                allow_blank=True,
                showErrorMessage=True,
                errorStyle="warning",
                errorTitle=_("Not in the list"),
                error=_("Choose a value from the list (other known spellings are accepted too)."),
            )
            validation.add(cells)
            sheet.add_data_validation(validation)

    for offset, example in enumerate(EXAMPLE_ROWS):
        row = FIRST_DATA_ROW + offset
        values = dict(example)
        if offset == 0 and kelurahan_names:
            values["kelurahan"] = kelurahan_names[0]
        for position, column in enumerate(layout, start=1):
            cell = sheet.cell(row, position, values.get(column.name))
            cell.font = _EXAMPLE_FONT
    sheet.freeze_panes = sheet.cell(FIRST_DATA_ROW, 3)
    sheet.row_dimensions[HEADER_ROW].height = 32
    _write_guide(guide)

    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _write_guide(guide) -> None:
    guide.column_dimensions["A"].width = 110
    lines = [
        _("How to fill in the SLRT import template"),
        "",
        _("1. One row per family member, as on the Kartu Keluarga (KK). Repeat the No KK on "
          "every member's row."),
        _("2. Household columns (address, RT, RW, kelurahan, house, assets, income, PKH, BPNT, "
          "BLT, Rutilahu) may be filled on the head's row only; if you repeat them, they must "
          "be the same on every row of the family."),
        _("3. Exactly one member per KK is Kepala Keluarga."),
        _("4. NIK and No KK are 16 digits. Keep these columns formatted as Text, otherwise "
          "Excel changes them into numbers such as 3,27501E+15 and the digits are lost."),
        _("5. Dates as day-month-year, for example 17-08-1985, or as an Excel date."),
        _("6. Coded columns (sex, relationship, floor, wall, roof, water, ...) have a "
          "drop-down list; the Choice lists sheet shows every value."),
        _("7. Ya/Tidak columns: leave the cell empty if you do not know."),
        _("8. Money in rupiah without decimals, for example 1500000 or 1.500.000."),
        _("9. Delete the grey example rows before you upload."),
        _("10. Upload the file under Impor Data. You will see a preview with every error and "
          "warning before anything is saved; fix the rows in this file and upload it again."),
    ]  # fmt: skip
    for number, line in enumerate(lines, start=1):
        cell = guide.cell(number, 1, line)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    guide.cell(1, 1).font = Font(bold=True, size=14)
