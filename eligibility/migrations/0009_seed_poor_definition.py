""""Poor household" defined once (issue 19): a rule of kind definition, code "poor", in the
active set and the draft, and the seeded rules that carried their own copy of the condition
(poor_no_program, the PKH, KIP and BLT criteria) name it instead: {"definition": "poor"}.

The dashboards counted "poor" with a condition of their own (income per person below the
poverty line, or desil 1–4); it is now this definition. A rule is rewritten only where it still
holds the seeded condition word for word, and then its expanded condition is unchanged, so its
flags, its version and what a run finds stay the same: this is not an edit of the rule, only
where its words live. A condition someone edited is left as it is. BPNT and PBI-JK take desil
1–5 (their own policy, DOMAIN.md): a different population, kept in their criteria."""

from django.db import migrations

POOR = {
    "any": [
        {"field": "income_pct_of_poverty_line", "op": "<", "value": 100},
        {"field": "welfare_decile", "op": "between", "value": [1, 4]},
    ]
}
REFERENCE = {"definition": "poor"}

DEFINITION = {
    "code": "poor",
    "kind": "definition",
    "severity": "low",
    "name_id": "Keluarga miskin",
    "name_en": "Poor household",
    "condition": POOR,
    "message": "Miskin: desil {welfare_decile}, pendapatan per orang "
    "{income_pct_of_poverty_line}% dari garis kemiskinan",
    "message_en": "Poor: welfare decile {welfare_decile}, income per person "
    "{income_pct_of_poverty_line}% of the poverty line",
}


def _replace(condition, old, new):
    if condition == old:
        return new
    if isinstance(condition, dict):
        return {key: _replace(value, old, new) for key, value in condition.items()}
    if isinstance(condition, list):
        return [_replace(part, old, new) for part in condition]
    return condition


def _sets(apps):
    RuleSet = apps.get_model("eligibility", "RuleSet")
    return RuleSet.objects.filter(status__in=["active", "draft"])


def seed(apps, schema_editor):
    Rule = apps.get_model("eligibility", "Rule")
    for rule_set in _sets(apps):
        if not rule_set.rules.filter(code=DEFINITION["code"]).exists():
            Rule.objects.create(rule_set=rule_set, **DEFINITION)
        if not rule_set.rules.filter(code="poor", kind="definition").exists():
            continue  # a rule of another kind took the code: its editor decides
        for rule in rule_set.rules.exclude(kind="definition"):
            condition = _replace(rule.condition, POOR, REFERENCE)
            if condition != rule.condition:
                rule.condition = condition
                rule.save(update_fields=["condition"])


def unseed(apps, schema_editor):
    for rule_set in _sets(apps):
        definition = rule_set.rules.filter(code="poor", kind="definition").first()
        if definition is None:
            continue
        for rule in rule_set.rules.exclude(pk=definition.pk):
            condition = _replace(rule.condition, REFERENCE, definition.condition)
            if condition != rule.condition:
                rule.condition = condition
                rule.save(update_fields=["condition"])
        definition.delete()


class Migration(migrations.Migration):
    dependencies = [("eligibility", "0008_rule_kind_definition")]

    operations = [migrations.RunPython(seed, unseed)]
