"""Evaluate the active rule set over the whole registry now (the nightly job, by hand)."""

from django.core.management.base import BaseCommand

from eligibility.services import run_eligibility


class Command(BaseCommand):
    help = "Evaluate the active eligibility rule set over the whole registry."

    def handle(self, *args, **options):
        run = run_eligibility(by=None)
        for code, counts in sorted(run.counts.items()):
            self.stdout.write(
                f"{code}: {counts['flagged']} flagged, {counts['new']} new, "
                f"{counts['resolved']} resolved"
            )
        self.stdout.write(f"run {run.pk} complete in {run.duration_ms} ms")
