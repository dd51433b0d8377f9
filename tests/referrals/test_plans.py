"""The family's plan (issue 21, part 3): services, scope and the progress that follows a
referral."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone

from households.assessments import record_assessment
from households.models import Intervention, Program
from households.models.assessments import INTERVENTION_AGENCY
from referrals.models import (
    INTERVENTION_CATEGORY,
    Action,
    NeedCategory,
    Outcome,
    Plan,
    PlanIntervention,
    Progress,
    Status,
    progress_of,
)
from referrals.models.plans import progress_expression
from referrals.plans import (
    add_goal,
    add_intervention,
    create_plan,
    record_agreement,
    record_follow_up_visit,
    set_intervention_progress,
)
from referrals.selectors import visible_plan_interventions, visible_plans
from referrals.services import transition_referral
from tests.households.factories import persona
from tests.households.needs_inputs import code_of, decided_needs, economic
from tests.referrals.plan_data import economic_categories, plan_with_three_agencies

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def _code(excinfo) -> str:
    return code_of(excinfo.value)


def test_economic_interventions_route_to_their_agency(reference_data):
    economic_categories()
    for intervention in Intervention:
        category = NeedCategory.objects.get(code=INTERVENTION_CATEGORY[intervention])
        assert category.default_agency.code == INTERVENTION_AGENCY[intervention]
        assert category.default_agency.receives_referrals


def test_plan_made_with_the_family_records_who_agreed(pendamping, household_in_margahayu):
    head = household_in_margahayu.members.get(relationship="head")
    plan = create_plan(
        household=household_in_margahayu, made_on=TODAY(), agreed_by=head, by=pendamping
    )
    assert plan.made_by == pendamping
    assert plan.agreed_by == head
    assert plan.agreed_on == TODAY()


def test_one_active_plan_per_family(pendamping, household_in_margahayu):
    create_plan(household=household_in_margahayu, made_on=TODAY(), by=pendamping)
    with pytest.raises(ValidationError) as excinfo:
        create_plan(household=household_in_margahayu, made_on=TODAY(), by=pendamping)
    assert _code(excinfo) == "plan_exists"


def test_plan_outside_write_scope_is_not_found(pendamping, household_in_bintara):
    with pytest.raises(Http404):
        create_plan(household=household_in_bintara, made_on=TODAY(), by=pendamping)
    assert not Plan.objects.exists()


def test_agency_staff_cannot_write_a_plan(petugas_dinkes, pendamping, household_in_margahayu):
    plan = create_plan(household=household_in_margahayu, made_on=TODAY(), by=pendamping)
    with pytest.raises(Http404):
        add_goal(plan=plan, text="Anak kembali sekolah", by=petugas_dinkes)


def test_agreement_of_a_member_of_another_family_is_refused(
    pendamping, household_in_margahayu, household_in_bintara
):
    plan = create_plan(household=household_in_margahayu, made_on=TODAY(), by=pendamping)
    stranger = household_in_bintara.members.first()
    with pytest.raises(ValidationError) as excinfo:
        record_agreement(plan=plan, agreed_by=stranger, agreed_on=TODAY(), by=pendamping)
    assert _code(excinfo) == "invalid_member"


def test_plan_in_the_future_is_refused(pendamping, household_in_margahayu):
    with pytest.raises(ValidationError) as excinfo:
        create_plan(
            household=household_in_margahayu,
            made_on=TODAY() + datetime.timedelta(days=1),
            by=pendamping,
        )
    assert _code(excinfo) == "future"


def test_goal_tied_to_an_assessed_need(pendamping, household_in_margahayu):
    assessment = record_assessment(
        household=household_in_margahayu,
        assessed_on=TODAY(),
        needs=decided_needs(household_in_margahayu, extra=[economic()]),
        by=pendamping,
    )
    need = assessment.needs.get(kind="unemployed")
    plan = create_plan(household=household_in_margahayu, made_on=TODAY(), by=pendamping)
    goal = add_goal(plan=plan, text="Ayah bekerja lagi", need=need, by=pendamping)
    assert goal.need == need


def test_goal_for_another_familys_need_is_refused(
    pendamping, household_in_margahayu, operator, margahayu
):
    from tests.households.factories import household_with_members

    other = household_with_members(margahayu, size=2)
    assessment = record_assessment(
        household=other, assessed_on=TODAY(), needs=decided_needs(other), by=pendamping
    )
    plan = create_plan(household=household_in_margahayu, made_on=TODAY(), by=pendamping)
    with pytest.raises(ValidationError) as excinfo:
        add_goal(plan=plan, text="X", need=assessment.needs.first(), by=pendamping)
    assert _code(excinfo) == "invalid_need"


def test_referral_intervention_raises_a_referral_to_the_categorys_agency(
    pendamping, household_in_margahayu
):
    economic_categories()
    plan = create_plan(household=household_in_margahayu, made_on=TODAY(), by=pendamping)
    step = add_intervention(
        plan=plan,
        kind=PlanIntervention.Kind.REFERRAL,
        description="Pelatihan menjahit untuk ibu",
        target_date=TODAY() + datetime.timedelta(days=60),
        category=NeedCategory.objects.get(code="pelatihan-kerja"),
        by=pendamping,
    )
    assert step.referral.agency.code == "disnaker"
    assert step.referral.status == Status.SUBMITTED
    assert step.referral.household == household_in_margahayu
    assert step.progress == Progress.UNDERWAY


def test_three_agencies_resolve_and_the_plan_follows(pendamping, household_in_margahayu):
    plan, steps = plan_with_three_agencies(household_in_margahayu, pendamping)
    assert {s.referral.agency.code for s in steps} == {"dinkes", "disdik", "disnaker"}
    for step in steps:
        officer = persona(
            "petugas_opd", agency_code=step.referral.agency.code, username=f"o-{step.pk}"
        )
        referral = transition_referral(referral=step.referral, action=Action.ACCEPT, by=officer)
        transition_referral(
            referral=referral,
            action=Action.RESOLVE,
            outcome=Outcome.SERVED,
            note="Sudah dilayani",
            by=officer,
        )
    fresh = PlanIntervention.objects.filter(plan=plan).select_related("referral")
    assert {step.progress for step in fresh} == {Progress.DONE}


def test_progress_follows_the_referral_not_a_copy(pendamping, household_in_margahayu):
    _plan, steps = plan_with_three_agencies(household_in_margahayu, pendamping)
    step = steps[0]
    officer = persona("petugas_opd", agency_code=step.referral.agency.code, username="o1")
    transition_referral(referral=step.referral, action=Action.REJECT, note="Bukan", by=officer)
    step = PlanIntervention.objects.select_related("referral").get(pk=step.pk)
    assert step.progress == Progress.STOPPED
    with pytest.raises(ValidationError) as excinfo:
        set_intervention_progress(intervention=step, progress=Progress.DONE, by=pendamping)
    assert _code(excinfo) == "follows_referral"


@pytest.mark.parametrize("status", list(Status))
@pytest.mark.parametrize("outcome", ["", Outcome.SERVED, Outcome.NOT_ELIGIBLE])
def test_progress_in_sql_agrees_with_python(status, outcome, pendamping, household_in_margahayu):
    _plan, steps = plan_with_three_agencies(household_in_margahayu, pendamping)
    step = steps[0]
    type(step.referral).objects.filter(pk=step.referral_id).update(status=status, outcome=outcome)
    counted = PlanIntervention.objects.filter(pk=step.pk).annotate(p=progress_expression())
    assert counted.get().p == progress_of(status, outcome)


def test_own_action_progress_is_set_by_the_facilitator(pendamping, household_in_margahayu):
    plan = create_plan(household=household_in_margahayu, made_on=TODAY(), by=pendamping)
    step = add_intervention(
        plan=plan,
        kind=PlanIntervention.Kind.OWN,
        description="Kunjungan rumah dan pendampingan ke puskesmas",
        target_date=TODAY() + datetime.timedelta(days=7),
        by=pendamping,
    )
    assert step.progress == Progress.PLANNED
    step = set_intervention_progress(intervention=step, progress=Progress.DONE, by=pendamping)
    assert step.progress == Progress.DONE


def test_program_proposal_needs_a_program(pendamping, household_in_margahayu):
    plan = create_plan(household=household_in_margahayu, made_on=TODAY(), by=pendamping)
    with pytest.raises(ValidationError) as excinfo:
        add_intervention(
            plan=plan,
            kind=PlanIntervention.Kind.PROGRAM,
            description="Usulkan PKH",
            target_date=TODAY(),
            by=pendamping,
        )
    assert _code(excinfo) == "required"
    step = add_intervention(
        plan=plan,
        kind=PlanIntervention.Kind.PROGRAM,
        description="Usulkan PKH",
        target_date=TODAY(),
        program=Program.objects.get(code="pkh"),
        by=pendamping,
    )
    assert step.referral is None


def test_follow_up_visit_with_an_updated_assessment(pendamping, household_in_margahayu):
    plan = create_plan(household=household_in_margahayu, made_on=TODAY(), by=pendamping)
    assessment = record_assessment(
        household=household_in_margahayu,
        assessed_on=TODAY(),
        needs=decided_needs(household_in_margahayu),
        by=pendamping,
    )
    visit = record_follow_up_visit(
        plan=plan,
        visited_on=TODAY(),
        location="Posyandu RW 05",
        notes="Anak sudah terdaftar sekolah.",
        assessment=assessment,
        by=pendamping,
    )
    assert visit.assessment == assessment
    with pytest.raises(ValidationError) as excinfo:
        record_follow_up_visit(plan=plan, visited_on=TODAY(), notes="  ", by=pendamping)
    assert _code(excinfo) == "required"


def test_agency_staff_see_only_their_own_interventions(
    pendamping, petugas_dinkes, household_in_margahayu
):
    plan, steps = plan_with_three_agencies(household_in_margahayu, pendamping)
    assert list(visible_plans(petugas_dinkes)) == [plan]
    seen = list(visible_plan_interventions(petugas_dinkes))
    assert [s.referral.agency.code for s in seen] == ["dinkes"]


def test_agency_without_an_intervention_does_not_see_the_plan(pendamping, household_in_margahayu):
    plan_with_three_agencies(household_in_margahayu, pendamping)
    dinsos = persona("petugas_opd", agency_code="dinsos", username="dinsos1")
    assert not visible_plans(dinsos).exists()


def test_aggregate_roles_and_other_kelurahan_see_no_plan(
    pendamping, pimpinan, bintara, household_in_margahayu
):
    plan_with_three_agencies(household_in_margahayu, pendamping)
    elsewhere = persona("pendamping", kelurahan=[bintara], username="elsewhere")
    assert not visible_plans(pimpinan).exists()
    assert not visible_plans(elsewhere).exists()
