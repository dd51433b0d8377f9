"""Each aid program's criteria as a rule of the active set (issue 18, item 11). Program criteria
make no findings (a run skips them), so the active set takes them without a new version;
a verifier edits them like any rule, through a draft.

Sources (DOMAIN.md): PKH desil 1–4 with a component; Sembako and PBI-JK desil 1–5; KIP the
poor with a child at school; BLT the poor; Rutilahu an unfit house (the floor, walls or roof
of Kepmensos 262/HUK/2022) on land the family owns. "Poor" is the overview's: income per
person below the poverty line, or desil 1–4."""

from django.db import migrations


def _poor(deciles: int = 4) -> dict:
    return {
        "any": [
            {"field": "income_pct_of_poverty_line", "op": "<", "value": 100},
            {"field": "welfare_decile", "op": "between", "value": [1, deciles]},
        ]
    }


UNFIT_FLOORS = ["earth", "bamboo"]
UNFIT_WALLS = ["plastered_bamboo", "woven_bamboo", "bamboo", "log"]
UNFIT_ROOFS = ["bamboo", "thatch"]

PROGRAM_RULES = [
    {
        "code": "program_pkh",
        "program": "pkh",
        "name_id": "Kriteria PKH",
        "name_en": "PKH criteria",
        "condition": {"all": [_poor(), {"field": "pkh_component_count", "op": ">=", "value": 1}]},
        "message": "Desil {welfare_decile}, {pkh_component_count} anggota komponen PKH",
    },
    {
        "code": "program_bpnt",
        "program": "bpnt",
        "name_id": "Kriteria BPNT/Sembako",
        "name_en": "BPNT/Sembako criteria",
        "condition": _poor(5),
        "message": "Desil {welfare_decile}, pendapatan per orang "
        "{income_pct_of_poverty_line}% dari garis kemiskinan",
    },
    {
        "code": "program_pbi_jk",
        "program": "pbi-jk",
        "name_id": "Kriteria PBI-JK",
        "name_en": "PBI-JK criteria",
        "condition": {
            "all": [_poor(5), {"field": "uninsured_member_count", "op": ">=", "value": 1}]
        },
        "message": "Desil {welfare_decile}, {uninsured_member_count} anggota tanpa jaminan "
        "kesehatan",
    },
    {
        "code": "program_kip",
        "program": "kip",
        "name_id": "Kriteria KIP",
        "name_en": "KIP criteria",
        "condition": {"all": [_poor(), {"field": "school_child_count", "op": ">=", "value": 1}]},
        "message": "Desil {welfare_decile}, {school_child_count} anak bersekolah",
    },
    {
        "code": "program_blt",
        "program": "blt",
        "name_id": "Kriteria BLT",
        "name_en": "BLT criteria",
        "condition": _poor(),
        "message": "Desil {welfare_decile}, pendapatan per orang "
        "{income_pct_of_poverty_line}% dari garis kemiskinan",
    },
    {
        "code": "program_rutilahu",
        "program": "rutilahu",
        "name_id": "Kriteria Rutilahu",
        "name_en": "Rutilahu criteria",
        "condition": {
            "all": [
                {
                    "any": [
                        {"field": "floor_material", "op": "in", "value": UNFIT_FLOORS},
                        {"field": "wall_material", "op": "in", "value": UNFIT_WALLS},
                        {"field": "roof_material", "op": "in", "value": UNFIT_ROOFS},
                    ]
                },
                {"field": "house_ownership", "op": "=", "value": "own"},
            ]
        },
        "message": "Rumah tidak layak huni milik sendiri",
    },
]


def seed(apps, schema_editor):
    RuleSet = apps.get_model("eligibility", "RuleSet")
    Rule = apps.get_model("eligibility", "Rule")
    for rule_set in RuleSet.objects.filter(status__in=["active", "draft"]):
        have = set(rule_set.rules.values_list("code", flat=True))
        Rule.objects.bulk_create(
            Rule(rule_set=rule_set, kind="program", severity="low", **rule)
            for rule in PROGRAM_RULES
            if rule["code"] not in have
        )


class Migration(migrations.Migration):
    dependencies = [("eligibility", "0003_program_criteria")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
