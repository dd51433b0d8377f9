from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from national.demo import seed_demo_extract
from national.models import ReconciliationCase


class Command(BaseCommand):
    help = (
        "Import a DTSEN extract generated from the demo registry (after seed_demo and "
        "seed_demo_flags), unless an extract exists. Development only."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--force", action="store_true", help="run even with DEBUG off")

    def handle(self, *args, force: bool, **options) -> None:
        if not settings.DEBUG and not force:
            raise CommandError("DEBUG is off: pass --force if this really is a demo server.")
        extract = seed_demo_extract()
        if extract is None:
            self.stdout.write("Demo DTSEN extract: one exists already (or the registry is empty).")
            return
        counts = {
            kind: extract.cases.filter(kind=kind).count() for kind in ReconciliationCase.Kind.values
        }
        self.stdout.write(
            f"Demo DTSEN extract {extract.quarter}: {extract.families} families, cases {counts}."
        )
