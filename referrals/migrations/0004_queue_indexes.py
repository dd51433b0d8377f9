"""The triage queue's first page: an agency's referrals by deadline (ORDER BY due_date, id
LIMIT 25). The (agency, status, due_date) index serves one status at a time; without this one
PostgreSQL sorted all of an agency's referrals for every page (bench/README.md, bench_referrals)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("referrals", "0003_complaints_attachments_notifications")]

    operations = [
        migrations.AddIndex(
            model_name="referral",
            index=models.Index(
                fields=["agency", "due_date", "id"], name="referrals_referral_agency_due"
            ),
        )
    ]
