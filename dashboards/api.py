"""Indicators per district for other city systems (issue 6, item 10): /api/v1/indicators/.

Numbers only, from the same `dashboard_for(user)` as the pages, so scope and suppression are
the pages' own. A suppressed cell carries no number: `value` is null and `suppressed` says
why ("small": below the threshold, shown as "<5" on the pages; "hidden": hidden so that a
small cell cannot be worked out from a total, "×"). Never a name, NIK, KK or address.
"""

from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, permissions, serializers, viewsets
from rest_framework.response import Response

from dashboards.indicators import CODES, NATIONAL_BY_CODE
from dashboards.presenters import Dashboard, dashboard_for
from dashboards.selectors import indicator_codes_for
from dashboards.suppression import State
from dashboards.tree import Area, Cell
from households.models import Region
from slrt.api import router

LEVELS = [Region.Level.KOTA, Region.Level.KECAMATAN, Region.Level.KELURAHAN]


class HasDashboardRole(permissions.BasePermission):
    """Any role that has a dashboard; a user without a role counts nothing (403)."""

    def has_permission(self, request, view) -> bool:
        return bool(indicator_codes_for(request.user))


class CellSerializer(serializers.Serializer):
    value = serializers.IntegerField(
        allow_null=True, help_text="The count; null when suppressed for the caller's role."
    )
    suppressed = serializers.ChoiceField(
        choices=[State.SMALL.value, State.HIDDEN.value],
        allow_null=True,
        help_text=(
            "null: shown. small: below min_cell (the pages show '<5'). hidden: hidden so "
            "that a small count cannot be recovered by subtraction (the pages show '×')."
        ),
    )


class AreaSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="Kemendagri code, e.g. 32.75.01")
    name = serializers.CharField()
    level = serializers.ChoiceField(choices=LEVELS)
    parent = serializers.CharField(allow_null=True, help_text="The code of the enclosing area")
    as_of = serializers.DateTimeField(help_text="When the counts were taken")
    min_cell = serializers.IntegerField(
        allow_null=True,
        help_text="Counts below this are suppressed for the caller; null: nothing suppressed",
    )
    indicators = serializers.DictField(
        child=CellSerializer(),
        help_text="Indicator code → cell. Codes: "
        + ", ".join([*CODES, *NATIONAL_BY_CODE])
        + " (the caller's only; the last from the latest DTSEN extract).",
    )


def _cell(cell: Cell) -> dict:
    suppressed = None if cell.state == State.SHOWN else cell.state.value
    return {"value": cell.value, "suppressed": suppressed}


def _parents(dashboard: Dashboard) -> dict[str, str | None]:
    parents: dict[str, str | None] = {dashboard.city.code: None}
    for area in dashboard.city.walk():
        for child in area.children:
            parents[child.code] = area.code
    return parents


def _data(dashboard: Dashboard, areas: list[Area]) -> list[dict]:
    parents = _parents(dashboard)
    extra = {}  # the DTSEN figures (issue 22) join each area's indicators
    if dashboard.national is not None:
        extra = {area.code: area.cells for area in dashboard.national.walk()}
    return [
        {
            "code": area.code,
            "name": area.name,
            "level": area.level,
            "parent": parents.get(area.code),
            "as_of": dashboard.as_of,
            "min_cell": dashboard.threshold,
            "indicators": {
                code: _cell(cell)
                for code, cell in [*area.cells.items(), *extra.get(area.code, {}).items()]
            },
        }
        for area in areas
    ]


class IndicatorViewSet(viewsets.ViewSet):
    """The dashboard's indicators per district, in the caller's scope: any role with a
    dashboard (agency staff get their agency's referral indicators only). Aggregate-only roles
    (Pimpinan, Perencana) get small kelurahan counts suppressed as on the pages."""

    permission_classes = [permissions.IsAuthenticated, HasDashboardRole]
    lookup_field = "code"
    lookup_value_regex = r"[0-9.]+"

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "level",
                OpenApiTypes.STR,
                enum=[str(level) for level in LEVELS],
                description="Every area of this level (default kecamatan)",
            ),
            OpenApiParameter(
                "parent",
                OpenApiTypes.STR,
                description="The districts of this area instead (e.g. 32.75.01: its kelurahan)",
            ),
        ],
        responses=AreaSerializer(many=True),
    )
    def list(self, request):
        dashboard = dashboard_for(request.user)
        parent = request.query_params.get("parent")
        if parent:
            area = dashboard.area(parent)
            if area is None:
                raise Http404
            areas = area.children
        else:
            level = request.query_params.get("level", Region.Level.KECAMATAN)
            if level not in LEVELS:
                message = _("Choose one of: %(levels)s.") % {"levels": ", ".join(LEVELS)}
                raise exceptions.ValidationError({"level": [message]})
            areas = [area for area in dashboard.city.walk() if area.level == level]
        return Response(AreaSerializer(_data(dashboard, areas), many=True).data)

    @extend_schema(
        parameters=[OpenApiParameter("code", OpenApiTypes.STR, OpenApiParameter.PATH)],
        responses=AreaSerializer,
    )
    def retrieve(self, request, code: str | None = None):
        dashboard = dashboard_for(request.user)
        area = dashboard.area(code)
        if area is None:  # outside the caller's scope, or no such district
            raise Http404
        return Response(AreaSerializer(_data(dashboard, [area])[0]).data)


router.register("indicators", IndicatorViewSet, basename="indicator")
