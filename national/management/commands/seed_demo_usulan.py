from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from national.usulan_demo import seed_demo_usulan


class Command(BaseCommand):
    help = (
        "Demo verification visits, an agreed kelurahan batch and a sent city batch (after "
        "seed_demo_dtsen), unless visits exist. Development only."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--force", action="store_true", help="run even with DEBUG off")

    def handle(self, *args, force: bool, **options) -> None:
        if not settings.DEBUG and not force:
            raise CommandError("DEBUG is off: pass --force if this really is a demo server.")
        if seed_demo_usulan():
            self.stdout.write(
                "Demo visits and usulan: visits done and to do, an agreed kelurahan batch, "
                "a city batch sent with one proposal accepted."
            )
        else:
            self.stdout.write("Demo visits and usulan: present already (or nothing to visit).")
