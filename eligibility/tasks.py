"""Thin Celery wrappers over eligibility services (STYLE.md section 8)."""

from contextlib import suppress

from celery import shared_task
from django.core.exceptions import ValidationError

from slrt.dispatch import DURABLE, RETRY_TRANSIENT, dispatch


@shared_task(**DURABLE)
def execute_eligibility_run_task(run_id: int) -> None:
    from eligibility.services import execute_eligibility_run  # services import tasks

    execute_eligibility_run(run_id=run_id)


@shared_task(**RETRY_TRANSIENT)
def start_eligibility_run_task() -> None:
    """The nightly run (Celery beat, slrt/celery.py)."""
    from eligibility.services import start_eligibility_run

    start_eligibility_run(by=None)


@shared_task(acks_late=True, **RETRY_TRANSIENT)
def evaluate_household_task(household_id: int) -> None:
    from eligibility.services import evaluate_household

    evaluate_household(household_id)


def enqueue_household_evaluation(household_id: int) -> None:
    """The after-save hook (households.hooks; it already runs after commit). A worker does
    the evaluation, so a save does not wait on the registry-wide duplicate check."""
    dispatch(evaluate_household_task, household_id)  # broker down: the nightly run catches up


def enqueue_run_after_import(batch_id: int) -> None:
    """The after-import hook (households.hooks): an imported file may hold thousands of
    households, so the whole registry is checked in one set-wise run rather than each
    household on its own. Nothing to do while no rule set is active."""
    from eligibility.services import start_eligibility_run

    with suppress(ValidationError):  # no active rule set
        start_eligibility_run(by=None)
