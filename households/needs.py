"""Needs the registry suggests (issue 21): the conditions on a family's records that point to a
need, defined once. The planner's counts (dashboards.needs) and the needs assessment's
pre-filled suggestions (households.assessments) both read them, so a suggestion on a family's
assessment and the number on the planning page are the same people by construction.

A condition that only a higher app can evaluate (a house unfit to live in: the Rutilahu
criteria of the active rule set, eligibility's) is registered here by that app at start-up,
so households never imports it (STYLE.md section 2).
"""

import datetime
from collections.abc import Callable

from django.db.models import Q, QuerySet

from households.models.registry import Household, Member

OUT_OF_SCHOOL = "out_of_school"
DISABILITY = "disability"
UNEMPLOYED_HEAD = "unemployed_head"
UNFIT_HOUSE = "unfit_house"
UNINSURED = "uninsured"

# Compulsory schooling (wajib belajar 12 tahun): ages 7 to 18 at the day counted.
SCHOOL_AGE = (7, 18)


def years_before(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February in a year without one
        return day.replace(year=day.year - years, day=28)


def member_conditions(today: datetime.date) -> dict[str, Q]:
    """The member needs as conditions on living members, counted on `today`."""
    low, high = SCHOOL_AGE
    return {
        OUT_OF_SCHOOL: Q(
            birth_date__lte=years_before(today, low),
            birth_date__gt=years_before(today, high + 1),
            schooling__in=[Member.Schooling.NEVER, Member.Schooling.LEFT],
        ),
        DISABILITY: ~Q(disability__in=[Member.Disability.NONE, ""]),
        UNEMPLOYED_HEAD: Q(
            relationship=Member.Relationship.HEAD, occupation=Member.Occupation.NONE
        ),
        UNINSURED: Q(health_insurance=Member.HealthInsurance.NONE),
    }


# Household needs whose condition belongs to a higher app: {code: households -> the subset
# that has the need, or None when the condition is not defined now (no criteria)}.
_HOUSEHOLD_CONDITIONS: dict[str, Callable[[QuerySet[Household]], QuerySet[Household] | None]] = {}


def register_household_condition(
    code: str, condition: Callable[[QuerySet[Household]], QuerySet[Household] | None]
) -> None:
    _HOUSEHOLD_CONDITIONS[code] = condition


def household_needs(households: QuerySet[Household]) -> dict[str, QuerySet[Household] | None]:
    """For each registered household need, the households of `households` that have it."""
    return {code: condition(households) for code, condition in _HOUSEHOLD_CONDITIONS.items()}
