from django.core.management.base import BaseCommand

from dashboards.services import refresh_kelurahan_counts


class Command(BaseCommand):
    help = "Recount every dashboard figure of every kelurahan now (beat does it every 5 minutes)."

    def handle(self, *args, **options):
        rows = refresh_kelurahan_counts()
        self.stdout.write(f"Stored {rows} figures.")
