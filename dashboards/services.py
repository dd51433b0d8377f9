"""Monthly snapshots (issue 6, item 3)."""

import datetime
import re

from django.db import transaction
from django.utils import timezone

from dashboards.indicators import CODES
from dashboards.models import IndicatorSnapshot
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
