"""The programs page (issue 6, item 4): per program and district, on the crafted registry."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from dashboards.services import refresh_kelurahan_counts
from households.models import Enrolment, Member, Program
from tests.dashboards.registry import crafted_registry
from tests.households.factories import EnrolmentFactory, household_with_members

pytestmark = pytest.mark.django_db

MARGAHAYU, BINTARA = "32.75.01.1002", "32.75.02.1001"


def _get(client, user, name, *args, **params):
    client.force_login(user)
    return client.get(reverse(name, args=args), params)


def _program_registry():
    """The crafted registry (every enrolment there is PKH) and, on top: A also in BPNT; B's
    two members each in PBI-JK (one household, counted once); C in BPNT but suspended.
    Each program's criteria (the active rule set's, issue 18 item 11) see: A poor with a
    pregnant member (a PKH component), B poor with a child of 16 at school (PKH and KIP),
    everyone uninsured (the default), nobody in an unfit house."""
    registry = crafted_registry()
    a, b, c, _d, _f = registry.households
    mother = a.members.exclude(relationship=Member.Relationship.HEAD).first()
    Member.objects.filter(pk=mother.pk).update(is_pregnant=True)
    b.members.exclude(relationship=Member.Relationship.HEAD).update(
        schooling=Member.Schooling.ATTENDING
    )
    bpnt = Program.objects.get(code="bpnt")
    pbi = Program.objects.get(code="pbi-jk")
    EnrolmentFactory(household=a, program=bpnt)
    for member in Member.objects.filter(household=b):  # head and child: two enrolments
        EnrolmentFactory(household=b, member=member, program=pbi)
    EnrolmentFactory(household=c, program=bpnt, status=Enrolment.Status.SUSPENDED)
    return registry


# kelurahan → program → (enrolled, enrolled but flagged, eligible but not enrolled)
EXPECTED = {
    MARGAHAYU: {
        "pkh": (2, 1, 1),  # A and C; A's open car finding (C's dismissed); B qualifies
        "bpnt": (1, 1, 1),  # A (flagged); C suspended; B poor (desil 2), not in BPNT
        "pbi-jk": (1, 0, 1),  # B through two members; A poor and uninsured, not in PBI-JK
        "kip": (0, 0, 1),  # B's child at school (A's children are not)
        "rutilahu": (0, 0, 0),  # no unfit house
    },
    BINTARA: {
        "pkh": (1, 0, 0),  # F, its finding resolved
        "bpnt": (0, 0, 1),  # F poor and not in BPNT
        "kip": (0, 0, 0),  # F has no child at school
    },
}


def _figures(area, program):
    return tuple(
        area.cells[f"{program}:{figure}"].value for figure in ("enrolled", "flagged", "eligible")
    )


def test_every_program_figure_per_kelurahan(client, verifikator):
    _program_registry()
    for code, programs in EXPECTED.items():
        response = _get(client, verifikator, "dashboards:programs", code)
        assert response.status_code == 200
        for program, expected in programs.items():
            assert _figures(response.context["area"], program) == expected, (code, program)


def test_kecamatan_and_city_totals_add_up(client, verifikator):
    _program_registry()
    city = _get(client, verifikator, "dashboards:programs_city").context["area"]
    assert _figures(city, "pkh") == (3, 1, 1)
    assert _figures(city, "bpnt") == (1, 1, 2)
    kecamatan = _get(client, verifikator, "dashboards:programs", "32.75.01").context
    assert _figures(kecamatan["area"], "pbi-jk") == (1, 0, 1)
    assert [row.code for row in kecamatan["rows"]][:2] == ["32.75.01.1001", MARGAHAYU]


def test_the_summary_lists_every_active_program_and_the_table_sorts(client, verifikator):
    _program_registry()
    response = _get(
        client,
        verifikator,
        "dashboards:programs",
        "32.75.01",
        program="bpnt",
        sort="-bpnt:eligible",
    )
    context = response.context
    assert [p.code for p, _ in context["summary"]] == [
        p.code for p in Program.objects.filter(is_active=True).order_by("name")
    ]
    assert context["program"].code == "bpnt"
    assert context["rows"][0].code == MARGAHAYU
    assert context["sort"] == "-bpnt:eligible"
    body = response.content.decode()
    assert "onclick" not in body
    assert "<script>" not in body
    assert "data-print" in body


def test_without_a_choice_the_table_opens_on_the_program_most_enrolled_in(client, verifikator):
    """Not the first by name (BLT, BPNT... may have nobody enrolled): PKH has A, C and F."""
    _program_registry()
    response = _get(client, verifikator, "dashboards:programs_city")
    assert response.context["program"].code == "pkh"
    response = _get(client, verifikator, "dashboards:programs_city", program="kip")
    assert response.context["program"].code == "kip"


def test_the_export_holds_every_program_of_the_area(client, verifikator):
    _program_registry()
    response = _get(client, verifikator, "dashboards:programs", "32.75.01", format="xlsx")
    assert response.status_code == 200
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    margahayu_pkh = next(r for r in rows if r[0] == MARGAHAYU and r[2] == "PKH")
    assert margahayu_pkh[3:6] == (2, 1, 1)


def test_aggregate_only_roles_see_small_cells_hidden(client, pimpinan):
    _program_registry()
    response = _get(client, pimpinan, "dashboards:programs", "32.75.01")
    margahayu = next(r for r in response.context["rows"] if r.code == MARGAHAYU)
    assert margahayu.cells["pkh:enrolled"].value is None
    assert margahayu.cells["pkh:enrolled"].display == "<5"
    assert response.context["area"].cells["pkh:enrolled"].value == 2  # kecamatan shown
    sheet = _get(client, pimpinan, "dashboards:programs", "32.75.01", format="xlsx")
    rows = list(load_workbook(io.BytesIO(sheet.content)).active.iter_rows(values_only=True))
    assert next(r for r in rows if r[0] == MARGAHAYU and r[2] == "PKH")[3:6] == (None,) * 3


def test_a_small_cell_cannot_be_recovered_by_subtraction(client, pimpinan, margahayu):
    # Bekasi Timur: Bekasijaya 3, Margahayu 2 + 5 more PKH households = 7, Durenjaya 9,
    # Arenjaya 8.
    from households.models import Region

    crafted_registry()
    pkh = Program.objects.get(code="pkh")
    for code, n in (
        (MARGAHAYU, 5),
        ("32.75.01.1003", 9),
        ("32.75.01.1001", 3),
        ("32.75.01.1004", 8),
    ):
        region = Region.objects.get(code=code)
        for _ in range(n):
            EnrolmentFactory(household=household_with_members(region, size=1), program=pkh)
    rows = {
        row.code: row.cells["pkh:enrolled"]
        for row in _get(client, pimpinan, "dashboards:programs", "32.75.01").context["rows"]
    }
    assert rows["32.75.01.1001"].display == "<5"
    # 3 beside a shown total of 27 would be 27 - 7 - 9 - 8: the smallest other cell goes too.
    assert rows[MARGAHAYU].display == "×"
    assert (rows["32.75.01.1003"].value, rows["32.75.01.1004"].value) == (9, 8)


def test_facilitators_see_their_kelurahan_unsuppressed_and_others_are_404(client, pendamping):
    _program_registry()
    city = _get(client, pendamping, "dashboards:programs_city").context
    assert [row.code for row in city["rows"]] == ["32.75.01"]
    own = _get(client, pendamping, "dashboards:programs", MARGAHAYU).context["area"]
    assert _figures(own, "pkh") == (2, 1, 1)
    assert _get(client, pendamping, "dashboards:programs", BINTARA).status_code == 404
    assert _get(client, pendamping, "dashboards:programs", "32.75.02").status_code == 404
    response = _get(client, pendamping, "dashboards:programs", "32.75.02", format="xlsx")
    assert response.status_code == 404


def test_agency_staff_and_users_without_a_role_are_refused(client, petugas_dinkes):
    from tests.households.factories import UserFactory

    assert _get(client, petugas_dinkes, "dashboards:programs_city").status_code == 403
    assert _get(client, UserFactory(username="x"), "dashboards:programs_city").status_code == 403


def test_the_programs_page_stays_within_8_queries(client, pimpinan, django_assert_max_num_queries):
    _program_registry()
    refresh_kelurahan_counts()  # the figures as pages find them: stored (issue 17)
    client.force_login(pimpinan)
    with django_assert_max_num_queries(8):
        assert client.get(reverse("dashboards:programs", args=["32.75.01"])).status_code == 200
