"""Graduation out of poverty and relapse (issue 21 part 4): criteria as rule data, the
services' rules and guards, relapse detection."""

import datetime

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone

from eligibility.graduation import (
    decide_graduation,
    detect_relapses,
    propose_graduation,
    readiness,
)
from eligibility.models import GRADUATION_READY, Flag, Graduation, Relapse, Rule, RuleSet
from eligibility.selectors import visible_graduations
from eligibility.services import evaluate_household
from households.assessments import record_assessment
from households.models import Assessment, ChangeRecord, Enrolment, Program
from households.services import end_household_enrolments
from tests.households.factories import EnrolmentFactory, household_with_members, persona
from tests.households.needs_inputs import decided_needs

pytestmark = pytest.mark.django_db

LINE = int(settings.POVERTY_LINE)


def assess(household, *, per_person: int, days_ago: int, by, version: int) -> Assessment:
    """An assessment row with an income per person (and the one 6 months before, as
    record_assessment keeps it)."""
    earlier = (
        Assessment.objects.filter(
            household=household,
            assessed_on__lte=timezone.localdate() - datetime.timedelta(days=days_ago + 182),
        )
        .order_by("-assessed_on")
        .first()
    )
    return Assessment.objects.create(
        household=household,
        version=version,
        assessed_on=timezone.localdate() - datetime.timedelta(days=days_ago),
        assessed_by=by,
        monthly_income=per_person * household.member_count,
        person_count=household.member_count,
        income_per_capita=per_person,
        earlier_income_per_capita=earlier.income_per_capita if earlier else None,
        earlier_assessed_on=earlier.assessed_on if earlier else None,
    )


def ready_family(kelurahan, by, *, income=None):
    """A family above the poverty line at two assessments 7 months apart, not poor by its
    desil, enrolled in PKH."""
    household = household_with_members(
        kelurahan, size=3, welfare_decile=7, monthly_income=income or LINE * 3 * 2
    )
    assess(household, per_person=LINE * 13 // 10, days_ago=215, by=by, version=1)
    assess(household, per_person=LINE * 3 // 2, days_ago=5, by=by, version=2)
    EnrolmentFactory(household=household, program=Program.objects.get(code="pkh"))
    return household


@pytest.fixture
def second_verifier(reference_data):
    return persona("verifikator", agency_code="dinsos", username="wulan")


# --- assessments keep the income ---------------------------------------------------------------


def test_an_assessment_keeps_income_per_person_and_the_one_six_months_before(
    pendamping, household_in_margahayu
):
    today = timezone.localdate()
    first = record_assessment(
        household=household_in_margahayu,
        assessed_on=today - datetime.timedelta(days=200),
        needs=decided_needs(household_in_margahayu),
        monthly_income=3_000_000,
        by=pendamping,
    )
    near = record_assessment(
        household=household_in_margahayu,
        assessed_on=today - datetime.timedelta(days=100),
        needs=decided_needs(household_in_margahayu),
        monthly_income=2_400_000,
        by=pendamping,
    )
    last = record_assessment(
        household=household_in_margahayu,
        assessed_on=today,
        needs=decided_needs(household_in_margahayu),
        monthly_income=3_300_000,
        by=pendamping,
    )
    assert (first.person_count, first.income_per_capita) == (3, 1_000_000)
    assert first.earlier_income_per_capita is None
    assert near.earlier_income_per_capita is None  # 100 days: not 6 months
    # The latest assessment at least 182 days before, not the nearer one.
    assert (last.earlier_income_per_capita, last.earlier_assessed_on) == (
        1_000_000,
        first.assessed_on,
    )


def test_an_impossible_income_is_refused(pendamping, household_in_margahayu):
    with pytest.raises(ValidationError) as excinfo:
        record_assessment(
            household=household_in_margahayu,
            assessed_on=timezone.localdate(),
            needs=decided_needs(household_in_margahayu),
            monthly_income=10**12,
            by=pendamping,
        )
    assert excinfo.value.code == "invalid_income"


# --- criteria as data --------------------------------------------------------------------------


def test_the_criteria_are_a_definition_in_the_active_rule_set():
    rule = Rule.objects.get(rule_set__status=RuleSet.Status.ACTIVE, code=GRADUATION_READY)
    assert rule.kind == Rule.Kind.DEFINITION


def test_two_assessments_above_the_line_six_months_apart_meet_the_criteria(margahayu, pendamping):
    household = ready_family(margahayu, pendamping)
    ready = readiness(household)
    assert ready.defined
    assert ready.met
    lines = {line["label"]: line for line in ready.criteria if not line["group"]}
    assert all(line["met"] for line in lines.values())
    assert any(line["value"] == "150" for line in lines.values())  # 150% of the line


def test_one_assessment_is_not_enough(margahayu, pendamping):
    household = household_with_members(margahayu, size=2, welfare_decile=7)
    assess(household, per_person=LINE * 2, days_ago=3, by=pendamping, version=1)
    ready = readiness(household)
    assert not ready.met
    failed = [line for line in ready.criteria if line["met"] is False and not line["group"]]
    assert len(failed) == 1  # the earlier assessment: not recorded


def test_an_open_exclusion_finding_blocks_the_criteria(margahayu, pendamping):
    household = ready_family(margahayu, pendamping)
    rule = Rule.objects.filter(
        rule_set__status=RuleSet.Status.ACTIVE, kind=Rule.Kind.EXCLUSION
    ).first()
    flag = Flag.objects.create(household=household, rule=rule, rule_code=rule.code)
    assert not readiness(household).met
    Flag.objects.filter(pk=flag.pk).update(decision=Flag.Decision.DISMISSED)
    assert readiness(household).met  # a dismissed finding does not count


def test_a_verifier_edit_of_the_definition_changes_the_criteria(margahayu, pendamping):
    household = ready_family(margahayu, pendamping)
    rule = Rule.objects.get(rule_set__status=RuleSet.Status.ACTIVE, code=GRADUATION_READY)
    rule.condition = {"field": "assessed_income_pct", "op": ">", "value": 200}
    rule.save(update_fields=["condition"])  # every process reads the rules anew
    assert not readiness(household).met


# --- proposing ---------------------------------------------------------------------------------


def test_a_facilitator_proposes_a_ready_family(margahayu, pendamping):
    household = ready_family(margahayu, pendamping)
    graduation = propose_graduation(
        household=household, kind="criteria", evidence="Bekerja tetap.", by=pendamping
    )
    assert graduation.status == Graduation.Status.PROPOSED
    assert graduation.criteria_met is True
    assert graduation.criteria  # the lines as the verifier will read them


def test_by_the_criteria_is_refused_when_they_do_not_hold(pendamping, household_in_margahayu):
    with pytest.raises(ValidationError) as excinfo:
        propose_graduation(
            household=household_in_margahayu, kind="criteria", evidence="x", by=pendamping
        )
    assert excinfo.value.code == "criteria_not_met"


def test_sejahtera_mandiri_needs_no_criteria(pendamping, household_in_margahayu):
    graduation = propose_graduation(
        household=household_in_margahayu,
        kind="mandiri",
        evidence="Surat pernyataan keluarga.",
        by=pendamping,
    )
    assert graduation.criteria_met is False


@pytest.mark.parametrize(
    ("evidence", "code"), [("   ", "evidence_required"), ("x" * 2001, "too_long")]
)
def test_evidence_is_required(pendamping, household_in_margahayu, evidence, code):
    with pytest.raises(ValidationError) as excinfo:
        propose_graduation(
            household=household_in_margahayu, kind="mandiri", evidence=evidence, by=pendamping
        )
    assert excinfo.value.code == code


def test_a_second_proposal_waits_for_the_first(pendamping, household_in_margahayu):
    propose_graduation(
        household=household_in_margahayu, kind="mandiri", evidence="a", by=pendamping
    )
    with pytest.raises(ValidationError) as excinfo:
        propose_graduation(
            household=household_in_margahayu, kind="mandiri", evidence="b", by=pendamping
        )
    assert excinfo.value.code == "already_proposed"


def test_a_facilitator_cannot_propose_outside_their_kelurahan(pendamping, household_in_bintara):
    with pytest.raises(Http404):
        propose_graduation(
            household=household_in_bintara, kind="mandiri", evidence="x", by=pendamping
        )


# --- deciding ----------------------------------------------------------------------------------


def test_confirming_ends_the_enrolments_with_the_reason_graduasi(
    margahayu, pendamping, verifikator
):
    household = ready_family(margahayu, pendamping)
    graduation = propose_graduation(
        household=household, kind="criteria", evidence="Bekerja.", by=pendamping
    )
    done = decide_graduation(
        graduation=graduation, confirm=True, note="Kunjungan rumah.", by=verifikator
    )
    assert done.status == Graduation.Status.CONFIRMED
    assert done.decided_by == verifikator
    enrolment = Enrolment.objects.get(household=household)
    assert (enrolment.status, enrolment.end_reason) == (Enrolment.Status.ENDED, "graduasi")
    assert enrolment.end_date == timezone.localdate()
    record = ChangeRecord.objects.filter(household=household, entity="enrolment").latest("pk")
    assert record.actor == verifikator
    assert record.changes["end_reason"] == ["", "graduasi"]
    assert done.poor_at_confirmation is False


def test_rejecting_keeps_the_enrolments(margahayu, pendamping, verifikator):
    household = ready_family(margahayu, pendamping)
    graduation = propose_graduation(
        household=household, kind="mandiri", evidence="a", by=pendamping
    )
    decide_graduation(graduation=graduation, confirm=False, note="Belum stabil.", by=verifikator)
    assert Enrolment.objects.get(household=household).status == Enrolment.Status.ACTIVE
    graduation.refresh_from_db()
    assert graduation.status == Graduation.Status.REJECTED


def test_a_decision_needs_a_note(pendamping, verifikator, household_in_margahayu):
    graduation = propose_graduation(
        household=household_in_margahayu, kind="mandiri", evidence="a", by=pendamping
    )
    with pytest.raises(ValidationError) as excinfo:
        decide_graduation(graduation=graduation, confirm=True, note=" ", by=verifikator)
    assert excinfo.value.code == "note_required"


def test_nobody_confirms_their_own_proposal(verifikator, household_in_margahayu):
    graduation = propose_graduation(
        household=household_in_margahayu, kind="mandiri", evidence="a", by=verifikator
    )
    with pytest.raises(ValidationError) as excinfo:
        decide_graduation(graduation=graduation, confirm=True, note="ok", by=verifikator)
    assert excinfo.value.code == "own_proposal"


def test_the_second_of_two_decisions_is_refused(
    pendamping, verifikator, second_verifier, household_in_margahayu
):
    graduation = propose_graduation(
        household=household_in_margahayu, kind="mandiri", evidence="a", by=pendamping
    )
    seen_by_other = Graduation.objects.get(pk=graduation.pk)
    decide_graduation(graduation=graduation, confirm=True, note="ok", by=verifikator)
    with pytest.raises(ValidationError) as excinfo:
        decide_graduation(graduation=seen_by_other, confirm=False, note="no", by=second_verifier)
    assert excinfo.value.code == "stale"


def test_confirming_by_the_criteria_rechecks_them(margahayu, pendamping, verifikator):
    household = ready_family(margahayu, pendamping)
    graduation = propose_graduation(
        household=household, kind="criteria", evidence="a", by=pendamping
    )
    assess(household, per_person=LINE // 2, days_ago=0, by=pendamping, version=3)
    with pytest.raises(ValidationError) as excinfo:
        decide_graduation(graduation=graduation, confirm=True, note="ok", by=verifikator)
    assert excinfo.value.code == "criteria_not_met"


def test_a_decision_outside_the_write_scope_is_not_found(
    pendamping, verifikator, household_in_bintara
):
    # The service's guard is the write scope; the permission is the page's (test_views).
    graduation = propose_graduation(
        household=household_in_bintara, kind="mandiri", evidence="a", by=verifikator
    )
    with pytest.raises(Http404):
        decide_graduation(graduation=graduation, confirm=True, note="ok", by=pendamping)
    graduation.refresh_from_db()
    assert graduation.status == Graduation.Status.PROPOSED


def test_a_family_graduates_once(pendamping, verifikator, household_in_margahayu):
    graduation = propose_graduation(
        household=household_in_margahayu, kind="mandiri", evidence="a", by=pendamping
    )
    decide_graduation(graduation=graduation, confirm=True, note="ok", by=verifikator)
    with pytest.raises(ValidationError) as excinfo:
        propose_graduation(
            household=household_in_margahayu, kind="mandiri", evidence="b", by=pendamping
        )
    assert excinfo.value.code == "already_graduated"


def test_end_household_enrolments_refuses_an_unknown_reason(verifikator, household_in_margahayu):
    with pytest.raises(ValidationError) as excinfo:
        end_household_enrolments(household=household_in_margahayu, reason="x", by=verifikator)
    assert excinfo.value.code == "invalid_reason"


# --- scope -------------------------------------------------------------------------------------


def test_graduations_are_scoped_like_households(
    pendamping, verifikator, pimpinan, household_in_margahayu, household_in_bintara
):
    inside = propose_graduation(
        household=household_in_margahayu, kind="mandiri", evidence="a", by=verifikator
    )
    outside = propose_graduation(
        household=household_in_bintara, kind="mandiri", evidence="a", by=verifikator
    )
    assert set(visible_graduations(pendamping)) == {inside}
    assert set(visible_graduations(verifikator)) == {inside, outside}
    assert not visible_graduations(pimpinan).exists()


# --- relapse -----------------------------------------------------------------------------------


def graduated(margahayu, pendamping, verifikator, *, days_ago=0):
    household = ready_family(margahayu, pendamping)
    graduation = propose_graduation(
        household=household, kind="criteria", evidence="a", by=pendamping
    )
    graduation = decide_graduation(graduation=graduation, confirm=True, note="ok", by=verifikator)
    if days_ago:
        Graduation.objects.filter(pk=graduation.pk).update(
            decided_at=timezone.now() - datetime.timedelta(days=days_ago)
        )
        graduation.refresh_from_db()
    return household, graduation


def test_an_assessment_below_the_line_after_graduation_is_a_relapse(
    margahayu, pendamping, verifikator
):
    household, graduation = graduated(margahayu, pendamping, verifikator, days_ago=40)
    assess(household, per_person=LINE // 2, days_ago=0, by=pendamping, version=3)
    (relapse,) = detect_relapses()
    assert relapse.graduation == graduation
    assert relapse.why == Relapse.Why.ASSESSED_POOR
    assert detect_relapses() == []  # once


def test_meeting_the_poor_definition_again_is_a_relapse(margahayu, pendamping, verifikator):
    household, graduation = graduated(margahayu, pendamping, verifikator, days_ago=10)
    assert detect_relapses() == []
    type(household).objects.filter(pk=household.pk).update(welfare_decile=2)
    evaluate_household(household.pk)  # the after-save hook's evaluation
    assert Relapse.objects.get(graduation=graduation).why == Relapse.Why.POOR_AGAIN


def test_a_new_enrolment_is_a_relapse(margahayu, pendamping, verifikator):
    household, graduation = graduated(margahayu, pendamping, verifikator, days_ago=10)
    EnrolmentFactory(household=household, program=Program.objects.get(code="bpnt"))
    (relapse,) = detect_relapses(household_ids=[household.pk])
    assert relapse.why == Relapse.Why.RE_ENROLLED


def test_poverty_after_twelve_months_is_no_relapse(margahayu, pendamping, verifikator):
    household, _graduation = graduated(margahayu, pendamping, verifikator, days_ago=400)
    assess(household, per_person=LINE // 2, days_ago=0, by=pendamping, version=3)
    assert detect_relapses() == []


def test_a_family_poor_by_its_desil_at_graduation_does_not_relapse_by_it(
    margahayu, pendamping, verifikator
):
    household = ready_family(margahayu, pendamping)
    type(household).objects.filter(pk=household.pk).update(welfare_decile=2)
    graduation = propose_graduation(
        household=household, kind="mandiri", evidence="a", by=pendamping
    )
    graduation = decide_graduation(graduation=graduation, confirm=True, note="ok", by=verifikator)
    assert graduation.poor_at_confirmation is True
    assert detect_relapses() == []


def test_the_nightly_run_records_relapses(margahayu, pendamping, verifikator):
    from eligibility.services import run_eligibility

    household, _graduation = graduated(margahayu, pendamping, verifikator, days_ago=40)
    assess(household, per_person=LINE // 2, days_ago=0, by=pendamping, version=3)
    run_eligibility(by=None)
    assert Relapse.objects.filter(household=household).count() == 1
