from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import IntegrityError

from households.demo import seed_demo_registry
from households.models import Household


def _count(value: str) -> int:
    number = int(value)
    if number < 0:
        raise ValueError(value)
    return number


class Command(BaseCommand):
    help = (
        "Fill the registry with a deterministic synthetic city (households, members, "
        "enrolments) and one demo user per role, password DEMO_PASSWORD. Development only."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--households", type=_count, default=2000)
        parser.add_argument("--seed", type=int, default=1, help="same seed, same people")
        parser.add_argument(
            "--if-empty", action="store_true", help="do nothing if any household exists"
        )
        parser.add_argument(
            "--replace", action="store_true", help="delete earlier demo households first"
        )
        parser.add_argument("--force", action="store_true", help="run even with DEBUG off")

    def handle(
        self,
        *args,
        households: int,
        seed: int,
        if_empty: bool,
        replace: bool,
        force: bool,
        **options,
    ) -> None:
        if not settings.DEBUG and not force:
            raise CommandError(
                "DEBUG is off, so this looks like a production registry: seed_demo would add "
                "synthetic people to it. Pass --force if this really is a demo or test server."
            )
        existing = Household.objects.exists()
        if existing and if_empty:
            self.stdout.write("The registry already has households: no demo data added.")
            return
        if existing and not replace:
            raise CommandError(
                "The registry already has households. Use --replace to delete the earlier demo "
                "households (source 'demo') and load new ones; other households are kept."
            )
        progress = self.stdout.write if options["verbosity"] >= 1 else lambda message: None
        try:
            result = seed_demo_registry(
                households=households, seed=seed, replace=replace, progress=progress
            )
        except IntegrityError as error:
            raise CommandError(
                "The demo rows collide with rows already in the registry (same KK number or "
                f"NIK, or rows that still point at earlier demo households): {error}"
            ) from error
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo registry: {result.households:,} households, {result.members:,} members, "
                f"{result.enrolments:,} enrolments, {result.users} demo users "
                f"in {result.seconds:.1f} s."
            )
        )
