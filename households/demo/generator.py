"""DemoGenerator: the demo registry's rows from one Random(seed), without the ORM."""

import random
from collections.abc import Iterator, Sequence
from datetime import datetime, timedelta
from typing import NamedTuple

from households.demo.names import (
    ALLEYS,
    FEMALE_GIVEN,
    FEMALE_SECOND,
    MALE_GIVEN,
    MALE_SECOND,
    MARGA,
    STREETS,
)
from households.demo.rows import (
    M_DECEASED,
    M_DISABILITY,
    M_ID,
    M_INSURANCE,
    M_NAME,
    M_NIK,
    M_PREGNANT,
    M_SCHOOLING,
    Chunk,
    FirstIds,
    KelurahanRef,
    ProgramIds,
    Row,
)
from households.demo.tables import (
    ASSET_SHARES,
    BIRTH_PLACE,
    BPNT_SHARE,
    CAR_SHARE,
    CIVIL_SERVICE,
    COOKING,
    DATES,
    DDMMYY,
    DDMMYY_WOMAN,
    DECILE,
    DISABILITY,
    EDUCATION,
    ELDERLY_JOB,
    ENROLMENT_STATUS,
    FLOOR,
    ILLNESS,
    INCOME_PER_CAPITA,
    INSURANCE,
    JOB,
    KIP_SHARE,
    MAX_OFFSET,
    MOTORCYCLES,
    OWNERSHIP,
    PKH_SHARE,
    REFERENCE_DATE,
    ROOF,
    SANITATION,
    SERIALS,
    SIZE,
    THREE_DIGITS,
    VA,
    VERIFICATION,
    WALL,
    WATER,
    Weighted,
)
from households.nik import nik_discrepancies
from households.services import build_search_text

CHUNK_HOUSEHOLDS = 10_000
YEAR = timedelta(days=365)
NIK_MISMATCH_SHARE = 0.01  # members whose NIK disagrees with their record (warning demos)


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
        self.kelurahan_weights = Weighted({k: self.rng.uniform(0.5, 2.0) for k in self.kelurahan})
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
        age = rng.randrange(700 * 86400)
        created = updated - timedelta(seconds=age)
        # A registry started years ago: three in four of the families the draw would have
        # registered within the last year were registered a year earlier (no extra draw, so
        # the people stay the same), and the household count grows slowly (issue 18).
        if created > self.now - YEAR and (age // 86400) % 4:
            created -= YEAR
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
