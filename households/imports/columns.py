"""The column catalogue: every importable column once, with its header label and aliases.

Headers are matched on a key that is upper case with letters and digits only, so "No. KK",
"NO_KK", "Nomor KK" and "no kk" meet as "NOKK"/"NOMORKK". Template labels and aliases are
file-format words (Indonesian, as ward files and DTKS/SIKS-NG/Dukcapil extracts spell them),
not translations: they are the same whatever the UI language.
"""

import re
from dataclasses import dataclass

HOUSEHOLD = "household"
MEMBER = "member"
PROGRAM = "program"

# Kinds of cell, each with its parser in households.imports.parsers.
KK = "kk"
NIK = "nik"
TEXT = "text"
DATE = "date"
SEX = "sex"
RELATIONSHIP = "relationship"
YES_NO = "yes_no"
COUNT = "count"
MONEY = "money"
AREA = "area"
DECILE = "decile"
RT_RW = "rt_rw"
RT_RW_PAIR = "rt_rw_pair"  # one "RT/RW" column holding "003/005"
KELURAHAN = "kelurahan"
KECAMATAN = "kecamatan"
CHOICE = "choice"
ELECTRICITY_VA = "electricity_va"


@dataclass(frozen=True)
class Column:
    name: str  # the model field name, "program:<code>", or "kecamatan"/"rt_rw" (checks only)
    level: str  # HOUSEHOLD, MEMBER or PROGRAM
    kind: str
    label: str  # the template header
    required: bool = False
    aliases: tuple[str, ...] = ()
    max_length: int | None = None  # text columns: the model field's max_length
    program_level: str = ""  # program columns: enrolled per HOUSEHOLD or per MEMBER

    @property
    def program_code(self) -> str:
        return self.name.removeprefix("program:") if self.level == PROGRAM else ""


def _c(name, level, kind, label, *aliases, required=False, max_length=None, program_level=""):
    return Column(
        name=name,
        level=level,
        kind=kind,
        label=label,
        required=required,
        aliases=aliases,
        max_length=max_length,
        program_level=program_level,
    )


def _program(code: str, level: str, label: str, *aliases: str) -> Column:
    name, header = f"program:{code}", f"{label} (Ya/Tidak)"
    return _c(name, PROGRAM, YES_NO, header, *aliases, program_level=level)


# The template's example family: structurally valid numbers that belong to nobody; validation
# warns ("template_example") when a file still contains it.
EXAMPLE_KK_NUMBER = "3275010101200001"

H, M = HOUSEHOLD, MEMBER
COLUMNS: tuple[Column, ...] = (
    # Identity and address (required)
    _c("kk_number", H, KK, "No KK", "KK", "No KK", "Nomor KK", "NO_KK", "No. KK", "NOKK",
       "Nomor Kartu Keluarga", "No Kartu Keluarga", "Kartu Keluarga", "No.KK", required=True),
    _c("nik", M, NIK, "NIK", "No NIK", "Nomor NIK", "NIK Anggota", "No KTP",
       "Nomor Induk Kependudukan", required=True),
    _c("name", M, TEXT, "Nama Lengkap", "Nama", "Nama Anggota", "Nama Anggota Keluarga",
       "NAMA_LGKP", "Nama Lgkp", "Nama ART", "Nama Penduduk", required=True, max_length=150),
    _c("sex", M, SEX, "Jenis Kelamin (L/P)", "JK", "Jenis Kelamin", "L/P", "Kelamin", "JNS_KEL",
       "Jns Kelamin", "JENIS_KLMIN", "Kelamin (L/P)", "Sex", required=True),
    _c("birth_place", M, TEXT, "Tempat Lahir", "TMPT_LHR", "Tmp Lahir", "TMP_LAHIR",
       "Tempat Lhr", max_length=100),
    _c("birth_date", M, DATE, "Tanggal Lahir", "Tgl Lahir", "TGL_LAHIR", "Tgl. Lahir", "TGL_LHR",
       "Tanggal Lahir (DD-MM-YYYY)", "Tgl Lhr", "Tanggal Lhr", required=True),
    _c("relationship", M, RELATIONSHIP, "Hubungan Keluarga", "Hubungan", "SHDK",
       "Status Hubungan Dalam Keluarga", "Hub. Keluarga", "Hub Keluarga", "Hubungan dengan KK",
       "Hubungan dengan Kepala Keluarga", "STAT_HBKEL", "HUB_KRT", "HUB_KEL", "Status Hubungan",
       "Hub KK", "Hubungan dengan Kepala Rumah Tangga", required=True),
    _c("address", H, TEXT, "Alamat", "Alamat Lengkap", "Jalan", "Alamat Rumah", "Nama Jalan",
       "Alamat Tinggal", required=True, max_length=255),
    _c("rt", H, RT_RW, "RT", "No RT", "NO_RT", "Nomor RT", required=True),
    _c("rw", H, RT_RW, "RW", "No RW", "NO_RW", "Nomor RW", required=True),
    _c("rt_rw", H, RT_RW_PAIR, "RT/RW", "RT RW", "RT/RW (003/005)"),
    _c("kelurahan", H, KELURAHAN, "Kelurahan", "Desa", "Kel.", "Desa/Kelurahan",
       "Kelurahan/Desa", "Nama Kelurahan", "Kode Kelurahan", "Nama Desa", "NMDESA", "KEL_NAME",
       "NAMA_KEL", "Kode Desa", "Kode Wilayah", "Kel/Desa", "Desa/Kel", required=True),
    _c("kecamatan", H, KECAMATAN, "Kecamatan", "Kec.", "Nama Kecamatan", "Kode Kecamatan",
       "NMKEC", "KEC_NAME", "NAMA_KEC"),
    # Member details
    _c("marital_status", M, CHOICE, "Status Kawin", "Status Perkawinan", "Status Pernikahan",
       "STAT_KWN", "STA_KAWIN", "Status Kwn", "Kawin"),
    _c("education", M, CHOICE, "Pendidikan Terakhir", "Pendidikan", "Pendidikan Tertinggi",
       "PDDK_AKH", "Ijazah Tertinggi", "Tingkat Pendidikan"),
    _c("occupation", M, CHOICE, "Pekerjaan", "Jenis Pekerjaan", "JENIS_PKRJN", "Pekerjaan Utama",
       "Mata Pencaharian"),
    _c("disability", M, CHOICE, "Disabilitas", "Jenis Disabilitas", "Jenis Cacat", "Cacat",
       "Penyandang Disabilitas", "PNYDNG_CACAT", "Difabel"),
    _c("chronic_illness", M, CHOICE, "Penyakit Kronis", "Penyakit Menahun",
       "Penyakit Kronis/Menahun", "Sakit Kronis"),
    _c("is_pregnant", M, YES_NO, "Hamil (Ya/Tidak)", "Hamil", "Sedang Hamil", "STA_HAMIL",
       "Status Hamil", "Ibu Hamil"),
    _c("schooling", M, CHOICE, "Status Sekolah", "Sekolah", "Partisipasi Sekolah",
       "Masih Sekolah", "Status Pendidikan"),
    _c("health_insurance", M, CHOICE, "Jaminan Kesehatan", "Jaminan Kesehatan (JKN)", "JKN",
       "BPJS", "BPJS Kesehatan", "Asuransi Kesehatan", "Kepesertaan JKN"),
    _c("is_deceased", M, YES_NO, "Meninggal (Ya/Tidak)", "Meninggal", "Sudah Meninggal",
       "Status Meninggal", "Meninggal Dunia"),
    # Housing
    _c("house_ownership", H, CHOICE, "Status Kepemilikan Rumah", "Kepemilikan Rumah",
       "Status Rumah", "Status Bangunan", "STA_BANGUNAN", "Status Kepemilikan Bangunan",
       "Kepemilikan Bangunan", "Status Tempat Tinggal"),
    _c("floor_area", H, AREA, "Luas Lantai (m²)", "Luas Lantai", "LUAS_LANTAI", "Luas Bangunan",
       "Luas Rumah", "Luas Lantai (m2)"),
    _c("floor_material", H, CHOICE, "Jenis Lantai", "Lantai", "Jenis Lantai Terluas",
       "JENIS_LANTAI_TERLUAS", "Bahan Lantai", "Lantai Terluas"),
    _c("wall_material", H, CHOICE, "Jenis Dinding", "Dinding", "Jenis Dinding Terluas",
       "Bahan Dinding", "Dinding Terluas"),
    _c("roof_material", H, CHOICE, "Jenis Atap", "Atap", "Jenis Atap Terluas", "Bahan Atap",
       "Atap Terluas"),
    _c("water_source", H, CHOICE, "Sumber Air Minum", "Air Minum", "SUMBER_AIRMINUM",
       "Sumber Air", "Sumber Air Minum Utama"),
    _c("sanitation", H, CHOICE, "Fasilitas BAB", "Fasilitas Buang Air Besar", "FASBAB",
       "Jamban", "Kepemilikan Jamban", "Fasilitas Jamban", "WC", "Toilet", "Sanitasi"),
    _c("cooking_fuel", H, CHOICE, "Bahan Bakar Memasak", "Bahan Bakar Masak", "BB_MASAK",
       "Bahan Bakar", "Energi Memasak", "Bahan Bakar Utama Memasak"),
    _c("lighting", H, CHOICE, "Sumber Penerangan", "Penerangan", "SUMBER_PENERANGAN",
       "Sumber Penerangan Utama", "Penerangan Utama"),
    _c("electricity_va", H, ELECTRICITY_VA, "Daya Listrik (VA)", "Daya Listrik", "Daya",
       "Daya Terpasang", "DAYA_TERPASANG", "Daya PLN", "Daya Listrik Terpasang", "VA"),
    # Assets
    _c("car_count", H, COUNT, "Jumlah Mobil", "Mobil", "Punya Mobil", "ADA_MOBIL", "Ada Mobil",
       "Kepemilikan Mobil", "ASET_BERGERAK_MOBIL", "Memiliki Mobil"),
    _c("motorcycle_count", H, COUNT, "Jumlah Sepeda Motor", "Motor", "Sepeda Motor",
       "Jumlah Motor", "Punya Motor", "ADA_MOTOR", "Ada Motor", "ASET_BERGERAK_SEPEDA_MOTOR",
       "Kepemilikan Sepeda Motor", "Memiliki Sepeda Motor"),
    _c("has_refrigerator", H, YES_NO, "Kulkas (Ya/Tidak)", "Kulkas", "Lemari Es",
       "ADA_LEMARI_ES", "Punya Kulkas", "Ada Kulkas"),
    _c("has_air_conditioner", H, YES_NO, "AC (Ya/Tidak)", "AC", "ADA_AC", "Punya AC", "Ada AC",
       "Pendingin Ruangan"),
    _c("has_gold", H, YES_NO, "Emas ≥10 g (Ya/Tidak)", "Emas", "ADA_EMAS", "Emas/Perhiasan",
       "Perhiasan", "Punya Emas", "Emas Perhiasan", "Emas 10 gram"),
    _c("owns_other_house", H, YES_NO, "Rumah Lain (Ya/Tidak)", "Rumah Lain", "RUMAH_LAIN",
       "Punya Rumah Lain", "Rumah di Tempat Lain", "Memiliki Rumah Lain"),
    _c("land_area", H, AREA, "Luas Tanah Dimiliki (m²)", "Luas Tanah", "Luas Lahan", "LUAS_ATB",
       "Luas Tanah (m2)", "Tanah Dimiliki"),
    # Income and welfare
    _c("monthly_income", H, MONEY, "Penghasilan per Bulan (Rp)", "Penghasilan",
       "Pendapatan per Bulan", "Pendapatan", "Penghasilan per Bulan", "Penghasilan Bulanan",
       "Pendapatan Bulanan", "Pendapatan Keluarga", "Penghasilan Keluarga"),
    _c("monthly_expenditure", H, MONEY, "Pengeluaran per Bulan (Rp)", "Pengeluaran",
       "Pengeluaran per Bulan", "Pengeluaran Bulanan", "Pengeluaran Keluarga"),
    _c("welfare_decile", H, DECILE, "Desil", "Desil Nasional", "DESIL_NASIONAL",
       "Desil Kesejahteraan", "Peringkat Desil"),
    # Aid programs (codes as households.reference.PROGRAMS)
    _program("pkh", H, "PKH", "PKH", "STA_PKH", "Penerima PKH", "Program Keluarga Harapan"),
    _program("bpnt", H, "BPNT/Sembako", "BPNT", "Sembako", "BPNT/Sembako", "Program Sembako",
             "Penerima BPNT", "Bantuan Pangan Non Tunai"),
    _program("pbi-jk", M, "PBI-JK", "PBI", "PBI JK", "KIS PBI", "PBI JKN", "PBI_NAS",
             "Penerima PBI", "KIS"),
    _program("kip", M, "KIP", "KIP", "PIP", "STA_KIP", "KIP/PIP", "Kartu Indonesia Pintar",
             "Penerima KIP"),
    _program("blt", H, "BLT", "BLT", "Penerima BLT", "Bantuan Langsung Tunai"),
    _program("rutilahu", H, "Rutilahu", "Rutilahu", "RTLH", "Bantuan Rutilahu",
             "Penerima Rutilahu"),
)  # fmt: skip

BY_NAME: dict[str, Column] = {column.name: column for column in COLUMNS}
REQUIRED = tuple(column.name for column in COLUMNS if column.required)
_NOT_KEY = re.compile(r"[^A-Z0-9]")


def header_key(text: object) -> str:
    """Upper case, letters and digits only: 'No. KK', 'NO_KK' and 'no kk' give 'NOKK'."""
    return _NOT_KEY.sub("", str(text).upper())


def _alias_index() -> dict[str, str]:
    index: dict[str, str] = {}
    for column in COLUMNS:
        for spelling in (column.label, column.name, *column.aliases):
            key = header_key(spelling)
            owner = index.setdefault(key, column.name)
            if owner != column.name:
                raise ValueError(f"header {spelling!r} matches both {owner} and {column.name}")
    return index


ALIASES: dict[str, str] = _alias_index()


def match_header(text: object) -> str | None:
    """The canonical column a header cell names, or None."""
    return ALIASES.get(header_key(text)) if text else None
