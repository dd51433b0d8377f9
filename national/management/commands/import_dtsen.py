"""Import a DTSEN/DTKS extract from the command line through the same service as the page."""

import datetime
import time
from pathlib import Path

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from national.models import Extract, ReconciliationCase
from national.services import import_extract


class Command(BaseCommand):
    help = (
        "Import the city's DTSEN (or older DTKS) extract as of a date, match it to the "
        "registry and recompute the reconciliation queue. Every quarter is kept; the same "
        "file twice changes nothing. Exit status 1 when the file cannot be read."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--as-of", required=True, type=datetime.date.fromisoformat, help="YYYY-MM-DD"
        )
        parser.add_argument("--user", help="the acting user (default: none, the system)")
        parser.add_argument(
            "--no-keep-file",
            action="store_true",
            help="do not keep a copy of the file for the error report",
        )

    def handle(self, *args, file: Path, as_of, user, no_keep_file, **options):
        by = None
        if user:
            by = User.objects.filter(username=user).first()
            if by is None:
                raise CommandError(f"No user {user}.")
            if not by.has_perm("national.import_extract"):
                raise CommandError(f"{user} may not import DTSEN extracts.")
        if not file.is_file():
            raise CommandError(f"{file}: no such file")
        started = time.monotonic()
        try:
            imported = import_extract(
                path=file, filename=file.name, as_of=as_of, by=by, keep_file=not no_keep_file
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        extract = imported.extract
        if extract.status == Extract.Status.FAILED:
            raise CommandError(extract.error_text)
        if not imported.created:
            self.stdout.write(f"{file.name} was imported before (extract {extract.quarter}).")
            return
        self.stdout.write(
            f"Extract {extract.quarter} (as of {extract.as_of}): {extract.rows} rows, "
            f"{extract.families} families, {extract.members} people, {extract.rejected} rows "
            f"with errors ({time.monotonic() - started:.1f} s)."
        )
        for kind, label in ReconciliationCase.Kind.choices:
            count = extract.cases.filter(kind=kind, status="open").count()
            self.stdout.write(f"  {label}: {count}")
