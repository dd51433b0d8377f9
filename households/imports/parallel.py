"""The row pass of a large file on several cores: households.imports.validation.validate_rows
hands the file's parts (SourceRows.parts: a CSV's runs of rows, each read from its own byte
offset) to forked processes, each a RowChecker of its own, and takes their rows back in
file order. Pure: no ORM, no settings.

What stays in the calling process: a NIK's second row (RowChecker.adopt: only it sees every
row) and the family pass. A process reads only its parts of the file and sends back one part
at a time, so no process holds the whole file.

Forking is used only where it is safe and possible: a platform with fork, and not inside a
daemonic process (a Celery prefork worker's child may not have children): elsewhere the
caller checks the rows itself (usable_processes() is 1).
"""

import multiprocessing
import os
from collections.abc import Iterator
from typing import Any

from django.utils import translation

from households.imports.checks import Issue, RowChecker, WorkRow
from households.imports.readers import SourceRows

MIN_ROWS = 50_000  # below this, starting the processes costs more than they save
_NO_ISSUES: tuple[Issue, ...] = ()

# Set in the calling process just before the pool forks; each process inherits it and builds
# its checker from it (nothing is pickled on the way in but a part's number).
_job: dict[str, Any] = {}
_checker: RowChecker | None = None


def usable_processes(wanted: int | None = None) -> int:
    """How many processes may check rows here: `wanted` (default: the CPUs) when forking is
    possible, else 1."""
    wanted = wanted if wanted is not None else (os.cpu_count() or 1)
    if wanted < 2:
        return 1
    if "fork" not in multiprocessing.get_all_start_methods():
        return 1
    if multiprocessing.current_process().daemon:
        return 1
    return wanted


def checked_rows(
    rows: SourceRows, checker_options: dict[str, Any], processes: int
) -> Iterator[tuple[WorkRow, tuple[Issue, ...]]] | None:
    """Every row checked by `processes` processes, with its own issues, in file order; None
    when the rows cannot be split (then the caller checks them itself)."""
    parts = rows.parts()
    if parts is None or len(parts) < 2:
        return None
    return _run(parts, checker_options, processes)


def _run(parts: list[SourceRows], checker_options: dict[str, Any], processes: int):
    _job.update(parts=parts, options=checker_options, language=translation.get_language())
    try:
        context = multiprocessing.get_context("fork")
        with context.Pool(min(processes, len(parts)), initializer=_start) as pool:
            for checked in pool.imap(_check_part, range(len(parts))):
                yield from checked
    finally:
        _job.clear()


def _start() -> None:
    """In each new process: its own checker; the caller's language for the messages."""
    global _checker
    if _job["language"]:
        translation.activate(_job["language"])
    _checker = RowChecker(**_job["options"], find_repeated_niks=False)


def _check_part(index: int) -> list[tuple[WorkRow, tuple[Issue, ...]]]:
    checker = _checker
    assert checker is not None
    issues = checker.issues
    out = []
    for source in _job["parts"][index]:
        row = checker.row(source)
        out.append((row, tuple(issues) if issues else _NO_ISSUES))
        issues.clear()
    return out
