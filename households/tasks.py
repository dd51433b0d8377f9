"""Thin Celery wrappers over services (STYLE.md section 8): ids in, one service call.

Both claim their batch (validate: 'uploaded' -> 'validating'; commit: a locked 'committing'
row), so a redelivered or redispatched message for a batch already done does nothing."""

from celery import shared_task

from slrt.dispatch import DURABLE, RETRY_TRANSIENT


@shared_task(**DURABLE)
def validate_import_batch_task(batch_id: int) -> None:
    from households.imports.services import validate_import_batch

    validate_import_batch(batch_id=batch_id)


@shared_task(**DURABLE)
def commit_import_batch_task(batch_id: int) -> None:
    from households.imports.services import commit_import_batch

    commit_import_batch(batch_id=batch_id)


@shared_task(**RETRY_TRANSIENT)
def redispatch_stalled_work_task() -> int:
    """Every few minutes (Celery beat) and when a worker starts: queue again the work left
    waiting while the broker was down (slrt.dispatch)."""
    from slrt.dispatch import redispatch_stalled_work

    return redispatch_stalled_work()
