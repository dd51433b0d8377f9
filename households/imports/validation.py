"""Validate imported rows: each cell, each row, each family. Pure: no ORM, no settings.

Rows come from households.imports.readers (one row per family member, household columns
repeated or only on some rows), as columns of 50,000 rows at a time (CHUNK_ROWS): each
column is checked whole (households.imports.checks), then each family
(households.imports.families). The result holds the cleaned model values of every row that
may be imported and every error and warning, with a message saying how to fix it.

Rules (DOMAIN.md section 3, issue 3):
- NIK and KK through households.nik; an Excel-mangled number is reported as such.
- Household columns are merged over the family's rows: blank on some rows is fine, two
  different values are a conflict. Required household columns (address, RT, RW, kelurahan)
  need a value on at least one row of the family.
- A family has exactly one head; a NIK appears once in the file.
- Nothing half-imports a family's own data: a family-level error (no head, two heads, a
  conflict, a missing or bad household column, the head's row in error) makes every row of
  the family an error row, each with an issue saying why. Another member's own error (say,
  a child's NIK) rejects that member's row only.
- Every row is either clean or reported, never both, never neither.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from typing import NamedTuple

from django.utils.translation import gettext_lazy

from households.imports import choices, columns
from households.imports.checks import Issue
from households.imports.families import Checker
from households.imports.members import MemberValues
from households.imports.readers import SourceRow, SourceRows
from households.imports.regions import RegionIndex
from slrt.messages import translatable as _

__all__ = [
    "SOURCE_FORMATS",
    "CleanRow",
    "Issue",
    "RegionIndex",
    "ValidationResult",
    "validate_rows",
]

SOURCE_FORMATS: dict[str, str] = {
    choices.SLRT: gettext_lazy("SLRT template or ward file (words, e.g. Keramik, Ya/Tidak)"),
    choices.PBDT2015: gettext_lazy("PBDT 2015 / SIKS-NG (numeric codes)"),
    choices.REGSOSEK2022: gettext_lazy("Regsosek 2022 / DTSEN (numeric codes)"),
}


class CleanRow(NamedTuple):
    """A tuple, not a dataclass: a million of them are pickled between the check and the
    commit (households.imports.checked), and a tuple pickles several times faster."""

    number: int
    kk_number: str
    household: dict[str, object]  # shared by the family's rows: do not mutate
    member: MemberValues  # read like a dict: row.member["nik"], .get(), .items(), {**...}
    # program code -> enrolled: the family's programs (one dict shared by its rows) and the
    # row's own (PBI-JK, KIP), kept apart so a million rows hold no merged copy.
    household_programs: dict[str, bool]
    member_programs: dict[str, bool]
    nik_warnings: tuple[str, ...] = ()  # households.nik discrepancy codes, for Member.nik_warnings

    @property
    def programs(self) -> dict[str, bool]:
        if not self.member_programs:
            return self.household_programs
        return {**self.household_programs, **self.member_programs}


@dataclass
class ValidationResult:
    rows: list[CleanRow]  # rows with no error (warnings allowed), in file order
    issues: list[Issue]  # every error and warning, in row order
    error_rows: set[int]  # numbers of rows with at least one error
    row_count: int = 0  # rows validated: len(rows) + len(error_rows)
    family_count: int = 0  # families in `rows`


HOUSEHOLD_PROGRAMS = tuple(c.name for c in columns.COLUMNS if c.program_level == columns.HOUSEHOLD)
CHUNK_ROWS = 50_000  # rows read into columns at a time: a 1,000,000-row CSV is never whole


def validate_rows(
    rows: Iterable[SourceRow] | SourceRows,
    *,
    regions: RegionIndex,
    source_format: str = choices.SLRT,
    today: date,
    default_kelurahan_id: int | None = None,
    allowed_kelurahan_ids: frozenset[int] | None = None,
    on_progress: Callable[[int], None] | None = None,
) -> ValidationResult:
    """Check every row and family. `default_kelurahan_id` fills a family with no kelurahan
    (the operator's own); `allowed_kelurahan_ids` (None: any) is the importer's scope.
    `on_progress(rows done)` is called every CHUNK_ROWS rows."""
    if source_format not in SOURCE_FORMATS:
        raise ValueError(f"unknown source format {source_format!r}")
    v = Checker(
        regions=regions,
        source_format=source_format,
        today=today,
        default_kelurahan_id=default_kelurahan_id,
        allowed_kelurahan_ids=allowed_kelurahan_ids,
    )
    chunks = rows.column_chunks(CHUNK_ROWS) if isinstance(rows, SourceRows) else _columns(rows)
    for numbers, cells in chunks:
        v.check(numbers, cells)
        if on_progress is not None:
            on_progress(len(v.numbers))
    v.first_row_of_nik.clear()  # the column pass is done: its lookups are not needed again
    v.kk_cache.clear()
    v.households.clear()

    families: dict[str, list[int]] = {}
    for index, kk in enumerate(v.kks):
        if kk is not None:
            families.setdefault(kk, []).append(index)
    accepted: dict[str, tuple[dict[str, object], dict[str, bool]]] = {}
    for kk, members in families.items():
        household, problems = v.family(members)
        for column, code, message in problems:
            for row in members:
                v.error(row, column, code, message)
        errors = v.error_columns
        bad = [v.numbers[r] for r in members if r in errors and v.breaks_family(r, members)]
        if bad:
            message = _(
                "This family is not imported because of the errors on row(s) %(rows)s. Fix "
                "those rows and upload the file again."
            ) % {"rows": ", ".join(map(str, bad))}
            for row in members:
                if row not in errors:
                    v.error(row, None, "family_has_errors", message)
            continue
        v.kk_dates(members)
        programs = {k[8:]: household.pop(k) for k in HOUSEHOLD_PROGRAMS if k in household}
        accepted[kk] = (household, programs)
    del families

    clean: list[CleanRow] = []
    errors = v.error_columns
    warnings = v.nik_warnings
    for index, (number, kk, member, own_programs) in enumerate(
        zip(v.numbers, v.kks, v.members, v.programs, strict=True)
    ):
        if index in errors:
            continue
        household, programs = accepted[kk]  # type: ignore[index]
        clean.append(
            CleanRow(number, kk, household, member, programs, own_programs, warnings.get(index, ()))  # type: ignore[arg-type]
        )
    v.issues.sort(key=_row_of)  # stable: a row's issues stay in the order they were found
    return ValidationResult(
        rows=clean,
        issues=v.issues,
        error_rows={v.numbers[index] for index in errors},
        row_count=len(v.numbers),
        family_count=len(accepted),
    )


def _row_of(issue: Issue) -> int:
    return -1 if issue.row is None else issue.row


def _columns(rows: Iterable[SourceRow]):
    """Rows given one by one (tests, the one-row check) as chunks of columns."""
    rows = list(rows)
    for start in range(0, len(rows), CHUNK_ROWS):
        part = rows[start : start + CHUNK_ROWS]
        names = {name for row in part for name in row.values}
        yield (
            [row.number for row in part],
            {name: [row.values.get(name, "") for row in part] for name in names},
        )
