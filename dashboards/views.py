from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from dashboards.selectors import households_per_kecamatan


@login_required
@require_GET
def overview(request: HttpRequest) -> HttpResponse:
    """Aggregates only: households and persons per kecamatan in the user's scope."""
    rows = households_per_kecamatan(request.user)
    totals = {
        "households": sum(r.households for r in rows),
        "persons": sum(r.persons for r in rows),
        "car_owners": sum(r.car_owners for r in rows),
    }
    return render(request, "dashboards/overview.html", {"rows": rows, "totals": totals})
