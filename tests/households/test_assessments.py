"""Needs assessment (issue 21): versioned per household, the registry's suggestions decided by
the assessor and never assumed, economic needs pointing to an intervention, the write scope."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone

from households.assessments import NeedInput, record_assessment, registry_suggestions
from households.models import Agency, AssessedNeed, Assessment, Domain, Member, NeedKind
from households.models.assessments import ECONOMIC_KINDS, INTERVENTION_AGENCY, Intervention
from tests.households.factories import MemberFactory
from tests.households.needs_inputs import code_of, decided_needs, economic

pytestmark = pytest.mark.django_db


def _today():
    """Read at each use: a module-level date goes stale when a run crosses midnight WIB."""
    return timezone.localdate()


def _child_out_of_school(household) -> Member:
    return MemberFactory(
        household=household,
        birth_date=_today().replace(year=_today().year - 12, day=1),
        schooling=Member.Schooling.LEFT,
        health_insurance=Member.HealthInsurance.PBI_JKN,
    )


def test_the_registry_suggests_a_child_out_of_school_and_the_uninsured(household_in_margahayu):
    child = _child_out_of_school(household_in_margahayu)
    suggestions = registry_suggestions(household_in_margahayu)
    kinds = {(s.kind, s.member.pk if s.member else None) for s in suggestions}
    assert (NeedKind.OUT_OF_SCHOOL, child.pk) in kinds
    uninsured = {m for k, m in kinds if k == NeedKind.UNINSURED}
    assert uninsured == set(
        household_in_margahayu.members.filter(health_insurance="none").values_list("pk", flat=True)
    )
    assert (NeedKind.UNINSURED, child.pk) not in kinds


def test_an_assessment_records_every_domain_and_each_decided_suggestion(
    pendamping, household_in_margahayu
):
    child = _child_out_of_school(household_in_margahayu)
    needs = decided_needs(household_in_margahayu, confirm="")  # all dismissed ...
    needs = [
        NeedInput(kind=n.kind, severity="severe", member_id=n.member_id, suggested=True)
        if n.kind == NeedKind.OUT_OF_SCHOOL
        else n
        for n in needs
    ]  # ... but the child out of school, confirmed
    assessment = record_assessment(
        household=household_in_margahayu, assessed_on=_today(), needs=needs, by=pendamping
    )
    assert assessment.version == 1
    assert assessment.needs.filter(kind=NeedKind.DOMAIN).count() == len(Domain)
    confirmed = assessment.needs.get(kind=NeedKind.OUT_OF_SCHOOL)
    assert (confirmed.member, confirmed.present, confirmed.severity) == (child, True, "severe")
    assert confirmed.domain == Domain.EDUCATION
    dismissed = assessment.needs.filter(kind=NeedKind.UNINSURED)
    assert dismissed.exists()
    assert not dismissed.filter(present=True).exists()


def test_an_undecided_suggestion_is_refused_never_assumed(pendamping, household_in_margahayu):
    needs = [n for n in decided_needs(household_in_margahayu) if not n.suggested][:]
    with pytest.raises(ValidationError) as error:
        record_assessment(
            household=household_in_margahayu, assessed_on=_today(), needs=needs, by=pendamping
        )
    assert code_of(error.value) == "undecided_suggestion"
    assert not Assessment.objects.exists()


def test_a_need_the_registry_did_not_suggest_cannot_pass_as_one(pendamping, household_in_margahayu):
    head = household_in_margahayu.members.get(relationship="head")
    fake = NeedInput(kind=NeedKind.DISABILITY, severity="mild", member_id=head.pk, suggested=True)
    with pytest.raises(ValidationError) as error:
        record_assessment(
            household=household_in_margahayu,
            assessed_on=_today(),
            needs=decided_needs(household_in_margahayu, extra=[fake]),
            by=pendamping,
        )
    assert code_of(error.value) == "undecided_suggestion"


def test_every_domain_must_be_answered(pendamping, household_in_margahayu):
    needs = [n for n in decided_needs(household_in_margahayu) if n.domain != Domain.FOOD]
    with pytest.raises(ValidationError) as error:
        record_assessment(
            household=household_in_margahayu, assessed_on=_today(), needs=needs, by=pendamping
        )
    assert code_of(error.value) == "domains_incomplete"


def test_a_reassessment_is_a_new_version_and_keeps_the_earlier_one(
    pendamping, household_in_margahayu
):
    first = record_assessment(
        household=household_in_margahayu,
        assessed_on=_today() - datetime.timedelta(days=90),
        needs=decided_needs(household_in_margahayu),
        by=pendamping,
    )
    second = record_assessment(
        household=household_in_margahayu,
        assessed_on=_today(),
        needs=decided_needs(household_in_margahayu, confirm=""),
        by=pendamping,
    )
    assert (first.version, second.version) == (1, 2)
    assert Assessment.objects.filter(household=household_in_margahayu).count() == 2
    assert first.needs.filter(present=True).exists()
    assert not second.needs.filter(present=True).exists()


def test_an_economic_need_points_to_an_intervention_at_an_agency(operator, household_in_margahayu):
    head = household_in_margahayu.members.get(relationship="head")
    capital = economic("capital", "business_capital", amount=3_000_000, note="Jualan gorengan")
    lost_job = economic("unemployed", "job_training", member_id=head.pk)
    assessment = record_assessment(
        household=household_in_margahayu,
        assessed_on=_today(),
        needs=decided_needs(household_in_margahayu, extra=[capital, lost_job]),
        by=operator,
    )
    rows = {n.kind: n for n in assessment.needs.filter(kind__in=ECONOMIC_KINDS)}
    assert rows["capital"].amount == 3_000_000
    assert rows["capital"].domain == Domain.ECONOMY
    assert rows["capital"].agency_code == "dinsos"
    assert rows["unemployed"].member == head
    assert rows["unemployed"].agency_code == "disnaker"


def test_every_intervention_has_a_receiving_agency_in_the_reference_data(reference_data):
    assert set(INTERVENTION_AGENCY) == set(Intervention.values)
    agencies = Agency.objects.filter(code__in=INTERVENTION_AGENCY.values(), receives_referrals=True)
    assert set(agencies.values_list("code", flat=True)) == set(INTERVENTION_AGENCY.values())


@pytest.mark.parametrize(
    ("need", "code"),
    [
        (NeedInput(kind="unemployed", severity="severe"), "intervention_required"),
        (NeedInput(kind="debt", intervention="kur"), "severity_required"),
        (
            NeedInput(kind="capital", severity="mild", intervention="kur", amount=-1),
            "invalid_amount",
        ),
        (NeedInput(kind="domain", domain="food", severity="mild", intervention="kur"), "invalid"),
        (NeedInput(kind="nonsense", severity="mild"), "invalid"),
        (NeedInput(kind="debt", severity="awful", intervention="kur"), "invalid_severity"),
    ],
)
def test_bad_needs_are_refused_with_a_code(pendamping, household_in_margahayu, need, code):
    with pytest.raises(ValidationError) as error:
        record_assessment(
            household=household_in_margahayu,
            assessed_on=_today(),
            needs=decided_needs(household_in_margahayu, extra=[need]),
            by=pendamping,
        )
    assert code_of(error.value) == code
    assert not AssessedNeed.objects.exists()


def test_another_familys_member_is_refused(pendamping, household_in_margahayu, margahayu):
    other = MemberFactory(household__kelurahan=margahayu)
    with pytest.raises(ValidationError) as error:
        record_assessment(
            household=household_in_margahayu,
            assessed_on=_today(),
            needs=decided_needs(household_in_margahayu, extra=[economic(member_id=other.pk)]),
            by=pendamping,
        )
    assert code_of(error.value) == "invalid_member"


@pytest.mark.parametrize("days", [-1, 400])
def test_a_date_in_the_future_or_long_ago_is_refused(pendamping, household_in_margahayu, days):
    with pytest.raises(ValidationError) as error:
        record_assessment(
            household=household_in_margahayu,
            assessed_on=_today() - datetime.timedelta(days=days),
            needs=decided_needs(household_in_margahayu),
            by=pendamping,
        )
    assert "assessed_on" in error.value.message_dict


def test_nobody_assesses_a_family_outside_their_write_scope(
    pendamping, petugas_dinkes, data_steward, household_in_bintara
):
    for user in (pendamping, petugas_dinkes, data_steward):
        with pytest.raises(Http404):
            record_assessment(
                household=household_in_bintara,
                assessed_on=_today(),
                needs=decided_needs(household_in_bintara),
                by=user,
            )
    assert not Assessment.objects.exists()


def test_the_verifikator_assesses_anywhere(verifikator, household_in_bintara):
    assessment = record_assessment(
        household=household_in_bintara,
        assessed_on=_today(),
        needs=decided_needs(household_in_bintara),
        by=verifikator,
    )
    assert assessment.assessed_by == verifikator


def test_an_unfit_house_is_suggested_for_the_households_the_planning_page_counts(margahayu):
    """One definition (eligibility.selectors.unfit_houses, the Rutilahu criteria): the owned
    house with an earth floor is suggested, the rented one is not, as need_counts counts."""
    from dashboards.selectors import need_counts
    from households.models import Household, Region
    from tests.households.factories import household_with_members

    owned, rented = (
        household_with_members(
            margahayu, size=2, floor_material=Household.FloorMaterial.EARTH, house_ownership=own
        )
        for own in (Household.Ownership.OWN, Household.Ownership.RENT)
    )
    suggested = [
        h
        for h in (owned, rented)
        if NeedKind.UNFIT_HOUSE in {s.kind for s in registry_suggestions(h)}
    ]
    assert suggested == [owned]
    counted = need_counts(Region.objects.filter(pk=margahayu.pk))[margahayu.pk]["unfit_house"]
    assert counted == len(suggested)
