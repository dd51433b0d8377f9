"""The demo registry: a deterministic, valid, plausible city, and seed_demo's guards."""

import csv
from collections import Counter
from datetime import UTC, datetime
from io import StringIO
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command

from households.demo import (
    DEMO_USERS,
    ENROLMENT_COLUMNS,
    HOUSEHOLD_COLUMNS,
    MEMBER_COLUMNS,
    REFERENCE_DATE,
    DemoGenerator,
    KelurahanRef,
    ProgramIds,
)
from households.models import Agency, Household, Member, Region
from households.nik import nik_discrepancies, parse_kk_registration_date, parse_nik
from households.reference import REGIONS_CSV
from households.scope import scope_for
from households.services import build_search_text

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 1, 1, 8, 0, tzinfo=UTC)
PROGRAMS = ProgramIds(pkh=1, bpnt=2, pbi_jk=3, kip=4)
SEEDED = 60


@pytest.fixture
def debug(settings):
    settings.DEBUG = True  # pytest-django runs with DEBUG off; seed_demo refuses that


@pytest.fixture
def seeded(debug) -> str:
    return _seed(households=SEEDED, seed=7)


def _seed(**options: Any) -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out, **options)
    return out.getvalue()


def _kelurahan() -> list[KelurahanRef]:
    with REGIONS_CSV.open(encoding="utf-8-sig") as handle:
        rows = [row for row in csv.DictReader(handle) if row["level"] == "kelurahan"]
    return [KelurahanRef(id=number, code=row["code"]) for number, row in enumerate(rows, 1)]


def _generate(count: int, *, seed: int = 7, chunk_size: int = 250) -> dict[str, list[dict]]:
    generator = DemoGenerator(seed=seed, kelurahan=_kelurahan(), programs=PROGRAMS, now=NOW)
    rows: dict[str, list[dict]] = {"households": [], "members": [], "enrolments": []}
    for chunk in generator.chunks(count, chunk_size=chunk_size):
        rows["households"] += [
            dict(zip(HOUSEHOLD_COLUMNS, r, strict=True)) for r in chunk.households
        ]
        rows["members"] += [dict(zip(MEMBER_COLUMNS, r, strict=True)) for r in chunk.members]
        rows["enrolments"] += [
            dict(zip(ENROLMENT_COLUMNS, r, strict=True)) for r in chunk.enrolments
        ]
    return rows


@pytest.fixture(scope="module")
def city() -> dict[str, list[dict]]:
    return _generate(3000)


# --- the pure generator ------------------------------------------------------------------


def test_same_seed_gives_the_same_registry():
    assert _generate(200, seed=7) == _generate(200, seed=7)
    first = [m["nik"] for m in _generate(200, seed=7)["members"]]
    other = [m["nik"] for m in _generate(200, seed=8)["members"]]
    assert first != other


def test_chunk_size_does_not_change_the_rows():
    assert _generate(120, chunk_size=7) == _generate(120, chunk_size=1000)


def test_every_nik_is_valid_unique_and_registered_in_the_household_kecamatan(city):
    kecamatan = {k.id: k.region_digits for k in _kelurahan()}
    household_region = {h["id"]: kecamatan[h["kelurahan_id"]] for h in city["households"]}
    niks = [m["nik"] for m in city["members"]]
    assert len(niks) == len(set(niks))
    for member in city["members"]:
        parts = parse_nik(member["nik"], REFERENCE_DATE)  # raises on any hard error
        assert parts.region_code == household_region[member["household_id"]]
        assert parts.serial != "0000"


def test_every_kk_number_is_valid_unique_and_issued_after_the_head_turned_17(city):
    heads = {m["household_id"]: m for m in city["members"] if m["relationship"] == "head"}
    numbers = [h["kk_number"] for h in city["households"]]
    assert len(numbers) == len(set(numbers))
    for household in city["households"]:
        issued = parse_kk_registration_date(household["kk_number"])
        assert issued <= REFERENCE_DATE
        assert (issued - heads[household["id"]]["birth_date"]).days >= 17 * 365


def test_about_one_percent_of_niks_disagree_and_carry_their_warnings(city):
    for member in city["members"]:
        found = nik_discrepancies(
            nik=member["nik"],
            sex=member["sex"],
            birth_date=member["birth_date"],
            today=REFERENCE_DATE,
        )
        assert member["nik_warnings"] == [d.code for d in found]
    warned = [m for m in city["members"] if m["nik_warnings"]]
    assert 0.005 < len(warned) / len(city["members"]) < 0.015
    codes = Counter(code for m in warned for code in m["nik_warnings"])
    assert codes["sex_mismatch"]
    assert codes["birth_date_mismatch"]


def test_households_have_one_head_and_a_plausible_size(city):
    heads = Counter(m["household_id"] for m in city["members"] if m["relationship"] == "head")
    sizes = Counter(m["household_id"] for m in city["members"])
    assert all(heads[h["id"]] == 1 for h in city["households"])
    assert set(sizes.values()) <= set(range(1, 8))
    assert 3.3 < len(city["members"]) / len(city["households"]) < 3.7
    couples = {m["household_id"] for m in city["members"] if m["relationship"] == "spouse"}
    for head in (m for m in city["members"] if m["relationship"] == "head"):
        assert (head["marital_status"] == "married") == (head["household_id"] in couples)


def test_stored_summaries_follow_the_members(city):
    members: dict[int, list[Member]] = {}
    for row in city["members"]:
        members.setdefault(row["household_id"], []).append(
            Member(**{k: v for k, v in row.items() if k not in ("created_at", "updated_at")})
        )
    for row in city["households"]:
        household = Household(kk_number=row["kk_number"], address=row["address"])
        family = members[row["id"]]
        head = next(m for m in family if m.relationship == "head")
        assert row["head_name"] == head.name
        assert row["member_count"] == sum(1 for m in family if not m.is_deceased)
        assert row["search_text"] == build_search_text(household, family)


def test_households_look_like_a_city_with_poverty_programs(city):
    households = city["households"]
    car_owners = {h["id"] for h in households if h["car_count"]}
    civil_servants = {
        m["household_id"] for m in city["members"] if m["occupation"] in ("asn", "tni", "polri")
    }
    assert 0.02 < len(car_owners) / len(households) < 0.06
    assert 0.01 < len(civil_servants) / len(households) < 0.035
    assert {h["rt"] for h in households} <= {f"{n:03d}" for n in range(1, 1000)}
    assert {h["electricity_va"] for h in households} <= set(Household.ElectricityVA.values)
    assert None in {h["welfare_decile"] for h in households}
    assert {h["source"] for h in households} == {"demo"}
    # Household programs go mostly to the poorest, with a few inclusion errors to find.
    decile = {h["id"]: h["welfare_decile"] for h in households}
    cash = [e for e in city["enrolments"] if e["program_id"] in (PROGRAMS.pkh, PROGRAMS.bpnt)]
    poor = [
        e for e in cash if decile[e["household_id"]] is not None and decile[e["household_id"]] <= 4
    ]
    assert len(poor) / len(cash) > 0.8
    assert any((decile[e["household_id"]] or 0) >= 7 for e in cash)
    assert any(e["household_id"] in car_owners for e in cash)
    members = {m["id"]: m for m in city["members"]}
    kip = [members[e["member_id"]] for e in city["enrolments"] if e["program_id"] == PROGRAMS.kip]
    assert kip
    assert all(m["schooling"] == "attending" for m in kip)
    pbi = [
        members[e["member_id"]] for e in city["enrolments"] if e["program_id"] == PROGRAMS.pbi_jk
    ]
    assert pbi
    assert all(m["health_insurance"] == "pbi_jkn" for m in pbi)


# --- seed_demo ---------------------------------------------------------------------------


def test_seed_demo_loads_a_consistent_registry_over_every_kelurahan(seeded):
    households = Household.objects.prefetch_related("members")
    assert households.count() == SEEDED
    assert {h.source for h in households} == {Household.Source.DEMO}
    kelurahan = Region.objects.filter(level=Region.Level.KELURAHAN)
    assert {h.kelurahan_id for h in households} == set(kelurahan.values_list("pk", flat=True))
    for household in households:
        members = sorted(household.members.all(), key=lambda m: m.pk)
        assert [m.relationship for m in members].count("head") == 1
        assert household.head_name == next(m.name for m in members if m.relationship == "head")
        assert household.member_count == sum(1 for m in members if not m.is_deceased)
        assert household.search_text == build_search_text(household, members)
        household.full_clean(exclude=["kelurahan"])  # KK number, RT/RW, choices
        for member in members:
            member.full_clean(exclude=["household"], validate_constraints=False)


def test_seed_demo_creates_one_demo_user_per_role(seeded, settings):
    for spec in DEMO_USERS:
        user = User.objects.get(username=spec.username)
        assert user.check_password(settings.DEMO_PASSWORD)
        assert list(user.groups.values_list("name", flat=True)) == [spec.role]
        assert user.first_name
        assert user.last_name
        assert (user.profile.agency.code if user.profile.agency else None) == spec.agency
    margahayu = Region.objects.get(code="32.75.01.1002")
    assert scope_for(User.objects.get(username="demo-pendamping")).kelurahan_ids == {margahayu.pk}
    assert scope_for(User.objects.get(username="demo-puskesos")).kelurahan_ids == {margahayu.pk}
    assert scope_for(User.objects.get(username="demo-verifikator")).city_wide
    assert scope_for(User.objects.get(username="demo-dinkes")).agency_id is not None
    assert Agency.objects.get(code="dinkes").head.username == "demo-kadinkes"
    assert scope_for(User.objects.get(username="demo-pimpinan")).is_aggregate_only
    admin = User.objects.get(username="demo-admin")
    assert admin.is_superuser
    assert admin.is_staff


def test_seed_demo_resets_demo_passwords(seeded, settings):
    user = User.objects.get(username="demo-verifikator")
    user.set_password("changed-by-someone")
    user.save()
    _seed(households=5, replace=True)
    user.refresh_from_db()
    assert user.check_password(settings.DEMO_PASSWORD)


def test_seed_demo_refuses_without_debug_unless_forced(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="--force"):
        _seed(households=5)
    assert not Household.objects.exists()
    _seed(households=5, force=True)
    assert Household.objects.count() == 5


def test_if_empty_does_nothing_when_households_exist(seeded):
    niks = set(Member.objects.values_list("nik", flat=True))
    output = _seed(households=10, seed=99, if_empty=True)
    assert "already has households" in output
    assert Household.objects.count() == SEEDED
    assert set(Member.objects.values_list("nik", flat=True)) == niks


def test_a_non_empty_registry_is_refused_without_replace(seeded):
    with pytest.raises(CommandError, match="--replace"):
        _seed(households=10)
    assert Household.objects.count() == SEEDED


def test_replace_reloads_the_same_people_under_new_ids(seeded):
    before = dict(Member.objects.values_list("nik", "pk"))
    _seed(households=SEEDED, seed=7, replace=True)
    after = dict(Member.objects.values_list("nik", "pk"))
    assert set(after) == set(before)
    # Ids of deleted rows are never handed out again: change records name them.
    assert min(after.values()) > max(before.values())


def test_replace_keeps_households_that_are_not_demo_data(seeded):
    kept = Household.objects.order_by("pk").first()
    Household.objects.filter(pk=kept.pk).update(source=Household.Source.FORM)
    members = kept.member_count
    _seed(households=SEEDED, seed=8, replace=True)
    kept.refresh_from_db()
    assert kept.source == Household.Source.FORM
    assert kept.members.count() >= members
    assert Household.objects.filter(source=Household.Source.DEMO).count() == SEEDED


def test_the_demo_families_get_assessments_and_pmks_over_twelve_months(margahayu):
    """Issue 21: a fresh `make run` shows needs assessments (some re-assessed) and PMKS
    records, spread over the last year, made through the services."""
    from django.utils import timezone

    from households.demo.needs import seed_demo_needs
    from households.demo.users import ensure_demo_users
    from households.models import Assessment, PmksClassification
    from tests.households.factories import household_with_members

    ensure_demo_users()
    for _ in range(36):
        household_with_members(margahayu, size=3)
    count = seed_demo_needs()
    assessments = Assessment.objects.all()
    assert count == assessments.count() > 36
    assert assessments.filter(version=2).exists()
    today = timezone.localdate()
    months = {(today - a.assessed_on).days // 30 for a in assessments}
    assert months >= set(range(12))
    assert PmksClassification.objects.filter(category__is_sensitive=False).count() > 10
    assert not PmksClassification.objects.filter(category__is_sensitive=True).exists()
    assert seed_demo_needs() == 0  # once
