"""Dasbor pages: numbers only, in the user's scope, suppressed for aggregate-only roles."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from dashboards.exports import district_table, referral_table
from dashboards.panels import build_panel
from dashboards.presenters import Dashboard, dashboard_for
from dashboards.tree import Area, sorted_children
from households.audit import record_export
from referrals.metrics import deadline_metrics
from referrals.selectors import counted_referrals
from slrt.exports import export_response


def _dashboard(request: HttpRequest) -> Dashboard:
    dashboard = dashboard_for(request.user)
    if not dashboard.indicators:  # no role: nothing to count
        raise PermissionDenied
    return dashboard


def _area(dashboard: Dashboard, code: str | None) -> Area:
    area = dashboard.area(code)
    if area is None:  # outside the user's scope, or no such district: 404 either way
        raise Http404
    return area


def _crumbs(dashboard: Dashboard, area: Area) -> list[Area]:
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
    # One query: share in time and overdue here; the medians are on the referrals page.
    counted = counted_referrals(request.user)
    (context["referrals"],) = deadline_metrics(by=(), referrals=counted, medians=False)
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
