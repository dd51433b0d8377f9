"""The seeded rules' messages in English (issue 18): a rule still carrying its seeded
Indonesian message gets the same message in English; a message someone edited is left for its
editor to translate (until then it is shown as written)."""

from django.db import migrations

ENGLISH = {
    "Memiliki {car_count} mobil": "Owns {car_count} car(s)",
    "Ada anggota keluarga yang bekerja sebagai ASN, TNI atau Polri": (
        "A household member works as ASN, TNI or Polri"
    ),
    "Daya listrik {electricity_va} VA": "Electricity {electricity_va} VA",
    "Pendapatan per orang Rp {per_capita_income}, {income_pct_of_poverty_line}% dari garis "
    "kemiskinan": (
        "Income per person Rp {per_capita_income}, {income_pct_of_poverty_line}% of the "
        "poverty line"
    ),
    "Menerima bantuan tetapi terkena kriteria pengecualian": (
        "Receives aid but meets an exclusion criterion"
    ),
    "Miskin (desil {welfare_decile}, pendapatan per orang {income_pct_of_poverty_line}% dari "
    "garis kemiskinan) tetapi tidak menerima program": (
        "Poor (welfare decile {welfare_decile}, income per person "
        "{income_pct_of_poverty_line}% of the poverty line) but in no aid program"
    ),
    "NIK seorang anggota tidak cocok dengan tanggal lahir atau jenis kelaminnya": (
        "A member's NIK does not match their birth date or sex"
    ),
    "Seorang anggota (nama dan tanggal lahir sama) juga tercatat di keluarga lain": (
        "A member (same name and birth date) is also registered in another household"
    ),
    # the programs' criteria (0004_seed_program_criteria)
    "Desil {welfare_decile}, {pkh_component_count} anggota komponen PKH": (
        "Welfare decile {welfare_decile}, {pkh_component_count} member(s) in a PKH component"
    ),
    "Desil {welfare_decile}, pendapatan per orang {income_pct_of_poverty_line}% dari garis "
    "kemiskinan": (
        "Welfare decile {welfare_decile}, income per person {income_pct_of_poverty_line}% of "
        "the poverty line"
    ),
    "Desil {welfare_decile}, {uninsured_member_count} anggota tanpa jaminan kesehatan": (
        "Welfare decile {welfare_decile}, {uninsured_member_count} member(s) without health "
        "insurance"
    ),
    "Desil {welfare_decile}, {school_child_count} anak bersekolah": (
        "Welfare decile {welfare_decile}, {school_child_count} child(ren) at school"
    ),
    "Rumah tidak layak huni milik sendiri": "An owned house unfit to live in",
}


def add_english(apps, schema_editor):
    Rule = apps.get_model("eligibility", "Rule")
    for indonesian, english in ENGLISH.items():
        Rule.objects.filter(message=indonesian, message_en="").update(message_en=english)


class Migration(migrations.Migration):
    dependencies = [("eligibility", "0006_rule_message_en")]

    operations = [migrations.RunPython(add_english, migrations.RunPython.noop)]
