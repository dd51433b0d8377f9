"""After-save hooks: apps that depend on households (eligibility) ask to hear of saves here,
so households never imports them (STYLE.md section 2). Each hook gets a household id and
runs after the saving transaction commits."""

from collections.abc import Callable
from functools import partial

from django.db import transaction

_AFTER_SAVE: list[Callable[[int], None]] = []


def register_after_household_save(hook: Callable[[int], None]) -> None:
    if hook not in _AFTER_SAVE:
        _AFTER_SAVE.append(hook)


def household_saved(household_id: int) -> None:
    """Called by the services inside their transaction; the hooks run after commit."""
    for hook in _AFTER_SAVE:
        transaction.on_commit(partial(hook, household_id))


_AFTER_IMPORT: list[Callable[[int], None]] = []


def register_after_import(hook: Callable[[int], None]) -> None:
    """`hook(batch_id)` runs after an import's commit: one call for the whole file, not one
    per household (a 100,000-row file would otherwise queue 30,000 evaluations)."""
    if hook not in _AFTER_IMPORT:
        _AFTER_IMPORT.append(hook)


def registry_imported(batch_id: int) -> None:
    """Called by the import's commit inside its transaction; the hooks run after commit."""
    for hook in _AFTER_IMPORT:
        transaction.on_commit(partial(hook, batch_id))
