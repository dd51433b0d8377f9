from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from eligibility.demo import seed_demo_flags, seed_demo_graduations


class Command(BaseCommand):
    help = (
        "Evaluate the active rule set once over the demo registry (after seed_demo), unless "
        "it already ran, and add demo graduations (issue 21). Development only."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--force", action="store_true", help="run even with DEBUG off")

    def handle(self, *args, force: bool, **options) -> None:
        if not settings.DEBUG and not force:
            raise CommandError("DEBUG is off: pass --force if this really is a demo server.")
        # Graduations first: the run's after-hook recounts the dashboards with them.
        graduations = seed_demo_graduations()
        run = seed_demo_flags()
        if graduations:
            self.stdout.write(f"Demo graduations: {graduations} over the last twelve months.")
        if run is None:
            self.stdout.write("Demo flags: the active rule set already ran (or there is none).")
            return
        flagged = sum(counts["flagged"] for counts in run.counts.values())
        self.stdout.write(f"Demo flags: {flagged} findings in {run.duration_ms} ms.")
