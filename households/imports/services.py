"""Import a ward file: upload, validate in the background, preview, commit atomically.

Promise (DESIGN.md): an import commits every valid row and reports every invalid one, or
commits nothing; committed + reported = rows in the file; the same file twice changes nothing.
"""

import gc
import hashlib
from collections.abc import Iterable
from contextlib import contextmanager
from datetime import timedelta
from functools import partial
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from households import existence
from households.hooks import registry_imported
from households.imports import checked as stored_checks
from households.imports.apply import apply_plan
from households.imports.plan import EXISTENCE_CODES, FamilyPlan, build_plan
from households.imports.readers import UnreadableFile, read_sheet
from households.imports.unreadable import upload_checksum
from households.imports.validation import Issue, RegionIndex, ValidationResult, validate_rows
from households.imports.writers import writer_for_database
from households.models import (
    ExistenceAnswer,
    ImportBatch,
    ImportFamily,
    ImportIssue,
    Member,
    Region,
)
from households.scope import scope_for, write_kelurahan_ids
from households.selectors import kelurahan_choices
from households.services import plain_value
from slrt.db import take_turns
from slrt.dispatch import TRANSIENT_ERRORS, dispatch, dispatch_on_commit
from slrt.messages import first_message, message_json
from slrt.messages import translatable as _


def upload_import_batch(
    *,
    uploaded_file: UploadedFile,
    by: User,
    source_format: str = ImportBatch.SourceFormat.SLRT,
    kelurahan: Region | None = None,
) -> ImportBatch:
    """Store the file and queue its check. A desk operator imports for their own kelurahan
    (the default when they have one); city-wide roles for any."""
    scope = scope_for(by)
    allowed = kelurahan_choices(by)
    if kelurahan is None and not scope.city_wide:
        kelurahan = allowed.first()
    if kelurahan is not None and not allowed.filter(pk=kelurahan.pk).exists():
        raise ValidationError(
            _("You can import only for the kelurahan you work in."), code="kelurahan_outside_scope"
        )
    if not scope.city_wide and kelurahan is None:
        raise ValidationError(
            _("Your account has no kelurahan to import for."), code="no_kelurahan"
        )
    checksum = upload_checksum(
        uploaded_file,
        limit=settings.IMPORT_MAX_BYTES,
        too_big=_(
            "The file is %(size)s MB; the limit is %(limit)s MB. Split it into smaller files."
        ),
    )
    with transaction.atomic():
        batch = ImportBatch(
            filename=uploaded_file.name[:255],
            size=uploaded_file.size,
            checksum=checksum,
            source_format=source_format,
            kelurahan=kelurahan,
            uploaded_by=by,
        )
        batch.file.save(uploaded_file.name, uploaded_file, save=False)
        batch.save()
        dispatch_on_commit(batch, _tasks().validate_import_batch_task)
    return batch


def _tasks():
    from households import tasks  # tasks import services

    return tasks


@contextmanager
def _gc_paused():
    """No cyclic garbage collection while an import holds a million small objects.

    Every full collection walks all of them and frees none (rows, dicts and tuples hold no
    reference cycles). What it buys, measured 2026-12-06 on the benchmark's 100,000-row
    .xlsx, collector on and off alternating in one process (3 + 4 runs, CPU time, load 8-10):
    validate_rows 4.0-4.7 s with the collector, 3.3-3.7 s without (-0.8 s, ~20 %; on
    200,000 rows earlier: 7.1 -> 6.1 s, the plan 1.6 -> 0.9 s). Reference counting still
    frees everything, and the collector is back on when the import ends, even by an error."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def validate_import_batch(*, batch_id: int) -> ImportBatch | None:
    """Read and check the file, compare it with the registry, store the preview and every
    issue. Idempotent: only a batch still 'uploaded' is claimed."""
    with _gc_paused():
        return _validate_import_batch(batch_id)


def _validate_import_batch(batch_id: int) -> ImportBatch | None:
    claimed = ImportBatch.objects.filter(pk=batch_id, status=ImportBatch.Status.UPLOADED).update(
        status=ImportBatch.Status.VALIDATING, updated_at=timezone.now()
    )
    if not claimed:
        return None
    try:
        return _check_claimed_batch(batch_id)
    except TRANSIENT_ERRORS:
        # Give the batch back, so the task's retry (or redispatch_stalled_work) claims it again.
        ImportBatch.objects.filter(pk=batch_id, status=ImportBatch.Status.VALIDATING).update(
            status=ImportBatch.Status.UPLOADED, updated_at=timezone.now()
        )
        raise


def _check_claimed_batch(batch_id: int) -> ImportBatch:
    batch = ImportBatch.objects.select_related("uploaded_by", "kelurahan").get(pk=batch_id)
    try:
        checked = check_file(batch, progress=True)
    except UnreadableFile as error:
        return _fail(batch, error.message)
    stored_checks.store(
        batch.pk,
        stored_checks.StoredCheck(
            key=_check_key(batch), row_count=checked.row_count, result=checked
        ),
    )
    allowed = _allowed_ids(batch.uploaded_by)
    user = batch.uploaded_by
    rows = checked.rows
    # Past the day's cap, a file naming any number not registered in the uploader's area is
    # refused before it is compared, so the refusal tells nothing (households.existence).
    past_limit = (
        allowed is not None
        and existence.exhausted(user)
        and existence.names_unknown_numbers(
            user,
            kk_numbers=[r.kk_number for r in rows],
            niks=[r.member["nik"] for r in rows],
            allowed=allowed,
        )
    )
    try:
        if past_limit:
            existence.refuse_past_limit(user, source=ExistenceAnswer.Source.IMPORT)
        plan = build_plan(
            rows,
            allowed_kelurahan_ids=allowed,
            confirm_moves=True,  # the preview shows moves; the commit asks for confirmation
        )
        existence.record_answers(
            user, _existence_answers(plan, rows), source=ExistenceAnswer.Source.IMPORT
        )
    except ValidationError as error:
        return _fail(batch, first_message(error))
    with transaction.atomic():
        _store_outcome(batch, checked, plan, committed=False)
    return batch


def _existence_answers(plan, rows) -> int:
    """How many distinct KK numbers and NIKs the preview says are registered elsewhere."""
    by_number = {row.number: row for row in rows}
    answered = set()
    for issue in plan.issues:
        if issue.code in EXISTENCE_CODES and issue.row in by_number:
            row = by_number[issue.row]
            if issue.code == "kk_outside_scope":
                answered.add(("kk", row.kk_number))
            else:
                answered.add(("nik", row.member["nik"]))
    return len(answered)


# Confirming an import writes the registry: an importer who may also change households.
CONFIRM_PERMISSIONS = ("households.add_importbatch", "households.change_household")


def confirm_import_batch(
    *, batch: ImportBatch, by: User, confirm_moves: bool = False
) -> ImportBatch:
    """The user read the preview and confirms: queue the commit. Only a checked batch can be
    confirmed, once (a second click is told so). Confirming writes the registry, so it needs
    households.change_household (DESIGN.md: the data steward prepares and checks imports, a
    role that may change households confirms them); the commit writes only where `by` may
    (households.scope)."""
    if not by.has_perms(CONFIRM_PERMISSIONS):
        raise PermissionDenied
    claimed = ImportBatch.objects.filter(pk=batch.pk, status=ImportBatch.Status.VALIDATED).update(
        status=ImportBatch.Status.COMMITTING,
        error_message="",
        error_source=None,
        committed_by=by,
        confirm_moves=confirm_moves,
        progress_done=0,
        updated_at=timezone.now(),
    )
    if not claimed:
        raise ValidationError(
            _("This import is not waiting for confirmation (it is %(status)s)."),
            code="not_validated",
            params={"status": batch.get_status_display()},
        )
    dispatch_on_commit(batch, _tasks().commit_import_batch_task)
    batch.refresh_from_db()
    return batch


def redispatch_stalled_imports(older_than: timedelta) -> int:
    """Queue again the checks and commits that waited longer than `older_than` without a
    worker taking them (the broker was down when they were asked for). Both tasks claim
    their batch, so one already taken is left alone."""
    cutoff = timezone.now() - older_than
    stalled = ImportBatch.objects.filter(updated_at__lte=cutoff)
    tasks = _tasks()
    sent = 0
    for status, task in (
        (ImportBatch.Status.UPLOADED, tasks.validate_import_batch_task),
        (ImportBatch.Status.COMMITTING, tasks.commit_import_batch_task),
    ):
        for batch_id in stalled.filter(status=status).values_list("pk", flat=True):
            sent += dispatch(task, batch_id)
    return sent


def commit_import_batch(*, batch_id: int) -> ImportBatch | None:
    """Apply every valid row of a confirmed batch in one transaction. Rows with errors, and
    moves between families that were not confirmed, are reported, never half-applied.
    Running it again for the same batch does nothing."""
    with _gc_paused():
        return _commit_import_batch(batch_id)


def _commit_import_batch(batch_id: int) -> ImportBatch | None:
    try:
        with transaction.atomic():
            take_turns(IMPORT_COMMIT_LOCK)
            batch = (
                ImportBatch.objects.select_for_update(of=("self",))
                .select_related("uploaded_by", "committed_by")
                .get(pk=batch_id)
            )
            if batch.status != ImportBatch.Status.COMMITTING:
                return None
            checked = _checked_before(batch) or check_file(batch, progress=False)
            plan = build_plan(
                checked.rows,
                allowed_kelurahan_ids=_commit_scope(batch),
                confirm_moves=batch.confirm_moves,
                for_update=True,
            )
            apply_plan(plan=plan, batch=batch, by=batch.committed_by)
            _store_outcome(batch, checked, plan, committed=True)
            registry_imported(batch.pk)  # eligibility checks the new rows after the commit
    except UnreadableFile as error:  # the stored file changed or vanished since the check
        return _fail(ImportBatch.objects.get(pk=batch_id), error.message)
    except TRANSIENT_ERRORS:
        # The database or broker went away: the transaction rolled back, nothing was written.
        # The batch stays 'committing' so the task's retry (or redispatch_stalled_work) takes
        # it again; the page says so meanwhile.
        # (Filtered on the status: an error of an after-commit hook must not touch a batch
        # that was committed.)
        ImportBatch.objects.filter(pk=batch_id, status=ImportBatch.Status.COMMITTING).update(
            error_message=(
                interrupted := _("The import was interrupted and nothing was saved; it is retried.")
            ),
            error_source=message_json(interrupted),
            updated_at=timezone.now(),
        )
        raise
    except Exception:
        # The transaction rolled back, so nothing was written: the user may confirm again.
        ImportBatch.objects.filter(pk=batch_id, status=ImportBatch.Status.COMMITTING).update(
            status=ImportBatch.Status.VALIDATED,
            error_message=(
                failed := _("The import failed and nothing was saved. Confirm again to retry.")
            ),
            error_source=message_json(failed),
            updated_at=timezone.now(),
        )
        raise
    stored_checks.discard(batch_id)
    return batch


# The advisory lock of import commits (slrt.db.take_turns): two imports committing at once
# would each plan the same new family as new, and the second would fail on the unique KK/NIK.
# They take turns instead: the second plans against the first's result and only updates.
IMPORT_COMMIT_LOCK = 72_750_001


def _check_key(batch: ImportBatch) -> stored_checks.CheckKey:
    return stored_checks.CheckKey(
        checksum=batch.checksum,
        source_format=batch.source_format,
        default_kelurahan_id=batch.kelurahan_id,
        allowed_kelurahan_ids=_allowed_ids(batch.uploaded_by),
        today=timezone.localdate(),
    )


def _checked_before(batch: ImportBatch) -> ValidationResult | None:
    """The preview's check, when nothing it depends on has changed since (the file is
    compared by checksum, so a stored file that changed is read again)."""
    if _sha256_path(batch.file.path) != batch.checksum:
        return None
    stored = stored_checks.load(batch.pk, _check_key(batch))
    if stored is None:
        return None
    return stored.result


def _store_outcome(batch: ImportBatch, checked: ValidationResult, plan, *, committed: bool) -> None:
    """Counts, preview and every issue of a check or a commit. committed + reported = rows."""
    issues = checked.issues + plan.issues
    rejected = checked.error_rows | plan.rejected_rows
    total = checked.row_count
    moves = [
        {"row": c.row.number, "nik": c.row.member["nik"], "name": c.row.member.get("name", "")}
        for family in plan.families
        for c in family.changed_members
        if c.moved_from
    ]
    # COPY on PostgreSQL (households.imports.writers): the preview lists every family to be
    # added or changed, written at the check and again at the commit (whose rows name the
    # households it created). On the bench's 100,000-row file (28,284 families, issue 17)
    # this function took 1.2 s a time with the ORM's bulk_create, 0.3 s with COPY (quiet
    # machine; the import checked + committed 14.8 s -> 13.2 s, medians of 3).
    writer = writer_for_database()
    batch.issues.all().delete()
    writer.insert(ImportIssue, [_issue_row(batch, i) for i in issues], return_ids=False)
    batch.families.all().delete()
    families = [_family_row(batch, f) for f in plan.families if f.change_count]
    writer.insert(ImportFamily, families, return_ids=False)
    batch.counts = {
        "rows_total": total,
        "rows_valid": total - len(rejected),
        "rows_error": len(rejected),
        "warnings": sum(1 for i in issues if i.severity == "warning"),
        **plan.counts(),
    }
    batch.preview = {
        "sample": _jsonable(plan.sample()),
        "moves": moves[:200],
        "moves_total": len(moves),
    }
    batch.progress_done = batch.progress_total
    now = timezone.now()
    if committed:
        batch.status, batch.committed_at = ImportBatch.Status.COMMITTED, now
        batch.error_message, batch.error_source = "", None
    else:
        batch.status, batch.validated_at = ImportBatch.Status.VALIDATED, now
    batch.save()


def cancel_import_batch(*, batch: ImportBatch, by: User) -> ImportBatch:
    cancelled = ImportBatch.objects.filter(
        pk=batch.pk, status__in=[ImportBatch.Status.VALIDATED, ImportBatch.Status.FAILED]
    ).update(status=ImportBatch.Status.CANCELLED, updated_at=timezone.now())
    if not cancelled:
        raise ValidationError(_("This import can no longer be cancelled."), code="not_cancellable")
    stored_checks.discard(batch.pk)
    batch.refresh_from_db()
    return batch


def check_file(batch: ImportBatch, *, progress: bool) -> ValidationResult:
    """Read and validate the batch's file (pure work, no registry writes)."""
    sheet = read_sheet(batch.file.path, filename=batch.filename)
    if progress:
        ImportBatch.objects.filter(pk=batch.pk).update(
            progress_total=len(sheet.rows), progress_done=0
        )
    return validate_rows(
        sheet.rows,
        regions=region_index(),
        source_format=batch.source_format,
        today=timezone.localdate(),
        default_kelurahan_id=batch.kelurahan_id,
        allowed_kelurahan_ids=_allowed_ids(batch.uploaded_by),
        on_progress=partial(_report_progress, batch.pk) if progress else None,
    )


def region_index() -> RegionIndex:
    rows = Region.objects.filter(level=Region.Level.KELURAHAN).values_list(
        "pk", "code", "name", "bps_code", "bps_name", "parent__name"
    )
    return RegionIndex.build(list(rows))


def _report_progress(batch_id: int, done: int) -> None:
    ImportBatch.objects.filter(pk=batch_id).update(progress_done=done)


def _allowed_ids(user: User) -> frozenset[int] | None:
    if scope_for(user).city_wide:
        return None
    return frozenset(kelurahan_choices(user).values_list("pk", flat=True))


def _commit_scope(batch: ImportBatch) -> frozenset[int] | None:
    """The kelurahan a commit may write in: the uploader's area (the file was checked for it)
    and the confirming user's write scope, both (households.scope; None: the whole city)."""
    areas = [_allowed_ids(batch.uploaded_by), write_kelurahan_ids(batch.committed_by)]
    limits = [area for area in areas if area is not None]
    return frozenset.intersection(*limits) if limits else None


def _fail(batch: ImportBatch, message: str) -> ImportBatch:
    batch.status = ImportBatch.Status.FAILED
    batch.error_message = message
    batch.error_source = message_json(message)
    batch.save(update_fields=["status", "error_message", "error_source", "updated_at"])
    return batch


def _issue_row(batch: ImportBatch, issue: Issue) -> dict[str, Any]:
    """An ImportIssue's fields by attname, for a writer of households.imports.writers."""
    return {
        "batch_id": batch.pk,
        "row_number": issue.row,
        "column": issue.column or "",
        "code": issue.code,
        "message": str(issue.message),
        "message_source": message_json(issue.message),
        "severity": issue.severity,
    }


def _family_row(batch: ImportBatch, family: FamilyPlan) -> dict[str, Any]:
    """An ImportFamily's fields by attname, for a writer of households.imports.writers."""
    heads = [r for r in family.rows if r.member.get("relationship") == Member.Relationship.HEAD]
    return {
        "batch_id": batch.pk,
        "first_row": min(r.number for r in family.rows),
        "kk_number": family.kk_number,
        "head_name": str((heads or family.rows)[0].member.get("name", ""))[:200],
        "action": ImportFamily.Action.NEW if family.is_new else ImportFamily.Action.UPDATED,
        "kelurahan_id": family.rows[0].household.get("kelurahan"),
        "household_id": family.household_id,
        "members_new": len(family.new_members),
        "members_changed": len(family.changed_members),
        "household_fields": list(family.household_changes),
        "enrolments_new": len(family.program_starts),
    }


def _sha256(chunks: Iterable[bytes]) -> str:
    digest = hashlib.sha256()
    for chunk in chunks:
        digest.update(chunk)
    return digest.hexdigest()


def _sha256_path(path: str) -> str:
    """The stored file's checksum; "" when it is gone."""
    try:
        with open(path, "rb") as handle:
            return _sha256(iter(partial(handle.read, 1 << 20), b""))
    except OSError:
        return ""


def _jsonable(sample: list[dict]) -> list[dict]:
    return [{k: plain_value(v) for k, v in row.items()} for row in sample]
