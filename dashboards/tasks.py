from celery import shared_task

from slrt.dispatch import RETRY_TRANSIENT


@shared_task(acks_late=True, **RETRY_TRANSIENT)
def snapshot_indicators_task(month: str | None = None) -> int:
    """Month as "YYYY-MM" (default: this month); re-running a month replaces it."""
    from dashboards.services import parse_month, snapshot_indicators

    return snapshot_indicators(month=parse_month(month) if month else None)


@shared_task(**RETRY_TRANSIENT)
def refresh_kelurahan_counts_task(kelurahan_ids: list[int] | None = None) -> int:
    """Recount the stored dashboard figures of these kelurahan (default: the whole city)."""
    from dashboards.services import refresh_kelurahan_counts

    return refresh_kelurahan_counts(kelurahan_ids=kelurahan_ids)


def recount_after_household_save(household_id: int) -> None:
    """The after-save hook (households.hooks, after commit): the household's kelurahan."""
    from dashboards.services import request_refresh
    from households.models import Household

    kelurahan_id = (
        Household.objects.filter(pk=household_id).values_list("kelurahan_id", flat=True).first()
    )
    if kelurahan_id is not None:
        request_refresh(kelurahan_ids=[kelurahan_id])


def recount_city(_id: int) -> None:
    """The after-import and after-run hook: a file or a run may touch every kelurahan."""
    from dashboards.services import request_refresh

    request_refresh()
