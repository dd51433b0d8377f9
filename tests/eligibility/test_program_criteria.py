"""Each aid program's criteria as a rule of the active set (issue 18, item 11): the programs
page counts who qualifies with them, the planning page's unfit houses are the Rutilahu
criteria's households, and a run makes no finding of them."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.html import escape
from django.utils.text import capfirst

from dashboards.services import refresh_kelurahan_counts
from eligibility.conditions import describe
from eligibility.models import Flag, Rule, RuleSet
from eligibility.presenters import condition_in_words
from eligibility.selectors import program_criteria
from eligibility.services import (
    activate_rule_set,
    rule_set_fingerprint,
    run_eligibility,
    save_rule,
)
from households.models import Enrolment, Household, Program
from tests.households.factories import EnrolmentFactory, household_with_members

pytestmark = pytest.mark.django_db

SEEDED = {"pkh", "bpnt", "pbi-jk", "kip", "blt", "rutilahu"}


def _data(rule: Rule, **changes) -> dict:
    fields = ("name_id", "name_en", "kind", "condition", "message", "severity", "program")
    return {name: getattr(rule, name) for name in fields} | changes


def test_every_seeded_program_has_its_criteria_in_the_active_set(reference_data):
    assert set(program_criteria()) == SEEDED
    assert set(Program.objects.values_list("code", flat=True)) >= SEEDED


def test_a_run_makes_no_finding_of_program_criteria(margahayu):
    household_with_members(margahayu, size=3, monthly_income=100_000, welfare_decile=1)
    run = run_eligibility()
    assert not Flag.objects.filter(rule__kind=Rule.Kind.PROGRAM).exists()
    assert not {key for key in run.counts if key.startswith("program_")}


def _unfit(kelurahan, ownership, **kwargs) -> Household:
    return household_with_members(
        kelurahan,
        size=2,
        floor_material=Household.FloorMaterial.EARTH,
        house_ownership=ownership,
        **kwargs,
    )


def test_planning_and_programs_count_the_same_unfit_houses(client, verifikator, margahayu):
    """Two owned unfit houses (one already in Rutilahu) and a rented one: planning counts the
    two the criteria take, programs shows one enrolled and one still waiting."""
    owned = _unfit(margahayu, Household.Ownership.OWN)
    enrolled = _unfit(margahayu, Household.Ownership.OWN)
    _unfit(margahayu, Household.Ownership.RENT)
    EnrolmentFactory(household=enrolled, program=Program.objects.get(code="rutilahu"))
    refresh_kelurahan_counts()
    client.force_login(verifikator)
    url = reverse("dashboards:planning", args=[margahayu.code])
    planning = client.get(url).context["area"]
    programs = client.get(
        reverse("dashboards:programs", args=[margahayu.code]), {"program": "rutilahu"}
    ).context["area"]
    assert planning.cells["unfit_house"].value == 2
    assert programs.cells["rutilahu:enrolled"].value == 1
    assert programs.cells["rutilahu:eligible"].value == 1
    assert owned.pk != enrolled.pk


def test_the_programs_page_shows_each_programs_criteria_in_words(client, verifikator):
    client.force_login(verifikator)
    html = client.get(reverse("dashboards:programs_city")).content.decode()
    assert "Kriteria Rutilahu" in html
    words = condition_in_words(program_criteria()["rutilahu"].condition)
    assert escape(words) in html
    assert "tanah" in words  # the floor's label, not its code ("earth")
    assert "earth" not in words
    assert "milik sendiri" in words


def test_changing_the_criteria_through_a_draft_changes_the_counts(client, verifikator, margahayu):
    household_with_members(margahayu, size=2, monthly_income=10_000_000, welfare_decile=3)
    blt = Rule.objects.get(code="program_blt", rule_set__status=RuleSet.Status.ACTIVE)
    refresh_kelurahan_counts()
    client.force_login(verifikator)
    url = reverse("dashboards:programs", args=[margahayu.code])
    assert client.get(url).context["area"].cells["blt:eligible"].value == 1
    stricter = {"field": "welfare_decile", "op": "between", "value": [1, 2]}
    draft_rule = save_rule(
        rule=blt, data=_data(blt, condition=stricter), by=verifikator, reason="Anggaran BLT"
    )
    draft = draft_rule.rule_set
    activate_rule_set(rule_set=draft, by=verifikator, seen=rule_set_fingerprint(draft))
    refresh_kelurahan_counts()
    assert client.get(url).context["area"].cells["blt:eligible"].value == 0


@pytest.mark.parametrize(
    ("kind", "program", "field"),
    [
        (Rule.Kind.PROGRAM, "", "program"),
        (Rule.Kind.PROGRAM, "no-such-program", "program"),
        (Rule.Kind.EXCLUSION, "pkh", "program"),
    ],
)
def test_program_criteria_name_a_program_and_only_they_do(
    verifikator, reference_data, kind, program, field
):
    rule = Rule.objects.get(code="program_pkh", rule_set__status=RuleSet.Status.ACTIVE)
    with pytest.raises(ValidationError) as refused:
        save_rule(
            rule=rule, data=_data(rule, kind=kind, program=program), by=verifikator, reason="Uji"
        )
    assert field in refused.value.message_dict


def test_a_condition_in_words():
    condition = {
        "all": [
            {
                "any": [
                    {"field": "a", "op": "<", "value": 100},
                    {"field": "b", "op": "=", "value": 1},
                ]
            },
            {"not": {"field": "c", "op": "in", "value": ["x", "y"]}},
            {"field": "d", "op": "between", "value": [1, 4]},
            {"field": "e", "op": "is_empty"},
        ]
    }
    words = describe(condition, label=str.upper)
    assert words == (
        "(A < 100 atau B = 1) dan bukan C salah satu dari: x, y dan D antara 1 dan 4 dan "
        "E tidak tercatat"
    )


def test_enrolment_ended_counts_again_as_eligible(client, verifikator, margahayu):
    poor = household_with_members(margahayu, size=2, monthly_income=100_000, welfare_decile=1)
    EnrolmentFactory(
        household=poor, program=Program.objects.get(code="blt"), status=Enrolment.Status.ENDED
    )
    refresh_kelurahan_counts()
    client.force_login(verifikator)
    area = client.get(reverse("dashboards:programs", args=[margahayu.code])).context["area"]
    assert area.cells["blt:eligible"].value == 1


def test_the_rule_set_page_says_each_condition_in_words(client, verifikator):
    rule_set = RuleSet.objects.get(status=RuleSet.Status.ACTIVE)
    client.force_login(verifikator)
    html = client.get(reverse("eligibility:ruleset_detail", args=[rule_set.pk])).content.decode()
    for rule in rule_set.rules.all():
        assert escape(capfirst(condition_in_words(rule.condition))) in html, rule.code
    # "aid_but_excluded" refers to the exclusion rules, named by their kind's label
    assert "aturan jenis “kriteria pengecualian”" in html
