"""Eligibility services: rule editing and versions, runs in SQL, review, simulation."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import (
    F,
    JSONField,
    Q,
    QuerySet,
    Value,
)
from django.db.models.functions import Cast, JSONObject
from django.utils import timezone
from django.utils.translation import gettext as _

from eligibility import conditions
from eligibility.fields import CATALOGUE, NON_NULL, SPECS, TYPES, annotate, codes_q, column
from eligibility.hooks import run_completed
from eligibility.models import (
    CaseAssignment,
    CaseDecision,
    Consequence,
    DismissalReason,
    Flag,
    ReviewDecision,
    Rule,
    RuleSet,
    Run,
)
from households.choices import reference_changed
from households.models import Enrolment, Household, Program, Region
from households.scope import guard_write
from households.services import recommend_enrolment_removal
from slrt.db import is_postgresql, take_turns
from slrt.dispatch import TRANSIENT_ERRORS, dispatch, dispatch_on_commit

# The advisory lock of whole-registry runs (slrt.db.take_turns).
RUN_LOCK = 72_750_002

RULE_FIELDS = (
    "name_id",
    "name_en",
    "kind",
    "condition",
    "message",
    "message_en",
    "severity",
    "program",
)


# --- compiling ------------------------------------------------------------------------------


@dataclass(frozen=True)
class CompiledRule:
    rule: Rule
    condition: dict  # expanded
    q: Q
    fields: list[str]  # read by the condition or named in the message


def compile_rules(rules: Iterable[Rule]) -> list[CompiledRule]:
    """Expand references between rules and compile each to SQL; exclusion rules first."""
    rules = sorted(rules, key=lambda r: (r.kind != Rule.Kind.EXCLUSION, r.code))

    def of_kind(kind: str) -> list[dict]:
        return [r.condition for r in rules if r.kind == kind]

    compiled = []
    for rule in rules:
        condition = conditions.expand(rule.condition, of_kind)
        names = conditions.fields_used(condition)
        for template in (rule.message, rule.message_en):  # either may be shown
            names += [n for n in conditions.placeholders(template) if n not in names]
        names = [n for n in names if TYPES[n] != conditions.CODES]
        q = conditions.to_q(condition, column, codes_q, TYPES, NON_NULL)
        compiled.append(CompiledRule(rule, condition, q, names))
    return compiled


def validate_rule(
    *, kind: str, condition: Any, message: str, message_en: str = "", program: str = ""
) -> None:
    """Refuse a malformed rule with a message the editor can act on."""
    if kind == Rule.Kind.PROGRAM and not Program.objects.filter(code=program).exists():
        message_ = _("Choose the program whose criteria this rule states.")
        raise ValidationError({"program": ValidationError(message_, code="program_required")})
    if kind != Rule.Kind.PROGRAM and program:
        message_ = _("Only program criteria name a program.")
        raise ValidationError({"program": ValidationError(message_, code="program_not_allowed")})
    try:
        conditions.validate(condition, SPECS)
        conditions.validate_template(message, CATALOGUE)
        conditions.validate_template(message_en, CATALOGUE)
    except ValidationError as error:
        raise ValidationError({"condition": error.error_list}) from error
    if kind == Rule.Kind.EXCLUSION and "rule_kind" in str(condition):
        message = _("An exclusion criterion cannot refer to other rules.")
        raise ValidationError({"condition": ValidationError(message, code="self_reference")})


# --- rule sets and versions ----------------------------------------------------------------


def active_rule_set() -> RuleSet | None:
    return RuleSet.objects.filter(status=RuleSet.Status.ACTIVE).first()


@transaction.atomic
def create_draft_rule_set(*, by: User) -> RuleSet:
    """The open draft, or a new one copied from the active set (one draft at a time)."""
    draft = RuleSet.objects.select_for_update().filter(status=RuleSet.Status.DRAFT).first()
    if draft:
        return draft
    source = active_rule_set()
    last = RuleSet.objects.order_by("-version").values_list("version", flat=True).first() or 0
    draft = RuleSet.objects.create(version=last + 1, status=RuleSet.Status.DRAFT, created_by=by)
    if source:
        Rule.objects.bulk_create(
            Rule(
                rule_set=draft,
                code=r.code,
                version=r.version,
                **{f: getattr(r, f) for f in RULE_FIELDS},
            )
            for r in source.rules.all()
        )
    return draft


@transaction.atomic
def save_rule(*, rule: Rule | None, code: str = "", data: dict[str, Any], by: User) -> Rule:
    """Save a rule's edit. An active or retired rule is never changed: the edit goes to the
    draft set as the rule's next version. `rule` None adds a new rule to the draft."""
    data = {"message_en": "", "program": "", **data}  # API clients may send neither
    validate_rule(
        kind=data["kind"],
        condition=data["condition"],
        message=data["message"],
        message_en=data["message_en"],
        program=data["program"],
    )
    draft = create_draft_rule_set(by=by)
    if rule is None:
        if draft.rules.filter(code=code).exists():
            message = _("A rule with this code exists.")
            raise ValidationError({"code": ValidationError(message, code="exists")})
        return Rule.objects.create(rule_set=draft, code=code, **data)
    target = draft.rules.filter(code=rule.code).first()
    if target is None:
        target = Rule(rule_set=draft, code=rule.code, version=rule.version)
    published = Rule.objects.filter(code=rule.code).exclude(rule_set=draft)
    latest = max(published.values_list("version", flat=True), default=0)
    changed = target.pk is None or any(getattr(target, f) != data[f] for f in RULE_FIELDS)
    for name in RULE_FIELDS:
        setattr(target, name, data[name])
    if changed and target.version <= latest:
        target.version = latest + 1
    target.save()
    return target


@transaction.atomic
def activate_rule_set(*, rule_set: RuleSet, by: User) -> RuleSet:
    """Make a draft the active set; the active one retires. The next run applies it."""
    if rule_set.status != RuleSet.Status.DRAFT:
        raise ValidationError(_("Only a draft can be activated."), code="not_draft")
    for rule in rule_set.rules.all():
        validate_rule(
            kind=rule.kind,
            condition=rule.condition,
            message=rule.message,
            message_en=rule.message_en,
            program=rule.program,
        )
    RuleSet.objects.filter(status=RuleSet.Status.ACTIVE).update(
        status=RuleSet.Status.RETIRED, updated_at=timezone.now()
    )
    claimed = RuleSet.objects.filter(pk=rule_set.pk, status=RuleSet.Status.DRAFT).update(
        status=RuleSet.Status.ACTIVE, activated_at=timezone.now(), activated_by=by
    )
    if not claimed:
        raise ValidationError(_("This rule set was changed by someone else."), code="stale")
    # Statuses moved by update(), which sends no signal: the process copies of the active
    # set's rules (selectors.program_criteria) are dropped after commit.
    transaction.on_commit(reference_changed)
    rule_set.refresh_from_db()
    return rule_set


# --- runs ------------------------------------------------------------------------------------


def start_eligibility_run(*, by: User | None) -> Run:
    """Queue a whole-registry run of the active set; a worker executes it after commit."""
    from eligibility.tasks import execute_eligibility_run_task

    rule_set = active_rule_set()
    if rule_set is None:
        raise ValidationError(_("There is no active rule set."), code="no_active_set")
    with transaction.atomic():
        run = Run.objects.create(rule_set=rule_set, started_by=by)
        dispatch_on_commit(run, execute_eligibility_run_task)
    return run


def redispatch_stalled_runs(older_than: timedelta) -> int:
    """Queue again the runs left 'queued' longer than `older_than` (the broker was down when
    they were started). The task claims its run, so one already taken is left alone."""
    from eligibility.tasks import execute_eligibility_run_task

    stalled = Run.objects.filter(
        status=Run.Status.QUEUED, updated_at__lte=timezone.now() - older_than
    )
    return sum(
        dispatch(execute_eligibility_run_task, run_id)
        for run_id in stalled.values_list("pk", flat=True)
    )


def run_eligibility(*, by: User | None = None) -> Run:
    """Create a run and execute it here (the command and the benchmark)."""
    rule_set = active_rule_set()
    if rule_set is None:
        raise ValidationError(_("There is no active rule set."), code="no_active_set")
    run = Run.objects.create(rule_set=rule_set, started_by=by)
    return execute_eligibility_run(run_id=run.pk)


def execute_eligibility_run(*, run_id: int) -> Run:
    """Claim a queued run and evaluate its set over the whole registry in one transaction,
    a fixed number of SQL statements per rule. Idempotent: a claimed run is left alone."""
    started = timezone.now()
    claimed = Run.objects.filter(pk=run_id, status=Run.Status.QUEUED).update(
        status=Run.Status.RUNNING, started_at=started
    )
    run = Run.objects.get(pk=run_id)
    if not claimed:
        return run
    clock = time.perf_counter()
    try:
        with transaction.atomic():
            # Runs take turns (the nightly run, one after an import, one started by hand):
            # two at once would both open the same flag and the second would fail.
            take_turns(RUN_LOCK)
            counts = apply_rules(rule_set=run.rule_set, run=run)
            run.counts = counts
            run.status = Run.Status.COMPLETE
            run.finished_at = timezone.now()
            run.duration_ms = int((time.perf_counter() - clock) * 1000)
            run.save(update_fields=["counts", "status", "finished_at", "duration_ms", "updated_at"])
            run_completed(run.pk)
    except TRANSIENT_ERRORS as error:
        # Nothing was written (one transaction): queued again for the task's retry.
        Run.objects.filter(pk=run_id).update(
            status=Run.Status.QUEUED, error=repr(error)[:2000], updated_at=timezone.now()
        )
        raise
    except Exception as error:
        Run.objects.filter(pk=run_id).update(status=Run.Status.FAILED, error=repr(error)[:2000])
        raise
    return run


def evaluate_household(household_id: int) -> None:
    """Re-evaluate one household against the active set (after a save), the same SQL as a
    whole run restricted to it, so a household page is always current."""
    rule_set = active_rule_set()
    if rule_set is None:
        return
    with transaction.atomic():
        apply_rules(rule_set=rule_set, run=None, household_ids=[household_id])


def apply_rules(
    *, rule_set: RuleSet, run: Run | None, household_ids: list[int] | None = None
) -> dict[str, dict[str, int]]:
    """Insert flags that now hold, refresh the values of those still holding, resolve those
    that no longer hold. Decisions on flags are never touched. The caller holds a
    transaction."""
    now = timezone.now()
    if is_postgresql():
        with connection.cursor() as cursor:
            # Compiling these one-off statements costs more than it saves.
            cursor.execute("SET LOCAL jit = off")
    households = Household.objects.all()
    if household_ids is not None:
        households = households.filter(pk__in=household_ids)
    compiled = compile_rules(rule_set.rules.findings())
    counts = {}
    for item in compiled:
        counts[item.rule.code] = _apply_rule(item, households, household_ids, run, now)
    # Rules no longer in the set: their open flags no longer hold.
    open_flags = Flag.objects.open()
    if household_ids is not None:
        open_flags = open_flags.filter(household_id__in=household_ids)
    open_flags.exclude(rule_code__in=[c.rule.code for c in compiled]).update(
        status=Flag.Status.RESOLVED, resolved_at=now, updated_at=now
    )
    return counts


def _values_json(fields: list[str]) -> JSONObject | Cast:
    if not fields:
        return Cast(Value("{}"), JSONField())
    return JSONObject(**{name: F(f"elig_{name}") for name in fields})


def _apply_rule(
    item: CompiledRule,
    households: QuerySet[Household],
    household_ids: list[int] | None,
    run: Run | None,
    now,
) -> dict[str, int]:
    """Seven statements whatever the registry's size: the households the rule holds for go
    once into a temporary table, which the update, resolve and insert statements read."""
    rule, code = item.rule, item.rule.code
    matching = (
        annotate(households, item.fields)
        .filter(item.q)
        .annotate(
            m_hid=F("pk"),
            m_vals=_values_json([n for n in item.fields if CATALOGUE[n].recorded]),
        )
        .order_by()
        .values("m_hid", "m_vals")
    )
    select_sql, select_params = matching.query.sql_with_params()
    quote = connection.ops.quote_name
    flags = quote(Flag._meta.db_table)
    name = f"eligibility_m_{uuid.uuid4().hex[:12]}"
    held = quote(name)
    stamp = connection.ops.adapt_datetimefield_value(now)
    scope_sql, scope_params = "", []
    if household_ids is not None:
        scope_sql = f" AND household_id IN ({', '.join(['%s'] * len(household_ids))})"
        scope_params = list(household_ids)
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TEMPORARY TABLE {held} AS {select_sql}", select_params)
        try:
            cursor.execute(f"CREATE INDEX {quote(name + '_hid')} ON {held} (m_hid)")
            if is_postgresql():
                cursor.execute(f"ANALYZE {held}")
            # 1. Still holding: refresh values and rule version.
            cursor.execute(
                f"UPDATE {flags} SET rule_id = %s, updated_at = %s, "
                f'"values" = (SELECT m_vals FROM {held} WHERE m_hid = {flags}.household_id) '
                f"WHERE status = %s AND rule_code = %s{scope_sql} "
                f"AND household_id IN (SELECT m_hid FROM {held})",
                [rule.pk, stamp, Flag.Status.OPEN, code, *scope_params],
            )
            refreshed = cursor.rowcount
            # 2. No longer holding: resolved, kept with its decision.
            cursor.execute(
                f"UPDATE {flags} SET status = %s, resolved_at = %s, updated_at = %s "
                f"WHERE status = %s AND rule_code = %s{scope_sql} AND NOT EXISTS "
                f"(SELECT 1 FROM {held} WHERE m_hid = {flags}.household_id)",
                [Flag.Status.RESOLVED, stamp, stamp, Flag.Status.OPEN, code, *scope_params],
            )
            resolved = cursor.rowcount
            # 3. Newly holding.
            cursor.execute(
                f"INSERT INTO {flags} (household_id, rule_id, rule_code, status, "
                '"values", run_id, decision, created_at, updated_at) '
                f"SELECT m_hid, %s, %s, %s, m_vals, %s, '', %s, %s FROM {held} WHERE NOT EXISTS "
                f"(SELECT 1 FROM {flags} f WHERE f.status = %s AND f.rule_code = %s "
                "AND f.household_id = m_hid)",
                [
                    rule.pk,
                    code,
                    Flag.Status.OPEN,
                    run.pk if run else None,
                    stamp,
                    stamp,
                    Flag.Status.OPEN,
                    code,
                ],  # fmt: skip
            )
            created = cursor.rowcount
        finally:
            cursor.execute(f"DROP TABLE {held}")
    return {"flagged": refreshed + created, "new": created, "resolved": resolved}


# --- review ----------------------------------------------------------------------------------


@transaction.atomic
def review_flags(
    *,
    flags: list[Flag],
    decision: str,
    reason: str,
    by: User,
    standard_reason: DismissalReason | None = None,
    case: CaseDecision | None = None,
) -> list[Flag]:
    """Confirm or dismiss flags; dismissing needs a reason, standard or written. The caller
    checked eligibility.review_flag and that the flags are in its read scope; the service
    checks the write scope of every household (issue 16)."""
    reason = reason.strip()
    if decision not in (Flag.Decision.CONFIRMED, Flag.Decision.DISMISSED):
        raise ValidationError(_("Choose confirm or dismiss."), code="bad_decision")
    if decision == Flag.Decision.DISMISSED and not reason and standard_reason is None:
        raise ValidationError(
            {
                "reason": ValidationError(
                    _("Give a reason for dismissing the flag."), code="reason_required"
                )
            }
        )
    if not flags:
        raise ValidationError(_("Choose at least one flag."), code="no_flags")
    ids = [f.pk for f in flags]
    kelurahan = Household.objects.filter(eligibility_flags__pk__in=ids).values_list(
        "kelurahan_id", flat=True
    )
    guard_write(by, *set(kelurahan))
    if decision == Flag.Decision.CONFIRMED:
        standard_reason = None
    Flag.objects.filter(pk__in=ids).update(decision=decision, updated_at=timezone.now())
    ReviewDecision.objects.bulk_create(
        ReviewDecision(
            flag_id=pk,
            decision=decision,
            reason=reason,
            decided_by=by,
            standard_reason=standard_reason,
            case=case,
        )
        for pk in ids
    )
    return list(Flag.objects.filter(pk__in=ids))


@dataclass(frozen=True)
class FindingChoice:
    """The verifier's decision on one finding of a case: confirmed or dismissed, and for a
    dismissal a standard reason's code and/or a written note."""

    decision: str
    reason_code: str = ""
    note: str = ""


def _invalid(message: str, code: str, **params: Any) -> ValidationError:
    return ValidationError(message, code=code, params=params or None)


@transaction.atomic
def decide_case(
    *,
    household: Household,
    findings: dict[int, FindingChoice],
    consequences: dict[int, str],
    by: User,
    note: str = "",
) -> CaseDecision:
    """Decide a household's review case once (issue 20): every open, undecided finding of the
    family confirmed or dismissed, and for each active enrolment its consequence (recommend
    removal, keep, needs a home visit), in one transaction. A removal recommendation needs a
    confirmed finding and marks the enrolment (households.services.recommend_enrolment_
    removal) until the program's owner acts. Needs eligibility.review_flag and the write scope
    of the household; outside it, the same 404 as a read."""
    guard_write(by, household.kelurahan_id)
    if not by.has_perm("eligibility.review_flag"):
        raise PermissionDenied
    open_flags = list(
        Flag.objects.select_for_update()
        .select_related("rule")
        .filter(household=household, status=Flag.Status.OPEN, decision="")
        .order_by("pk")
    )
    if not open_flags:
        raise _invalid(_("This family has no finding left to decide."), "nothing_open")
    if set(findings) - {flag.pk for flag in open_flags}:
        raise _invalid(_("This case was changed by someone else: open it again."), "stale")
    undecided = [flag.rule.name for flag in open_flags if flag.pk not in findings]
    if undecided:
        raise _invalid(
            _("Decide every open finding of the family: %(rules)s."),
            "undecided",
            rules=", ".join(undecided),
        )
    reasons = {r.code: r for r in DismissalReason.objects.filter(is_active=True)}
    for flag in open_flags:
        choice = findings[flag.pk]
        if choice.decision not in (Flag.Decision.CONFIRMED, Flag.Decision.DISMISSED):
            raise _invalid(_("Choose confirm or dismiss for each finding."), "bad_decision")
        if choice.reason_code and choice.reason_code not in reasons:
            raise _invalid(_("Choose one of the listed reasons."), "unknown_reason")
        if choice.decision == Flag.Decision.DISMISSED and not (
            choice.reason_code or choice.note.strip()
        ):
            raise _invalid(
                _("Give a reason for dismissing “%(rule)s”."),
                "reason_required",
                rule=flag.rule.name,
            )
    enrolments = {
        e.pk: e
        for e in Enrolment.objects.select_related("program").filter(
            household=household, status=Enrolment.Status.ACTIVE
        )
    }
    if set(consequences) - set(enrolments):
        raise _invalid(_("This case was changed by someone else: open it again."), "stale")
    if set(consequences.values()) - set(Consequence.Outcome.values):
        raise _invalid(_("Choose a consequence for each program."), "bad_consequence")
    confirmed = [f for f in open_flags if findings[f.pk].decision == Flag.Decision.CONFIRMED]
    removing = [pk for pk, outcome in consequences.items() if outcome == Consequence.Outcome.REMOVE]
    if removing and not confirmed:
        raise _invalid(
            _("Removal from a program can only be recommended on a confirmed finding."),
            "removal_without_finding",
        )
    case = CaseDecision.objects.create(household=household, decided_by=by, note=note.strip())
    for flag in open_flags:
        choice = findings[flag.pk]
        review_flags(
            flags=[flag],
            decision=choice.decision,
            reason=choice.note,
            by=by,
            standard_reason=reasons.get(choice.reason_code),
            case=case,
        )
    Consequence.objects.bulk_create(
        Consequence(decision=case, enrolment_id=pk, outcome=outcome)
        for pk, outcome in consequences.items()
    )
    why = "; ".join(flag.rule.name for flag in confirmed)
    for pk in removing:
        recommend_enrolment_removal(enrolment=enrolments[pk], reason=why, by=by)
    return case


@transaction.atomic
def assign_case(*, household: Household, assignee: User | None, by: User) -> None:
    """Give a household's case to a reviewer who may decide it (None: nobody). Needs
    eligibility.review_flag and the household's write scope."""
    guard_write(by, household.kelurahan_id)
    if not by.has_perm("eligibility.review_flag"):
        raise PermissionDenied
    if assignee is None:
        CaseAssignment.objects.filter(household=household).delete()
        return
    if not assignee.has_perm("eligibility.review_flag"):
        raise _invalid(_("%(user)s cannot decide findings."), "not_a_reviewer", user=str(assignee))
    CaseAssignment.objects.update_or_create(
        household=household, defaults={"assignee": assignee, "assigned_by": by}
    )


# --- simulation ------------------------------------------------------------------------------


@dataclass
class AreaRow:
    name: str
    kecamatan: str = ""
    now: int = 0
    draft: int = 0
    newly: int = 0
    no_longer: int = 0


@dataclass
class Simulation:
    per_kecamatan: list[AreaRow]
    per_kelurahan: list[AreaRow]
    per_program: list[AreaRow]
    newly_flagged: list[Household]
    no_longer_flagged: list[Household]
    totals: AreaRow = field(default_factory=lambda: AreaRow(name=""))


LIST_LIMIT = 100


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
    and program, with the households that change. Reads only: nothing is written. "Now"
    is the open flags, so it is as current as the last run and the saves since.

    Each household's two outcomes are computed once, into temporary tables; the groupings
    and lists read them."""
    active = active_rule_set()
    current = {
        c.rule.code: c.condition for c in compile_rules(active.rules.findings() if active else [])
    }
    proposed = compile_rules(draft.rules.findings())
    # Flagged now: the open flags (kept current by runs and after each save). Under the
    # draft: the same flags for rules whose (expanded) condition is unchanged, and the
    # changed or new rules evaluated now.
    unchanged = [c.rule.code for c in proposed if current.get(c.rule.code) == c.condition]
    changed = [c for c in proposed if c.rule.code not in unchanged]
    now_sql, now_params = _flagged_ids_sql([], households, list(current))
    draft_sql, draft_params = _flagged_ids_sql(changed, households, unchanged)
    # Each household's outcome computed once into session-private temporary tables (no
    # registry or eligibility row is written); the groupings and lists read them.
    suffix = uuid.uuid4().hex[:12]
    quote = connection.ops.quote_name
    now_t, draft_t = quote(f"eligibility_now_{suffix}"), quote(f"eligibility_draft_{suffix}")
    outcome = quote(f"eligibility_sim_{suffix}")
    household_table = quote(Household._meta.db_table)
    n, d = "sim_now", "sim_draft"
    sums = (
        f"SUM({n}), SUM({d}), SUM(CASE WHEN {n} = 0 AND {d} = 1 THEN 1 ELSE 0 END), "
        f"SUM(CASE WHEN {n} = 1 AND {d} = 0 THEN 1 ELSE 0 END)"
    )
    enrolment = connection.ops.quote_name(Enrolment._meta.db_table)
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
            cursor.execute(
                f"SELECT sim_id, {n} FROM {outcome} WHERE {n} <> {d} ORDER BY sim_id LIMIT %s",
                [2 * LIST_LIMIT],
            )
            changed = cursor.fetchall()
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
        district = per_kecamatan.setdefault(area.kecamatan, AreaRow(area.kecamatan))
        for target in (district, totals):
            target.now += area.now
            target.draft += area.draft
            target.newly += area.newly
            target.no_longer += area.no_longer
    programs = Program.objects.filter(pk__in=by_program).order_by("name")
    per_program = [AreaRow(p.name, "", *(v or 0 for v in by_program[p.pk])) for p in programs]
    listed = Household.objects.select_related("kelurahan").in_bulk([hid for hid, _n in changed])
    newly = [listed[hid] for hid, was in changed if not was][:LIST_LIMIT]
    gone = [listed[hid] for hid, was in changed if was][:LIST_LIMIT]
    return Simulation(
        per_kecamatan=list(per_kecamatan.values()),
        per_kelurahan=per_kelurahan,
        per_program=per_program,
        newly_flagged=newly,
        no_longer_flagged=gone,
        totals=totals,
    )
