"""An extract sent from the import page: stored in the request, imported by a worker.

A whole-city extract is about 2.6 million rows, minutes of work (bench/README.md, issue 22):
too long for a request. So, as the ward files (households.imports.services), the page stores
the file as an extract 'waiting' and queues `import_uploaded_extract_task`; the worker claims
it ('being imported'), runs the one import (national.services.import_extract) into it and
leaves it imported or failed with the reason. Without Redis the task runs in the request
(eager), as every task of the embedded default. The command line (import_dtsen) calls
import_extract directly and waits for it.
"""

import datetime
import logging
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from households.imports.unreadable import upload_checksum
from national.desil import quarter_of
from national.models import Extract
from national.services import check_as_of, import_extract
from slrt.dispatch import TRANSIENT_ERRORS, dispatch, dispatch_on_commit
from slrt.messages import first_message, message_json
from slrt.messages import translatable as _

logger = logging.getLogger(__name__)

# An upload of a file already imported, or already on its way, makes no new extract.
SAME_FILE = (Extract.Status.QUEUED, Extract.Status.RECONCILING, Extract.Status.COMPLETE)


@dataclass(frozen=True)
class Uploaded:
    extract: Extract
    created: bool  # False: the same file was imported, or is being imported, already


def upload_extract(*, uploaded_file: UploadedFile, as_of: datetime.date, by: User) -> Uploaded:
    """Store an extract sent from the import page and queue its import. The same file as an
    extract imported or on its way is not stored again (created=False: nothing changes).
    Needs national.import_extract; the file's content is checked by the worker, which leaves
    the extract failed with the reason when it cannot be read."""
    if not by.has_perm("national.import_extract"):
        raise PermissionDenied
    check_as_of(as_of)
    checksum = upload_checksum(
        uploaded_file,
        limit=settings.DTSEN_MAX_BYTES,
        too_big=_("The file is %(size)s MB; the limit is %(limit)s MB."),
    )
    same = Extract.objects.filter(checksum=checksum, status__in=SAME_FILE).order_by("-pk").first()
    if same is not None:
        return Uploaded(same, created=False)
    with transaction.atomic():
        extract = Extract(
            quarter=quarter_of(as_of),
            as_of=as_of,
            filename=uploaded_file.name[:255],
            checksum=checksum,
            status=Extract.Status.QUEUED,
            uploaded_by=by,
        )
        extract.file.save(Path(uploaded_file.name).name, uploaded_file, save=False)
        extract.save()
        dispatch_on_commit(extract, _tasks().import_uploaded_extract_task)
    return Uploaded(extract, created=True)


def _tasks():
    from national import tasks  # tasks import services

    return tasks


def import_uploaded_extract(*, extract_id: int) -> Extract | None:
    """Import a waiting extract (the worker's half of upload_extract). Idempotent: it claims
    the extract ('waiting' -> 'being imported') and holds its row locked while it works, so a
    second delivery of the task (a retry, or acks_late after a lost worker) does nothing while
    the first runs or once it is done, and takes over the work of a worker that died (whose
    transaction, and so every row it wrote, was rolled back). Whatever goes wrong, the extract
    ends imported or failed with a reason the page shows, never half imported."""
    Extract.objects.filter(pk=extract_id, status=Extract.Status.QUEUED).update(
        status=Extract.Status.RECONCILING, updated_at=timezone.now()
    )
    try:
        with transaction.atomic():
            extract = (
                Extract.objects.select_for_update(skip_locked=True)
                .filter(pk=extract_id, status=Extract.Status.RECONCILING)
                .first()
            )
            if extract is None:  # done, failed, or another worker holds it
                return None
            imported = import_extract(
                path=Path(extract.file.path),
                filename=extract.filename,
                as_of=extract.as_of,
                by=extract.uploaded_by,
                keep_file=False,  # stored by the upload
                claimed=extract,
            )
    except TRANSIENT_ERRORS:
        # Give the extract back, so the task's retry (or redispatch_stalled_extracts) claims it.
        Extract.objects.filter(pk=extract_id, status=Extract.Status.RECONCILING).update(
            status=Extract.Status.QUEUED, updated_at=timezone.now()
        )
        raise
    except PermissionDenied:
        return _fail(extract_id, _("The account that uploaded this file may no longer import."))
    except ValidationError as error:
        return _fail(extract_id, first_message(error))
    except Exception:
        logger.exception("import of uploaded extract %s failed", extract_id)
        return _fail(extract_id, _imported_before(extract_id) or _crashed())
    if imported.extract.pk != extract_id:  # the same file was imported meanwhile
        return _fail(extract_id, _imported_before(extract_id))
    return imported.extract


def _crashed() -> str:
    return _(
        "The import stopped because of an error in SLRT, not in the file. Nothing was "
        "imported. Upload the file again; if it fails again, tell the administrator."
    )


def _imported_before(extract_id: int) -> str:
    """The failure of an upload whose file another extract holds, or ''."""
    checksum = Extract.objects.filter(pk=extract_id).values_list("checksum", flat=True).first()
    same = (
        Extract.objects.filter(checksum=checksum, status=Extract.Status.COMPLETE)
        .exclude(pk=extract_id)
        .first()
    )
    if same is None:
        return ""
    return _("This file was already imported as the extract of %(quarter)s; nothing changed.") % {
        "quarter": same.quarter
    }


def _fail(extract_id: int, message: str) -> Extract:
    Extract.objects.filter(pk=extract_id).exclude(status=Extract.Status.COMPLETE).update(
        status=Extract.Status.FAILED,
        error_message=str(message),
        error_source=message_json(message),
        updated_at=timezone.now(),
    )
    return Extract.objects.get(pk=extract_id)


def redispatch_stalled_extracts(older_than: timedelta) -> int:
    """Queue again the uploads left waiting longer than `older_than` (the broker was down when
    they were stored). The task claims its extract, so one already taken is left alone."""
    stalled = Extract.objects.filter(
        status=Extract.Status.QUEUED, updated_at__lte=timezone.now() - older_than
    )
    task = _tasks().import_uploaded_extract_task
    return sum(dispatch(task, pk) for pk in stalled.values_list("pk", flat=True))
