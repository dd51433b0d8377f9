"""Run the daily referral deadline job now (overdue notices, escalation, auto-close)."""

from datetime import date

from django.core.management.base import BaseCommand

from referrals.deadlines import check_referral_deadlines


class Command(BaseCommand):
    help = "Notify overdue referrals, escalate them to agency heads, close old resolved ones."

    def add_arguments(self, parser):
        parser.add_argument(
            "--today", type=date.fromisoformat, help="Run as on this date (YYYY-MM-DD)."
        )

    def handle(self, *args, **options):
        report = check_referral_deadlines(today=options["today"])
        self.stdout.write(
            f"{report.overdue_referrals} overdue, {report.overdue_notified} notified, "
            f"{report.escalated} escalated, {report.closed} closed"
        )
