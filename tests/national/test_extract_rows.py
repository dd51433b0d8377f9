"""The extract's rows: what is stored, what is left out and the error report, cell by cell.

The expected issues and families were recorded from the row-by-row checker (f240304) on
these very files: the column-wise checker must give the same issues (row numbers, columns,
codes, messages, order), the same members and the same families.
"""

import datetime

import pytest

from national import extracts
from national.models import ExtractFamily, ExtractMember
from national.services import import_extract
from tests.national.builders import write_extract

pytestmark = pytest.mark.django_db

AS_OF = datetime.date(2026, 9, 30)
KK1, KK2, KK3, KK4 = "3275010101100001", "3275010202100002", "3275010303100003", "3275010404100004"
HEADER = "No KK;NIK;Nama;Tanggal Lahir;Kelurahan;Desil;PKH;BPNT;Hubungan"
M = "32.75.01.1002"  # Margahayu

ROWS = [
    # a family: its first valid row gives kelurahan, desil and programmes; the head its name
    f"{KK1};3275010101800001;Anak Satu;01-01-1980;{M};2;Ya;Tidak;Anak",
    f"{KK1};3275014101850002;Ibu Satu;01-01-1985;{M};5;Tidak;Ya;Kepala Keluarga",
    f"{KK1};3275010101900003;Anak Dua;;{M};2;;;Anak",
    # its NIK again: repeated
    f"{KK1};3275010101800001;Anak Satu Lagi;01-01-1980;{M};2;Ya;Tidak;Anak",
    # bad cells, one kind per row
    f";3275010101800004;Tanpa KK;01-01-1980;{M};2;Ya;Tidak;Anak",
    f"12345;3275010101800005;KK Pendek;01-01-1980;{M};2;Ya;Tidak;Anak",
    f"3.27501E+15;3275010101800006;KK Excel;01-01-1980;{M};2;Ya;Tidak;Anak",
    f"9975010101100009;3275010101800007;KK Provinsi;01-01-1980;{M};2;Ya;Tidak;Anak",
    f"3275010101100000;3275010101800008;KK Nol;01-01-1980;{M};2;Ya;Tidak;Anak",
    f"3275013202100001;3275010101800009;KK Tanggal;01-01-1980;{M};2;Ya;Tidak;Anak",
    f"{KK2};;Tanpa NIK;01-01-1980;{M};2;Ya;Tidak;Anak",
    f"{KK2};12345;NIK Pendek;01-01-1980;{M};2;Ya;Tidak;Anak",
    f"{KK2};3275A10101800010;NIK Huruf;01-01-1980;{M};2;Ya;Tidak;Anak",
    f"{KK2};3.27501E+15;NIK Excel;01-01-1980;{M};2;Ya;Tidak;Anak",
    f"{KK2};9975010101800011;NIK Provinsi;01-01-1980;{M};2;Ya;Tidak;Anak",
    f"{KK2};3275010101800000;NIK Nol;01-01-1980;{M};2;Ya;Tidak;Anak",
    f"{KK2};3275013213800012;NIK Tanggal;01-01-1980;{M};2;Ya;Tidak;Anak",
    f"{KK2};3275011111111111;NIK Sama;01-01-1980;{M};2;Ya;Tidak;Anak",
    f"{KK2};3275010101809999;NIK Akhir;01-01-1980;{M};2;Ya;Tidak;Anak",
    f"{KK2};3275010101800013;;01-01-1980;{M};2;Ya;Tidak;Anak",
    f"{KK2};3275010101800014;{'X' * 151};01-01-1980;{M};2;Ya;Tidak;Anak",
    f"{KK2};3275010101800015;Lahir Salah;31-02-1980;{M};2;Ya;Tidak;Anak",
    f"{KK2};3275010101800016;Tanpa Tempat;01-01-1980;;2;Ya;Tidak;Anak",
    f"{KK2};3275010101800017;Atlantis;01-01-1980;Atlantis;2;Ya;Tidak;Anak",
    f"{KK2};3275010101800018;Tanpa Desil;01-01-1980;{M};;Ya;Tidak;Anak",
    f"{KK2};3275010101800019;Desil Besar;01-01-1980;{M};11;Ya;Tidak;Anak",
    f"{KK2};3275010101800020;PKH Salah;01-01-1980;{M};2;Mungkin;Tidak;Anak",
    f"{KK2};3275010101800021;BPNT Kode;01-01-1980;{M};2;Ya;7;Anak",
    # every cell wrong at once: issues in column order
    "1;2;;99-99-9999;Atlantis;0;Mungkin;7;Anak",
    # the first row of a NIK left out for another reason still makes a later one repeated
    f"{KK3};3275010101800022;Pertama;01-01-1980;Atlantis;3;Ya;Ya;Kepala Keluarga",
    f"{KK3};3275010101800022;Kedua;01-01-1980;{M};3;Ya;Ya;Kepala Keluarga",
    # a family whose first row is left out: the next valid row defines it
    f"{KK4};3275010101800023;Salah Desil;01-01-1980;{M};12;Ya;Ya;Kepala Keluarga",
    f"{KK4};3275014101850024;Istri;01/01/1985;Margahayu;desil 4;1;0;Istri",
    f"{KK4};3275 0101 0190 0025;Anak Spasi;1990-01-01;{M};04;Y;T;Anak",
    f"{KK4};3275010101900026;Kepala Baru;01-01-1990;{M};4;Ya;Ya;KK",
    f"{KK4};3275010101900027;Kepala Lagi;01-01-1990;{M};4;Ya;Ya;Kepala",
]

EXPECTED_ISSUES = [
    (5, "nik", "nik_repeated", "NIK 3275010101800001 sudah ada di baris 2 berkas ini."),
    (6, "kk_number", "kk_not_digits", "Nomor KK hanya boleh berisi angka."),
    (7, "kk_number", "kk_length", "Nomor KK harus 16 digit (saat ini 5 digit)."),
    (
        8,
        "kk_number",
        "kk_excel_scientific",
        "Nomor KK 3.27501E+15 diubah oleh Excel menjadi notasi ilmiah, sehingga angka-angkanya "
        "hilang. Ketik ulang dari kartu, dan atur format kolomnya menjadi Teks.",
    ),
    (9, "kk_number", "kk_province", "Nomor KK diawali 99, yang bukan kode provinsi di Indonesia."),
    (10, "kk_number", "kk_serial_zero", "Nomor KK tidak boleh diakhiri nomor urut 0000."),
    (
        11,
        "kk_number",
        "kk_registration_date",
        "Tanggal penerbitan pada nomor KK ini (digit ke-7 s.d. 12: 320210) bukan tanggal "
        "yang benar. "
        "Periksa kembali nomornya pada Kartu Keluarga.",
    ),
    (12, "nik", "nik_not_digits", "NIK hanya boleh berisi angka."),
    (13, "nik", "nik_length", "NIK harus 16 digit (saat ini 5 digit)."),
    (14, "nik", "nik_not_digits", "NIK hanya boleh berisi angka."),
    (
        15,
        "nik",
        "nik_excel_scientific",
        "NIK 3.27501E+15 diubah oleh Excel menjadi notasi ilmiah, sehingga angka-angkanya hilang. "
        "Ketik ulang dari kartu, dan atur format kolomnya menjadi Teks.",
    ),
    (16, "nik", "nik_province", "NIK diawali 99, yang bukan kode provinsi di Indonesia."),
    (17, "nik", "nik_serial_zero", "NIK tidak boleh diakhiri nomor urut 0000."),
    (
        18,
        "nik",
        "nik_birth_date",
        "Tanggal lahir pada NIK ini (digit ke-7 s.d. 12: 321380) bukan tanggal yang benar. Periksa "
        "kembali NIK pada kartu.",
    ),
    (
        19,
        "nik",
        "nik_placeholder",
        "NIK 3275011111111111 adalah NIK isian sementara (bukan NIK asli).",
    ),
    (
        20,
        "nik",
        "nik_placeholder",
        "NIK 3275010101809999 adalah NIK isian sementara (bukan NIK asli).",
    ),
    (21, "name", "required", "Nama kosong."),
    (22, "name", "too_long", "Nama lebih dari 150 karakter."),
    (
        23,
        "birth_date",
        "date",
        "31-02-1980 bukan tanggal yang benar (tanggal 31, bulan 2). Periksa kembali.",
    ),
    (24, "kelurahan", "required", "Kelurahan kosong."),
    (
        25,
        "kelurahan",
        "kelurahan_unknown",
        "Kelurahan Atlantis tidak dikenal. Tulis namanya sesuai daftar di templat (misalnya "
        "Bekasijaya) atau kodenya (misalnya 32.75.01.1001).",
    ),
    (26, "welfare_decile", "required", "Desil kosong."),
    (27, "welfare_decile", "decile", "Desil harus bilangan bulat 1 sampai 10, bukan 11."),
    (28, "program:pkh", "yes_no", "Mungkin bukan jawaban ya/tidak. Tulis Ya atau Tidak."),
    (
        29,
        "program:bpnt",
        "yes_no",
        "Kode 7 bukan jawaban ya/tidak untuk kolom ini di templat SLRT. Tulis Ya atau Tidak.",
    ),
    (30, "kk_number", "kk_length", "Nomor KK harus 16 digit (saat ini 1 digit)."),
    (30, "nik", "nik_length", "NIK harus 16 digit (saat ini 1 digit)."),
    (30, "name", "required", "Nama kosong."),
    (
        30,
        "birth_date",
        "date",
        "99-99-9999 bukan tanggal yang benar (tanggal 99, bulan 99). Periksa kembali.",
    ),
    (
        30,
        "kelurahan",
        "kelurahan_unknown",
        "Kelurahan Atlantis tidak dikenal. Tulis namanya sesuai daftar di templat (misalnya "
        "Bekasijaya) atau kodenya (misalnya 32.75.01.1001).",
    ),
    (30, "welfare_decile", "decile", "Desil harus bilangan bulat 1 sampai 10, bukan 0."),
    (30, "program:pkh", "yes_no", "Mungkin bukan jawaban ya/tidak. Tulis Ya atau Tidak."),
    (
        30,
        "program:bpnt",
        "yes_no",
        "Kode 7 bukan jawaban ya/tidak untuk kolom ini di templat SLRT. Tulis Ya atau Tidak.",
    ),
    (
        31,
        "kelurahan",
        "kelurahan_unknown",
        "Kelurahan Atlantis tidak dikenal. Tulis namanya sesuai daftar di templat (misalnya "
        "Bekasijaya) atau kodenya (misalnya 32.75.01.1001).",
    ),
    (32, "nik", "nik_repeated", "NIK 3275010101800022 sudah ada di baris 31 berkas ini."),
    (33, "welfare_decile", "decile", "Desil harus bilangan bulat 1 sampai 10, bukan 12."),
]
EXPECTED_FAMILIES = [
    ("3275010101100001", "32.75.01.1002", 2, "pkh", "Ibu Satu", 3),
    ("3275010404100004", "32.75.01.1002", 4, "pkh", "Kepala Lagi", 4),
]
EXPECTED_MEMBERS = [
    (2, "3275010101100001", "3275010101800001", "Anak Satu", datetime.date(1980, 1, 1)),
    (3, "3275010101100001", "3275014101850002", "Ibu Satu", datetime.date(1985, 1, 1)),
    (4, "3275010101100001", "3275010101900003", "Anak Dua", None),
    (34, "3275010404100004", "3275014101850024", "Istri", datetime.date(1985, 1, 1)),
    (35, "3275010404100004", "3275010101900025", "Anak Spasi", datetime.date(1990, 1, 1)),
    (36, "3275010404100004", "3275010101900026", "Kepala Baru", datetime.date(1990, 1, 1)),
    (37, "3275010404100004", "3275010101900027", "Kepala Lagi", datetime.date(1990, 1, 1)),
]


@pytest.fixture(params=["one chunk", "chunks of 3"])
def chunk(request, monkeypatch):
    """The check reads CHUNK rows at a time and keeps at most _CACHE_LIMIT cells per column:
    the verdict may not depend on where a chunk ends or a cache was emptied (a NIK repeated
    in a later chunk, a family across two)."""
    if request.param == "chunks of 3":
        monkeypatch.setattr(extracts, "CHUNK", 3)
        monkeypatch.setattr(extracts, "_CACHE_LIMIT", 2)


def _workbook(path, rows: list[str], header: str):
    from slrt.exports import write_xlsx

    cells = [row.split(";") for row in rows]
    path.write_bytes(write_xlsx(header.split(";"), cells, sheet_title="DTSEN"))
    return path


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_rows_are_checked_cell_by_cell_as_before(
    tmp_path, reference_data, data_steward, chunk, suffix
):
    name = f"rows{suffix}"
    write = write_extract if suffix == ".csv" else _workbook
    path = write(tmp_path / name, ROWS, HEADER)
    extract = import_extract(path=path, filename=name, as_of=AS_OF, by=data_steward).extract
    issues = [(i.row_number, i.column, i.code, i.text) for i in extract.issues.order_by("pk")]
    families = [
        (f.kk_number, f.kelurahan.code, f.desil, f.programs, f.head_name, f.member_count)
        for f in ExtractFamily.objects.filter(extract=extract).order_by("kk_number")
    ]
    members = list(
        ExtractMember.objects.filter(extract=extract)
        .order_by("row_number")
        .values_list("row_number", "kk_number", "nik", "name", "birth_date")
    )
    assert issues == EXPECTED_ISSUES
    assert families == EXPECTED_FAMILIES
    assert members == EXPECTED_MEMBERS
    assert (extract.rows, extract.members, extract.rejected, extract.families) == (36, 7, 29, 2)


def test_an_older_extract_percentile_cells(tmp_path, reference_data, data_steward, chunk):
    rows = [
        f"{KK1};3275010101800001;A;01-01-1980;{M};85;Ya",
        f"{KK1};3275010101800002;B;01-01-1980;{M};10,5;Ya",
        f"{KK2};3275010101800003;C;01-01-1980;{M};abc;Ya",
        f"{KK2};3275010101800004;D;01-01-1980;{M};101;Ya",
        f"{KK3};3275010101800005;E;01-01-1980;{M};;Ya",
        f"{KK3};3275010101800006;F;01-01-1980;{M};10.5;Ya",
        f"{KK4};3275010101800007;G;01-01-1980;{M};0;Tidak",
    ]
    header = "No KK;NIK;Nama;Tanggal Lahir;Kelurahan;Persentil;PKH"
    path = write_extract(tmp_path / "p.csv", rows, header)
    extract = import_extract(path=path, filename="p.csv", as_of=AS_OF, by=data_steward).extract
    issues = [(i.row_number, i.column, i.code, i.text) for i in extract.issues.order_by("pk")]
    families = [
        (f.kk_number, f.desil, f.programs, f.head_name, f.member_count)
        for f in ExtractFamily.objects.filter(extract=extract).order_by("kk_number")
    ]
    message = "Persentil harus berupa angka 0 sampai 100, bukan %s."
    assert issues == [
        (4, "percentile", "percentile", message % "abc"),
        (5, "percentile", "percentile", message % "101"),
        (6, "percentile", "percentile", message % ""),
    ]
    assert families == [(KK1, 9, "pkh", "A", 2), (KK3, 2, "pkh", "F", 1), (KK4, 1, "", "G", 1)]


def test_past_max_issues_rows_are_only_counted(tmp_path, reference_data, data_steward, monkeypatch):
    monkeypatch.setattr(extracts, "MAX_ISSUES", 3)
    rows = [
        "1;2;;01-01-1980;Atlantis;2;Ya",
        f"{KK1};3275010101800001;A;01-01-1980;{M};2;Ya",
        f"{KK1};3275010101800002;;01-01-1980;{M};2;Ya",
        f"{KK1};3275010101800003;;01-01-1980;{M};2;Ya",
        f"{KK1};3275010101800004;;01-01-1980;{M};2;Ya",
    ]
    path = write_extract(tmp_path / "c.csv", rows)
    extract = import_extract(path=path, filename="c.csv", as_of=AS_OF, by=data_steward).extract
    issues = [(i.row_number, i.column, i.code) for i in extract.issues.order_by("pk")]
    # a row's issues are stored together while fewer than MAX_ISSUES are; then only counted
    assert issues == [
        (2, "kk_number", "kk_length"),
        (2, "nik", "nik_length"),
        (2, "name", "required"),
        (2, "kelurahan", "kelurahan_unknown"),
    ]
    assert (extract.rows, extract.members, extract.rejected, extract.families) == (5, 1, 4, 1)


def test_names_with_tabs_backslashes_and_line_ends_are_stored_as_they_are(
    tmp_path, reference_data, data_steward
):
    """Members go to PostgreSQL as COPY text: its special characters must be escaped."""
    names = ["Siti\tAminah", "Budi \\ Santoso", "Ani\nDewi", "Tono\\N", "Ratna\r\nSari"]
    rows = [
        f'{KK1};32750101018000{i + 10:02d};"{name}";01-01-1980;{M};2;Ya'
        for i, name in enumerate(names)
    ]
    path = write_extract(tmp_path / "names.csv", rows)
    extract = import_extract(path=path, filename="n.csv", as_of=AS_OF, by=data_steward).extract
    stored = list(extract.member_rows.order_by("row_number").values_list("name", flat=True))
    assert stored == names
    assert ExtractFamily.objects.get(extract=extract).head_name == names[0]


def test_families_are_stored_in_the_order_of_the_file(tmp_path, reference_data, data_steward):
    kks = [f"327501{day:02d}0110{day:04d}" for day in (9, 3, 7, 1, 5)]
    rows = [
        f"{kk};3275010101{80 + i:02d}{j + 1:04d};Warga;01-01-1980;{M};{i + 1};Tidak"
        for i, kk in enumerate(kks)
        for j in range(2)
    ]
    path = write_extract(tmp_path / "order.csv", rows)
    extract = import_extract(path=path, filename="o.csv", as_of=AS_OF, by=data_steward).extract
    stored = ExtractFamily.objects.filter(extract=extract).order_by("pk")
    assert [(f.kk_number, f.desil, f.member_count) for f in stored] == [
        (kk, i + 1, 2) for i, kk in enumerate(kks)
    ]


@pytest.mark.parametrize(
    "nik",
    [
        "3275010101800001",  # good (its birth digits known: the quick test)
        "3275010102800001",  # good (its birth digits new: households.nik)
        "3275014101850002",  # good, a woman
        "3275013213800012",  # birth digits 321380: no such date
        "3275013213800013",  # the same bad digits again
        "9975010101800011",  # no such province
        "3275010101800000",  # serial 0000
        "3275011111111111",  # placeholder: a run of ones
        "3275010101809999",  # placeholder: serial 9999
        "327501010180001",  # 15 digits
        "３２７５０１０１０１８０００１４",  # full-width digits
        "3.27501E+15",
        "",
    ],
)
def test_the_quick_nik_test_gives_households_nik_verdict(nik):
    from django.core.exceptions import ValidationError

    from households.nik import NikReader, looks_like_placeholder

    today = datetime.date(2026, 9, 30)
    verdict = extracts._nik_verdict(today)
    verdict("3275010101800001")  # births known, as in the middle of a file
    try:
        NikReader(today).parse(nik)
    except ValidationError as error:
        expected = f"nik_{error.code}"
    else:
        expected = "nik_placeholder" if looks_like_placeholder(nik) else None
    for _twice in range(2):
        found = verdict(nik)
        assert (found and found.code) == expected
