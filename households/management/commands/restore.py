"""Restore a backup made by `manage.py backup` (slrt/backup.py)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from slrt.backup import BackupError, restore_database


class Command(BaseCommand):
    help = "Restore a backup into --database-url, or into the configured database with --yes."

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)
        parser.add_argument("--database-url", help="restore into this database instead")
        parser.add_argument(
            "--yes",
            action="store_true",
            help="replace the configured database's contents (required without --database-url)",
        )

    def handle(self, *args, **options):
        url = options["database_url"]
        if not url and not options["yes"]:
            raise CommandError(
                "This replaces the data of the configured database. "
                "Add --yes to do so, or give --database-url."
            )
        try:
            restore_database(options["path"], database_url=url)
        except BackupError as error:
            raise CommandError(f"Restore failed: {error}") from error
        self.stdout.write(f"Restored {options['path']}")
