"""Graduations and relapses on the dashboards (issue 21 part 4): per month and district, from
stored counts, suppressed like every figure, in /api/v1/indicators/ and the trend."""

import datetime

import pytest
from django.utils import timezone

from dashboards.models import IndicatorSnapshot, KelurahanCount
from dashboards.presenters import dashboard_for, trend
from dashboards.services import backfill_snapshots, refresh_kelurahan_counts, snapshot_indicators
from eligibility.models import Graduation, Relapse
from households.models import Region
from tests.households.factories import household_with_members, persona

pytestmark = pytest.mark.django_db

MARGAHAYU, KECAMATAN = "32.75.01.1002", "32.75.01"


def graduate(kelurahan, *, at, by, relapsed_at=None) -> Graduation:
    """A confirmed graduation decided at `at` (as decide_graduation leaves it)."""
    household = household_with_members(kelurahan, size=2)
    graduation = Graduation.objects.create(
        household=household,
        kind=Graduation.Kind.MANDIRI,
        status=Graduation.Status.CONFIRMED,
        proposed_by=by,
        evidence="Mandiri.",
        decided_by=by,
        decided_at=at,
        decision_note="Dicek.",
    )
    if relapsed_at is not None:
        Relapse.objects.create(
            household=household, graduation=graduation, detected_at=relapsed_at, why="poor_again"
        )
    return graduation


@pytest.fixture
def margahayu_kel(reference_data):
    return Region.objects.get(code=MARGAHAYU)


def _stored(code: str) -> int:
    return KelurahanCount.objects.get(kelurahan__code=MARGAHAYU, code=code).value


def test_this_months_graduations_are_stored_per_kelurahan(margahayu_kel, verifikator):
    now = timezone.now()
    last_month = now - datetime.timedelta(days=40)
    graduate(margahayu_kel, at=now, by=verifikator, relapsed_at=now)
    graduate(margahayu_kel, at=now, by=verifikator)
    graduate(margahayu_kel, at=last_month, by=verifikator)  # another month
    proposed = graduate(margahayu_kel, at=now, by=verifikator)
    Graduation.objects.filter(pk=proposed.pk).update(status="rejected")  # not a graduation
    refresh_kelurahan_counts()
    assert _stored("graduated_households") == 2
    assert _stored("relapsed_households") == 1


def test_the_mayor_sees_this_months_figure_per_kecamatan_above_the_threshold(
    client, margahayu_kel, verifikator, pimpinan
):
    now = timezone.now()
    for _ in range(5):
        graduate(margahayu_kel, at=now, by=verifikator)
    client.force_login(pimpinan)
    row = client.get(f"/api/v1/indicators/{KECAMATAN}/").json()
    assert row["indicators"]["graduated_households"] == {"value": 5, "suppressed": None}
    kelurahan = client.get(f"/api/v1/indicators/{MARGAHAYU}/").json()
    assert kelurahan["indicators"]["graduated_households"]["value"] == 5


def test_a_small_count_is_suppressed_for_the_mayor(client, margahayu_kel, verifikator, pimpinan):
    graduate(margahayu_kel, at=timezone.now(), by=verifikator)
    client.force_login(pimpinan)
    cell = client.get(f"/api/v1/indicators/{MARGAHAYU}/").json()["indicators"]
    assert cell["graduated_households"] == {"value": None, "suppressed": "small"}
    client.force_login(verifikator)  # personal-data roles see the number
    cell = client.get(f"/api/v1/indicators/{MARGAHAYU}/").json()["indicators"]
    assert cell["graduated_households"] == {"value": 1, "suppressed": None}


def test_each_trend_month_keeps_its_own_graduations(margahayu_kel, verifikator):
    today = timezone.localdate()
    this_month = today.replace(day=1)
    last_month = (this_month - datetime.timedelta(days=1)).replace(day=1)
    moment = timezone.make_aware(datetime.datetime.combine(last_month, datetime.time(10)))
    graduate(margahayu_kel, at=moment, by=verifikator)
    graduate(margahayu_kel, at=moment, by=verifikator, relapsed_at=timezone.now())
    backfill_snapshots(months=3)
    row = IndicatorSnapshot.objects.get(month=last_month, kelurahan=margahayu_kel)
    assert (row.graduated_households, row.relapsed_households) == (2, 0)
    now_row = IndicatorSnapshot.objects.get(month=this_month, kelurahan=margahayu_kel)
    assert now_row.relapsed_households == 1
    series = trend(dashboard_for(verifikator), MARGAHAYU, "graduated_households")
    assert {m: c.value for m, c in series}[last_month] == 2


def test_the_month_snapshot_finalises_the_month_before(margahayu_kel, verifikator):
    october, november = datetime.date(2026, 10, 1), datetime.date(2026, 11, 1)
    snapshot_indicators(month=october)  # on 1 October: nothing yet
    late_october = timezone.make_aware(
        datetime.datetime.combine(datetime.date(2026, 10, 20), datetime.time(9))
    )
    graduate(margahayu_kel, at=late_october, by=verifikator)
    snapshot_indicators(month=november)
    assert (
        IndicatorSnapshot.objects.get(month=october, kelurahan=margahayu_kel).graduated_households
        == 1
    )


def test_a_recount_keeps_this_months_snapshot_current(margahayu_kel, verifikator):
    snapshot_indicators()  # the first day's snapshot of this month
    graduate(margahayu_kel, at=timezone.now(), by=verifikator)
    refresh_kelurahan_counts(kelurahan_ids=[margahayu_kel.pk])
    month = timezone.localdate().replace(day=1)
    row = IndicatorSnapshot.objects.get(month=month, kelurahan=margahayu_kel)
    assert row.graduated_households == 1


def test_agency_staff_do_not_count_graduations(client, reference_data):
    staff = persona("petugas_opd", agency_code="dinkes", username="agency-grad")
    client.force_login(staff)
    row = client.get("/api/v1/indicators/32.75/").json()
    assert "graduated_households" not in row["indicators"]
