"""Validating imported rows and families (DOMAIN.md sections 1, 3, 4). Pure: no database."""

from datetime import date

import pytest

from households.imports.readers import SourceRow, read_sheet
from households.imports.regions import RegionIndex
from households.imports.validation import SOURCE_FORMATS, validate_rows
from households.reference import REGIONS_CSV

TODAY = date(2026, 11, 28)
REGIONS = RegionIndex.from_csv(REGIONS_CSV)
BEKASIJAYA = REGIONS.id_for_code("32.75.01.1001")
MARGAHAYU = REGIONS.id_for_code("32.75.01.1002")
JATIKARYA = REGIONS.id_for_code("32.75.10.1002")  # BPS code 3275011001
KK = "3275010202200003"
HEAD = {
    "kk_number": KK,
    "nik": "3275011708850001",
    "name": "Budi Santoso",
    "sex": "L",
    "birth_date": "17-08-1985",
    "relationship": "Kepala Keluarga",
    "address": "Jl. Melati 1",
    "rt": "3",
    "rw": "5",
    "kelurahan": "Bekasijaya",
}
WIFE = {
    "kk_number": KK,
    "nik": "3275015708870002",
    "name": "Siti Aminah",
    "sex": "P",
    "birth_date": "17-08-1987",
    "relationship": "Istri",
}


def row(number: int, base: dict | None = None, **changes) -> SourceRow:
    values = {**(base or HEAD), **changes}
    values = {k: v for k, v in values.items() if v is not None}
    return SourceRow(number=number, values=values, raw=tuple(values.values()))


def check(*rows: SourceRow, **kwargs):
    kwargs.setdefault("regions", REGIONS)
    kwargs.setdefault("today", TODAY)
    result = validate_rows(rows, **kwargs)
    numbers = {r.number for r in rows}
    clean = {r.number for r in result.rows}
    # Committed + reported = rows in the file: every row is clean or an error row, never both.
    assert clean | result.error_rows == numbers
    assert not clean & result.error_rows
    assert result.row_count == len(rows)
    return result


def codes(result, number: int | None = None, severity: str | None = None) -> list[str]:
    return [
        i.code
        for i in result.issues
        if (number is None or i.row == number) and (severity is None or i.severity == severity)
    ]


def value_of(column: str, text: str, *, source_format: str = "slrt", base=None):
    """The cleaned value of one cell in an otherwise valid head-of-family row."""
    result = check(row(2, base, **{column: text}), source_format=source_format)
    assert not result.error_rows, result.issues
    clean = result.rows[0]
    if column.startswith("program:"):
        return clean.programs[column.removeprefix("program:")]
    return clean.member.get(column, clean.household.get(column))


def error_code(column: str, text: str, *, source_format: str = "slrt") -> str:
    result = check(row(2, **{column: text}), source_format=source_format)
    found = [i for i in result.issues if i.column == column and i.severity == "error"]
    assert found, result.issues
    assert all(i.message for i in found)
    return found[0].code


# A clean family -------------------------------------------------------------------------------


def test_clean_family_gives_model_values():
    result = check(row(4), row(5, WIFE))
    assert not result.issues
    head, wife = result.rows
    assert head.kk_number == KK
    assert head.household == {"address": "Jl. Melati 1", "rt": "003", "rw": "005",
                              "kelurahan": BEKASIJAYA}  # fmt: skip
    assert wife.household is head.household  # merged once per family
    assert head.member.as_dict() == {
        "nik": "3275011708850001",
        "name": "Budi Santoso",
        "sex": "male",
        "birth_date": date(1985, 8, 17),
        "relationship": "head",
    }
    assert wife.member["sex"] == "female"
    assert wife.member["relationship"] == "spouse"
    assert result.family_count == 1


def test_source_formats_are_declared():
    assert {"slrt", "pbdt2015"} <= set(SOURCE_FORMATS)


def test_unknown_source_format_is_a_programming_error():
    with pytest.raises(ValueError, match="source format"):
        validate_rows([row(2)], regions=REGIONS, today=TODAY, source_format="dtks")


# Dates ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "1985-08-17",  # an Excel date cell, as the reader gives it
        "1985-08-17 00:00:00",
        "31276",  # an Excel serial number
        "31276.0",
        "17-08-1985",
        "17/08/1985",
        "17.08.1985",
        "17-8-1985",
        "17 Agustus 1985",
        "17 agustus 1985",
        "17 Agt 1985",
        "17 Agu 1985",
        "17 Ags 1985",
        "17 Aug 1985",
        "17 August 1985",
        "17-Aug-1985",
        "17081985",
        "19850817",
    ],
)
def test_date_forms(text):
    assert value_of("birth_date", text) == date(1985, 8, 17)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1 Januari 2000", date(2000, 1, 1)),
        ("2 Pebruari 1990", date(1990, 2, 2)),
        ("3 Mei 1970", date(1970, 5, 3)),
        ("4 Okt 1960", date(1960, 10, 4)),
        ("5 Nopember 1955", date(1955, 11, 5)),
        ("6 Des 1950", date(1950, 12, 6)),
        ("61", date(1900, 3, 1)),  # first serial after Excel's invented 29-02-1900 ...
    ],
)
def test_month_names_and_serial_edges(text, expected):
    if expected.year < TODAY.year - 120:
        assert error_code("birth_date", text) == "date_range"
    else:
        assert value_of("birth_date", text) == expected


def test_excel_serial_before_the_1900_leap_bug():
    from households.imports.parsers import parse_date

    assert parse_date("1") == date(1900, 1, 1)
    assert parse_date("59") == date(1900, 2, 28)
    assert parse_date("61") == date(1900, 3, 1)
    assert parse_date("45000") == date(2023, 3, 15)


@pytest.mark.parametrize("text", ["60", "17-13-1985", "31-02-1985", "17 Agustos 1985", "kemarin",
                                  "17-08-85", "1985"])  # fmt: skip
def test_unreadable_dates(text):
    assert error_code("birth_date", text) == "date"


@pytest.mark.parametrize("text", ["01-01-2027", "01-01-1900"])
def test_birth_date_in_the_future_or_too_long_ago(text):
    assert error_code("birth_date", text) == "date_range"


# Sex, yes/no, choices -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        *[(t, "male") for t in ("L", "l", "Laki-laki", "LAKI-LAKI", "Laki Laki", "laki", "LK",
                                "Pria", "M", "Male")],
        *[(t, "female") for t in ("P", "p", "Perempuan", "PEREMPUAN", "PR", "Wanita", "W", "F",
                                  "Female")],
    ],
)  # fmt: skip
def test_sex_spellings(text, expected):
    base = {**HEAD, "nik": "3275011708850001" if expected == "male" else "3275015708850001"}
    assert value_of("sex", text, base=base) == expected


@pytest.mark.parametrize("text", ["1", "2", "X", "Lelaki?"])
def test_sex_numbers_are_refused_in_the_template_format(text):
    assert error_code("sex", text) == "sex"


def test_sex_codes_in_pbdt():
    assert value_of("sex", "1", source_format="pbdt2015") == "male"
    female = {**HEAD, "nik": "3275015708850001"}
    assert value_of("sex", "2", source_format="pbdt2015", base=female) == "female"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        *[(t, True) for t in ("Ya", "ya", "YA", "Y", "y", "Yes", "Ada", "1", "✓", "Iya")],
        *[(t, False) for t in ("Tidak", "tidak", "T", "No", "N", "Tidak Ada", "tidak ada", "0",
                               "Tdk")],
    ],
)  # fmt: skip
def test_yes_no_spellings(text, expected):
    assert value_of("program:pkh", text) is expected
    assert value_of("has_refrigerator", text) is expected


@pytest.mark.parametrize("text", ["", "-"])
def test_blank_yes_no_is_not_given(text):
    result = check(row(2, **{"program:pkh": text, "has_refrigerator": text}))
    assert result.rows[0].programs == {}
    assert "has_refrigerator" not in result.rows[0].household


def test_yes_no_rubbish():
    assert error_code("program:pkh", "Mungkin") == "yes_no"


@pytest.mark.parametrize(
    ("column", "text", "expected"),
    [
        ("floor_material", "Keramik", "ceramic"),
        ("floor_material", "KERAMIK", "ceramic"),
        ("floor_material", "Tanah", "earth"),
        ("floor_material", "ceramic", "ceramic"),
        ("wall_material", "Tembok", "masonry"),
        ("roof_material", "Genteng", "tile"),
        ("water_source", "PDAM", "piped"),
        ("cooking_fuel", "Elpiji 3 kg", "lpg_3kg"),
        ("cooking_fuel", "gas 3kg", "lpg_3kg"),
        ("lighting", "PLN Tanpa Meteran", "pln_unmetered"),
        ("house_ownership", "Kontrak", "rent"),
        ("sanitation", "Tidak Ada", "none"),
        ("occupation", "PNS", "asn"),
        ("occupation", "ASN", "asn"),
        ("occupation", "TNI", "tni"),
        ("occupation", "POLRI", "polri"),
        ("occupation", "Polisi", "polri"),
        ("education", "SMA", "sma"),
        ("marital_status", "Cerai Mati", "widowed"),
        ("disability", "Tuna Netra", "visual"),
        ("chronic_illness", "Darah Tinggi", "hypertension"),
        ("schooling", "Masih Sekolah", "attending"),
        ("health_insurance", "KIS PBI", "pbi_jkn"),
        ("relationship", "Kepala Keluarga", "head"),
        ("relationship", "KK", "head"),
        ("relationship", "Kepala", "head"),
    ],
)
def test_choice_words(column, text, expected):
    assert value_of(column, text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Istri", "spouse"), ("Suami", "spouse"), ("Istri/Suami", "spouse"), ("Anak", "child"),
        ("Menantu", "child_in_law"), ("Cucu", "grandchild"), ("Orang Tua", "parent"),
        ("Mertua", "parent"), ("Pembantu", "household_staff"), ("Famili Lain", "other"),
        ("Lainnya", "other"),
    ],
)  # fmt: skip
def test_relationship_words(text, expected):
    result = check(row(2), row(3, WIFE, relationship=text))
    assert result.rows[1].member["relationship"] == expected


def test_floor_code_2_means_keramik_only_in_pbdt():
    assert error_code("floor_material", "2") == "choice"
    assert value_of("floor_material", "2", source_format="pbdt2015") == "ceramic"
    assert value_of("floor_material", "9", source_format="pbdt2015") == "earth"


def test_words_mean_the_same_in_every_format():
    assert value_of("floor_material", "Keramik", source_format="pbdt2015") == "ceramic"


def test_pbdt_asset_codes_alternate_between_fields():
    # ada_mobil: 1 = ya, 2 = tidak; ada_motor and ada_lemari_es: 3 = ya, 4 = tidak.
    assert value_of("car_count", "1", source_format="pbdt2015") == 1
    assert value_of("car_count", "2", source_format="pbdt2015") == 0
    assert value_of("motorcycle_count", "3", source_format="pbdt2015") == 1
    assert value_of("motorcycle_count", "4", source_format="pbdt2015") == 0
    assert value_of("has_refrigerator", "3", source_format="pbdt2015") is True
    assert value_of("has_air_conditioner", "1", source_format="pbdt2015") is True
    assert error_code("motorcycle_count", "1", source_format="pbdt2015") == "choice"
    assert error_code("has_refrigerator", "1", source_format="pbdt2015") == "choice"
    # The template's meaning of the same digits: a count of cars, 1 = yes.
    assert value_of("car_count", "2") == 2
    assert value_of("has_refrigerator", "1") is True


def test_pbdt_yes_no_without_a_known_code_list_needs_words():
    assert error_code("program:pkh", "1", source_format="pbdt2015") == "yes_no"
    assert value_of("program:pkh", "Ya", source_format="pbdt2015") is True


def test_pbdt_daya():
    for code, va in [("1", 450), ("2", 900), ("3", 1300), ("4", 2200), ("5", 3500)]:
        assert value_of("electricity_va", code, source_format="pbdt2015") == va
    result = check(row(2, electricity_va="6", lighting="1"), source_format="pbdt2015")
    household = result.rows[0].household
    assert "electricity_va" not in household  # no own meter: power unknown
    assert household["lighting"] == "pln_unmetered"


def test_pbdt_relationship_codes():
    result = check(
        row(2, relationship="1"), row(3, WIFE, relationship="2"), source_format="pbdt2015"
    )
    assert [r.member["relationship"] for r in result.rows] == ["head", "spouse"]


# Numbers --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [("900", 900), ("900 VA", 900), ("1.300", 1300), ("1300 VA", 1300), ("1,300", 1300),
     ("2200", 2200), ("0", 0), ("Tanpa Listrik", 0), ("tanpa listrik", 0), ("13200", 11000)],
)  # fmt: skip
def test_electricity(text, expected):
    assert value_of("electricity_va", text) == expected


@pytest.mark.parametrize("text", ["1000", "2", "banyak"])
def test_electricity_not_a_pln_step(text):
    assert error_code("electricity_va", text) == "choice"


@pytest.mark.parametrize(
    "text",
    ["1.500.000", "1,500,000", "Rp 1.500.000", "Rp1.500.000,-", "1500000", "1.500.000,00",
     "1,5 juta", "1500 rb"],
)  # fmt: skip
def test_money(text):
    assert value_of("monthly_income", text) == 1_500_000


@pytest.mark.parametrize("text", ["-500", "satu juta", "1.5.0"])
def test_money_rubbish(text):
    assert error_code("monthly_income", text) == "number"


@pytest.mark.parametrize(("text", "expected"), [("0", 0), ("2", 2), ("Ya", 1), ("Tidak", 0)])
def test_counts(text, expected):
    assert value_of("car_count", text) == expected


@pytest.mark.parametrize("text", ["2 unit", "-1", "dua", "150"])
def test_count_rubbish(text):
    assert error_code("car_count", text) == "number"


def test_areas():
    assert value_of("floor_area", "36") == 36
    assert value_of("floor_area", "36,5 m2") == 37
    assert value_of("land_area", "1.200 m²") == 1200


@pytest.mark.parametrize(("text", "expected"), [("1", 1), ("10", 10), ("Desil 3", 3), ("04", 4)])
def test_decile(text, expected):
    assert value_of("welfare_decile", text) == expected


@pytest.mark.parametrize("text", ["0", "11", "3,5"])
def test_decile_out_of_range(text):
    assert error_code("welfare_decile", text) == "decile"


@pytest.mark.parametrize("text", ["3", "03", "003", "RT 03", "RT.003", "rt 3"])
def test_rt_forms(text):
    assert value_of("rt", text) == "003"


@pytest.mark.parametrize("text", ["0", "000", "1234", "tiga"])
def test_rt_rubbish(text):
    assert error_code("rt", text) == "rt_rw"


def test_rt_rw_in_one_column():
    result = check(row(2, rt=None, rw=None, rt_rw="003/005"))
    assert (result.rows[0].household["rt"], result.rows[0].household["rw"]) == ("003", "005")


def test_long_name_is_refused_and_spaces_collapse():
    assert error_code("name", "x" * 151) == "too_long"
    assert value_of("name", "Budi   Santoso") == "Budi Santoso"


# NIK and KK -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("3.27501E+15", "nik_excel"),
        ("3,27501E+15", "nik_excel"),
        ("327501170885001", "nik_length"),
        ("32750117O8850001", "nik_digits"),
        ("9975011708850001", "nik_province"),
        ("3275011708850000", "nik_serial"),
        ("3275013208850001", "nik_birth_date"),
    ],
)
def test_nik_errors(text, code):
    assert error_code("nik", text) == code


def test_excel_mangled_nik_says_its_digits_are_lost():
    result = check(row(48, nik="3,27501E+15"))
    (issue,) = [i for i in result.issues if i.code == "nik_excel"]
    assert issue.row == 48
    assert issue.column == "nik"
    assert "3,27501E+15" in issue.message


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("3.27501E+15", "kk_excel"),
        ("32750101012000", "kk_length"),
        ("3275010101200000", "kk_serial"),
    ],
)
def test_kk_errors(text, code):
    assert error_code("kk_number", text) == code


def test_nik_with_spaces_and_dots_is_normalised():
    assert value_of("nik", "3275 0117 0885 0001") == "3275011708850001"
    assert value_of("nik", "'3275011708850001") == "3275011708850001"


def test_nik_ending_in_000_is_a_warning():
    result = check(row(2, nik="3275011708851000"))
    assert codes(result, 2, "warning") == ["nik_truncated"]
    assert not result.error_rows


def test_nik_disagreeing_with_sex_and_birth_date_is_a_warning():
    result = check(row(2, sex="P", birth_date="18-08-1985"))
    assert sorted(codes(result, 2, "warning")) == ["nik_birth_date_mismatch", "nik_sex_mismatch"]
    assert result.rows[0].nik_warnings == ("sex_mismatch", "birth_date_mismatch")


def test_placeholder_nik_is_a_warning():
    result = check(row(2, nik="3275011708859999"))
    assert "nik_placeholder" in codes(result, 2, "warning")
    assert not result.error_rows


def test_fast_nik_path_agrees_with_households_nik():
    # The validator remembers sex and birth date per NIK digits 7-12; every NIK still gets
    # the checks of households.nik (here: a NIK sharing digits 7-12 with a bad serial).
    result = check(row(2), row(3, nik="3275011708850000", relationship="Anak"))
    assert "nik_serial" in codes(result, 3)


def test_missing_required_member_columns():
    result = check(row(2, name=None, sex="", birth_date="-"))
    assert sorted(codes(result, 2)) == ["required", "required", "required"]


def test_missing_kk():
    result = check(row(2, kk_number=None))
    assert codes(result, 2) == ["required"]


# Kelurahan and kecamatan ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    ["Bekasijaya", "Bekasi Jaya", "BEKASI JAYA", "bekasi jaya", "KEL. BEKASI JAYA",
     "Kel. Bekasijaya", "Kelurahan Bekasi Jaya", "Desa Bekasijaya", "32.75.01.1001",
     "3275011001", "3275040006"],
)  # fmt: skip
def test_kelurahan_spellings(text):
    assert value_of("kelurahan", text) == BEKASIJAYA


def test_kelurahan_unknown():
    assert error_code("kelurahan", "Kayuringin Baru") == "kelurahan_unknown"
    assert error_code("kelurahan", "32.75.99.1001") == "kelurahan_unknown"


def test_bare_code_that_is_also_a_bps_code_is_kemendagri_with_a_warning():
    # 3275011001 is Bekasijaya for Kemendagri but Jatikarya for BPS.
    result = check(row(2, kelurahan="3275011001"))
    assert result.rows[0].household["kelurahan"] == BEKASIJAYA
    assert codes(result, 2, "warning") == ["kelurahan_code_ambiguous"]
    pbdt = check(row(2, kelurahan="3275011001"), source_format="pbdt2015")
    assert pbdt.rows[0].household["kelurahan"] == JATIKARYA


def test_default_kelurahan_when_the_file_has_none():
    result = check(row(2, kelurahan=None), default_kelurahan_id=MARGAHAYU)
    assert result.rows[0].household["kelurahan"] == MARGAHAYU
    missing = check(row(2, kelurahan=None))
    assert codes(missing, 2) == ["required"]


def test_kelurahan_outside_scope():
    result = check(row(2), row(3, WIFE), allowed_kelurahan_ids=frozenset({MARGAHAYU}))
    assert codes(result, 2) == codes(result, 3) == ["kelurahan_outside_scope"]
    assert not result.rows


@pytest.mark.parametrize("text", ["Bekasi Timur", "BEKASI TIMUR", "Kec. Bekasi Timur", "32.75.01",
                                  "327501", "3275040"])  # fmt: skip
def test_kecamatan_matching_the_kelurahan(text):
    assert not check(row(2, kecamatan=text)).issues


def test_kecamatan_mismatch():
    result = check(row(2, kecamatan="Pondokgede"), row(3, WIFE))
    assert codes(result, 2) == ["kecamatan_mismatch"]
    assert codes(result, 3) == ["family_has_errors"]  # a household fact: the family waits


# Families -------------------------------------------------------------------------------------


def test_family_without_head_is_refused_whole():
    result = check(row(2, relationship="Anak"), row(3, WIFE))
    assert codes(result, 2) == codes(result, 3) == ["head_missing"]
    assert result.error_rows == {2, 3}


def test_family_with_two_heads():
    result = check(row(2), row(3, WIFE, relationship="Kepala Keluarga"))
    assert codes(result, 2) == codes(result, 3) == ["head_twice"]
    assert "2, 3" in result.issues[0].message


def test_household_conflict_names_the_column_and_both_values():
    result = check(row(2, floor_material="Keramik"), row(3, WIFE, floor_material="Tanah"))
    (conflict,) = [i for i in result.issues if i.code == "household_conflict"]
    assert (conflict.row, conflict.column) == (3, "floor_material")
    assert "2" in conflict.message
    assert codes(result, 2) == ["family_has_errors"]
    assert not result.rows


def test_household_columns_may_be_blank_on_member_rows_or_repeated_identically():
    result = check(row(2), row(3, WIFE, rt="003", rw="RW 05", kelurahan="BEKASI JAYA"))
    assert not result.error_rows


def test_household_column_missing_on_every_row():
    result = check(row(2, address=None), row(3, WIFE))
    assert codes(result, 2) == codes(result, 3) == ["required"]


def test_nik_twice_in_the_file():
    result = check(row(2), row(3, WIFE), row(7, WIFE))
    (twice,) = [i for i in result.issues if i.code == "nik_twice_in_file"]
    assert twice.row == 7
    assert "3" in twice.message
    assert result.error_rows == {7}


def test_a_members_own_error_rejects_that_row_only():
    result = check(row(2), row(3, WIFE, birth_date="kemarin"))
    assert [r.number for r in result.rows] == [2]
    assert result.error_rows == {3}


def test_an_error_on_the_heads_row_keeps_the_family_out():
    other = {**HEAD, "kk_number": "3275010201200002", "nik": "3275011708850009"}
    result = check(row(2, birth_date="kemarin"), row(3, WIFE), row(4, other))
    assert [r.number for r in result.rows] == [4]
    assert codes(result, 3) == ["family_has_errors"]
    assert result.error_rows == {2, 3}


def test_an_error_in_a_household_column_keeps_the_family_out():
    result = check(row(2), row(3, WIFE, rt="nol"))
    assert codes(result, 2) == ["family_has_errors"]
    assert result.error_rows == {2, 3}


def test_unreadable_relationship_without_another_head_keeps_the_family_out():
    result = check(row(2, relationship="Kpl"), row(3, WIFE))
    assert result.error_rows == {2, 3}
    assert "head_missing" not in codes(result)  # the unreadable cell is the reason given
    ok = check(row(2), row(3, WIFE, relationship="Ipar?"))
    assert ok.error_rows == {3}


def test_rows_of_a_family_need_not_be_adjacent():
    other = {**HEAD, "kk_number": "3275010201200002", "nik": "3275011708850009"}
    result = check(row(2), row(3, other), row(4, WIFE))
    assert not result.issues
    assert [r.number for r in result.rows] == [2, 3, 4]  # file order


def test_member_level_programs_per_row_household_level_per_family():
    result = check(row(2, **{"program:pkh": "Ya", "program:pbi-jk": "Tidak"}),
                   row(3, WIFE, **{"program:pbi-jk": "Ya"}))  # fmt: skip
    assert result.rows[0].programs == {"pkh": True, "pbi-jk": False}
    assert result.rows[1].programs == {"pkh": True, "pbi-jk": True}
    assert "program:pkh" not in result.rows[0].household


def test_kk_registered_before_the_head_was_born_is_a_warning():
    result = check(row(2, kk_number="3275010101800001"))  # registered 01-01-1980
    (issue,) = [i for i in result.issues if i.code == "kk_date"]
    assert "01-01-1980" in issue.message
    assert not check(row(2, kk_number="3275010101900001")).issues  # 1990: after 1985


def test_issues_are_in_row_order():
    result = check(row(5, WIFE, sex="X"), row(3, birth_date="x"))
    assert [i.row for i in result.issues] == sorted(i.row for i in result.issues)


def test_file_read_and_validated_end_to_end(tmp_path):
    path = tmp_path / "rw05.csv"
    path.write_text(
        "Data warga RW 05\n\n"
        "No. KK;NIK;Nama;JK;Tgl Lahir;SHDK;Alamat;RT;RW;Kel.;Kec.\n"
        f"{KK};3275011708850001;Budi;L;17-08-1985;Kepala Keluarga;Jl Mawar 1;3;5;Bekasi Jaya;"
        "Bekasi Timur\n"
        f"{KK};3275015708870002;Siti;P;17 Agustus 1987;Istri;;;;;\n"
        "\n"
        f"{KK};3,27501E+15;Anak;L;31276;Anak;;;;;\n",
        encoding="utf-8",
    )
    sheet = read_sheet(path, filename=path.name, max_bytes=10**6, max_rows=100)
    result = check(*sheet.rows)
    assert result.error_rows == {7}
    assert codes(result, 7) == ["nik_excel"]
    assert [r.number for r in result.rows] == [4, 5]
