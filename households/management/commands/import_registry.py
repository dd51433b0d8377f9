"""Import a ward file from the command line through the same services as the browser."""

import time
from pathlib import Path

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand, CommandError

from households.imports.services import (
    CONFIRM_PERMISSIONS,
    cancel_import_batch,
    commit_import_batch,
    confirm_import_batch,
    upload_import_batch,
    validate_import_batch,
)
from households.models import ImportBatch, Region

WAIT_SECONDS = 3600  # for a worker's check or commit of a big file


class Command(BaseCommand):
    help = (
        "Check a ward file (.xlsx, .xls, .ods or .csv) against the registry and print the "
        "preview; with --commit, import it. Exit status 1 when the file cannot be imported."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--kelurahan", help="Kemendagri code, for files without a kelurahan column"
        )
        parser.add_argument(
            "--format",
            default=ImportBatch.SourceFormat.SLRT,
            choices=ImportBatch.SourceFormat.values,
        )
        parser.add_argument("--commit", action="store_true", help="import the valid rows")
        parser.add_argument(
            "--move-members", action="store_true", help="allow moving members between families"
        )
        parser.add_argument("--user", help="the acting user (default: the first superuser)")

    def handle(self, *args, file: Path, kelurahan, format, commit, move_members, user, **options):
        by = self._user(user)
        if not by.has_perm("households.add_importbatch"):
            raise CommandError(f"{by.username} may not import files (role without import rights).")
        region = self._kelurahan(kelurahan)
        try:
            upload = SimpleUploadedFile(file.name, file.read_bytes())
        except OSError as error:
            raise CommandError(f"{file}: {error.strerror}") from error
        try:
            batch = upload_import_batch(
                uploaded_file=upload, by=by, source_format=format, kelurahan=region
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        validate_import_batch(batch_id=batch.pk)  # a no-op if the eager task already did it
        batch = self._settled(batch)
        if batch.status == ImportBatch.Status.FAILED:
            raise CommandError(batch.error_message)
        self._print(batch)
        if not batch.counts.get("rows_valid"):
            cancel_import_batch(batch=batch, by=by)
            raise CommandError(f"No row of {file.name} can be imported: fix the errors above.")
        if not commit:
            self.stdout.write("Checked only; run again with --commit to import.")
            return
        if not by.has_perms(CONFIRM_PERMISSIONS):
            raise CommandError(
                f"{by.username} may check files but not commit them (role without the right to "
                "change households)."
            )
        try:
            confirm_import_batch(batch=batch, by=by, confirm_moves=move_members)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        commit_import_batch(batch_id=batch.pk)  # a no-op if the eager task already did it
        batch = self._settled(batch)
        if batch.status != ImportBatch.Status.COMMITTED:
            raise CommandError(f"Batch #{batch.pk} was not committed ({batch.status}).")
        self.stdout.write(self.style.SUCCESS(f"Committed batch #{batch.pk}."))
        self._print(batch)

    def _settled(self, batch: ImportBatch) -> ImportBatch:
        """With a Celery worker running, the worker may hold the batch: wait for it."""
        for _ in range(WAIT_SECONDS * 2):
            batch.refresh_from_db()
            if not batch.is_working:
                return batch
            time.sleep(0.5)
        raise CommandError(f"Batch #{batch.pk} is still {batch.status}; see the import page.")

    def _print(self, batch: ImportBatch) -> None:
        for key, value in batch.counts.items():
            self.stdout.write(f"  {key}: {value}")
        for issue in batch.issues.filter(severity="error")[:50]:
            self.stdout.write(f"  row {issue.row_number} {issue.column}: {issue.message}")

    def _user(self, username: str | None) -> User:
        users = User.objects.filter(is_active=True)
        found = (
            users.filter(username=username).first()
            if username
            else users.filter(is_superuser=True).first()
        )
        if found is None:
            raise CommandError("No such active user; pass --user USERNAME.")
        return found

    def _kelurahan(self, code: str | None) -> Region | None:
        if not code:
            return None
        dotted = code if "." in code else f"{code[:2]}.{code[2:4]}.{code[4:6]}.{code[6:]}"
        region = Region.objects.filter(code=dotted, level=Region.Level.KELURAHAN).first()
        if region is None:
            raise CommandError(f"Unknown kelurahan code {code}.")
        return region
