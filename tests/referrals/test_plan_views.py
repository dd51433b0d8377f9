"""The family plan's pages and API (issue 21, parts 3 and 6): the whole plan for the facilitator
and the desk, an agency's own interventions only, forms that refuse clearly, scope as for
households."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from households.models import AccessRecord
from referrals.models import FollowUpVisit, NeedCategory, Plan, PlanGoal, PlanIntervention
from tests.households.factories import persona
from tests.referrals.plan_data import economic_categories, plan_with_three_agencies

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


@pytest.fixture
def planned(pendamping, household_in_margahayu):
    return plan_with_three_agencies(household_in_margahayu, pendamping)


def _login(client, user):
    client.force_login(user)
    return client


def test_household_page_links_the_plan(client, pendamping, household_in_margahayu):
    body = _login(client, pendamping).get(household_in_margahayu.get_absolute_url()).content
    assert reverse("referrals:household_plan", args=[household_in_margahayu.pk]).encode() in body


def test_way_in_starts_a_plan_or_opens_the_one_there(client, pendamping, household_in_margahayu):
    url = reverse("referrals:household_plan", args=[household_in_margahayu.pk])
    response = _login(client, pendamping).get(url)
    assert response["Location"] == reverse(
        "referrals:plan_create", args=[household_in_margahayu.pk]
    )
    plan, _steps = plan_with_three_agencies(household_in_margahayu, pendamping)
    assert client.get(url)["Location"] == reverse("referrals:plan_detail", args=[plan.pk])


def test_facilitator_starts_a_plan_with_the_familys_agreement(
    client, pendamping, household_in_margahayu
):
    head = household_in_margahayu.members.get(relationship="head")
    url = reverse("referrals:plan_create", args=[household_in_margahayu.pk])
    response = _login(client, pendamping).post(
        url, {"made_on": TODAY().isoformat(), "agreed_by": head.pk, "note": ""}
    )
    plan = Plan.objects.get(household=household_in_margahayu)
    assert response["Location"] == reverse("referrals:plan_detail", args=[plan.pk])
    assert plan.agreed_by == head


def test_a_plan_in_the_future_is_refused_with_a_message(client, pendamping, household_in_margahayu):
    url = reverse("referrals:plan_create", args=[household_in_margahayu.pk])
    tomorrow = (TODAY() + datetime.timedelta(days=1)).isoformat()
    response = _login(client, pendamping).post(url, {"made_on": tomorrow})
    assert response.status_code == 200
    assert response.context["form"].has_error("made_on", "future")
    assert not Plan.objects.exists()


def test_the_plan_page_shows_every_agency_to_the_facilitator(client, pendamping, planned):
    plan, steps = planned
    response = _login(client, pendamping).get(reverse("referrals:plan_detail", args=[plan.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    for step in steps:
        assert step.description in body
        assert step.referral.agency.short_name in body
    assert "Keluarga sehat, anak sekolah, ayah bekerja" in body  # the goal


def test_agency_staff_see_only_their_interventions(client, petugas_dinkes, planned):
    plan, steps = planned
    response = _login(client, petugas_dinkes).get(reverse("referrals:plan_detail", args=[plan.pk]))
    assert response.status_code == 200
    assert [s.pk for s in response.context["interventions"]] == [steps[0].pk]
    body = response.content.decode()
    assert steps[1].description not in body
    assert steps[2].description not in body
    assert "Keluarga sehat, anak sekolah, ayah bekerja" not in body  # the family's goals
    # reading the family through a referral is logged
    assert AccessRecord.objects.filter(user=petugas_dinkes, household=plan.household).exists()


def test_an_agency_with_no_intervention_gets_404(client, planned):
    plan, _steps = planned
    dinsos = persona("petugas_opd", agency_code="dinsos", username="dinsos-v")
    response = _login(client, dinsos).get(reverse("referrals:plan_detail", args=[plan.pk]))
    assert response.status_code == 404


def test_another_kelurahan_gets_404(client, bintara, planned):
    plan, _steps = planned
    elsewhere = persona("pendamping", kelurahan=[bintara], username="elsewhere")
    response = _login(client, elsewhere).get(reverse("referrals:plan_detail", args=[plan.pk]))
    assert response.status_code == 404
    response = client.post(reverse("referrals:goal_add", args=[plan.pk]), {"text": "X"})
    assert response.status_code == 404
    assert not PlanGoal.objects.filter(text="X").exists()


def test_agency_staff_cannot_add_to_a_plan(client, petugas_dinkes, planned):
    plan, _steps = planned
    url = reverse("referrals:intervention_add", args=[plan.pk])
    assert _login(client, petugas_dinkes).get(url).status_code == 403


def test_adding_a_referral_step_sends_it_to_the_agency(client, pendamping, planned):
    plan, _steps = planned
    economic_categories()
    kur = NeedCategory.objects.get(code="kur")
    url = reverse("referrals:intervention_add", args=[plan.pk])
    target = (TODAY() + datetime.timedelta(days=90)).isoformat()
    response = _login(client, pendamping).post(
        url,
        {"kind": "referral", "description": "Pinjaman KUR warung", "target_date": target,
         "category": kur.pk},
    )  # fmt: skip
    assert response.status_code == 302
    step = PlanIntervention.objects.get(description="Pinjaman KUR warung")
    assert step.referral.agency.code == "bank-kur"


def test_a_referral_step_without_its_need_is_refused_on_the_form(client, pendamping, planned):
    plan, _steps = planned
    url = reverse("referrals:intervention_add", args=[plan.pk])
    response = _login(client, pendamping).post(
        url, {"kind": "referral", "description": "Tanpa kategori", "target_date": TODAY()}
    )
    assert response.status_code == 200
    assert response.context["form"].has_error("category", "required")


def test_own_action_progress_from_the_page(client, pendamping, planned):
    plan, _steps = planned
    _login(client, pendamping).post(
        reverse("referrals:intervention_add", args=[plan.pk]),
        {"kind": "own", "description": "Antar ke puskesmas", "target_date": TODAY()},
    )
    step = PlanIntervention.objects.get(description="Antar ke puskesmas")
    client.post(
        reverse("referrals:intervention_progress", args=[plan.pk, step.pk]), {"progress": "done"}
    )
    step.refresh_from_db()
    assert step.own_progress == "done"


def test_a_referral_steps_progress_cannot_be_set_by_hand(client, pendamping, planned):
    plan, steps = planned
    url = reverse("referrals:intervention_progress", args=[plan.pk, steps[0].pk])
    response = _login(client, pendamping).post(url, {"progress": "done"}, follow=True)
    messages = [str(m) for m in response.context["messages"]]
    assert messages  # told why, not a 500
    assert PlanIntervention.objects.get(pk=steps[0].pk).progress == "underway"


def test_follow_up_visit_from_the_page(client, pendamping, planned):
    plan, _steps = planned
    response = _login(client, pendamping).post(
        reverse("referrals:visit_add", args=[plan.pk]),
        {"visited_on": TODAY().isoformat(), "location": "Balai RW 03", "notes": "Ibu sudah JKN"},
    )
    assert response.status_code == 302
    visit = FollowUpVisit.objects.get(plan=plan)
    assert visit.location == "Balai RW 03"


def test_goal_and_agreement_from_the_page(client, pendamping, household_in_margahayu):
    plan = Plan.objects.create(
        household=household_in_margahayu, made_on=TODAY(), made_by=pendamping
    )
    head = household_in_margahayu.members.get(relationship="head")
    _login(client, pendamping).post(
        reverse("referrals:goal_add", args=[plan.pk]), {"text": "Rumah layak huni"}
    )
    client.post(
        reverse("referrals:plan_agree", args=[plan.pk]),
        {"agreed_by": head.pk, "agreed_on": TODAY().isoformat()},
    )
    plan.refresh_from_db()
    assert plan.goals.get().text == "Rumah layak huni"
    assert plan.agreed_by == head


# --- API ---------------------------------------------------------------------------------


def test_api_lists_plans_and_interventions_in_scope(client, pendamping, planned):
    plan, steps = planned
    _login(client, pendamping)
    plans = client.get("/api/v1/plans/").json()["results"]
    assert [p["id"] for p in plans] == [plan.pk]
    assert plans[0]["goals"][0]["text"]
    rows = client.get("/api/v1/plan-interventions/", {"plan": plan.pk}).json()["results"]
    assert {r["agency"] for r in rows} == {"dinkes", "disdik", "disnaker"}
    assert {r["progress"] for r in rows} == {"underway"}


def test_api_agency_staff_get_their_steps_and_no_goals(client, petugas_dinkes, planned):
    plan, steps = planned
    _login(client, petugas_dinkes)
    rows = client.get("/api/v1/plan-interventions/").json()["results"]
    assert [r["id"] for r in rows] == [steps[0].pk]
    detail = client.get(f"/api/v1/plans/{plan.pk}/").json()
    assert detail["goals"] == []
    assert client.get(f"/api/v1/plan-interventions/{steps[1].pk}/").status_code == 404


def test_api_other_kelurahan_and_aggregate_roles_see_none(client, bintara, pimpinan, planned):
    plan, _steps = planned
    elsewhere = persona("pendamping", kelurahan=[bintara], username="elsewhere")
    _login(client, elsewhere)
    assert client.get("/api/v1/plans/").json()["results"] == []
    assert client.get(f"/api/v1/plans/{plan.pk}/").status_code == 404
    _login(client, pimpinan)
    assert client.get("/api/v1/plans/").status_code == 403


def test_api_creates_a_plan_and_a_referral_step(client, pendamping, household_in_margahayu):
    economic_categories()
    _login(client, pendamping)
    response = client.post(
        "/api/v1/plans/",
        {"household": household_in_margahayu.pk, "made_on": TODAY().isoformat()},
        content_type="application/json",
    )
    assert response.status_code == 201
    plan_id = response.json()["id"]
    response = client.post(
        "/api/v1/plan-interventions/",
        {"plan": plan_id, "kind": "referral", "description": "Pelatihan las",
         "target_date": TODAY().isoformat(), "category": "pelatihan-kerja"},
        content_type="application/json",
    )  # fmt: skip
    assert response.status_code == 201
    assert response.json()["agency"] == "disnaker"
    again = client.post(
        "/api/v1/plans/",
        {"household": household_in_margahayu.pk, "made_on": TODAY().isoformat()},
        content_type="application/json",
    )
    assert again.status_code == 400
    assert again.json()["code"] == "plan_exists"


def test_api_progress_of_a_referral_step_is_refused(client, pendamping, planned):
    _plan, steps = planned
    _login(client, pendamping)
    response = client.post(
        f"/api/v1/plan-interventions/{steps[0].pk}/progress/",
        {"progress": "done"},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["code"] == "follows_referral"
