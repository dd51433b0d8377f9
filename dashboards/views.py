"""Dasbor pages: numbers only, in the user's scope, suppressed for aggregate-only roles."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from dashboards.exports import district_table, planning_table, program_table, referral_table
from dashboards.forms import UnitCostForm
from dashboards.models import UnitCost
from dashboards.needs import NEEDS
from dashboards.panels import build_panel
from dashboards.presenters import (
    BUDGET,
    Board,
    Dashboard,
    budget_code,
    dashboard_for,
    national_rows,
    plan_board_for,
    planning_board_for,
    program_board_for,
    usulan_quarters_for,
)
from dashboards.programs import FIGURE_CODES, FIGURES, program_code, program_criteria_shown
from dashboards.selectors import deadline_tile, household_figures_for, unit_costs
from dashboards.services import set_unit_costs
from dashboards.tree import Area, sorted_children
from households.audit import record_export
from households.scope import scope_for
from referrals.metrics import deadline_metrics
from referrals.selectors import counted_referrals
from slrt.exports import export_response


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The start page: the household list for those who read personal data, the dashboard for
    the other roles. Here, not in households: the registry does not know the dashboards."""
    scope = scope_for(request.user)
    if scope.personal_data and request.user.has_perm("households.view_household"):
        return redirect("households:household_list")
    if scope.role is not None:
        return redirect("dashboards:overview")
    return render(request, "households/no_role.html", status=403)


def _dashboard(request: HttpRequest) -> Dashboard:
    dashboard = dashboard_for(request.user)
    if not dashboard.indicators:  # no role: nothing to count
        raise PermissionDenied
    return dashboard


def _area(dashboard: Dashboard | Board, code: str | None) -> Area:
    area = dashboard.area(code)
    if area is None:  # outside the user's scope, or no such district: 404 either way
        raise Http404
    return area


def _crumbs(dashboard: Dashboard | Board, area: Area) -> list[Area]:
    trail = [dashboard.city]
    for kecamatan in dashboard.city.children:
        if area is kecamatan or area in kecamatan.children:
            trail.append(kecamatan)
    if area not in trail:
        trail.append(area)
    return trail


@login_required
@require_GET
def overview(request: HttpRequest) -> HttpResponse:
    """City overview: a tile per indicator with its definition and change, the map, a trend,
    and the kecamatan table (sortable by ?sort=)."""
    dashboard = _dashboard(request)
    panel = build_panel(dashboard, dashboard.city, request.GET.get("indicator"))
    tiles = [(i, dashboard.city.cells[i.code]) for i in dashboard.indicators]
    rows, sort = sorted_children(dashboard.city, request.GET.get("sort", ""))
    context = {"dashboard": dashboard, "panel": panel, "tiles": tiles, "rows": rows, "sort": sort}
    context["household_figures"] = household_figures_for(request.user)
    # The city's poor beside DTSEN's desil 1-4 (issue 22), per kecamatan.
    context["national"] = national_rows(dashboard, dashboard.city)
    # Share in time and overdue, stored; the medians are on the referrals page.
    context["referrals"] = deadline_tile(request.user)
    # Kept for callers that read the plain totals (tests of scope); never rendered.
    context["totals"] = {code: cell.value for code, cell in dashboard.city.cells.items()}
    return render(request, "dashboards/overview.html", context)


@login_required
@require_GET
def district(request: HttpRequest, code: str | None = None) -> HttpResponse:
    """The table of an area's districts (city → kecamatan → kelurahan), sortable by ?sort=."""
    dashboard = _dashboard(request)
    area = _area(dashboard, code)
    rows, sort = sorted_children(area, request.GET.get("sort", ""))
    panel = build_panel(dashboard, area, request.GET.get("indicator"))
    context = {
        "dashboard": dashboard,
        "area": area,
        "rows": rows,
        "sort": sort,
        "panel": panel,
        "crumbs": _crumbs(dashboard, area),
        "household_figures": household_figures_for(request.user),
    }
    return render(request, "dashboards/district.html", context)


@login_required
@require_GET
def panel(request: HttpRequest) -> HttpResponse:
    """The map and trend of one area for the chosen indicator (htmx swap of the select)."""
    dashboard = _dashboard(request)
    area = _area(dashboard, request.GET.get("area") or None)
    context = {"panel": build_panel(dashboard, area, request.GET.get("indicator"))}
    return render(request, "dashboards/panel.html", context)


@login_required
@require_GET
def export(request: HttpRequest) -> HttpResponse:
    """An area's district table as .xlsx: same scope and suppression as the page."""
    dashboard = _dashboard(request)
    area = _area(dashboard, request.GET.get("area") or None)
    table = district_table(dashboard, area)
    record_export(
        by=request.user,
        export="dashboard_districts",
        file_format="xlsx",
        filters=request.GET.dict(),
        row_count=len(area.children) + 1,
    )
    return export_response(table, file_format="xlsx")


@login_required
@require_GET
def referrals(request: HttpRequest) -> HttpResponse:
    """Referrals against their deadlines per agency and need: numbers only, over the referrals
    the user's role may count (the city's, the agency's own, or the kelurahan's)."""
    _dashboard(request)  # a role is needed, as on every Dasbor page
    counted = counted_referrals(request.user)
    per_agency = deadline_metrics(by=("agency",), referrals=counted)
    detail = deadline_metrics(by=("agency", "category"), referrals=counted)
    if request.GET.get("format") == "xlsx":
        record_export(
            by=request.user,
            export="dashboard_referrals",
            file_format="xlsx",
            filters=request.GET.dict(),
            row_count=len(detail),
        )
        return export_response(referral_table(detail), file_format="xlsx")
    (total,) = deadline_metrics(by=(), referrals=counted)
    context = {"total": total, "per_agency": per_agency, "detail": detail}
    return render(request, "dashboards/referrals.html", context)


def _household_figures(request: HttpRequest) -> None:
    # Agency staff count their agency's referrals only; without a role nothing is counted.
    if not household_figures_for(request.user):
        raise PermissionDenied


@login_required
@require_GET
def programs(request: HttpRequest, code: str | None = None) -> HttpResponse:
    """Per aid program and district: enrolled, enrolled but flagged, eligible but not
    enrolled (dashboards.programs); ?program= picks the table's program, ?sort= its order,
    ?format=xlsx exports every program for the area."""
    _household_figures(request)
    board = program_board_for(request.user)
    area = _area(board, code)
    if request.GET.get("format") == "xlsx":
        return export_response(program_table(board, area), file_format="xlsx")
    summary = [
        (p, [area.cells[program_code(p.code, f)] for f in FIGURE_CODES]) for p in board.programs
    ]
    by_code = {program.code: program for program in board.programs}
    # Without ?program=, the table opens on the program with the most enrolled households here
    # (not the first by name, which may be one nobody is enrolled in yet).
    largest = max(summary, key=lambda row: row[1][0].value or 0, default=(None, None))[0]
    program = by_code.get(request.GET.get("program", "")) or largest
    rows, sort = sorted_children(area, request.GET.get("sort", ""))
    columns = [(f, program_code(program.code, f.code)) for f in FIGURES] if program else []
    context = {
        "board": board,
        "area": area,
        "program": program,
        "summary": summary,
        "columns": columns,
        "rows": rows,
        "sort": sort,
        "figures": FIGURES,
        "criteria": program_criteria_shown(board.programs),
        "crumbs": _crumbs(board, area),
    }
    return render(request, "dashboards/programs.html", context)


def _planning_page(request, board, area, form) -> HttpResponse:
    rows, sort = sorted_children(area, request.GET.get("sort", ""))
    context = {
        "board": board,
        "area": area,
        "rows": rows,
        "sort": sort,
        "needs": [(need, budget_code(need.code), board.costs[need.code]) for need in NEEDS],
        "budget": BUDGET,
        "form": form,
        "can_edit": request.user.has_perm("dashboards.change_unitcost"),
        "updated": UnitCost.objects.select_related("updated_by").order_by("-updated_at").first(),
        "crumbs": _crumbs(board, area),
    }
    return render(request, "dashboards/planning.html", context)


@login_required
@require_GET
def planning(request: HttpRequest, code: str | None = None) -> HttpResponse:
    """Bapelitbangda's needs per district times their unit cost: counts and estimated budget
    (?format=xlsx exports them with the unit costs used). Everyone with household figures
    reads it; dashboards.change_unitcost (Perencana, Admin) edits the unit costs."""
    _household_figures(request)
    board = planning_board_for(request.user)
    area = _area(board, code)
    if request.GET.get("format") == "xlsx":
        return export_response(planning_table(board, area), file_format="xlsx")
    return _planning_page(request, board, area, UnitCostForm(costs=board.costs))


@login_required
@require_GET
def plans(request: HttpRequest, code: str | None = None) -> HttpResponse:
    """The family plans in numbers (issue 21): families assessed and with a plan, their needs
    by domain, and interventions open and done per agency, for an area. Household figures:
    every role with a dashboard except agency staff."""
    from dashboards.plans import NEED_CODES
    from households.models import Domain

    _household_figures(request)
    board = plan_board_for(request.user)
    area = _area(board, code)
    rows, sort = sorted_children(area, request.GET.get("sort", ""))
    context = {
        "board": board,
        "area": area,
        "rows": rows,
        "sort": sort,
        "domains": list(zip(Domain.labels, NEED_CODES, strict=True)),
        "crumbs": _crumbs(board, area),
    }
    return render(request, "dashboards/plans.html", context)


@login_required
@require_POST
@permission_required("dashboards.change_unitcost", raise_exception=True)
def unit_costs_edit(request: HttpRequest) -> HttpResponse:
    """Save the planner's unit costs (all or none); errors re-show the page with messages."""
    form = UnitCostForm(request.POST, costs=unit_costs())
    if form.is_valid():
        try:
            set_unit_costs(amounts=form.cleaned_data, by=request.user)
        except ValidationError as error:
            for need, messages_ in error.error_dict.items():
                form.add_error(need, messages_)
        else:
            messages.success(request, _("Unit costs saved."))
            return redirect("dashboards:planning_city")
    board = planning_board_for(request.user)
    return _planning_page(request, board, board.city, form)


@login_required
@require_GET
def usulan(request: HttpRequest) -> HttpResponse:
    """Usulan to DTSEN (issue 22): sent, accepted and rejected per quarter per kecamatan,
    aggregates only, small counts suppressed for the aggregate-only roles like every table
    here; agency staff have none (their numbers are their agency's referrals)."""
    quarters = usulan_quarters_for(request.user)
    return render(request, "dashboards/usulan.html", {"quarters": quarters})
