"""Reference data loaded by idempotent commands: regions, agencies, programs, role groups."""

import csv
import re
from dataclasses import dataclass
from pathlib import Path

from django.contrib.auth.models import Group, Permission
from django.db import transaction

from households.models import Agency, Program, Region
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
    """Agencies, programs and the role groups with their permissions."""
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
    for role, perms in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        group.permissions.set([_permission(p) for p in perms])


def _permission(dotted: str) -> Permission:
    app_label, codename = dotted.split(".")
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)
