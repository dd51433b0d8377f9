"""Numbers only, so aggregate-only roles may call them (STYLE.md section 4).

Per-kelurahan counts come from one grouped query over households (and one over referrals per
referral indicator); kecamatan and city figures are summed from them in Python by
`dashboards.tree`, so the three levels always add up.
"""

import datetime

from django.conf import settings
from django.contrib.auth.models import User
from django.db.models import Count, Exists, F, Min, OuterRef, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from dashboards.indicators import CODES, REFERRAL_CODES
from dashboards.models import KelurahanCount
from eligibility.conditions import CODES as CODES_TYPE
from eligibility.conditions import NEVER, fields_used
from eligibility.fields import CATALOGUE, TYPES, annotate
from eligibility.models import Flag, Graduation, Relapse, Rule
from eligibility.selectors import poor_definition, program_criteria, unfit_houses
from eligibility.services import CompiledRule
from households.models import Assessment, Enrolment, Household, Member, Program, Region
from households.scope import scope_for
from national.selectors import NATIONAL_CODES
from national.usulan import USULAN_CODES
from referrals.metrics import (
    COUNTS,
    DeadlineMetrics,
    deadline_counts,
    deadline_metrics,
    summed_metrics,
)
from referrals.models import Plan, Referral
from referrals.selectors import counted_referrals

Counts = dict[int, dict[str, int]]  # kelurahan id → indicator code → count


def regions_for(user: User) -> QuerySet[Region]:
    """The kelurahan whose aggregates a user may see. Agency staff count the referrals to their
    agency wherever the household lives, so every kelurahan is theirs for those numbers."""
    scope = scope_for(user)
    kelurahan = Region.objects.filter(level=Region.Level.KELURAHAN)
    if scope.city_wide or scope.agency_id is not None:
        return kelurahan
    return kelurahan.filter(pk__in=scope.kelurahan_ids)


def indicator_codes_for(user: User) -> tuple[str, ...]:
    """Agency staff see the referral numbers of their agency; everyone else every indicator."""
    scope = scope_for(user)
    if scope.role is None:
        return ()
    if scope.agency_id is not None:
        return REFERRAL_CODES
    return CODES


def _poor() -> tuple[Q, list[str]]:
    """ "Poor household" as the active rule set defines it (eligibility.selectors.
    poor_definition, issue 19): its SQL and the catalogue fields it reads. The rules that
    name it (poor_no_program, the criteria of PKH, KIP and BLT) read the same definition, so
    a verifier's edit moves the overview, the programs page and the flags together. No
    active set: nobody is counted poor."""
    poor = poor_definition()
    if poor is None:
        return NEVER, []
    return poor.q, _fields(poor)


def _aided() -> Exists:
    """The catalogue's "receives aid" (is_aid_recipient): an active enrolment."""
    return CATALOGUE["is_aid_recipient"].annotation(timezone.localdate())


def _flagged(outer: str = "pk") -> Exists:
    """An open finding of an exclusion rule that no verifier dismissed (the "inclusion error"
    of an aid recipient; the programs page uses the same test)."""
    flags = Flag.objects.open().filter(household_id=OuterRef(outer), rule__kind=Rule.Kind.EXCLUSION)
    return Exists(flags.exclude(decision=Flag.Decision.DISMISSED))


def household_counts(kelurahan: QuerySet[Region]) -> Counts:
    """Every household indicator per kelurahan, in four grouped queries whose subqueries sit
    in WHERE, where PostgreSQL turns them into hash semi-joins. One query with the EXISTS
    tests inside COUNT(...) FILTER evaluates them per household: 5.1 s on 300,000 households
    against ~1 s for these three (bench/bench_dashboards.py). Exclusion errors are the poor
    less the poor who are aided: exactly "poor and no active program". "Poor" is the active
    rule set's definition (`_poor`)."""
    poor, fields = _poor()
    households = annotate(Household.objects.filter(kelurahan__in=kelurahan), fields)
    counts: Counts = {}
    for row in (
        households.values("kelurahan_id")
        .annotate(
            households=Count("pk"),
            persons=Coalesce(Sum("member_count"), 0),
            poor_households=Count("pk", filter=poor),
        )
        .order_by()
    ):
        kelurahan_id = row.pop("kelurahan_id")
        no_aid = {"aid_recipients": 0, "inclusion_errors": 0}
        no_aid |= {"assessed_households": 0, "households_with_plan": 0}
        counts[kelurahan_id] = row | no_aid | {"exclusion_errors": row["poor_households"]}
    aided = households.filter(_aided())
    for row in (
        aided.values("kelurahan_id")
        .annotate(aid_recipients=Count("pk"), poor_aided=Count("pk", filter=poor))
        .order_by()
    ):
        values = counts[row["kelurahan_id"]]
        values["aid_recipients"] = row["aid_recipients"]
        values["exclusion_errors"] = values["poor_households"] - row["poor_aided"]
    flagged = aided.filter(_flagged()).values("kelurahan_id").annotate(n=Count("pk")).order_by()
    for row in flagged:
        counts[row["kelurahan_id"]]["inclusion_errors"] = row["n"]
    # Issue 21: families assessed and families with an active plan, in one grouped query over
    # the (few) households with either: the EXISTS tests inside COUNT run on those rows only.
    assessed = Exists(Assessment.objects.filter(household_id=OuterRef("pk")))
    planned = Exists(Plan.objects.active().filter(household_id=OuterRef("pk")))
    for row in (
        households.filter(assessed | planned)
        .values("kelurahan_id")
        .annotate(
            assessed_households=Count("pk", filter=assessed),
            households_with_plan=Count("pk", filter=planned),
        )
        .order_by()
    ):
        counts[row.pop("kelurahan_id")].update(row)
    return counts


def program_counts(kelurahan: QuerySet[Region], programs: list[Program]) -> Counts:
    """Per kelurahan and program (codes "<program>:enrolled|flagged|eligible", see
    dashboards.programs): households with an active enrolment in the program, those of them
    with an open exclusion finding (the overview's inclusion errors, per program), and the
    households meeting the program's own criteria (its rule in the active rule set, issue 18
    item 11) without an active enrolment in it. Three grouped queries, whatever the number
    of programs; a program without criteria has no "eligible" figure."""
    from dashboards.programs import program_code

    codes = {program.pk: program.code for program in programs}
    counts: Counts = {}
    for row in _eligible_not_enrolled(kelurahan, programs):
        counts[row.pop("kelurahan_id")] = row
    active = Enrolment.objects.filter(
        status=Enrolment.Status.ACTIVE,
        household__kelurahan__in=kelurahan,
        program_id__in=list(codes),
    )
    grouped = {"kel": F("household__kelurahan_id"), "prog": F("program_id")}
    for row in (
        active.values(**grouped).annotate(enrolled=Count("household_id", distinct=True)).order_by()
    ):
        values = counts.setdefault(row["kel"], {})
        values[program_code(codes[row["prog"]], "enrolled")] = row["enrolled"]
    flagged = active.filter(_flagged("household_id")).values(**grouped)
    for row in flagged.annotate(n=Count("household_id", distinct=True)).order_by():
        counts[row["kel"]][program_code(codes[row["prog"]], "flagged")] = row["n"]
    return counts


def _fields(criteria: CompiledRule) -> list[str]:
    """The catalogue fields a criterion's condition reads (not its message's)."""
    return [n for n in fields_used(criteria.condition) if TYPES[n] != CODES_TYPE]


def _eligible_not_enrolled(kelurahan: QuerySet[Region], programs: list[Program]):
    """One grouped query: per kelurahan, for each program with criteria, the households that
    meet them and have no active enrolment in the program."""
    from dashboards.programs import program_code

    criteria = program_criteria()
    counted = [p for p in programs if p.code in criteria]
    if not counted:
        return []
    names = sorted({n for p in counted for n in _fields(criteria[p.code])})
    households = annotate(Household.objects.filter(kelurahan__in=kelurahan), names)
    figures = {}
    for program in counted:
        enrolled = Enrolment.objects.filter(
            household_id=OuterRef("pk"), program_id=program.pk, status=Enrolment.Status.ACTIVE
        )
        figures[program_code(program.code, "eligible")] = Count(
            "pk", filter=criteria[program.code].q & ~Exists(enrolled)
        )
    return households.values("kelurahan_id").annotate(**figures).order_by()


def need_counts(kelurahan: QuerySet[Region], *, today: datetime.date | None = None) -> Counts:
    """The planning needs per kelurahan (definitions in dashboards.needs): one grouped query
    over living members, one over households."""
    from dashboards import needs

    today = today or timezone.localdate()
    counts: Counts = {}
    members = Member.objects.filter(household__kelurahan__in=kelurahan, is_deceased=False)
    annotations = {
        code: Count("pk", filter=q) for code, q in needs.member_conditions(today).items()
    }
    for row in members.values(kel=F("household__kelurahan_id")).annotate(**annotations).order_by():
        counts[row.pop("kel")] = row
    # Houses unfit to live in are the Rutilahu criteria's households: the planning page and
    # the programs page count the same families (issue 18, item 11).
    unfit = unfit_houses(Household.objects.filter(kelurahan__in=kelurahan))
    if unfit is not None:
        for row in unfit.values("kelurahan_id").annotate(n=Count("pk")).order_by():
            counts.setdefault(row["kelurahan_id"], {})[needs.UNFIT_HOUSE] = row["n"]
    for kelurahan_id, values in assessed_need_counts(kelurahan).items():
        counts.setdefault(kelurahan_id, {}).update(values)
    return counts


def assessed_need_counts(kelurahan: QuerySet[Region]) -> Counts:
    """The planning needs as the families' latest needs assessments confirmed them
    (dashboards.needs.assessed_code): living persons with the need, households for a house
    unfit to live in. One grouped query over the present needs of latest assessments."""
    from dashboards import needs
    from households.models import AssessedNeed

    later = Assessment.objects.filter(
        household_id=OuterRef("assessment__household_id"),
        version__gt=OuterRef("assessment__version"),
    )
    rows = (
        AssessedNeed.objects.filter(
            kind__in=needs.CODES, present=True, assessment__household__kelurahan__in=kelurahan
        )
        .filter(Q(member__isnull=True) | Q(member__is_deceased=False))
        .filter(~Exists(later))
        .values("kind", kel=F("assessment__household__kelurahan_id"))
        .annotate(
            persons=Count("member_id", distinct=True),
            families=Count("assessment__household_id", distinct=True),
        )
        .order_by()
    )
    counts: Counts = {}
    for row in rows:
        value = row["families"] if row["kind"] == needs.UNFIT_HOUSE else row["persons"]
        counts.setdefault(row["kel"], {})[needs.assessed_code(row["kind"])] = value
    return counts


def referral_counts(
    kelurahan: QuerySet[Region], *, agency_id: int | None = None, today: datetime.date | None = None
) -> Counts:
    """Open and overdue referrals per kelurahan of the household, through the queryset methods
    that define them (two small grouped queries)."""
    counts: Counts = {}
    for code, queryset in (
        ("open_referrals", Referral.objects.open()),
        ("overdue_referrals", Referral.objects.overdue(today)),
    ):
        queryset = queryset.filter(household__kelurahan__in=kelurahan)
        if agency_id is not None:
            queryset = queryset.filter(agency_id=agency_id)
        rows = queryset.values(kel=F("household__kelurahan_id")).annotate(n=Count("pk")).order_by()
        for row in rows:
            counts.setdefault(row["kel"], {})[code] = row["n"]
    return counts


def month_bounds(month: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    """The aware moments a calendar month starts and ends (local time)."""
    start = month.replace(day=1)
    end = (start + datetime.timedelta(days=32)).replace(day=1)
    combine = datetime.datetime.combine
    return (
        timezone.make_aware(combine(start, datetime.time.min)),
        timezone.make_aware(combine(end, datetime.time.min)),
    )


def flow_counts(kelurahan: QuerySet[Region], *, month: datetime.date | None = None) -> Counts:
    """Graduations confirmed and relapses detected in one calendar month (default: this one)
    per kelurahan of the household: two small grouped queries on indexed dates (issue 21
    part 4). Stored like every other figure; each trend month keeps its own."""
    start, end = month_bounds(month or timezone.localdate())
    counts: Counts = {}
    for code, queryset in (
        (
            "graduated_households",
            Graduation.objects.confirmed().filter(decided_at__gte=start, decided_at__lt=end),
        ),
        (
            "relapsed_households",
            Relapse.objects.filter(detected_at__gte=start, detected_at__lt=end),
        ),
    ):
        rows = (
            queryset.filter(household__kelurahan__in=kelurahan)
            .values(kel=F("household__kelurahan_id"))
            .annotate(n=Count("household_id", distinct=True))
            .order_by()
        )
        for row in rows:
            counts.setdefault(row["kel"], {})[code] = row["n"]
    return counts


# The overview's deadline tile: referrals.metrics' counts, stored per kelurahan two ways, as
# counted_referrals scopes them: by the household's kelurahan, which every referral has (the
# city-wide roles sum them all), and by the kelurahan it was raised in (the kelurahan roles').
DEADLINE_GROUPS = {"household": "household__kelurahan_id", "origin": "origin_kelurahan_id"}


def deadline_code(group: str, part: str) -> str:
    return f"referrals-{group}:{part}"


DEADLINE_CODES = [deadline_code(group, part) for group in DEADLINE_GROUPS for part in COUNTS]


def deadline_counts_per_kelurahan(
    kelurahan: QuerySet[Region], *, today: datetime.date | None = None
) -> Counts:
    """One grouped query per way of DEADLINE_GROUPS."""
    counts: Counts = {}
    for group, field in DEADLINE_GROUPS.items():
        referrals = Referral.objects.filter(**{f"{field}__in": kelurahan})
        for kelurahan_id, parts in deadline_counts(referrals, by=field, today=today).items():
            values = counts.setdefault(kelurahan_id, {})
            values.update({deadline_code(group, part): n for part, n in parts.items()})
    return counts


def deadline_tile(user: User) -> DeadlineMetrics:
    """The overview's referrals against their deadlines over `counted_referrals(user)`, summed
    from the stored figures (no medians). Agency staff count their agency's referrals wherever
    the household lives, which no kelurahan row holds: theirs are counted on the spot."""
    scope = scope_for(user)
    if scope.role is None or scope.agency_id is not None:
        (total,) = deadline_metrics(by=(), referrals=counted_referrals(user), medians=False)
        return total
    codes = {deadline_code("household" if scope.city_wide else "origin", p): p for p in COUNTS}
    counts, _counted_at = stored_counts(user, codes)
    return summed_metrics(
        {part: values.get(code, 0) for code, part in codes.items()} for values in counts.values()
    )


def household_figures_for(user: User) -> bool:
    """Whether the user may see counts of households (programs, needs): every role with a
    dashboard except agency staff, who count only their agency's referrals."""
    scope = scope_for(user)
    return scope.role is not None and scope.agency_id is None


def stored_counts(user: User, codes) -> tuple[Counts, datetime.datetime]:
    """The stored figures `codes` (KelurahanCount) of the kelurahan in the user's scope, and
    the time of the oldest. One query over at most 56 × len(codes) rows, whatever the size of
    the registry. Rows older than DASHBOARD_STALE_MINUTES, or from before today (overdue is
    counted against the day), are shown while a recount is queued; only an empty table (a
    new installation) is counted on the spot."""
    from dashboards.services import refresh_kelurahan_counts, request_refresh

    counts, counted_at = _read_stored(user, codes)
    if counted_at is None and not KelurahanCount.objects.exists():
        refresh_kelurahan_counts()
        counts, counted_at = _read_stored(user, codes)
    if counted_at is None:  # no kelurahan in scope, or figures of nothing
        return counts, timezone.now()
    # Counted here already when Celery is eager (the embedded default): read them again.
    if _is_stale(counted_at) and request_refresh(once_a_minute=True):
        counts, counted_at = _read_stored(user, codes)
    return counts, counted_at


def _is_stale(counted_at: datetime.datetime) -> bool:
    stale = timezone.now() - datetime.timedelta(minutes=int(settings.DASHBOARD_STALE_MINUTES))
    return counted_at < stale or timezone.localdate(counted_at) < timezone.localdate()


def _read_stored(user: User, codes) -> tuple[Counts, datetime.datetime | None]:
    rows = KelurahanCount.objects.filter(code__in=list(codes))
    scope = scope_for(user)
    if not scope.city_wide:
        rows = rows.filter(kelurahan_id__in=scope.kelurahan_ids)
    counts: Counts = {}
    oldest = None
    for kelurahan_id, code, value, counted_at in rows.values_list(
        "kelurahan_id", "code", "value", "counted_at"
    ):
        counts.setdefault(kelurahan_id, {})[code] = value
        if oldest is None or counted_at < oldest:
            oldest = counted_at
    return counts, oldest


def visible_programs() -> list[Program]:
    return list(Program.objects.filter(is_active=True).order_by("name"))


def live_program_counts(user: User, programs: list[Program]) -> tuple[Counts, datetime.datetime]:
    """Program figures per kelurahan in the user's scope (household roles only)."""
    from dashboards.programs import FIGURE_CODES, program_code

    codes = [program_code(p.code, figure) for p in programs for figure in FIGURE_CODES]
    return stored_counts(user, codes)


def live_need_counts(user: User) -> tuple[Counts, datetime.datetime]:
    """Planning needs per kelurahan in the user's scope (household roles only)."""
    from dashboards import needs

    return stored_counts(user, (*needs.CODES, *needs.ASSESSED_CODES))


def unit_costs() -> dict[str, int]:
    """Rp per unit of each planning need: the planner's amount, else the default."""
    from dashboards import needs
    from dashboards.models import UnitCost

    saved = dict(UnitCost.objects.values_list("need", "amount"))
    return {need.code: saved.get(need.code, need.default_cost) for need in needs.NEEDS}


def live_counts(
    user: User, *, today: datetime.date | None = None
) -> tuple[Counts, datetime.datetime]:
    """Every indicator the user may see, per kelurahan in their scope, and when counted.
    Agency staff's own referral numbers are counted on the spot (a few rows, not stored);
    the others are the stored figures."""
    scope = scope_for(user)
    if scope.agency_id is not None:
        kelurahan = regions_for(user)
        return referral_counts(kelurahan, agency_id=scope.agency_id, today=today), timezone.now()
    # The DTSEN figures (issue 22) in the same read: the overview's panel and the API.
    return stored_counts(user, (*CODES, *NATIONAL_CODES, *USULAN_CODES))


def plan_counts(kelurahan: QuerySet[Region]) -> Counts:
    """The family plans' figures per kelurahan (definitions in dashboards.plans): families with
    a need in each domain at their latest assessment, interventions of active plans open and
    done per agency. Two grouped queries."""
    from dashboards import plans
    from households.models import AssessedNeed
    from referrals.models import PlanIntervention, Progress
    from referrals.models.plans import progress_expression

    counts: Counts = {}
    later = Assessment.objects.filter(
        household_id=OuterRef("assessment__household_id"),
        version__gt=OuterRef("assessment__version"),
    )
    latest_needs = AssessedNeed.objects.filter(
        kind="domain", present=True, assessment__household__kelurahan__in=kelurahan
    ).filter(~Exists(later))
    for row in (
        latest_needs.values("domain", kel=F("assessment__household__kelurahan_id"))
        .annotate(n=Count("assessment__household_id", distinct=True))
        .order_by()
    ):
        counts.setdefault(row["kel"], {})[plans.need_code(row["domain"])] = row["n"]
    steps = PlanIntervention.objects.filter(
        plan__closed_on__isnull=True, plan__household__kelurahan__in=kelurahan
    ).annotate(
        progress_now=progress_expression(),
        at=Coalesce(F("referral__agency__code"), F("agency__code"), Value(plans.OWN)),
    )
    parts = {Progress.PLANNED: plans.OPEN, Progress.UNDERWAY: plans.OPEN, Progress.DONE: plans.DONE}
    for row in (
        steps.values("at", "progress_now", kel=F("plan__household__kelurahan_id"))
        .annotate(n=Count("pk"))
        .order_by()
    ):
        part = parts.get(row["progress_now"])
        if part is not None:
            values = counts.setdefault(row["kel"], {})
            code = plans.step_code(row["at"], part)
            values[code] = values.get(code, 0) + row["n"]
    return counts


def live_plan_counts(user: User, codes) -> tuple[Counts, datetime.datetime]:
    """The family plans' figures per kelurahan in the user's scope (household roles only)."""
    return stored_counts(user, codes)


# A month as the median's unit: the mean Gregorian month, in days.
DAYS_PER_MONTH = 365.2425 / 12


def plan_to_graduation_months(kelurahan: QuerySet[Region]) -> dict[str, list[float]]:
    """Per kelurahan code, the months from each confirmed graduation's family plan to its
    confirmation (issue 21): the family's first plan made on or before the day a verifier
    confirmed the graduation; graduations of families without such a plan are left out. One
    query over the confirmed graduations (few: a family graduates once or twice); a median is
    not additive, so the presenter takes it per area from these values."""
    rows = (
        Graduation.objects.confirmed()
        .filter(household__kelurahan__in=kelurahan, household__plans__isnull=False)
        .annotate(confirmed_on=TruncDate("decided_at"))  # the local day (USE_TZ)
        .values("pk", "confirmed_on", code=F("household__kelurahan__code"))
        .annotate(first_plan=Min("household__plans__made_on"))
        .order_by()
    )
    months: dict[str, list[float]] = {}
    for row in rows:
        code, first_plan, confirmed_on = row["code"], row["first_plan"], row["confirmed_on"]
        if first_plan <= confirmed_on:  # a plan made only after the graduation: left out
            months.setdefault(code, []).append((confirmed_on - first_plan).days / DAYS_PER_MONTH)
    return months
