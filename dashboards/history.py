"""The indicators as they stood at past moments, rebuilt from the records' own dates (issue 18,
point 10), for `backfill_snapshots`. Numbers only, city-wide, like IndicatorSnapshot.

At a moment T (a month's first day, 00:00 in TIME_ZONE: when the monthly snapshot would have
been taken) each indicator reads:

- households, persons: households created before T, with their member count at T;
- poor households: income, member count and desil at T. Today's values, unless the change
  history (ChangeRecord) shows a change after T: its old value is the value at T. The test
  is `selectors.is_poor`, the Python twin of `poor_q` (a test keeps them in agreement);
- aid recipients: an enrolment whose period covers T (start on or before T's date; an
  active one without an end, or one whose end date is after T). Suspended enrolments and
  ended ones without an end date are not counted: the registry does not say when;
- inclusion errors: aid recipients at T with an exclusion-rule flag raised (by a run) before
  T and not resolved by T; a flag a verifier dismissed is left out, as it is today;
- exclusion errors: poor at T and no aid at T;
- open and overdue referrals: each referral's status at T is the one its last event before
  T moved it to (its history); overdue when that status is on the agency's clock and its
  due date is before T's date.

Deleted households are not in the registry any more and are not counted. One pass over each
table, whatever the number of months: on 300,000 households twelve months take seconds.
"""

import bisect
import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils import timezone

from dashboards.indicators import CODES
from dashboards.selectors import Counts, is_poor
from eligibility.models import Flag, Rule
from households.models import ChangeRecord, Enrolment, Household
from referrals.models import ON_AGENCY_CLOCK, OPEN, Referral, ReferralEvent

# Household fields that make a household poor, followed through the change history.
TRACKED = ("monthly_income", "welfare_decile", "member_count")


@dataclass
class _Household:
    kelurahan_id: int
    created_at: datetime.datetime
    current: dict[str, int | None]
    # field → [(time of the change, value before it)], oldest first
    changes: dict[str, list[tuple[datetime.datetime, int | None]]] = field(default_factory=dict)

    def value_at(self, name: str, moment: datetime.datetime) -> int | None:
        for changed_at, before in self.changes.get(name, ()):
            if changed_at >= moment:
                return before
        return self.current[name]


def _households(since: datetime.datetime) -> dict[int, _Household]:
    households = {
        pk: _Household(kel, created, dict(zip(TRACKED, values, strict=True)))
        for pk, kel, created, *values in Household.objects.values_list(
            "pk", "kelurahan_id", "created_at", *TRACKED
        ).iterator(chunk_size=5000)
    }
    records = ChangeRecord.objects.filter(
        entity="household", action=ChangeRecord.Action.UPDATED, created_at__gte=since
    ).order_by("created_at", "pk")
    for pk, changed_at, changes in records.values_list(
        "object_id", "created_at", "changes"
    ).iterator(chunk_size=5000):
        household = households.get(pk)
        if household is None:
            continue
        for name in TRACKED:
            if name in changes:
                before = changes[name][0]
                value = int(before) if isinstance(before, int | str) and before != "" else None
                household.changes.setdefault(name, []).append((changed_at, value))
    return households


def _enrolments() -> dict[int, list[tuple[datetime.date, datetime.date | None]]]:
    periods: dict[int, list] = defaultdict(list)
    rows = Enrolment.objects.filter(
        Q(status=Enrolment.Status.ACTIVE) | Q(status=Enrolment.Status.ENDED, end_date__isnull=False)
    ).values_list("household_id", "start_date", "end_date")
    for household_id, start, end in rows.iterator(chunk_size=5000):
        periods[household_id].append((start, end))
    return periods


def _aided(periods, day: datetime.date) -> bool:
    return any(start <= day and (end is None or end > day) for start, end in periods)


def _flags() -> dict[int, list[tuple[datetime.datetime, datetime.datetime | None]]]:
    raised: dict[int, list] = defaultdict(list)
    rows = Flag.objects.filter(rule__kind=Rule.Kind.EXCLUSION).exclude(
        decision=Flag.Decision.DISMISSED
    )
    for household_id, created, resolved in rows.values_list(
        "household_id", "created_at", "resolved_at"
    ).iterator(chunk_size=5000):
        raised[household_id].append((created, resolved))
    return raised


def _referrals() -> list[tuple[int, datetime.date | None, list, list]]:
    """(kelurahan id, due date, event times, statuses after them) per referral."""
    histories: dict[int, tuple[list, list]] = defaultdict(lambda: ([], []))
    events = ReferralEvent.objects.order_by("referral_id", "created_at", "pk")
    for referral_id, created, to_status in events.values_list(
        "referral_id", "created_at", "to_status"
    ).iterator(chunk_size=5000):
        times, statuses = histories[referral_id]
        times.append(created)
        statuses.append(to_status)
    rows = Referral.objects.values_list("pk", "household__kelurahan_id", "due_date")
    return [(kel, due, *histories[pk]) for pk, kel, due in rows.iterator(chunk_size=5000)]


def counts_at(moments: list[datetime.datetime]) -> dict[datetime.datetime, Counts]:
    """Every indicator per kelurahan at each of `moments` (aware datetimes)."""
    if not moments:
        return {}
    households = _households(min(moments))
    periods = _enrolments()
    flags = _flags()
    referrals = _referrals()
    result: dict[datetime.datetime, Counts] = {}
    for moment in moments:
        day = timezone.localtime(moment).date()
        counts: Counts = defaultdict(lambda: dict.fromkeys(CODES, 0))
        for pk, household in households.items():
            if household.created_at >= moment:
                continue
            row = counts[household.kelurahan_id]
            members = household.value_at("member_count", moment) or 0
            row["households"] += 1
            row["persons"] += members
            poor = is_poor(
                income=household.value_at("monthly_income", moment),
                members=members,
                decile=household.value_at("welfare_decile", moment),
            )
            aided = _aided(periods.get(pk, ()), day)
            row["poor_households"] += poor
            row["aid_recipients"] += aided
            row["exclusion_errors"] += poor and not aided
            if aided and any(
                created < moment and (resolved is None or resolved >= moment)
                for created, resolved in flags.get(pk, ())
            ):
                row["inclusion_errors"] += 1
        for kelurahan_id, due, times, statuses in referrals:
            index = bisect.bisect_left(times, moment)
            if not index:
                continue  # not yet sent
            status = statuses[index - 1]
            row = counts[kelurahan_id]
            row["open_referrals"] += status in OPEN
            row["overdue_referrals"] += status in ON_AGENCY_CLOCK and due is not None and due < day
        result[moment] = {pk: dict(values) for pk, values in counts.items()}
    return result
