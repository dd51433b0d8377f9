"""The outcome of a file's check, kept between the preview and the commit.

Reading and validating a million rows takes most of an import's time; the commit would
otherwise do it a second time. The check's result is kept beside the batch, signed with
SECRET_KEY (a pickle is only ever loaded from a file this server wrote), in a directory that
uploads never reach, and keyed by everything the result depends on: the file's checksum, the
source format, the default kelurahan, the importer's scope, the day and the code that made
it (a digest of its source files: nobody bumps a version by hand). Anything different, or a
missing or damaged file, and the commit checks the file again.

What it buys, measured 2026-12-06 on the benchmark's 100,000-row .xlsx (CPU seconds, three
runs, on the shared 2-core machine at load 12-15): storing the check costs the check
0.8 s and loading it the commit 0.3 s, where checking the file again would cost the commit
9-12 s (reading the workbook within its bounds 5.6-7.2 s, validating the rows 3.7-4.5 s).

The rows are stored as columns (one tuple per CleanRow field, a member as a plain tuple):
pickle then writes plain tuples instead of calling the NamedTuple's and MemberValues'
reduce once per row. Same file, three runs at load ~5 (issue 17, h17import3): storing
0.32 s -> 0.15 s, loading 0.12-0.14 s -> 0.09-0.13 s.
"""

import functools
import hashlib
import hmac
import pickle
from dataclasses import dataclass, field, replace
from datetime import date
from itertools import starmap
from pathlib import Path

from django.conf import settings

from households.imports.members import MemberValues
from households.imports.validation import CleanRow, ValidationResult

_CHUNK = 1 << 20
ROWS_PER_PICKLE = 20_000
_MEMBER = CleanRow._fields.index("member")
_HOUSEHOLDS = Path(__file__).resolve().parents[1]
# The code a check's result depends on: the import package, the NIK rules, the messages.
VERSIONED = (
    *sorted((_HOUSEHOLDS / "imports").glob("*.py")),
    _HOUSEHOLDS / "nik.py",
    _HOUSEHOLDS.parent / "slrt" / "messages.py",
)


@functools.cache
def code_version() -> str:
    """A digest of the VERSIONED files, as this process runs them."""
    digest = hashlib.sha256()
    for path in VERSIONED:
        digest.update(path.read_bytes())
    return digest.hexdigest()


@dataclass(frozen=True)
class CheckKey:
    checksum: str
    source_format: str
    default_kelurahan_id: int | None
    allowed_kelurahan_ids: frozenset[int] | None
    today: date
    version: str = field(default_factory=lambda: code_version())


@dataclass(frozen=True)
class StoredCheck:
    key: CheckKey
    row_count: int  # rows in the file
    result: ValidationResult


def _path(batch_id: int) -> Path:
    return Path(settings.MEDIA_ROOT) / "import-checks" / f"{batch_id}.pickle"


def _mac() -> "hmac.HMAC":
    return hmac.new(settings.SECRET_KEY.encode(), b"slrt-import-check", hashlib.sha256)


class _SigningWriter:
    def __init__(self, handle, mac):
        self.handle, self.mac = handle, mac

    def write(self, data) -> int:
        self.mac.update(data)
        return self.handle.write(data)


def store(batch_id: int, check: StoredCheck) -> None:
    """The key, counts and issues first, then the rows as columns in pickles of ROWS_PER_PICKLE
    rows each: one pickle of a million rows would remember every object it wrote (its memo:
    ~570 MB at a million rows, the check's peak), a chunk's memo is small and dropped after
    it."""
    path = _path(batch_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    mac = _mac()
    rows = check.result.rows
    with partial.open("wb") as handle:
        out = _SigningWriter(handle, mac)
        head = (check.key, check.row_count, replace(check.result, rows=[]))
        pickle.dump(head, out, protocol=pickle.HIGHEST_PROTOCOL)
        for start in range(0, len(rows), ROWS_PER_PICKLE):
            columns = list(zip(*rows[start : start + ROWS_PER_PICKLE], strict=True))
            columns[_MEMBER] = list(map(tuple, columns[_MEMBER]))
            pickle.dump(columns, out, protocol=pickle.HIGHEST_PROTOCOL)
    partial.with_suffix(".sig").write_text(mac.hexdigest())
    partial.with_suffix(".sig").replace(path.with_suffix(".sig"))
    partial.replace(path)


def load(batch_id: int, key: CheckKey) -> StoredCheck | None:
    """The stored check when it is intact and made for exactly this key, else None."""
    path = _path(batch_id)
    try:
        signature = path.with_suffix(".sig").read_text().strip()
        mac = _mac()
        with path.open("rb") as handle:
            while chunk := handle.read(_CHUNK):
                mac.update(chunk)
        if not hmac.compare_digest(mac.hexdigest(), signature):
            return None
        with path.open("rb") as handle:
            head = pickle.load(handle)  # noqa: S301 - signed above with SECRET_KEY
            if not _is_head(head) or head[0] != key:
                return None
            stored_key, row_count, result = head
            while True:
                try:
                    columns = pickle.load(handle)  # noqa: S301 - signed above
                except EOFError:
                    break
                columns[_MEMBER] = map(MemberValues, columns[_MEMBER])
                # strict: columns of unequal length are a damaged file, never fewer rows
                result.rows.extend(starmap(CleanRow, zip(*columns, strict=True)))
        if len(result.rows) != row_count - len(result.error_rows):
            return None  # every row is clean or in error: none went missing
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError):
        return None
    except (TypeError, IndexError, ValueError):  # columns that do not make rows
        return None
    return StoredCheck(key=stored_key, row_count=row_count, result=result)


def _is_head(head) -> bool:
    return (
        isinstance(head, tuple)
        and len(head) == 3
        and isinstance(head[0], CheckKey)
        and isinstance(head[2], ValidationResult)
    )


def discard(batch_id: int) -> None:
    path = _path(batch_id)
    for leftover in (path, path.with_suffix(".sig")):
        leftover.unlink(missing_ok=True)
