"""The rows the generator yields and the loader writes: columns, positions, records."""

from dataclasses import dataclass, field
from typing import Any

Row = tuple[Any, ...]

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
