"""The stored figures per kelurahan (issue 17), monthly snapshots (issue 6) and unit costs."""

import datetime
import logging
import re
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from dashboards import needs, plans
from dashboards.indicators import CODES, FLOW_CODES
from dashboards.models import IndicatorSnapshot, KelurahanCount, UnitCost
from dashboards.programs import FIGURE_CODES, program_code
from dashboards.selectors import (
    DEADLINE_CODES,
    deadline_counts_per_kelurahan,
    flow_counts,
    household_counts,
    need_counts,
    plan_counts,
    program_counts,
    referral_counts,
    visible_programs,
)
from households.models import Region
from national.selectors import NATIONAL_CODES, national_counts
from national.usulan import USULAN_CODES, usulan_counts

logger = logging.getLogger(__name__)


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def parse_month(text: str) -> datetime.date:
    """ "2026-11" → 1 November 2026; ValueError for anything else."""
    if not re.fullmatch(r"\d{4}-\d{2}", text):
        raise ValueError(text)
    return datetime.date.fromisoformat(f"{text}-01")


@transaction.atomic
def refresh_kelurahan_counts(*, kelurahan_ids: list[int] | None = None) -> int:
    """Count every dashboard figure (indicators, programs, planning needs, the overview's
    referral deadlines) of the given kelurahan (default: all) and replace their KelurahanCount
    rows, in one transaction: a page reads either the old rows or the new ones. Refreshes of
    the same kelurahan take turns (their Region rows are locked in pk order). Returns the
    number of rows written."""
    kelurahan = Region.objects.filter(level=Region.Level.KELURAHAN)
    if kelurahan_ids is not None:
        kelurahan = kelurahan.filter(pk__in=kelurahan_ids)
    ids = list(kelurahan.select_for_update().order_by("pk").values_list("pk", flat=True))
    programs = visible_programs()
    codes = [
        *CODES,
        *(program_code(p.code, figure) for p in programs for figure in FIGURE_CODES),
        *needs.CODES,
        *needs.ASSESSED_CODES,
        *DEADLINE_CODES,
        *plans.codes(),
        *NATIONAL_CODES,
        *USULAN_CODES,
    ]
    chosen = Region.objects.filter(pk__in=ids)
    counts = household_counts(chosen)
    for source in (
        referral_counts(chosen),
        flow_counts(chosen),
        program_counts(chosen, programs),
        need_counts(chosen),
        deadline_counts_per_kelurahan(chosen),
        plan_counts(chosen),
        national_counts(ids),
        usulan_counts(ids),
    ):
        for kelurahan_id, values in source.items():
            counts.setdefault(kelurahan_id, {}).update(values)
    now = timezone.now()
    KelurahanCount.objects.filter(kelurahan_id__in=ids).delete()
    rows = [
        KelurahanCount(
            kelurahan_id=pk, code=code, value=counts.get(pk, {}).get(code, 0), counted_at=now
        )
        for pk in ids
        for code in codes
    ]
    KelurahanCount.objects.bulk_create(rows, batch_size=2000)
    _update_snapshot_flows(month_start(timezone.localdate()), ids, counts)
    return len(rows)


def _update_snapshot_flows(month: datetime.date, kelurahan_ids: list[int], counts) -> None:
    """Keep a month's stored snapshot rows current in their flows (graduations, relapses:
    FLOW_CODES): a snapshot taken on the month's first day counted none of the month's
    events yet. Only the rows whose figures changed are written."""
    rows = IndicatorSnapshot.objects.filter(month=month, kelurahan_id__in=kelurahan_ids)
    changed = []
    for row in rows.only("pk", "kelurahan_id", *FLOW_CODES):
        values = counts.get(row.kelurahan_id, {})
        new = {code: values.get(code, 0) for code in FLOW_CODES}
        if any(getattr(row, code) != value for code, value in new.items()):
            for code, value in new.items():
                setattr(row, code, value)
            changed.append(row)
    if changed:
        IndicatorSnapshot.objects.bulk_update(changed, FLOW_CODES, batch_size=1000)


def request_refresh(*, kelurahan_ids: list[int] | None = None, once_a_minute: bool = False) -> bool:
    """Queue a recount of these kelurahan (default: the city) after a write that changed them,
    or for a page that found its rows stale: with `once_a_minute` the stale pages of every
    worker ask once a minute at most (the shared cache remembers the request). True when the
    recount already ran here (Celery eager: the embedded default)."""
    from dashboards.tasks import refresh_kelurahan_counts_task
    from slrt.dispatch import dispatch

    if once_a_minute:
        try:
            if not cache.add("dashboards:stale-recount-requested", True, timeout=60):
                return False
        except Exception:  # noqa: BLE001 (a cache outage must not stop the recount)
            logger.warning("cache unreachable: a stale dashboard recount is asked without a limit")
    dispatch(refresh_kelurahan_counts_task, kelurahan_ids)
    return refresh_kelurahan_counts_task.app.conf.task_always_eager


@transaction.atomic
def snapshot_indicators(*, month: datetime.date | None = None) -> int:
    """Store every kelurahan's indicators for `month` (default: this month), replacing rows
    already stored for it: re-running a month is idempotent. Counts are city-wide, taken now;
    overdue is counted against today. Returns the number of kelurahan stored."""
    month = month_start(month or timezone.localdate())
    kelurahan = Region.objects.filter(level=Region.Level.KELURAHAN)
    counts = household_counts(kelurahan)
    for source in (referral_counts(kelurahan), flow_counts(kelurahan, month=month)):
        for kelurahan_id, values in source.items():
            counts.setdefault(kelurahan_id, {}).update(values)
    # The month before is over now: its flows are final (its snapshot counted them at its
    # first day, and then as its days went by).
    previous = month_start(month - datetime.timedelta(days=1))
    ids = list(kelurahan.values_list("pk", flat=True))
    _update_snapshot_flows(previous, ids, flow_counts(kelurahan, month=previous))
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


@dataclass(frozen=True)
class Backfill:
    written: list[datetime.date]  # months rebuilt from the records' dates
    kept: list[datetime.date]  # months that hold a real snapshot, left as they are


MAX_BACKFILL_MONTHS = 120


def month_moment(month: datetime.date) -> datetime.datetime:
    """When the monthly snapshot of `month` is taken: its first day, 00:00 local time."""
    return timezone.make_aware(datetime.datetime.combine(month_start(month), datetime.time.min))


@transaction.atomic
def backfill_snapshots(
    *, months: int = 12, replace: bool = False, today: datetime.date | None = None
) -> Backfill:
    """Fill the monthly snapshots of this month and the `months` - 1 before it from the
    records' own dates (dashboards.history), so trends show from the first day. Re-running
    rebuilds the backfilled months (idempotent); a month holding a real snapshot (taken by
    `snapshot_indicators` at the time) is kept unless `replace`. Rows are city-wide, like
    real snapshots; the caller holds no scope (a command, a task)."""
    if not 1 <= months <= MAX_BACKFILL_MONTHS:
        raise ValidationError(
            _("Between 1 and %(max)s months can be backfilled."),
            code="months_out_of_range",
            params={"max": MAX_BACKFILL_MONTHS},
        )
    from dashboards.history import counts_at

    chosen = [month_start(today or timezone.localdate())]
    while len(chosen) < months:
        chosen.append(month_start(chosen[-1] - datetime.timedelta(days=1)))
    real = set(
        IndicatorSnapshot.objects.filter(month__in=chosen, backfilled=False)
        .values_list("month", flat=True)
        .distinct()
    )
    kept = sorted(real) if not replace else []
    todo = sorted(month for month in chosen if month not in kept)
    moments = {month: month_moment(month) for month in todo}
    counts = counts_at(list(moments.values()))
    kelurahan_ids = list(
        Region.objects.filter(level=Region.Level.KELURAHAN).values_list("pk", flat=True)
    )
    IndicatorSnapshot.objects.filter(month__in=todo).delete()
    IndicatorSnapshot.objects.bulk_create(
        [
            IndicatorSnapshot(
                month=month,
                kelurahan_id=pk,
                backfilled=True,
                **{code: counts[moments[month]].get(pk, {}).get(code, 0) for code in CODES},
            )
            for month in todo
            for pk in kelurahan_ids
        ],
        batch_size=1000,
    )
    return Backfill(written=todo, kept=kept)


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
