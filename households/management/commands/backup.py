"""Back up the registry (the whole database) to a file (slrt/backup.py)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from slrt.backup import BackupError, backup_database, default_backup_path


class Command(BaseCommand):
    help = "Back up the database: pg_dump custom format, or a SQLite copy."

    def add_arguments(self, parser):
        parser.add_argument(
            "path", nargs="?", type=Path, help="default: var/backups/slrt-YYYYmmdd-HHMM.dump"
        )

    def handle(self, *args, **options):
        path = options["path"] or default_backup_path()
        try:
            backup_database(path)
        except BackupError as error:
            raise CommandError(f"Backup failed: {error}") from error
        self.stdout.write(f"Backup written to {path} ({path.stat().st_size:,} bytes)")
