import datetime

from django.core.management.base import BaseCommand, CommandError

from dashboards.services import parse_month, snapshot_indicators


def _month(text: str) -> datetime.date:
    try:
        return parse_month(text)
    except ValueError as error:
        raise CommandError(f"--month must look like 2026-11, not {text!r}") from error


class Command(BaseCommand):
    help = "Store this month's (or --month YYYY-MM's) indicators per kelurahan, replacing it."

    def add_arguments(self, parser):
        parser.add_argument("--month", type=_month, help="YYYY-MM (default: this month)")

    def handle(self, *args, month: datetime.date | None = None, **options):
        count = snapshot_indicators(month=month)
        self.stdout.write(f"Stored {count} kelurahan for {(month or 'this month')}.")
