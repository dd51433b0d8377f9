"""Dashboard tables to Excel through slrt.exports (formula-neutralised cells)."""

from django.utils.text import slugify
from django.utils.translation import gettext as _

from dashboards import needs
from dashboards.presenters import (
    BUDGET,
    Dashboard,
    PlanningBoard,
    ProgramBoard,
    budget_code,
)
from dashboards.programs import FIGURE_CODES, FIGURES, program_code
from dashboards.tree import Area, Cell
from referrals.metrics import DeadlineMetrics
from slrt.exports import Table


def _value(cell: Cell) -> int | str:
    # Hidden cells go out as the page shows them ("<5", "×"): no number behind them.
    return cell.value if cell.value is not None else cell.display


def district_table(dashboard: Dashboard, area: Area) -> Table:
    codes = [i.code for i in dashboard.indicators]
    headers = [_("Code"), _("Area"), *[str(i.label) for i in dashboard.indicators]]
    rows = [[area.code, area.name or _("Total"), *[_value(area.cells[c]) for c in codes]]]
    rows += [[c.code, c.name, *[_value(c.cells[k]) for k in codes]] for c in area.children]
    as_of = _("As of %(date)s") % {"date": dashboard.as_of.strftime("%Y-%m-%d %H:%M")}
    rows.append([""])
    rows.append([as_of])
    return Table(
        headers=headers,
        rows=rows,
        sheet_title=_("Dashboard"),
        filename_stem=f"slrt-dasbor-{slugify(area.name) or 'kota'}",
        text_columns=frozenset({0}),
    )


def referral_table(rows: list[DeadlineMetrics]) -> Table:
    """The referral deadline table (per agency and need) as the page shows it."""
    headers = [
        _("Agency"),
        _("Need"),
        _("Referrals"),
        _("Open"),
        _("Overdue"),
        _("Resolved"),
        _("Resolved in time (%)"),
        _("Median days to accept"),
        _("Median days to resolve"),
    ]
    body = [
        [
            row.agency,
            row.category,
            row.total,
            row.open,
            row.overdue,
            row.resolved,
            row.share_resolved_in_time,
            row.median_days_to_accept,
            row.median_days_to_resolve,
        ]
        for row in rows
    ]
    return Table(
        headers=headers,
        rows=body,
        sheet_title=_("Referrals"),
        filename_stem="slrt-dasbor-rujukan",
        text_columns=frozenset(),
    )


def program_table(board: ProgramBoard, area: Area) -> Table:
    """Every program's figures for an area and its districts, one row per area and program,
    as the page shows them (suppressed cells as "<5" / "×")."""
    headers = [_("Code"), _("Area"), _("Program"), *[str(f.label) for f in FIGURES]]
    rows = []
    for row_area in [area, *area.children]:
        name = row_area.name or _("Total")
        for program in board.programs:
            cells = [row_area.cells[program_code(program.code, f)] for f in FIGURE_CODES]
            rows.append([row_area.code, name, program.name, *[_value(c) for c in cells]])
    rows += [[""], [_("As of %(date)s") % {"date": board.as_of.strftime("%Y-%m-%d %H:%M")}]]
    return Table(
        headers=headers,
        rows=rows,
        sheet_title=_("Programs"),
        filename_stem=f"slrt-dasbor-program-{slugify(area.name) or 'kota'}",
        text_columns=frozenset({0}),
    )


def planning_table(board: PlanningBoard, area: Area) -> Table:
    """The needs and their budget for an area and its districts, then the unit costs used."""
    headers = [_("Code"), _("Area")]
    for need in needs.NEEDS:
        headers += [str(need.label), _("Budget: %(need)s (Rp)") % {"need": need.label}]
    headers.append(_("Total budget (Rp)"))
    rows = []
    for row_area in [area, *area.children]:
        row = [row_area.code, row_area.name or _("Total")]
        for need in needs.NEEDS:
            row += [
                _value(row_area.cells[need.code]),
                _value(row_area.cells[budget_code(need.code)]),
            ]
        rows.append([*row, _value(row_area.cells[BUDGET])])
    rows += [[""], ["", _("Need"), _("Unit cost (Rp)"), _("Basis"), _("Definition")]]
    for need in needs.NEEDS:
        rows.append(
            [
                "",
                str(need.label),
                board.costs[need.code],
                str(need.cost_basis),
                str(need.definition),
            ]
        )
    rows += [[""], [_("As of %(date)s") % {"date": board.as_of.strftime("%Y-%m-%d %H:%M")}]]
    return Table(
        headers=headers,
        rows=rows,
        sheet_title=_("Planning"),
        filename_stem=f"slrt-dasbor-perencanaan-{slugify(area.name) or 'kota'}",
        text_columns=frozenset({0}),
    )
