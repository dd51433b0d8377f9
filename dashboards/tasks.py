from celery import shared_task

from slrt.dispatch import RETRY_TRANSIENT


@shared_task(acks_late=True, **RETRY_TRANSIENT)
def snapshot_indicators_task(month: str | None = None) -> int:
    """Month as "YYYY-MM" (default: this month); re-running a month replaces it."""
    from dashboards.services import parse_month, snapshot_indicators

    return snapshot_indicators(month=parse_month(month) if month else None)
