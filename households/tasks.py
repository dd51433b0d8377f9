"""Thin Celery wrappers over services (STYLE.md section 8): ids in, one service call."""

from celery import shared_task


@shared_task(acks_late=True)
def validate_import_batch_task(batch_id: int) -> None:
    from households.imports.services import validate_import_batch

    validate_import_batch(batch_id=batch_id)


@shared_task(acks_late=True)
def commit_import_batch_task(batch_id: int) -> None:
    from households.imports.services import commit_import_batch

    commit_import_batch(batch_id=batch_id)
