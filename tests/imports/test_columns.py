"""The column catalogue and the word lists: pure, no database."""

import pytest

from households.imports import choices, columns
from households.imports.columns import BY_NAME, COLUMNS, header_key, match_header
from households.imports.regions import name_key
from households.models import Household, Member
from households.reference import REGIONS_CSV
from households.reference import name_key as reference_name_key
from households.services import HOUSEHOLD_FIELDS, MEMBER_FIELDS

NOT_IMPORTED = {"latitude", "longitude", "verification_status", "consent"}


def test_every_household_and_member_field_is_a_column_once():
    names = [c.name for c in COLUMNS]
    assert len(names) == len(set(names))
    expected = (set(HOUSEHOLD_FIELDS) - NOT_IMPORTED) | set(MEMBER_FIELDS)
    assert expected <= set(names)
    programs = {c.program_code: c.program_level for c in COLUMNS if c.level == columns.PROGRAM}
    assert programs == {
        "pkh": "household",
        "bpnt": "household",
        "pbi-jk": "member",
        "kip": "member",
        "blt": "household",
        "rutilahu": "household",
    }


def test_levels_follow_the_model():
    for name in set(HOUSEHOLD_FIELDS) - NOT_IMPORTED:
        assert BY_NAME[name].level == columns.HOUSEHOLD, name
    for name in MEMBER_FIELDS:
        assert BY_NAME[name].level == columns.MEMBER, name


def test_required_columns():
    assert set(columns.REQUIRED) == {
        "kk_number", "nik", "name", "sex", "birth_date", "relationship",
        "address", "rt", "rw", "kelurahan",
    }  # fmt: skip


def test_text_lengths_match_the_model():
    for name in ("name", "birth_place"):
        assert BY_NAME[name].max_length == Member._meta.get_field(name).max_length
    assert BY_NAME["address"].max_length == Household._meta.get_field("address").max_length


@pytest.mark.parametrize(
    ("header", "name"),
    [
        *[(h, "kk_number") for h in ("No KK", "Nomor KK", "NO_KK", "No. KK", "NOKK", "no kk",
                                     "Nomor Kartu Keluarga", "No.KK", "  No  KK  ")],
        *[(h, "nik") for h in ("NIK", "No NIK", "Nomor NIK", "nik")],
        *[(h, "name") for h in ("Nama", "Nama Lengkap", "Nama Anggota", "NAMA_LGKP")],
        *[(h, "sex") for h in ("JK", "Jenis Kelamin", "L/P", "Kelamin", "Jenis Kelamin (L/P)")],
        ("Tempat Lahir", "birth_place"),
        *[(h, "birth_date") for h in ("Tgl Lahir", "Tanggal Lahir", "TGL_LAHIR", "Tgl. Lahir")],
        *[(h, "relationship") for h in ("Hubungan", "SHDK", "Hubungan Keluarga",
                                        "Status Hubungan Dalam Keluarga", "Hub. Keluarga")],
        *[(h, "address") for h in ("Alamat", "Alamat Lengkap", "Jalan")],
        ("RT", "rt"),
        ("R.T.", "rt"),
        ("RW", "rw"),
        ("RT/RW", "rt_rw"),
        *[(h, "kelurahan") for h in ("Kelurahan", "Desa", "Kel.", "Desa/Kelurahan",
                                     "Nama Kelurahan", "Kode Kelurahan")],
        *[(h, "kecamatan") for h in ("Kecamatan", "Kec.")],
        *[(h, "floor_area") for h in ("Luas Lantai", "Luas Lantai (m²)")],
        *[(h, "floor_material") for h in ("Jenis Lantai", "Lantai")],
        ("Dinding", "wall_material"),
        ("Atap", "roof_material"),
        ("Sumber Air Minum", "water_source"),
        ("Bahan Bakar Memasak", "cooking_fuel"),
        ("Penerangan", "lighting"),
        *[(h, "electricity_va") for h in ("Daya Listrik", "Daya", "Daya Listrik (VA)")],
        *[(h, "car_count") for h in ("Mobil", "Jumlah Mobil", "Punya Mobil", "ADA_MOBIL")],
        *[(h, "motorcycle_count") for h in ("Motor", "Sepeda Motor")],
        *[(h, "monthly_income") for h in ("Penghasilan", "Pendapatan per Bulan")],
        ("Pengeluaran", "monthly_expenditure"),
        *[(h, "welfare_decile") for h in ("Desil", "Desil Nasional")],
        ("PKH", "program:pkh"),
        *[(h, "program:bpnt") for h in ("BPNT", "Sembako")],
        *[(h, "program:pbi-jk") for h in ("PBI", "KIS PBI")],
        *[(h, "program:kip") for h in ("KIP", "PIP")],
        ("BLT", "program:blt"),
        ("Rutilahu", "program:rutilahu"),
        ("Pekerjaan", "occupation"),
        ("Pendidikan", "education"),
        ("Status Kawin", "marital_status"),
        ("Disabilitas", "disability"),
        ("Penyakit Kronis", "chronic_illness"),
        ("Hamil", "is_pregnant"),
        ("Sekolah", "schooling"),
        ("Jaminan Kesehatan", "health_insurance"),
        ("Meninggal", "is_deceased"),
    ],
)  # fmt: skip
def test_header_alias(header, name):
    assert match_header(header) == name


def test_every_label_and_alias_matches_its_own_column():
    for column in COLUMNS:
        for spelling in (column.label, *column.aliases):
            assert match_header(spelling) == column.name, spelling


def test_unknown_headers_match_nothing():
    assert match_header("No") is None
    assert match_header("Keterangan") is None
    assert match_header("") is None


def test_header_key_keeps_letters_and_digits_only():
    assert header_key("No. KK") == header_key("NO_KK") == header_key("no kk") == "NOKK"
    assert header_key("Daya Listrik (VA)") == "DAYALISTRIKVA"


@pytest.mark.parametrize("field", sorted(choices.WORDS))
def test_word_lists_give_model_values_only(field):
    allowed = set(choices.CHOICE_ENUMS[field].values)
    assert set(choices.word_lookup(field).values()) <= allowed
    assert len(choices.template_words(field)) == len(allowed)  # one drop-down word per value


@pytest.mark.parametrize("source_format", [choices.PBDT2015, choices.REGSOSEK2022])
def test_format_codes_give_model_values_only(source_format):
    for field, codes in choices.FORMAT_CODES[source_format].items():
        column = BY_NAME[field]
        for value in codes.values():
            if column.kind in (columns.CHOICE, columns.SEX, columns.RELATIONSHIP):
                assert value in choices.CHOICE_ENUMS[field].values, (field, value)
            elif column.kind == columns.ELECTRICITY_VA:
                assert value is None or value in Household.ElectricityVA.values
            else:
                assert value in (0, 1, True, False)


def test_model_values_and_labels_read_back():
    lookup = choices.word_lookup("floor_material")
    assert lookup[header_key("ceramic")] == "ceramic"  # a file exported by this app
    assert lookup[header_key("Ceramic")] == "ceramic"  # English label


def test_region_key_is_the_reference_key():
    for line in REGIONS_CSV.read_text(encoding="utf-8").splitlines()[1:]:
        name = line.split(",")[1]
        assert name_key(name) == reference_name_key(name)
    assert name_key("Kel. Bekasi Jaya") == "KELBEKASIJAYA"
