"""The Celery app. Tasks are thin wrappers over services (see STYLE.md section 8)."""

import os

from celery import Celery
from celery.signals import worker_ready

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "slrt.settings")

app = Celery("slrt")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# The beat schedule is code: one commented crontab per entry, added by the issues
# that bring the jobs (eligibility runs, snapshots, referral deadlines).
from celery.schedules import crontab  # noqa: E402

app.conf.beat_schedule = {
    # Eligibility: the active rule set over the whole registry, nightly at 01:30 Jakarta time.
    "eligibility-nightly-run": {
        "task": "eligibility.tasks.start_eligibility_run_task",
        "schedule": crontab(hour=1, minute=30),
    },
    # Referral deadlines: overdue notices, escalation to agency heads and auto-close, daily
    # at 06:00 Jakarta time (CELERY_TIMEZONE), before the agencies' working day starts.
    "referral-deadlines-daily": {
        "task": "referrals.tasks.check_referral_deadlines_task",
        "schedule": crontab(hour=6, minute=0),
    },
    # Dashboards: this month's indicators per kelurahan, on the 1st at 00:30 Jakarta time
    # (before the nightly eligibility run), so each month's trend point is its opening state.
    # Work left waiting while Redis was down (slrt/dispatch.py): every 5 minutes.
    "redispatch-stalled-work": {
        "task": "households.tasks.redispatch_stalled_work_task",
        "schedule": crontab(minute="*/5"),
    },
    # Dashboards: the stored figures per kelurahan, recounted every 5 minutes (saves, imports
    # and eligibility runs also recount what they changed); overdue moves with the day.
    "dashboards-refresh-counts": {
        "task": "dashboards.tasks.refresh_kelurahan_counts_task",
        "schedule": crontab(minute="*/5"),
    },
    "dashboards-monthly-snapshot": {
        "task": "dashboards.tasks.snapshot_indicators_task",
        "schedule": crontab(day_of_month=1, hour=0, minute=30),
    },
}


@worker_ready.connect
def _redispatch_on_start(sender, **kwargs) -> None:
    """A worker coming back after an outage first picks up the work that waited for it."""
    sender.app.send_task("households.tasks.redispatch_stalled_work_task")
