"""Graduation's criteria as data (issue 21 part 4): a rule of kind definition, code
"graduation_ready", in the active set and the draft: income per person above the poverty line
at the last needs assessment and at one 6 months or more before it, and no open exclusion
finding. A verifier edits it like any rule; a set without it still activates (only "sejahtera
mandiri" graduations can then be proposed)."""

from django.db import migrations

DEFINITION = {
    "code": "graduation_ready",
    "kind": "definition",
    "severity": "low",
    "name_id": "Siap graduasi",
    "name_en": "Ready to graduate",
    "condition": {
        "all": [
            {"field": "assessed_income_pct", "op": ">", "value": 100},
            {"field": "earlier_assessed_income_pct", "op": ">", "value": 100},
            {"field": "open_exclusion_findings", "op": "=", "value": 0},
        ]
    },
    "message": "Pendapatan per orang {assessed_income_pct}% dari garis kemiskinan, "
    "6 bulan sebelumnya {earlier_assessed_income_pct}%",
    "message_en": "Income per person {assessed_income_pct}% of the poverty line, "
    "6 months before {earlier_assessed_income_pct}%",
}


def seed(apps, schema_editor):
    RuleSet = apps.get_model("eligibility", "RuleSet")
    Rule = apps.get_model("eligibility", "Rule")
    for rule_set in RuleSet.objects.filter(status__in=["active", "draft"]):
        if not rule_set.rules.filter(code=DEFINITION["code"]).exists():
            Rule.objects.create(rule_set=rule_set, **DEFINITION)


def unseed(apps, schema_editor):
    Rule = apps.get_model("eligibility", "Rule")
    Rule.objects.filter(
        code=DEFINITION["code"], kind="definition", rule_set__status__in=["active", "draft"]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("eligibility", "0013_graduation_relapse")]

    operations = [migrations.RunPython(seed, unseed)]
