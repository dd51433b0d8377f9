"""Thin Celery wrappers over eligibility services (STYLE.md section 8)."""

from celery import shared_task


@shared_task(acks_late=True)
def execute_eligibility_run_task(run_id: int) -> None:
    from eligibility.services import execute_eligibility_run  # services import tasks

    execute_eligibility_run(run_id=run_id)


@shared_task
def start_eligibility_run_task() -> None:
    """The nightly run (Celery beat, slrt/celery.py)."""
    from eligibility.services import start_eligibility_run

    start_eligibility_run(by=None)
