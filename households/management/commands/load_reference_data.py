from django.core.management.base import BaseCommand

from households.reference import load_reference_data


class Command(BaseCommand):
    help = "Create or update agencies, aid programs and role groups; idempotent."

    def handle(self, *args, **options):
        load_reference_data()
        self.stdout.write("Agencies, programs and roles are up to date.")
