"""The family pass behind households.imports.validation.validate_rows: household columns
merged over a family's rows, one head, kelurahan scope and kecamatan, KK dates. A family is
the list of its rows' indices into the column pass's lists (households.imports.checks). Pure."""

from itertools import repeat

from households.imports import choices, columns
from households.imports.checks import HEAD, MISSING, Problem, RowChecker
from households.imports.members import ABSENT
from slrt.messages import translatable as _

_NONE_EACH = repeat(frozenset())  # map(dict.get, keys, _NONE_EACH): a default per key

HOUSEHOLD_COLUMNS = frozenset(
    c.name
    for c in columns.COLUMNS
    if c.level == columns.HOUSEHOLD or c.program_level == columns.HOUSEHOLD
)


class Checker(RowChecker):
    """The column pass plus the family pass."""

    def family(self, rows: list[int]) -> tuple[dict[str, object], list[Problem]]:
        """Merge the household columns over the rows; return the household and the problems
        of the whole family (column, code, message)."""
        household = self._same_on_every_row(rows)
        if household is None:
            household = self._merged(rows)
        problems: list[Problem] = []
        if "kelurahan" not in household and self.default_kelurahan_id is not None:
            household["kelurahan"] = self.default_kelurahan_id
        for name in ("address", "rt", "rw", "kelurahan"):
            if name not in household and not any(
                name in e or "rt_rw" in e for e in map(self.error_columns.get, rows, _NONE_EACH)
            ):
                problems.append((name, "required", self._family_required_message(name)))
        kelurahan = household.get("kelurahan")
        if kelurahan is not None:
            if self.allowed is not None and kelurahan not in self.allowed:
                problems.append(
                    (
                        "kelurahan",
                        "kelurahan_outside_scope",
                        _(
                            "Kelurahan %(name)s is outside the area you may import for. Import "
                            "only families of your own kelurahan."
                        )
                        % {"name": self.regions.names.get(kelurahan, kelurahan)},
                    )
                )
            for row in rows:
                kecamatan = self.household_of[row].kecamatan
                if kecamatan and not self._kecamatan_matches(kelurahan, kecamatan):
                    self.error(
                        row,
                        "kecamatan",
                        "kecamatan_mismatch",
                        _(
                            "Kelurahan %(kelurahan)s is in Kecamatan %(expected)s, not "
                            "%(value)s. Check the kelurahan and the kecamatan."
                        )
                        % {
                            "kelurahan": self.regions.names.get(kelurahan, kelurahan),
                            "expected": self.regions.kecamatan_names.get(kelurahan, "?"),
                            "value": kecamatan,
                        },
                    )
        problems.extend(self._heads(rows))
        return household, problems

    def _kecamatan_matches(self, kelurahan: int, kecamatan: str) -> bool:
        key = (kelurahan, kecamatan)
        found = self.kecamatan_checked.get(key)
        if found is None:
            found = self.kecamatan_checked[key] = self.regions.kecamatan_matches(*key)
        return found

    def _same_on_every_row(self, rows: list[int]) -> dict[str, object] | None:
        """The usual case: household columns on one row only, or the same on every row. The
        column pass made that one dict per distinct key (RowChecker._households), so it
        becomes the family's household without a copy. None when the rows differ."""
        first: dict[str, object] | None = None
        for row in rows:
            household = self.household_of[row].values
            if not household or household is first:
                continue
            if first is None:
                first = household
            elif household != first:
                return None
        return {} if first is None else first

    def _merged(self, rows: list[int]) -> dict[str, object]:
        """Household columns over rows that differ: blank on some rows is fine, two values
        for one column are a conflict, reported on the row that disagrees."""
        household: dict[str, object] = {}
        origin: dict[str, int] = {}
        for row in rows:
            for name, value in self.household_of[row].values.items():
                current = household.get(name, MISSING)
                if current is MISSING:
                    household[name] = value
                    origin[name] = self.numbers[row]
                elif current != value:
                    self.error(
                        row,
                        name,
                        "household_conflict",
                        _(
                            "%(column)s is %(value)s here but %(other)s on row %(row)s of the "
                            "same KK. A family has one value: make the rows agree."
                        )
                        % {
                            "column": columns.BY_NAME[name].label,
                            "value": self._display(name, value),
                            "other": self._display(name, current),
                            "row": origin[name],
                        },
                    )
        return household

    def _family_required_message(self, name: str) -> str:
        return _(
            "%(column)s is empty on every row of this family. Fill it in on at least the "
            "head's row."
        ) % {"column": columns.BY_NAME[name].label}

    def _heads(self, rows: list[int]) -> list[Problem]:
        relationships = self.relationships
        heads = [self.numbers[r] for r in rows if relationships[r] == HEAD]
        if len(heads) == 1:
            return []
        if len(heads) > 1:
            return [
                (
                    "relationship",
                    "head_twice",
                    _(
                        "This KK has %(count)s heads of household (rows %(rows)s). A family "
                        "has exactly one Kepala Keluarga: correct the Hubungan Keluarga."
                    )
                    % {"count": len(heads), "rows": ", ".join(map(str, heads))},
                )
            ]
        if any(relationships[r] is ABSENT for r in rows):
            return []  # an unreadable or empty relationship is already reported on its row
        return [
            (
                "relationship",
                "head_missing",
                _(
                    "This KK has no head of household. Mark one member as Kepala Keluarga "
                    "in the Hubungan Keluarga column."
                ),
            )
        ]

    def _display(self, name: str, value: object) -> str:
        if name == "kelurahan":
            return str(self.regions.names.get(value, value))  # type: ignore[arg-type]
        if isinstance(value, bool):
            return str(_("Yes") if value else _("No"))
        return choices.label_of(name, value)

    def kk_dates(self, rows: list[int]) -> None:
        """Warning: a KK registered before its head was born (DOMAIN.md section 3). The year
        in a KK number has two digits: households.nik reads it against today."""
        registered = self.kk_registered[rows[0]]
        if registered is None:
            return
        for row in rows:
            born = self.births[row]
            if self.relationships[row] == HEAD and born is not ABSENT and registered < born:  # type: ignore[operator]
                self.warn(
                    row,
                    "kk_number",
                    "kk_date",
                    _(
                        "The KK number says the card was issued on %(date)s, before its head "
                        "was born. Check the KK number and the birth date."
                    )
                    % {"date": registered.strftime("%d-%m-%Y")},
                )

    def breaks_family(self, row: int, family: list[int]) -> bool:
        """Does this row's error keep its whole family out? Yes when the family's own data is
        in doubt: the head's row, a household column, or a relationship that may have been
        the head. Another member's error rejects that member only."""
        errors, relationships = self.error_columns[row], self.relationships
        if relationships[row] == HEAD or not errors.isdisjoint(HOUSEHOLD_COLUMNS):
            return True
        if None in errors:
            return True
        return "relationship" in errors and not any(relationships[r] == HEAD for r in family)
