"""Issue 19, point 1: "poor household" is written once, as the definition `poor` in the active
rule set; the overview, its history, the programs page and the rules' flags all read it, and
the planning page reads the same rule set. A verifier's edit moves every page together."""

import datetime
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from dashboards.history import counts_at
from dashboards.services import refresh_kelurahan_counts
from eligibility.models import POOR, Flag, Rule, RuleSet
from eligibility.selectors import poor_definition
from eligibility.services import (
    activate_rule_set,
    rule_set_fingerprint,
    run_eligibility,
    save_rule,
)
from households.models import Household
from tests.households.factories import household_with_members

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
APPS = ("accounts", "dashboards", "eligibility", "households", "referrals", "slrt")


def _active(code: str) -> Rule:
    return Rule.objects.get(code=code, rule_set__status=RuleSet.Status.ACTIVE)


def _edit(rule: Rule, by, **changes) -> Rule:
    fields = ("name_id", "name_en", "kind", "condition", "message", "severity", "program")
    data = {name: getattr(rule, name) for name in fields} | changes
    return save_rule(rule=rule, data=data, by=by, reason="Issue 19: one definition of poor")


def _pages(client, kelurahan) -> dict:
    url = reverse("dashboards:district", args=[kelurahan.code])
    overview = client.get(url).context["area"].cells
    programs = client.get(reverse("dashboards:programs", args=[kelurahan.code]))
    planning = client.get(reverse("dashboards:planning", args=[kelurahan.code]))
    moment = timezone.now() + datetime.timedelta(seconds=1)
    history = counts_at([moment])[moment].get(kelurahan.pk, {})
    definitions = client.get(reverse("dashboards:district_city")).content.decode()
    return {
        "poor": overview["poor_households"].value,
        "exclusion errors": overview["exclusion_errors"].value,
        "poor in the history": history.get("poor_households", 0),
        "BLT eligible": programs.context["area"].cells["blt:eligible"].value,
        "unfit houses": planning.context["area"].cells["unfit_house"].value,
        "poor_no_program flags": Flag.objects.open().filter(rule_code="poor_no_program").count(),
        "desil 5 in the words": "dan 5" in definitions,
    }


def test_a_verifiers_edit_of_poor_moves_every_page(client, verifikator, margahayu):
    """Desil 5, rich by income, an earth floor in a rented house: not poor
    under the seeded definition (desil 1–4). The verifier's draft widens "poor" to desil 1–5
    and drops the Rutilahu criteria's ownership; once it is active every page follows."""
    household_with_members(
        margahayu,
        size=3,
        monthly_income=50_000_000,
        welfare_decile=5,
        floor_material=Household.FloorMaterial.EARTH,
        house_ownership=Household.Ownership.RENT,
    )
    client.force_login(verifikator)
    run_eligibility()
    refresh_kelurahan_counts()
    assert _pages(client, margahayu) == {
        "poor": 0,
        "exclusion errors": 0,
        "poor in the history": 0,
        "BLT eligible": 0,
        "unfit houses": 0,
        "poor_no_program flags": 0,
        "desil 5 in the words": False,
    }

    wider = {
        "any": [
            {"field": "income_pct_of_poverty_line", "op": "<", "value": 100},
            {"field": "welfare_decile", "op": "between", "value": [1, 5]},
        ]
    }
    draft = _edit(_active(POOR), verifikator, condition=wider).rule_set
    floor = {"field": "floor_material", "op": "in", "value": ["earth"]}
    _edit(_active("program_rutilahu"), verifikator, condition=floor)
    activate_rule_set(rule_set=draft, by=verifikator, seen=rule_set_fingerprint(draft))
    run_eligibility()
    refresh_kelurahan_counts()

    assert _pages(client, margahayu) == {
        "poor": 1,
        "exclusion errors": 1,
        "poor in the history": 1,
        "BLT eligible": 1,
        "unfit houses": 1,
        "poor_no_program flags": 1,
        "desil 5 in the words": True,
    }


def test_the_seeded_rules_name_the_definition_instead_of_copying_it(reference_data):
    for code in ("poor_no_program", "program_pkh", "program_kip", "program_blt"):
        assert '"definition": "poor"' in str(_active(code).condition).replace("'", '"'), code
    assert _active(POOR).kind == Rule.Kind.DEFINITION
    assert poor_definition().condition == _active(POOR).condition


def test_a_set_without_the_definition_of_poor_cannot_be_activated(verifikator, reference_data):
    poor = _active(POOR)
    draft = _edit(poor, verifikator, kind=Rule.Kind.INCLUSION).rule_set
    with pytest.raises(ValidationError) as refused:
        activate_rule_set(rule_set=draft, by=verifikator, seen=rule_set_fingerprint(draft))
    assert refused.value.code == "definition_missing"
    assert RuleSet.objects.get(status=RuleSet.Status.ACTIVE).pk == poor.rule_set_id


@pytest.mark.parametrize(
    ("kind", "condition", "code"),
    [
        (Rule.Kind.INCLUSION, {"definition": "rich"}, "unknown_definition"),
        (Rule.Kind.DEFINITION, {"definition": "poor"}, "self_reference"),
        (Rule.Kind.DEFINITION, {"rule_kind": "exclusion"}, "self_reference"),
        # A rule naming its own kind (or two kinds naming each other) would expand forever.
        (Rule.Kind.INCLUSION, {"rule_kind": "inclusion"}, "self_reference"),
        (Rule.Kind.DATA_QUALITY, {"rule_kind": "inclusion"}, "self_reference"),
        (Rule.Kind.INCLUSION, {"definition": "Not A Code"}, "bad_definition"),
    ],
)
def test_references_to_definitions_are_checked_when_saved(
    verifikator, reference_data, kind, condition, code
):
    rule = _active("poor_no_program")
    with pytest.raises(ValidationError) as refused:
        _edit(rule, verifikator, kind=kind, condition=condition)
    assert refused.value.error_dict["condition"][0].code == code


def test_a_run_makes_no_finding_of_a_definition(margahayu):
    household_with_members(margahayu, size=2, monthly_income=0, welfare_decile=1)
    run = run_eligibility()
    assert POOR not in run.counts
    assert not Flag.objects.filter(rule_code=POOR).exists()
    assert Flag.objects.filter(rule_code="poor_no_program").exists()


def test_the_overview_says_poor_in_the_definitions_words(client, verifikator):
    client.force_login(verifikator)
    body = client.get(reverse("dashboards:district_city")).content.decode()
    assert "definisi keluarga miskin" in body.lower()
    assert "antara 1 dan 4" in body


def test_poor_has_no_second_copy_in_the_code():
    """The poverty line is read only by the field catalogue (and shown as an amount beside
    the definition's words); the dashboards' own condition (income below members × line) is
    gone. A second copy of "poor" in code fails here."""
    readers = {
        str(path.relative_to(ROOT))
        for app in APPS
        for path in (ROOT / app).rglob("*.py")
        if "migrations" not in path.parts
        and any(
            word in path.read_text(encoding="utf-8")
            for word in ("POVERTY_LINE", "monthly_income__lt", "welfare_decile__lte=4")
        )
    }
    assert readers == {"eligibility/fields.py", "dashboards/indicators.py", "slrt/settings.py"}
