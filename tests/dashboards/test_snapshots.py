"""Monthly snapshots: re-running a month replaces it, the change against last month, trends."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from dashboards import needs, plans
from dashboards.indicators import CODES
from dashboards.models import IndicatorSnapshot, KelurahanCount
from dashboards.presenters import dashboard_for, trend
from dashboards.selectors import DEADLINE_CODES
from dashboards.services import snapshot_indicators
from dashboards.tasks import snapshot_indicators_task
from households.models import Program, Region
from national.selectors import NATIONAL_CODES
from national.usulan import USULAN_CODES
from tests.dashboards.registry import crafted_registry
from tests.households.factories import household_with_members

pytestmark = pytest.mark.django_db

OCTOBER = datetime.date(2026, 10, 1)
NOVEMBER = datetime.date(2026, 11, 15)


def _margahayu_row(month):
    return IndicatorSnapshot.objects.get(month=month, kelurahan__code="32.75.01.1002")


def test_a_snapshot_stores_every_kelurahan_and_rerunning_replaces_it(reference_data):
    registry = crafted_registry()
    kelurahan = Region.objects.filter(level="kelurahan").count()
    assert snapshot_indicators(month=datetime.date(2026, 10, 17)) == kelurahan
    assert _margahayu_row(OCTOBER).households == 4
    household_with_members(registry.households[0].kelurahan, size=2, welfare_decile=9)
    snapshot_indicators(month=OCTOBER)
    assert IndicatorSnapshot.objects.filter(month=OCTOBER).count() == kelurahan
    assert _margahayu_row(OCTOBER).households == 5
    assert _margahayu_row(OCTOBER).poor_households == 2


def test_command_and_task_store_the_month_asked_for(reference_data):
    crafted_registry()
    call_command("snapshot_indicators", "--month", "2026-09")
    snapshot_indicators_task.delay("2026-08")
    months = set(IndicatorSnapshot.objects.values_list("month", flat=True))
    assert months == {datetime.date(2026, 9, 1), datetime.date(2026, 8, 1)}


def test_change_against_last_months_snapshot(verifikator):
    registry = crafted_registry()
    snapshot_indicators(month=OCTOBER)
    # since October: two more households in Margahayu, one of them poor by desil
    household_with_members(registry.households[0].kelurahan, size=2, welfare_decile=1)
    household_with_members(registry.households[0].kelurahan, size=2, welfare_decile=9)
    dashboard = dashboard_for(verifikator, today=NOVEMBER)
    assert dashboard.previous_month == OCTOBER
    assert dashboard.city.cells["households"].change == 2
    assert dashboard.city.cells["poor_households"].change == 1
    assert dashboard.city.cells["aid_recipients"].change == 0


def test_no_change_without_last_months_snapshot(verifikator):
    crafted_registry()
    snapshot_indicators(month=datetime.date(2026, 9, 1))  # two months back: not "last month"
    dashboard = dashboard_for(verifikator, today=NOVEMBER)
    assert dashboard.previous_month is None
    assert dashboard.city.cells["households"].change is None


def test_trend_is_suppressed_like_the_live_figures(pimpinan, verifikator):
    crafted_registry()
    snapshot_indicators(month=datetime.date(2026, 9, 1))
    snapshot_indicators(month=OCTOBER)
    seen_by_verifier = trend(
        dashboard_for(verifikator, today=NOVEMBER), "32.75.01.1002", "households"
    )
    assert [(m, c.value) for m, c in seen_by_verifier] == [
        (datetime.date(2026, 9, 1), 4),
        (OCTOBER, 4),
    ]
    seen_by_mayor = trend(dashboard_for(pimpinan, today=NOVEMBER), "32.75.01.1002", "households")
    assert [c.display for _, c in seen_by_mayor] == ["<5", "<5"]
    city = trend(dashboard_for(pimpinan, today=NOVEMBER), "", "households")
    assert [c.value for _, c in city] == [5, 5]


def test_overview_draws_the_trend_chart(client, pimpinan):
    crafted_registry()
    snapshot_indicators(month=datetime.date(2026, 9, 1))
    snapshot_indicators()
    client.force_login(pimpinan)
    body = client.get(reverse("dashboards:overview")).content.decode()
    assert body.count('class="dot"') == 2
    assert "<polyline" in body


def test_command_refuses_a_malformed_month(reference_data):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("snapshot_indicators", "--month", "2026-13")
    with pytest.raises(CommandError):
        call_command("snapshot_indicators", "--month", "Nov 2026")


def test_the_refresh_command_stores_every_figure_of_every_kelurahan(reference_data):
    out = io.StringIO()
    call_command("refresh_dashboard_counts", stdout=out)
    kelurahan = Region.objects.filter(level=Region.Level.KELURAHAN).count()
    codes = KelurahanCount.objects.values("code").distinct().count()
    assert KelurahanCount.objects.count() == kelurahan * codes
    programs = 3 * Program.objects.filter(is_active=True).count()
    family_plans = len(plans.codes())  # needs by domain, steps per agency (issue 21)
    national = len(NATIONAL_CODES) + len(USULAN_CODES)  # the DTSEN figures (issue 22)
    planning = len(needs.CODES) + len(needs.ASSESSED_CODES)  # registry's and assessed
    assert codes == (
        len(CODES) + planning + programs + len(DEADLINE_CODES) + family_plans + national
    )
    assert f"Stored {kelurahan * codes} figures." in out.getvalue()
