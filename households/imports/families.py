"""The family pass behind households.imports.validation.validate_rows: household columns
merged over a family's rows, one head, kelurahan scope and kecamatan, KK dates. Pure."""

from households.imports import choices, columns
from households.imports.checks import HEAD, MISSING, Problem, RowChecker, WorkRow
from slrt.messages import translatable as _


class Checker(RowChecker):
    """The row pass plus the family pass."""

    def family(self, rows: list[WorkRow]) -> tuple[dict[str, object], list[Problem]]:
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
                name in r.error_columns or "rt_rw" in r.error_columns for r in rows
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
                if row.kecamatan and not self.regions.kecamatan_matches(kelurahan, row.kecamatan):
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
                            "value": row.kecamatan,
                        },
                    )
        problems.extend(self._heads(rows))
        return household, problems

    @staticmethod
    def _same_on_every_row(rows: list[WorkRow]) -> dict[str, object] | None:
        """The usual case: household columns on one row only, or the same on every row. The
        row pass made that one dict per family run (RowChecker.row), so it becomes the
        family's household without a copy. None when the rows differ."""
        first: dict[str, object] | None = None
        for row in rows:
            if not row.household or row.household is first:
                continue
            if first is None:
                first = row.household
            elif row.household != first:
                return None
        return {} if first is None else first

    def _merged(self, rows: list[WorkRow]) -> dict[str, object]:
        """Household columns over rows that differ: blank on some rows is fine, two values
        for one column are a conflict, reported on the row that disagrees."""
        household: dict[str, object] = {}
        origin: dict[str, int] = {}
        for row in rows:
            if not row.household:
                continue
            for name, value in row.household.items():
                current = household.get(name, MISSING)
                if current is MISSING:
                    household[name] = value
                    origin[name] = row.number
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

    def _heads(self, rows: list[WorkRow]) -> list[Problem]:
        heads = [r.number for r in rows if r.member.get("relationship") == HEAD]
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
        if any("relationship" not in r.member for r in rows):
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

    def kk_dates(self, rows: list[WorkRow]) -> None:
        """Warning: a KK registered before its head was born (DOMAIN.md section 3). The year
        in a KK number has two digits: households.nik reads it against today."""
        registered = rows[0].kk_date
        if registered is None:
            return
        for row in rows:
            born = row.member.get("birth_date")
            if row.member.get("relationship") == HEAD and born and registered < born:  # type: ignore[operator]
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


HOUSEHOLD_COLUMNS = frozenset(
    c.name
    for c in columns.COLUMNS
    if c.level == columns.HOUSEHOLD or c.program_level == columns.HOUSEHOLD
)


def breaks_family(row: WorkRow, family: list[WorkRow]) -> bool:
    """Does this row's error keep its whole family out? Yes when the family's own data is in
    doubt: the head's row, a household column, or a relationship that may have been the head.
    Another member's error rejects that member only."""
    if row.member.get("relationship") == HEAD or row.error_columns & HOUSEHOLD_COLUMNS:
        return True
    if None in row.error_columns:
        return True
    return "relationship" in row.error_columns and not any(
        r.member.get("relationship") == HEAD for r in family
    )
