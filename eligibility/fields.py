"""The field catalogue: the household facts a rule may use, each defined once, with its SQL
annotation and its Python reader (which must agree; tests/eligibility/test_fields.py)."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import (
    BigIntegerField,
    Case,
    Count,
    Exists,
    Expression,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, ExtractYear
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from eligibility.conditions import BOOL, CODES, INT, TEXT, FieldSpec
from eligibility.models import Flag, Rule
from households.models import Assessment, Enrolment, Household, Member

OFFICIALS = (Member.Occupation.ASN, Member.Occupation.TNI, Member.Occupation.POLRI)


@dataclass
class Facts:
    """One household and what the readers need of it, loaded in a fixed number of queries."""

    household: Household
    members: list[Member]
    programs: frozenset[str]
    today: datetime.date
    duplicates: bool
    # The latest needs assessment that recorded an income: its income per person and the one
    # at least 6 months before it (graduation, issue 21 part 4); the open exclusion findings.
    assessed_income: int | None = None
    earlier_assessed_income: int | None = None
    open_exclusions: int = 0


@dataclass(frozen=True)
class CatalogueField:
    name: str
    type: str
    label: Any
    annotation: Callable[[datetime.date], Expression | None]  # None: a set tested by codes_q
    read: Callable[[Facts], Any]
    # Where the value comes from, for the decision receipt: entity and its model fields.
    sources: tuple[str, tuple[str, ...]] = ("household", ())
    choices: tuple[str, ...] = ()
    # False: too costly to recompute per flagged household for the stored values; a rule on
    # it says the fact in its message (a flag on it means it held).
    recorded: bool = True
    # How a rule reads it (issue 20: "Daya listrik ≥ 3.500 VA"): the label without its unit,
    # and the unit around a value ("%(value)s VA"); empty: the label, the bare value.
    noun: Any = None
    unit: Any = ""

    @property
    def words_label(self) -> Any:
        return self.noun or self.label

    @property
    def spec(self) -> FieldSpec:
        return FieldSpec(self.name, self.type, self.choices)


def _living(**filters: Any) -> QuerySet[Member]:
    return Member.objects.filter(household_id=OuterRef("pk"), is_deceased=False, **filters)


def _count(queryset: QuerySet[Member]) -> Expression:
    counted = queryset.order_by().values("household_id").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def _school_age_bounds(today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """Children aged 7 to 17 today: born after (today − 18 years), on or before (today − 7)."""

    def years_before(years: int) -> datetime.date:
        try:
            return today.replace(year=today.year - years)
        except ValueError:  # 29 February
            return today.replace(year=today.year - years, day=28)

    return years_before(18), years_before(7)


def _out_of_school(today: datetime.date) -> Expression:
    oldest, youngest = _school_age_bounds(today)
    return _count(
        _living(birth_date__gt=oldest, birth_date__lte=youngest).exclude(
            schooling=Member.Schooling.ATTENDING
        )
    )


def _read_out_of_school(facts: Facts) -> int:
    oldest, youngest = _school_age_bounds(facts.today)
    return sum(
        1
        for m in facts.members
        if not m.is_deceased
        and oldest < m.birth_date <= youngest
        and m.schooling != Member.Schooling.ATTENDING
    )


def _years_before(today: datetime.date, years: int) -> datetime.date:
    try:
        return today.replace(year=today.year - years)
    except ValueError:  # 29 February
        return today.replace(year=today.year - years, day=28)


# PKH's components (DOMAIN.md "Programmes"): a pregnant mother, a child under school age, a
# school child aged 6 to 21, an elderly person of 70 or more, a person with a disability.
PKH_SCHOOL_AGES = (6, 21)
PKH_ELDERLY_AGE = 70


def _pkh_component_q(today: datetime.date) -> Q:
    low, high = PKH_SCHOOL_AGES
    return (
        Q(is_pregnant=True)
        | Q(birth_date__gt=_years_before(today, low))
        | Q(
            birth_date__gt=_years_before(today, high + 1),
            birth_date__lte=_years_before(today, low),
            schooling=Member.Schooling.ATTENDING,
        )
        | Q(birth_date__lte=_years_before(today, PKH_ELDERLY_AGE))
        | ~Q(disability__in=[Member.Disability.NONE, ""])
    )


def _is_pkh_component(member: Member, today: datetime.date) -> bool:
    low, high = PKH_SCHOOL_AGES
    born = member.birth_date
    return (
        member.is_pregnant
        or born > _years_before(today, low)
        or (
            _years_before(today, high + 1) < born <= _years_before(today, low)
            and member.schooling == Member.Schooling.ATTENDING
        )
        or born <= _years_before(today, PKH_ELDERLY_AGE)
        or member.disability not in (Member.Disability.NONE, "")
    )


def _school_child_q(today: datetime.date) -> Q:
    low, high = PKH_SCHOOL_AGES
    return Q(
        birth_date__gt=_years_before(today, high + 1),
        birth_date__lte=_years_before(today, low),
        schooling=Member.Schooling.ATTENDING,
    )


def _is_school_child(member: Member, today: datetime.date) -> bool:
    low, high = PKH_SCHOOL_AGES
    return (
        _years_before(today, high + 1) < member.birth_date <= _years_before(today, low)
        and member.schooling == Member.Schooling.ATTENDING
    )


def _members_where(q_for: Callable[[datetime.date], Q]) -> Callable[[datetime.date], Expression]:
    return lambda today: _count(_living().filter(q_for(today)))


def _read_members_where(test: Callable[[Member, datetime.date], bool]) -> Callable[[Facts], int]:
    return lambda facts: sum(1 for m in facts.members if not m.is_deceased and test(m, facts.today))


def _per(numerator: str, scale: int = 1) -> Callable[[datetime.date], Expression]:
    def build(today: datetime.date) -> Expression:
        return Case(
            When(member_count__gt=0, then=F(numerator) * scale / F("member_count")),
            default=None,
            output_field=BigIntegerField(),
        )

    return build


def _read_per(numerator: str, facts: Facts) -> int | None:
    value, count = getattr(facts.household, numerator), facts.household.member_count
    return None if value is None or not count else value // count


def _poverty_pct(today: datetime.date) -> Expression:
    line = int(settings.POVERTY_LINE)
    return Case(
        When(
            member_count__gt=0,
            then=F("monthly_income") * 100 / (F("member_count") * Value(line, BigIntegerField())),
        ),
        default=None,
        output_field=BigIntegerField(),
    )


def _read_poverty_pct(facts: Facts) -> int | None:
    h = facts.household
    if h.monthly_income is None or not h.member_count:
        return None
    return h.monthly_income * 100 // (h.member_count * int(settings.POVERTY_LINE))


def _line() -> Value:
    return Value(int(settings.POVERTY_LINE), BigIntegerField())


def _assessed_pct(column: str) -> Callable[[datetime.date], Expression]:
    """The latest income-bearing assessment's `column` (Rp per person) as a whole percentage
    of the poverty line, NULL without one."""

    def build(today: datetime.date) -> Expression:
        latest = (
            Assessment.objects.filter(household_id=OuterRef("pk"), income_per_capita__isnull=False)
            .order_by("-version")
            .values(column)[:1]
        )
        return ExpressionWrapper(
            Subquery(latest, output_field=BigIntegerField()) * 100 / _line(),
            output_field=BigIntegerField(),
        )

    return build


def _read_pct(value: int | None) -> int | None:
    return None if value is None else value * 100 // int(settings.POVERTY_LINE)


def _open_exclusions() -> QuerySet[Flag]:
    """Open findings of exclusion rules that no verifier dismissed (as dashboards count an
    inclusion error)."""
    return (
        Flag.objects.open()
        .filter(rule__kind=Rule.Kind.EXCLUSION)
        .exclude(decision=Flag.Decision.DISMISSED)
    )


def _open_exclusion_count(today: datetime.date) -> Expression:
    counted = (
        _open_exclusions()
        .filter(household_id=OuterRef("pk"))
        .order_by()
        .values("household_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def _active_enrolments() -> QuerySet[Enrolment]:
    return Enrolment.objects.filter(household_id=OuterRef("pk"), status=Enrolment.Status.ACTIVE)


def _same_person_elsewhere(today: datetime.date) -> Expression:
    """A living member shares name and birth date (both NOT NULL) with a living member of
    another household.

    Written as EXISTS within EXISTS on the two columns, so the planner joins them with their
    statistics and the inner semi-join is bounded by the members. The former form (the
    household's members' "name|birth date" text IN the keys grouped by COUNT(DISTINCT
    household)) was estimated at 186 million joined rows: a hash of 2,048 batches, and under
    a parallel plan the grouping done once per worker. At 300,000 households
    (bench_eligibility.py, 2026-12-06, quiet) that one statement took 4.4-10 s of a 7-14 s
    run; this form 0.6 s (2.2 s on one core), with the same 27,850 households."""
    living = Member.objects.filter(is_deceased=False)
    elsewhere = living.filter(name=OuterRef("name"), birth_date=OuterRef("birth_date")).exclude(
        household_id=OuterRef("household_id")
    )
    return Exists(living.filter(Exists(elsewhere), household_id=OuterRef("pk")))


def _head_age(today: datetime.date) -> Expression:
    """The head's age in whole years today, the same arithmetic on every database (year
    difference, less one before the birthday), NULL without a head."""
    before_birthday = Q(birth_date__month__gt=today.month) | Q(
        birth_date__month=today.month, birth_date__day__gt=today.day
    )
    age = (
        Member.objects.filter(household_id=OuterRef("pk"), relationship=Member.Relationship.HEAD)
        .order_by("pk")
        .annotate(
            age=ExpressionWrapper(
                Value(today.year)
                - ExtractYear("birth_date")
                - Case(When(before_birthday, then=Value(1)), default=Value(0)),
                output_field=IntegerField(),
            )
        )
        .values("age")[:1]
    )
    return Subquery(age, output_field=IntegerField())


def _read_head_age(facts: Facts) -> int | None:
    head = next((m for m in facts.members if m.relationship == Member.Relationship.HEAD), None)
    if head is None:
        return None
    born, today = head.birth_date, facts.today
    return today.year - born.year - ((born.month, born.day) > (today.month, today.day))


def _direct(
    name: str, type_: str, label: Any, model_field: str | None = None, noun: Any = None, unit=""
) -> CatalogueField:
    column = model_field or name
    choices: tuple[str, ...] = ()
    if type_ == TEXT:
        choices = tuple(str(v) for v, _label in Household._meta.get_field(column).choices)
    return CatalogueField(
        name=name,
        type=type_,
        label=label,
        annotation=lambda today: F(column),
        read=lambda facts: getattr(facts.household, column),
        sources=("household", (column,)),
        choices=choices,
        noun=noun,
        unit=unit,
    )


# Units around a value in a rule's words: not translated (the same in both languages).
VA, M2, RP = "%(value)s VA", "%(value)s m²", "Rp%(value)s"

FIELDS: list[CatalogueField] = [
    _direct("car_count", INT, _("cars")),
    _direct("motorcycle_count", INT, _("motorcycles")),
    _direct("electricity_va", INT, _("electricity (VA)"), noun=_("electricity"), unit=VA),
    _direct("floor_area", INT, _("floor area (m²)"), noun=_("floor area"), unit=M2),
    _direct("land_area", INT, _("land owned (m²)"), noun=_("land owned"), unit=M2),
    _direct("monthly_income", INT, _("monthly income (Rp)"), noun=_("monthly income"), unit=RP),
    _direct(
        "monthly_expenditure",
        INT,
        _("monthly expenditure (Rp)"),
        noun=_("monthly expenditure"),
        unit=RP,
    ),
    _direct("welfare_decile", INT, _("welfare decile")),
    _direct("member_count", INT, _("members")),
    _direct("floor_material", TEXT, _("floor")),
    _direct("wall_material", TEXT, _("walls")),
    _direct("roof_material", TEXT, _("roof")),
    _direct("house_ownership", TEXT, _("house ownership")),
    _direct("cooking_fuel", TEXT, _("cooking fuel")),
    _direct("has_air_conditioner", BOOL, _("air conditioner")),
    _direct("has_gold", BOOL, _("gold or jewellery of 10 g or more")),
    _direct("owns_other_house", BOOL, _("owns a house elsewhere")),
    CatalogueField(
        "per_capita_income",
        INT,
        _("income per person (Rp)"),
        _per("monthly_income"),
        lambda facts: _read_per("monthly_income", facts),
        ("household", ("monthly_income",)),
        noun=_("income per person"),
        unit=RP,
    ),
    CatalogueField(
        "income_pct_of_poverty_line",
        INT,
        _("income per person, % of the poverty line"),
        _poverty_pct,
        _read_poverty_pct,
        ("household", ("monthly_income",)),
        noun=_("income per person"),
        unit=_("%(value)s%% of the poverty line"),
    ),
    CatalogueField(
        "assessed_income_pct",
        INT,
        _("income per person at the last needs assessment, % of the poverty line"),
        _assessed_pct("income_per_capita"),
        lambda facts: _read_pct(facts.assessed_income),
        ("assessment", ("monthly_income", "person_count")),
        noun=_("income per person at the last assessment"),
        unit=_("%(value)s%% of the poverty line"),
    ),
    CatalogueField(
        "earlier_assessed_income_pct",
        INT,
        _(
            "income per person at the assessment 6 months or more before the last, % of the "
            "poverty line"
        ),
        _assessed_pct("earlier_income_per_capita"),
        lambda facts: _read_pct(facts.earlier_assessed_income),
        ("assessment", ("monthly_income", "person_count")),
        noun=_("income per person 6 months or more before"),
        unit=_("%(value)s%% of the poverty line"),
    ),
    CatalogueField(
        "open_exclusion_findings",
        INT,
        _("open exclusion findings"),
        _open_exclusion_count,
        lambda facts: facts.open_exclusions,
        ("flag", ("status", "decision")),
    ),
    CatalogueField(
        "floor_area_per_capita",
        INT,
        _("floor area per person (m²)"),
        _per("floor_area"),
        lambda facts: _read_per("floor_area", facts),
        ("household", ("floor_area",)),
        noun=_("floor area per person"),
        unit=M2,
    ),
    CatalogueField(
        "has_asn_tni_polri_member",
        BOOL,
        _("a member is ASN, TNI or Polri"),
        lambda today: Exists(_living(occupation__in=OFFICIALS)),
        lambda facts: any(m.occupation in OFFICIALS and not m.is_deceased for m in facts.members),
        ("member", ("occupation",)),
    ),
    CatalogueField(
        "head_age",
        INT,
        _("age of the head of the family"),
        _head_age,
        _read_head_age,
        ("member", ("birth_date",)),
    ),
    CatalogueField(
        "children_out_of_school",
        INT,
        _("children aged 7–17 not in school"),
        _out_of_school,
        _read_out_of_school,
        ("member", ("schooling", "birth_date")),
    ),
    CatalogueField(
        "disabled_member_count",
        INT,
        _("members with a disability"),
        lambda today: _count(_living().exclude(disability=Member.Disability.NONE)),
        lambda facts: sum(
            1 for m in facts.members if not m.is_deceased and m.disability != Member.Disability.NONE
        ),
        ("member", ("disability",)),
    ),
    CatalogueField(
        "pkh_component_count",
        INT,
        _(
            "members who are a PKH component (pregnant, under 6, at school aged 6–21, 70 or "
            "older, with a disability)"
        ),
        _members_where(_pkh_component_q),
        _read_members_where(_is_pkh_component),
        ("member", ("is_pregnant", "birth_date", "schooling", "disability")),
    ),
    CatalogueField(
        "school_child_count",
        INT,
        _("members at school aged 6–21"),
        _members_where(_school_child_q),
        _read_members_where(_is_school_child),
        ("member", ("birth_date", "schooling")),
    ),
    CatalogueField(
        "uninsured_member_count",
        INT,
        _("members without health insurance"),
        lambda today: _count(_living(health_insurance=Member.HealthInsurance.NONE)),
        lambda facts: sum(
            1
            for m in facts.members
            if not m.is_deceased and m.health_insurance == Member.HealthInsurance.NONE
        ),
        ("member", ("health_insurance",)),
    ),
    CatalogueField(
        "enrolled_programs",
        CODES,
        _("programs"),
        lambda today: None,
        lambda facts: facts.programs,
        ("enrolment", ("program", "status")),
    ),
    CatalogueField(
        "is_aid_recipient",
        BOOL,
        _("receives aid"),
        lambda today: Exists(_active_enrolments()),
        lambda facts: bool(facts.programs),
        ("enrolment", ("program", "status")),
    ),
    CatalogueField(
        "nik_discrepancy",
        BOOL,
        _("a NIK disagrees with the member's record"),
        lambda today: Exists(_living().exclude(nik_warnings=[])),
        lambda facts: any(m.nik_warnings and not m.is_deceased for m in facts.members),
        ("member", ("nik", "birth_date", "sex")),
    ),
    CatalogueField(
        "same_person_in_two_households",
        BOOL,
        _("a member (name and date of birth) is also in another household"),
        _same_person_elsewhere,
        lambda facts: facts.duplicates,
        ("member", ("name", "birth_date")),
        recorded=False,
    ),
]
CATALOGUE: dict[str, CatalogueField] = {f.name: f for f in FIELDS}
SPECS = {f.name: f.spec for f in FIELDS}
TYPES = {f.name: f.type for f in FIELDS}
# Fields whose SQL is never NULL (counts, EXISTS tests, NOT NULL columns).
NON_NULL = frozenset(
    f.name
    for f in FIELDS
    if f.type == BOOL
    or f.name
    in (
        "children_out_of_school",
        "disabled_member_count",
        "pkh_component_count",
        "school_child_count",
        "uninsured_member_count",
        "open_exclusion_findings",
    )
    or (
        f.sources[0] == "household"
        and f.sources[1] == (f.name,)
        and not Household._meta.get_field(f.name).null
    )
)


def column(name: str) -> str | None:
    return None if CATALOGUE[name].type == CODES else f"elig_{name}"


def codes_q(name: str, codes: list | None) -> Q:
    active = _active_enrolments()
    if codes is None:
        return ~Q(Exists(active))
    return Q(Exists(active.filter(program__code__in=codes)))


def annotate(queryset: QuerySet[Household], names: list[str], today=None) -> QuerySet[Household]:
    """Add the SQL of each named field as `elig_<name>`."""
    today = today or timezone.localdate()
    annotations = {}
    for name in names:
        expression = CATALOGUE[name].annotation(today)
        if expression is not None:
            annotations[f"elig_{name}"] = expression
    return queryset.annotate(**annotations) if annotations else queryset


def load_facts(household: Household, today=None) -> Facts:
    """One household's facts for the Python readers: five or six queries."""
    today = today or timezone.localdate()
    members = list(Member.objects.filter(household_id=household.pk).order_by("pk"))
    programs = frozenset(
        Enrolment.objects.filter(
            household_id=household.pk, status=Enrolment.Status.ACTIVE
        ).values_list("program__code", flat=True)
    )
    living = [m for m in members if not m.is_deceased]
    duplicates = False
    if living:
        same = Q()
        for m in living:
            same |= Q(name=m.name, birth_date=m.birth_date)
        duplicates = (
            Member.objects.filter(same, is_deceased=False)
            .exclude(household_id=household.pk)
            .exists()
        )
    assessed = (
        Assessment.objects.filter(household_id=household.pk, income_per_capita__isnull=False)
        .order_by("-version")
        .values_list("income_per_capita", "earlier_income_per_capita")
        .first()
    ) or (None, None)
    open_exclusions = _open_exclusions().filter(household_id=household.pk).count()
    return Facts(
        household, members, programs, today, duplicates, *assessed, open_exclusions=open_exclusions
    )


def read_values(facts: Facts, names: list[str]) -> dict[str, Any]:
    return {name: CATALOGUE[name].read(facts) for name in names}
