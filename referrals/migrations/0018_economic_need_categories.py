"""The economic interventions of a needs assessment as need categories (issue 21), so that a
plan's intervention becomes a referral routed to the agency that serves it (households.models.
assessments INTERVENTION_AGENCY; referrals.models.plans INTERVENTION_CATEGORY)."""

from django.db import migrations

CATEGORIES = [
    # code, name, default agency code, deadline in days
    ("pelatihan-kerja", "Pelatihan kerja", "disnaker", 30),
    ("modal-usaha", "Bantuan modal usaha", "dinsos", 30),
    ("kube", "Kelompok Usaha Bersama (KUBE)", "dinsos", 30),
    ("uep", "Usaha Ekonomi Produktif (UEP)", "dinsos", 30),
    ("pendampingan-umkm", "Pendampingan UMKM", "dinkopukm", 30),
    ("kur", "Kredit Usaha Rakyat (KUR)", "bank-kur", 30),
]
AGENCIES = {
    "disnaker": ("Dinas Tenaga Kerja", "Disnaker"),
    "dinsos": ("Dinas Sosial", "Dinas Sosial"),
    "dinkopukm": ("Dinas Koperasi dan Usaha Kecil Menengah", "Dinas Koperasi dan UKM"),
    "bank-kur": ("Bank penyalur Kredit Usaha Rakyat (KUR)", "Bank penyalur KUR"),
}


def seed(apps, schema_editor):
    Agency = apps.get_model("households", "Agency")
    NeedCategory = apps.get_model("referrals", "NeedCategory")
    for code, name, agency_code, days in CATEGORIES:
        # load_reference_data creates the agencies too (update_or_create by code): whichever
        # runs first, the other leaves the row as it is.
        full, short = AGENCIES[agency_code]
        agency, _ = Agency.objects.get_or_create(
            code=agency_code, defaults={"name": full, "short_name": short}
        )
        NeedCategory.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "default_agency": agency,
                "deadline_days": days,
                "urgent_deadline_days": 7,
            },
        )


def unseed(apps, schema_editor):
    apps.get_model("referrals", "NeedCategory").objects.filter(
        code__in=[c[0] for c in CATEGORIES]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("referrals", "0017_family_plans")]

    operations = [migrations.RunPython(seed, unseed)]
