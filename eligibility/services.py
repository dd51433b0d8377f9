"""Eligibility services: rule editing and versions, runs in SQL, review, simulation."""

from __future__ import annotations

import hashlib
import json
import time
import uuid
from collections.abc import Collection, Iterable
from dataclasses import dataclass
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
    REQUIRED_DEFINITIONS,
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
from households.models import Enrolment, Household, Program
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
    """Expand references between rules (to rule kinds and to definitions) and compile each to
    SQL; exclusion rules first. Pass the whole set: a rule refers to the others."""
    rules = sorted(rules, key=lambda r: (r.kind != Rule.Kind.EXCLUSION, r.code))
    definitions = {r.code: r.condition for r in rules if r.kind == Rule.Kind.DEFINITION}

    def of_kind(kind: str) -> list[dict]:
        return [r.condition for r in rules if r.kind == kind]

    compiled = []
    for rule in rules:
        condition = conditions.expand(rule.condition, of_kind, definitions.get)
        names = conditions.fields_used(condition)
        for template in (rule.message, rule.message_en):  # either may be shown
            names += [n for n in conditions.placeholders(template) if n not in names]
        names = [n for n in names if TYPES[n] != conditions.CODES]
        q = conditions.to_q(condition, column, codes_q, TYPES, NON_NULL)
        compiled.append(CompiledRule(rule, condition, q, names))
    return compiled


def compile_findings(rule_set: RuleSet | None) -> list[CompiledRule]:
    """The rules of a set that a run turns into flags, compiled with the whole set."""
    if rule_set is None:
        return []
    return [c for c in compile_rules(rule_set.rules.all()) if c.rule.kind not in Rule.NOT_FINDINGS]


def validate_rule(
    *,
    kind: str,
    condition: Any,
    message: str,
    message_en: str = "",
    program: str = "",
    definitions: Collection[str] = (),
) -> None:
    """Refuse a malformed rule with a message the editor can act on. `definitions`: the codes
    of the definitions in the rule's set, the only ones its condition may name."""
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
    kinds, named = conditions.references(condition)
    if kind == Rule.Kind.EXCLUSION and kinds:
        message = _("An exclusion criterion cannot refer to other rules.")
        raise ValidationError({"condition": ValidationError(message, code="self_reference")})
    # Only exclusion criteria may be referred to: they refer to no rule themselves, so an
    # expansion is one level deep and can never loop (an inclusion rule naming "inclusion"
    # would otherwise expand itself forever).
    if kinds - {Rule.Kind.EXCLUSION}:
        message = _("A rule can refer only to the exclusion criteria.")
        raise ValidationError({"condition": ValidationError(message, code="self_reference")})
    if kind == Rule.Kind.DEFINITION and (kinds or named):
        message = _("A definition cannot refer to rules or to other definitions.")
        raise ValidationError({"condition": ValidationError(message, code="self_reference")})
    for code in sorted(set(named) - set(definitions)):
        message = _("This rule set has no definition “%(code)s”.")
        error = ValidationError(message, code="unknown_definition", params={"code": code})
        raise ValidationError({"condition": error})


# --- rule sets and versions ----------------------------------------------------------------


def active_rule_set() -> RuleSet | None:
    return RuleSet.objects.filter(status=RuleSet.Status.ACTIVE).first()


def rule_set_fingerprint(rule_set: RuleSet) -> str:
    """What a person confirms when activating: the set's rules (code, version and every edited
    field), hashed. The confirmation page carries it, so an edit made after the diff was read
    makes the activation stale instead of activating unseen rules."""
    rows = sorted(rule_set.rules.values_list("code", "version", *RULE_FIELDS))
    return hashlib.sha256(json.dumps(rows, sort_keys=True, default=str).encode()).hexdigest()[:16]


def _reason_required() -> ValidationError:
    message = _("Write why the rules change: it is kept with the version and shown on activation.")
    return ValidationError({"reason": ValidationError(message, code="reason_required")})


@transaction.atomic
def create_draft_rule_set(*, by: User, reason: str = "") -> RuleSet:
    """The open draft, or a new one copied from the active set (one draft at a time). A new
    draft needs the reason for the change (issue 20); the open draft keeps its own."""
    draft = RuleSet.objects.select_for_update().filter(status=RuleSet.Status.DRAFT).first()
    if draft:
        return draft
    reason = reason.strip()
    if not reason:
        raise _reason_required()
    source = active_rule_set()
    last = RuleSet.objects.order_by("-version").values_list("version", flat=True).first() or 0
    draft = RuleSet.objects.create(
        version=last + 1, status=RuleSet.Status.DRAFT, created_by=by, reason=reason
    )
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


def _definitions(rule_set: RuleSet) -> set[str]:
    return set(rule_set.rules.filter(kind=Rule.Kind.DEFINITION).values_list("code", flat=True))


def _claim_draft(rule_set: RuleSet, **changes: Any) -> None:
    """Change a draft guarded on its status: a set activated or discarded meanwhile is stale."""
    claimed = RuleSet.objects.filter(pk=rule_set.pk, status=RuleSet.Status.DRAFT).update(
        updated_at=timezone.now(), **changes
    )
    if not claimed:
        raise ValidationError(_("This rule set was changed by someone else."), code="stale")


def _require_draft(rule_set: RuleSet) -> None:
    if rule_set.status != RuleSet.Status.DRAFT:
        raise ValidationError(
            _("Version %(v)s is %(status)s: only a draft can be changed."),
            code="not_draft",
            params={"v": rule_set.version, "status": rule_set.get_status_display()},
        )


@transaction.atomic
def set_rule_set_reason(*, rule_set: RuleSet, reason: str, by: User) -> RuleSet:
    """Rewrite a draft's reason for the change; it cannot be emptied."""
    _require_draft(rule_set)
    reason = reason.strip()
    if not reason:
        raise _reason_required()
    _claim_draft(rule_set, reason=reason)
    rule_set.refresh_from_db()
    return rule_set


@transaction.atomic
def discard_rule_set(*, rule_set: RuleSet, by: User) -> RuleSet:
    """Give up a draft: it is kept as discarded (who, when), its rules unchanged and never
    applied; the next draft is a new version copied from the active set."""
    _require_draft(rule_set)
    _claim_draft(
        rule_set, status=RuleSet.Status.DISCARDED, discarded_at=timezone.now(), discarded_by=by
    )
    rule_set.refresh_from_db()
    return rule_set


@transaction.atomic
def save_rule(
    *, rule: Rule | None, code: str = "", data: dict[str, Any], by: User, reason: str = ""
) -> Rule:
    """Save a rule's edit. An active or retired rule is never changed: the edit goes to the
    draft set as the rule's next version. `rule` None adds a new rule to the draft. Without
    an open draft, `reason` is the new draft's reason for the change (required)."""
    data = {"message_en": "", "program": "", **data}  # API clients may send neither
    if rule is not None and rule.rule_set.status == RuleSet.Status.DISCARDED:
        _require_draft(rule.rule_set)
    # Rolled back with the transaction if the rule is refused below.
    draft = create_draft_rule_set(by=by, reason=reason)
    validate_rule(
        kind=data["kind"],
        condition=data["condition"],
        message=data["message"],
        message_en=data["message_en"],
        program=data["program"],
        definitions=_definitions(draft),
    )
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
def activate_rule_set(*, rule_set: RuleSet, by: User, seen: str) -> RuleSet:
    """Make a draft the active set; the active one retires. The next run applies it. `seen`
    is the fingerprint of the rules the person confirmed (rule_set_fingerprint): a draft
    edited since is refused as stale. Activation is recorded (who, when) with the draft's
    reason, which it needs."""
    if rule_set.status != RuleSet.Status.DRAFT:
        raise ValidationError(_("Only a draft can be activated."), code="not_draft")
    if not rule_set.reason.strip():
        raise _reason_required()
    if seen != rule_set_fingerprint(rule_set):
        message = _("The draft was changed after you read the changes. Read them again.")
        raise ValidationError(message, code="stale")
    definitions = _definitions(rule_set)
    for code in REQUIRED_DEFINITIONS:
        if code not in definitions:
            raise ValidationError(
                _(
                    "A rule set needs the definition “%(code)s” (a rule of the kind "
                    "“definition” with that code): the dashboards and the rules read it."
                ),
                code="definition_missing",
                params={"code": code},
            )
    for rule in rule_set.rules.all():
        validate_rule(
            kind=rule.kind,
            condition=rule.condition,
            message=rule.message,
            message_en=rule.message_en,
            program=rule.program,
            definitions=definitions,
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
            # Graduated families back in poverty (issue 21 part 4): few, read one by one.
            from eligibility.graduation import detect_relapses

            detect_relapses()
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
    whole run restricted to it, so a household page is always current; and record its relapse
    if it graduated and is back in poverty (eligibility.graduation)."""
    rule_set = active_rule_set()
    if rule_set is None:
        return
    from eligibility.graduation import detect_relapses  # it calls back into this module

    with transaction.atomic():
        apply_rules(rule_set=rule_set, run=None, household_ids=[household_id])
        detect_relapses(household_ids=[household_id])


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
    compiled = compile_findings(rule_set)
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
