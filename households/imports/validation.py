"""Validate imported rows: each cell, each row, each family. Pure: no ORM, no settings.

Rows come from households.imports.readers (one row per family member, household columns
repeated or only on some rows). The result holds the cleaned model values of every row that
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

from households.imports import choices
from households.imports.checks import ERROR, WARNING, Issue, WorkRow
from households.imports.families import Checker, breaks_family
from households.imports.members import MemberValues
from households.imports.readers import SourceRow
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

    @property
    def error_count(self) -> int:
        return sum(1 for issue in self.issues if issue.severity == ERROR)

    @property
    def warning_count(self) -> int:
        return sum(1 for issue in self.issues if issue.severity == WARNING)


PROGRESS_STEP = 5000


def validate_rows(
    rows: Iterable[SourceRow],
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
    `on_progress(rows done)` is called every PROGRESS_STEP rows."""
    if source_format not in SOURCE_FORMATS:
        raise ValueError(f"unknown source format {source_format!r}")
    v = Checker(
        regions=regions,
        source_format=source_format,
        today=today,
        default_kelurahan_id=default_kelurahan_id,
        allowed_kelurahan_ids=allowed_kelurahan_ids,
    )
    work: list[WorkRow] = []
    families: dict[str, list[WorkRow]] = {}
    for source in rows:
        row = v.row(source)
        work.append(row)
        if on_progress is not None and len(work) % PROGRESS_STEP == 0:
            on_progress(len(work))
        if row.kk is not None:
            family = families.get(row.kk)
            if family is None:
                families[row.kk] = [row]
            else:
                if row.household and row.household == family[0].household:
                    row.household = family[0].household  # one dict per family, not per row
                family.append(row)
    v.first_row_of_nik.clear()  # the row pass is done: its lookups are not needed again
    v.kk_cache.clear()

    accepted: dict[str, tuple[dict[str, object], dict[str, bool]]] = {}
    for kk, members in families.items():
        household, problems = v.family(members)
        for column, code, message in problems:
            for row in members:
                v.error(row, column, code, message)
        bad = [r.number for r in members if r.error and breaks_family(r, members)]
        if bad:
            for row in members:
                if not row.error:
                    v.error(
                        row,
                        None,
                        "family_has_errors",
                        _(
                            "This family is not imported because of the errors on row(s) "
                            "%(rows)s. Fix those rows and upload the file again."
                        )
                        % {"rows": ", ".join(map(str, bad))},
                    )
            continue
        v.kk_dates(members)
        programs = {
            k.removeprefix("program:"): household.pop(k)  # type: ignore[misc]
            for k in [k for k in household if k.startswith("program:")]
        }
        accepted[kk] = (household, programs)
    del families

    clean: list[CleanRow] = []
    error_rows: set[int] = set()
    for index, row in enumerate(work):  # file order
        work[index] = None  # type: ignore[call-overload] # each work row freed once copied
        if row.error:
            error_rows.add(row.number)
            continue
        household, programs = accepted[row.kk]  # type: ignore[index]
        clean.append(
            CleanRow(
                number=row.number,
                kk_number=row.kk,  # type: ignore[arg-type]
                household=household,
                member=row.member,  # type: ignore[arg-type]
                household_programs=programs,
                member_programs=row.programs,
                nik_warnings=row.warnings,
            )
        )
    v.issues.sort(key=lambda i: -1 if i.row is None else i.row)
    return ValidationResult(
        rows=clean,
        issues=v.issues,
        error_rows=error_rows,
        row_count=len(work),
        family_count=len(accepted),
    )
