"""Issue 22, the dashboards' share: DTSEN desil 1-4 beside the city's poor, aggregates only,
and the indicators dtsen_desil_1_4 and unregistered_poor in /api/v1/indicators/."""

import datetime

import pytest
from django.urls import reverse

from dashboards.services import refresh_kelurahan_counts
from national.services import import_extract
from tests.households.factories import household_with_members
from tests.national.builders import family_rows, write_extract

pytestmark = pytest.mark.django_db

MARGAHAYU = "32.75.01.1002"


@pytest.fixture
def extract(tmp_path, margahayu, data_steward):
    """Margahayu: 6 poor families in DTSEN desil 2, 6 poor absent from it, 7 better-off
    families in desil 3 (DTSEN only), 1 poor family at desil 8."""
    poor = {"welfare_decile": 2, "monthly_income": 300_000}
    rows = []
    for _ in range(6):
        rows += family_rows(household_with_members(margahayu, size=1, **poor), desil=2)
    for _ in range(6):
        household_with_members(margahayu, size=1, **poor)
    for _ in range(7):
        rich = household_with_members(margahayu, size=1, welfare_decile=8, monthly_income=9**9)
        rows += family_rows(rich, desil=3)
    rows += family_rows(household_with_members(margahayu, size=1, **poor), desil=8)
    path = write_extract(tmp_path / "dtsen.csv", rows)
    imported = import_extract(
        path=path, filename="dtsen.csv", as_of=datetime.date(2026, 9, 30), by=data_steward
    )
    refresh_kelurahan_counts()
    return imported.extract


def test_the_indicators_api_has_the_dtsen_figures(client, verifikator, extract):
    client.force_login(verifikator)
    rows = client.get("/api/v1/indicators/", {"level": "kelurahan"}).json()
    margahayu = next(row for row in rows if row["code"] == MARGAHAYU)["indicators"]
    assert margahayu["dtsen_desil_1_4"] == {"value": 13, "suppressed": None}
    assert margahayu["dtsen_poor_overlap"] == {"value": 6, "suppressed": None}
    assert margahayu["unregistered_poor"] == {"value": 6, "suppressed": None}


def test_the_overview_shows_both_lists_and_their_differences(client, pimpinan, extract):
    client.force_login(pimpinan)
    page = client.get(reverse("dashboards:overview"), secure=True)
    rows = {row.code: row for row in page.context["national"]}
    city = page.context["national"][-1]
    assert city.dtsen.value == 13
    assert city.poor.value == 13  # 6 + 6 + 1
    assert city.overlap.value == 6
    assert city.dtsen_only.value == 7
    assert city.registry_only.value == 7
    assert city.unregistered.value == 6
    assert "32.75.01" in rows
    assert b"national-title" in page.content


def test_no_panel_before_the_first_extract(client, pimpinan, margahayu):
    household_with_members(margahayu, welfare_decile=2)
    refresh_kelurahan_counts()
    client.force_login(pimpinan)
    page = client.get(reverse("dashboards:overview"), secure=True)
    assert page.context["national"] == []
