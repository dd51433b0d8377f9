"""A DTSEN/DTKS extract: file → checked rows → stored families and members.

The same reader as the ward files (households.imports.readers: .xlsx/.xls/.ods through
calamine, .csv; size, row, formula and encoding defences), the same header vocabulary
(households.imports.columns: "No KK", "NIK", "Nama", "Desil", "PKH", ...), the same cell
parsers and NIK/KK checks (households.imports.parsers, households.nik), and issues stored
with their msgid (slrt.messages), so the error report reads like the ward files' one.

An extract is national data: the city cannot correct it, so a row with an error is left out
and reported, the others are stored (rows stored + rows reported = rows in the file). Members
stream into the database as they are read (COPY on PostgreSQL) and are tied to their family
by (extract, KK number); only the families (about 800,000 for the whole city) are held in
memory, so a 2.6-million-row file stays within the benchmark's memory budget.
"""

import datetime
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection
from psycopg.copy import QueuedLibpqWriter

from households.imports.columns import COLUMNS, PROGRAM, header_key
from households.imports.parsers import CellError, parse_date, parse_decile, parse_yes_no
from households.imports.readers import SheetData, UnreadableFile, read_sheet
from households.imports.regions import RegionIndex
from households.nik import NikReader, looks_like_placeholder, normalise_number, validate_kk
from national.desil import desil_of_percentile
from national.models import ExtractFamily, ExtractMember
from slrt.db import is_postgresql
from slrt.messages import as_message
from slrt.messages import translatable as _

PERCENTILE_HEADERS = frozenset({"PERSENTIL", "PERCENTILE", "PERSENTILE", "PERSENTILNASIONAL"})
REQUIRED = ("kk_number", "nik", "name", "kelurahan")
PROGRAM_COLUMNS = tuple(c for c in COLUMNS if c.level == PROGRAM)
ORM_BATCH = 2000
MAX_ISSUES = 50_000  # rows reported one by one; beyond, the count says how many more


@dataclass
class Issue:
    row_number: int | None
    column: str
    code: str
    message: str


@dataclass
class Family:
    kelurahan_id: int
    desil: int
    programs: str
    head_name: str
    members: int = 0


@dataclass
class Result:
    rows: int = 0
    members: int = 0
    rejected: int = 0
    uses_percentile: bool = False
    families: dict[str, Family] = field(default_factory=dict)
    issues: list[Issue] = field(default_factory=list)


def read_extract(path: Path, filename: str) -> SheetData:
    """The file's rows, or UnreadableFile saying why not (also: a column that must be there
    is missing)."""
    sheet = read_sheet(
        path,
        filename=filename,
        max_bytes=settings.DTSEN_MAX_BYTES,
        max_rows=settings.DTSEN_MAX_ROWS,
    )
    missing = [name for name in REQUIRED if name not in sheet.columns]
    if "welfare_decile" not in sheet.columns and _percentile_position(sheet) is None:
        missing.append("desil")
    if missing:
        raise UnreadableFile(
            "missing_columns",
            _(
                "%(name)s is not a DTSEN/DTKS extract this page can read: the columns "
                "%(columns)s are missing. An extract has one row per person with No KK, NIK, "
                "Nama, Kelurahan and Desil (or Persentil)."
            )
            % {"name": filename, "columns": ", ".join(missing)},
        )
    return sheet


def _percentile_position(sheet: SheetData) -> int | None:
    for position, text in enumerate(sheet.headers):
        if header_key(text) in PERCENTILE_HEADERS:
            return position
    return None


class _Checker:
    """Row → member values or issues. Caches what repeats across rows (a family's KK,
    kelurahan and desil cells; birth dates)."""

    def __init__(self, sheet: SheetData, regions: RegionIndex, today: datetime.date) -> None:
        self.columns = sheet.columns
        self.percentile_at = (
            None if "welfare_decile" in sheet.columns else _percentile_position(sheet)
        )
        self.programs = [c for c in PROGRAM_COLUMNS if c.name in sheet.columns]
        self.regions = regions
        self.today = today
        self.niks = NikReader(today)
        self.seen_niks: dict[int, int] = {}
        self.kk_ok: dict[str, CellError | None] = {}
        self.kelurahan: dict[str, int | CellError] = {}
        self.dates: dict[str, datetime.date | CellError] = {}
        self.answers: dict[str, bool | CellError] = {}

    def check(self, number: int, values: dict[str, str], raw) -> tuple | list[Issue]:
        issues: list[Issue] = []
        fail = _Fail(number, issues)

        kk = normalise_number(values.get("kk_number", ""))
        known = self.kk_ok.get(kk, False)
        if known is False:
            known = None
            try:
                validate_kk(kk)
            except ValidationError as error:
                known = CellError(f"kk_{error.code}", as_message(error.message, error.params))
            self.kk_ok[kk] = known
        if known is not None:
            fail("kk_number", known.code, known.message)
        nik = normalise_number(values.get("nik", ""))
        try:
            self.niks.parse(nik)
        except ValidationError as error:
            fail("nik", f"nik_{error.code}", as_message(error.message, error.params))
        else:
            if looks_like_placeholder(nik):
                fail("nik", "nik_placeholder", _("NIK %(nik)s is a placeholder.") % {"nik": nik})
            else:
                first = self.seen_niks.setdefault(int(nik), number)
                if first != number:
                    fail(
                        "nik",
                        "nik_repeated",
                        _("NIK %(nik)s is already in row %(row)s of this file.")
                        % {"nik": nik, "row": first},
                    )
        name = values.get("name", "")
        if not name:
            fail("name", "required", _("The name is empty."))
        elif len(name) > 150:
            fail("name", "too_long", _("The name is longer than 150 characters."))
        birth = None
        if text := values.get("birth_date"):
            birth = self.dates.get(text)
            if birth is None:
                try:
                    birth = parse_date(text)
                except CellError as error:
                    birth = error
                self.dates[text] = birth
            if isinstance(birth, CellError):
                fail("birth_date", birth.code, birth.message)
        kelurahan = None
        text = values.get("kelurahan", "")
        if not text:
            fail("kelurahan", "required", _("The kelurahan is empty."))
        else:
            kelurahan = self.kelurahan.get(text)
            if kelurahan is None:
                try:
                    kelurahan = self.regions.resolve(text, prefer_bps=True).kelurahan_id
                except CellError as error:
                    kelurahan = error
                self.kelurahan[text] = kelurahan
            if isinstance(kelurahan, CellError):
                fail("kelurahan", kelurahan.code, kelurahan.message)
        desil = self._desil(values, raw, fail)
        programs = []
        for column in self.programs:
            if text := values.get(column.name):
                answer = self.answers.get(text)  # "Ya", "Tidak": a handful of spellings
                if answer is None:
                    try:
                        answer = parse_yes_no(column.name, text, "slrt")
                    except CellError as error:
                        answer = error
                    self.answers[text] = answer
                if answer.__class__ is CellError:
                    fail(column.name, answer.code, answer.message)
                elif answer:
                    programs.append(column.program_code)
        if issues:
            return issues
        return kk, nik, name, birth, kelurahan, desil, ",".join(programs)

    def _desil(self, values, raw, fail) -> int | None:
        if self.percentile_at is None:
            text = values.get("welfare_decile", "")
            if not text:
                fail("welfare_decile", "required", _("The desil is empty."))
                return None
            try:
                return parse_decile(text)
            except CellError as error:
                fail("welfare_decile", error.code, error.message)
                return None
        text = raw[self.percentile_at].strip() if self.percentile_at < len(raw) else ""
        try:
            return desil_of_percentile(float(text.replace(",", ".")))
        except ValueError:
            fail(
                "percentile",
                "percentile",
                _("Percentile must be a number from 0 to 100, not %(value)s.") % {"value": text},
            )
            return None


class _Fail:
    """Records a row's issues (one object per row, no closure)."""

    __slots__ = ("issues", "number")

    def __init__(self, number: int, issues: list[Issue]) -> None:
        self.number, self.issues = number, issues

    def __call__(self, column: str, code: str, message: str) -> None:
        self.issues.append(Issue(self.number, column, code, message))


def store_rows(
    *, extract_id: int, sheet: SheetData, regions: RegionIndex, today: datetime.date
) -> Result:
    """Check every row, store the valid members as they come and return the families (not
    yet stored: national.services writes them) and the issues."""
    checker = _Checker(sheet, regions, today)
    result = Result(rows=len(sheet.rows), uses_percentile=checker.percentile_at is not None)
    families = result.families
    relationship_at = sheet.columns.get("relationship")

    def members() -> Iterator[tuple]:
        for row in sheet.rows:
            checked = checker.check(row.number, row.values, row.raw)
            if isinstance(checked, list):
                result.rejected += 1
                if len(result.issues) < MAX_ISSUES:
                    result.issues.extend(checked)
                continue
            kk, nik, name, birth, kelurahan, desil, programs = checked
            family = families.get(kk)
            if family is None:
                family = families[kk] = Family(kelurahan, desil, programs, name)
            elif relationship_at is not None and _is_head(row.values.get("relationship", "")):
                family.head_name = name
            family.members += 1
            result.members += 1
            yield (extract_id, kk, nik, name, birth, row.number)

    write_members(members())
    return result


def _is_head(text: str) -> bool:
    key = header_key(text)
    return key.startswith("KEPALA") or key in ("1", "KK", "KRT")


MEMBER_COLUMNS = ("extract_id", "kk_number", "nik", "name", "birth_date", "row_number")
FAMILY_COLUMNS = (
    "extract_id",
    "kk_number",
    "kelurahan_id",
    "desil",
    "programs",
    "head_name",
    "member_count",
)


def write_members(rows: Iterator[tuple]) -> None:
    _write(ExtractMember, MEMBER_COLUMNS, rows)


def write_families(extract_id: int, families: dict[str, Family]) -> None:
    rows = (
        (extract_id, kk, f.kelurahan_id, f.desil, f.programs, f.head_name[:150], f.members)
        for kk, f in families.items()
    )
    _write(ExtractFamily, FAMILY_COLUMNS, rows)


def _write(model, columns: tuple[str, ...], rows: Iterator[tuple]) -> None:
    """COPY on PostgreSQL (the project's fast path, as households.imports.writers); batched
    bulk_create elsewhere. The rows are a generator: nothing is held beyond one batch."""
    if is_postgresql():
        quote = connection.ops.quote_name
        names = ", ".join(
            quote(model._meta.get_field(c.removesuffix("_id")).column) for c in columns
        )
        with (
            connection.cursor() as cursor,
            connection.wrap_database_errors,
            cursor.cursor.copy(
                f"COPY {quote(model._meta.db_table)} ({names}) FROM STDIN",
                writer=QueuedLibpqWriter(cursor.cursor),
            ) as copy,
        ):
            for row in rows:
                copy.write_row(row)
        return
    batch = []
    for row in rows:
        batch.append(model(**dict(zip(columns, row, strict=True))))
        if len(batch) >= ORM_BATCH:
            model.objects.bulk_create(batch)
            batch = []
    if batch:
        model.objects.bulk_create(batch)
