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
    # A hidden cell goes out empty, with the note of the title block: text such as "<5" in a
    # number column would be skipped by SUM without a word (issue 18, point 12).
    return cell.value if cell.value is not None else ""


def _title(what: str, city: Area, as_of, threshold: int | None) -> tuple[str, ...]:
    """The title block of a dashboard workbook: who, what, when, from where, and what an
    empty cell means."""
    rows = [
        _("Government of %(city)s") % {"city": city.name or _("the city")},
        what,
        _("As of %(date)s") % {"date": as_of.strftime("%Y-%m-%d %H:%M")},
        _("Source: SLRT household and referral registry (numbers only, no names)."),
    ]
    if threshold is not None:
        rows.append(
            _(
                "Empty cells are hidden to protect families: a count from 1 to %(last)s in a "
                "kelurahan, or a figure that would give such a count back. A 0 is a true zero."
            )
            % {"last": threshold - 1}
        )
    return tuple(str(row) for row in rows)


def district_table(dashboard: Dashboard, area: Area) -> Table:
    codes = [i.code for i in dashboard.indicators]
    headers = [_("Code"), _("Area"), *[str(i.label) for i in dashboard.indicators]]
    rows = [[area.code, area.name or _("Total"), *[_value(area.cells[c]) for c in codes]]]
    rows += [[c.code, c.name, *[_value(c.cells[k]) for k in codes]] for c in area.children]
    what = _("Poverty and referral indicators per district: %(area)s") % {
        "area": area.name or _("Total")
    }
    return Table(
        headers=headers,
        rows=rows,
        sheet_title=_("Dashboard"),
        filename_stem=f"slrt-dasbor-{slugify(area.name) or 'kota'}",
        text_columns=frozenset({0}),
        title_rows=_title(what, dashboard.city, dashboard.as_of, dashboard.threshold),
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
    what = _("Aid programs per district: %(area)s") % {"area": area.name or _("Total")}
    return Table(
        headers=headers,
        rows=rows,
        sheet_title=_("Programs"),
        filename_stem=f"slrt-dasbor-program-{slugify(area.name) or 'kota'}",
        text_columns=frozenset({0}),
        title_rows=_title(what, board.city, board.as_of, board.threshold),
    )


def planning_table(board: PlanningBoard, area: Area) -> Table:
    """The needs and their budget for an area and its districts, then the unit costs used."""
    headers = [_("Code"), _("Area")]
    for need in needs.NEEDS:
        headers += [
            str(need.label),
            _("%(need)s, confirmed at assessment") % {"need": need.label},
            _("Budget: %(need)s (Rp)") % {"need": need.label},
        ]
    headers.append(_("Total budget (Rp)"))
    rows = []
    for row_area in [area, *area.children]:
        row = [row_area.code, row_area.name or _("Total")]
        for need in needs.NEEDS:
            row += [
                _value(row_area.cells[need.code]),
                _value(row_area.cells[need.assessed_code]),
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
    what = _("Needs and budget per district: %(area)s") % {"area": area.name or _("Total")}
    return Table(
        headers=headers,
        rows=rows,
        sheet_title=_("Planning"),
        filename_stem=f"slrt-dasbor-perencanaan-{slugify(area.name) or 'kota'}",
        text_columns=frozenset({0}),
        title_rows=_title(what, board.city, board.as_of, board.threshold),
    )
