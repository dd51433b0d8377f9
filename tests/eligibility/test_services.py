import datetime
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from eligibility.models import Flag, ReviewDecision, Rule, RuleSet, Run
from eligibility.services import (
    activate_rule_set,
    review_flags,
    rule_set_fingerprint,
    run_eligibility,
    save_rule,
)
from eligibility.simulation import simulate_rule_set
from households.models import Enrolment, Household, Member, Program
from tests.households.factories import EnrolmentFactory, MemberFactory, household_with_members

pytestmark = pytest.mark.django_db

REASON = "PLN 2.200 VA kini banyak dipakai keluarga miskin"


def _open_codes(household):
    return set(Flag.objects.open().filter(household=household).values_list("rule_code", flat=True))


def _rule_data(rule, **changes):
    data = {f: getattr(rule, f) for f in ("name_id", "name_en", "kind", "condition", "message")}
    data["severity"] = rule.severity
    return data | changes


def test_car_owner_is_flagged_with_its_values_and_message(margahayu):
    # given
    household = household_with_members(margahayu, size=2, car_count=2)
    # when
    run = run_eligibility()
    # then
    flag = Flag.objects.get(household=household, rule_code="car_owner")
    assert flag.values["car_count"] == 2
    assert flag.rule.version == 1
    assert flag.rule.rule_set.status == RuleSet.Status.ACTIVE
    assert run.status == Run.Status.COMPLETE
    assert run.counts["car_owner"]["new"] >= 1


@pytest.mark.parametrize(
    ("changes", "member_changes", "code"),
    [
        ({"car_count": 1}, {}, "car_owner"),
        ({}, {"occupation": Member.Occupation.POLRI}, "asn_tni_polri"),
        ({"electricity_va": 2200}, {}, "electricity_high"),
        ({"monthly_income": 731_392 * 2 * 4}, {}, "income_above_poverty"),
        ({"welfare_decile": 2, "monthly_income": 1_000_000}, {}, "poor_no_program"),
        ({}, {"nik_warnings": ["birth_date"]}, "nik_discrepancy"),
    ],
)
def test_each_seeded_rule_on_a_crafted_household(margahayu, changes, member_changes, code):
    # given: a family of two that no rule catches, then one fact changed
    base = {"welfare_decile": 7, "monthly_income": 4_000_000, "electricity_va": 1300}
    household = household_with_members(margahayu, size=2, **(base | changes))
    if member_changes:
        Member.objects.filter(household=household).update(**member_changes)
    # when
    run_eligibility()
    # then
    assert code in _open_codes(household)
    assert _open_codes(household) <= {code, "aid_but_excluded"}


def test_same_person_in_two_households_is_flagged_in_both(margahayu):
    first = household_with_members(margahayu, size=1, welfare_decile=7)
    second = household_with_members(margahayu, size=1, welfare_decile=7)
    person = first.members.get()
    MemberFactory(household=second, name=person.name, birth_date=person.birth_date)
    run_eligibility()
    assert "same_person_twice" in _open_codes(first)
    assert "same_person_twice" in _open_codes(second)


@pytest.mark.parametrize(
    "where",
    ["same_household", "deceased_elsewhere", "other_birth_date_elsewhere", "other_name_elsewhere"],
)
def test_same_person_twice_needs_a_living_namesake_of_the_same_birth_date_elsewhere(
    margahayu, where
):
    # given: a one-person household and a namesake that does not make a duplicate
    first = household_with_members(margahayu, size=1, welfare_decile=7)
    other = household_with_members(margahayu, size=1, welfare_decile=7)
    person = first.members.get()
    namesake = {"name": person.name, "birth_date": person.birth_date}
    if where == "same_household":
        MemberFactory(household=first, relationship="child", **namesake)
    elif where == "deceased_elsewhere":
        MemberFactory(household=other, is_deceased=True, **namesake)
    elif where == "other_birth_date_elsewhere":
        namesake["birth_date"] = person.birth_date - datetime.timedelta(days=1)
        MemberFactory(household=other, **namesake)
    else:
        MemberFactory(household=other, name=person.name + " Putra", birth_date=person.birth_date)
    # when
    run_eligibility()
    # then
    assert "same_person_twice" not in _open_codes(first)
    assert "same_person_twice" not in _open_codes(other)


def test_aid_recipient_with_a_car_is_an_inclusion_error(margahayu):
    household = household_with_members(margahayu, size=2, car_count=1, welfare_decile=7)
    EnrolmentFactory(household=household, program=Program.objects.get(code="pkh"))
    run_eligibility()
    assert {"car_owner", "aid_but_excluded"} <= _open_codes(household)


def test_rerun_keeps_decisions_and_resolves_flags_that_no_longer_hold(margahayu, verifikator):
    # given: a car owner whose flag was dismissed, and an electricity flag
    household = household_with_members(
        margahayu, size=2, car_count=1, electricity_va=3500, welfare_decile=7
    )
    run_eligibility()
    car = Flag.objects.get(household=household, rule_code="car_owner")
    review_flags(flags=[car], decision="dismissed", reason="Mobil sudah dijual", by=verifikator)
    Household.objects.filter(pk=household.pk).update(electricity_va=900)
    # when
    run_eligibility()
    # then
    car.refresh_from_db()
    assert car.status == Flag.Status.OPEN
    assert car.decision == Flag.Decision.DISMISSED
    electricity = Flag.objects.get(household=household, rule_code="electricity_high")
    assert electricity.status == Flag.Status.RESOLVED
    assert electricity.resolved_at is not None
    assert Flag.objects.filter(household=household, rule_code="car_owner").count() == 1


def _households(kelurahan, n):
    for i in range(n):
        household_with_members(kelurahan, size=2, car_count=i % 2, welfare_decile=7)


@pytest.mark.parametrize("size", [3, 30])
def test_run_issues_a_number_of_queries_independent_of_households(
    margahayu, size, django_assert_max_num_queries
):
    _households(margahayu, size)
    with django_assert_max_num_queries(8 * 8 + 12):  # 8 rules, a fixed number each
        run_eligibility()
    assert Flag.objects.filter(rule_code="car_owner").count() == size // 2


def test_dismissing_needs_a_reason(margahayu, verifikator):
    household_with_members(margahayu, size=2, car_count=1)
    run_eligibility()
    flag = Flag.objects.get(rule_code="car_owner")
    with pytest.raises(ValidationError) as excinfo:
        review_flags(flags=[flag], decision="dismissed", reason="  ", by=verifikator)
    assert excinfo.value.error_dict["reason"][0].code == "reason_required"
    review_flags(flags=[flag], decision="confirmed", reason="", by=verifikator)
    assert ReviewDecision.objects.filter(flag=flag, decision="confirmed").exists()


@pytest.mark.parametrize(
    ("condition", "code"),
    [
        ({"field": "swimming_pools", "op": ">", "value": 1}, "unknown_field"),
        ({"field": "car_count", "op": "~", "value": 1}, "unknown_operator"),
        ({"field": "car_count", "op": ">=", "value": "dua"}, "bad_value"),
        ({"field": "floor_material", "op": "=", "value": "gold"}, "bad_value"),
        ({"field": "has_gold", "op": ">", "value": True}, "operator_not_allowed"),
        ({"all": []}, "bad_group"),
        ("__import__('os').system('x')", "not_object"),
    ],
)
def test_malformed_rules_are_refused_with_a_message(verifikator, reference_data, condition, code):
    rule = Rule.objects.get(code="car_owner", rule_set__status="active")
    with pytest.raises(ValidationError) as excinfo:
        save_rule(
            rule=rule, data=_rule_data(rule, condition=condition), by=verifikator, reason=REASON
        )
    error = excinfo.value.error_dict["condition"][0]
    assert error.code == code
    assert error.message  # a sentence for the editor


def test_editing_an_active_rule_makes_a_new_draft_version(verifikator, reference_data):
    rule = Rule.objects.get(code="electricity_high", rule_set__status="active")
    condition = {"field": "electricity_va", "op": ">=", "value": 3500}
    edited = save_rule(
        rule=rule, data=_rule_data(rule, condition=condition), by=verifikator, reason=REASON
    )
    rule.refresh_from_db()
    assert rule.condition["value"] == 2200  # the active rule is untouched
    assert edited.rule_set.status == RuleSet.Status.DRAFT
    assert edited.version == 2
    activate_rule_set(
        rule_set=edited.rule_set, by=verifikator, seen=rule_set_fingerprint(edited.rule_set)
    )
    assert RuleSet.objects.filter(status="active").get() == edited.rule_set
    rule.rule_set.refresh_from_db()
    assert rule.rule_set.status == RuleSet.Status.RETIRED


def test_simulation_compares_per_area_and_writes_nothing(margahayu, verifikator):
    # given: one household at 2,200 VA, one at 3,500 VA
    low = household_with_members(margahayu, size=2, electricity_va=2200, welfare_decile=7)
    high = household_with_members(margahayu, size=2, electricity_va=3500, welfare_decile=7)
    run_eligibility()
    rule = Rule.objects.get(code="electricity_high", rule_set__status="active")
    condition = {"field": "electricity_va", "op": ">=", "value": 3500}
    draft = save_rule(
        rule=rule, data=_rule_data(rule, condition=condition), by=verifikator, reason=REASON
    )
    before = (Flag.objects.count(), Run.objects.count(), Rule.objects.count())
    # when
    result = simulate_rule_set(draft=draft.rule_set, households=Household.objects.all())
    # then
    assert result.no_longer_flagged == [low.pk]
    assert high.pk not in result.newly_flagged
    assert result.per_kecamatan[0].no_longer == 1
    assert result.totals.now == 2
    assert result.totals.draft == 1
    assert (Flag.objects.count(), Run.objects.count(), Rule.objects.count()) == before


def test_saving_a_household_re_evaluates_it_after_commit(
    margahayu, operator, django_capture_on_commit_callbacks
):
    from households.services import enrol_in_program

    household = household_with_members(margahayu, size=2, car_count=1, welfare_decile=7)
    with django_capture_on_commit_callbacks(execute=True):
        enrol_in_program(
            household=household,
            program=Program.objects.get(code="pkh"),
            start_date=datetime.date(2025, 1, 1),
            by=operator,
        )
    assert {"car_owner", "aid_but_excluded"} <= _open_codes(household)
    assert Enrolment.objects.filter(household=household).exists()


def test_an_import_is_followed_by_one_whole_registry_run(
    margahayu, operator, django_capture_on_commit_callbacks
):
    """A file's households are checked in one set-wise run after its commit, not one by one:
    the car owner in the file is flagged as soon as the import is done."""
    from tests.imports.files import FAMILY_A, FAMILY_B, KK_B, csv_file, import_file

    batch = import_file(csv_file(FAMILY_A + FAMILY_B), operator, django_capture_on_commit_callbacks)
    assert batch.status == "committed"
    assert Run.objects.filter(status=Run.Status.COMPLETE).count() == 1
    assert "car_owner" in _open_codes(Household.objects.get(kk_number=KK_B))  # 1 car in B


def test_the_command_runs_the_active_set_and_says_what_it_found(margahayu):
    household_with_members(margahayu, size=2, car_count=1)
    out = io.StringIO()
    call_command("run_eligibility", stdout=out)
    run = Run.objects.get()
    assert run.status == Run.Status.COMPLETE
    assert f"car_owner: {run.counts['car_owner']['flagged']} flagged" in out.getvalue()
    assert f"run {run.pk} complete in" in out.getvalue()
