"""The planning page (issue 6, item 6): needs × unit costs per district, on crafted data."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from dashboards.models import UnitCost
from dashboards.needs import BY_CODE, years_before
from dashboards.services import refresh_kelurahan_counts
from households.models import Household, Member, Region
from tests.dashboards.registry import crafted_registry, today
from tests.households.factories import household_with_members

pytestmark = pytest.mark.django_db

MARGAHAYU, BINTARA = "32.75.01.1002", "32.75.02.1001"
NEEDS = ("out_of_school", "disability", "unemployed_head", "unfit_house", "uninsured")
DEFAULT = {code: BY_CODE[code].default_cost for code in NEEDS}


def _get(client, user, name, *args, **params):
    client.force_login(user)
    return client.get(reverse(name, args=args), params)


def _members(household):
    head = household.members.get(relationship=Member.Relationship.HEAD)
    return head, list(household.members.exclude(pk=head.pk))


def _planning_registry():
    """The crafted registry with needs set by hand (A falls in four needs at once):
    A: head not working and physically disabled, one child of 10 out of school, one in
    school, earth floor of an owned house, everyone insured (PBI). B: head a labourer, child
    of 10 never in school, bamboo walls and thatch roof (one owned house), uninsured. C: a
    child of 26 no longer in school (not of school age), with a visual disability; uninsured.
    D: the head deceased
    (counted in nothing). F (Bintara): four uninsured, nothing else."""
    registry = crafted_registry()
    a, b, c, d, _f = registry.households
    ten = years_before(today(), 10)
    head, (kid1, kid2) = _members(a)
    Member.objects.filter(pk=head.pk).update(
        occupation=Member.Occupation.NONE, disability=Member.Disability.PHYSICAL
    )
    Member.objects.filter(pk=kid1.pk).update(birth_date=ten, schooling=Member.Schooling.LEFT)
    Member.objects.filter(pk=kid2.pk).update(birth_date=ten, schooling=Member.Schooling.ATTENDING)
    a.members.update(health_insurance=Member.HealthInsurance.PBI_JKN)
    Household.objects.filter(pk=a.pk).update(
        floor_material=Household.FloorMaterial.EARTH, house_ownership=Household.Ownership.OWN
    )
    head, (kid,) = _members(b)
    Member.objects.filter(pk=head.pk).update(occupation=Member.Occupation.LABOURER)
    Member.objects.filter(pk=kid.pk).update(birth_date=ten, schooling=Member.Schooling.NEVER)
    Household.objects.filter(pk=b.pk).update(
        wall_material=Household.WallMaterial.BAMBOO,
        roof_material=Household.RoofMaterial.THATCH,
        house_ownership=Household.Ownership.OWN,
    )
    _head, (kid, _other) = _members(c)
    Member.objects.filter(pk=kid.pk).update(
        birth_date=years_before(today(), 26),
        schooling=Member.Schooling.LEFT,
        disability=Member.Disability.VISUAL,
    )
    Household.objects.filter(pk=c.pk).update(
        floor_material=Household.FloorMaterial.CERAMIC,
        wall_material=Household.WallMaterial.MASONRY,
    )
    d.members.update(is_deceased=True, occupation=Member.Occupation.NONE)
    return registry


EXPECTED = {
    MARGAHAYU: {
        "out_of_school": 2,  # A's first child, B's child
        "disability": 2,  # A's head, C's grown child
        "unemployed_head": 1,  # A's head (D's is deceased)
        "unfit_house": 2,  # A (floor), B (walls and roof: one house); both owned (Rutilahu)
        "uninsured": 5,  # B 2 + C 3 (A insured, D deceased)
    },
    BINTARA: {
        "out_of_school": 0,
        "disability": 0,
        "unemployed_head": 0,
        "unfit_house": 0,
        "uninsured": 4,
    },
}


def _budget(counts, costs):
    return sum(counts[code] * costs[code] for code in NEEDS)


def test_every_need_per_kelurahan_and_its_budget(client, verifikator):
    _planning_registry()
    for code, expected in EXPECTED.items():
        area = _get(client, verifikator, "dashboards:planning", code).context["area"]
        assert {need: area.cells[need].value for need in NEEDS} == expected, code
        for need in NEEDS:
            assert area.cells[f"budget:{need}"].value == expected[need] * DEFAULT[need]
        assert area.cells["budget"].value == _budget(expected, DEFAULT)
    # 2 × 1.8M + 2 × 3.6M + 4.2M + 2 × 20M + 5 × 504k, written out once
    assert _budget(EXPECTED[MARGAHAYU], DEFAULT) == 57_520_000


def test_city_total_is_the_sum_of_the_districts(client, verifikator):
    _planning_registry()
    response = _get(client, verifikator, "dashboards:planning_city")
    city = response.context["area"]
    assert city.cells["uninsured"].value == 9
    assert city.cells["budget"].value == _budget(EXPECTED[MARGAHAYU], DEFAULT) + 4 * 504_000
    body = response.content.decode()
    assert "Rp" in body
    assert "onclick" not in body
    # the definition of an unfit house is on the page, from the one place it is written
    assert str(BY_CODE["unfit_house"].definition) in response.content.decode()


def test_the_planner_edits_a_unit_cost_and_the_budget_follows(client, perencana):
    _planning_registry()
    client.force_login(perencana)
    data = {code: str(DEFAULT[code]) for code in NEEDS} | {"unfit_house": "Rp25.000.000"}
    response = client.post(reverse("dashboards:unit_costs_edit"), data)
    assert response.status_code == 302
    cost = UnitCost.objects.get()  # the unchanged defaults are not stored
    assert (cost.need, cost.amount, cost.updated_by) == ("unfit_house", 25_000_000, perencana)
    area = _get(client, perencana, "dashboards:planning", "32.75.01").context["area"]
    assert area.cells["budget:unfit_house"].value == 2 * 25_000_000
    costs = DEFAULT | {"unfit_house": 25_000_000}
    assert area.cells["budget"].value == _budget(EXPECTED[MARGAHAYU], costs)


@pytest.mark.parametrize(
    ("amount", "code"),
    [("dua juta", "invalid"), ("-5", "invalid"), ("0", "out_of_range"), ("1" * 15, "out_of_range")],
)
def test_a_bad_amount_is_refused_with_a_message(client, perencana, amount, code):
    client.force_login(perencana)
    data = {need: str(DEFAULT[need]) for need in NEEDS} | {"disability": amount}
    response = client.post(reverse("dashboards:unit_costs_edit"), data, HTTP_ACCEPT_LANGUAGE="id")
    assert response.status_code == 200
    errors = response.context["form"].errors.as_data()["disability"]
    assert [error.code for error in errors] == [code]
    assert not UnitCost.objects.exists()  # all or none


def test_only_planners_and_admins_edit_unit_costs(
    client, admin_user, pimpinan, verifikator, pendamping, petugas_dinkes
):
    data = dict.fromkeys(NEEDS, "1000")
    for user in (pimpinan, verifikator, pendamping, petugas_dinkes):
        client.force_login(user)
        assert client.post(reverse("dashboards:unit_costs_edit"), data).status_code == 403
        if user is not petugas_dinkes:
            page = client.get(reverse("dashboards:planning_city"))
            assert page.context["can_edit"] is False
            assert 'name="uninsured"' not in page.content.decode()
    assert not UnitCost.objects.exists()
    client.force_login(admin_user)
    assert client.post(reverse("dashboards:unit_costs_edit"), data).status_code == 302
    assert UnitCost.objects.count() == len(NEEDS)


def test_aggregate_only_roles_see_small_cells_and_their_budgets_hidden(client, pimpinan):
    _planning_registry()
    response = _get(client, pimpinan, "dashboards:planning", "32.75.01")
    margahayu = next(r for r in response.context["rows"] if r.code == MARGAHAYU)
    assert margahayu.cells["unfit_house"].display == "<5"
    assert margahayu.cells["budget:unfit_house"].value is None
    assert margahayu.cells["uninsured"].value == 5  # not small
    assert margahayu.cells["budget:uninsured"].value == 5 * 504_000
    assert margahayu.cells["budget"].value is None  # would give the hidden ones back
    kecamatan = response.context["area"]
    assert kecamatan.cells["unfit_house"].value == 2
    assert kecamatan.cells["budget"].value == _budget(EXPECTED[MARGAHAYU], DEFAULT)


def test_the_subtraction_case_on_the_planning_page(client, pimpinan):
    # Uninsured in Bekasi Timur: Bekasijaya 3, Margahayu 5, Durenjaya 9, Arenjaya 8.
    _planning_registry()
    for code, n in (("32.75.01.1001", 3), ("32.75.01.1003", 9), ("32.75.01.1004", 8)):
        household_with_members(Region.objects.get(code=code), size=n)
    rows = {
        r.code: r.cells
        for r in _get(client, pimpinan, "dashboards:planning", "32.75.01").context["rows"]
    }
    assert rows["32.75.01.1001"]["uninsured"].display == "<5"
    assert rows[MARGAHAYU]["uninsured"].display == "×"
    assert rows[MARGAHAYU]["budget:uninsured"].value is None
    assert rows["32.75.01.1004"]["uninsured"].value == 8


def test_the_export_carries_needs_costs_and_budget(client, pimpinan):
    _planning_registry()
    response = _get(client, pimpinan, "dashboards:planning", "32.75.01", format="xlsx")
    assert response.status_code == 200
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    total = next(r for r in rows if r[0] == "32.75.01")
    assert total[:2] == ("32.75.01", "Bekasi Timur")
    assert total[-1] == _budget(EXPECTED[MARGAHAYU], DEFAULT)
    margahayu = next(r for r in rows if r[0] == MARGAHAYU)
    assert margahayu[2] is None
    costs = {r[1]: r[2] for r in rows if r and r[0] in ("", None) and isinstance(r[2], int)}
    assert costs[str(BY_CODE["unfit_house"].label)] == 20_000_000


def test_planning_scope(client, pendamping, petugas_dinkes):
    _planning_registry()
    own = _get(client, pendamping, "dashboards:planning", MARGAHAYU)
    assert own.context["area"].cells["unfit_house"].value == 2  # no suppression
    assert _get(client, pendamping, "dashboards:planning", BINTARA).status_code == 404
    assert _get(client, petugas_dinkes, "dashboards:planning_city").status_code == 403


def test_the_planning_page_stays_within_8_queries(client, perencana, django_assert_max_num_queries):
    _planning_registry()
    refresh_kelurahan_counts()  # the figures as pages find them: stored (issue 17)
    client.force_login(perencana)
    with django_assert_max_num_queries(8):
        assert client.get(reverse("dashboards:planning", args=["32.75.01"])).status_code == 200


def _assess(household, by, *, confirm):
    from django.utils import timezone

    from households.assessments import record_assessment
    from tests.households.needs_inputs import decided_needs

    return record_assessment(
        household=household,
        assessed_on=timezone.localdate(),
        needs=decided_needs(household, confirm=confirm),
        by=by,
    )


def test_needs_confirmed_at_assessment_beside_the_registrys(client, verifikator, pendamping):
    margahayu = Region.objects.get(code=MARGAHAYU)
    uninsured = household_with_members(margahayu, size=3)
    uninsured.members.update(health_insurance=Member.HealthInsurance.NONE)
    dismissed = household_with_members(margahayu, size=2)
    dismissed.members.update(health_insurance=Member.HealthInsurance.NONE)
    _assess(uninsured, pendamping, confirm="moderate")  # three persons confirmed
    _assess(dismissed, pendamping, confirm="moderate")
    _assess(dismissed, pendamping, confirm="")  # re-assessed: the latest dismisses them
    refresh_kelurahan_counts()
    response = _get(client, verifikator, "dashboards:planning", MARGAHAYU)
    cells = response.context["area"].cells
    assert cells["uninsured"].value == 5  # the registry: every uninsured living member
    assert cells["assessed:uninsured"].value == 3  # the latest assessments' confirmed ones
    assert cells["assessed:disability"].value == 0
    assert cells["budget:uninsured"].value == 5 * DEFAULT["uninsured"]  # the registry's count
    body = _get(client, verifikator, "dashboards:planning", "32.75.01").content.decode()
    assert 'data-assessed="uninsured">3<' in body  # Margahayu's row in its kecamatan


def test_assessed_needs_are_suppressed_for_aggregate_roles(client, pimpinan, pendamping):
    margahayu = Region.objects.get(code=MARGAHAYU)
    household = household_with_members(margahayu, size=2)
    household.members.update(health_insurance=Member.HealthInsurance.NONE)
    _assess(household, pendamping, confirm="moderate")
    refresh_kelurahan_counts()
    response = _get(client, pimpinan, "dashboards:planning", "32.75.01")
    rows = {row.code: row for row in response.context["rows"]}
    cell = rows[MARGAHAYU].cells["assessed:uninsured"]
    assert cell.value is None
    assert cell.display == f"<{response.context['board'].threshold}"
    # The export carries the same suppressed figure.
    xlsx = _get(client, pimpinan, "dashboards:planning", "32.75.01", format="xlsx")
    sheet = list(load_workbook(io.BytesIO(xlsx.content)).active.iter_rows(values_only=True))
    header = next(r for r in sheet if r[1] == "Wilayah")
    column = header.index(str(BY_CODE["uninsured"].label)) + 1  # then its assessed figure
    assert header[column].endswith("terkonfirmasi saat asesmen")
    assert next(r for r in sheet if r[0] == MARGAHAYU)[column] != 2
