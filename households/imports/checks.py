"""The row pass behind households.imports.validation.validate_rows: each cell of a SourceRow
parsed into a WorkRow (model values and issues). households.imports.families adds the
family pass. Internal to the import package; pure: no ORM, no settings."""

from collections.abc import Callable
from datetime import date
from typing import NamedTuple

from django.core.exceptions import ValidationError

from households.imports import choices, columns
from households.imports.members import MemberValues
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
_NIK_CODES = {
    "excel_scientific": "excel",
    "not_digits": "digits",
    "length": "length",
    "province": "province",
    "serial_zero": "serial",
    "birth_date": "birth_date",
    "registration_date": "registration_date",
}
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
_NO_COLUMNS: frozenset[str | None] = frozenset()  # frozenset() is a new object each call
Problem = tuple[str | None, str, str]  # column, code, message: for every row of a family


class Issue(NamedTuple):  # a tuple: it pickles fast (households.imports.checked)
    row: int | None  # SourceRow.number; None: the whole file
    column: str | None  # canonical column name; None: the whole row or family
    code: str
    message: str
    severity: str  # "error" or "warning"


class WorkRow:
    """Working state of one row between the row pass and the family pass."""

    __slots__ = ("number", "kk", "household", "member", "programs", "kecamatan", "error",
                 "error_columns", "warnings", "kk_date")  # fmt: skip

    def __init__(self, number: int) -> None:
        self.number = number
        self.kk: str | None = None
        self.household: dict[str, object] = {}
        self.member: dict[str, object] | MemberValues = {}  # a tuple once the row is read
        self.programs: dict[str, bool] = _NO_PROGRAMS  # replaced, never changed in place
        self.kecamatan: str | None = None
        self.error = False
        self.error_columns: frozenset[str | None] = _NO_COLUMNS
        self.warnings: tuple[str, ...] = ()
        self.kk_date: date | None = None


class _Cache(dict):
    """cell text -> parse(text), a value or a CellError, computed once per distinct text.
    Indexing a dict is the fastest lookup Python has; only a miss calls Python code."""

    def __init__(self, parse: Callable[[str], object]) -> None:
        super().__init__()
        self.parse = parse

    def __missing__(self, text: str) -> object:
        try:
            result = self.parse(text)
        except CellError as error:
            result = error
        if len(self) < _CACHE_LIMIT:
            self[text] = result
        return result


def _parsers(source_format: str, today: date, regions: RegionIndex) -> dict[str, _Cache]:
    prefer_bps = source_format in (choices.PBDT2015, choices.REGSOSEK2022)

    def birth_date(text: str) -> date:
        value = parse_date(text)
        check_birth_date(value, today)
        return value

    def for_column(column: columns.Column) -> Callable[[str], object] | None:
        name, kind = column.name, column.kind
        simple = {
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
        }.get(kind)
        return _Cache(simple) if simple is not None else None  # text, kk, nik: row pass

    return {c.name: p for c in columns.COLUMNS if (p := for_column(c)) is not None}


# Where a parsed cell goes (the row pass's dispatch; text kinds first).
_TO_MEMBER_TEXT, _TO_HOUSEHOLD_TEXT = 0, 1
_TO_MEMBER, _TO_HOUSEHOLD, _TO_MEMBER_PROGRAM, _TO_KELURAHAN, _TO_RT_RW, _TO_KECAMATAN = range(2, 8)
_TO_NOWHERE = 8  # kk_number and nik, checked on their own
_MEMBER_TARGETS = frozenset({_TO_MEMBER_TEXT, _TO_MEMBER, _TO_MEMBER_PROGRAM})
_HOUSEHOLD_TARGETS = frozenset(
    {_TO_HOUSEHOLD_TEXT, _TO_HOUSEHOLD, _TO_KELURAHAN, _TO_RT_RW, _TO_KECAMATAN}
)


def _target(column: columns.Column) -> int:
    if column.kind == columns.TEXT:
        return _TO_MEMBER_TEXT if column.level == columns.MEMBER else _TO_HOUSEHOLD_TEXT
    special = {
        columns.KELURAHAN: _TO_KELURAHAN,
        columns.RT_RW_PAIR: _TO_RT_RW,
        columns.KECAMATAN: _TO_KECAMATAN,
        columns.KK: _TO_NOWHERE,
        columns.NIK: _TO_NOWHERE,
    }
    if column.kind in special:
        return special[column.kind]
    if column.level == columns.MEMBER:
        return _TO_MEMBER
    if column.program_level == columns.MEMBER:
        return _TO_MEMBER_PROGRAM
    return _TO_HOUSEHOLD


def _text(text: str, max_length: int | None) -> object:
    try:
        return parse_text(text, max_length)
    except CellError as error:
        return error


def _id_error(error: ValidationError, prefix: str) -> CellError:
    code = f"{prefix}_{_NIK_CODES.get(error.code or '', error.code)}"
    message = as_message(error.message, error.params)  # shown again in the reader's language
    if error.code == "serial_zero":
        message += " " + _(
            "If the column was a number column in Excel, its last digits were rounded away: "
            "type it again from the card and format the column as Text."
        )
    return CellError(code, message)


class RowChecker:
    """The row pass: every cell of a row parsed, its issues recorded."""

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
        self.parsers = _parsers(source_format, today, regions)
        self.kk_cache: dict[str, object] = {}
        self.first_row_of_nik: dict[str, int] = {}
        self.niks = NikReader(today)
        self.texts: dict[str, str] = {}
        # One dict per distinct combination of a row's own programs ({"pbi-jk": True, "kip":
        # False}, ...): a handful for a whole file instead of one or two per row.
        self.program_sets: dict[tuple, dict[str, bool]] = {}
        self.issues: list[Issue] = []
        self.error_rows: set[int] = set()
        targets = [
            (c.name, (self.parsers.get(c.name), _target(c), c.max_length)) for c in columns.COLUMNS
        ]
        # A family's household columns repeat on each member's row: parsed once per run of
        # identical cells (see row()). kk_number and nik are checked on their own.
        self.household_targets = [t for t in targets if t[1][1] in _HOUSEHOLD_TARGETS]
        self.member_targets = [t for t in targets if t[1][1] in _MEMBER_TARGETS]
        self.household_columns = tuple(name for name, _ in self.household_targets)
        # (cells, household, kecamatan, warnings) of the last row whose household cells
        # parsed without an error.
        self.last_household: tuple | None = None
        self.required_member = [
            c for c in columns.REQUIRED if columns.BY_NAME[c].level == columns.MEMBER
        ]

    def shared(self, text: str) -> str:
        """One string object for a repeated cell (birth place, kecamatan): 1,000,000 rows
        hold ~50 MB less."""
        found = self.texts.get(text)
        if found is None:
            found = text
            if len(self.texts) < _CACHE_LIMIT:
                self.texts[text] = text
        return found

    # Issues ----------------------------------------------------------------------------------

    def error(self, row: WorkRow, column: str | None, code: str, message: str) -> None:
        self.issues.append(Issue(row.number, column, code, message, ERROR))
        row.error = True
        row.error_columns = row.error_columns | {column}

    def warn(self, row: WorkRow, column: str | None, code: str, message: str) -> None:
        self.issues.append(Issue(row.number, column, code, message, WARNING))

    # Row pass --------------------------------------------------------------------------------

    def row(self, source: SourceRow) -> WorkRow:
        row = WorkRow(source.number)
        values = source.values
        # The KK is part of the key: two families in one house (same address, same cells)
        # must not share a dict, which the family pass turns into each one's household.
        cells = (values.get("kk_number"), *map(values.get, self.household_columns))
        last = self.last_household
        if last is not None and last[0] == cells:  # the family's next member, usually
            row.household, row.kecamatan = last[1], last[2]
            for column, code, message in last[3]:
                self.warn(row, column, code, message)
        else:
            first_issue = len(self.issues)
            self._cells(row, values, self.household_targets)
            if (
                self.source_format == choices.PBDT2015
                and row.household.get("lighting") == "pln_metered"
                and values.get("electricity_va") == "6"  # daya 6: PLN without own meter
            ):
                row.household["lighting"] = "pln_unmetered"
            warnings = [(i.column, i.code, i.message) for i in self.issues[first_issue:]]
            self.last_household = (
                None if row.error else (cells, row.household, row.kecamatan, warnings)
            )
        self._cells(row, values, self.member_targets)
        for name in self.required_member:
            if name not in row.member and values.get(name, "") in _BLANK:
                self.error(row, name, "required", self._required_message(name))
        self._kk(row, values.get("kk_number", ""))
        self._nik(row, values.get("nik", ""))
        row.member = MemberValues.of(row.member)  # compact from here on: a million rows wait
        return row

    def _cells(self, row: WorkRow, values: dict[str, str], targets) -> None:
        household, member = row.household, row.member
        for name, (parse, where, max_length) in targets:
            text = values.get(name)
            if text is None or text in _BLANK:
                continue
            if where <= _TO_HOUSEHOLD_TEXT:  # text: most cells need no work at all
                if "  " in text or (max_length and len(text) > max_length):
                    value = _text(text, max_length)
                else:
                    value = text
            elif parse is None:
                if where == _TO_KECAMATAN:
                    row.kecamatan = self.shared(text)
                continue
            else:
                value = parse[text]
            if value.__class__ is CellError:
                self.error(row, name, value.code, value.message)  # type: ignore[attr-defined]
            elif where == _TO_MEMBER:
                member[name] = value
            elif where == _TO_MEMBER_TEXT:
                member[name] = value if name == "name" else self.shared(value)  # type: ignore[arg-type]
            elif where in (_TO_HOUSEHOLD, _TO_HOUSEHOLD_TEXT):
                if value is not None:  # None: a code meaning "not given" (PBDT daya 6)
                    household[name] = value  # household columns and programs: per family
            elif where == _TO_MEMBER_PROGRAM:  # PBI-JK, KIP: enrolled per member
                combination = (*row.programs.items(), (name[8:], value))
                found = self.program_sets.get(combination)
                if found is None:
                    found = self.program_sets.setdefault(combination, dict(combination))
                row.programs = found
            elif where == _TO_KELURAHAN:
                household["kelurahan"] = value.kelurahan_id  # type: ignore[attr-defined]
                if value.other_id is not None:  # type: ignore[attr-defined]
                    self._ambiguous_code(row, text, value)
            else:  # _TO_RT_RW
                household.setdefault("rt", value[0])  # type: ignore[index]
                household.setdefault("rw", value[1])  # type: ignore[index]

    def _required_message(self, name: str) -> str:
        return _("%(column)s is empty. Every row needs it: fill it in.") % {
            "column": columns.BY_NAME[name].label
        }

    def _ambiguous_code(self, row: WorkRow, text: str, value) -> None:
        names = self.regions.names
        self.warn(
            row,
            "kelurahan",
            "kelurahan_code_ambiguous",
            _(
                "Code %(code)s is %(used)s in one code list and %(other)s in the other; "
                "%(used)s was used. Write the dotted code or the name to be sure."
            )
            % {
                "code": text,
                "used": names.get(value.kelurahan_id, value.kelurahan_id),
                "other": names.get(value.other_id, value.other_id),
            },
        )

    def _repeated_nik(self, row: WorkRow, first: int) -> None:
        self.error(
            row,
            "nik",
            "nik_twice_in_file",
            _(
                "This NIK is already on row %(row)s of this file. One person has one row: "
                "remove the duplicate or correct the NIK."
            )
            % {"row": first},
        )

    def _kk(self, row: WorkRow, text: str) -> None:
        if text in _BLANK:
            self.error(row, "kk_number", "required", self._required_message("kk_number"))
            return
        result = self.kk_cache.get(text, MISSING)
        if result is MISSING:
            kk = normalise_number(text.lstrip("'"))
            try:
                result = (kk, parse_kk_registration_date(kk, self.today))
            except ValidationError as error:
                result = _id_error(error, "kk")
            self.kk_cache[text] = result
        if result.__class__ is CellError:
            self.error(row, "kk_number", result.code, result.message)  # type: ignore[attr-defined]
            return
        row.kk, row.kk_date = result  # type: ignore[misc]
        if row.kk == columns.EXAMPLE_KK_NUMBER:
            self.error(
                row,
                "kk_number",
                "template_example",
                _(
                    "This is the template's example family, not a real one. Delete the "
                    "example rows before you upload."
                ),
            )
        if row.kk.endswith("000"):  # type: ignore[union-attr]
            self.warn(row, "kk_number", "kk_truncated", self._truncated_message(_("KK number")))

    def _truncated_message(self, label: str) -> str:
        return _(
            "%(label)s ends in 000, which often means Excel rounded it. Compare it with the card; "
            "if it differs, format the column as Text and type it again."
        ) % {"label": label}

    def _nik(self, row: WorkRow, text: str) -> None:
        if text in _BLANK:
            return  # reported as required above
        nik = normalise_number(text.lstrip("'"))
        try:
            parts = self.niks.parse(nik)
        except ValidationError as error:
            found = _id_error(error, "nik")
            self.error(row, "nik", found.code, found.message)
            return
        first = self.first_row_of_nik.setdefault(nik, row.number)
        if first != row.number:
            self._repeated_nik(row, first)
            return
        row.member["nik"] = nik
        if nik.endswith("000"):
            self.warn(row, "nik", "nik_truncated", self._truncated_message("NIK"))
        found = nik_discrepancies(
            nik=nik,
            sex=row.member.get("sex"),  # type: ignore[arg-type]
            birth_date=row.member.get("birth_date"),  # type: ignore[arg-type]
            today=self.today,
            parts=parts,
        )
        if found:
            row.warnings = tuple(d.code for d in found)
            for d in found:
                code = _DISCREPANCY_CODES.get(d.code, f"nik_{d.code}")
                self.warn(row, "nik", code, d.message)
