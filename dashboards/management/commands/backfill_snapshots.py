from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from dashboards.services import backfill_snapshots


class Command(BaseCommand):
    help = (
        "Fill the monthly snapshots of this month and the --months - 1 before it from the "
        "records' own dates. Backfilled months are rebuilt; months with a real snapshot are "
        "kept unless --replace."
    )

    def add_arguments(self, parser):
        parser.add_argument("--months", type=int, default=12)
        parser.add_argument(
            "--replace", action="store_true", help="also rebuild months with a real snapshot"
        )

    def handle(self, *args, months: int, replace: bool, **options):
        try:
            result = backfill_snapshots(months=months, replace=replace)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        written = ", ".join(f"{month:%Y-%m}" for month in result.written) or "none"
        self.stdout.write(f"Backfilled months: {written}.")
        if result.kept:
            kept = ", ".join(f"{month:%Y-%m}" for month in result.kept)
            self.stdout.write(f"Kept (real snapshots): {kept}.")
