"""The family plans on the dashboards (issue 21, part 5): families assessed and with a plan,
needs by domain, interventions open and done per agency; numbers only, suppressed."""

import pytest
from django.urls import reverse
from django.utils import timezone

from dashboards.plans import need_code, step_code
from dashboards.services import refresh_kelurahan_counts
from households.assessments import record_assessment
from referrals.models import Action, Outcome
from referrals.services import transition_referral
from tests.households.factories import persona
from tests.households.needs_inputs import decided_needs
from tests.referrals.plan_data import plan_with_three_agencies

pytestmark = pytest.mark.django_db

MARGAHAYU = "32.75.01.1002"


@pytest.fixture
def planned(pendamping, household_in_margahayu):
    """An assessed family (a health need) with a plan at Dinkes, Disdik and Disnaker; Dinkes
    resolved its referral."""
    record_assessment(
        household=household_in_margahayu,
        assessed_on=timezone.localdate(),
        needs=decided_needs(household_in_margahayu, domains={"health": "severe"}),
        by=pendamping,
    )
    _plan, steps = plan_with_three_agencies(household_in_margahayu, pendamping)
    officer = persona("petugas_opd", agency_code="dinkes", username="dinkes-plan")
    referral = transition_referral(referral=steps[0].referral, action=Action.ACCEPT, by=officer)
    transition_referral(
        referral=referral, action=Action.RESOLVE, outcome=Outcome.SERVED, note="OK", by=officer
    )
    refresh_kelurahan_counts()
    return household_in_margahayu


def _page(client, user, code=None):
    client.force_login(user)
    if code:
        return client.get(reverse("dashboards:plans", args=[code]))
    return client.get(reverse("dashboards:plans_city"))


def test_the_page_counts_assessed_planned_needs_and_steps(client, verifikator, planned):
    response = _page(client, verifikator, MARGAHAYU)
    assert response.status_code == 200
    cells = {code: cell.value for code, cell in response.context["area"].cells.items()}
    assert cells["assessed_households"] == 1
    assert cells["households_with_plan"] == 1
    assert cells[need_code("health")] == 1
    assert cells[need_code("education")] == 0
    assert cells[step_code("dinkes", "done")] == 1
    assert cells[step_code("dinkes", "open")] == 0
    assert cells[step_code("disdik", "open")] == 1
    assert cells[step_code("disnaker", "open")] == 1
    body = response.content.decode()
    assert 'id="interventions-per-agency"' in body
    assert 'id="needs-by-domain"' in body


def test_the_city_adds_up_the_kelurahan(client, verifikator, planned):
    response = _page(client, verifikator)
    cells = response.context["area"].cells
    assert cells["households_with_plan"].value == 1
    assert cells[step_code("disnaker", "open")].value == 1


def test_aggregate_roles_see_small_counts_suppressed(client, pimpinan, planned):
    response = _page(client, pimpinan, "32.75.01")  # Bekasi Timur: Margahayu's kecamatan
    assert response.status_code == 200
    rows = {row.code: row for row in response.context["rows"]}
    cell = rows[MARGAHAYU].cells["households_with_plan"]
    assert cell.value is None  # 1 family: shown as "<k", never as 1
    assert cell.display == f"<{response.context['board'].threshold}"


def test_agency_staff_do_not_get_household_figures(client, petugas_dinkes, planned):
    assert _page(client, petugas_dinkes).status_code == 403


def test_facilitators_see_their_kelurahan_only(client, bintara, planned):
    elsewhere = persona("pendamping", kelurahan=[bintara], username="elsewhere")
    response = _page(client, elsewhere)
    assert response.context["area"].cells["households_with_plan"].value == 0
    assert _page(client, elsewhere, MARGAHAYU).status_code == 404


def test_the_overview_links_the_plans_page(client, verifikator, planned):
    client.force_login(verifikator)
    body = client.get(reverse("dashboards:overview")).content.decode()
    assert reverse("dashboards:plans_city") in body


def _graduated_with_plan(kelurahan, by, *, planned_days_before: int | None, decided=None):
    """A family graduated (confirmed) at `decided`, its plan made `planned_days_before` days
    earlier (None: no plan)."""
    import datetime

    from referrals.models import Plan
    from tests.dashboards.test_graduations import graduate

    decided = decided or timezone.now()
    graduation = graduate(kelurahan, at=decided, by=by)
    if planned_days_before is not None:
        made_on = timezone.localdate(decided) - datetime.timedelta(days=planned_days_before)
        Plan.objects.create(household=graduation.household, made_on=made_on, made_by=by)
    return graduation


def test_median_months_from_plan_to_graduation_per_area(client, verifikator, margahayu, bintara):
    for days in (61, 122, 183):  # 2, 4 and 6 months
        _graduated_with_plan(margahayu, verifikator, planned_days_before=days)
    _graduated_with_plan(bintara, verifikator, planned_days_before=365)  # 12 months
    _graduated_with_plan(margahayu, verifikator, planned_days_before=None)  # no plan: left out
    refresh_kelurahan_counts()
    medians = _page(client, verifikator).context["board"].medians
    assert (medians[MARGAHAYU].value, medians[MARGAHAYU].count) == (4.0, 3)
    assert (medians["32.75.01"].value, medians["32.75.01"].count) == (4.0, 3)
    assert (medians["32.75.02"].value, medians["32.75.02"].count) == (12.0, 1)
    city = medians[_page(client, verifikator).context["area"].code]
    assert (city.value, city.count) == (5.0, 4)  # median of 2, 4, 6, 12
    body = _page(client, verifikator, "32.75.01").content.decode()
    assert 'data-figure="plan_to_graduation">4,0<' in body


def test_a_plan_made_after_the_graduation_is_not_counted(client, verifikator, margahayu):
    _graduated_with_plan(margahayu, verifikator, planned_days_before=-10)
    refresh_kelurahan_counts()
    median = _page(client, verifikator).context["board"].medians[MARGAHAYU]
    assert (median.value, median.count, median.display) == (None, 0, "–")


def test_a_median_over_few_graduations_is_hidden_for_aggregate_roles(
    client, pimpinan, verifikator, margahayu, bintara
):
    for days in (30, 61, 91, 122, 152):  # five in Margahayu: shown
        _graduated_with_plan(margahayu, verifikator, planned_days_before=days)
    _graduated_with_plan(bintara, verifikator, planned_days_before=365)  # one: hidden
    refresh_kelurahan_counts()
    response = _page(client, pimpinan)
    medians = response.context["board"].medians
    threshold = response.context["board"].threshold
    assert medians[MARGAHAYU].value == 3.0
    assert medians["32.75.02.1001"].value is None
    assert medians["32.75.02.1001"].display == f"<{threshold}"
    assert medians["32.75.02"].value is None  # its kecamatan has that one graduation only
    assert medians[response.context["area"].code].count == 6
    body = response.content.decode()
    assert "12,0" not in body
    # The verifier (personal data anyway) sees the small one.
    _page(client, verifikator)
    assert _page(client, verifikator).context["board"].medians["32.75.02"].value == 12.0
