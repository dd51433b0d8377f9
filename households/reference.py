"""Reference data loaded by idempotent commands: regions, agencies, programs, PMKS categories,
role groups."""

import csv
import re
from dataclasses import dataclass
from pathlib import Path

from django.contrib.auth.models import Group, Permission
from django.db import transaction

from households.models import Agency, PmksCategory, Program, Region
from households.roles import ROLE_PERMISSIONS

DATA_DIR = Path(__file__).resolve().parent / "data"
REGIONS_CSV = DATA_DIR / "bekasi_regions.csv"
REGION_COLUMNS = ("code", "name", "level", "parent_code", "bps_code", "bps_name")

AGENCIES = [
    ("dinsos", "Dinas Sosial", "Dinas Sosial"),
    ("bapelitbangda", "Badan Perencanaan, Penelitian dan Pengembangan Daerah", "Bapelitbangda"),
    (
        "diskominfostandi",
        "Dinas Komunikasi, Informatika, Statistik dan Persandian",
        "Diskominfostandi",
    ),
    ("dinkes", "Dinas Kesehatan", "Dinas Kesehatan"),
    ("disdik", "Dinas Pendidikan", "Dinas Pendidikan"),
    ("disperkimtan", "Dinas Perumahan, Kawasan Permukiman dan Pertanahan", "Disperkimtan"),
    ("disnaker", "Dinas Tenaga Kerja", "Disnaker"),
    ("disdukcapil", "Dinas Kependudukan dan Pencatatan Sipil", "Disdukcapil"),
    # Issue 21: the economic needs of an assessment point to these (households.models.
    # assessments INTERVENTION_AGENCY): UMKM mentoring, and KUR through a bank that lends it.
    ("dinkopukm", "Dinas Koperasi dan Usaha Kecil Menengah", "Dinas Koperasi dan UKM"),
    ("bank-kur", "Bank penyalur Kredit Usaha Rakyat (KUR)", "Bank penyalur KUR"),
]
# Agencies that plan or run data rather than serve referrals.
NON_RECEIVING = {"bapelitbangda", "diskominfostandi"}

PROGRAMS = [
    ("pkh", "PKH", "Program Keluarga Harapan: bantuan tunai bersyarat", "household"),
    ("bpnt", "BPNT/Sembako", "Bantuan Pangan Non Tunai / Program Sembako", "household"),
    ("pbi-jk", "PBI-JK", "Penerima Bantuan Iuran Jaminan Kesehatan", "member"),
    ("kip", "KIP", "Kartu Indonesia Pintar / Program Indonesia Pintar", "member"),
    ("blt", "BLT", "Bantuan Langsung Tunai", "household"),
    ("rutilahu", "Rutilahu", "Rehabilitasi Rumah Tidak Layak Huni (Disperkimtan)", "household"),
]


# The 26 PMKS categories of Permensos 8/2012 (issue 21), in its order: number, code, name,
# English name, sensitive. Sensitive categories are seen by Dinas Sosial only (households.scope):
# HIV, NAPZA, trafficking, violence (also against children), tuna susila, and children in
# conflict with the law, whose identity UU 11/2012 (SPPA) art. 19 keeps confidential.
PMKS_CATEGORIES = [
    (1, "anak-balita-terlantar", "Anak balita terlantar", "Neglected child under five", False),
    (2, "anak-terlantar", "Anak terlantar", "Neglected child", False),
    (
        3,
        "anak-berhadapan-dengan-hukum",
        "Anak yang berhadapan dengan hukum",
        "Child in conflict with the law",
        True,
    ),
    (4, "anak-jalanan", "Anak jalanan", "Street child", False),
    (
        5,
        "anak-dengan-kedisabilitasan",
        "Anak dengan kedisabilitasan",
        "Child with a disability",
        False,
    ),
    (
        6,
        "anak-korban-tindak-kekerasan",
        "Anak korban tindak kekerasan",
        "Child victim of violence",
        True,
    ),
    (
        7,
        "anak-memerlukan-perlindungan-khusus",
        "Anak yang memerlukan perlindungan khusus",
        "Child in need of special protection",
        False,
    ),
    (8, "lanjut-usia-terlantar", "Lanjut usia terlantar", "Neglected older person", False),
    (9, "penyandang-disabilitas", "Penyandang disabilitas", "Person with a disability", False),
    (10, "tuna-susila", "Tuna susila", "Sex worker", True),
    (11, "gelandangan", "Gelandangan", "Homeless person", False),
    (12, "pengemis", "Pengemis", "Beggar", False),
    (13, "pemulung", "Pemulung", "Scavenger", False),
    (14, "kelompok-minoritas", "Kelompok minoritas", "Minority group", False),
    (
        15,
        "bekas-warga-binaan-lapas",
        "Bekas warga binaan lembaga pemasyarakatan",
        "Former prison inmate",
        False,
    ),
    (16, "odha", "Orang dengan HIV/AIDS (ODHA)", "Person living with HIV/AIDS", True),
    (
        17,
        "korban-penyalahgunaan-napza",
        "Korban penyalahgunaan NAPZA",
        "Victim of drug abuse (NAPZA)",
        True,
    ),
    (18, "korban-trafficking", "Korban trafficking", "Victim of trafficking", True),
    (19, "korban-tindak-kekerasan", "Korban tindak kekerasan", "Victim of violence", True),
    (
        20,
        "pekerja-migran-bermasalah-sosial",
        "Pekerja migran bermasalah sosial",
        "Migrant worker with social problems",
        False,
    ),
    (21, "korban-bencana-alam", "Korban bencana alam", "Victim of a natural disaster", False),
    (22, "korban-bencana-sosial", "Korban bencana sosial", "Victim of a social disaster", False),
    (
        23,
        "perempuan-rawan-sosial-ekonomi",
        "Perempuan rawan sosial ekonomi",
        "Socio-economically vulnerable woman",
        False,
    ),
    (24, "fakir-miskin", "Fakir miskin", "Destitute poor", False),
    (
        25,
        "keluarga-bermasalah-sosial-psikologis",
        "Keluarga bermasalah sosial psikologis",
        "Family with psychosocial problems",
        False,
    ),
    (
        26,
        "komunitas-adat-terpencil",
        "Komunitas adat terpencil",
        "Remote indigenous community",
        False,
    ),
]


@dataclass(frozen=True)
class LoadResult:
    created: int
    updated: int
    unchanged: int


def name_key(name: str) -> str:
    """Upper case, letters only: 'Bekasi Jaya' and 'BEKASIJAYA' meet as 'BEKASIJAYA'."""
    return re.sub(r"[^A-Z]", "", name.upper())


@transaction.atomic
def load_regions(path: Path = REGIONS_CSV) -> LoadResult:
    """Create or update regions from a CSV in the shape of bekasi_regions.csv. Parents come
    before children in the file; a second run changes nothing."""
    created = updated = unchanged = 0
    by_code = {region.code: region for region in Region.objects.all()}
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        missing = set(REGION_COLUMNS) - set(reader.fieldnames or ())
        if missing:
            raise ValueError(f"{path.name}: missing columns {', '.join(sorted(missing))}")
        for row in reader:
            values = {
                "name": row["name"].strip(),
                "name_key": name_key(row["name"]),
                "level": row["level"].strip(),
                "parent": by_code.get(row["parent_code"].strip()) if row["parent_code"] else None,
                "bps_code": row["bps_code"].strip(),
                "bps_name": row["bps_name"].strip(),
            }
            if row["parent_code"] and values["parent"] is None:
                raise ValueError(
                    f"{row['code']}: parent {row['parent_code']} comes later or is missing"
                )
            region = by_code.get(row["code"].strip())
            if region is None:
                region = Region.objects.create(code=row["code"].strip(), **values)
                by_code[region.code] = region
                created += 1
            elif any(getattr(region, k) != v for k, v in values.items()):
                for k, v in values.items():
                    setattr(region, k, v)
                region.save()
                updated += 1
            else:
                unchanged += 1
    return LoadResult(created, updated, unchanged)


@transaction.atomic
def load_reference_data() -> None:
    """Agencies, programs, the PMKS categories and the role groups with their permissions."""
    for code, name, short_name in AGENCIES:
        Agency.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "short_name": short_name,
                "receives_referrals": code not in NON_RECEIVING,
            },
        )
    for code, name, description, level in PROGRAMS:
        Program.objects.update_or_create(
            code=code, defaults={"name": name, "description": description, "level": level}
        )
    for number, code, name, name_en, sensitive in PMKS_CATEGORIES:
        PmksCategory.objects.update_or_create(
            code=code,
            defaults={
                "number": number,
                "name": name,
                "name_en": name_en,
                "is_sensitive": sensitive,
            },
        )
    for role, perms in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        group.permissions.set([_permission(p) for p in perms])


def _permission(dotted: str) -> Permission:
    app_label, codename = dotted.split(".")
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)
