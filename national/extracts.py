"""A DTSEN/DTKS extract: file → checked rows → stored families and members.

The same reader as the ward files (households.imports.readers: .xlsx/.xls/.ods through
calamine, .csv; size, row, formula and encoding defences), the same header vocabulary
(households.imports.columns: "No KK", "NIK", "Nama", "Desil", "PKH", ...), the same cell
parsers and NIK/KK checks (households.imports.parsers, households.nik), and issues stored
with their msgid (slrt.messages), so the error report reads like the ward files' one.

An extract is national data: the city cannot correct it, so a row with an error is left out
and reported, the others are stored (rows stored + rows reported = rows in the file).

The rows are checked a column at a time, CHUNK rows at once, as households.imports.checks
checks a ward file: an extract repeats itself down its columns (the city's 2.6 million rows
hold about 800,000 KK numbers, tens of thousands of birth dates, 56 kelurahan, ten desil), so
each column's distinct cells are parsed once (`_Cells`) and every row's value is a dict
lookup run by map() in C; a column is walked for its issues only when it holds a bad cell.
NIKs differ row by row: each goes through a quick test of households.nik's rules, and only
one that fails it through households.nik itself, for the verdict and its message. A second
row of a NIK is found with one dict of the NIKs seen (`dict.setdefault` run by map(): 2.0 s
and ~60 MB beside the NIKs themselves for 2.6 million; left to SQL it would need the rows
left out for other reasons in the table too, since the first row of a NIK counts even when
it is left out). The issues are the ones the row-by-row checker this replaced gave, in its
order (tests/national/test_extract_rows.py).

Members stream into the database chunk by chunk (COPY on PostgreSQL) and are tied to their
family by (extract, KK number); only the families are held in memory, and written at the end
already matched to the registry (national.reconcile.insert_families).
"""

import datetime
from collections import Counter, deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from itertools import compress, islice
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection
from psycopg.copy import QueuedLibpqWriter

from households.imports.columns import COLUMNS, PROGRAM, header_key
from households.imports.parsers import CellError, parse_date, parse_decile, parse_yes_no
from households.imports.readers import SheetData, UnreadableFile, read_sheet
from households.imports.regions import RegionIndex
from households.nik import (
    PROVINCE_CODES,
    NikReader,
    looks_like_placeholder,
    normalise_number,
    validate_kk,
)
from national.desil import desil_of_percentile
from national.models import ExtractMember
from national.reconcile import STAGED_COLUMNS, insert_families, stage_families
from slrt.db import is_postgresql
from slrt.messages import as_message
from slrt.messages import translatable as _

PERCENTILE_HEADERS = frozenset({"PERSENTIL", "PERCENTILE", "PERSENTILE", "PERSENTILNASIONAL"})
REQUIRED = ("kk_number", "nik", "name", "kelurahan")
PROGRAM_COLUMNS = tuple(c for c in COLUMNS if c.level == PROGRAM)
CHUNK = 50_000  # rows checked and written at a time
MAX_ISSUES = 50_000  # rows reported one by one; beyond, the count says how many more


@dataclass
class Issue:
    row_number: int | None
    column: str
    code: str
    message: str


@dataclass
class Result:
    rows: int = 0
    members: int = 0
    rejected: int = 0
    uses_percentile: bool = False
    # KK number -> (kelurahan id, desil, programmes, name) of the family's first stored row
    families: dict[str, tuple] = field(default_factory=dict)
    sizes: Counter = field(default_factory=Counter)  # KK number -> members stored
    heads: dict[str, str] = field(default_factory=dict)  # KK number -> last head's name
    issues: list[Issue] = field(default_factory=list)

    def family_columns(self) -> tuple[list, ...]:
        """(KK, kelurahan id, desil, programmes, head's name, members stored), each a column,
        in file order. The head: the last row whose relationship says so, else the family's
        first stored row."""
        kks = list(self.families)
        firsts = list(zip(*self.families.values(), strict=True)) or [()] * 4
        kelurahan, desil, programs, names = map(list, firsts)
        heads = list(map(self.heads.get, kks, names))
        return kks, kelurahan, desil, programs, heads, list(map(self.sizes.__getitem__, kks))


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


def _column_chunks(sheet: SheetData, percentile_at: int | None) -> Iterator[tuple[list, dict]]:
    """(row numbers, column name -> each row's cell as in the file), CHUNK rows at a time.
    A percentile is not a column of the ward files' vocabulary: such a file (an older DTKS
    extract) is read by position from each row's raw cells."""
    if percentile_at is None:
        yield from sheet.rows.column_chunks(CHUNK)
        return
    positions = {**sheet.columns, "percentile": percentile_at}
    rows = iter(sheet.rows)
    while part := list(islice(rows, CHUNK)):
        raws = [row.raw for row in part]
        cells = {
            name: [raw[at] if at < len(raw) else "" for raw in raws]
            for name, at in positions.items()
        }
        yield [row.number for row in part], cells


_CACHE_LIMIT = 200_000  # distinct texts kept per column (a KK repeats within its family)


class _Cells(dict):
    """cell text as in the file -> parse(it), or the CellError parse raised: each distinct
    text parsed once, `map(cells.__getitem__, column)` run in C. `bad` holds the texts in
    error, so a column without one is not walked for issues."""

    def __init__(self, parse: Callable) -> None:
        super().__init__()
        self.parse = parse
        self.bad: set = set()

    def __missing__(self, raw):
        try:
            value = self.parse(raw)
        except CellError as error:
            value = error
            self.bad.add(raw)
        if len(self) >= _CACHE_LIMIT:
            self.clear()
        self[raw] = value
        return value

    def errors_in(self, column: list) -> bool:
        return bool(self.bad) and not self.bad.isdisjoint(column)


def _required(raw: str, message: str) -> str:
    text = raw.strip()
    if not text:
        raise CellError("required", message)
    return text


def _kk(raw: str) -> str:
    kk = normalise_number(raw)
    try:
        validate_kk(kk)
    except ValidationError as error:
        raise CellError(f"kk_{error.code}", as_message(error.message, error.params)) from None
    return kk


def _birth_date(raw: str) -> datetime.date | None:
    text = raw.strip()
    return parse_date(text) if text else None


def _decile(raw: str) -> int:
    return parse_decile(_required(raw, _("The desil is empty.")))


def _percentile(raw: str) -> int:
    text = raw.strip()
    try:
        return desil_of_percentile(float(text.replace(",", ".")))
    except ValueError:
        raise CellError(
            "percentile",
            _("Percentile must be a number from 0 to 100, not %(value)s.") % {"value": text},
        ) from None


def _name_error(name: str) -> CellError | None:
    if not name:
        return CellError("required", _("The name is empty."))
    if len(name) > 150:
        return CellError("too_long", _("The name is longer than 150 characters."))
    return None


def _is_head(raw: str) -> bool:
    key = header_key(raw)
    return key.startswith("KEPALA") or key in ("1", "KK", "KRT")


def _nik_verdict(today: datetime.date) -> Callable[[str], CellError | None]:
    """A normalised NIK -> None, or the CellError the row-by-row checker gave it. The quick
    test is households.nik's rules for a good NIK (16 ASCII digits, a province, serial not
    0000, birth digits it has read as a date, not a placeholder); any other NIK goes through
    households.nik for the verdict and its message."""
    reader = NikReader(today)
    provinces = frozenset(f"{code:02d}" for code in PROVINCE_CODES)
    births: set[str] = set()  # digits 7-12 households.nik read as a real birth date

    def slow(nik: str) -> CellError | None:
        try:
            reader.parse(nik)
        except ValidationError as error:
            return CellError(f"nik_{error.code}", as_message(error.message, error.params))
        births.add(nik[6:12])
        if looks_like_placeholder(nik):
            return CellError("nik_placeholder", _("NIK %(nik)s is a placeholder.") % {"nik": nik})
        return None

    def verdict(nik: str) -> CellError | None:
        if (
            len(nik) == 16
            and nik.isdigit()
            and nik.isascii()
            and nik[:2] in provinces
            and nik[12:] != "0000"
            and nik[6:12] in births
            and not looks_like_placeholder(nik)
        ):
            return None
        return slow(nik)

    return verdict


class _Checker:
    """Chunks of rows as columns -> the members to store as columns; the issues, the count
    of rows left out and the families go into `result`."""

    def __init__(
        self, sheet: SheetData, regions: RegionIndex, today: datetime.date, result: Result
    ) -> None:
        self.result = result
        self.percentile_at = (
            None if "welfare_decile" in sheet.columns else _percentile_position(sheet)
        )
        self.desil_column = "welfare_decile" if self.percentile_at is None else "percentile"
        self.programs = tuple(c for c in PROGRAM_COLUMNS if c.name in sheet.columns)
        self.has_relationship = "relationship" in sheet.columns
        self.kks = _Cells(_kk)
        self.births = _Cells(_birth_date)
        self.kelurahan = _Cells(
            lambda raw: (
                regions.resolve(
                    _required(raw, _("The kelurahan is empty.")), prefer_bps=True
                ).kelurahan_id
            )
        )
        self.desil = _Cells(_decile if self.percentile_at is None else _percentile)
        self.program_cells = _Cells(self._programs)
        self.heads = _Cells(_is_head)
        self.nik_verdict = _nik_verdict(today)
        self.first_row_of_nik: dict[str, int] = {}

    def _programs(self, cells: tuple[str, ...]) -> tuple[str, tuple]:
        """One row's programme cells -> (the codes answered yes, (column, CellError) of
        each cell in error)."""
        codes, errors = [], []
        for column, raw in zip(self.programs, cells, strict=True):
            if text := raw.strip():
                try:
                    yes = parse_yes_no(column.name, text, "slrt")
                except CellError as error:
                    errors.append((column.name, error))
                    continue
                if yes:
                    codes.append(column.program_code)
        if errors:
            self.program_cells.bad.add(cells)
        return ",".join(codes), tuple(errors)

    def check(self, numbers: list[int], cells: dict[str, list[str]]) -> tuple[list, ...]:
        """Rows `numbers` -> (KK, NIK, name, birth date, row number) of the rows to store,
        each a column. A row's issues in the row-by-row checker's order: KK, NIK, name, birth
        date, kelurahan, desil, programmes."""
        size = len(numbers)
        problems: dict[int, list[Issue]] = {}

        def walk(column: str, values: list) -> None:
            for i, value in enumerate(values):
                if value.__class__ is CellError:
                    issue = Issue(numbers[i], column, value.code, value.message)
                    problems.setdefault(i, []).append(issue)

        column = cells["kk_number"]
        kks = list(map(self.kks.__getitem__, column))
        if self.kks.errors_in(column):
            walk("kk_number", kks)
        niks = list(map(normalise_number, cells["nik"]))
        verdicts = list(map(self.nik_verdict, niks))
        if verdicts.count(None) != size:
            walk("nik", verdicts)
        # A NIK's first row, bad or not: a bad NIK is never a good one later (the verdict is
        # the NIK's alone), so only good ones are reported as repeated.
        firsts = list(map(self.first_row_of_nik.setdefault, niks, numbers))
        if firsts != numbers:
            for i, first in enumerate(firsts):
                if first != numbers[i] and verdicts[i] is None:
                    message = _("NIK %(nik)s is already in row %(row)s of this file.") % {
                        "nik": niks[i],
                        "row": first,
                    }
                    problems.setdefault(i, []).append(
                        Issue(numbers[i], "nik", "nik_repeated", message)
                    )
        names = list(map(str.strip, cells["name"]))
        if "" in names or max(map(len, names)) > 150:
            walk("name", list(map(_name_error, names)))
        births: list = [None] * size
        if (column := cells.get("birth_date")) is not None:
            births = list(map(self.births.__getitem__, column))
            if self.births.errors_in(column):
                walk("birth_date", births)
        column = cells["kelurahan"]
        kelurahan = list(map(self.kelurahan.__getitem__, column))
        if self.kelurahan.errors_in(column):
            walk("kelurahan", kelurahan)
        column = cells[self.desil_column]
        desil = list(map(self.desil.__getitem__, column))
        if self.desil.errors_in(column):
            walk(self.desil_column, desil)
        programs = [""] * size
        if self.programs:
            keys = list(zip(*(cells[c.name] for c in self.programs), strict=True))
            read = list(map(self.program_cells.__getitem__, keys))
            programs = [codes for codes, _errors in read]
            if self.program_cells.errors_in(keys):
                for i, (_codes, errors) in enumerate(read):
                    for name, error in errors:
                        issue = Issue(numbers[i], name, error.code, error.message)
                        problems.setdefault(i, []).append(issue)
        heads = None
        if self.has_relationship:
            heads = list(map(self.heads.__getitem__, cells["relationship"]))

        columns = [kks, niks, names, births, numbers, kelurahan, desil, programs]
        if heads is not None:
            columns.append(heads)
        if problems:
            self._report(problems)
            keep = [i not in problems for i in range(size)]
            columns = [list(compress(values, keep)) for values in columns]
        self._families(*columns)
        return tuple(columns[:5])

    def _report(self, problems: dict[int, list[Issue]]) -> None:
        result = self.result
        result.rejected += len(problems)
        for i in sorted(problems):
            if len(result.issues) < MAX_ISSUES:
                result.issues.extend(problems[i])

    def _families(self, kks, _niks, names, _births, _numbers, kelurahan, desil, programs,
                  heads=None) -> None:  # fmt: skip
        """A family is its first stored row's kelurahan, desil and programmes."""
        result = self.result
        result.members += len(kks)
        first_rows = zip(kelurahan, desil, programs, names, strict=True)
        deque(map(result.families.setdefault, kks, first_rows), maxlen=0)
        result.sizes.update(kks)
        if heads is not None:
            result.heads.update(compress(zip(kks, names, strict=True), heads))


def store_rows(
    *, extract_id: int, sheet: SheetData, regions: RegionIndex, today: datetime.date
) -> Result:
    """Check every row, store the valid members chunk by chunk and return the families (not
    yet stored: national.reconcile.insert_families writes them) and the issues."""
    result = Result(rows=len(sheet.rows))
    checker = _Checker(sheet, regions, today, result)
    result.uses_percentile = checker.percentile_at is not None
    checked = (checker.check(*chunk) for chunk in _column_chunks(sheet, checker.percentile_at))
    write_members(extract_id, checked)
    return result


# Writing ------------------------------------------------------------------------------------

MEMBER_COLUMNS = ("extract_id", "kk_number", "nik", "name", "birth_date", "row_number")


def write_members(extract_id: int, chunks: Iterator[tuple[list, ...]]) -> None:
    """Each chunk's columns (KK, NIK, name, birth date, row number) as rows of the extract."""
    rows = ((extract_id, *row) for columns in chunks for row in zip(*columns, strict=True))
    write_rows(ExtractMember._meta.db_table, MEMBER_COLUMNS, rows)


def write_families(extract_id: int, result: Result) -> None:
    """The families into a staging table, then into the extract matched to the registry
    (national.reconcile.insert_families)."""
    table = stage_families()
    kks, kelurahan, desil, programs, heads, sizes = result.family_columns()
    rows = zip(range(len(kks)), kks, kelurahan, desil, programs, heads, sizes, strict=True)
    write_rows(table, STAGED_COLUMNS, rows)
    insert_families(extract_id)


def write_rows(table: str, columns: tuple[str, ...], rows: Iterator[tuple]) -> None:
    """COPY on PostgreSQL (the project's fast path, as households.imports.writers: a thread
    sends each buffer while the next rows are checked); INSERTs in batches elsewhere. The
    rows are a generator: nothing is held beyond one chunk."""
    quote = connection.ops.quote_name
    names = ", ".join(map(quote, columns))
    if is_postgresql():
        with (
            connection.cursor() as cursor,
            connection.wrap_database_errors,
            cursor.cursor.copy(
                f"COPY {quote(table)} ({names}) FROM STDIN",
                writer=QueuedLibpqWriter(cursor.cursor),
            ) as copy,
        ):
            for row in rows:
                copy.write_row(row)
        return
    sql = f"INSERT INTO {quote(table)} ({names}) VALUES ({', '.join(['%s'] * len(columns))})"
    with connection.cursor() as cursor:
        while batch := list(islice(rows, 2000)):
            cursor.executemany(sql, batch)
