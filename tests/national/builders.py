"""Extract files for the tests: the registry's families as DTSEN would list them."""

import datetime
from pathlib import Path

from households.models import Household

HEADER = "No KK;NIK;Nama;Tanggal Lahir;Kelurahan;Desil;PKH"


def family_rows(
    household: Household,
    *,
    desil: int,
    pkh: bool = False,
    names: dict[str, str] | None = None,
    births: dict[str, datetime.date] | None = None,
    kk_number: str | None = None,
    kelurahan_code: str | None = None,
) -> list[str]:
    """One row per member of `household`, as the registry has them unless told otherwise
    (`names`/`births` by NIK)."""
    names, births = names or {}, births or {}
    rows = []
    for member in household.members.order_by("pk"):
        birth = births.get(member.nik, member.birth_date)
        rows.append(
            ";".join(
                [
                    kk_number or household.kk_number,
                    member.nik,
                    names.get(member.nik, member.name),
                    birth.strftime("%d-%m-%Y"),
                    kelurahan_code or household.kelurahan.code,
                    str(desil),
                    "Ya" if pkh else "Tidak",
                ]
            )
        )
    return rows


def write_extract(path: Path, rows: list[str], header: str = HEADER) -> Path:
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path
