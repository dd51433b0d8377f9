"""Thin Celery wrappers over the reconciliation (STYLE.md section 8)."""

from celery import shared_task

from slrt.dispatch import DURABLE, RETRY_TRANSIENT, dispatch


@shared_task(**DURABLE)
def import_uploaded_extract_task(extract_id: int) -> None:
    """An extract uploaded from the page (national.uploads): minutes for a whole city."""
    from national.uploads import import_uploaded_extract

    import_uploaded_extract(extract_id=extract_id)


@shared_task(acks_late=True, **RETRY_TRANSIENT)
def reconcile_household_task(household_id: int) -> None:
    from national.reconcile import reconcile_household

    reconcile_household(household_id)


@shared_task(acks_late=True, **RETRY_TRANSIENT)
def reconcile_latest_task() -> None:
    from national.reconcile import latest_extract, reconcile_extract

    extract = latest_extract()
    if extract is not None:
        reconcile_extract(extract.pk)


def reconcile_after_household_save(household_id: int) -> None:
    """The after-save hook (households.hooks, after commit): one household, cheap."""
    dispatch(reconcile_household_task, household_id)


def reconcile_city(_id: int) -> None:
    """The after-import and after-run hooks: a ward file or a rule change may move any
    family of the city in or out of "poor"."""
    dispatch(reconcile_latest_task)
