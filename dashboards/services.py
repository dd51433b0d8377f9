"""Monthly snapshots (issue 6, item 3)."""

import datetime
import re

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from dashboards import needs
from dashboards.indicators import CODES
from dashboards.models import IndicatorSnapshot, UnitCost
from dashboards.selectors import household_counts, referral_counts
from households.models import Region


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def parse_month(text: str) -> datetime.date:
    """ "2026-11" → 1 November 2026; ValueError for anything else."""
    if not re.fullmatch(r"\d{4}-\d{2}", text):
        raise ValueError(text)
    return datetime.date.fromisoformat(f"{text}-01")


@transaction.atomic
def snapshot_indicators(*, month: datetime.date | None = None) -> int:
    """Store every kelurahan's indicators for `month` (default: this month), replacing rows
    already stored for it: re-running a month is idempotent. Counts are city-wide, taken now;
    overdue is counted against today. Returns the number of kelurahan stored."""
    month = month_start(month or timezone.localdate())
    kelurahan = Region.objects.filter(level=Region.Level.KELURAHAN)
    counts = household_counts(kelurahan)
    for kelurahan_id, values in referral_counts(kelurahan).items():
        counts.setdefault(kelurahan_id, {}).update(values)
    IndicatorSnapshot.objects.filter(month=month).delete()
    rows = [
        IndicatorSnapshot(
            month=month,
            kelurahan_id=pk,
            **{code: counts.get(pk, {}).get(code, 0) for code in CODES},
        )
        for pk in kelurahan.values_list("pk", flat=True)
    ]
    IndicatorSnapshot.objects.bulk_create(rows, batch_size=1000)
    return len(rows)


MAX_UNIT_COST = 10_000_000_000  # Rp 10 billion a unit: anything above is a typing slip


@transaction.atomic
def set_unit_cost(*, need: str, amount: int, by: User) -> UnitCost:
    """Set what one unit of a planning need costs (Rp a year). The caller must hold
    dashboards.change_unitcost (Perencana, Admin). Whole rupiah from 1 to MAX_UNIT_COST."""
    if need not in needs.BY_CODE:
        raise ValidationError(_("Unknown need."), code="unknown_need")
    if not 0 < amount <= MAX_UNIT_COST:
        raise ValidationError(
            _("A unit cost must be between Rp1 and Rp%(max)s."),
            code="out_of_range",
            params={"max": number_format(MAX_UNIT_COST, force_grouping=True)},
        )
    cost, _created = UnitCost.objects.update_or_create(
        need=need, defaults={"amount": amount, "updated_by": by}
    )
    return cost


@transaction.atomic
def set_unit_costs(*, amounts: dict[str, int], by: User) -> list[UnitCost]:
    """Set several unit costs together: all or none; an unchanged amount is left alone (its
    row keeps who set it). Errors come back keyed by need."""
    from dashboards.selectors import unit_costs

    current = unit_costs()
    saved, errors = [], {}
    for need, amount in amounts.items():
        if current.get(need) == amount:
            continue
        try:
            saved.append(set_unit_cost(need=need, amount=amount, by=by))
        except ValidationError as error:
            errors[need] = error.error_list
    if errors:
        raise ValidationError(errors)
    return saved
