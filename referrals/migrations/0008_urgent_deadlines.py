"""Each need category's deadline when urgent (issue 18, point 7): the seeded ones as agreed
with the agencies, any other a quarter of its normal deadline (at least one day)."""

from django.db import migrations

URGENT_DAYS = {
    # code: days when urgent (normal deadline in 0002_need_categories)
    "kesehatan": 3,  # 14
    "pendidikan": 7,  # 14
    "rutilahu": 14,  # 30
    "pekerjaan": 7,  # 21
    "adminduk": 3,  # 7
    "sosial": 3,  # 14
}
BATCH = 500


def fill(apps, schema_editor):
    NeedCategory = apps.get_model("referrals", "NeedCategory")
    rows = NeedCategory.objects.order_by("pk").only("pk", "code", "deadline_days")
    changed = []
    for category in rows.iterator(chunk_size=BATCH):
        days = URGENT_DAYS.get(category.code, -(-category.deadline_days // 4))
        category.urgent_deadline_days = max(1, min(days, category.deadline_days))
        changed.append(category)
    NeedCategory.objects.bulk_update(changed, ["urgent_deadline_days"], batch_size=BATCH)


class Migration(migrations.Migration):
    dependencies = [("referrals", "0007_needcategory_urgent_deadline")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
