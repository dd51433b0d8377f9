"""The cell checks behind households.imports.validation.validate_rows, a column at a time.

A ward file repeats itself down its columns: 100,000 rows hold ~28,000 families, a few
thousand distinct birth dates and a handful of distinct words per coded column. So each
column is checked whole: its distinct cells are parsed once (a parse cache per column, kept
for the whole file: `_Cache`), every row's value is a dict lookup, and only a column with a
bad cell is walked for its issues. The household columns are read once per distinct
(KK, household cells) key, which gives each family one household dict; the KK once per
distinct number and every NIK once, both through households.nik.

What the caches buy, measured 2026-12-06 on the benchmark's 100,000-row .xlsx (28,284
families, ~4.6 million cells): 49,808 cell parses in all, the rest dict lookups run by
map() in C. validate_rows, CPU seconds, this pass against the row-by-row one it replaced,
alternating in fresh processes at load 13-16: 2.52 / 2.87 / 2.72 s against 3.26 / 3.38 /
3.24 s (the same issues, rows and families: a digest of the results compared equal).

Issues come out in the order the row-by-row pass this replaced gave them: within a row, the
household columns, the member columns, the required cells, the KK, the NIK, each in column
order (validate_rows sorts them by row, stably). households.imports.families adds the family
pass. Pure: no ORM, no settings.
"""

from collections.abc import Callable
from datetime import date
from itertools import repeat
from typing import NamedTuple

from django.core.exceptions import ValidationError

from households.imports import choices, columns
from households.imports.members import ABSENT, FIELDS, MemberValues
from households.imports.parsers import (
    CellError,
    check_birth_date,
    parse_area,
    parse_choice,
    parse_count,
    parse_date,
    parse_decile,
    parse_electricity,
    parse_money,
    parse_rt_rw,
    parse_rt_rw_pair,
    parse_text,
    parse_yes_no,
)
from households.imports.readers import SourceRow
from households.imports.regions import RegionIndex
from households.nik import (
    NikReader,
    nik_discrepancies,
    normalise_number,
    parse_kk_registration_date,
)
from slrt.messages import as_message
from slrt.messages import translatable as _

ERROR = "error"
WARNING = "warning"
_NIK_CODES = {"excel_scientific": "excel", "not_digits": "digits", "serial_zero": "serial"}
_DISCREPANCY_CODES = {
    "sex_mismatch": "nik_sex_mismatch",
    "birth_date_mismatch": "nik_birth_date_mismatch",
    "placeholder": "nik_placeholder",
}
_BLANK = frozenset({"", "-", "--", ".", "?"})
HEAD = "head"
_CACHE_LIMIT = 200_000
MISSING = object()
_NO_PROGRAMS: dict[str, bool] = {}
Problem = tuple[str | None, str, str]  # column, code, message: for every row of a family
Found = tuple[str | None, str, str, str]  # column, code, message, severity


class Issue(NamedTuple):  # a tuple: it pickles fast (households.imports.checked)
    row: int | None  # SourceRow.number; None: the whole file
    column: str | None  # canonical column name; None: the whole row or family
    code: str
    message: str
    severity: str  # "error" or "warning"


class Household(NamedTuple):
    """What one distinct (KK, household cells) key reads as; shared by the rows that have it."""

    values: dict[str, object]  # the family pass makes it the family's household
    kecamatan: str | None
    found: tuple[Found, ...]
    errors: frozenset[str]


class _Cache(dict):
    """cell text as read -> parse(text stripped): a value, a CellError, or ABSENT for a
    blank cell; computed once per distinct text. Indexing a dict is the fastest lookup
    Python has, and `map(cache.__getitem__, column)` runs it in C; only a miss calls
    Python code."""

    def __init__(self, parse: Callable[[str], object]) -> None:
        super().__init__()
        self.parse = parse

    def __missing__(self, raw: str) -> object:
        text = raw.strip()
        if text in _BLANK:
            result: object = ABSENT
        else:
            try:
                result = self.parse(text)
            except CellError as error:
                result = error
        if len(self) < _CACHE_LIMIT:
            self[raw] = result
        return result


def _text_parser(max_length: int | None) -> Callable[[str], object]:
    def text(value: str) -> object:
        if "  " in value or (max_length and len(value) > max_length):
            return parse_text(value, max_length)
        return value

    return text


def _parsers(source_format: str, today: date, regions: RegionIndex) -> dict[str, _Cache]:
    prefer_bps = source_format in (choices.PBDT2015, choices.REGSOSEK2022)

    def birth_date(text: str) -> date:
        value = parse_date(text)
        check_birth_date(value, today)
        return value

    def for_column(column: columns.Column) -> Callable[[str], object] | None:
        name = column.name
        return {
            columns.TEXT: _text_parser(column.max_length),
            columns.KECAMATAN: str,  # checked against the kelurahan by the family pass
            columns.DATE: birth_date,
            columns.SEX: lambda t: parse_choice(name, t, source_format),
            columns.RELATIONSHIP: lambda t: parse_choice(name, t, source_format),
            columns.CHOICE: lambda t: parse_choice(name, t, source_format),
            columns.YES_NO: lambda t: parse_yes_no(name, t, source_format),
            columns.COUNT: lambda t: parse_count(name, t, source_format),
            columns.MONEY: parse_money,
            columns.AREA: parse_area,
            columns.DECILE: parse_decile,
            columns.RT_RW: parse_rt_rw,
            columns.RT_RW_PAIR: parse_rt_rw_pair,
            columns.ELECTRICITY_VA: lambda t: parse_electricity(t, source_format),
            columns.KELURAHAN: lambda t: regions.resolve(t, prefer_bps=prefer_bps),
        }.get(column.kind)  # kk_number and nik: checked on their own

    return {c.name: _Cache(p) for c in columns.COLUMNS if (p := for_column(c)) is not None}


def _is_household(column: columns.Column) -> bool:
    return column.kind != columns.KK and (
        column.level == columns.HOUSEHOLD or column.program_level == columns.HOUSEHOLD
    )


HOUSEHOLD_CELLS = tuple(c.name for c in columns.COLUMNS if _is_household(c))
MEMBER_CELLS = tuple(
    c.name
    for c in columns.COLUMNS
    if c.kind != columns.NIK and (c.level == columns.MEMBER or c.program_level == columns.MEMBER)
)
REQUIRED_MEMBER = tuple(c for c in columns.REQUIRED if columns.BY_NAME[c].level == columns.MEMBER)


def _id_error(error: ValidationError, prefix: str) -> CellError:
    code = f"{prefix}_{_NIK_CODES.get(error.code or '', error.code)}"
    message = as_message(error.message, error.params)  # shown again in the reader's language
    if error.code == "serial_zero":
        message += " " + _(
            "If the column was a number column in Excel, its last digits were rounded away: "
            "type it again from the card and format the column as Text."
        )
    return CellError(code, message)


class _RowView(NamedTuple):  # what RowChecker.row() returns
    member: MemberValues
    warnings: tuple[str, ...]


class RowChecker:
    """The column pass. Rows are held as columns too, by row index: numbers, KK numbers,
    households, members, ... (one list each), and the columns of a row with an error."""

    def __init__(
        self,
        *,
        regions: RegionIndex,
        source_format: str,
        today: date,
        default_kelurahan_id: int | None,
        allowed_kelurahan_ids: frozenset[int] | None,
    ) -> None:
        self.regions = regions
        self.source_format = source_format
        self.today = today
        self.default_kelurahan_id = default_kelurahan_id
        self.allowed = allowed_kelurahan_ids
        self.caches = _parsers(source_format, today, regions)
        self.kk_cache: dict[str, tuple] = {}
        self.households: dict[tuple, Household] = {}
        self.first_row_of_nik: dict[str, int] = {}
        self.niks = NikReader(today)
        # One dict per distinct combination of a row's own programs ({"pbi-jk": True, "kip":
        # False}, ...): a handful for a whole file instead of one or two per row.
        self.program_sets: dict[tuple, dict[str, bool]] = {}
        self.issues: list[Issue] = []
        self.numbers: list[int] = []
        self.kks: list[str | None] = []
        self.kk_registered: list[date | None] = []
        self.household_of: list[Household] = []
        self.members: list[MemberValues] = []
        self.programs: list[dict[str, bool]] = []
        self.relationships: list[object] = []  # the family pass's view of the members: ABSENT
        self.births: list[object] = []  # for a cell left blank or in error
        self.nik_warnings: dict[int, tuple[str, ...]] = {}
        self.kecamatan_checked: dict[tuple[int, str], bool] = {}
        self.error_columns: dict[int, set[str | None]] = {}

    # Issues ----------------------------------------------------------------------------------

    def error(self, index: int, column: str | None, code: str, message: str) -> None:
        self.issues.append(Issue(self.numbers[index], column, code, message, ERROR))
        self.error_columns.setdefault(index, set()).add(column)

    def warn(self, index: int, column: str | None, code: str, message: str) -> None:
        self.issues.append(Issue(self.numbers[index], column, code, message, WARNING))

    # Column pass -----------------------------------------------------------------------------

    def row(self, source: SourceRow) -> _RowView:
        """One row through the column pass (a test of one cell's verdict)."""
        self.check([source.number], {name: [text] for name, text in source.values.items()})
        return _RowView(self.members[-1], self.nik_warnings.get(len(self.numbers) - 1, ()))

    def check(self, numbers: list[int], cells: dict[str, list[str]]) -> None:
        """Rows `numbers`, given as columns: canonical name -> each row's cell text (a column
        the rows lack is left out: every cell blank)."""
        start = len(self.numbers)
        self.numbers.extend(numbers)
        size = len(numbers)
        self._households(start, size, cells)
        values = {name: self._member_cells(start, name, cells[name]) for name in MEMBER_CELLS
                  if name in cells}  # fmt: skip
        for name in REQUIRED_MEMBER:
            column = cells.get(name)
            if column is None:
                blank = range(size)
            elif name in values:
                blank = [i for i, v in enumerate(values[name]) if v is ABSENT]
            else:  # nik
                blank = [i for i, text in enumerate(column) if text.strip() in _BLANK]
            if blank:
                message = self._required_message(name)
                for i in blank:
                    self.error(start + i, name, "required", message)
        for name, column in values.items():  # a cell in error is left out of the member
            if CellError in map(type, column):
                values[name] = [ABSENT if v.__class__ is CellError else v for v in column]
        self._kk(start, cells.get("kk_number") or [""] * size)
        births = values.get("birth_date")
        self.relationships.extend(values.get("relationship") or repeat(ABSENT, size))
        self.births.extend(births or repeat(ABSENT, size))
        niks = self._niks(start, size, cells.get("nik"), values.get("sex"), births)
        self._member_programs(size, values)
        self.members.extend(
            map(MemberValues, zip(*(niks if f == "nik" else values.get(f) or repeat(ABSENT, size)
                                    for f in FIELDS), strict=False))
        )  # fmt: skip

    def _households(self, start: int, size: int, cells: dict[str, list[str]]) -> None:
        names = tuple(name for name in HOUSEHOLD_CELLS if name in cells)
        # The KK is part of the key: two families in one house (same address, same cells)
        # must not share a dict, which the family pass turns into each one's household.
        kks = cells.get("kk_number") or [""] * size
        keys = list(zip(kks, *(cells[n] for n in names), strict=True))
        known = self.households
        for key in set(keys).difference(known):
            known[key] = self._household(names, key)
        read = list(map(known.__getitem__, keys))
        self.household_of.extend(read)
        for i, household in enumerate(read):
            if household.found:
                number = self.numbers[start + i]
                for column, code, message, severity in household.found:
                    self.issues.append(Issue(number, column, code, message, severity))
                if household.errors:
                    self.error_columns.setdefault(start + i, set()).update(household.errors)

    def _household(self, names: tuple[str, ...], key: tuple) -> Household:
        cells = dict(zip(names, key[1:], strict=True))
        caches = self.caches
        values = [caches[name][raw] for name, raw in cells.items()]
        if "rt_rw" in cells or CellError in map(type, values):
            return self._household_cell_by_cell(cells, values)
        # The usual key: one comprehension, then the few columns that are not stored as read.
        household = {n: v for n, v in zip(names, values, strict=True) if v is not ABSENT
                     and v is not None}  # fmt: skip  # None: "not given" (PBDT daya 6)
        kecamatan = household.pop("kecamatan", None)
        found: tuple[Found, ...] = ()
        resolved = household.get("kelurahan")
        if resolved is not None:
            household["kelurahan"] = resolved.kelurahan_id  # type: ignore[attr-defined]
            if resolved.other_id is not None:  # type: ignore[attr-defined]
                found = (self._ambiguous_code(cells["kelurahan"].strip(), resolved),)
        self._unmetered(household, cells)
        return Household(household, kecamatan, found, frozenset())  # type: ignore[arg-type]

    def _household_cell_by_cell(self, cells: dict[str, str], values: list[object]) -> Household:
        household: dict[str, object] = {}
        kecamatan = None
        found: list[Found] = []
        for (name, raw), value in zip(cells.items(), values, strict=True):
            if value is ABSENT:
                continue
            if value.__class__ is CellError:
                found.append((name, value.code, value.message, ERROR))  # type: ignore[attr-defined]
            elif name == "kecamatan":
                kecamatan = value
            elif name == "kelurahan":
                household["kelurahan"] = value.kelurahan_id  # type: ignore[attr-defined]
                if value.other_id is not None:  # type: ignore[attr-defined]
                    found.append(self._ambiguous_code(raw.strip(), value))
            elif name == "rt_rw":
                household.setdefault("rt", value[0])  # type: ignore[index]
                household.setdefault("rw", value[1])  # type: ignore[index]
            elif value is not None:  # None: a code meaning "not given" (PBDT daya 6)
                household[name] = value
        self._unmetered(household, cells)
        errors = frozenset(f[0] for f in found if f[3] == ERROR)
        return Household(household, kecamatan, tuple(found), errors)  # type: ignore[arg-type]

    def _unmetered(self, household: dict[str, object], cells: dict[str, str]) -> None:
        """PBDT daya 6 is PLN without its own meter."""
        if (
            self.source_format == choices.PBDT2015
            and household.get("lighting") == "pln_metered"
            and cells.get("electricity_va", "").strip() == "6"
        ):
            household["lighting"] = "pln_unmetered"

    def _member_cells(self, start: int, name: str, column: list[str]) -> list[object]:
        values = list(map(self.caches[name].__getitem__, column))
        if CellError in map(type, values):
            for i, value in enumerate(values):
                if value.__class__ is CellError:
                    self.error(start + i, name, value.code, value.message)  # type: ignore[attr-defined]
        return values

    def _member_programs(self, size: int, values: dict[str, list[object]]) -> None:
        """PBI-JK, KIP: enrolled per member; popped from `values` (not member fields)."""
        found = [(n.removeprefix("program:"), values.pop(n)) for n in MEMBER_CELLS if n in values
                 and columns.BY_NAME[n].program_level == columns.MEMBER]  # fmt: skip
        if not found:
            self.programs.extend(repeat(_NO_PROGRAMS, size))
            return
        codes = [code for code, _ in found]
        keys = list(zip(*(column for _, column in found), strict=True))
        sets, by_key = self.program_sets, {}
        for key in set(keys):
            combination = tuple((c, v) for c, v in zip(codes, key, strict=True) if v is not ABSENT)
            by_key[key] = sets.setdefault(combination, dict(combination))  # type: ignore[arg-type]
        self.programs.extend(map(by_key.__getitem__, keys))

    def _required_message(self, name: str) -> str:
        return _("%(column)s is empty. Every row needs it: fill it in.") % {
            "column": columns.BY_NAME[name].label
        }

    def _ambiguous_code(self, text: str, value) -> Found:
        names = self.regions.names
        message = _(
            "Code %(code)s is %(used)s in one code list and %(other)s in the other; "
            "%(used)s was used. Write the dotted code or the name to be sure."
        ) % {
            "code": text,
            "used": names.get(value.kelurahan_id, value.kelurahan_id),
            "other": names.get(value.other_id, value.other_id),
        }
        return ("kelurahan", "kelurahan_code_ambiguous", message, WARNING)

    def _kk(self, start: int, column: list[str]) -> None:
        cache = self.kk_cache
        read = [cache.get(raw) or self._read_kk(raw) for raw in column]
        self.kks.extend(kk for kk, _date, _found in read)
        self.kk_registered.extend(registered for _kk, registered, _found in read)
        for i, (_kk, _date, found) in enumerate(read):
            for column_name, code, message, severity in found:
                if severity == ERROR:
                    self.error(start + i, column_name, code, message)
                else:
                    self.warn(start + i, column_name, code, message)

    def _read_kk(self, raw: str) -> tuple:
        """(KK number or None, its registration date, its issues), once per distinct text."""
        text = raw.strip()
        result: tuple
        if text in _BLANK:
            result = (None, None, (("kk_number", "required", self._required_message("kk_number"),
                                    ERROR),))  # fmt: skip
        else:
            kk = normalise_number(text.lstrip("'"))
            try:
                registered = parse_kk_registration_date(kk, self.today)
            except ValidationError as error:
                bad = _id_error(error, "kk")
                result = (None, None, (("kk_number", bad.code, bad.message, ERROR),))
            else:
                found: list[Found] = []
                if kk == columns.EXAMPLE_KK_NUMBER:
                    message = _(
                        "This is the template's example family, not a real one. Delete the "
                        "example rows before you upload."
                    )
                    found.append(("kk_number", "template_example", message, ERROR))
                if kk.endswith("000"):
                    message = self._truncated_message(_("KK number"))
                    found.append(("kk_number", "kk_truncated", message, WARNING))
                result = (kk, registered, tuple(found))
        if len(cache := self.kk_cache) < _CACHE_LIMIT:
            cache[raw] = result
        return result

    def _truncated_message(self, label: str) -> str:
        return _(
            "%(label)s ends in 000, which often means Excel rounded it. Compare it with the card; "
            "if it differs, format the column as Text and type it again."
        ) % {"label": label}

    def _niks(self, start: int, size: int, column, sexes, births) -> list[object]:
        """Each NIK once (they differ row by row): households.nik's verdict, a second row of
        the same NIK, and what the NIK says that the row does not (warnings)."""
        niks: list[object] = [ABSENT] * size
        if column is None:
            return niks
        numbers, first_row_of_nik, today = self.numbers, self.first_row_of_nik, self.today
        for i, raw in enumerate(column):
            text = raw.strip()
            if text in _BLANK:
                continue  # reported as required
            nik = normalise_number(text.lstrip("'"))
            try:
                parts = self.niks.parse(nik)
            except ValidationError as error:
                found = _id_error(error, "nik")
                self.error(start + i, "nik", found.code, found.message)
                continue
            first = first_row_of_nik.setdefault(nik, numbers[start + i])
            if first != numbers[start + i]:
                self._repeated_nik(start + i, first)
                continue
            niks[i] = nik
            if nik.endswith("000"):
                self.warn(start + i, "nik", "nik_truncated", self._truncated_message("NIK"))
            sex = None if sexes is None or sexes[i] is ABSENT else sexes[i]
            born = None if births is None or births[i] is ABSENT else births[i]
            differ = nik_discrepancies(nik=nik, sex=sex, birth_date=born, today=today, parts=parts)  # type: ignore[arg-type]
            if differ:
                self.nik_warnings[start + i] = tuple(d.code for d in differ)
                for d in differ:
                    code = _DISCREPANCY_CODES.get(d.code, f"nik_{d.code}")
                    self.warn(start + i, "nik", code, d.message)
        return niks

    def _repeated_nik(self, index: int, first: int) -> None:
        self.error(
            index,
            "nik",
            "nik_twice_in_file",
            _(
                "This NIK is already on row %(row)s of this file. One person has one row: "
                "remove the duplicate or correct the NIK."
            )
            % {"row": first},
        )
