"""Words and codes for coded columns, mapped to the model's choice values.

Words (the template's lists, the model's own values and labels, common spellings in ward
files) are accepted in every source format: a word means the same everywhere. Numeric codes
are accepted only in the source format that declares them (DOMAIN.md section 4), because
"2" is "keramik" for a PBDT 2015 floor, "tidak" for a PBDT car and "perempuan" for sex.
Spellings are matched on households.imports.columns.header_key (upper case, letters and
digits only), so "Istri/Suami", "istri / suami" and "ISTRI-SUAMI" are one word.
"""

from functools import cache

from django.utils import translation

from households.imports.columns import header_key
from households.models import Household, Member

SLRT = "slrt"
PBDT2015 = "pbdt2015"
REGSOSEK2022 = "regsosek2022"

Hh, Mb = Household, Member

# field -> {value: (template word, other spellings...)}. The first word is what the template's
# drop-down offers.
WORDS: dict[str, dict[str, tuple[str, ...]]] = {
    "sex": {
        Mb.Sex.MALE: ("L", "Laki-laki", "Laki Laki", "Laki", "LK", "Pria", "M", "Male"),
        Mb.Sex.FEMALE: ("P", "Perempuan", "PR", "Wanita", "W", "F", "Female"),
    },
    "relationship": {
        Mb.Relationship.HEAD: ("Kepala Keluarga", "KK", "Kepala", "Kepala Rumah Tangga", "KRT",
                               "Head"),
        Mb.Relationship.SPOUSE: ("Istri/Suami", "Istri", "Suami", "Suami/Istri", "Isteri", "Wife",
                                 "Husband"),
        Mb.Relationship.CHILD: ("Anak", "Anak Kandung", "Anak Tiri", "Anak Angkat"),
        Mb.Relationship.CHILD_IN_LAW: ("Menantu",),
        Mb.Relationship.GRANDCHILD: ("Cucu",),
        Mb.Relationship.PARENT: ("Orang Tua/Mertua", "Orang Tua", "Mertua", "Orangtua", "Ayah",
                                 "Ibu", "Bapak"),
        Mb.Relationship.HOUSEHOLD_STAFF: ("Pembantu", "Pembantu Rumah Tangga", "ART", "Sopir",
                                          "Pembantu/Sopir"),
        Mb.Relationship.OTHER: ("Famili Lain", "Lainnya", "Family Lain", "Saudara", "Famili"),
    },
    "marital_status": {
        Mb.MaritalStatus.SINGLE: ("Belum Kawin", "Belum Menikah", "Lajang", "Tidak Kawin"),
        Mb.MaritalStatus.MARRIED: ("Kawin", "Menikah", "Kawin Tercatat", "Kawin Belum Tercatat",
                                   "Nikah"),
        Mb.MaritalStatus.DIVORCED: ("Cerai Hidup", "Cerai"),
        Mb.MaritalStatus.WIDOWED: ("Cerai Mati",),
    },
    "education": {
        Mb.Education.NONE: ("Tidak/Belum Sekolah", "Tidak Sekolah", "Belum Sekolah",
                            "Belum Tamat SD/Sederajat", "Belum Tamat SD", "Tidak Tamat SD"),
        Mb.Education.SD: ("SD/Sederajat", "SD", "Tamat SD/Sederajat", "Tamat SD", "MI",
                          "Paket A"),
        Mb.Education.SMP: ("SMP/Sederajat", "SMP", "SLTP/Sederajat", "SLTP", "MTs", "Paket B"),
        Mb.Education.SMA: ("SMA/SMK/Sederajat", "SMA", "SMK", "SLTA/Sederajat", "SLTA", "MA",
                           "SMA/SMK", "Paket C", "STM", "SMEA"),
        Mb.Education.DIPLOMA: ("Diploma I/II/III", "Diploma", "D1", "D2", "D3", "Diploma I/II",
                               "Akademi/Diploma III/Sarjana Muda", "Diploma III"),
        Mb.Education.BACHELOR: ("Diploma IV/S1", "S1", "D4", "Sarjana", "Diploma IV/Strata I",
                                "Strata I", "D4/S1"),
        Mb.Education.POSTGRADUATE: ("S2/S3", "S2", "S3", "Strata II", "Strata III", "Magister",
                                    "Doktor"),
    },
    "occupation": {
        Mb.Occupation.NONE: ("Tidak Bekerja", "Belum/Tidak Bekerja", "Menganggur",
                             "Belum Bekerja"),
        Mb.Occupation.SCHOOL: ("Pelajar/Mahasiswa", "Pelajar", "Mahasiswa", "Sekolah"),
        Mb.Occupation.HOUSEKEEPING: ("Mengurus Rumah Tangga", "Ibu Rumah Tangga", "IRT"),
        Mb.Occupation.LABOURER: ("Buruh", "Buruh Harian Lepas", "Buruh Pabrik",
                                 "Buruh Bangunan", "Kuli"),
        Mb.Occupation.PRIVATE_EMPLOYEE: ("Karyawan Swasta", "Pegawai Swasta", "Karyawan"),
        Mb.Occupation.SELF_EMPLOYED: ("Wiraswasta", "Pedagang", "Wirausaha", "Usaha Sendiri",
                                      "Berdagang"),
        Mb.Occupation.DRIVER: ("Sopir/Ojek", "Sopir", "Supir", "Ojek", "Ojol", "Pengemudi"),
        Mb.Occupation.FARMER: ("Petani/Nelayan", "Petani", "Nelayan", "Pekebun", "Peternak"),
        Mb.Occupation.INFORMAL: ("Pekerja Lepas", "Serabutan", "Pekerja Informal",
                                 "Freelance"),
        Mb.Occupation.ASN: ("PNS/ASN", "PNS", "ASN", "Pegawai Negeri Sipil", "PPPK",
                            "Pegawai Negeri"),
        Mb.Occupation.TNI: ("TNI",),
        Mb.Occupation.POLRI: ("POLRI", "Polisi", "Kepolisian"),
        Mb.Occupation.STATE_ENTERPRISE: ("Karyawan BUMN/BUMD", "Karyawan BUMN", "Karyawan BUMD",
                                         "BUMN", "BUMD", "Pegawai BUMN"),
        Mb.Occupation.RETIRED: ("Pensiunan", "Purnawirawan", "Pensiun"),
        Mb.Occupation.OTHER: ("Lainnya",),
    },
    "disability": {
        Mb.Disability.NONE: ("Tidak Ada", "Tidak", "Tidak Cacat", "Bukan Disabilitas"),
        Mb.Disability.PHYSICAL: ("Fisik", "Tuna Daksa", "Disabilitas Fisik", "Cacat Fisik"),
        Mb.Disability.VISUAL: ("Netra", "Tuna Netra", "Disabilitas Netra", "Buta"),
        Mb.Disability.HEARING: ("Rungu/Wicara", "Tuna Rungu", "Tuna Wicara", "Tuna Rungu Wicara",
                                "Rungu", "Wicara", "Tunarungu"),
        Mb.Disability.INTELLECTUAL: ("Intelektual", "Tuna Grahita", "Grahita",
                                     "Disabilitas Intelektual"),
        Mb.Disability.MENTAL: ("Mental/Psikososial", "Mental", "Psikososial", "Gangguan Jiwa",
                               "Disabilitas Mental", "ODGJ"),
        Mb.Disability.MULTIPLE: ("Ganda", "Disabilitas Ganda", "Cacat Ganda", "Fisik dan Mental"),
    },
    "chronic_illness": {
        Mb.ChronicIllness.NONE: ("Tidak Ada", "Tidak", "Sehat"),
        Mb.ChronicIllness.HYPERTENSION: ("Hipertensi", "Darah Tinggi"),
        Mb.ChronicIllness.DIABETES: ("Diabetes", "Kencing Manis", "Diabetes Melitus", "DM"),
        Mb.ChronicIllness.HEART: ("Jantung", "Penyakit Jantung"),
        Mb.ChronicIllness.TUBERCULOSIS: ("TBC", "TB", "Tuberkulosis", "TB Paru"),
        Mb.ChronicIllness.STROKE: ("Stroke",),
        Mb.ChronicIllness.CANCER: ("Kanker",),
        Mb.ChronicIllness.KIDNEY: ("Gagal Ginjal", "Ginjal", "Cuci Darah"),
        Mb.ChronicIllness.ASTHMA: ("Asma",),
        Mb.ChronicIllness.OTHER: ("Lainnya", "Rematik", "Kolesterol"),
    },
    "schooling": {
        Mb.Schooling.NEVER: ("Tidak Pernah Sekolah", "Tidak Pernah", "Belum Pernah Sekolah"),
        Mb.Schooling.ATTENDING: ("Masih Sekolah", "Sedang Sekolah", "Bersekolah"),
        Mb.Schooling.LEFT: ("Tidak Sekolah Lagi", "Putus Sekolah", "Tidak Bersekolah Lagi",
                            "Sudah Lulus", "Lulus", "Tamat"),
    },
    "health_insurance": {
        Mb.HealthInsurance.NONE: ("Tidak Ada", "Tidak Punya", "Tidak"),
        Mb.HealthInsurance.PBI_JKN: ("PBI", "KIS PBI", "PBI JKN", "BPJS PBI", "PBI APBN",
                                     "PBI APBD", "PBI Pemda", "KIS"),
        Mb.HealthInsurance.JKN_SELF: ("JKN Mandiri", "BPJS Mandiri", "Mandiri", "PBPU"),
        Mb.HealthInsurance.JKN_EMPLOYER: ("JKN Perusahaan", "BPJS Perusahaan", "Penerima Upah",
                                          "PPU", "JKN Pemberi Kerja", "BPJS Kantor"),
        Mb.HealthInsurance.OTHER: ("Asuransi Lain", "Asuransi Swasta", "Lainnya"),
    },
    "house_ownership": {
        Hh.Ownership.OWN: ("Milik Sendiri", "Sendiri", "Rumah Sendiri"),
        Hh.Ownership.RENT: ("Kontrak/Sewa", "Kontrak", "Sewa", "Ngontrak", "Kos", "Indekos"),
        Hh.Ownership.RENT_FREE: ("Bebas Sewa", "Numpang Gratis", "Pinjam"),
        Hh.Ownership.OFFICIAL: ("Rumah Dinas", "Dinas"),
        Hh.Ownership.SHARED: ("Menumpang", "Numpang", "Kepemilikan Bersama", "Ikut Orang Tua",
                              "Menumpang/Kepemilikan Bersama"),
        Hh.Ownership.OTHER: ("Lainnya",),
    },
    "floor_material": {
        Hh.FloorMaterial.MARBLE: ("Marmer/Granit", "Marmer", "Granit"),
        Hh.FloorMaterial.CERAMIC: ("Keramik",),
        Hh.FloorMaterial.PARQUET: ("Parket/Vinil/Karpet", "Parket", "Vinil", "Karpet",
                                   "Permadani", "Parket/Vinil/Permadani"),
        Hh.FloorMaterial.TILE: ("Ubin/Tegel/Teraso", "Ubin", "Tegel", "Teraso"),
        Hh.FloorMaterial.WOOD_HIGH: ("Kayu Kualitas Tinggi", "Kayu/Papan Kualitas Tinggi",
                                     "Papan Kualitas Tinggi"),
        Hh.FloorMaterial.CEMENT: ("Semen/Bata Merah", "Semen", "Bata Merah", "Plester",
                                  "Plesteran"),
        Hh.FloorMaterial.BAMBOO: ("Bambu",),
        Hh.FloorMaterial.WOOD_LOW: ("Kayu Kualitas Rendah", "Kayu/Papan Kualitas Rendah",
                                    "Papan Kualitas Rendah"),
        Hh.FloorMaterial.EARTH: ("Tanah",),
        Hh.FloorMaterial.OTHER: ("Lainnya",),
    },
    "wall_material": {
        Hh.WallMaterial.MASONRY: ("Tembok", "Bata", "Batako", "Beton", "Tembok/Bata"),
        Hh.WallMaterial.PLASTERED_BAMBOO: ("Plesteran Anyaman Bambu/Kawat",
                                           "Plesteran Anyaman Bambu", "Anyaman Bambu Diplester",
                                           "Kawat"),
        Hh.WallMaterial.WOOD: ("Kayu/Papan", "Kayu", "Papan", "Gypsum", "GRC", "Kalsiboard",
                               "Kayu/Papan/Gypsum/GRC/Calciboard", "Triplek"),
        Hh.WallMaterial.WOVEN_BAMBOO: ("Anyaman Bambu", "Bilik", "Gedek", "Bilik Bambu"),
        Hh.WallMaterial.LOG: ("Batang Kayu",),
        Hh.WallMaterial.BAMBOO: ("Bambu",),
        Hh.WallMaterial.OTHER: ("Lainnya",),
    },
    "roof_material": {
        Hh.RoofMaterial.CONCRETE: ("Beton", "Genteng Beton", "Dak", "Cor", "Beton/Genteng Beton"),
        Hh.RoofMaterial.TILE: ("Genteng", "Genteng Keramik", "Genteng Tanah Liat", "Genteng Metal",
                               "Genting"),
        Hh.RoofMaterial.ZINC: ("Seng",),
        Hh.RoofMaterial.ASBESTOS: ("Asbes",),
        Hh.RoofMaterial.WOOD: ("Kayu/Sirap", "Sirap", "Kayu"),
        Hh.RoofMaterial.BAMBOO: ("Bambu",),
        Hh.RoofMaterial.THATCH: ("Jerami/Ijuk/Daun/Rumbia", "Jerami", "Ijuk", "Daun", "Rumbia",
                                 "Daun-daunan"),
        Hh.RoofMaterial.OTHER: ("Lainnya",),
    },
    "water_source": {
        Hh.WaterSource.BOTTLED: ("Air Kemasan", "Kemasan", "Air Kemasan Bermerk",
                                 "Galon Bermerk"),
        Hh.WaterSource.REFILL: ("Air Isi Ulang", "Isi Ulang", "Galon Isi Ulang"),
        Hh.WaterSource.PIPED: ("Leding/PDAM", "PDAM", "Leding", "Ledeng", "Leding Meteran",
                               "Leding Eceran", "PAM", "Pamsimas", "Pamdes"),
        Hh.WaterSource.BOREHOLE: ("Sumur Bor/Pompa", "Sumur Bor", "Pompa", "Jet Pump",
                                  "Sumur Pompa"),
        Hh.WaterSource.PROTECTED_WELL: ("Sumur Terlindung",),
        Hh.WaterSource.UNPROTECTED_WELL: ("Sumur Tak Terlindung", "Sumur Tidak Terlindung"),
        Hh.WaterSource.SPRING: ("Mata Air", "Mata Air Terlindung", "Mata Air Tak Terlindung",
                                "Mata Air Tidak Terlindung"),
        Hh.WaterSource.SURFACE: ("Sungai/Danau/Waduk", "Sungai", "Danau", "Waduk",
                                 "Air Permukaan"),
        Hh.WaterSource.RAIN: ("Air Hujan", "Hujan"),
        Hh.WaterSource.OTHER: ("Lainnya",),
    },
    "sanitation": {
        Hh.Sanitation.PRIVATE: ("Sendiri", "Milik Sendiri", "Jamban Sendiri", "WC Sendiri"),
        Hh.Sanitation.SHARED: ("Bersama", "Jamban Bersama", "WC Bersama"),
        Hh.Sanitation.PUBLIC: ("Umum", "MCK Umum", "WC Umum", "Jamban Umum"),
        Hh.Sanitation.NONE: ("Tidak Ada", "Tidak Punya", "Tidak Ada Jamban"),
    },
    "cooking_fuel": {
        Hh.CookingFuel.ELECTRICITY: ("Listrik", "Kompor Listrik"),
        Hh.CookingFuel.LPG_LARGE: ("Elpiji 5,5 kg ke atas", "Gas 5,5 kg", "Elpiji 5,5 kg",
                                   "Elpiji 12 kg", "Gas 12 kg", "Bright Gas",
                                   "Blue Gaz", "Elpiji 5.5 kg"),
        Hh.CookingFuel.LPG_3KG: ("Elpiji 3 kg", "Gas 3 kg", "LPG 3 kg", "Gas Melon"),
        Hh.CookingFuel.CITY_GAS: ("Gas Kota/Biogas", "Gas Kota", "Biogas", "PGN", "Jargas"),
        Hh.CookingFuel.KEROSENE: ("Minyak Tanah",),
        Hh.CookingFuel.CHARCOAL: ("Arang/Briket", "Arang", "Briket"),
        Hh.CookingFuel.FIREWOOD: ("Kayu Bakar", "Kayu"),
        Hh.CookingFuel.NO_COOKING: ("Tidak Memasak", "Tidak Memasak di Rumah", "Tidak Masak"),
    },
    "lighting": {
        Hh.Lighting.PLN_METERED: ("PLN Meteran Sendiri", "Listrik PLN", "PLN",
                                  "Listrik PLN Meteran Sendiri", "PLN Dengan Meteran"),
        Hh.Lighting.PLN_UNMETERED: ("PLN Tanpa Meteran", "Listrik PLN Tanpa Meteran",
                                    "PLN Menumpang", "Nyalur", "Numpang Listrik"),
        Hh.Lighting.NON_PLN: ("Listrik Non-PLN", "Non PLN", "Genset", "Tenaga Surya",
                              "Listrik Non PLN"),
        Hh.Lighting.NONE: ("Bukan Listrik", "Tidak Ada Listrik", "Tanpa Listrik", "Pelita",
                           "Lampu Minyak"),
    },
}  # fmt: skip

YES_WORDS = ("Ya", "Y", "Yes", "Ada", "Iya", "Punya", "Benar", "True", "✓", "√", "Penerima")
NO_WORDS = ("Tidak", "T", "No", "N", "Tidak Ada", "Tdk", "Bukan", "False", "Tidak Punya", "✗")
YES_NO_DIGITS = {"1": True, "0": False}  # the template's convention: every format but PBDT

# Per source format: field -> {code: model value}. None means "not given" (the code says the
# value is unknown, e.g. PBDT daya 6 = no own meter).
PBDT_CODES: dict[str, dict[str, object]] = {
    "sex": {"1": Mb.Sex.MALE, "2": Mb.Sex.FEMALE},
    "relationship": {
        "1": Mb.Relationship.HEAD, "2": Mb.Relationship.SPOUSE, "3": Mb.Relationship.CHILD,
        "4": Mb.Relationship.CHILD_IN_LAW, "5": Mb.Relationship.GRANDCHILD,
        "6": Mb.Relationship.PARENT, "7": Mb.Relationship.HOUSEHOLD_STAFF,
        "8": Mb.Relationship.OTHER,
    },
    "house_ownership": {  # sta_bangunan
        "1": Hh.Ownership.OWN, "2": Hh.Ownership.RENT, "3": Hh.Ownership.RENT_FREE,
        "4": Hh.Ownership.OFFICIAL, "5": Hh.Ownership.OTHER,
    },
    "floor_material": {  # lantai
        "1": Hh.FloorMaterial.MARBLE, "2": Hh.FloorMaterial.CERAMIC,
        "3": Hh.FloorMaterial.PARQUET, "4": Hh.FloorMaterial.TILE,
        "5": Hh.FloorMaterial.WOOD_HIGH, "6": Hh.FloorMaterial.CEMENT,
        "7": Hh.FloorMaterial.BAMBOO, "8": Hh.FloorMaterial.WOOD_LOW,
        "9": Hh.FloorMaterial.EARTH, "10": Hh.FloorMaterial.OTHER,
    },
    "wall_material": {  # dinding
        "1": Hh.WallMaterial.MASONRY, "2": Hh.WallMaterial.PLASTERED_BAMBOO,
        "3": Hh.WallMaterial.WOOD, "4": Hh.WallMaterial.WOVEN_BAMBOO, "5": Hh.WallMaterial.LOG,
        "6": Hh.WallMaterial.BAMBOO, "7": Hh.WallMaterial.OTHER,
    },
    "roof_material": {  # atap: the three kinds of genteng are one value here
        "1": Hh.RoofMaterial.CONCRETE, "2": Hh.RoofMaterial.TILE, "3": Hh.RoofMaterial.TILE,
        "4": Hh.RoofMaterial.TILE, "5": Hh.RoofMaterial.ASBESTOS, "6": Hh.RoofMaterial.ZINC,
        "7": Hh.RoofMaterial.WOOD, "8": Hh.RoofMaterial.BAMBOO, "9": Hh.RoofMaterial.THATCH,
        "10": Hh.RoofMaterial.OTHER,
    },
    "water_source": {  # sumber_airminum
        "1": Hh.WaterSource.BOTTLED, "2": Hh.WaterSource.REFILL, "3": Hh.WaterSource.PIPED,
        "4": Hh.WaterSource.PIPED, "5": Hh.WaterSource.BOREHOLE,
        "6": Hh.WaterSource.PROTECTED_WELL, "7": Hh.WaterSource.UNPROTECTED_WELL,
        "8": Hh.WaterSource.SPRING, "9": Hh.WaterSource.SPRING, "10": Hh.WaterSource.SURFACE,
        "11": Hh.WaterSource.RAIN, "12": Hh.WaterSource.OTHER,
    },
    "sanitation": {  # fasbab
        "1": Hh.Sanitation.PRIVATE, "2": Hh.Sanitation.SHARED, "3": Hh.Sanitation.PUBLIC,
        "4": Hh.Sanitation.NONE,
    },
    "cooking_fuel": {  # bb_masak
        "1": Hh.CookingFuel.ELECTRICITY, "2": Hh.CookingFuel.LPG_LARGE,
        "3": Hh.CookingFuel.LPG_3KG, "4": Hh.CookingFuel.CITY_GAS, "5": Hh.CookingFuel.KEROSENE,
        "6": Hh.CookingFuel.CHARCOAL, "7": Hh.CookingFuel.CHARCOAL,
        "8": Hh.CookingFuel.FIREWOOD, "9": Hh.CookingFuel.NO_COOKING,
    },
    "lighting": {  # sumber_penerangan: PBDT does not separate own meter (see daya 6)
        "1": Hh.Lighting.PLN_METERED, "2": Hh.Lighting.NON_PLN, "3": Hh.Lighting.NONE,
    },
    "electricity_va": {  # daya: 5 is "more than 2,200 VA", stored as the next step up
        "1": 450, "2": 900, "3": 1300, "4": 2200, "5": 3500, "6": None,
    },
    # Assets: the yes/no codes alternate between fields (DOMAIN.md section 4).
    "car_count": {"1": 1, "2": 0},  # ada_mobil
    "has_air_conditioner": {"1": True, "2": False},  # ada_ac
    "has_gold": {"1": True, "2": False},  # ada_emas
    "motorcycle_count": {"3": 1, "4": 0},  # ada_motor
    "has_refrigerator": {"3": True, "4": False},  # ada_lemari_es
    "owns_other_house": {"3": True, "4": False},  # rumah_lain
}  # fmt: skip

REGSOSEK_CODES: dict[str, dict[str, object]] = {
    "sex": PBDT_CODES["sex"],  # [405]
    "relationship": PBDT_CODES["relationship"],  # [409]
    "house_ownership": {  # [301a]
        "1": Hh.Ownership.OWN, "2": Hh.Ownership.RENT, "3": Hh.Ownership.RENT_FREE,
        "4": Hh.Ownership.OFFICIAL, "5": Hh.Ownership.OTHER, "6": Hh.Ownership.SHARED,
    },
    "floor_material": {  # [303]: 5 "kayu/papan" has no quality, so it is not mapped
        "1": Hh.FloorMaterial.MARBLE, "2": Hh.FloorMaterial.CERAMIC,
        "3": Hh.FloorMaterial.PARQUET, "4": Hh.FloorMaterial.TILE,
        "6": Hh.FloorMaterial.CEMENT, "7": Hh.FloorMaterial.BAMBOO,
        "8": Hh.FloorMaterial.EARTH, "9": Hh.FloorMaterial.OTHER,
    },
    "wall_material": PBDT_CODES["wall_material"],  # [304]: same list
    "roof_material": {  # [305]
        "1": Hh.RoofMaterial.CONCRETE, "2": Hh.RoofMaterial.TILE, "3": Hh.RoofMaterial.ZINC,
        "4": Hh.RoofMaterial.ASBESTOS, "5": Hh.RoofMaterial.WOOD, "6": Hh.RoofMaterial.BAMBOO,
        "7": Hh.RoofMaterial.THATCH, "8": Hh.RoofMaterial.OTHER,
    },
    "water_source": {  # [306a]
        "1": Hh.WaterSource.BOTTLED, "2": Hh.WaterSource.REFILL, "3": Hh.WaterSource.PIPED,
        "4": Hh.WaterSource.BOREHOLE, "5": Hh.WaterSource.PROTECTED_WELL,
        "6": Hh.WaterSource.UNPROTECTED_WELL, "7": Hh.WaterSource.SPRING,
        "8": Hh.WaterSource.SPRING, "9": Hh.WaterSource.SURFACE, "10": Hh.WaterSource.RAIN,
        "11": Hh.WaterSource.OTHER, "12": Hh.WaterSource.PIPED, "13": Hh.WaterSource.PIPED,
    },
    "cooking_fuel": {  # [308]: 11 "lainnya" has no model value, so it is not mapped
        "1": Hh.CookingFuel.ELECTRICITY, "2": Hh.CookingFuel.LPG_LARGE,
        "3": Hh.CookingFuel.LPG_LARGE, "4": Hh.CookingFuel.LPG_3KG,
        "5": Hh.CookingFuel.CITY_GAS, "6": Hh.CookingFuel.CITY_GAS,
        "7": Hh.CookingFuel.KEROSENE, "8": Hh.CookingFuel.CHARCOAL,
        "9": Hh.CookingFuel.CHARCOAL, "10": Hh.CookingFuel.FIREWOOD,
        "12": Hh.CookingFuel.NO_COOKING,
    },
    "lighting": {  # [307a]
        "1": Hh.Lighting.PLN_METERED, "2": Hh.Lighting.PLN_UNMETERED, "3": Hh.Lighting.NON_PLN,
        "4": Hh.Lighting.NONE,
    },
    "electricity_va": {"1": 450, "2": 900, "3": 1300, "4": 2200, "5": 3500},  # [307b]
    # Assets: 1 = ya, 2 = tidak for all of them.
    **{
        name: {"1": 1, "2": 0} if name.endswith("_count") else {"1": True, "2": False}
        for name in ("car_count", "motorcycle_count", "has_refrigerator", "has_air_conditioner",
                     "has_gold", "owns_other_house")
    },
}  # fmt: skip

FORMAT_CODES: dict[str, dict[str, dict[str, object]]] = {
    SLRT: {},
    PBDT2015: PBDT_CODES,
    REGSOSEK2022: REGSOSEK_CODES,
}
# field -> the model's choices its words map into (the type of WORDS' keys).
CHOICE_ENUMS = {field: type(next(iter(words))) for field, words in WORDS.items()}


def template_words(field: str) -> list[str]:
    """The drop-down list of a coded column: one word per model value, in model order."""
    return [WORDS[field][value][0] for value in CHOICE_ENUMS[field].values]


@cache
def word_lookup(field: str) -> dict[str, str]:
    """Every accepted spelling of `field` (as header_key) -> model value. Our own words win over
    the model's values and labels (Indonesian and English), which are added where free, so a
    file exported by this app reads back."""
    lookup: dict[str, str] = {}
    for value, words in WORDS[field].items():
        for word in words:
            key = header_key(word)
            if lookup.setdefault(key, str(value)) != str(value):
                raise ValueError(f"{field}: {word!r} means two values")
    enum = CHOICE_ENUMS[field]
    for language in ("id", "en"):
        with translation.override(language):
            for value, label in enum.choices:
                lookup.setdefault(header_key(label), value)
    for value in enum.values:
        lookup.setdefault(header_key(value), value)
    return lookup


def label_of(field: str, value: object) -> str:
    """The model's (translated) label for a stored value, for messages."""
    enum = CHOICE_ENUMS.get(field)
    if enum is not None and value in enum.values:
        return str(enum(value).label)
    return str(value)
