"""Where apps built on national plug in (dashboards), so national never imports them
(STYLE.md section 2), as households.hooks and eligibility.hooks do."""

from collections.abc import Callable
from functools import partial

from django.db import transaction

_AFTER_RECONCILE: list[Callable[[int], None]] = []


def register_after_reconcile(hook: Callable[[int], None]) -> None:
    """`hook(extract_id)` runs after a whole-city reconciliation commits."""
    if hook not in _AFTER_RECONCILE:
        _AFTER_RECONCILE.append(hook)


def reconciled(extract_id: int) -> None:
    """Called inside the reconciliation's transaction; the hooks run after commit."""
    for hook in _AFTER_RECONCILE:
        transaction.on_commit(partial(hook, extract_id))


_AFTER_USULAN: list[Callable[[int], None]] = []


def register_after_usulan(hook: Callable[[int], None]) -> None:
    """`hook(usulan_batch_id)` runs after proposals were sent or answered (issue 22)."""
    if hook not in _AFTER_USULAN:
        _AFTER_USULAN.append(hook)


def usulan_changed(batch_id: int) -> None:
    """Called inside the usulan services' transaction; the hooks run after commit."""
    for hook in _AFTER_USULAN:
        transaction.on_commit(partial(hook, batch_id))
