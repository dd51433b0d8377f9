"""Dashboard tables to Excel through slrt.exports (formula-neutralised cells)."""

from django.utils.text import slugify
from django.utils.translation import gettext as _

from dashboards.presenters import Dashboard
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
