"""The SQL and the Python evaluation of every catalogue field and operator agree."""

import datetime

import pytest
from django.db import transaction
from hypothesis import given
from hypothesis import strategies as st

from eligibility import conditions
from eligibility.fields import (
    CATALOGUE,
    FIELDS,
    NON_NULL,
    TYPES,
    annotate,
    codes_q,
    column,
    load_facts,
)
from eligibility.fields import read_values as read
from eligibility.models import Flag, Rule
from households.models import Assessment, Household, Member, Program
from tests.households.factories import (
    EnrolmentFactory,
    HouseholdFactory,
    MemberFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

PROGRAM_CODES = ["pkh", "bpnt", "blt"]
TODAY = datetime.date(2026, 6, 1)


def _int_for(name):
    return {
        "welfare_decile": st.integers(1, 10),
        "electricity_va": st.sampled_from([450, 900, 1300, 2200, 3500, 5500]),
    }.get(
        name,
        st.integers(0, 6_000_000) if "income" in name or "expend" in name else st.integers(0, 120),
    )


def _scalar(name):
    spec = CATALOGUE[name]
    if spec.type == conditions.INT:
        return _int_for(name)
    if spec.type == conditions.BOOL:
        return st.booleans()
    if spec.type == conditions.TEXT:
        return st.sampled_from(spec.choices)
    return st.sampled_from(PROGRAM_CODES)


@st.composite
def comparisons(draw, name):
    spec = CATALOGUE[name]
    op = draw(st.sampled_from(conditions.OPERATORS_BY_TYPE[spec.type]))
    if op == "is_empty":
        return {"field": name, "op": op}
    if op == "in":
        return {
            "field": name,
            "op": op,
            "value": draw(st.lists(_scalar(name), min_size=1, max_size=3)),
        }
    if op == "between":
        low, high = sorted([draw(_scalar(name)), draw(_scalar(name))])
        return {"field": name, "op": op, "value": [low, high]}
    return {"field": name, "op": op, "value": draw(_scalar(name))}


def _optional(strategy):
    return st.one_of(st.none(), strategy)


member_spec = st.fixed_dictionaries(
    {
        "birth_date": st.dates(datetime.date(1940, 1, 1), TODAY),
        "occupation": st.sampled_from(Member.Occupation.values),
        "disability": st.sampled_from([Member.Disability.NONE, Member.Disability.VISUAL]),
        "schooling": st.sampled_from(["", *Member.Schooling.values]),
        "is_pregnant": st.booleans(),
        "health_insurance": st.sampled_from(["", *Member.HealthInsurance.values]),
        "is_deceased": st.booleans(),
        "nik_warnings": st.sampled_from([[], ["birth_date"]]),
        "name": st.sampled_from(["Siti Aminah", "Budi Santoso", "Dewi Lestari"]),
    }
)

household_spec = st.fixed_dictionaries(
    {
        "car_count": st.integers(0, 3),
        "motorcycle_count": st.integers(0, 3),
        "electricity_va": _optional(st.sampled_from([450, 900, 1300, 2200, 3500])),
        "floor_area": _optional(st.integers(0, 200)),
        "land_area": _optional(st.integers(0, 500)),
        "monthly_income": _optional(st.integers(0, 20_000_000)),
        "monthly_expenditure": _optional(st.integers(0, 20_000_000)),
        "welfare_decile": _optional(st.integers(1, 10)),
        "floor_material": st.sampled_from(["", *Household.FloorMaterial.values]),
        "wall_material": st.sampled_from(["", *Household.WallMaterial.values]),
        "roof_material": st.sampled_from(["", *Household.RoofMaterial.values]),
        "house_ownership": st.sampled_from(["", *Household.Ownership.values]),
        "cooking_fuel": st.sampled_from(["", *Household.CookingFuel.values]),
        "has_air_conditioner": st.booleans(),
        "has_gold": st.booleans(),
        "owns_other_house": st.booleans(),
        "members": st.lists(member_spec, max_size=4),
        "first_is_head": st.booleans(),
        "programs": st.lists(st.sampled_from(PROGRAM_CODES), max_size=2, unique=True),
        # Graduation's fields (issue 21 part 4): assessments' incomes per person (the latest
        # and the one 6 months before it) and exclusion findings (open, dismissed, resolved).
        "assessed": st.lists(
            st.tuples(_optional(st.integers(0, 2_000_000)), _optional(st.integers(0, 2_000_000))),
            max_size=2,
        ),
        "findings": st.lists(st.sampled_from(["open", "dismissed", "resolved"]), max_size=2),
    }
)


def _make(specs, kelurahan):
    made = []
    programs = {p.code: p for p in Program.objects.filter(code__in=PROGRAM_CODES)}
    for spec in specs:
        spec = dict(spec)
        members, codes = spec.pop("members"), spec.pop("programs")
        first_is_head = spec.pop("first_is_head")
        assessed, findings = spec.pop("assessed"), spec.pop("findings")
        household = HouseholdFactory(kelurahan=kelurahan, member_count=len(members), **spec)
        for position, m in enumerate(members):
            head = first_is_head and position == 0
            relationship = Member.Relationship.HEAD if head else Member.Relationship.CHILD
            MemberFactory(household=household, relationship=relationship, **m)
        for code in codes:
            EnrolmentFactory(household=household, program=programs[code])
        for version, (income, earlier) in enumerate(assessed, start=1):
            Assessment.objects.create(
                household=household,
                version=version,
                assessed_on=TODAY,
                assessed_by=_assessor(),
                income_per_capita=income,
                earlier_income_per_capita=earlier,
            )
        exclusions = Rule.objects.filter(kind=Rule.Kind.EXCLUSION).order_by("pk")
        for rule, state in zip(exclusions, findings, strict=False):
            Flag.objects.create(
                household=household,
                rule=rule,
                rule_code=rule.code,
                status=Flag.Status.RESOLVED if state == "resolved" else Flag.Status.OPEN,
                decision=Flag.Decision.DISMISSED if state == "dismissed" else "",
            )
        made.append(household)
    return made


def _assessor():
    return UserFactory(username="assessor")


def _sql_ids(condition, ids):
    names = [n for n in conditions.fields_used(condition) if TYPES[n] != conditions.CODES]
    queryset = annotate(Household.objects.filter(pk__in=ids), names, today=TODAY)
    q = conditions.to_q(condition, column, codes_q, TYPES, NON_NULL)
    return set(queryset.filter(q).values_list("pk", flat=True))


def _python_ids(condition, households):
    names = conditions.fields_used(condition)
    return {
        h.pk
        for h in households
        if conditions.evaluate(condition, read(load_facts(h, today=TODAY), names))
    }


class _Rollback(Exception):
    pass


@pytest.mark.parametrize("name", [f.name for f in FIELDS])
@given(data=st.data())
def test_sql_and_python_agree_for_every_field_and_operator(margahayu, name, data):
    specs = data.draw(st.lists(household_spec, min_size=1, max_size=4), label="households")
    condition = data.draw(comparisons(name), label="condition")
    wrapped = data.draw(
        st.sampled_from([condition, {"not": condition}, {"any": [condition, {"not": condition}]}]),
        label="wrapped",
    )
    conditions.validate(wrapped, {f.name: f.spec for f in FIELDS})
    try:
        with transaction.atomic():
            households = _make(specs, margahayu)
            ids = [h.pk for h in households]
            assert _sql_ids(wrapped, ids) == _python_ids(wrapped, households), wrapped
            raise _Rollback
    except _Rollback:
        pass


@pytest.mark.parametrize(
    ("born", "age"),
    [
        (datetime.date(1966, 6, 1), 60),  # birthday today
        (datetime.date(1966, 6, 2), 59),  # tomorrow
        (datetime.date(1966, 5, 31), 60),  # yesterday
        (datetime.date(1964, 2, 29), 62),  # a leap-day birthday
    ],
)
def test_head_age_is_whole_years_on_both_sides_of_the_birthday(margahayu, born, age):
    household = HouseholdFactory(kelurahan=margahayu)
    MemberFactory(household=household, relationship=Member.Relationship.HEAD, birth_date=born)
    MemberFactory(household=household, birth_date=datetime.date(2000, 1, 1))
    condition = {"field": "head_age", "op": "=", "value": age}
    assert _sql_ids(condition, [household.pk]) == {household.pk}
    assert read(load_facts(household, today=TODAY), ["head_age"]) == {"head_age": age}


@pytest.mark.parametrize(
    ("born", "schooling", "components", "at_school"),
    [
        (datetime.date(2020, 6, 2), "", 1, 0),  # 5 years old: under school age
        (datetime.date(2020, 6, 1), "", 0, 0),  # 6 today, not at school
        (datetime.date(2020, 6, 1), "attending", 1, 1),  # 6 today, at school
        (datetime.date(2004, 6, 2), "attending", 1, 1),  # 21, at school
        (datetime.date(2004, 6, 1), "attending", 0, 0),  # 22 today
        (datetime.date(1956, 6, 1), "", 1, 0),  # 70 today
        (datetime.date(1956, 6, 2), "", 0, 0),  # 69
    ],
)
def test_pkh_components_at_the_age_boundaries(margahayu, born, schooling, components, at_school):
    household = HouseholdFactory(kelurahan=margahayu)
    MemberFactory(household=household, birth_date=born, schooling=schooling)
    names = ["pkh_component_count", "school_child_count"]
    expected = {"pkh_component_count": components, "school_child_count": at_school}
    assert read(load_facts(household, today=TODAY), names) == expected
    for name, n in expected.items():
        condition = {"field": name, "op": "=", "value": n}
        assert _sql_ids(condition, [household.pk]) == {household.pk}
