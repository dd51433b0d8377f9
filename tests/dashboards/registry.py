"""A crafted registry with known exact numbers for every indicator.

Margahayu (kecamatan Bekasi Timur) and Bintara (Bekasi Barat). The expected figures are
written out by hand in EXPECTED; households A and F fall in several categories at once.
"""

import datetime
from dataclasses import dataclass

from django.utils import timezone

from eligibility.models import Flag, Rule, RuleSet
from households.models import Agency, Assessment, Enrolment, Household, Region
from referrals.models import NeedCategory, Plan, Referral, Status
from tests.households.factories import EnrolmentFactory, UserFactory, household_with_members


def today():
    """Read at each use (pages count overdue against the real today): a module-level date goes
    stale when a run crosses midnight WIB."""
    return timezone.localdate()


LINE = 731_392  # settings.POVERTY_LINE's default

# kelurahan code → indicator → count
EXPECTED = {
    "32.75.01.1002": {  # Margahayu
        "households": 4,
        "persons": 3 + 2 + 3 + 1,
        "poor_households": 2,  # A (income), B (desil)
        "aid_recipients": 2,  # A, C
        "inclusion_errors": 1,  # A: open car-owner finding; C's was dismissed
        "exclusion_errors": 1,  # B
        "assessed_households": 2,  # A (twice), B
        "households_with_plan": 1,  # A; C's plan is closed
        "graduated_households": 0,  # issue 21 part 4: no graduation in the crafted registry
        "relapsed_households": 0,
        "open_referrals": 2,  # submitted (late) and returned
        "overdue_referrals": 1,  # the returned one waits on its origin, not the agency
    },
    "32.75.02.1001": {  # Bintara
        "households": 1,
        "persons": 4,
        "poor_households": 1,  # F (income and desil both)
        "aid_recipients": 1,
        "inclusion_errors": 0,  # F's finding no longer holds
        "exclusion_errors": 0,
        "assessed_households": 1,  # F, without a plan
        "households_with_plan": 0,
        "graduated_households": 0,
        "relapsed_households": 0,
        "open_referrals": 1,
        "overdue_referrals": 0,
    },
}


@dataclass
class Registry:
    households: list[Household]
    dinkes: Agency


def _flag(household, rule, *, status=Flag.Status.OPEN, decision=""):
    Flag.objects.create(
        household=household, rule=rule, rule_code=rule.code, status=status, decision=decision
    )


def crafted_registry() -> Registry:
    margahayu = Region.objects.get(code="32.75.01.1002")
    bintara = Region.objects.get(code="32.75.02.1001")
    rule_set = RuleSet.objects.create(version=900, status=RuleSet.Status.DRAFT)
    car = Rule.objects.create(
        rule_set=rule_set, code="car_test", name_id="Mobil", name_en="Car",
        kind=Rule.Kind.EXCLUSION, condition={}, message="",
    )  # fmt: skip
    quality = Rule.objects.create(
        rule_set=rule_set, code="quality_test", name_id="Mutu", name_en="Quality",
        kind=Rule.Kind.DATA_QUALITY, condition={}, message="",
    )  # fmt: skip
    # A: poor by income only (1,000,000 for 3 = 333,333 < line), aided, open car finding.
    a = household_with_members(margahayu, size=3, monthly_income=1_000_000, welfare_decile=7)
    EnrolmentFactory(household=a)
    _flag(a, car)
    # B: poor by desil only (5,000,000 a head), no program: an exclusion error.
    b = household_with_members(margahayu, size=2, monthly_income=10_000_000, welfare_decile=2)
    # C: not poor (exactly the line per head is not below it), aided, finding dismissed.
    c = household_with_members(margahayu, size=3, monthly_income=3 * LINE, welfare_decile=8)
    EnrolmentFactory(household=c)
    _flag(c, car, decision=Flag.Decision.DISMISSED)
    # D: nothing known about income, enrolment ended, only a data-quality finding.
    d = household_with_members(margahayu, size=1, monthly_income=None, welfare_decile=None)
    EnrolmentFactory(household=d, status=Enrolment.Status.ENDED)
    _flag(d, quality)
    # F: poor both ways, aided, its car finding resolved by a later run.
    f = household_with_members(bintara, size=4, monthly_income=400_000, welfare_decile=1)
    EnrolmentFactory(household=f)
    _flag(f, car, status=Flag.Status.RESOLVED)

    dinkes = Agency.objects.get(code="dinkes")
    category, _ = NeedCategory.objects.get_or_create(
        code="kesehatan-uji",
        defaults={"name": "Kesehatan", "default_agency": dinkes, "deadline_days": 14},
    )
    origin = UserFactory(username="origin")
    late = today() - datetime.timedelta(days=3)
    for household, status, due, agency in (
        (a, Status.SUBMITTED, late, dinkes),
        (b, Status.RETURNED, late, Agency.objects.get(code="dinsos")),
        (c, Status.RESOLVED, late, dinkes),
        (f, Status.ACCEPTED, today() + datetime.timedelta(days=5), dinkes),
    ):
        Referral.objects.create(
            household=household, category=category, description="perlu bantuan",
            origin_user=origin, agency=agency, status=status, due_date=due,
        )  # fmt: skip
    # Issue 21: A assessed twice and planned; B assessed; C's plan closed; F assessed.
    for household, version in ((a, 1), (a, 2), (b, 1), (f, 1)):
        Assessment.objects.create(
            household=household, version=version, assessed_on=today(), assessed_by=origin
        )
    Plan.objects.create(household=a, made_on=today(), made_by=origin)
    Plan.objects.create(household=c, made_on=today(), made_by=origin, closed_on=today())
    return Registry(households=[a, b, c, d, f], dinkes=dinkes)
