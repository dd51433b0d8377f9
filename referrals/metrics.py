"""Deadline metrics (issue 5, item 7): per agency, per need category, or both, how many
referrals are open and overdue, how many were resolved and how many of those in time, and the
median days to accept and to resolve.

Numbers only, no names of people: any role may see them (the agency page passes its own
agency's referrals, the dashboards the city's). On PostgreSQL one query whatever the size (the
medians are PERCENTILE_CONT in the same aggregate); on SQLite a second query lists the
durations and Python takes their medians. The tests run both. Days are counted from
`submitted_at`, which a transfer restarts: the clock of the agency that holds it."""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from statistics import median

from django.db.models import Aggregate, Count, DurationField, F, Q, QuerySet
from django.utils import timezone

from referrals.models import OPEN, Referral, Status, overdue_q
from slrt.db import is_postgresql

# grouping name -> (id field, label field)
GROUPINGS = {
    "agency": ("agency_id", "agency__short_name"),
    "category": ("category_id", "category__name"),
}
DONE = (Status.RESOLVED, Status.CLOSED)  # a closed referral was resolved first
SECONDS_PER_DAY = 86_400


@dataclass(frozen=True)
class DeadlineMetrics:
    agency_id: int | None  # None when not grouped by agency
    agency: str
    category_id: int | None  # None when not grouped by category
    category: str
    total: int  # every referral sent (drafts never count)
    open: int
    overdue: int
    resolved: int  # resolved or closed
    resolved_in_time: int  # ... on or before the due date (Jakarta's calendar)
    share_resolved_in_time: float | None  # percent of `resolved`; None when none resolved
    median_days_to_accept: float | None
    median_days_to_resolve: float | None


def deadline_metrics(
    *,
    by: Sequence[str] = ("agency",),
    referrals: QuerySet[Referral] | None = None,
    today: date | None = None,
    medians: bool = True,
) -> list[DeadlineMetrics]:
    """One row per group of `by` ("agency", "category", both, or none for a single total),
    over `referrals` (all by default; drafts never count), ordered by the groups' names.
    `medians=False` leaves them out (None): on SQLite that saves their second query."""
    unknown = set(by) - GROUPINGS.keys()
    if unknown:
        raise ValueError(f"unknown grouping: {sorted(unknown)}")
    today = today or timezone.localdate()
    base = _sent(Referral.objects.all() if referrals is None else referrals)
    ids = [GROUPINGS[name][0] for name in by]
    labels = [GROUPINGS[name][1] for name in by]
    counts = _counts(base, ids + labels, today, medians=medians)
    if is_postgresql() or not medians:  # the medians came with the counts, or none asked
        accept_days = resolve_days = None
    else:
        accept_days, resolve_days = _durations(base, ids)
    rows = []
    for row in counts:
        group = tuple(row[field] for field in ids)
        if accept_days is None:
            to_accept, to_resolve = _days(row.get("to_accept")), _days(row.get("to_resolve"))
        else:
            to_accept = _median(accept_days.get(group))
            to_resolve = _median(resolve_days.get(group))
        rows.append(_metrics(row, to_accept, to_resolve))
    return sorted(rows, key=lambda m: (m.agency, m.category))


COUNTS = ("total", "open", "overdue", "resolved", "in_time")  # the parts that add up


def deadline_counts(
    referrals: QuerySet[Referral], *, by: str, today: date | None = None
) -> dict[object, dict[str, int]]:
    """The COUNTS of `deadline_metrics` per value of one field of `referrals` (the dashboards
    store them per kelurahan): value → part → count. Drafts never count; no medians."""
    rows = _counts(_sent(referrals), [by], today or timezone.localdate(), medians=False)
    return {row.pop(by): row for row in rows}


def summed_metrics(parts: Iterable[dict[str, int]]) -> DeadlineMetrics:
    """One total of several groups' `deadline_counts` (a missing part is 0). Medians do not
    add up: None."""
    total = dict.fromkeys(COUNTS, 0)
    for counts in parts:
        for name in COUNTS:
            total[name] += counts.get(name, 0)
    return _metrics(total, None, None)


def _sent(referrals: QuerySet[Referral]) -> QuerySet[Referral]:
    return referrals.order_by().exclude(status=Status.DRAFT)


def _metrics(row: dict, to_accept: float | None, to_resolve: float | None) -> DeadlineMetrics:
    resolved, in_time = row["resolved"], row["in_time"]
    return DeadlineMetrics(
        agency_id=row.get("agency_id"),
        agency=row.get("agency__short_name", ""),
        category_id=row.get("category_id"),
        category=row.get("category__name", ""),
        total=row["total"],
        open=row["open"],
        overdue=row["overdue"],
        resolved=resolved,
        resolved_in_time=in_time,
        share_resolved_in_time=round(100 * in_time / resolved, 1) if resolved else None,
        median_days_to_accept=to_accept,
        median_days_to_resolve=to_resolve,
    )


def _counts(
    referrals: QuerySet[Referral], fields: list[str], today: date, *, medians: bool
) -> list[dict]:
    done = Q(status__in=DONE, resolved_at__isnull=False)
    aggregates = {
        "total": Count("pk"),
        "open": Count("pk", filter=Q(status__in=OPEN)),
        "overdue": Count("pk", filter=overdue_q(today)),
        "resolved": Count("pk", filter=done),
        # __date converts to the current time zone (Asia/Jakarta) on both databases.
        "in_time": Count("pk", filter=done & Q(resolved_at__date__lte=F("due_date"))),
    }
    if is_postgresql() and medians:
        # The medians in the same pass: loading every timestamp into Python took 0.4 s for
        # one agency's 16,000 referrals (bench_referrals).
        since = Q(submitted_at__isnull=False)
        aggregates["to_accept"] = _Median(
            F("accepted_at") - F("submitted_at"), filter=since & Q(accepted_at__isnull=False)
        )
        aggregates["to_resolve"] = _Median(
            F("resolved_at") - F("submitted_at"), filter=since & done
        )
    if not fields:
        return [referrals.aggregate(**aggregates)]
    return list(referrals.values(*fields).annotate(**aggregates))


class _Median(Aggregate):
    """PostgreSQL's median of an interval (SQLite has no ordered-set aggregates)."""

    function = "PERCENTILE_CONT"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = DurationField()


def _days(duration: timedelta | None) -> float | None:
    return round(duration.total_seconds() / SECONDS_PER_DAY, 1) if duration is not None else None


def _durations(
    referrals: QuerySet[Referral], ids: list[str]
) -> tuple[dict[tuple, list[float]], dict[tuple, list[float]]]:
    """Days from submission to acceptance and to resolution, per group."""
    accept: dict[tuple, list[float]] = defaultdict(list)
    resolve: dict[tuple, list[float]] = defaultdict(list)
    rows = referrals.filter(submitted_at__isnull=False).filter(
        Q(accepted_at__isnull=False) | Q(status__in=DONE, resolved_at__isnull=False)
    )
    for *group, submitted, accepted, resolved in rows.values_list(
        *ids, "submitted_at", "accepted_at", "resolved_at"
    ).iterator(chunk_size=5000):
        key = tuple(group)
        if accepted is not None:
            accept[key].append((accepted - submitted).total_seconds() / SECONDS_PER_DAY)
        if resolved is not None:
            resolve[key].append((resolved - submitted).total_seconds() / SECONDS_PER_DAY)
    return accept, resolve


def _median(days: list[float] | None) -> float | None:
    return round(median(days), 1) if days else None
