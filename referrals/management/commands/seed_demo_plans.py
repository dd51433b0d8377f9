from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from referrals.demo import seed_demo_plans


class Command(BaseCommand):
    help = "Give a few assessed demo families a plan (after seed_demo_referrals). Development only."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--force", action="store_true", help="run even with DEBUG off")

    def handle(self, *args, force: bool, **options) -> None:
        if not settings.DEBUG and not force:
            raise CommandError("DEBUG is off: pass --force if this really is a demo server.")
        count = seed_demo_plans()
        self.stdout.write(f"Demo family plans: {count} made.")
