"""Scoped reads of flags: pages and API start here. A flag is visible with its household."""

import datetime
from dataclasses import dataclass, field

from django.contrib.auth.models import User
from django.db.models import (
    Case,
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from eligibility.conditions import CODES as CODES_TYPE
from eligibility.conditions import fields_used
from eligibility.fields import TYPES, annotate
from eligibility.models import (
    POOR,
    CaseAssignment,
    CaseDecision,
    Consequence,
    DismissalReason,
    Flag,
    Graduation,
    ReviewDecision,
    Rule,
    RuleSet,
    Run,
)
from eligibility.services import CompiledRule, compile_rules
from households.choices import reference_rows
from households.models import Enrolment, Household, Program
from households.scope import scope_for
from households.selectors import access_household, log_household_read, visible_households
from slrt.db import count_of


def visible_flags(user: User) -> QuerySet[Flag]:
    scope = scope_for(user)
    flags = Flag.objects.select_related("rule__rule_set", "household__kelurahan__parent")
    if not scope.personal_data:
        return flags.none()
    if scope.city_wide:
        return flags
    if scope.agency_id is not None:
        # Agency staff serve a referral, not a family's eligibility (issue 16): findings only
        # of a household opened by an emergency grant.
        return flags.filter(household_id__in=scope.granted_household_ids)
    return flags.filter(household__in=visible_households(user))


def access_household_findings(user: User, pk: int) -> Household:
    """A household whose eligibility findings the user may read: as access_household, but not
    for agency staff who see it only through a referral (issue 16, need-to-know)."""
    household = access_household(user, pk)
    if scope_for(user).needs_to_know(household.pk):
        raise Http404
    return household


def access_flag(user: User, pk: int) -> Flag:
    """One flag with its household's receipt: a read of the household (logged outside one's
    own kelurahan, issue 7)."""
    flag = get_object_or_404(visible_flags(user), pk=pk)
    log_household_read(user, flag.household, via=f"flag {flag.pk}")
    return flag


def visible_decisions(user: User) -> QuerySet[ReviewDecision]:
    return ReviewDecision.objects.filter(flag__in=visible_flags(user)).select_related(
        "flag__rule", "flag__household", "decided_by"
    )


def visible_runs(user: User) -> QuerySet[Run]:
    """Complete runs only: a run in progress has written nothing anyone should read."""
    if not scope_for(user).personal_data:
        return Run.objects.none()
    return Run.objects.filter(status=Run.Status.COMPLETE).select_related("rule_set")


def rule_sets() -> QuerySet[RuleSet]:
    return RuleSet.objects.annotate(rule_count=Count("rules")).order_by("-version")


def rules() -> QuerySet[Rule]:
    return Rule.objects.select_related("rule_set")


def active_rules_with_decisions(user: User) -> list[Rule]:
    """The active set's rules in code order, each with the flags of its code (any version of
    the rule) decided in the user's scope, how many were dismissed and that share in percent
    (None before any decision), so noisy rules show: the flag queue's rule filter and its
    table in one query (issue 17). A code no longer in the active set has no row. The counts
    read the partial index of decided flags (eligibility_flag_decided_rule)."""
    decided = visible_flags(user).filter(rule_code=OuterRef("code")).exclude(decision="")
    rules = list(
        Rule.objects.filter(rule_set__status=RuleSet.Status.ACTIVE)
        .findings()
        .annotate(
            decided=count_of(decided),
            dismissed=count_of(decided.filter(decision=Flag.Decision.DISMISSED)),
        )
        .order_by("code")
    )
    for rule in rules:
        rule.share = round(100 * rule.dismissed / rule.decided) if rule.decided else None
    return rules


def _active_compiled() -> list[CompiledRule]:
    """The active set's rules, compiled with the whole set (a criterion may refer to another
    kind, "rule_kind", or to a definition). Read from the process copy (households.choices):
    the dashboards show the criteria's and definitions' words, and each query counts there
    (issue 17: ≤ 8). No active set: none."""
    active = Rule.objects.filter(rule_set__status=RuleSet.Status.ACTIVE).order_by("code")
    return compile_rules(reference_rows(active))


def program_criteria() -> dict[str, CompiledRule]:
    """Each program's criteria in the active rule set, compiled, by program code (issue 18,
    item 11): the dashboards count who qualifies with them."""
    return {c.rule.program: c for c in _active_compiled() if c.rule.kind == Rule.Kind.PROGRAM}


def definition(code: str) -> CompiledRule | None:
    """The active set's definition `code` (a rule of kind definition), compiled: the one
    place a population such as "poor" is written (issue 19). Every reader of it, the
    dashboards' counts, their history and the rules that name it, reads this; activation
    refuses a set without the required ones (models.REQUIRED_DEFINITIONS)."""
    return next(
        (
            c
            for c in _active_compiled()
            if c.rule.kind == Rule.Kind.DEFINITION and c.rule.code == code
        ),
        None,
    )


def poor_definition() -> CompiledRule | None:
    """ "Poor household" as the active rule set defines it (eligibility.models.POOR)."""
    return definition(POOR)


def exclusion_criteria() -> list[CompiledRule]:
    """The active set's exclusion rules (car owner, ASN/TNI/Polri, electricity, ...),
    compiled: what "the city's rules exclude it" means to the national reconciliation (issue
    22), read from the same process copy as the definitions."""
    return [c for c in _active_compiled() if c.rule.kind == Rule.Kind.EXCLUSION]


@dataclass
class ReasonCount:
    reason: str
    count: int


@dataclass
class DismissRate:
    """One rule's decisions in a period: how many, how many dismissed, and why."""

    code: str
    name: str
    decided: int = 0
    dismissed: int = 0
    reasons: list[ReasonCount] = field(default_factory=list)

    @property
    def share(self) -> int | None:
        return round(100 * self.dismissed / self.decided) if self.decided else None


def dismiss_rates(user: User, *, start: datetime.date, end: datetime.date) -> list[DismissRate]:
    """Per rule (by code, named as in the active set, else its latest version), the decisions
    made from `start` to `end` (local dates, inclusive) on flags in the user's scope, the
    dismissed among them and their reasons, most frequent first; every finding rule of the
    active set has a row, decided or not. The noisiest rule comes first. Each decision
    counts (a flag decided twice counts twice: both were a verifier's work)."""
    zone = timezone.get_current_timezone()
    since = datetime.datetime.combine(start, datetime.time.min, tzinfo=zone)
    until = datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time.min, zone)
    decisions = visible_decisions(user).filter(created_at__gte=since, created_at__lt=until)
    names = dict(
        _rule_names(Rule.objects.exclude(kind=Rule.Kind.PROGRAM).select_related("rule_set"))
    )
    active = Rule.objects.filter(rule_set__status=RuleSet.Status.ACTIVE).findings()
    rates = {
        code: DismissRate(code, names.get(code, code))
        for code in active.values_list("code", flat=True)
    }
    counted = decisions.values("flag__rule_code", "decision").annotate(n=Count("pk")).order_by()
    for row in counted:
        code = row["flag__rule_code"]
        rate = rates.setdefault(code, DismissRate(code, names.get(code, code)))
        rate.decided += row["n"]
        if row["decision"] == Flag.Decision.DISMISSED:
            rate.dismissed += row["n"]
    reasons = (
        decisions.filter(decision=Flag.Decision.DISMISSED)
        .values("flag__rule_code", "reason")
        .annotate(n=Count("pk"))
        .order_by("-n", "reason")
    )
    for row in reasons:
        reason = " ".join(row["reason"].split()) or _("(no reason given)")
        rates[row["flag__rule_code"]].reasons.append(ReasonCount(reason, row["n"]))
    return sorted(rates.values(), key=lambda r: (-(r.share or -1), -r.decided, r.name))


def _rule_names(rules: QuerySet[Rule]) -> list[tuple[str, str]]:
    """(code, name in the reader's language), oldest version first, the active set last: a
    later name wins."""
    ordered = sorted(
        rules, key=lambda r: (r.rule_set.status == RuleSet.Status.ACTIVE, r.rule_set.version)
    )
    return [(rule.code, rule.name) for rule in ordered]


# A house unfit to live in is one that meets the Rutilahu program's criteria in the active
# rule set (issue 18, item 11): the planning page counts these households and a family's needs
# assessment suggests the need for them (issue 21), so a verifier who changes the criteria
# changes both.
UNFIT_HOUSE_PROGRAM = "rutilahu"


def unfit_houses(households: QuerySet[Household]) -> QuerySet[Household] | None:
    """The households of `households` whose house is unfit to live in; None: the active rule
    set has no Rutilahu criteria, so the need is not defined now."""
    criteria = program_criteria().get(UNFIT_HOUSE_PROGRAM)
    if criteria is None:
        return None
    names = [n for n in fields_used(criteria.condition) if TYPES[n] != CODES_TYPE]
    return annotate(households, names).filter(criteria.q)


# --- review cases (issue 20) ------------------------------------------------------------------


def receives_aid_q(program: str, household_ref: str = "pk") -> Q:
    """Households with an active enrolment: in any program (`program` "any"), in none
    ("none"), or in the program of this code. `household_ref` names the household's id in
    the filtered rows ("pk" for households, "household_id" for flags)."""
    active = Enrolment.objects.filter(
        household_id=OuterRef(household_ref), status=Enrolment.Status.ACTIVE
    )
    if program == "none":
        return ~Q(Exists(active))
    if program != "any":
        active = active.filter(program__code=program)
    return Q(Exists(active))


def visible_cases(user: User) -> QuerySet[Household]:
    """One row per household with open or decided findings the user may read: the review
    cases. Each carries `open_count`, the findings still to decide."""
    flags = visible_flags(user).filter(Q(status=Flag.Status.OPEN) | ~Q(decision=""))
    undecided = Flag.objects.filter(
        household_id=OuterRef("pk"), status=Flag.Status.OPEN, decision=""
    )
    return (
        Household.objects.filter(pk__in=flags.values("household_id"))
        .select_related("kelurahan__parent")
        .annotate(open_count=count_of(undecided))
    )


def with_case_details(households: QuerySet[Household]) -> QuerySet[Household]:
    """Each case with its findings, decisions with their consequences, and active programs
    prefetched: a fixed number of queries for a page or an API list."""
    findings = (
        Flag.objects.filter(Q(status=Flag.Status.OPEN) | ~Q(decision=""))
        .select_related("rule")
        .order_by("rule_code", "pk")
    )
    decisions = CaseDecision.objects.select_related("decided_by").prefetch_related(
        Prefetch("consequences", queryset=Consequence.objects.select_related("enrolment__program"))
    )
    active = Enrolment.objects.filter(status=Enrolment.Status.ACTIVE).select_related("program")
    return households.prefetch_related(
        Prefetch("eligibility_flags", queryset=findings, to_attr="findings"),
        Prefetch("case_decisions", queryset=decisions, to_attr="decisions"),
        Prefetch("enrolments", queryset=active, to_attr="active_enrolments"),
    )


def access_case(user: User, pk: int) -> Household:
    """A household's review case, with its reviewer: as access_household_findings (not for
    agency staff who see the family through a referral), a logged read."""
    if scope_for(user).needs_to_know(pk):
        raise Http404
    household = get_object_or_404(
        visible_households(user).select_related(
            "kelurahan__parent", "created_by", "case_assignment__assignee"
        ),
        pk=pk,
    )
    log_household_read(user, household, via="case")
    return household


def active_rule_choices() -> list[tuple[str, str]]:
    """(code, name) of the active set's findings rules, from the process copy: the queue's
    rule filter where no counts are needed (the next case)."""
    active = Rule.objects.filter(rule_set__status=RuleSet.Status.ACTIVE).findings()
    return [(rule.code, rule.name) for rule in reference_rows(active.order_by("code"))]


def reviewers(household: Household) -> QuerySet[User]:
    """Who may be given the household's case: the Verifikator group, and whoever has it now."""
    from households.roles import Role

    return (
        User.objects.filter(
            Q(groups__name=Role.VERIFIKATOR, is_active=True)
            | Q(pk__in=CaseAssignment.objects.filter(household=household).values("assignee_id"))
        )
        .distinct()
        .order_by("username")
    )


def household_decisions(household: Household) -> QuerySet[CaseDecision]:
    """The case decisions on a household, newest first, with who, the findings decided and
    the consequences: for the household page (who, when, why)."""
    return (
        CaseDecision.objects.filter(household=household)
        .select_related("decided_by")
        .prefetch_related(
            Prefetch(
                "decisions",
                queryset=ReviewDecision.objects.select_related(
                    "flag__rule", "standard_reason"
                ).order_by("flag__rule_code"),
            ),
            Prefetch(
                "consequences", queryset=Consequence.objects.select_related("enrolment__program")
            ),
        )
    )


def dismissal_reasons() -> list[DismissalReason]:
    """The standard reasons, from the process copy (households.choices: they change rarely)."""
    return reference_rows(DismissalReason.objects.filter(is_active=True))


def with_programs(flags: QuerySet[Flag]) -> QuerySet[Flag]:
    """Each flag's household's active programs as `program_<id>` columns in the flags' own
    query: 0 not enrolled, 1 enrolled, 2 enrolled and recommended for removal (issue 20), so
    the queue needs no query more for them (issue 17: 8 a page)."""
    columns = {}
    for program in reference_rows(Program.objects.order_by("code")):
        state = (
            Enrolment.objects.filter(
                household_id=OuterRef("household_id"),
                program_id=program.pk,
                status=Enrolment.Status.ACTIVE,
            )
            .annotate(
                state=Case(
                    When(removal_recommended_at__isnull=False, then=Value(2)), default=Value(1)
                )
            )
            .order_by("-state")
            .values("state")[:1]
        )
        columns[f"program_{program.pk}"] = Coalesce(
            Subquery(state, output_field=IntegerField()), Value(0)
        )
    return flags.annotate(**columns)


def programs_of(flag: Flag) -> list[tuple[str, bool]]:
    """(program code, removal recommended) of a flag from with_programs, by code."""
    programs = reference_rows(Program.objects.order_by("code"))
    states = [(p.code.upper(), getattr(flag, f"program_{p.pk}", 0)) for p in programs]
    return [(code, state == 2) for code, state in states if state]


# --- graduation (issue 21 part 4) ------------------------------------------------------------


def visible_graduations(user: User) -> QuerySet[Graduation]:
    """Graduations of the households the user sees, scoped exactly like households."""
    return Graduation.objects.filter(household__in=visible_households(user))


def access_graduation(user: User, pk: int) -> Graduation:
    """One graduation in scope (404 outside), its family's read logged."""
    graduation = get_object_or_404(
        visible_graduations(user).select_related(
            "household__kelurahan__parent", "proposed_by", "decided_by"
        ),
        pk=pk,
    )
    log_household_read(user, graduation.household, via="graduation")
    return graduation


def graduation_queue(user: User) -> QuerySet[Graduation]:
    """Proposals awaiting a verifier, oldest first."""
    return (
        visible_graduations(user)
        .proposed()
        .select_related("household__kelurahan__parent", "proposed_by")
        .order_by("created_at", "pk")
    )


def household_graduations(user: User, household: Household) -> list[Graduation]:
    return list(
        visible_graduations(user)
        .filter(household=household)
        .select_related("proposed_by", "decided_by", "relapse")
    )
