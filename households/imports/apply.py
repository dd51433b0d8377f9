"""Write an ImportPlan to the registry, inside the caller's transaction, in batches.

Households are created or updated, members created, updated or moved, enrolments started,
the stored summaries (head name, member count, search text) refreshed, and every write
recorded in the change history with the batch as its source.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from itertools import islice
from typing import Any

from django.contrib.auth.models import User
from django.db.models import F
from django.utils import timezone

from households.imports.members import ABSENT, FIELDS
from households.imports.plan import FamilyPlan, ImportPlan
from households.imports.writers import BATCH, CHUNK, CopyWriter, OrmWriter, writer_for_database
from households.models import (
    ChangeRecord,
    Enrolment,
    Household,
    ImportBatch,
    Member,
    Program,
    Region,
)
from households.services import SUMMARY_FIELDS, household_summary, plain_value
from slrt.db import where_in


@dataclass(frozen=True)
class ApplyResult:
    households_created: int
    households_updated: int
    members_created: int
    members_updated: int
    enrolments_created: int


def apply_plan(
    *, plan: ImportPlan, batch: ImportBatch, by: User, writer: OrmWriter | CopyWriter | None = None
) -> ApplyResult:
    """The caller holds the transaction (households.imports.services.commit_import_batch).
    `writer` defaults to COPY on PostgreSQL and the ORM elsewhere.

    History: a new household gets one record naming its members and programs (a family is
    created whole, as its file rows say); every change to a household already in the
    registry gets its own record, as a form's save does."""
    writer = writer or writer_for_database()
    writer.prepare()
    today = timezone.localdate()
    programs = {p.code: p for p in Program.objects.all()}
    history = _History(writer, by=by, batch=batch)

    new_families = [f for f in plan.families if f.is_new]
    touched = {  # existing households whose members or fields change
        f.household_id
        for f in plan.families
        if not f.is_new and (f.household_changes or f.new_members or f.changed_members)
    }
    for start in range(0, len(new_families), CHUNK):
        chunk = new_families[start : start + CHUNK]
        # Generators throughout: the COPY takes each row as it is made (writers.py).
        ids = writer.insert(Household, (_new_household(f, by) for f in chunk), count=len(chunk))
        for family, pk in zip(chunk, ids, strict=True):
            family.household_id = pk
            created = _created(family, programs)
            history.add(pk, "household", pk, family.kk_number, "created", created)

    updated = [f for f in plan.families if not f.is_new and f.household_changes]
    _update_households(writer, updated, by, history.now)
    for family in updated:
        history.add(
            family.household_id,
            "household",
            family.household_id,
            family.kk_number,
            "updated",
            _plain(family.household_changes),
        )

    changed = [(f, c) for f in plan.families for c in f.changed_members]
    moved_from = {c.moved_from for _, c in changed if c.moved_from}
    _update_members(writer, changed, today)
    for family, change in changed:
        changes = dict(change.changes)
        if change.moved_from:
            changes["household"] = [change.moved_from, family.household_id]
        history.add(
            family.household_id,
            "member",
            change.member_id,
            change.row.member.get("name", ""),
            "updated",
            _plain(changes),
        )

    # Members in chunks: a million rows never exist twice in memory (as rows and as dicts).
    member_level = {row.member["nik"] for f in plan.families for _, row in f.program_starts if row}
    new_ids: dict[str, int] = {}  # NIK -> id, for member-level enrolments only
    members_created = 0
    new_rows = ((family, row) for family in plan.families for row in family.new_members)
    member_row = _member_row_maker()
    while part := list(islice(new_rows, CHUNK)):
        ids = writer.insert_values(
            Member,
            MEMBER_COLUMNS,
            (member_row(row, family.household_id) for family, row in part),
            count=len(part),
        )
        for (family, row), pk in zip(part, ids, strict=True):
            if not family.is_new:  # a new family's members are in its own record
                history.add(family.household_id, "member", pk, row.member["name"], "created", {})
            if row.member["nik"] in member_level:
                new_ids[row.member["nik"]] = pk
        members_created += len(part)

    starts = _program_starts(plan.families, programs)
    enrolments = _new_enrolments(starts, programs, today, new_ids)
    enrolment_ids = writer.insert(Enrolment, enrolments, count=len(starts))
    for (family, code, _row), pk in zip(starts, enrolment_ids, strict=True):
        if not family.is_new:
            history.add(family.household_id, "enrolment", pk, programs[code].name, "created", {})

    # New families' summaries came from their rows; existing ones are read back.
    refresh_summaries(touched | moved_from)
    history.flush()
    return ApplyResult(
        households_created=len(new_families),
        households_updated=len(updated),
        members_created=members_created,
        members_updated=len(changed),
        enrolments_created=len(enrolment_ids),
    )


MEMBER_COLUMNS = (*FIELDS, "household_id", "nik_warnings")


def _member_row_maker():
    """(row, household id) -> the values of MEMBER_COLUMNS, a field the file left blank
    given its model default. One `dict.get` per field, run by `map` in C: for each field a
    one-key dict {ABSENT: default} gives the default for ABSENT and the value itself else."""
    blanks = tuple({ABSENT: Member._meta.get_field(name).get_default()} for name in FIELDS)
    get = dict.get

    def member_row(row, household_id: int) -> tuple:
        member = row.member
        try:
            values = tuple(map(get, blanks, member, member))
        except TypeError:  # an unhashable value: no field has one today
            values = tuple(
                b[ABSENT] if v is ABSENT else v for b, v in zip(blanks, member, strict=True)
            )
        return (*values, household_id, list(row.nik_warnings))

    return member_row


class _History:
    """ChangeRecords of one import, written in chunks once the rows they name exist."""

    def __init__(self, writer, *, by: User, batch: ImportBatch) -> None:
        self.writer, self.by_id, self.batch_id = writer, by.pk, batch.pk
        self.now = timezone.now()
        self.rows: list[dict[str, Any]] = []

    def add(self, household_id, entity, object_id, label, action, changes) -> None:
        self.rows.append(
            {
                "household_id": household_id,
                "entity": entity,
                "object_id": object_id,
                "object_label": label[:200],
                "action": action,
                "changes": changes,
                "actor_id": self.by_id,
                "import_batch_id": self.batch_id,
                "created_at": self.now,
            }
        )
        if len(self.rows) >= CHUNK:
            self.flush()

    def flush(self) -> None:
        self.writer.insert(ChangeRecord, self.rows, return_ids=False)
        self.rows = []


def _created(family: FamilyPlan, programs: dict[str, Program]) -> dict[str, list[str]]:
    """A new family's record: who it was created with, and in which programs."""
    changes = {"members": ["", ", ".join(row.member.get("name", "") for row in family.rows)]}
    names = sorted({programs[c].name for c, _row in family.program_starts if c in programs})
    if names:
        changes["programs"] = ["", ", ".join(names)]
    return changes


def _new_household(family: FamilyPlan, by: User) -> dict[str, Any]:
    """A new family's row, with the summaries the list shows: its members are its rows."""
    values = dict(family.rows[0].household)
    values["kelurahan_id"] = values.pop("kelurahan")
    people = [
        (m["name"], m["nik"], m.get("relationship"), m.get("is_deceased", False))
        for m in (row.member for row in family.rows)
    ]
    return {
        **values,
        "kk_number": family.kk_number,
        "source": Household.Source.IMPORT,
        "created_by_id": by.pk,
        "updated_by_id": by.pk,
        **household_summary(family.kk_number, values.get("address", ""), people),
    }


def _update_households(writer, families: list[FamilyPlan], by: User, now) -> None:
    by_fields: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for family in families:
        values = family.rows[0].household
        row = {"id": family.household_id}
        for name in family.household_changes:
            row["kelurahan_id" if name == "kelurahan" else name] = values[name]
        by_fields.setdefault(tuple(sorted(row.keys() - {"id"})), []).append(row)
    for fields, rows in by_fields.items():
        writer.update(Household, rows, fields)
    ids = [f.household_id for f in families]
    for start in range(0, len(ids), BATCH):
        # A form opened before the import is now stale: its save will be refused.
        Household.objects.filter(pk__in=ids[start : start + BATCH]).update(
            version=F("version") + 1, updated_by=by, updated_at=now
        )


def _update_members(writer, changed, today) -> None:
    """Members leaving the head role are written before those taking it, so the one-head
    constraint never sees two heads in a family."""
    by_fields: dict[tuple, list[dict[str, Any]]] = {}
    for family, change in changed:
        row = {"id": change.member_id, "household_id": family.household_id}
        fields = set(change.changes)
        for name in fields:
            row[name] = change.row.member[name]
        if change.moved_from:
            fields.add("household_id")
        row["nik_warnings"] = list(change.row.nik_warnings)
        fields.add("nik_warnings")
        is_head = change.row.member.get("relationship") == Member.Relationship.HEAD
        by_fields.setdefault((is_head, *sorted(fields)), []).append(row)
    for key in sorted(by_fields):  # non-head groups (False) first
        writer.update(Member, by_fields[key], key[1:])


def _program_starts(families: list[FamilyPlan], programs: dict[str, Program]):
    return [(f, code, row) for f in families for code, row in f.program_starts if code in programs]


def _new_enrolments(starts, programs: dict[str, Program], today, new_member_ids: dict[str, int]):
    wanted = [
        row.member["nik"]
        for _, _, row in starts
        if row is not None and row.member["nik"] not in new_member_ids
    ]
    member_ids = dict(new_member_ids)
    for part in where_in(Member.objects.all(), "nik", wanted):
        member_ids.update(part.values_list("nik", "pk"))
    return (
        {
            "household_id": family.household_id,
            "program_id": programs[code].pk,
            "member_id": member_ids.get(row.member["nik"]) if row is not None else None,
            "start_date": today,
        }
        for family, code, row in starts
    )


def refresh_summaries(household_ids: Iterable[int]) -> None:
    """Recompute head name, member count and search text of these households from their
    members, in batches: one read of the members, one bulk update."""
    ids = sorted(i for i in household_ids if i is not None)
    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        households = Household.objects.in_bulk(chunk)
        people: dict[int, list[tuple]] = {pk: [] for pk in chunk}
        for household_id, *person in (
            Member.objects.filter(household_id__in=chunk)
            .order_by("pk")
            .values_list("household_id", "name", "nik", "relationship", "is_deceased")
        ):
            people[household_id].append(tuple(person))
        for pk, household in households.items():
            summary = household_summary(household.kk_number, household.address, people[pk])
            for name, value in summary.items():
                setattr(household, name, value)
        Household.objects.bulk_update(households.values(), SUMMARY_FIELDS, batch_size=BATCH)


def _plain(changes: dict[str, list[Any]]) -> dict[str, list[Any]]:
    """History stores readable values: a kelurahan by name, dates as ISO text."""
    plain = {}
    for name, (old, new) in changes.items():
        if name == "kelurahan":
            names = dict(Region.objects.filter(pk__in=[old, new]).values_list("pk", "name"))
            old, new = names.get(old, old), names.get(new, new)
        plain[name] = [plain_value(old), plain_value(new)]
    return plain
