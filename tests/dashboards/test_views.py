"""Dasbor pages through the client: codes and numbers, scope, suppression, no personal data."""

import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from dashboards.indicators import INDICATORS
from households.models import Member
from referrals.models import Referral
from tests.dashboards.registry import crafted_registry

pytestmark = pytest.mark.django_db


def _get(client, user, name, *args, **params):
    client.force_login(user)
    return client.get(reverse(name, args=args), params)


def test_overview_shows_every_indicator_with_its_definition(client, verifikator):
    crafted_registry()
    response = _get(client, verifikator, "dashboards:overview")
    assert response.status_code == 200
    assert response.context["totals"]["households"] == 5
    body = response.content.decode()
    assert body.count('class="tile"') == len(INDICATORS)  # 10 with graduations (issue 21)
    assert 'class="definition"' in body
    assert "<svg" in body
    assert body.count('class="district ') == 12


def test_district_pages_drill_from_city_to_kelurahan(client, verifikator):
    crafted_registry()
    city = _get(client, verifikator, "dashboards:district_city")
    assert [row.code for row in city.context["rows"]][:2] == ["32.75.01", "32.75.02"]
    kecamatan = _get(client, verifikator, "dashboards:district", "32.75.01")
    assert kecamatan.context["area"].cells["households"].value == 4
    assert len(kecamatan.context["rows"]) == 4
    kelurahan = _get(client, verifikator, "dashboards:district", "32.75.01.1002")
    assert kelurahan.status_code == 200
    assert kelurahan.context["area"].cells["poor_households"].value == 2


def test_district_table_sorts_by_an_indicator(client, verifikator):
    crafted_registry()
    response = _get(client, verifikator, "dashboards:district", "32.75.01", sort="-households")
    assert response.context["rows"][0].code == "32.75.01.1002"
    assert response.context["sort"] == "-households"


def test_outside_scope_is_404(client, pendamping):
    crafted_registry()
    assert _get(client, pendamping, "dashboards:district", "32.75.02").status_code == 404
    assert _get(client, pendamping, "dashboards:district", "32.75.02.1001").status_code == 404
    assert _get(client, pendamping, "dashboards:district", "32.75.01.1002").status_code == 200
    response = client.get(reverse("dashboards:export"), {"area": "32.75.02"})
    assert response.status_code == 404


def test_a_user_without_a_role_is_refused(client, reference_data):
    from tests.households.factories import UserFactory

    assert _get(client, UserFactory(username="norole"), "dashboards:overview").status_code == 403


def test_pimpinan_sees_small_kelurahan_counts_hidden(client, pimpinan):
    crafted_registry()
    response = _get(client, pimpinan, "dashboards:district", "32.75.01")
    margahayu = next(r for r in response.context["rows"] if r.code == "32.75.01.1002")
    # 4 households in Margahayu: below 5, hidden; the kecamatan total (4) stays shown.
    assert margahayu.cells["households"].value is None
    assert margahayu.cells["households"].display == "<5"
    assert response.context["area"].cells["households"].value == 4


def test_panel_swaps_the_indicator(client, pimpinan):
    crafted_registry()
    response = _get(
        client, pimpinan, "dashboards:panel", area="32.75.01", indicator="aid_recipients"
    )
    assert response.status_code == 200
    assert response.context["panel"].indicator.code == "aid_recipients"
    assert response.content.decode().count('class="district ') == 4


def test_export_is_an_xlsx_of_the_suppressed_table(client, pimpinan):
    crafted_registry()
    response = _get(client, pimpinan, "dashboards:export", area="32.75.01")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    # A title block (issue 18, point 12), a blank row, then the frozen header.
    assert rows[0][0] == "Pemerintah Kota Bekasi"
    assert any(row[0] and "1 sampai 4" in row[0] for row in rows[:6])
    header = next(i for i, row in enumerate(rows) if row[0] == "Kode")
    assert sheet.freeze_panes == f"A{header + 2}"
    assert rows[header + 1][:3] == ("32.75.01", "Bekasi Timur", 4)
    margahayu = next(row for row in rows if row[0] == "32.75.01.1002")
    assert margahayu[2] is None  # hidden: an empty cell, not the text "<5"
    assert all(isinstance(v, int) for row in rows[header + 1 :] for v in row[2:] if v is not None)


def test_no_personal_data_reaches_an_aggregate_only_role(client, pimpinan, perencana):
    registry = crafted_registry()
    secrets = []
    for household in registry.households:
        secrets += [household.kk_number, household.head_name, household.address]
        secrets += list(Member.objects.filter(household=household).values_list("nik", flat=True))
    for user in (pimpinan, perencana):
        responses = [
            _get(client, user, "dashboards:overview"),
            _get(client, user, "dashboards:district_city"),
            _get(client, user, "dashboards:district", "32.75.01"),
            _get(client, user, "dashboards:district", "32.75.01.1002"),
            _get(client, user, "dashboards:panel", area="32.75.01"),
            _get(client, user, "dashboards:export"),
            _get(client, user, "dashboards:export", area="32.75.01"),
            _get(client, user, "dashboards:referrals"),
            _get(client, user, "dashboards:referrals", format="xlsx"),
        ]
        for response in responses:
            assert response.status_code == 200
            if response["Content-Type"].startswith("application/vnd"):
                sheet = load_workbook(io.BytesIO(response.content)).active
                body = " ".join(str(v) for row in sheet.iter_rows(values_only=True) for v in row)
            else:
                body = response.content.decode()
            assert not [s for s in secrets if s and s in body], response.request["PATH_INFO"]


def test_a_hidden_count_gets_the_neutral_colour_and_no_value_on_the_map(client, pimpinan):
    crafted_registry()
    response = _get(client, pimpinan, "dashboards:panel", area="32.75.01", indicator="households")
    panel = response.context["panel"]
    hidden = [shape for shape in panel.shapes if shape.display == "<5"]
    assert {shape.css_class for shape in hidden} == {"c-hidden"}
    # Margahayu's 4, and one kelurahan without households so that the total cannot give
    # the 4 back; the others have none, shown as 0 (issue 18, point 12).
    assert len(hidden) == 2
    zeros = [shape for shape in panel.shapes if shape not in hidden]
    assert zeros
    assert {shape.display for shape in zeros} == {"0"}
    assert "c-hidden" not in {shape.css_class for shape in zeros}


def test_agency_staff_get_their_agencys_referral_tiles_only(client, petugas_dinkes):
    crafted_registry()
    response = _get(client, petugas_dinkes, "dashboards:overview")
    assert [indicator.code for indicator, _ in response.context["tiles"]] == [
        "open_referrals",
        "overdue_referrals",
    ]
    assert response.context["totals"] == {"open_referrals": 2, "overdue_referrals": 1}
    assert response.context["panel"].chart is None  # no city-wide trend for one agency


def test_facilitator_districts_are_their_own(client, pendamping):
    crafted_registry()
    response = _get(client, pendamping, "dashboards:district_city")
    assert [row.code for row in response.context["rows"]] == ["32.75.01"]
    kecamatan = _get(client, pendamping, "dashboards:district", "32.75.01")
    assert [row.code for row in kecamatan.context["rows"]] == ["32.75.01.1002"]
    # facilitators see personal data anyway: nothing is hidden from them
    assert kecamatan.context["rows"][0].cells["households"].value == 4


@pytest.mark.parametrize(
    ("name", "args"),
    [("dashboards:overview", ()), ("dashboards:district", ("32.75.01",))],
)
def test_pages_stay_within_8_queries(client, pimpinan, django_assert_max_num_queries, name, args):
    crafted_registry()
    from dashboards.services import refresh_kelurahan_counts, snapshot_indicators

    snapshot_indicators()
    refresh_kelurahan_counts()  # the figures as pages find them: stored (issue 17)
    client.force_login(pimpinan)
    with django_assert_max_num_queries(8):
        assert client.get(reverse(name, args=args)).status_code == 200


def test_referrals_against_deadlines_per_agency_and_need(client, pimpinan, petugas_dinkes):
    crafted_registry()
    city = _get(client, pimpinan, "dashboards:referrals").context
    assert (city["total"].total, city["total"].open, city["total"].overdue) == (4, 3, 1)
    assert [(row.agency, row.total) for row in city["per_agency"]] == [
        ("Dinas Kesehatan", 3),
        ("Dinas Sosial", 1),
    ]
    own = _get(client, petugas_dinkes, "dashboards:referrals").context
    assert [(row.agency, row.total) for row in own["per_agency"]] == [("Dinas Kesehatan", 3)]
    overview = _get(client, pimpinan, "dashboards:overview")
    assert overview.context["referrals"].total == 4


def test_the_referral_table_exports_to_excel(client, pimpinan):
    crafted_registry()
    response = _get(client, pimpinan, "dashboards:referrals", format="xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][:3] == ("Dinas Kesehatan", "Kesehatan", 3)


def test_the_referral_dashboard_needs_a_role(client, reference_data):
    from tests.households.factories import UserFactory

    client.force_login(UserFactory(username="nobody"))
    assert client.get(reverse("dashboards:referrals")).status_code == 403


def test_the_new_pages_are_linked_for_the_roles_that_see_them(client, pimpinan, petugas_dinkes):
    crafted_registry()
    overview = _get(client, pimpinan, "dashboards:overview").content.decode()
    assert reverse("dashboards:programs_city") in overview
    assert reverse("dashboards:planning_city") in overview
    district = _get(client, pimpinan, "dashboards:district", "32.75.01").content.decode()
    assert reverse("dashboards:programs", args=["32.75.01"]) in district
    agency = _get(client, petugas_dinkes, "dashboards:overview").content.decode()
    assert reverse("dashboards:programs_city") not in agency


def test_no_inline_javascript_on_the_dashboard_pages(client, pimpinan):
    crafted_registry()
    for name, args in (
        ("dashboards:overview", ()),
        ("dashboards:district", ("32.75.01",)),
        ("dashboards:referrals", ()),
    ):
        body = _get(client, pimpinan, name, *args).content.decode()
        assert "onclick" not in body
        assert "data-print" in body


def test_the_map_colours_a_rate_with_the_count_beside_it(client, verifikator):
    # Margahayu: 2 poor of 4 households (50%); Bintara 1 of 1 (100%): the smaller kelurahan
    # is the darker one, and both show the count beside the rate (issue 18, point 12).
    crafted_registry()
    response = _get(client, verifikator, "dashboards:panel", indicator="poor_households")
    panel = response.context["panel"]
    shapes = {shape.code: shape for shape in panel.shapes}
    assert shapes["32.75.01"].display == "50,0% · 2"
    assert shapes["32.75.02"].display == "100,0% · 1"
    assert shapes["32.75.02"].css_class > shapes["32.75.01"].css_class
    assert panel.rate_label


def test_the_district_table_shows_rates_beside_counts(client, verifikator):
    crafted_registry()
    body = _get(client, verifikator, "dashboards:district_city").content.decode()
    assert '<small class="rate">(50,0%)</small>' in body  # Bekasi Timur's poor households
    assert "per 1.000" in body  # open referrals per 1,000 households


def test_the_referral_summary_says_what_each_figure_counts(client, pimpinan):
    # One referral resolved in time, one still open past its deadline: "100% in time" and
    # "1 overdue" side by side read as a contradiction unless each says what it counts.
    crafted_registry()
    resolved = Referral.objects.get(status="resolved")
    Referral.objects.filter(pk=resolved.pk).update(
        resolved_at=timezone.now() - datetime.timedelta(days=5),
        due_date=timezone.localdate(),
    )
    body = _get(client, pimpinan, "dashboards:overview").content.decode()
    assert "dari 1 yang selesai, 1 sebelum tenggatnya (100%)" in body
    assert "1 belum selesai dan melewati tenggatnya" in body


def test_the_printed_overview_has_a_title_block(client, pimpinan):
    crafted_registry()
    body = _get(client, pimpinan, "dashboards:overview").content.decode()
    title = body[body.index('<header class="print-title">') :]
    title = title[: title.index("</header>")]
    assert "Pemerintah Kota Bekasi" in title
    assert "Sumber" in title


def test_a_tile_shows_its_rate_once(client, verifikator):
    crafted_registry()
    body = _get(client, verifikator, "dashboards:overview").content.decode()
    assert "60,0% dari keluarga" in body  # 3 poor of 5 households
    assert "% %" not in body
