"""Scoped reads of flags: pages and API start here. A flag is visible with its household."""

from django.contrib.auth.models import User
from django.db.models import Count, OuterRef, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from eligibility.conditions import CODES as CODES_TYPE
from eligibility.conditions import fields_used
from eligibility.fields import TYPES, annotate
from eligibility.models import Flag, ReviewDecision, Rule, RuleSet, Run
from eligibility.services import CompiledRule, compile_rules
from households.choices import reference_rows
from households.models import Household
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


def program_criteria() -> dict[str, CompiledRule]:
    """Each program's criteria in the active rule set, compiled, by program code (issue 18,
    item 11): the dashboards count who qualifies with them. No active set: none."""
    # The active set's rules from the process copy (households.choices): the planning and
    # programs pages show the criteria's words, and each query counts there (issue 17: ≤ 8).
    active = Rule.objects.filter(rule_set__status=RuleSet.Status.ACTIVE).order_by("code")
    rules = reference_rows(active)
    # Compiled with the whole set, so a criterion may refer to another kind ("rule_kind").
    return {c.rule.program: c for c in compile_rules(rules) if c.rule.kind == Rule.Kind.PROGRAM}


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
