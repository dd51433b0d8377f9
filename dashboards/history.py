"""The indicators as they stood at past moments, rebuilt from the records' own dates (issue 18,
point 10), for `backfill_snapshots`. Numbers only, city-wide, like IndicatorSnapshot.

At a moment T (a month's first day, 00:00 in TIME_ZONE: when the monthly snapshot would have
been taken) each indicator reads:

- households, persons: households created before T, with their member count at T;
- poor households: the active rule set's definition of "poor" (eligibility.selectors.
  poor_definition, the one the overview counts in SQL), evaluated in Python by the field
  catalogue's readers (eligibility.conditions.evaluate, kept in agreement with the SQL by
  tests/eligibility/test_fields.py) over the household's values at T. The household columns
  it reads (income, member count, desil as seeded) are today's values, unless the change
  history (ChangeRecord) shows a change after T: its old value is the value at T. A field
  the history does not record (of members, enrolments) reads today's value;
- aid recipients: an enrolment whose period covers T (start on or before T's date; an
  active one without an end, or one whose end date is after T). Suspended enrolments and
  ended ones without an end date are not counted: the registry does not say when;
- inclusion errors: aid recipients at T with an exclusion-rule flag raised (by a run) before
  T and not resolved by T; a flag a verifier dismissed is left out, as it is today;
- exclusion errors: poor at T and no aid at T;
- families assessed: a needs assessment recorded before T; families with a plan: a plan made
  before T and not closed by T's date (issue 21);
- open and overdue referrals: each referral's status at T is the one its last event before
  T moved it to (its history); overdue when that status is on the agency's clock and its
  due date is before T's date;
- graduated and relapsed households (flows): graduations confirmed, relapses detected, in the
  calendar month that starts at T (dashboards.selectors.flow_counts, the same count).

Deleted households are not in the registry any more and are not counted. One pass over each
table, whatever the number of months: on 300,000 households twelve months take seconds.
"""

import bisect
import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Min, Q
from django.utils import timezone

from dashboards.indicators import CODES
from dashboards.selectors import Counts, flow_counts
from eligibility.conditions import CODES as CODES_TYPE
from eligibility.conditions import evaluate, fields_used
from eligibility.fields import CATALOGUE, Facts, annotate
from eligibility.models import Flag, Rule
from eligibility.selectors import poor_definition
from households.models import Assessment, ChangeRecord, Enrolment, Household, Region
from referrals.models import ON_AGENCY_CLOCK, OPEN, Plan, Referral, ReferralEvent


@dataclass(frozen=True)
class _Poor:
    """The definition of "poor" and what the history needs to evaluate it at a past moment."""

    condition: dict
    at_moment: tuple[str, ...]  # catalogue fields read from the household's columns at T
    today: tuple[str, ...]  # the others: today's value (SQL), the history has no past of them
    sets: tuple[str, ...]  # the sets of codes among them (enrolled programs): today's
    columns: tuple[str, ...]  # the household columns the first read, followed through time

    @classmethod
    def active(cls) -> "_Poor | None":
        poor = poor_definition()
        if poor is None:
            return None
        names = fields_used(poor.condition)
        at_moment = tuple(n for n in names if CATALOGUE[n].sources[0] == "household")
        others = [n for n in names if n not in at_moment]
        columns = {"member_count"}  # the per-person fields divide by it
        for name in at_moment:
            columns.update(CATALOGUE[name].sources[1])
        return cls(
            condition=poor.condition,
            at_moment=at_moment,
            today=tuple(n for n in others if CATALOGUE[n].type != CODES_TYPE),
            sets=tuple(n for n in others if CATALOGUE[n].type == CODES_TYPE),
            columns=tuple(sorted(columns)),
        )


@dataclass
class _Household:
    kelurahan_id: int
    created_at: datetime.datetime
    current: dict[str, Any]
    # Today's values of the definition's fields the history does not follow.
    fixed: dict[str, Any] = field(default_factory=dict)
    # column → [(time of the change, value before it)], oldest first
    changes: dict[str, list[tuple[datetime.datetime, Any]]] = field(default_factory=dict)
    last_change: datetime.datetime | None = None
    poor_now: bool | None = None

    def value_at(self, name: str, moment: datetime.datetime) -> Any:
        for changed_at, before in self.changes.get(name, ()):
            if changed_at >= moment:
                return before
        return self.current[name]

    def is_poor_at(
        self, poor: "_Poor | None", moment: datetime.datetime, day: datetime.date
    ) -> bool:
        """The definition over the values at `moment` (on `day`); evaluated once for the many
        moments after the household's last change (today's values)."""
        if poor is None:
            return False
        unchanged = self.last_change is None or self.last_change < moment
        if unchanged and self.poor_now is not None:
            return self.poor_now
        # The readers of household fields read only its columns: these, as they were.
        then: Any = SimpleNamespace(**{c: self.value_at(c, moment) for c in poor.columns})
        facts = Facts(then, [], frozenset(), day, False)
        values = {n: CATALOGUE[n].read(facts) for n in poor.at_moment} | self.fixed
        result = evaluate(poor.condition, values)
        if unchanged:
            self.poor_now = result
        return result


def _parse(column: str, before: Any) -> Any:
    """A value as ChangeRecord stored it (JSON) as the model field holds it."""
    if before is None or before == "":
        return None
    try:
        return Household._meta.get_field(column).to_python(before)
    except (ValidationError, TypeError, ValueError):
        return None


def _households(since: datetime.datetime, poor: _Poor | None) -> dict[int, _Household]:
    # Household columns followed through the change history: the member count (persons) and
    # those the definition of "poor" reads.
    tracked = tuple(sorted({"member_count", *(poor.columns if poor else ())}))
    today_fields = poor.today if poor else ()
    rows = annotate(Household.objects.all(), list(today_fields)).values_list(
        "pk", "kelurahan_id", "created_at", *tracked, *(f"elig_{n}" for n in today_fields)
    )
    households = {}
    for pk, kel, created, *values in rows.iterator(chunk_size=5000):
        current = dict(zip(tracked, values[: len(tracked)], strict=True))
        fixed = dict(zip(today_fields, values[len(tracked) :], strict=True))
        households[pk] = _Household(kel, created, current, fixed)
    for name in poor.sets if poor else ():
        for household in households.values():
            household.fixed[name] = frozenset()
        active = Enrolment.objects.filter(status=Enrolment.Status.ACTIVE)
        for pk, code in active.values_list("household_id", "program__code").iterator(
            chunk_size=5000
        ):
            if pk in households:
                households[pk].fixed[name] = households[pk].fixed[name] | {code}
    records = ChangeRecord.objects.filter(
        entity="household", action=ChangeRecord.Action.UPDATED, created_at__gte=since
    ).order_by("created_at", "pk")
    for pk, changed_at, changes in records.values_list(
        "object_id", "created_at", "changes"
    ).iterator(chunk_size=5000):
        household = households.get(pk)
        if household is None:
            continue
        for name in tracked:
            if name in changes:
                value = _parse(name, changes[name][0])
                household.changes.setdefault(name, []).append((changed_at, value))
                household.last_change = changed_at
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


def _first_assessments() -> dict[int, datetime.datetime]:
    """When each household was first assessed (its first assessment's record time)."""
    rows = Assessment.objects.values("household_id").annotate(first=Min("created_at"))
    return {row["household_id"]: row["first"] for row in rows.order_by()}


def _plans() -> dict[int, list[tuple[datetime.datetime, datetime.date | None]]]:
    """Each household's plans: (made, closed on)."""
    plans: dict[int, list] = defaultdict(list)
    for household_id, created, closed in Plan.objects.values_list(
        "household_id", "created_at", "closed_on"
    ).iterator(chunk_size=5000):
        plans[household_id].append((created, closed))
    return plans


def counts_at(moments: list[datetime.datetime]) -> dict[datetime.datetime, Counts]:
    """Every indicator per kelurahan at each of `moments` (aware datetimes)."""
    if not moments:
        return {}
    poor = _Poor.active()
    households = _households(min(moments), poor)
    periods = _enrolments()
    flags = _flags()
    referrals = _referrals()
    assessed = _first_assessments()
    plans = _plans()
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
            is_poor = household.is_poor_at(poor, moment, day)
            aided = _aided(periods.get(pk, ()), day)
            row["poor_households"] += is_poor
            row["aid_recipients"] += aided
            row["exclusion_errors"] += is_poor and not aided
            first = assessed.get(pk)
            row["assessed_households"] += first is not None and first < moment
            row["households_with_plan"] += any(
                made < moment and (closed is None or closed > day)
                for made, closed in plans.get(pk, ())
            )
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
        # Flows of the month starting at T: a grouped count on indexed dates per month.
        flows = flow_counts(Region.objects.filter(level=Region.Level.KELURAHAN), month=day)
        for kelurahan_id, values in flows.items():
            counts[kelurahan_id].update(values)
        result[moment] = {pk: dict(values) for pk, values in counts.items()}
    return result
