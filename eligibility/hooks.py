"""After-run hooks: apps built on eligibility (dashboards) ask to hear of completed runs here,
so eligibility never imports them (STYLE.md section 2), as households.hooks does for saves."""

from collections.abc import Callable
from functools import partial

from django.db import transaction

_AFTER_RUN: list[Callable[[int], None]] = []


def register_after_run(hook: Callable[[int], None]) -> None:
    """`hook(run_id)` runs after a whole-registry run's transaction commits."""
    if hook not in _AFTER_RUN:
        _AFTER_RUN.append(hook)


def run_completed(run_id: int) -> None:
    """Called by the run inside its transaction; the hooks run after commit."""
    for hook in _AFTER_RUN:
        transaction.on_commit(partial(hook, run_id))
