"""Numbers only, so aggregate-only roles may call them (STYLE.md section 4).

Per-kelurahan counts come from one grouped query over households (and one over referrals per
referral indicator); kecamatan and city figures are summed from them in Python by
`dashboards.tree`, so the three levels always add up.
"""

import datetime

from django.conf import settings
from django.contrib.auth.models import User
from django.db.models import BigIntegerField, Count, Exists, F, OuterRef, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from dashboards.indicators import CODES, HOUSEHOLD_CODES, REFERRAL_CODES
from eligibility.models import Flag, Rule
from households.models import Enrolment, Household, Region
from households.scope import scope_for
from referrals.models import Referral

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


def poor_q() -> Q:
    """Per-capita income below the poverty line, or desil 1–4. income / members < line is
    written income < line × members: exact in integers and no division by zero."""
    line = Value(int(settings.POVERTY_LINE), output_field=BigIntegerField())
    below_line = Q(member_count__gt=0, monthly_income__lt=F("member_count") * line)
    return below_line | Q(welfare_decile__lte=4)


def _aided() -> Exists:
    return Exists(
        Enrolment.objects.filter(household_id=OuterRef("pk"), status=Enrolment.Status.ACTIVE)
    )


def _flagged() -> Exists:
    """An open finding of an exclusion rule that no verifier dismissed."""
    flags = Flag.objects.open().filter(household_id=OuterRef("pk"), rule__kind=Rule.Kind.EXCLUSION)
    return Exists(flags.exclude(decision=Flag.Decision.DISMISSED))


def household_counts(kelurahan: QuerySet[Region]) -> Counts:
    """One grouped query: every household indicator per kelurahan."""
    rows = (
        Household.objects.filter(kelurahan__in=kelurahan)
        .alias(aided=_aided(), flagged=_flagged())
        .values("kelurahan_id")
        .annotate(
            households=Count("pk"),
            persons=Coalesce(Sum("member_count"), 0),
            poor_households=Count("pk", filter=poor_q()),
            aid_recipients=Count("pk", filter=Q(aided=True)),
            inclusion_errors=Count("pk", filter=Q(aided=True, flagged=True)),
            exclusion_errors=Count("pk", filter=poor_q() & Q(aided=False)),
        )
        .order_by()
    )
    return {row.pop("kelurahan_id"): row for row in rows}


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


def live_counts(user: User, *, today: datetime.date | None = None) -> Counts:
    """Every indicator the user may see, per kelurahan in their scope."""
    scope = scope_for(user)
    codes = indicator_codes_for(user)
    kelurahan = regions_for(user)
    counts: Counts = {}
    if set(codes) & set(HOUSEHOLD_CODES):
        counts = household_counts(kelurahan)
    if set(codes) & set(REFERRAL_CODES):
        referrals = referral_counts(kelurahan, agency_id=scope.agency_id, today=today)
        for kelurahan_id, values in referrals.items():
            counts.setdefault(kelurahan_id, {}).update(values)
    return counts


def as_of() -> datetime.datetime:
    return timezone.localtime()
