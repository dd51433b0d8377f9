"""The standard reasons for dismissing a finding (issue 20), in both languages."""

from django.db import migrations

REASONS = [
    ("car_sold", "Mobil sudah dijual", "The car has been sold"),
    ("outdated", "Data lama", "The record is old"),
    ("input_error", "Salah input", "Data entry error"),
    ("relative_owns", "Milik kerabat", "Belongs to a relative"),
    ("other", "Lainnya (lihat keterangan)", "Other (see the note)"),
]


def seed(apps, schema_editor):
    reason = apps.get_model("eligibility", "DismissalReason")
    for position, (code, text, text_en) in enumerate(REASONS, start=1):
        reason.objects.update_or_create(
            code=code, defaults={"text": text, "text_en": text_en, "position": position}
        )


class Migration(migrations.Migration):
    dependencies = [("eligibility", "0011_review_cases")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
