"""What a dashboard page shows: the user's tree of live figures with last month's change, and
the monthly series behind the trend charts. Scope and suppression are applied here once, so
pages and exports cannot differ."""

import datetime
import statistics
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth.models import User
from django.utils import timezone
from django.utils.formats import number_format

from dashboards import needs
from dashboards.indicators import BY_CODE, Indicator
from dashboards.models import IndicatorSnapshot
from dashboards.programs import FIGURE_CODES, program_code
from dashboards.selectors import (
    indicator_codes_for,
    live_counts,
    live_need_counts,
    live_plan_counts,
    live_program_counts,
    plan_to_graduation_months,
    regions_for,
    unit_costs,
    visible_programs,
)
from dashboards.services import month_start
from dashboards.suppression import State
from dashboards.tree import Area, Cell, build_tree, find, with_changes
from households.models import Program, Region
from households.scope import scope_for
from national.selectors import NATIONAL_CODES
from national.usulan import USULAN_CODES

TREND_MONTHS = 12


@dataclass
class Dashboard:
    city: Area
    indicators: list[Indicator]
    as_of: datetime.datetime
    previous_month: datetime.date | None  # the snapshot the change is measured against
    aggregate_only: bool
    threshold: int | None
    kelurahan: list[Region]
    has_trends: bool  # snapshots are city-wide counts, not one agency's referral numbers
    # The trend months' snapshots, read once with the change's month (issue 17: one query).
    snapshots: dict[datetime.date, dict[int, dict[str, int]]] = field(default_factory=dict)
    # The DTSEN figures (issue 22), read with the others, in a tree of their own (suppressed
    # alike); None for agency staff.
    national: Area | None = None

    def area(self, code: str | None) -> Area | None:
        """The area of `code` in the user's tree; None outside it (the page's 404)."""
        return self.city if not code else find(self.city, code)


def dashboard_for(user: User, *, today: datetime.date | None = None) -> Dashboard:
    scope = scope_for(user)
    codes = indicator_codes_for(user)
    kelurahan = list(regions_for(user).select_related("parent__parent"))
    threshold = int(settings.DASHBOARD_MIN_CELL) if scope.is_aggregate_only else None
    counts, counted_at = live_counts(user, today=today)
    city = build_tree(kelurahan, counts, codes, threshold=threshold)
    previous_month = None
    snapshots = {}
    # Snapshots are city-wide counts: an agency's own referral numbers are not among them.
    if scope.agency_id is None and codes:
        snapshots = _snapshot_counts(kelurahan, codes, trend_months(today))
        last = month_start(month_start(today or timezone.localdate()) - datetime.timedelta(days=1))
        if last in snapshots:
            with_changes(city, build_tree(kelurahan, snapshots[last], codes, threshold=threshold))
            previous_month = last
    national = None
    if scope.agency_id is None and codes:
        codes_22 = (*NATIONAL_CODES, *USULAN_CODES)
        national = build_tree(kelurahan, counts, codes_22, threshold=threshold)
    return Dashboard(
        city=city,
        national=national,
        indicators=[BY_CODE[code] for code in codes],
        as_of=timezone.localtime(counted_at),
        previous_month=previous_month,
        aggregate_only=scope.is_aggregate_only,
        threshold=threshold,
        kelurahan=kelurahan,
        has_trends=scope.agency_id is None and bool(codes),
        snapshots=snapshots,
    )


def _snapshot_counts(kelurahan: list[Region], codes, months) -> dict:
    rows = IndicatorSnapshot.objects.filter(
        kelurahan__in=[k.pk for k in kelurahan], month__in=months
    ).values("month", "kelurahan_id", *codes)
    per_month: dict[datetime.date, dict[int, dict[str, int]]] = defaultdict(dict)
    for row in rows:
        per_month[row.pop("month")][row.pop("kelurahan_id")] = row
    return per_month


def trend_months(today: datetime.date | None = None) -> list[datetime.date]:
    """The first days of the trend's months, this month first."""
    months = [month_start(today or timezone.localdate())]
    for _ in range(TREND_MONTHS - 1):
        months.append(month_start(months[-1] - datetime.timedelta(days=1)))
    return months


def trend(dashboard: Dashboard, area_code: str, code: str) -> list[tuple[datetime.date, Cell]]:
    """The last months' snapshots of one indicator for one area, suppressed as live figures
    are (a month's tree is rebuilt and suppressed whole), oldest first; months without a
    snapshot are left out."""
    return [(month, cells[code]) for month, cells in trend_cells(dashboard, area_code, [code])]


def trend_cells(
    dashboard: Dashboard, area_code: str, codes: list[str]
) -> list[tuple[datetime.date, dict[str, Cell]]]:
    """As `trend`, with the cells of several indicators per month (a rate and its base)."""
    if not dashboard.has_trends:
        return []
    series = []
    for month in sorted(dashboard.snapshots):
        tree = build_tree(
            dashboard.kelurahan, dashboard.snapshots[month], codes, threshold=dashboard.threshold
        )
        area = find(tree, area_code) if area_code else tree
        if area is not None:
            series.append((month, area.cells))
    return series


@dataclass
class Board:
    """A page of household figures other than the indicators (programs, planning needs):
    the same tree, scope and suppression as the Dashboard."""

    city: Area
    as_of: datetime.datetime
    aggregate_only: bool
    threshold: int | None

    def area(self, code: str | None) -> Area | None:
        return self.city if not code else find(self.city, code)


def _board(user: User, counts: dict, counted_at: datetime.datetime, codes) -> Board:
    scope = scope_for(user)
    kelurahan = list(regions_for(user).select_related("parent__parent"))
    threshold = int(settings.DASHBOARD_MIN_CELL) if scope.is_aggregate_only else None
    return Board(
        city=build_tree(kelurahan, counts, codes, threshold=threshold),
        as_of=timezone.localtime(counted_at),
        aggregate_only=scope.is_aggregate_only,
        threshold=threshold,
    )


@dataclass
class NationalRow:
    """One area of the DTSEN panel: desil 1-4 there, poor here, both, and the differences."""

    code: str
    name: str
    dtsen: Cell
    poor: Cell
    overlap: Cell
    dtsen_only: Cell
    registry_only: Cell
    unregistered: Cell


def _difference(total: Cell, part: Cell) -> Cell:
    """A difference of two suppressed cells is shown only when both are (else it could give
    a hidden count back) and is suppressed again if small."""
    if total.value is None or part.value is None or total.state != State.SHOWN:
        return Cell(None, State.HIDDEN)
    if part.state != State.SHOWN:
        return Cell(None, State.HIDDEN)
    value = max(0, total.value - part.value)
    if total.threshold and 0 < value < total.threshold:
        return Cell(None, State.SMALL, threshold=total.threshold)
    return Cell(value, threshold=total.threshold)


def national_rows(dashboard: Dashboard, area: Area) -> list[NationalRow]:
    """The DTSEN panel (issue 22) for `area`'s children and the area itself (last); none
    before the first extract (nothing in desil 1-4) and for agency staff."""
    if dashboard.national is None or not dashboard.national.cells["dtsen_desil_1_4"].value:
        return []
    national = {a.code: a.cells for a in dashboard.national.walk()}
    rows = []
    for each in [*area.children, area]:
        cells = national.get(each.code)
        if cells is None or "poor_households" not in each.cells:
            continue
        dtsen, overlap = cells["dtsen_desil_1_4"], cells["dtsen_poor_overlap"]
        poor = each.cells["poor_households"]
        rows.append(
            NationalRow(
                code=each.code,
                name=each.name,
                dtsen=dtsen,
                poor=poor,
                overlap=overlap,
                dtsen_only=_difference(dtsen, overlap),
                registry_only=_difference(poor, overlap),
                unregistered=cells["unregistered_poor"],
            )
        )
    return rows


@dataclass
class ProgramBoard(Board):
    programs: list[Program] = field(default_factory=list)


def program_board_for(user: User) -> ProgramBoard:
    """Every active program's figures per area (dashboards.programs) for the user."""
    programs = visible_programs()
    counts, counted_at = live_program_counts(user, programs)
    codes = [program_code(p.code, figure) for p in programs for figure in FIGURE_CODES]
    board = _board(user, counts, counted_at, codes)
    return ProgramBoard(**vars(board), programs=programs)


BUDGET = "budget"  # the cell of an area's total budget


def budget_code(need: str) -> str:
    return f"budget:{need}"


@dataclass
class PlanningBoard(Board):
    costs: dict[str, int] = field(default_factory=dict)


def planning_board_for(user: User) -> PlanningBoard:
    """The planning needs per area with their budget (count × unit cost). A budget is hidden
    with its count (it would give the count back); an area's total budget is hidden when any
    of its needs is, since the total less the shown budgets would give that one back."""
    counts, counted_at = live_need_counts(user)
    board = _board(user, counts, counted_at, (*needs.CODES, *needs.ASSESSED_CODES))
    costs = unit_costs()
    for area in board.city.walk():
        total = 0
        for need in needs.CODES:
            cell = area.cells[need]
            if cell.value is None:
                area.cells[budget_code(need)] = Cell(None, State.HIDDEN)
                total = None
            else:
                budget = cell.value * costs[need]
                area.cells[budget_code(need)] = Cell(budget)
                total = None if total is None else total + budget
        area.cells[BUDGET] = Cell(total, State.HIDDEN if total is None else State.SHOWN)
    return PlanningBoard(**vars(board), costs=costs)


@dataclass
class PlanBoard(Board):
    """The family plans' figures (dashboards.plans) and the two indicators beside them."""

    agencies: list = field(default_factory=list)
    # Months from plan to graduation, per area code (the city's too): not a count, so not in
    # the tree's cells (a median is not summed upwards).
    medians: dict[str, "Median"] = field(default_factory=dict)


@dataclass(frozen=True)
class Median:
    """The median months from a family's plan to its confirmed graduation in one area, over
    `count` graduations. For aggregate-only roles a median over fewer than the threshold's
    families is hidden (state SMALL, value None): with one or two families it is nearly their
    own dates. A median is not a count, so no sum or difference gives a hidden one back."""

    value: float | None
    count: int
    state: State = State.SHOWN
    threshold: int = 0

    @property
    def display(self) -> str:
        if self.state == State.SMALL:
            return f"<{self.threshold}"
        if self.value is None:
            return "–"
        return number_format(self.value, decimal_pos=1)


def plan_graduation_medians(
    city: Area, months: dict[str, list[float]], threshold: int | None
) -> dict[str, Median]:
    """Per area of `city` (kelurahan, kecamatan, the city), the median of its kelurahan's
    `months`; suppressed below `threshold` (None: shown whatever the count)."""
    medians: dict[str, Median] = {}

    def values(area: Area) -> list[float]:
        if not area.children:
            found = months.get(area.code, [])
        else:
            found = [m for child in area.children for m in values(child)]
        count = len(found)
        if threshold is not None and 0 < count < threshold:
            medians[area.code] = Median(None, count, State.SMALL, threshold)
        else:
            median = round(statistics.median(found), 1) if found else None
            medians[area.code] = Median(median, count, threshold=threshold or 0)
        return found

    values(city)
    return medians


def plan_board_for(user: User) -> PlanBoard:
    """Families assessed and with a plan, needs by domain, interventions open and done per
    agency: stored per kelurahan, summed and suppressed like every dashboard figure."""
    from dashboards import plans

    agencies = plans.agency_rows()
    codes = [
        "households",
        "assessed_households",
        "households_with_plan",
        *plans.NEED_CODES,
        *plans.step_codes(agencies),
    ]
    counts, counted_at = live_plan_counts(user, codes)
    board = _board(user, counts, counted_at, codes)
    months = plan_to_graduation_months(regions_for(user))
    medians = plan_graduation_medians(board.city, months, board.threshold)
    return PlanBoard(**vars(board), agencies=agencies, medians=medians)


@dataclass
class UsulanQuarter:
    quarter: str
    rows: list[Area]  # the kecamatan, then the city (the total)


def usulan_quarters_for(user: User) -> list[UsulanQuarter]:
    """The usulan page (issue 22): per quarter, per kecamatan, sent / accepted / rejected,
    suppressed below DASHBOARD_MIN_CELL for the aggregate-only roles (build_tree). One query
    for the counts; none for agency staff."""
    from national.usulan import usulan_counts_per_quarter

    scope = scope_for(user)
    if scope.agency_id is not None:
        return []
    kelurahan = list(regions_for(user).select_related("parent__parent"))
    threshold = int(settings.DASHBOARD_MIN_CELL) if scope.is_aggregate_only else None
    per_quarter = usulan_counts_per_quarter([region.pk for region in kelurahan])
    result = []
    for quarter, counts in per_quarter.items():
        city = build_tree(kelurahan, counts, USULAN_CODES, threshold=threshold)
        result.append(UsulanQuarter(quarter, [*city.children, city]))
    return result
