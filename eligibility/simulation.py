"""A draft rule set against the active one (issue 20): who is flagged now and under the draft,
per kecamatan, kelurahan and program, and the households that change, each with the rule that
decides and its value. Reads only: nothing is written."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models import F, Prefetch, QuerySet
from django.utils.translation import gettext as _

from eligibility.fields import annotate, column
from eligibility.models import Flag, Rule, RuleSet
from eligibility.presenters import value_in_words
from eligibility.services import CompiledRule, active_rule_set, compile_findings
from households.identifiers import kk_tails
from households.models import Enrolment, Household, Program, Region
from slrt.db import is_postgresql


@dataclass
class AreaRow:
    name: str
    kecamatan: str = ""
    now: int = 0
    draft: int = 0
    newly: int = 0
    no_longer: int = 0

    @property
    def change_pct(self) -> int | None:
        """The change from now to the draft in percent of now; None when none is flagged now."""
        return round(100 * (self.draft - self.now) / self.now) if self.now else None

    def add(self, other: AreaRow) -> None:
        self.now += other.now
        self.draft += other.draft
        self.newly += other.newly
        self.no_longer += other.no_longer


@dataclass
class Simulation:
    per_kecamatan: list[AreaRow]
    per_kelurahan: list[AreaRow]
    per_program: list[AreaRow]  # every program, 0 where none is flagged
    # Every household that changes (never cut), by kecamatan, kelurahan and id: the pages
    # and the workbook read their details a page at a time (changed_households).
    newly_flagged: list[int]
    no_longer_flagged: list[int]
    totals: AreaRow = field(default_factory=lambda: AreaRow(name=""))


@dataclass
class Outcomes:
    """The active set's and the draft's finding rules, compiled, and which codes the draft
    evaluates afresh (its expanded condition differs from the active one, or it is new)."""

    current: dict[str, CompiledRule]
    proposed: dict[str, CompiledRule]
    changed: list[str]

    @property
    def unchanged(self) -> list[str]:
        return [code for code in self.proposed if code not in self.changed]


def outcomes(draft: RuleSet) -> Outcomes:
    active = active_rule_set()
    current = {c.rule.code: c for c in compile_findings(active)}
    proposed = {c.rule.code: c for c in compile_findings(draft)}
    changed = [
        code
        for code, item in proposed.items()
        if code not in current or current[code].condition != item.condition
    ]
    return Outcomes(current, proposed, changed)


def _flagged_ids_sql(
    rules: Iterable[CompiledRule], households: QuerySet[Household], flagged_codes: list[str]
) -> tuple[str, list]:
    """One SELECT of the ids (`hid`) of households flagged: the open flags of
    `flagged_codes`, and any of `rules` evaluated live; a UNION of filters, which the
    database plans as joins (a CASE over all rules would not)."""
    selects = [
        Flag.objects.open()
        .filter(rule_code__in=flagged_codes, household__in=households.values("pk"))
        .annotate(hid=F("household_id"))
        .order_by()
        .values("hid")
    ]
    selects += [
        annotate(households, item.fields)
        .filter(item.q)
        .annotate(hid=F("pk"))
        .order_by()
        .values("hid")
        for item in rules
    ]
    union = selects[0].union(*selects[1:]) if len(selects) > 1 else selects[0]
    sql, params = union.query.sql_with_params()
    return sql, list(params)


def simulate_rule_set(*, draft: RuleSet, households: QuerySet[Household]) -> Simulation:
    """Households flagged under the active set versus under `draft`, per kecamatan, kelurahan
    and program, with every household that changes. `households` is the reader's scope
    (visible_households). "Now" is the open flags, so it is as current as the last run and
    the saves since.

    Each household's two outcomes are computed once, into temporary tables; the groupings
    and lists read them."""
    plan = outcomes(draft)
    # Flagged now: the open flags (kept current by runs and after each save). Under the
    # draft: the same flags for rules whose (expanded) condition is unchanged, and the
    # changed or new rules evaluated now.
    now_sql, now_params = _flagged_ids_sql([], households, list(plan.current))
    changed = [plan.proposed[code] for code in plan.changed]
    draft_sql, draft_params = _flagged_ids_sql(changed, households, plan.unchanged)
    # Session-private temporary tables: no registry or eligibility row is written.
    suffix = uuid.uuid4().hex[:12]
    quote = connection.ops.quote_name
    now_t, draft_t = quote(f"eligibility_now_{suffix}"), quote(f"eligibility_draft_{suffix}")
    outcome = quote(f"eligibility_sim_{suffix}")
    household_table = quote(Household._meta.db_table)
    region_table = quote(Region._meta.db_table)
    enrolment = quote(Enrolment._meta.db_table)
    n, d = "sim_now", "sim_draft"
    sums = (
        f"SUM({n}), SUM({d}), SUM(CASE WHEN {n} = 0 AND {d} = 1 THEN 1 ELSE 0 END), "
        f"SUM(CASE WHEN {n} = 1 AND {d} = 0 THEN 1 ELSE 0 END)"
    )
    with transaction.atomic(), connection.cursor() as cursor:
        if is_postgresql():
            cursor.execute("SET LOCAL jit = off")
        cursor.execute(f"CREATE TEMPORARY TABLE {now_t} AS {now_sql}", now_params)
        cursor.execute(f"CREATE TEMPORARY TABLE {draft_t} AS {draft_sql}", draft_params)
        try:
            cursor.execute(
                f"CREATE TEMPORARY TABLE {outcome} AS SELECT h.id AS sim_id, "
                "h.kelurahan_id AS sim_kelurahan, "
                f"CASE WHEN h.id IN (SELECT hid FROM {now_t}) THEN 1 ELSE 0 END AS {n}, "
                f"CASE WHEN h.id IN (SELECT hid FROM {draft_t}) THEN 1 ELSE 0 END AS {d} "
                f"FROM {household_table} h WHERE h.id IN (SELECT hid FROM {now_t}) "
                f"OR h.id IN (SELECT hid FROM {draft_t})"
            )
            cursor.execute(f"SELECT sim_kelurahan, {sums} FROM {outcome} GROUP BY sim_kelurahan")
            by_kelurahan = {row[0]: row[1:] for row in cursor.fetchall()}
            cursor.execute(
                f"SELECT e.program_id, {sums} FROM {outcome} sim JOIN {enrolment} e "
                "ON e.household_id = sim.sim_id AND e.status = %s GROUP BY e.program_id",
                [Enrolment.Status.ACTIVE],
            )
            by_program = {row[0]: row[1:] for row in cursor.fetchall()}
            # Every changed household, in the order the lists show them.
            cursor.execute(
                f"SELECT sim.sim_id, sim.{n} FROM {outcome} sim "
                f"JOIN {region_table} k ON k.id = sim.sim_kelurahan "
                f"LEFT JOIN {region_table} c ON c.id = k.parent_id "
                f"WHERE sim.{n} <> sim.{d} ORDER BY c.name, k.name, sim.sim_id"
            )
            changes = cursor.fetchall()
        finally:
            for table in (outcome, now_t, draft_t):
                cursor.execute(f"DROP TABLE IF EXISTS {table}")
    kelurahan = Region.objects.filter(pk__in=by_kelurahan).select_related("parent")
    per_kelurahan, per_kecamatan, totals = [], {}, AreaRow(name=_("Total"))
    for region in sorted(kelurahan, key=lambda r: (r.parent.name, r.name)):
        area = AreaRow(region.name, region.parent.name, *(v or 0 for v in by_kelurahan[region.pk]))
        if not (area.now or area.draft):
            continue
        per_kelurahan.append(area)
        per_kecamatan.setdefault(area.kecamatan, AreaRow(area.kecamatan)).add(area)
        totals.add(area)
    per_program = [
        AreaRow(p.name, "", *(v or 0 for v in by_program.get(p.pk, (0, 0, 0, 0))))
        for p in Program.objects.order_by("name")
    ]
    return Simulation(
        per_kecamatan=list(per_kecamatan.values()),
        per_kelurahan=per_kelurahan,
        per_program=per_program,
        newly_flagged=[hid for hid, was in changes if not was],
        no_longer_flagged=[hid for hid, was in changes if was],
        totals=totals,
    )


@dataclass
class ChangedHousehold:
    """One household of a change list: who, where, which aid, which rule decides, the value."""

    household: Household
    kk_tail: str  # the last digits that tell the families of the list apart
    programs: list[str]
    rules: list[Rule]
    values: list[str]  # the household's values now, in words: "daya listrik: 2.200 VA"


def changed_households(
    *, draft: RuleSet, ids: list[int], were_flagged: bool, fields: list[str]
) -> list[ChangedHousehold]:
    """The details of a page of a change list (`ids` from simulate_rule_set, already within
    the reader's scope). The deciding rules: for a household no longer flagged, the rules
    that flag it now and change in the draft; for one newly flagged, the draft's changed
    rules that hold for it. `fields`: the values to show (those whose comparison changed).
    A fixed number of queries per page."""
    plan = outcomes(draft)
    households = (
        Household.objects.filter(pk__in=ids)
        .select_related("kelurahan__parent")
        .prefetch_related(
            Prefetch(
                "enrolments",
                queryset=Enrolment.objects.filter(status=Enrolment.Status.ACTIVE)
                .select_related("program")
                .order_by("program__name"),
                to_attr="active_enrolments",
            )
        )
        .in_bulk()
    )
    deciding: dict[int, list[Rule]] = {pk: [] for pk in ids}
    if were_flagged:
        gone = [code for code in plan.current if code in plan.changed or code not in plan.proposed]
        flags = Flag.objects.open().filter(household_id__in=ids, rule_code__in=gone)
        for flag in flags.select_related("rule").order_by("rule_code"):
            deciding[flag.household_id].append(flag.rule)
    else:
        for code in plan.changed:
            item = plan.proposed[code]
            base = Household.objects.filter(pk__in=ids)
            holding = annotate(base, item.fields).filter(item.q).values_list("pk", flat=True)
            for pk in holding:
                deciding[pk].append(item.rule)
    values: dict[int, dict[str, object]] = {pk: {} for pk in ids}
    if fields:
        rows = annotate(Household.objects.filter(pk__in=ids), fields).values(
            "pk", *[f"elig_{name}" for name in fields if column(name)]
        )
        for row in rows:
            values[row.pop("pk")] = {key.removeprefix("elig_"): v for key, v in row.items()}
    tails = kk_tails(h.kk_number for h in households.values())
    return [
        ChangedHousehold(
            household=households[pk],
            kk_tail=tails[households[pk].kk_number],
            # A member-level program (PBI-JK) is named once for the family.
            programs=list(dict.fromkeys(e.program.name for e in households[pk].active_enrolments)),
            rules=deciding[pk],
            values=[value_in_words(name, values[pk].get(name)) for name in fields],
        )
        for pk in ids
        if pk in households
    ]
