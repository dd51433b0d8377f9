"""The first active rule set (thresholds are data: edit them through a new draft)."""

from django.db import migrations

RULES = [
    {
        "code": "car_owner",
        "name_id": "Pemilik mobil",
        "name_en": "Car owner",
        "kind": "exclusion",
        "severity": "high",
        "condition": {"field": "car_count", "op": ">=", "value": 1},
        "message": "Memiliki {car_count} mobil",
    },
    {
        "code": "asn_tni_polri",
        "name_id": "Anggota keluarga ASN/TNI/Polri",
        "name_en": "A member is ASN/TNI/Polri",
        "kind": "exclusion",
        "severity": "high",
        "condition": {"field": "has_asn_tni_polri_member", "op": "=", "value": True},
        "message": "Ada anggota keluarga yang bekerja sebagai ASN, TNI atau Polri",
    },
    {
        "code": "electricity_high",
        "name_id": "Daya listrik tinggi",
        "name_en": "High electricity power",
        "kind": "exclusion",
        "severity": "medium",
        "condition": {"field": "electricity_va", "op": ">=", "value": 2200},
        "message": "Daya listrik {electricity_va} VA",
    },
    {
        "code": "income_above_poverty",
        "name_id": "Pendapatan per kapita di atas 3× garis kemiskinan",
        "name_en": "Income per person above 3× the poverty line",
        "kind": "exclusion",
        "severity": "medium",
        "condition": {"field": "income_pct_of_poverty_line", "op": ">", "value": 300},
        "message": "Pendapatan per orang Rp {per_capita_income}, "
        "{income_pct_of_poverty_line}% dari garis kemiskinan",
    },
    {
        "code": "aid_but_excluded",
        "name_id": "Menerima bantuan tetapi terkena kriteria pengecualian",
        "name_en": "Receives aid but meets an exclusion criterion",
        "kind": "inclusion",
        "severity": "high",
        "condition": {
            "all": [
                {"field": "is_aid_recipient", "op": "=", "value": True},
                {"rule_kind": "exclusion"},
            ]
        },
        "message": "Menerima bantuan tetapi terkena kriteria pengecualian",
    },
    {
        "code": "poor_no_program",
        "name_id": "Keluarga miskin tanpa program",
        "name_en": "Poor household without a program",
        "kind": "inclusion",
        "severity": "medium",
        "condition": {
            "all": [
                {
                    "any": [
                        {"field": "income_pct_of_poverty_line", "op": "<", "value": 100},
                        {"field": "welfare_decile", "op": "between", "value": [1, 4]},
                    ]
                },
                {"field": "is_aid_recipient", "op": "=", "value": False},
            ]
        },
        "message": "Miskin (desil {welfare_decile}, pendapatan per orang "
        "{income_pct_of_poverty_line}% dari garis kemiskinan) tetapi tidak menerima program",
    },
    {
        "code": "nik_discrepancy",
        "name_id": "NIK tidak cocok",
        "name_en": "NIK disagreement",
        "kind": "data_quality",
        "severity": "low",
        "condition": {"field": "nik_discrepancy", "op": "=", "value": True},
        "message": "NIK seorang anggota tidak cocok dengan tanggal lahir atau jenis kelaminnya",
    },
    {
        "code": "same_person_twice",
        "name_id": "Orang yang sama di dua keluarga",
        "name_en": "Same person in two households",
        "kind": "data_quality",
        "severity": "medium",
        "condition": {"field": "same_person_in_two_households", "op": "=", "value": True},
        "message": "Seorang anggota (nama dan tanggal lahir sama) juga tercatat di keluarga lain",
    },
]


def seed(apps, schema_editor):
    RuleSet = apps.get_model("eligibility", "RuleSet")
    Rule = apps.get_model("eligibility", "Rule")
    if RuleSet.objects.exists():
        return
    rule_set = RuleSet.objects.create(version=1, status="active", note="Aturan awal")
    Rule.objects.bulk_create(Rule(rule_set=rule_set, **rule) for rule in RULES)


class Migration(migrations.Migration):
    dependencies = [("eligibility", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
