"""Queue again the background work left waiting while the broker was down (the beat job and
the worker's start do the same; slrt.dispatch)."""

from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand

from slrt.dispatch import redispatch_stalled_work


class Command(BaseCommand):
    help = "Queue again imports, eligibility runs and e-mails left waiting for the broker."

    def add_arguments(self, parser):
        parser.add_argument(
            "--older-than",
            type=int,
            default=settings.REDISPATCH_AFTER_MINUTES,
            metavar="MINUTES",
            help="only work waiting at least this long (default: %(default)s)",
        )

    def handle(self, *args, **options):
        sent = redispatch_stalled_work(older_than=timedelta(minutes=options["older_than"]))
        self.stdout.write(f"{sent} waiting job(s) queued again")
