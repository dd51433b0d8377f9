"""The need categories of issue 5, as data: each with its default agency and deadline."""

from django.db import migrations

CATEGORIES = [
    # code, name, default agency code, deadline in days
    ("kesehatan", "Kesehatan / JKN", "dinkes", 14),
    ("pendidikan", "Pendidikan / KIP", "disdik", 14),
    ("rutilahu", "Perbaikan rumah / Rutilahu", "disperkimtan", 30),
    ("pekerjaan", "Pekerjaan dan pelatihan", "disnaker", 21),
    ("adminduk", "Dokumen kependudukan", "disdukcapil", 7),
    ("sosial", "Bantuan sosial dan rehabilitasi", "dinsos", 14),
]


def seed(apps, schema_editor):
    from households.reference import AGENCIES, NON_RECEIVING

    Agency = apps.get_model("households", "Agency")
    NeedCategory = apps.get_model("referrals", "NeedCategory")
    names = {code: (name, short) for code, name, short in AGENCIES}
    for code, name, agency_code, days in CATEGORIES:
        # load_reference_data creates the agencies too (update_or_create by code): whichever
        # runs first, the other leaves the row as it is.
        full, short = names[agency_code]
        agency, _ = Agency.objects.get_or_create(
            code=agency_code,
            defaults={
                "name": full,
                "short_name": short,
                "receives_referrals": agency_code not in NON_RECEIVING,
            },
        )
        NeedCategory.objects.get_or_create(
            code=code, defaults={"name": name, "default_agency": agency, "deadline_days": days}
        )


def unseed(apps, schema_editor):
    apps.get_model("referrals", "NeedCategory").objects.filter(
        code__in=[c[0] for c in CATEGORIES]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("referrals", "0001_referrals"), ("households", "0004_import_batches")]

    operations = [migrations.RunPython(seed, unseed)]
