"""Rules in words, edited as forms (issue 20): the catalogue's fields, the operators that fit a
field's type, a typed value input; combined rules keep their shape. No JSON on the page."""

import pytest
from django.urls import reverse
from django.utils import translation

from eligibility.models import Rule, RuleSet
from eligibility.presenters import condition_in_words

pytestmark = pytest.mark.django_db

REASON = "Menyesuaikan golongan daya PLN"


def _post(rule: Rule, rows: list[dict], *, combine: str = "all", reason: str = REASON, **extra):
    data = {
        "name_id": rule.name_id,
        "name_en": rule.name_en,
        "kind": rule.kind,
        "program": rule.program,
        "severity": rule.severity,
        "message": rule.message,
        "message_en": rule.message_en,
        "combine": combine,
        "reason": reason,
        "c-TOTAL_FORMS": str(len(rows)),
        "c-INITIAL_FORMS": str(len(rows)),
        "c-MIN_NUM_FORMS": "0",
        "c-MAX_NUM_FORMS": "1000",
    }
    for index, row in enumerate(rows):
        data.update({f"c-{index}-{key}": value for key, value in row.items()})
    return data | extra


def _draft_rule(code: str) -> Rule:
    return Rule.objects.get(code=code, rule_set__status=RuleSet.Status.DRAFT)


def _active(code: str) -> Rule:
    return Rule.objects.get(code=code, rule_set__status=RuleSet.Status.ACTIVE)


@pytest.fixture(autouse=True)
def back_to_indonesian():
    yield
    translation.activate("id")


def test_a_rule_reads_in_words_in_both_languages(reference_data):
    condition = _active("electricity_high").condition
    assert condition_in_words(condition) == "daya listrik ≥ 2.200 VA"
    with translation.override("en"):
        assert condition_in_words(condition) == "electricity ≥ 2,200 VA"
    income = {"field": "income_pct_of_poverty_line", "op": ">", "value": 300}
    assert condition_in_words(income) == "pendapatan per kapita > 300% dari garis kemiskinan"


def test_the_rule_set_page_shows_no_json(client, verifikator, reference_data):
    client.force_login(verifikator)
    rule_set = RuleSet.objects.get(status=RuleSet.Status.ACTIVE)
    html = client.get(reverse("eligibility:ruleset_detail", args=[rule_set.pk])).content.decode()
    assert "Daya listrik ≥ 2.200 VA" in html
    assert "'field'" not in html
    assert "&#x27;field&#x27;" not in html
    assert "{car_count}" not in html  # a message names its fields by their labels
    assert "[jumlah mobil]" in html


def test_the_editor_offers_fields_operators_and_a_number_input(client, verifikator, reference_data):
    rule = _active("electricity_high")
    client.force_login(verifikator)
    response = client.get(reverse("eligibility:rule_edit", args=[rule.pk]))
    html = response.content.decode()
    assert 'name="condition"' not in html  # no JSON textarea
    row = response.context["formset"].forms[0]
    assert row["field"].value() == "electricity_va"
    assert [op for op, _label in row.fields["op"].choices if op] == [
        "=", "!=", "<", "<=", ">", ">=", "in", "between", "is_empty",
    ]  # fmt: skip
    assert [field.name for field in row.value_fields()] == ["number"]
    assert 'type="number"' in html


def test_a_yes_no_field_gets_yes_or_no_and_its_operators(client, verifikator, reference_data):
    rule = _active("asn_tni_polri")
    client.force_login(verifikator)
    row = client.get(reverse("eligibility:rule_edit", args=[rule.pk])).context["formset"].forms[0]
    assert [op for op, _label in row.fields["op"].choices if op] == ["=", "!="]
    assert [field.name for field in row.value_fields()] == ["choice"]
    assert [value for value, _label in row.fields["choice"].choices if value] == ["true", "false"]


def test_a_threshold_is_changed_in_the_form(client, verifikator, reference_data):
    rule = _active("electricity_high")
    client.force_login(verifikator)
    row = {"field": "electricity_va", "op": ">=", "number": "3500"}
    response = client.post(reverse("eligibility:rule_edit", args=[rule.pk]), _post(rule, [row]))
    assert response.status_code == 302
    draft = _draft_rule("electricity_high")
    assert draft.condition == {"field": "electricity_va", "op": ">=", "value": 3500}
    assert draft.version == 2
    assert draft.rule_set.reason == REASON


def test_the_first_edit_without_a_reason_is_refused_with_a_message(
    client, verifikator, reference_data
):
    rule = _active("electricity_high")
    client.force_login(verifikator)
    row = {"field": "electricity_va", "op": ">=", "number": "3500"}
    url = reverse("eligibility:rule_edit", args=[rule.pk])
    response = client.post(url, _post(rule, [row], reason=""))
    assert response.status_code == 200
    assert "Tuliskan alasan aturan diubah" in response.content.decode()
    assert not RuleSet.objects.filter(status=RuleSet.Status.DRAFT).exists()


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ({"field": "electricity_va", "op": ">=", "number": "banyak"}, "Tulis bilangan bulat"),
        ({"field": "electricity_va", "op": ">=", "number": ""}, "Isi nilainya"),
        ({"field": "yacht_count", "op": ">=", "number": "1"}, "Pilih data keluarga dari daftar"),
        ({"field": "has_gold", "op": ">", "choice": "true"}, "Pilih operator yang sesuai"),
        ({"field": "floor_material", "op": "=", "choice": "gold"}, "Pilih salah satu nilai"),
        (
            {"field": "welfare_decile", "op": "between", "number": "5", "number_high": "2"},
            "melebihi",
        ),
        ({"field": "welfare_decile", "op": "in", "numbers": "1, dua"}, "dipisahkan koma"),
    ],
)
def test_bad_input_gets_an_indonesian_message_never_a_500(
    client, verifikator, reference_data, row, message
):
    rule = _active("electricity_high")
    client.force_login(verifikator)
    response = client.post(reverse("eligibility:rule_edit", args=[rule.pk]), _post(rule, [row]))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not RuleSet.objects.filter(status=RuleSet.Status.DRAFT).exists()


def test_a_combined_rule_gains_a_condition_and_keeps_its_reference(
    client, verifikator, reference_data
):
    rule = _active("aid_but_excluded")  # receives aid and any exclusion criterion
    client.force_login(verifikator)
    url = reverse("eligibility:rule_edit", args=[rule.pk])
    html = client.get(url).content.decode()
    assert "salah satu aturan jenis “kriteria pengecualian”" in html
    rows = [
        {"field": "is_aid_recipient", "op": "=", "choice": "true"},
        {"field": "welfare_decile", "op": ">=", "number": "6"},
    ]
    data = _post(rule, rows)
    data["c-INITIAL_FORMS"] = "1"
    assert client.post(url, data).status_code == 302
    assert _draft_rule("aid_but_excluded").condition == {
        "all": [
            {"field": "is_aid_recipient", "op": "=", "value": True},
            {"field": "welfare_decile", "op": ">=", "value": 6},
            {"rule_kind": "exclusion"},
        ]
    }


def test_a_condition_row_is_removed(client, verifikator, reference_data):
    rule = _active("car_owner")
    client.force_login(verifikator)
    url = reverse("eligibility:rule_edit", args=[rule.pk])
    rows = [
        {"field": "car_count", "op": ">=", "number": "1"},
        {"field": "electricity_va", "op": ">=", "number": "2200"},
    ]
    data = _post(rule, rows, combine="any")
    data["c-INITIAL_FORMS"] = "1"
    assert client.post(url, data).status_code == 302
    draft = _draft_rule("car_owner")
    assert draft.condition == {
        "any": [
            {"field": "car_count", "op": ">=", "value": 1},
            {"field": "electricity_va", "op": ">=", "value": 2200},
        ]
    }
    rows[1]["DELETE"] = "on"
    assert (
        client.post(
            reverse("eligibility:rule_edit", args=[draft.pk]), _post(draft, rows)
        ).status_code
        == 302
    )
    draft.refresh_from_db()
    assert draft.condition == {"field": "car_count", "op": ">=", "value": 1}


def test_a_nested_rule_keeps_its_shape_and_its_thresholds_change(
    client, verifikator, reference_data
):
    # (income < 100 % or desil 1–5) and an uninsured member; "poor_no_program" names the
    # definition of poor now (issue 19), so it is flat
    rule = _active("program_pbi_jk")
    client.force_login(verifikator)
    url = reverse("eligibility:rule_edit", args=[rule.pk])
    response = client.get(url)
    assert response.context["flat"] is False
    assert len(response.context["formset"].forms) == 3  # no extra row to add
    rows = [
        {"field": "income_pct_of_poverty_line", "op": "<", "number": "120"},
        {"field": "welfare_decile", "op": "between", "number": "1", "number_high": "3"},
        {"field": "uninsured_member_count", "op": ">=", "number": "2"},
    ]
    assert client.post(url, _post(rule, rows)).status_code == 302
    assert _draft_rule("program_pbi_jk").condition == {
        "all": [
            {
                "any": [
                    {"field": "income_pct_of_poverty_line", "op": "<", "value": 120},
                    {"field": "welfare_decile", "op": "between", "value": [1, 3]},
                ]
            },
            {"field": "uninsured_member_count", "op": ">=", "value": 2},
        ]
    }


def test_changing_the_field_redraws_the_value_input(client, verifikator, reference_data):
    rule = _active("electricity_high")
    client.force_login(verifikator)
    row = {"field": "floor_material", "op": "=", "number": "2200"}
    url = reverse("eligibility:rule_edit", args=[rule.pk])
    response = client.post(url, _post(rule, [row], refresh="1"), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<fieldset id="condition"')  # the partial only
    assert 'name="c-0-choice"' in html
    assert 'name="c-0-number"' not in html
    assert "tanah" in html  # the floor's choices
    assert not RuleSet.objects.filter(status=RuleSet.Status.DRAFT).exists()  # nothing saved


def test_a_program_field_offers_the_programs(client, verifikator, reference_data):
    rule = _active("car_owner")
    client.force_login(verifikator)
    row = {"field": "enrolled_programs", "op": "in", "choices": ["pkh", "kip"]}
    url = reverse("eligibility:rule_edit", args=[rule.pk])
    assert client.post(url, _post(rule, [row])).status_code == 302
    assert _draft_rule("car_owner").condition == {
        "field": "enrolled_programs",
        "op": "in",
        "value": ["pkh", "kip"],
    }


def test_a_retired_or_discarded_rule_is_not_edited_into_the_draft(
    client, verifikator, reference_data
):
    from eligibility.services import create_draft_rule_set, discard_rule_set

    draft = create_draft_rule_set(by=verifikator, reason=REASON)
    discard_rule_set(rule_set=draft, by=verifikator)
    rule = draft.rules.get(code="car_owner")
    client.force_login(verifikator)
    row = {"field": "car_count", "op": ">=", "number": "2"}
    response = client.post(reverse("eligibility:rule_edit", args=[rule.pk]), _post(rule, [row]))
    assert response.status_code == 200
    assert "hanya draf yang dapat diubah" in response.content.decode()
    assert not RuleSet.objects.filter(status=RuleSet.Status.DRAFT).exists()


def test_the_editor_keeps_a_rules_reference_to_the_definition_of_poor(
    client, verifikator, reference_data
):
    rule = _active("poor_no_program")  # the definition "poor" and no aid (issue 19)
    client.force_login(verifikator)
    url = reverse("eligibility:rule_edit", args=[rule.pk])
    response = client.get(url)
    assert response.context["flat"] is True
    assert len(response.context["kept"]) == 1  # shown in words, not as an editable row
    rows = [{"field": "is_aid_recipient", "op": "=", "choice": "false"}]
    assert client.post(url, _post(rule, rows)).status_code == 302
    assert {"definition": "poor"} in _draft_rule("poor_no_program").condition["all"]
