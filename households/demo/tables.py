"""The generator's distributions and lookup tables: weighted draws, shares by decile or
tier, and dates and serials formatted once. No ORM."""

import random
from bisect import bisect_right
from datetime import date
from typing import Generic, TypeVar

T = TypeVar("T")

REFERENCE_DATE = date(2026, 1, 1)  # dates are drawn against this, not today


class Weighted(Generic[T]):
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
) -> tuple[Weighted[T], Weighted[T], Weighted[T]]:
    """One table per welfare tier: deciles 1-3, 4-6 (or unknown), 7-10."""
    return (Weighted(poor), Weighted(middle), Weighted(upper))


SIZE = Weighted({1: 10, 2: 18, 3: 23, 4: 23, 5: 14, 6: 8, 7: 4})  # mean ~3.5
DECILE = Weighted({1: 14, 2: 13, 3: 12, 4: 11, 5: 10, 6: 9, 7: 8, 8: 7, 9: 5, 10: 4, None: 7})
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
CIVIL_SERVICE = Weighted({"asn": 70, "tni": 15, "polri": 15})
ELDERLY_JOB = Weighted({"none": 45, "retired": 25, "self_employed": 15, "informal": 15})
DISABILITY = Weighted(
    {"physical": 35, "visual": 20, "hearing": 15, "intellectual": 12, "mental": 10, "multiple": 8}
)
ILLNESS = Weighted(
    {"hypertension": 45, "diabetes": 20, "heart": 10, "stroke": 5, "asthma": 8,
     "tuberculosis": 4, "kidney": 3, "cancer": 2, "other": 3}
)  # fmt: skip
BIRTH_PLACE = Weighted(
    {"Bekasi": 30, "Jakarta": 15, "Bandung": 6, "Bogor": 5, "Karawang": 5, "Cirebon": 4,
     "Tegal": 4, "Brebes": 4, "Garut": 4, "Tasikmalaya": 3, "Kuningan": 3, "Indramayu": 3,
     "Purwokerto": 3, "Semarang": 3, "Surabaya": 2, "Surakarta": 2, "Yogyakarta": 2,
     "Medan": 3, "Padang": 2, "Palembang": 2, "Bandar Lampung": 2, "Makassar": 1, "Manado": 1}
)  # fmt: skip
VERIFICATION = Weighted({"verified": 85, "unverified": 10, "needs_update": 5})
ENROLMENT_STATUS = Weighted({"active": 90, "suspended": 5, "ended": 5})

# Tables indexed by days before REFERENCE_DATE, so no row formats a date itself.
MAX_OFFSET = 110 * 366
DATES = [date.fromordinal(REFERENCE_DATE.toordinal() - n) for n in range(MAX_OFFSET + 1)]
DDMMYY = [f"{d.day:02d}{d.month:02d}{d.year % 100:02d}" for d in DATES]
DDMMYY_WOMAN = [f"{d.day + 40:02d}{d.month:02d}{d.year % 100:02d}" for d in DATES]
SERIALS = [f"{n:04d}" for n in range(10_000)]
THREE_DIGITS = [f"{n:03d}" for n in range(1000)]
