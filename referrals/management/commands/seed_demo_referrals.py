from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from referrals.demo import seed_demo_referrals


class Command(BaseCommand):
    help = "Raise a few demo referrals in Margahayu (after seed_demo). Development only."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--force", action="store_true", help="run even with DEBUG off")

    def handle(self, *args, force: bool, **options) -> None:
        if not settings.DEBUG and not force:
            raise CommandError("DEBUG is off: pass --force if this really is a demo server.")
        count = seed_demo_referrals()
        self.stdout.write(f"Demo referrals: {count} raised.")
