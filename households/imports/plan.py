"""Compare validated rows with the registry: what an import would create, change or leave.

The same plan is shown as the preview and, recomputed inside the commit's transaction, applied
by households.imports.apply, so the preview never promises what the commit would not do.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import F

from households.existence import registered_elsewhere_message
from households.imports.validation import CleanRow, Issue
from households.models import Enrolment, Household, Member
from slrt.db import where_in
from slrt.messages import translatable as _

SAMPLE_SIZE = 20
# Rows refused because a number is registered outside the importer's scope: existence answers.
EXISTENCE_CODES = frozenset({"kk_outside_scope", "nik_outside_scope"})


@dataclass(slots=True)
class MemberChange:
    member_id: int
    row: CleanRow
    changes: dict[str, list[Any]]
    moved_from: int | None = None  # household id the member leaves


@dataclass(slots=True)
class FamilyPlan:
    kk_number: str
    rows: list[CleanRow]
    household_id: int | None = None
    household_changes: dict[str, list[Any]] = field(default_factory=dict)
    new_members: list[CleanRow] = field(default_factory=list)
    changed_members: list[MemberChange] = field(default_factory=list)
    unchanged_members: int = 0
    program_starts: list[tuple[str, CleanRow | None]] = field(default_factory=list)
    # Not in the registry when planned; stays True once the commit gives it an id, so the
    # summary after the commit counts it as new.
    is_new: bool = True

    @property
    def change_count(self) -> int:
        """The records the commit writes for this family: the household when it is new or its
        own columns change, each new or changed member, each new enrolment."""
        return (
            int(self.is_new or bool(self.household_changes))
            + len(self.new_members)
            + len(self.changed_members)
            + len(self.program_starts)
        )


@dataclass
class ImportPlan:
    families: list[FamilyPlan] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    rejected_rows: set[int] = field(default_factory=set)

    def counts(self) -> dict[str, int]:
        live = self.families
        existing = [  # changed or not, each family already in the registry
            bool(f.household_changes or f.changed_members or f.new_members)
            for f in live
            if not f.is_new
        ]
        return {
            "households_new": len(live) - len(existing),
            "households_updated": sum(existing),
            "households_unchanged": existing.count(False),
            "members_new": sum(len(f.new_members) for f in live),
            "members_updated": sum(
                1 for f in live for m in f.changed_members if m.moved_from is None
            ),
            "members_moved": sum(1 for f in live for m in f.changed_members if m.moved_from),
            "members_unchanged": sum(f.unchanged_members for f in live),
            "enrolments_new": sum(len(f.program_starts) for f in live),
            "changes": sum(f.change_count for f in live),  # what the confirm button counts
        }

    def sample(self) -> list[dict[str, Any]]:
        """A few field changes to show the clerk before they confirm."""
        sample: list[dict[str, Any]] = []
        for family in self.families:
            for name, (old, new) in family.household_changes.items():
                sample.append(
                    {"kk": family.kk_number, "who": "", "field": name, "old": old, "new": new}
                )
            for change in family.changed_members:
                for name, (old, new) in change.changes.items():
                    who = change.row.member.get("name", "")
                    sample.append(
                        {"kk": family.kk_number, "who": who, "field": name, "old": old, "new": new}
                    )
            if len(sample) >= SAMPLE_SIZE:
                break
        return sample[:SAMPLE_SIZE]


def build_plan(
    rows: list[CleanRow],
    *,
    allowed_kelurahan_ids: frozenset[int] | None,
    confirm_moves: bool,
    for_update: bool = False,
) -> ImportPlan:
    """`allowed_kelurahan_ids` None means city-wide. With `for_update` (inside the commit's
    transaction) the existing rows are locked so no form save slips in between."""
    plan = ImportPlan()
    families: dict[str, list[CleanRow]] = defaultdict(list)
    for row in rows:
        families[row.kk_number].append(row)
    households = _existing_households(list(families), for_update)
    members = _existing_members([r.member["nik"] for r in rows], for_update)
    members_by_household = _members_of(h["id"] for h in households.values())
    active = _active_enrolments(h["id"] for h in households.values())

    for kk_number, family_rows in families.items():
        existing = households.get(kk_number)
        family = FamilyPlan(kk_number=kk_number, rows=family_rows)
        problem = _family_problem(
            existing, family_rows, members, members_by_household, allowed_kelurahan_ids
        )
        if problem:
            _reject(plan, family_rows, *problem)
            continue
        if existing is not None:
            family.household_id, family.is_new = existing["id"], False
            family.household_changes = _diff(existing, family_rows[0].household)
        refused = _plan_members(family, members, confirm_moves, allowed_kelurahan_ids)
        if refused:
            for row, code in refused:
                _reject(plan, [row], code, _refusal_message(code, row, kk_number))
            numbers = {row.number for row, _code in refused}
            rest = [r for r in family_rows if r.number not in numbers]
            if any(_is_head(row) for row, _code in refused):
                # Without its head's row the family would be left with no head: it waits for
                # the fixed file, whole.
                _reject(plan, rest, "head_row_refused", _head_refused_message(kk_number))
                continue
            family.rows = rest
            if not family.rows:
                continue
        _plan_programs(family, active.get(family.household_id, set()))
        _note_missing_members(plan, family, members_by_household)
        plan.families.append(family)
    return plan


def _is_head(row: CleanRow) -> bool:
    return row.member.get("relationship") == Member.Relationship.HEAD


def _refusal_message(code: str, row: CleanRow, kk_number: str) -> str:
    if code == "nik_outside_scope":
        # Nothing of the registered person is shown: not their name, family or kelurahan
        # (counted and capped per user by households.imports.services, households.existence).
        return registered_elsewhere_message()
    if code == "nik_head_elsewhere":
        return _(
            "NIK %(nik)s is the head of another family, which would be left without a head. "
            "Give that family another head on its household page first."
        ) % {"nik": row.member["nik"]}
    return _(
        "NIK %(nik)s is registered in another family. Tick “Move … members who are "
        "registered in another family into the family of this file” to move this person "
        "into KK %(kk)s."
    ) % {"nik": row.member["nik"], "kk": kk_number}


def _head_refused_message(kk_number: str) -> str:
    return _(
        "The head of KK %(kk)s cannot be imported (see the head's row), so this family is not "
        "imported. Fix the head's row and upload the file again."
    ) % {"kk": kk_number}


def _family_problem(
    existing, rows, members, members_by_household, allowed
) -> tuple[str, str] | None:
    if existing is not None and allowed is not None and existing["kelurahan_id"] not in allowed:
        return ("kk_outside_scope", registered_elsewhere_message())
    target = rows[0].household.get("kelurahan")
    if existing is None and allowed is not None and target is not None and target not in allowed:
        # The check of the file refuses such rows already; the commit, by another user, too.
        return (
            "kelurahan_outside_scope",
            _("You can import only for the kelurahan you work in."),
        )
    head = next((r for r in rows if _is_head(r)), None)
    if head is None:  # the head's own row had an error: the family waits for the fixed file
        return (
            "head_row_invalid",
            _(
                "The head of KK %(kk)s is on a row with an error, so this family is not imported. "
                "Fix the head's row and upload the file again."
            )
            % {"kk": rows[0].kk_number},
        )
    if existing is None:
        return None
    current_heads = [
        m for m in members_by_household.get(existing["id"], []) if m["relationship"] == "head"
    ]
    file_niks = {r.member["nik"] for r in rows}
    for current in current_heads:
        if current["nik"] != head.member["nik"] and current["nik"] not in file_niks:
            return (
                "head_conflict",
                _(
                    "The registry has %(name)s as head of KK %(kk)s, but the file names another "
                    "head. Put %(name)s in the file with their relationship, or change the head "
                    "on the household page first."
                )
                % {"name": current["name"], "kk": rows[0].kk_number},
            )
    return None


def _plan_members(
    family: FamilyPlan,
    members: dict[str, dict],
    confirm_moves: bool,
    allowed: frozenset[int] | None,
) -> list[tuple[CleanRow, str]]:
    """Sort the family's rows into new, changed and unchanged members; return the rows that
    are refused, with why: a person registered in a family outside the importer's scope
    (`allowed`, None: the whole city), the head of another family (who would leave it
    headless), or a move from another family the user did not confirm. One dict lookup
    per row over what build_plan loaded: no query."""
    refused: list[tuple[CleanRow, str]] = []
    for row in family.rows:
        current = members.get(row.member["nik"])
        if current is None:
            family.new_members.append(row)
            continue
        moved_from = None
        if family.household_id is None or current["household_id"] != family.household_id:
            if allowed is not None and current["household_kelurahan_id"] not in allowed:
                refused.append((row, "nik_outside_scope"))
                continue
            if current["relationship"] == Member.Relationship.HEAD:
                refused.append((row, "nik_head_elsewhere"))
                continue
            if not confirm_moves:
                refused.append((row, "nik_in_other_family"))
                continue
            moved_from = current["household_id"]
        changes = _diff(current, row.member)
        if changes or moved_from:
            family.changed_members.append(
                MemberChange(current["id"], row, changes, moved_from=moved_from)
            )
        else:
            family.unchanged_members += 1
    return refused


def _plan_programs(family: FamilyPlan, active: set[tuple[str, int | None]]) -> None:
    """A 'yes' starts an enrolment the registry lacks. A 'no' never ends one: aid is ended by
    a person on the household page, not by a file."""
    for row in family.rows:
        for code, enrolled in row.programs.items():
            if not enrolled:
                continue
            member_level = code in MEMBER_PROGRAMS
            key = (code, row.member["nik"] if member_level else None)
            if key in active:
                continue
            active.add(key)
            family.program_starts.append((code, row if member_level else None))


MEMBER_PROGRAMS = {"pbi-jk", "kip"}


def _note_missing_members(plan: ImportPlan, family: FamilyPlan, members_by_household) -> None:
    if family.household_id is None:
        return
    in_file = {r.member["nik"] for r in family.rows}
    missing = [
        m["name"]
        for m in members_by_household.get(family.household_id, [])
        if m["nik"] not in in_file
    ]
    if missing:
        plan.issues.append(
            Issue(
                row=family.rows[0].number,
                column=None,
                code="member_missing",
                message=_(
                    "KK %(kk)s in the registry also has %(names)s, who are not in the file. "
                    "Nobody is removed by an import: remove them on the household page if they "
                    "left the family."
                )
                % {"kk": family.kk_number, "names": ", ".join(missing)},
                severity="warning",
            )
        )


def _reject(plan: ImportPlan, rows: list[CleanRow], code: str, message: str) -> None:
    for row in rows:
        plan.rejected_rows.add(row.number)
        plan.issues.append(
            Issue(row=row.number, column=None, code=code, message=message, severity="error")
        )


def _diff(current: dict[str, Any], incoming: dict[str, Any]) -> dict[str, list[Any]]:
    """Fields the file gives that differ from the registry: {field: [old, new]}."""
    changes = {}
    for name, value in incoming.items():
        key = "kelurahan_id" if name == "kelurahan" else name
        if key in current and current[key] != value:
            changes[name] = [current[key], value]
    return changes


# --- reads: one query per lookup on PostgreSQL, chunks elsewhere (slrt.db.where_in) -----------


def _existing_households(kk_numbers: list[str], for_update: bool) -> dict[str, dict]:
    return _existing(Household, "kk_number", kk_numbers, for_update)


def _existing_members(niks: list[str], for_update: bool) -> dict[str, dict]:
    """With the kelurahan of each member's household, for the scope check of a move (in the
    same query: the check is then a set lookup per row)."""
    members = Member.objects.annotate(household_kelurahan_id=F("household__kelurahan_id"))
    return _existing(Member, "nik", niks, for_update, queryset=members)


def _existing(
    model, key: str, values: list[str], for_update: bool, queryset=None
) -> dict[str, dict]:
    """Rows whose `key` is one of `values`, as dicts by key; locked inside the commit."""
    found: dict[str, dict] = {}
    queryset = (model.objects.all() if queryset is None else queryset).order_by("pk")
    if for_update:
        queryset = queryset.select_for_update(of=("self",))
    for part in where_in(queryset, key, values):
        for row in part.values():
            found[row[key]] = row
    return found


def _members_of(household_ids: Iterable[int]) -> dict[int, list[dict]]:
    by_household: dict[int, list[dict]] = defaultdict(list)
    for part in where_in(Member.objects.all(), "household_id", list(household_ids)):
        for values in part.values("id", "household_id", "nik", "name", "relationship"):
            by_household[values["household_id"]].append(values)
    return by_household


def _active_enrolments(household_ids: Iterable[int]) -> dict[int, set[tuple[str, str | None]]]:
    active: dict[int, set[tuple[str, str | None]]] = defaultdict(set)
    enrolments = Enrolment.objects.filter(status=Enrolment.Status.ACTIVE)
    for part in where_in(enrolments, "household_id", list(household_ids)):
        for household_id, code, nik in part.values_list(
            "household_id", "program__code", "member__nik"
        ):
            active[household_id].add((code, nik))
    return active
