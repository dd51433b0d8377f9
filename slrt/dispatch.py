"""Sending work to the Celery broker without letting a broker outage break a page.

Every place the web app queues a task goes through `dispatch()`. When Redis cannot be reached
the publish fails fast (short socket timeouts, one retry: settings.CELERY_BROKER_*), the error is
logged, and the record that asked for the work stays in its waiting state (an import batch
'uploaded' or 'committing', an eligibility run 'queued'). `redispatch_stalled_work()` (a beat
task, a management command and the worker's start) sends it again later: nothing is lost.

Apps register a finder of their own stalled work here, as households.hooks does for saves,
so this module imports no app.
"""

import logging
from collections.abc import Callable
from datetime import timedelta

import psycopg
from celery import Task
from django.conf import settings
from django.db import InterfaceError, OperationalError, models, transaction
from django.utils.translation import gettext as _
from kombu.exceptions import OperationalError as KombuOperationalError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

# What a publish raises when the broker is unreachable (kombu wraps most of them).
BROKER_ERRORS = (KombuOperationalError, RedisConnectionError, RedisTimeoutError, ConnectionError)

# Errors worth retrying a task for: the database or the broker went away for a while. Django
# wraps the driver's errors, but connecting can let psycopg's own through.
TRANSIENT_ERRORS = (
    OperationalError,
    InterfaceError,
    psycopg.OperationalError,
    psycopg.InterfaceError,
    *BROKER_ERRORS,
)

# Every task that touches the database or the broker: retry transient errors with exponential
# backoff (5 s, 10 s, 20 s ... at most 5 min, each randomised by jitter so a crowd of retries
# does not hit a recovering database at once), five times; then the error is logged and the
# record's waiting state is left for redispatch_stalled_work.
RETRY_TRANSIENT = {
    "autoretry_for": TRANSIENT_ERRORS,
    "retry_backoff": 5,
    "retry_backoff_max": 300,
    "retry_jitter": True,
    "max_retries": 5,
}
# Long jobs a killed worker must not lose: acknowledged only when done, and given back to the
# queue when the worker process dies. Their services claim their row, so a redelivery of work
# already done is a no-op.
DURABLE = {**RETRY_TRANSIENT, "acks_late": True, "reject_on_worker_lost": True}

# Retrying a publish blocks the request that asked for it: once, quickly, then give up.
PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2}

_WAITING_ATTRIBUTE = "_slrt_waiting_for_broker"


def dispatch(task: Task, *args: object) -> bool:
    """Queue `task(*args)`. False, logged, when the broker is unreachable: the caller's record
    stays queued for `redispatch_stalled_work`. In eager mode the task runs here and its own
    errors propagate (they are not broker errors)."""
    if task.app.conf.task_always_eager:
        task.apply_async(args=args)
        return True
    try:
        task.apply_async(args=args, retry=True, retry_policy=PUBLISH_RETRY_POLICY)
    except BROKER_ERRORS as error:
        logger.warning("broker unreachable, %s%r left queued: %s", task.name, args, error)
        return False
    return True


def dispatch_on_commit(instance: models.Model, task: Task) -> None:
    """After the current transaction commits, queue `task(instance.pk)`; if the broker is
    unreachable, mark the instance so the page can say the work is waiting (`is_waiting`)."""

    def send() -> None:
        if not dispatch(task, instance.pk):
            setattr(instance, _WAITING_ATTRIBUTE, True)

    transaction.on_commit(send)


def is_waiting(instance: models.Model) -> bool:
    """True when this request tried to queue the instance's work and the broker was down."""
    return getattr(instance, _WAITING_ATTRIBUTE, False)


def waiting_message() -> str:
    """What a page says when `is_waiting`."""
    return _(
        "Waiting in the queue: the background service cannot be reached right now. Your work "
        "is saved and starts by itself as soon as the service is back."
    )


# --- recovery --------------------------------------------------------------------------------

StalledFinder = Callable[[timedelta], int]
_FINDERS: list[StalledFinder] = []


def register_stalled_work(finder: StalledFinder) -> None:
    """`finder(older_than)` queues again the app's work waiting longer than `older_than`
    and returns how many it sent."""
    if finder not in _FINDERS:
        _FINDERS.append(finder)


def redispatch_stalled_work(*, older_than: timedelta | None = None) -> int:
    """Queue again every registered kind of work left waiting (the broker was down when it
    was asked for, or a worker died before taking it). The tasks are idempotent: work that a
    worker already took is not done twice."""
    if older_than is None:
        older_than = timedelta(minutes=settings.REDISPATCH_AFTER_MINUTES)
    return sum(finder(older_than) for finder in _FINDERS)
