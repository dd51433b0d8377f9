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
import traceback
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
    """Process k checks parts k, k + n, k + 2n, ... and sends each back through its own pipe
    as soon as it is done; this process reads them in file order. Received and unpickled here,
    in this thread (a pool's result thread would leave its own malloc arena behind: +48 MB of
    peak memory at 200,000 rows), one part at a time: a process that is ahead waits on its
    pipe, so nothing piles up."""
    context = multiprocessing.get_context("fork")
    count = min(processes, len(parts))
    _job.update(parts=parts, options=checker_options, language=translation.get_language())
    workers = []
    try:
        for first in range(count):
            receiver, sender = context.Pipe(duplex=False)
            process = context.Process(target=_serve, args=(first, count, sender), daemon=True)
            process.start()
            sender.close()  # this process only reads: EOF when the child is gone
            workers.append((process, receiver))
        for index in range(len(parts)):
            try:
                checked = workers[index % count][1].recv()
            except EOFError:
                raise RuntimeError("a process checking the rows ended early") from None
            if isinstance(checked, str):  # the child's traceback
                raise RuntimeError(f"a process checking the rows failed:\n{checked}")
            yield from checked
    finally:
        for process, receiver in workers:
            receiver.close()
            process.join(timeout=5)
            if process.is_alive():  # the caller stopped early or failed: not needed any more
                process.terminate()
                process.join()
        _job.clear()


def _serve(first: int, step: int, sender) -> None:
    """In a child: check every step-th part from `first`, send each (or the traceback)."""
    try:
        _start()
        for index in range(first, len(_job["parts"]), step):
            sender.send(_check_part(index))
    except BaseException:
        sender.send(traceback.format_exc())
    finally:
        sender.close()


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
