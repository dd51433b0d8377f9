from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from households.reference import REGIONS_CSV, load_regions


class Command(BaseCommand):
    help = "Load regions (Kemendagri codes) from a CSV; idempotent. Default: Kota Bekasi."

    def add_arguments(self, parser):
        parser.add_argument("--file", type=Path, default=REGIONS_CSV)

    def handle(self, *args, file: Path, **options):
        try:
            result = load_regions(file)
        except (OSError, ValueError, KeyError) as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"Regions: {result.created} created, {result.updated} updated, "
            f"{result.unchanged} unchanged."
        )
