"""Write an ImportPlan to the registry, inside the caller's transaction, in batches.

Households are created or updated, members created, updated or moved, enrolments started,
the stored summaries (head name, member count, search text) refreshed, and every write
recorded in the change history with the batch as its source.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import User
from django.db.models import F
from django.utils import timezone

from households.imports.plan import FamilyPlan, ImportPlan
from households.models import (
    ChangeRecord,
    Enrolment,
    Household,
    ImportBatch,
    Member,
    Program,
    Region,
)
from households.nik import nik_discrepancies
from households.services import build_search_text, plain_value

BATCH = 2000


@dataclass(frozen=True)
class ApplyResult:
    households_created: int
    households_updated: int
    members_created: int
    members_updated: int
    enrolments_created: int


def apply_plan(*, plan: ImportPlan, batch: ImportBatch, by: User) -> ApplyResult:
    """The caller holds the transaction (households.imports.services.commit_import_batch)."""
    now = timezone.now()
    today = timezone.localdate()
    history: list[ChangeRecord] = []

    def record(household_id: int, entity: str, object_id: int, label: str, action: str, changes):
        history.append(
            ChangeRecord(
                household_id=household_id,
                entity=entity,
                object_id=object_id,
                object_label=label[:200],
                action=action,
                changes=_plain(changes),
                actor=by,
                import_batch=batch,
            )
        )

    created = _create_households(plan.families, by, now)
    for family, household in created:
        family.household_id = household.pk
        record(household.pk, "household", household.pk, str(household), "created", {})
    updated = [f for f in plan.families if not f.is_new and f.household_changes]
    _update_households(updated, by, now)
    for family in updated:
        record(
            family.household_id,
            "household",
            family.household_id,
            family.kk_number,
            "updated",
            family.household_changes,
        )
    touched = {
        f.household_id
        for f in plan.families
        if f.is_new or f.household_changes or f.new_members or f.changed_members
    }

    changed = [(f, c) for f in plan.families for c in f.changed_members]
    moved_from = {c.moved_from for _, c in changed if c.moved_from}
    _update_members(changed, today)
    for family, change in changed:
        changes = dict(change.changes)
        if change.moved_from:
            changes["household"] = [change.moved_from, family.household_id]
        record(
            family.household_id,
            "member",
            change.member_id,
            change.row.member.get("name", ""),
            "updated",
            changes,
        )

    new_members = _create_members(plan.families, today)
    for member in new_members:
        record(member.household_id, "member", member.pk, member.name, "created", {})

    enrolments = _create_enrolments(plan.families, today)
    for enrolment in enrolments:
        record(
            enrolment.household_id, "enrolment", enrolment.pk, enrolment.program.name, "created", {}
        )

    refresh_summaries(touched | moved_from, by=by, now=now)
    ChangeRecord.objects.bulk_create(history, batch_size=BATCH)
    return ApplyResult(
        households_created=len(created),
        households_updated=len(updated),
        members_created=len(new_members),
        members_updated=len(changed),
        enrolments_created=len(enrolments),
    )


def _create_households(
    families: list[FamilyPlan], by: User, now
) -> list[tuple[FamilyPlan, Household]]:
    pairs = []
    for family in (f for f in families if f.is_new):
        values = {k: v for k, v in family.rows[0].household.items() if k != "kelurahan"}
        household = Household(
            kk_number=family.kk_number,
            kelurahan_id=family.rows[0].household["kelurahan"],
            source=Household.Source.IMPORT,
            created_by=by,
            updated_by=by,
            **values,
        )
        pairs.append((family, household))
    Household.objects.bulk_create([h for _, h in pairs], batch_size=BATCH)
    return pairs


def _update_households(families: list[FamilyPlan], by: User, now) -> None:
    by_fields: dict[tuple[str, ...], list[Household]] = {}
    for family in families:
        values = family.rows[0].household
        household = Household(pk=family.household_id)
        for name in family.household_changes:
            setattr(household, "kelurahan_id" if name == "kelurahan" else name, values[name])
        key = tuple(
            sorted("kelurahan_id" if n == "kelurahan" else n for n in family.household_changes)
        )
        by_fields.setdefault(key, []).append(household)
    for fields, households in by_fields.items():
        Household.objects.bulk_update(households, list(fields), batch_size=BATCH)
    ids = [f.household_id for f in families]
    for start in range(0, len(ids), BATCH):
        # A form opened before the import is now stale: its save will be refused.
        Household.objects.filter(pk__in=ids[start : start + BATCH]).update(
            version=F("version") + 1, updated_by=by, updated_at=now
        )


def _update_members(changed, today) -> None:
    """Members leaving the head role are written before those taking it, so the one-head
    constraint never sees two heads in a family."""

    def leaves_head_first(pair) -> bool:
        return pair[1].row.member.get("relationship") == Member.Relationship.HEAD

    by_fields: dict[tuple[str, ...], list[Member]] = {}
    for family, change in sorted(changed, key=leaves_head_first):
        member = Member(pk=change.member_id, household_id=family.household_id)
        fields = set(change.changes)
        for name in fields:
            setattr(member, name, change.row.member[name])
        if change.moved_from:
            fields.add("household_id")
        member.nik_warnings = _nik_warnings(change.row.member, today)
        fields.add("nik_warnings")
        is_head = change.row.member.get("relationship") == Member.Relationship.HEAD
        key = (is_head, *sorted(fields))
        by_fields.setdefault(key, []).append(member)
    for key in sorted(by_fields):  # non-head groups (False) first
        Member.objects.bulk_update(by_fields[key], list(key[1:]), batch_size=BATCH)


def _create_members(families: list[FamilyPlan], today) -> list[Member]:
    members = [
        Member(
            household_id=family.household_id,
            nik_warnings=_nik_warnings(row.member, today),
            **row.member,
        )
        for family in families
        for row in family.new_members
    ]
    Member.objects.bulk_create(members, batch_size=BATCH)
    return members


def _create_enrolments(families: list[FamilyPlan], today) -> list[Enrolment]:
    programs = {p.code: p for p in Program.objects.all()}
    starts = [
        (f, code, row) for f in families for code, row in f.program_starts if code in programs
    ]
    niks = [row.member["nik"] for _, _, row in starts if row is not None]
    member_ids = dict(Member.objects.filter(nik__in=niks).values_list("nik", "pk")) if niks else {}
    enrolments = [
        Enrolment(
            household_id=family.household_id,
            program=programs[code],
            member_id=member_ids.get(row.member["nik"]) if row is not None else None,
            start_date=today,
        )
        for family, code, row in starts
    ]
    Enrolment.objects.bulk_create(enrolments, batch_size=BATCH)
    return enrolments


def refresh_summaries(household_ids: Iterable[int], *, by: User | None = None, now=None) -> None:
    """Recompute head name, member count and search text of these households from their
    members, in batches: one read of the members, one bulk update."""
    ids = sorted(i for i in household_ids if i is not None)
    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        households = Household.objects.in_bulk(chunk)
        members: dict[int, list[Member]] = {pk: [] for pk in chunk}
        for member in (
            Member.objects.filter(household_id__in=chunk)
            .order_by("pk")
            .only("household_id", "name", "nik", "relationship", "is_deceased")
        ):
            members[member.household_id].append(member)
        for pk, household in households.items():
            family = members[pk]
            head = next((m for m in family if m.relationship == Member.Relationship.HEAD), None)
            household.head_name = head.name if head else ""
            household.member_count = sum(1 for m in family if not m.is_deceased)
            household.search_text = build_search_text(household, family)
        Household.objects.bulk_update(
            households.values(), ["head_name", "member_count", "search_text"], batch_size=BATCH
        )


def _nik_warnings(member: dict[str, Any], today) -> list[str]:
    return [
        d.code
        for d in nik_discrepancies(
            nik=member["nik"],
            sex=member.get("sex"),
            birth_date=member.get("birth_date"),
            today=today,
        )
    ]


def _plain(changes: dict[str, list[Any]]) -> dict[str, list[Any]]:
    """History stores readable values: a kelurahan by name, dates as ISO text."""
    plain = {}
    for name, (old, new) in changes.items():
        if name == "kelurahan":
            names = dict(Region.objects.filter(pk__in=[old, new]).values_list("pk", "name"))
            old, new = names.get(old, old), names.get(new, new)
        plain[name] = [plain_value(old), plain_value(new)]
    return plain
