"""Existing complaints get the status their referrals give them (issue 18, point 9): referred
while one of them is still open (or a draft), done when all are resolved, rejected or closed,
done when settled at the desk without a referral, open otherwise."""

from django.db import migrations

STILL_OPEN = ["draft", "submitted", "accepted", "in_progress", "returned"]
BATCH = 500


def fill(apps, schema_editor):
    Complaint = apps.get_model("referrals", "Complaint")
    Referral = apps.get_model("referrals", "Referral")
    pks = list(Complaint.objects.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(pks), BATCH):
        chunk = pks[start : start + BATCH]
        referred = set(Referral.objects.filter(complaint_id__in=chunk).values_list("complaint_id", flat=True))
        waiting = set(
            Referral.objects.filter(complaint_id__in=chunk, status__in=STILL_OPEN).values_list(
                "complaint_id", flat=True
            )
        )
        Complaint.objects.filter(pk__in=waiting).update(status="referred")
        Complaint.objects.filter(pk__in=referred - waiting).update(status="done")
        settled = Complaint.objects.filter(pk__in=chunk, resolved_at_desk=True)
        settled.exclude(pk__in=referred).update(status="done")


class Migration(migrations.Migration):
    dependencies = [("referrals", "0010_complaint_category_channel_status")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
