"""Writes of the national data loop: importing an extract, closing a case (STYLE.md 5)."""

import datetime
import hashlib
from dataclasses import dataclass
from pathlib import Path

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from households.imports.readers import UnreadableFile
from households.imports.services import region_index
from households.scope import guard_write
from national import extracts
from national.desil import quarter_of
from national.models import Extract, ExtractIssue, ReconciliationCase
from national.reconcile import reconcile_extract

CHUNK = 1 << 20


@dataclass(frozen=True)
class Imported:
    extract: Extract
    created: bool  # False: the same file was imported before, nothing changed


def _checksum(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _may_import(user: User | None) -> None:
    if user is not None and not user.has_perm("national.import_extract"):
        raise PermissionDenied


def check_as_of(as_of: datetime.date) -> None:
    """An extract's date cannot be in the future."""
    if as_of > timezone.localdate():
        raise ValidationError(
            _("The extract's date %(date)s is in the future."),
            code="future",
            params={"date": as_of.isoformat()},
        )


def import_extract(
    *,
    path: Path,
    filename: str,
    as_of: datetime.date,
    by: User | None,
    keep_file: bool = True,
    claimed: Extract | None = None,
) -> Imported:
    """Store one extract of the city's DTSEN/DTKS data, as of `as_of`, then match it to the
    registry and recompute the reconciliation. A new extract never replaces an earlier one
    (every quarter is kept); the same file again is a no-op. A file that cannot be read is
    kept as a failed extract with the reason (the import page shows it); rows with errors are
    left out and reported. `by` needs national.import_extract (None: the command line).
    `claimed`: the extract row an upload from the page made and its worker holds
    (national.uploads), imported into instead of a new one."""
    _may_import(by)
    check_as_of(as_of)
    path = Path(path)
    checksum = _checksum(path)
    existing = Extract.objects.filter(checksum=checksum, status=Extract.Status.COMPLETE).first()
    if existing is not None:
        return Imported(existing, created=False)
    extract = claimed or Extract.objects.create(
        quarter=quarter_of(as_of),
        as_of=as_of,
        filename=filename[:255],
        checksum=checksum,
        status=Extract.Status.RECONCILING,
        uploaded_by=by,
    )
    try:
        sheet = extracts.read_extract(path, filename)
    except UnreadableFile as error:
        Extract.objects.filter(pk=extract.pk).update(
            status=Extract.Status.FAILED,
            error_message=str(error.message),
            error_source=getattr(error.message, "to_json", lambda: None)(),
        )
        extract.refresh_from_db()
        return Imported(extract, created=True)
    _store(extract, sheet, path, filename, keep_file)
    extract.refresh_from_db()
    return Imported(extract, created=True)


@transaction.atomic
def _store(extract: Extract, sheet, path: Path, filename: str, keep_file: bool) -> None:
    result = extracts.store_rows(
        extract_id=extract.pk, sheet=sheet, regions=region_index(), today=timezone.localdate()
    )
    extracts.write_families(extract.pk, result)  # matched to the registry as they are written
    ExtractIssue.objects.bulk_create(
        (
            ExtractIssue(
                extract=extract,
                row_number=issue.row_number,
                column=issue.column,
                code=issue.code,
                message=str(issue.message),
                message_source=getattr(issue.message, "to_json", lambda: None)(),
            )
            for issue in result.issues
        ),
        batch_size=2000,
    )
    extract.rows = result.rows
    extract.families = len(result.families)
    extract.members = result.members
    extract.rejected = result.rejected
    extract.uses_percentile = result.uses_percentile
    extract.status = Extract.Status.COMPLETE
    if keep_file:  # for the error report, as the ward files
        with path.open("rb") as handle:
            extract.file.save(Path(filename).name, File(handle), save=False)
    extract.save()
    reconcile_extract(extract.pk, match=False)


@transaction.atomic
def close_case(*, case: ReconciliationCase, by: User, note: str) -> ReconciliationCase:
    """Close an open case with what was done or found. The case's kelurahan must be in the
    closer's write scope (404 otherwise, like a read); needs national.close_case."""
    guard_write(by, case.kelurahan_id)
    if not by.has_perm("national.close_case"):
        raise PermissionDenied
    note = note.strip()
    if not note:
        raise ValidationError(
            _("Say what was done or found before closing the case."), code="note_required"
        )
    updated = ReconciliationCase.objects.filter(
        pk=case.pk, status=ReconciliationCase.Status.OPEN
    ).update(
        status=ReconciliationCase.Status.CLOSED,
        closed_by=by,
        closed_at=timezone.now(),
        note=note[:2000],
        updated_at=timezone.now(),
    )
    if not updated:
        raise ValidationError(_("This case was closed by someone else."), code="stale")
    case.refresh_from_db()
    return case
