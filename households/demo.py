"""Synthetic demo registry: households, members, enrolments and one demo user per role.

`DemoGenerator` is pure (a seeded `random.Random`, no ORM): the same household count and
seed always give the same KK numbers, NIKs, names and values. Dates are drawn against the
fixed `REFERENCE_DATE`, not today, for the same reason; only the created/updated
timestamps follow the clock. `seed_demo_registry` writes the rows in one transaction with
PostgreSQL COPY (PERF.md: ~4x bulk_create) or, on SQLite, bulk_create.
"""

import json
import random
import time
from bisect import bisect_right
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Generic, NamedTuple, TypeVar

from django.conf import settings
from django.contrib.auth.models import Group, User
from django.db import connection, models, transaction
from django.utils import timezone

from households.models import (
    Agency,
    ChangeRecord,
    Enrolment,
    Household,
    Member,
    Program,
    Region,
    UserProfile,
)
from households.nik import nik_discrepancies
from households.reference import load_reference_data, load_regions
from households.roles import Role
from households.services import build_search_text
from slrt.db import is_postgresql

T = TypeVar("T")
Row = tuple[Any, ...]

REFERENCE_DATE = date(2026, 1, 1)
CHUNK_HOUSEHOLDS = 10_000
NIK_MISMATCH_SHARE = 0.01  # members whose NIK disagrees with their record (warning demos)
MARGAHAYU = "32.75.01.1002"
REGISTRY_MODELS = (Household, Member, Enrolment)

HOUSEHOLD_COLUMNS = (
    "id", "created_at", "updated_at", "kk_number", "kelurahan_id", "address", "rt", "rw",
    "house_ownership", "floor_area", "floor_material", "wall_material", "roof_material",
    "water_source", "sanitation", "cooking_fuel", "lighting", "electricity_va", "car_count",
    "motorcycle_count", "has_refrigerator", "has_air_conditioner", "has_gold",
    "owns_other_house", "land_area", "monthly_income", "monthly_expenditure", "welfare_decile",
    "verification_status", "source", "consent", "head_name", "member_count", "search_text",
    "version",
)  # fmt: skip
MEMBER_COLUMNS = (
    "id", "created_at", "updated_at", "household_id", "nik", "name", "sex", "birth_place",
    "birth_date", "relationship", "marital_status", "education", "occupation", "disability",
    "chronic_illness", "is_pregnant", "schooling", "health_insurance", "is_deceased",
    "nik_warnings",
)  # fmt: skip
# Positions in a member row, read back for the household's summary and its enrolments.
M_ID, M_NIK, M_NAME, M_DISABILITY, M_PREGNANT, M_SCHOOLING, M_INSURANCE, M_DECEASED = (
    MEMBER_COLUMNS.index(name)
    for name in (
        "id", "nik", "name", "disability", "is_pregnant", "schooling", "health_insurance",
        "is_deceased",
    )
)  # fmt: skip
ENROLMENT_COLUMNS = (
    "id", "created_at", "updated_at", "program_id", "household_id", "member_id", "status",
    "start_date", "end_date",
)  # fmt: skip

# Common Indonesian names (Javanese, Sundanese, Betawi and Muslim given names); marga for the
# minority of Batak, Minahasa and Maluku families whose children carry the family name.
MALE_GIVEN = (
    "Ahmad", "Muhammad", "Budi", "Agus", "Andi", "Dedi", "Eko", "Hendra", "Irwan", "Joko", "Rudi",
    "Slamet", "Wahyu", "Yusuf", "Rizki", "Fajar", "Dimas", "Arif", "Bambang", "Heru", "Iwan",
    "Teguh", "Asep", "Ujang", "Dadang", "Cecep", "Ade", "Rahmat", "Hadi", "Imam", "Syaiful",
    "Taufik", "Hasan", "Ridwan", "Firman", "Gilang", "Reza", "Aditya", "Bayu", "Rizal", "Ilham",
    "Fikri", "Aldi", "Farhan", "Haris", "Yoga", "Doni", "Rian", "Surya", "Yanto", "Sugeng", "Adi",
    "Anton", "Indra", "Jajang", "Ferry", "Lukman", "Sandi", "Wawan", "Yudi", "Hamdan", "Nanang",
    "Dodi", "Ikhsan", "Rafi", "Daffa", "Alif", "Bagus", "Dwi", "Tri", "Sutrisno", "Suparman",
    "Sukardi",
)  # fmt: skip
FEMALE_GIVEN = (
    "Siti", "Sri", "Dewi", "Nur", "Rina", "Yuni", "Ani", "Ratna", "Fitri", "Ayu", "Dian", "Eka",
    "Indah", "Lina", "Maya", "Nining", "Nurul", "Putri", "Rini", "Rika", "Sari", "Tuti", "Umi",
    "Wulan", "Yanti", "Aisyah", "Fatimah", "Nabila", "Salsabila", "Zahra", "Aulia", "Dinda",
    "Intan", "Mega", "Novi", "Rahma", "Susi", "Tini", "Enok", "Euis", "Neng", "Imas", "Cucu",
    "Iis", "Lilis", "Yayah", "Endang", "Suharti", "Rohimah", "Khadijah", "Annisa", "Nadia",
    "Citra", "Tika", "Winda", "Desi", "Eli", "Yati", "Suryani", "Kartini",
)  # fmt: skip
MALE_SECOND = (
    "Santoso", "Saputra", "Hidayat", "Setiawan", "Pratama", "Wijaya", "Kurniawan", "Nugroho",
    "Hermawan", "Susanto", "Gunawan", "Permana", "Ramadhan", "Firmansyah", "Maulana", "Hakim",
    "Prasetyo", "Wibowo", "Purnomo", "Suryadi", "Rahman", "Fauzi", "Kusuma", "Setiadi",
    "Sudrajat", "Supriyadi", "Mulyadi", "Syahputra", "Hidayatullah", "Nurdin",
)  # fmt: skip
FEMALE_SECOND = (
    "Lestari", "Wulandari", "Rahmawati", "Handayani", "Safitri", "Sari", "Puspita", "Permata",
    "Kusumawati", "Anggraini", "Susanti", "Oktaviani", "Utami", "Rahayu", "Purwanti", "Fitriani",
    "Maharani", "Nuraini", "Yuliani", "Marlina", "Hasanah", "Kurniasih", "Setiawati", "Pratiwi",
    "Amalia", "Ningsih", "Agustina", "Novitasari", "Ramadhani", "Aminah",
)  # fmt: skip
MARGA = (
    "Siregar", "Nasution", "Lubis", "Harahap", "Simanjuntak", "Sitorus", "Pardede", "Hutapea",
    "Manurung", "Sinaga", "Tambunan", "Situmorang", "Panjaitan", "Simatupang", "Sembiring",
    "Ginting", "Tarigan", "Wenas", "Pangemanan", "Pattiasina", "Latuconsina", "Tanjung",
)  # fmt: skip
# Some names are far more common than the rest: a search for "siti" should find many.
MALE_GIVEN += ("Muhammad",) * 7 + ("Ahmad",) * 3 + ("Agus",) * 2 + ("Budi",) * 2
FEMALE_GIVEN += ("Siti",) * 7 + ("Sri",) * 3 + ("Nur",) * 3 + ("Dewi",) * 2
STREETS = (
    "Jl. Melati", "Jl. Mawar", "Jl. Kenanga", "Jl. Anggrek", "Jl. Flamboyan", "Jl. Cempaka",
    "Jl. Dahlia", "Jl. Kamboja", "Jl. Teratai", "Jl. Nusa Indah", "Jl. Pahlawan", "Jl. Merdeka",
    "Jl. Swadaya", "Jl. Masjid", "Jl. Raya", "Jl. Pendidikan", "Jl. Kartini", "Jl. Diponegoro",
    "Jl. Sudirman", "Jl. Cendrawasih",
)  # fmt: skip
ALLEYS = (
    "Gg. Masjid", "Gg. H. Naman", "Gg. Mushola", "Gg. Kelapa", "Gg. Damai", "Gg. Rukun",
    "Gg. Sawo", "Gg. Jambu", "Gg. Manggis", "Gg. Rambutan", "Gg. Haji Dul", "Gg. Kebon",
)  # fmt: skip


class _Weighted(Generic[T]):
    """Draws from fixed weights with one random() and a bisect: several times faster than
    random.choices(), which matters at a million members."""

    __slots__ = ("bounds", "values")

    def __init__(self, weights: dict[T, float]) -> None:
        total = sum(weights.values())
        running, bounds = 0.0, []
        for weight in weights.values():
            running += weight
            bounds.append(running / total)
        bounds[-1] = 1.0  # random() < 1.0: rounding can never run past the last value
        self.values, self.bounds = list(weights), bounds

    def draw(self, rng: random.Random) -> T:
        return self.values[bisect_right(self.bounds, rng.random())]


def _tiers(
    poor: dict[T, float], middle: dict[T, float], upper: dict[T, float]
) -> tuple[_Weighted[T], _Weighted[T], _Weighted[T]]:
    """One table per welfare tier: deciles 1-3, 4-6 (or unknown), 7-10."""
    return (_Weighted(poor), _Weighted(middle), _Weighted(upper))


SIZE = _Weighted({1: 10, 2: 18, 3: 23, 4: 23, 5: 14, 6: 8, 7: 4})  # mean ~3.5
DECILE = _Weighted({1: 14, 2: 13, 3: 12, 4: 11, 5: 10, 6: 9, 7: 8, 8: 7, 9: 5, 10: 4, None: 7})
# Median monthly income per capita by decile (Rp); the 2022 poverty line was 731,392.
INCOME_PER_CAPITA = {None: 1_300_000, 1: 420_000, 2: 600_000, 3: 760_000, 4: 920_000}
INCOME_PER_CAPITA |= {5: 1_100_000, 6: 1_350_000, 7: 1_650_000, 8: 2_050_000}
INCOME_PER_CAPITA |= {9: 2_700_000, 10: 4_000_000}
CAR_SHARE = {None: 0.04, 1: 0.005, 2: 0.005, 3: 0.005, 4: 0.025, 5: 0.025, 6: 0.025}
CAR_SHARE |= {7: 0.07, 8: 0.07, 9: 0.14, 10: 0.14}
# Enrolment probability by decile; the small shares of rich households are the inclusion
# errors that eligibility rules are meant to find.
PKH_SHARE = {None: 0.03, 1: 0.6, 2: 0.55, 3: 0.35, 4: 0.15, 5: 0.04, 6: 0.04}
PKH_SHARE |= {7: 0.012, 8: 0.012, 9: 0.012, 10: 0.012}
BPNT_SHARE = {None: 0.03, 1: 0.65, 2: 0.6, 3: 0.45, 4: 0.25, 5: 0.06, 6: 0.06}
BPNT_SHARE |= {7: 0.015, 8: 0.015, 9: 0.015, 10: 0.015}
KIP_SHARE = (0.55, 0.1, 0.01)  # by tier, for children in school

OWNERSHIP = _tiers(
    {"own": 55, "rent": 25, "rent_free": 12, "shared": 6, "other": 2},
    {"own": 65, "rent": 25, "rent_free": 5, "official": 2, "shared": 3},
    {"own": 80, "rent": 15, "official": 3, "rent_free": 2},
)
FLOOR = _tiers(
    {"cement": 45, "ceramic": 30, "tile": 12, "wood_low": 5, "earth": 5, "bamboo": 3},
    {"ceramic": 65, "tile": 15, "cement": 17, "parquet": 3},
    {"ceramic": 70, "marble": 12, "parquet": 8, "tile": 8, "wood_high": 2},
)
WALL = _tiers(
    {"masonry": 70, "plastered_bamboo": 10, "wood": 12, "woven_bamboo": 6, "bamboo": 2},
    {"masonry": 95, "wood": 4, "plastered_bamboo": 1},
    {"masonry": 100},
)
ROOF = _tiers(
    {"zinc": 35, "asbestos": 30, "tile": 30, "wood": 3, "other": 2},
    {"tile": 55, "zinc": 15, "asbestos": 15, "concrete": 15},
    {"tile": 55, "concrete": 40, "zinc": 5},
)
WATER = _tiers(
    {"refill": 45, "borehole": 25, "protected_well": 12, "piped": 12, "unprotected_well": 6},
    {"refill": 40, "piped": 25, "borehole": 25, "bottled": 8, "protected_well": 2},
    {"bottled": 35, "refill": 25, "piped": 30, "borehole": 10},
)
SANITATION = _tiers(
    {"private": 70, "shared": 22, "public": 6, "none": 2},
    {"private": 92, "shared": 8},
    {"private": 100},
)
COOKING = _tiers(
    {"lpg_3kg": 90, "kerosene": 3, "firewood": 2, "charcoal": 1, "no_cooking": 4},
    {"lpg_3kg": 85, "lpg_large": 10, "electricity": 2, "no_cooking": 3},
    {"lpg_large": 50, "lpg_3kg": 30, "electricity": 12, "city_gas": 5, "no_cooking": 3},
)
VA = _tiers(
    {450: 40, 900: 45, 1300: 10, 2200: 2, 0: 3},
    {900: 45, 1300: 40, 2200: 12, 450: 3},
    {1300: 30, 2200: 40, 3500: 15, 4400: 8, 5500: 5, 7700: 1.5, 11000: 0.5},
)
MOTORCYCLES = _tiers(
    {0: 35, 1: 50, 2: 13, 3: 2}, {0: 15, 1: 45, 2: 32, 3: 8}, {0: 15, 1: 35, 2: 35, 3: 15}
)
ASSET_SHARES = {  # refrigerator, air conditioner, gold, other house
    0: (0.45, 0.03, 0.05, 0.01),
    1: (0.8, 0.2, 0.2, 0.05),
    2: (0.97, 0.65, 0.45, 0.2),
}
INSURANCE = _tiers(
    {"pbi_jkn": 62, "none": 20, "jkn_self": 15, "jkn_employer": 3},
    {"jkn_employer": 35, "jkn_self": 30, "pbi_jkn": 20, "none": 15},
    {"jkn_employer": 55, "jkn_self": 30, "other": 10, "none": 5},
)
EDUCATION = _tiers(
    {"none": 6, "sd": 30, "smp": 28, "sma": 32, "diploma": 2, "bachelor": 2},
    {"sd": 12, "smp": 18, "sma": 50, "diploma": 8, "bachelor": 11, "postgraduate": 1},
    {"sd": 3, "smp": 7, "sma": 40, "diploma": 12, "bachelor": 33, "postgraduate": 5},
)
JOB = _tiers(
    {"labourer": 30, "informal": 25, "driver": 15, "self_employed": 18, "farmer": 1,
     "private_employee": 10, "none": 2},
    {"private_employee": 40, "self_employed": 25, "driver": 10, "labourer": 12, "informal": 8,
     "state_enterprise": 3, "none": 2},
    {"private_employee": 50, "self_employed": 25, "state_enterprise": 8, "other": 5,
     "driver": 5, "none": 2},
)  # fmt: skip
CIVIL_SERVICE = _Weighted({"asn": 70, "tni": 15, "polri": 15})
ELDERLY_JOB = _Weighted({"none": 45, "retired": 25, "self_employed": 15, "informal": 15})
DISABILITY = _Weighted(
    {"physical": 35, "visual": 20, "hearing": 15, "intellectual": 12, "mental": 10, "multiple": 8}
)
ILLNESS = _Weighted(
    {"hypertension": 45, "diabetes": 20, "heart": 10, "stroke": 5, "asthma": 8,
     "tuberculosis": 4, "kidney": 3, "cancer": 2, "other": 3}
)  # fmt: skip
BIRTH_PLACE = _Weighted(
    {"Bekasi": 30, "Jakarta": 15, "Bandung": 6, "Bogor": 5, "Karawang": 5, "Cirebon": 4,
     "Tegal": 4, "Brebes": 4, "Garut": 4, "Tasikmalaya": 3, "Kuningan": 3, "Indramayu": 3,
     "Purwokerto": 3, "Semarang": 3, "Surabaya": 2, "Surakarta": 2, "Yogyakarta": 2,
     "Medan": 3, "Padang": 2, "Palembang": 2, "Bandar Lampung": 2, "Makassar": 1, "Manado": 1}
)  # fmt: skip
VERIFICATION = _Weighted({"verified": 85, "unverified": 10, "needs_update": 5})
ENROLMENT_STATUS = _Weighted({"active": 90, "suspended": 5, "ended": 5})

# Tables indexed by days before REFERENCE_DATE, so no row formats a date itself.
MAX_OFFSET = 110 * 366
DATES = [date.fromordinal(REFERENCE_DATE.toordinal() - n) for n in range(MAX_OFFSET + 1)]
DDMMYY = [f"{d.day:02d}{d.month:02d}{d.year % 100:02d}" for d in DATES]
DDMMYY_WOMAN = [f"{d.day + 40:02d}{d.month:02d}{d.year % 100:02d}" for d in DATES]
SERIALS = [f"{n:04d}" for n in range(10_000)]
THREE_DIGITS = [f"{n:03d}" for n in range(1000)]


@dataclass(frozen=True)
class KelurahanRef:
    id: int
    code: str  # "32.75.01.1002"

    @property
    def region_digits(self) -> str:
        """NIK and KK prefix: the kecamatan's 6 digits, "327501"."""
        return self.code.replace(".", "")[:6]


@dataclass(frozen=True)
class ProgramIds:
    pkh: int
    bpnt: int
    pbi_jk: int
    kip: int


@dataclass(frozen=True)
class FirstIds:
    household: int = 1
    member: int = 1
    enrolment: int = 1


@dataclass
class Chunk:
    households: list[Row] = field(default_factory=list)
    members: list[Row] = field(default_factory=list)
    enrolments: list[Row] = field(default_factory=list)


class _Person(NamedTuple):
    relationship: str
    sex: str
    age: int


class _Household(NamedTuple):  # what a member's values depend on
    region: str  # NIK prefix
    tier: int
    has_spouse: bool
    civil_servant: bool  # the head works for the state (ASN/TNI/Polri)


class _SearchHousehold(NamedTuple):  # the attributes build_search_text reads
    kk_number: str
    address: str


class _SearchMember(NamedTuple):
    name: str
    nik: str


def _tier(decile: int | None) -> int:
    if decile is None:
        return 1
    return 0 if decile <= 3 else 1 if decile <= 6 else 2


class DemoGenerator:
    """Rows for `count` households, in chunks. All randomness comes from one Random(seed)
    consumed in household order, so chunking never changes the values."""

    def __init__(
        self,
        *,
        seed: int,
        kelurahan: Sequence[KelurahanRef],
        programs: ProgramIds,
        now: datetime,
        first_ids: FirstIds | None = None,
    ) -> None:
        first_ids = first_ids or FirstIds()
        self.rng = random.Random(seed)
        self.kelurahan = sorted(kelurahan, key=lambda k: k.code)
        self.programs, self.now = programs, now
        self.next_household, self.next_member = first_ids.household, first_ids.member
        self.next_enrolment = first_ids.enrolment
        # SIAK increments the serial when the first 12 digits collide; so do we, which keeps
        # every NIK and KK number unique however the dates fall.
        self.nik_serials: dict[str, int] = {}
        self.kk_serials: dict[str, int] = {}
        self.kelurahan_weights = _Weighted({k: self.rng.uniform(0.5, 2.0) for k in self.kelurahan})
        self.rw_count = {k.code: self.rng.randint(8, 24) for k in self.kelurahan}
        self.generated = 0

    def chunks(self, count: int, chunk_size: int = CHUNK_HOUSEHOLDS) -> Iterator[Chunk]:
        while count > 0:
            chunk = Chunk()
            for _ in range(min(chunk_size, count)):
                self._household(chunk)
            count -= len(chunk.households)
            yield chunk

    # --- households ---------------------------------------------------------------------

    def _household(self, chunk: Chunk) -> None:
        rng, r = self.rng, self.rng.random
        household_id = self.next_household
        self.next_household += 1
        # The first households visit every kelurahan once, so any N >= 56 covers the city.
        if self.generated < len(self.kelurahan):
            kelurahan = self.kelurahan[self.generated]
        else:
            kelurahan = self.kelurahan_weights.draw(rng)
        self.generated += 1
        decile = DECILE.draw(rng)
        tier = _tier(decile)
        civil_servant = r() < (0.007 if tier == 0 else 0.035)
        updated = self.now - timedelta(seconds=rng.randrange(400 * 86400))
        created = updated - timedelta(seconds=rng.randrange(700 * 86400))
        stamps = (created, updated)

        people = self._family(tier)
        region = kelurahan.region_digits
        members = self._members(chunk, household_id, people, region, tier, civil_servant, stamps)
        head_age = people[0].age
        kk = self._kk_number(region, head_age)
        street = ALLEYS if r() < (0.5, 0.3, 0.1)[tier] else STREETS
        address = f"{street[rng.randrange(len(street))]} No. {rng.randint(1, 150)}"
        alive = sum(1 for m in members if not m[M_DECEASED])
        cars = (1 if r() < 0.8 else 2) if r() < CAR_SHARE[decile] else 0
        text = build_search_text(
            _SearchHousehold(kk, address),  # type: ignore[arg-type]
            [_SearchMember(m[M_NAME], m[M_NIK]) for m in members],  # type: ignore[misc]
        )
        chunk.households.append(
            (household_id, created, updated, kk, kelurahan.id, address)
            + self._rt_rw(kelurahan)
            + self._housing(tier)
            + (cars,)
            + self._assets(tier)
            + self._income(decile, alive)
            + (decile, VERIFICATION.draw(rng), "demo", r() < 0.97, members[0][M_NAME], alive)
            + (text, 1)
        )
        self._household_enrolments(chunk, household_id, decile, cars, members, people, stamps)

    def _rt_rw(self, kelurahan: KelurahanRef) -> tuple[str, str]:
        rt = self.rng.randint(1, 12)
        return THREE_DIGITS[rt], THREE_DIGITS[self.rng.randint(1, self.rw_count[kelurahan.code])]

    def _kk_number(self, region: str, head_age: int) -> str:
        # The card was last (re)issued after the head turned 17, mostly in recent years.
        years = max(1, min(head_age - 17, 25))
        key = region + DDMMYY[self.rng.randrange(years * 365)]
        return key + self._next_serial(self.kk_serials, key)

    def _housing(self, tier: int) -> Row:
        rng = self.rng
        area = rng.randint(*((18, 45), (30, 90), (54, 220))[tier])
        va = VA[tier].draw(rng)
        if va == 0:
            lighting = "non_pln" if rng.random() < 0.5 else "none"
        else:
            lighting = "pln_unmetered" if rng.random() < (0.06, 0.01, 0.0)[tier] else "pln_metered"
        ownership = OWNERSHIP[tier].draw(rng)
        return (
            ownership,
            area,
            FLOOR[tier].draw(rng),
            WALL[tier].draw(rng),
            ROOF[tier].draw(rng),
            WATER[tier].draw(rng),
            SANITATION[tier].draw(rng),
            COOKING[tier].draw(rng),
            lighting,
            va,
        )

    def _assets(self, tier: int) -> Row:
        r = self.rng.random
        fridge, ac, gold, other_house = ASSET_SHARES[tier]
        land = self.rng.randint(20, 120 * (tier + 1)) if r() < (0.4, 0.5, 0.6)[tier] else None
        motorcycles = MOTORCYCLES[tier].draw(self.rng)
        return (motorcycles, r() < fridge, r() < ac, r() < gold, r() < other_house, land)

    def _income(self, decile: int | None, alive: int) -> tuple[int | None, int | None]:
        if self.rng.random() < 0.03:  # not surveyed yet
            return None, None
        noise = self.rng.lognormvariate(0, 0.25)
        income = round(INCOME_PER_CAPITA[decile] * max(alive, 1) * noise, -4)
        spent = round(income * self.rng.uniform(0.75, 1.05), -4)
        return int(income), int(spent)

    # --- members ------------------------------------------------------------------------

    def _family(self, tier: int) -> list[_Person]:
        rng, r = self.rng, self.rng.random
        size = SIZE.draw(rng)
        head_sex = "female" if r() < (0.4 if size == 1 else 0.12) else "male"
        head_age = 20 + int(65 * r()) if size == 1 else int(rng.triangular(24, 80, 42))
        people = [_Person("head", head_sex, head_age)]
        mother_age = head_age
        if size > 1 and head_sex == "male" and r() < 0.9:
            mother_age = max(18, head_age - rng.randint(0, 8))
            people.append(_Person("spouse", "female", mother_age))
        parents = 0
        while len(people) < size:
            person = self._relative(head_age, mother_age, parents, tier)
            parents += person.relationship == "parent"
            people.append(person)
        return people

    def _relative(self, head_age: int, mother_age: int, parents: int, tier: int) -> _Person:
        rng = self.rng
        roll, sex = rng.random(), "female" if rng.random() < 0.5 else "male"
        if head_age >= 55 and roll < 0.3:
            return _Person("grandchild", sex, rng.randint(0, min(18, head_age - 38)))
        if head_age <= 50 and parents < 2 and roll < 0.08:
            return _Person("parent", sex, min(95, head_age + rng.randint(20, 32)))
        if head_age >= 48 and roll < 0.1:
            return _Person("child_in_law", sex, rng.randint(20, head_age - 22))
        if roll < 0.115:
            return _Person("other", sex, rng.randint(5, 70))
        if tier == 2 and roll < 0.13:
            return _Person("household_staff", "female", rng.randint(18, 55))
        return _Person("child", sex, rng.randint(0, max(0, min(mother_age - 18, 40))))

    def _members(
        self,
        chunk: Chunk,
        household_id: int,
        people: list[_Person],
        region: str,
        tier: int,
        civil_servant: bool,
        stamps: tuple[datetime, datetime],
    ) -> list[Row]:
        rng = self.rng
        insurance = "jkn_employer" if civil_servant else INSURANCE[tier].draw(rng)
        marga = MARGA[rng.randrange(len(MARGA))] if rng.random() < 0.1 else None
        household = _Household(
            region=region,
            tier=tier,
            has_spouse=any(p.relationship == "spouse" for p in people),
            civil_servant=civil_servant,
        )
        rows = []
        for person in people:
            own_insurance = insurance if rng.random() < 0.9 else INSURANCE[tier].draw(rng)
            family_name = marga if person.relationship in ("head", "child", "grandchild") else None
            row = self._member(person, household, own_insurance, family_name)
            rows.append((self.next_member, *stamps, household_id) + row)
            self.next_member += 1
        chunk.members.extend(rows)
        return rows

    def _member(
        self, person: _Person, household: _Household, insurance: str, family_name: str | None
    ) -> Row:
        """MEMBER_COLUMNS from nik on: the columns that describe the person."""
        rng, r, tier = self.rng, self.rng.random, household.tier
        relationship, sex, age = person
        offset = int(age * 365.2425) + rng.randrange(365)
        nik, warnings = self._nik(household.region, offset, sex)
        schooling = self._schooling(age, tier)
        education = self._education(age, tier, schooling)
        if household.civil_servant and relationship == "head" and 22 <= age <= 58:
            occupation = CIVIL_SERVICE.draw(rng)
        else:
            occupation = self._occupation(person, tier, schooling)
        elderly = age >= 60
        disability = DISABILITY.draw(rng) if r() < (0.06 if elderly else 0.015) else "none"
        illness_share = 0.35 if elderly else 0.15 if age >= 40 else 0.02
        illness = ILLNESS.draw(rng) if r() < illness_share else "none"
        married = self._marital_status(person, household.has_spouse)
        pregnant = sex == "female" and married == "married" and 18 <= age <= 42 and r() < 0.05
        deceased = relationship != "head" and r() < (0.05 if elderly else 0.003)
        place = "Bekasi" if age < 30 and r() < 0.75 else BIRTH_PLACE.draw(rng)
        return (
            nik,
            self._name(sex, family_name),
            sex,
            place,
            DATES[offset],
            relationship,
            married,
            education,
            occupation,
            disability,
            illness,
            pregnant,
            schooling,
            insurance,
            deceased,
            warnings,
        )

    def _nik(self, region: str, offset: int, sex: str) -> tuple[str, list[str]]:
        """A NIK that agrees with the record, except for a small share that disagrees the
        way real ones do: a corrected birth date, or a sex recorded the other way."""
        nik_offset, nik_sex = offset, sex
        mismatch = self.rng.random() < NIK_MISMATCH_SHARE
        if mismatch:
            kind = self.rng.random()
            if kind < 0.5 or kind >= 0.9:
                nik_sex = "female" if sex == "male" else "male"
            if kind >= 0.5:
                shift = self.rng.choice((-1, 1)) * self.rng.choice((1, 2, 10, 31, 365, 730))
                nik_offset = min(max(offset + shift, 0), MAX_OFFSET)
        key = region + (DDMMYY_WOMAN if nik_sex == "female" else DDMMYY)[nik_offset]
        nik = key + self._next_serial(self.nik_serials, key)
        if not mismatch:
            return nik, []
        found = nik_discrepancies(nik=nik, sex=sex, birth_date=DATES[offset], today=REFERENCE_DATE)
        return nik, [d.code for d in found]

    @staticmethod
    def _next_serial(serials: dict[str, int], key: str) -> str:
        serial = serials.get(key, 0) + 1
        if serial > 9998:  # 9999 reads as a placeholder (DOMAIN.md section 3)
            raise RuntimeError(f"Serial numbers exhausted for {key}")
        serials[key] = serial
        return SERIALS[serial]

    def _name(self, sex: str, family_name: str | None) -> str:
        rng, r = self.rng, self.rng.random
        given, second = (
            (MALE_GIVEN, MALE_SECOND) if sex == "male" else (FEMALE_GIVEN, FEMALE_SECOND)
        )
        first = given[rng.randrange(len(given))]
        if family_name:
            return f"{first} {family_name}"
        roll = r()
        if roll < 0.22:  # one-word names are common in Java
            return first
        last = second[rng.randrange(len(second))]
        if roll < 0.3:
            middle = given[rng.randrange(len(given))]
            if middle != first:
                return f"{first} {middle} {last}"
        return f"{first} {last}"

    def _schooling(self, age: int, tier: int) -> str:
        r = self.rng.random
        if age < 5:
            return ""
        if age < 7:
            return "attending" if r() < 0.5 else "never"
        if age < 16:
            return "attending" if r() < (0.93, 0.97, 0.99)[tier] else "left"
        if age < 19:
            return "attending" if r() < (0.75, 0.88, 0.95)[tier] else "left"
        if age < 24:
            return "attending" if r() < (0.05, 0.2, 0.4)[tier] else "left"
        return "never" if age >= 60 and r() < 0.05 else "left"

    def _education(self, age: int, tier: int, schooling: str) -> str:
        """Highest level attended or being attended, as DTKS records it."""
        if schooling == "never" or age < 7:
            return "none"
        if age < 13:
            return "sd"
        if age < 16:
            return "smp"
        if age < 19:
            return "sma"
        if schooling == "attending":
            return "bachelor"
        return EDUCATION[0 if age >= 60 else tier].draw(self.rng)

    def _occupation(self, person: _Person, tier: int, schooling: str) -> str:
        r = self.rng.random
        relationship, sex, age = person
        if schooling == "attending":
            return "school"
        if age < 15:
            return "none"
        if age >= 60:
            return ELDERLY_JOB.draw(self.rng)
        if relationship == "household_staff":
            return "other"
        if sex == "female" and relationship != "head" and r() < 0.55:
            return "housekeeping"
        return JOB[tier].draw(self.rng)

    def _marital_status(self, person: _Person, has_spouse: bool) -> str:
        r = self.rng.random
        relationship, _sex, age = person
        if relationship in ("spouse", "child_in_law") or (relationship == "head" and has_spouse):
            return "married"
        if relationship == "head":
            if age < 30 and r() < 0.7:
                return "single"
            return "widowed" if r() < 0.6 else "divorced"
        if relationship == "parent":
            return "widowed" if r() < 0.7 else "married"
        if age >= 25 and r() < 0.05:
            return "divorced"
        return "single" if age < 25 or r() < 0.8 else "married"

    # --- enrolments ---------------------------------------------------------------------

    def _household_enrolments(
        self,
        chunk: Chunk,
        household_id: int,
        decile: int | None,
        cars: int,
        members: list[Row],
        people: list[_Person],
        stamps: tuple[datetime, datetime],
    ) -> None:
        r = self.rng.random
        tier = _tier(decile)
        # PKH needs a component: a pregnancy, a young or school child, an elder, a disability.
        component = any(
            p.age < 6
            or p.age >= 60
            or m[M_PREGNANT]
            or m[M_SCHOOLING] == "attending"
            or m[M_DISABILITY] != "none"
            for p, m in zip(people, members, strict=True)
        )
        extra = 0.04 if cars else 0.0
        if component and r() < PKH_SHARE[decile] + extra:
            self._enrol(chunk, self.programs.pkh, household_id, None, stamps)
        if r() < BPNT_SHARE[decile] + extra:
            self._enrol(chunk, self.programs.bpnt, household_id, None, stamps)
        for person, member in zip(people, members, strict=True):
            if member[M_DECEASED]:
                continue
            if member[M_INSURANCE] == "pbi_jkn" and r() < 0.85:
                self._enrol(chunk, self.programs.pbi_jk, household_id, member[M_ID], stamps)
            school_child = 6 <= person.age <= 21 and member[M_SCHOOLING] == "attending"
            if school_child and r() < KIP_SHARE[tier]:
                self._enrol(chunk, self.programs.kip, household_id, member[M_ID], stamps)

    def _enrol(
        self,
        chunk: Chunk,
        program_id: int,
        household_id: int,
        member_id: int | None,
        stamps: tuple[datetime, datetime],
    ) -> None:
        rng = self.rng
        start = rng.randint(30, 10 * 365)
        status = ENROLMENT_STATUS.draw(rng)
        end = DATES[max(0, start - rng.randint(180, 4 * 365))] if status == "ended" else None
        chunk.enrolments.append(
            (self.next_enrolment, *stamps, program_id, household_id, member_id, status)
            + (DATES[start], end)
        )
        self.next_enrolment += 1


# --- loading -----------------------------------------------------------------------------


@dataclass(frozen=True)
class SeedResult:
    households: int
    members: int
    enrolments: int
    users: int
    seconds: float


def seed_demo_registry(
    *,
    households: int,
    seed: int,
    replace: bool = False,
    progress: Callable[[str], None] = lambda message: None,
) -> SeedResult:
    """Load reference data, `households` synthetic households and the demo users in one
    transaction. The caller decided the registry may receive them (seed_demo's checks);
    with `replace`, earlier demo rows (source "demo") are deleted first."""
    started = time.monotonic()
    with transaction.atomic():
        load_regions()
        load_reference_data()
        _prepare_session()
        if replace:
            progress(f"Deleted {delete_demo_rows()} earlier demo households.")
        generator = DemoGenerator(
            seed=seed,
            kelurahan=[
                KelurahanRef(id=pk, code=code)
                for pk, code in Region.objects.filter(level=Region.Level.KELURAHAN).values_list(
                    "pk", "code"
                )
            ],
            programs=_program_ids(),
            now=timezone.now(),
            first_ids=FirstIds(_next_id(Household), _next_id(Member), _next_id(Enrolment)),
        )
        loaded_households = loaded_members = loaded_enrolments = 0
        for chunk in _prefetched(generator.chunks(households)):
            _write_chunk(chunk)
            loaded_households += len(chunk.households)
            loaded_members += len(chunk.members)
            loaded_enrolments += len(chunk.enrolments)
            progress(
                f"{loaded_households:,} / {households:,} households, {loaded_members:,} "
                f"members ({time.monotonic() - started:.1f} s)"
            )
        _after_load(loaded_households > 0)
        users = ensure_demo_users()
    return SeedResult(
        households=loaded_households,
        members=loaded_members,
        enrolments=loaded_enrolments,
        users=users,
        seconds=time.monotonic() - started,
    )


def _prefetched(chunks: Iterator[Chunk]) -> Iterator[Chunk]:
    """Generate the next chunk in a thread while this one is written. COPY waits for the
    server with the GIL released, so Python generation and PostgreSQL ingest overlap. The
    generator never touches the database connection, which stays in this thread."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        pending = pool.submit(next, chunks, None)
        while (chunk := pending.result()) is not None:
            pending = pool.submit(next, chunks, None)
            yield chunk


def _program_ids() -> ProgramIds:
    ids = dict(
        Program.objects.filter(code__in=["pkh", "bpnt", "pbi-jk", "kip"]).values_list("code", "pk")
    )
    return ProgramIds(pkh=ids["pkh"], bpnt=ids["bpnt"], pbi_jk=ids["pbi-jk"], kip=ids["kip"])


def _prepare_session() -> None:
    """Explicit ids are only safe if nobody inserts meanwhile: block writers, not readers,
    until commit (SQLite serialises writers by itself). A larger GIN pending list lets the
    trigram index absorb the COPY in fewer, bigger merges (measured: 7.0 -> 5.3 s for
    100,000 households)."""
    if not is_postgresql():
        return
    tables = ", ".join(_table(m) for m in REGISTRY_MODELS)
    with connection.cursor() as cursor:
        cursor.execute(f"LOCK TABLE {tables} IN SHARE ROW EXCLUSIVE MODE")
        cursor.execute("SET LOCAL gin_pending_list_limit = '64MB'")
        cursor.execute("SET LOCAL work_mem = '64MB'")


def _next_id(model: type[models.Model]) -> int:
    """Above every id the table has had, so ids of deleted rows (named in change records)
    are never reused."""
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT MAX(id) FROM {_table(model)}")
        highest = cursor.fetchone()[0] or 0
        if is_postgresql():
            cursor.execute(
                "SELECT pg_sequence_last_value(pg_get_serial_sequence(%s, 'id'))", [table]
            )
        else:
            cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
        row = cursor.fetchone()
    return max(highest, (row[0] if row else 0) or 0) + 1


def _table(model: type[models.Model]) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _write_chunk(chunk: Chunk) -> None:
    if is_postgresql():
        members = [row[:-1] + (json.dumps(row[-1]),) for row in chunk.members]
        _copy(Household, HOUSEHOLD_COLUMNS, chunk.households)
        _copy(Member, MEMBER_COLUMNS, members)
        _copy(Enrolment, ENROLMENT_COLUMNS, chunk.enrolments)
    else:
        _bulk_create(Household, HOUSEHOLD_COLUMNS, chunk.households)
        _bulk_create(Member, MEMBER_COLUMNS, chunk.members)
        _bulk_create(Enrolment, ENROLMENT_COLUMNS, chunk.enrolments)


def _copy(model: type[models.Model], columns: Sequence[str], rows: list[Row]) -> None:
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    # The raw psycopg cursor: Django's wrapper has no copy(). wrap_database_errors turns a
    # unique violation into django.db.IntegrityError, as on the bulk_create path.
    sql = f"COPY {_table(model)} ({names}) FROM STDIN"
    with (
        connection.cursor() as cursor,
        connection.wrap_database_errors,
        cursor.cursor.copy(sql) as copy,
    ):
        for row in rows:
            copy.write_row(row)


def _bulk_create(model: type[models.Model], columns: Sequence[str], rows: list[Row]) -> None:
    # auto_now fields are stamped by bulk_create itself: on SQLite the timestamps are the
    # load time rather than the generated ones.
    model._default_manager.bulk_create(
        [model(**dict(zip(columns, row, strict=True))) for row in rows], batch_size=2000
    )


def _after_load(loaded: bool) -> None:
    """COPY with explicit ids leaves the sequences behind. Searches would scan whatever is
    left in the GIN pending list until autovacuum merges it, so merge it now; fresh
    statistics let the planner use the new rows at once."""
    if not (loaded and is_postgresql()):
        return
    with connection.cursor() as cursor:
        for model in REGISTRY_MODELS:
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence(%s, 'id'), MAX(id)) FROM {_table(model)}",
                [model._meta.db_table],
            )
        cursor.execute(
            "SELECT gin_clean_pending_list(i.indexrelid) FROM pg_index i "
            "JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am a ON a.oid = c.relam "
            "WHERE a.amname = 'gin' AND i.indrelid = ANY(%s::regclass[])",
            [[m._meta.db_table for m in REGISTRY_MODELS]],
        )
        cursor.execute(f"ANALYZE {', '.join(_table(m) for m in REGISTRY_MODELS)}")


def delete_demo_rows() -> int:
    """Delete demo households with their members, enrolments and change records, in set-wise
    SQL (the ORM collector would load every row). A row elsewhere that still points at them
    (a referral) makes the database refuse, which rolls the whole seed back."""
    demo = f"SELECT id FROM {_table(Household)} WHERE source = %s"
    with connection.cursor() as cursor:
        for model in (ChangeRecord, Enrolment, Member):
            cursor.execute(
                f"DELETE FROM {_table(model)} WHERE household_id IN ({demo})",
                [Household.Source.DEMO],
            )
        cursor.execute(
            f"DELETE FROM {_table(Household)} WHERE source = %s", [Household.Source.DEMO]
        )
        return cursor.rowcount


# --- demo users --------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoUser:
    username: str
    role: str
    first_name: str
    last_name: str
    agency: str | None = None
    kelurahan: tuple[str, ...] = ()
    superuser: bool = False


DEMO_USERS = (
    DemoUser("demo-pendamping", Role.PENDAMPING, "Rina", "Marlina", kelurahan=(MARGAHAYU,)),
    DemoUser("demo-puskesos", Role.OPERATOR_PUSKESOS, "Dedi", "Kurniawan", kelurahan=(MARGAHAYU,)),
    DemoUser("demo-dinkes", Role.PETUGAS_OPD, "Ratna", "Sari", agency="dinkes"),
    DemoUser("demo-verifikator", Role.VERIFIKATOR, "Agus", "Setiawan", agency="dinsos"),
    DemoUser("demo-diskominfo", Role.DATA_STEWARD, "Fajar", "Nugroho", agency="diskominfostandi"),
    DemoUser("demo-bapelitbangda", Role.PERENCANA, "Maya", "Anggraini", agency="bapelitbangda"),
    DemoUser("demo-pimpinan", Role.PIMPINAN, "Hendra", "Wijaya"),
    DemoUser("demo-admin", Role.ADMIN, "Yusuf", "Hidayat", superuser=True),
)


def ensure_demo_users() -> int:
    """Create or reset the demo accounts: role group, agency, kelurahan, DEMO_PASSWORD."""
    for spec in DEMO_USERS:
        user, _created = User.objects.update_or_create(
            username=spec.username,
            defaults={
                "first_name": spec.first_name,
                "last_name": spec.last_name,
                "is_active": True,
                "is_staff": spec.superuser,
                "is_superuser": spec.superuser,
            },
        )
        user.set_password(settings.DEMO_PASSWORD)
        user.save(update_fields=["password"])
        user.groups.set([Group.objects.get(name=spec.role)])
        agency = Agency.objects.get(code=spec.agency) if spec.agency else None
        profile, _created = UserProfile.objects.update_or_create(
            user=user, defaults={"agency": agency}
        )
        profile.kelurahan.set(Region.objects.filter(code__in=spec.kelurahan))
    return len(DEMO_USERS)
