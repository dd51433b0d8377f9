"""The demo's DTSEN extract (issue 22): `make run` imports one generated from the demo
registry, mostly agreeing with it, with every kind of difference present, so the
reconciliation queue and the dashboard have something to show."""

import csv
import datetime
import random
import tempfile
from pathlib import Path

from django.contrib.auth.models import User
from django.db.models import Prefetch
from django.utils import timezone

from households.models import Household, Member, Region
from national.models import Extract
from national.services import import_extract

HEADER = ["No KK", "NIK", "Nama", "Tanggal Lahir", "Kelurahan", "Desil", "PKH", "BPNT/Sembako"]


def demo_rows(seed: int = 22) -> list[list[str]]:
    """Every registry family as DTSEN would list it, but: every 25th left out (not
    registered nationally), every 15th poor one at desil 8, the car owners at desil 2, every
    30th with its head's name spelt otherwise; and a tenth more families DTSEN has and the
    registry not, in every kelurahan."""
    rng = random.Random(seed)
    members = Prefetch("members", queryset=Member.objects.order_by("pk"))
    households = Household.objects.select_related("kelurahan").prefetch_related(members)
    rows: list[list[str]] = []
    taken_niks: set[str] = set(Member.objects.values_list("nik", flat=True))
    for index, household in enumerate(households.order_by("pk").iterator(chunk_size=2000)):
        if index % 25 == 3:
            continue
        desil = household.welfare_decile or rng.randint(5, 10)
        if desil <= 4 and index % 15 == 7:
            desil = 8
        elif household.car_count:
            desil = 2
        aid = "Ya" if desil <= 4 else "Tidak"
        for position, member in enumerate(household.members.all()):
            name = member.name
            if position == 0 and index % 30 == 11:
                name = f"{name} Als"
            rows.append(
                [
                    household.kk_number,
                    member.nik,
                    name,
                    member.birth_date.strftime("%d-%m-%Y"),
                    household.kelurahan.code,
                    str(desil),
                    aid,
                    aid,
                ]
            )
    kelurahan = list(
        Region.objects.filter(level=Region.Level.KELURAHAN).values_list("code", flat=True)
    )
    strangers = max(len(kelurahan) * 3, Household.objects.count() // 10)
    for number in range(strangers):
        code = kelurahan[number % len(kelurahan)]
        region = code.replace(".", "")[:6]
        registered = datetime.date(2015, 1, 1) + datetime.timedelta(days=number % 2500)
        kk = f"{region}{registered:%d%m%y}{9000 - number % 8000:04d}"
        # The first three of each kelurahan in desil 1-4 (cases, so that a small demo has
        # visits to show: national.usulan_demo); then a third of them.
        poor = number < 3 * len(kelurahan) or number % 3 == 0
        desil = rng.randint(1, 4) if poor else rng.randint(1, 10)
        aid = "Ya" if desil <= 4 else "Tidak"
        for person in range(rng.randint(1, 4)):
            birth = datetime.date(rng.randint(1955, 2020), rng.randint(1, 12), rng.randint(1, 28))
            while True:
                day = birth.day + 40 if person % 2 else birth.day
                nik = f"{region}{day:02d}{birth:%m%y}{rng.randint(1, 9998):04d}"
                if nik not in taken_niks:
                    taken_niks.add(nik)
                    break
            name = (
                rng.choice(["Siti", "Ahmad", "Dewi", "Budi", "Rina", "Agus"])
                + " "
                + rng.choice(["Rahmawati", "Saputra", "Lestari", "Hidayat", "Kurniawan", "Susanti"])
            )
            rows.append([kk, nik, name, birth.strftime("%d-%m-%Y"), code, str(desil), aid, aid])
    return rows


def seed_demo_extract(as_of: datetime.date | None = None) -> Extract | None:
    """Import the demo extract once; None (nothing done) when an extract exists already (a
    second `make run` adds nothing) or there is no demo (no household and no demo user)."""
    demo = User.objects.filter(username__startswith="demo-").exists()
    if Extract.objects.exists() or not (demo or Household.objects.exists()):
        return None
    as_of = as_of or timezone.localdate().replace(day=1)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"dtsen-kota-bekasi-{as_of:%Y-%m}.csv"
        with path.open("w", newline="", encoding="utf-8") as handle:
            out = csv.writer(handle, delimiter=";")
            out.writerow(HEADER)
            out.writerows(demo_rows())
        return import_extract(path=path, filename=path.name, as_of=as_of, by=None).extract
