"""Every write to the registry goes through here (STYLE.md section 5).

A household and its members are saved together: exactly one head, NIKs unique, the
edit guarded by the version the user started from, and a change record for each write in
the same transaction.

Each service guards its own writes (issue 16): it checks, through households.scope, that
`by` may write in the kelurahan of every record it touches (for a move: where the family
was and where it goes) and raises the same 404 as a read outside scope. An emergency grant
opens a household to read only.
"""

from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from households import existence
from households.hooks import household_saved
from households.models import (
    ChangeRecord,
    Enrolment,
    ExistenceAnswer,
    Household,
    Member,
    Program,
    Region,
)
from households.nik import Discrepancy, nik_discrepancies
from households.scope import guard_write, may_write_in, write_kelurahan_ids
from households.validators import normalise_rt_rw

HOUSEHOLD_FIELDS = (
    "kk_number",
    "kelurahan",
    "address",
    "rt",
    "rw",
    "latitude",
    "longitude",
    "house_ownership",
    "floor_area",
    "floor_material",
    "wall_material",
    "roof_material",
    "water_source",
    "sanitation",
    "cooking_fuel",
    "lighting",
    "electricity_va",
    "car_count",
    "motorcycle_count",
    "has_refrigerator",
    "has_air_conditioner",
    "has_gold",
    "owns_other_house",
    "land_area",
    "monthly_income",
    "monthly_expenditure",
    "welfare_decile",
    "verification_status",
    "consent",
)
# What the program owner's act on an enrolment changes, as its history shows it (issue 20: the
# removal mark too, by its reason; the record's own time says when).
ENROLMENT_ACT_FIELDS = ("status", "end_date", "removal_reason")
MEMBER_FIELDS = (
    "nik",
    "name",
    "sex",
    "birth_place",
    "birth_date",
    "relationship",
    "marital_status",
    "education",
    "occupation",
    "disability",
    "chronic_illness",
    "is_pregnant",
    "schooling",
    "health_insurance",
    "is_deceased",
)


@dataclass(frozen=True)
class MemberChange:
    """One member row of a household form: new (member_id None), edited, or removed."""

    data: dict[str, Any] = field(default_factory=dict)
    member_id: int | None = None
    delete: bool = False
    position: int = 0  # the row on the form, so errors land beside it
    # The person entering confirmed the row is as on the KTP/KK although its NIK disagrees.
    as_on_card: bool = False


def member_error_key(position: int, field_name: str | None = None) -> str:
    """Error key for a member row: 'member:2:nik'. Views map it back to the row's field."""
    return f"member:{position}:{field_name or ''}"


def register_household(
    *,
    data: dict[str, Any],
    members: list[MemberChange],
    by: User,
    source: str = Household.Source.FORM,
) -> Household:
    """Create a household with its members, in a kelurahan where `by` may write."""
    with _existence_answers(by, data, members):
        try:
            return _register_household(data=data, members=members, by=by, source=source)
        except IntegrityError as error:  # a concurrent save took the same KK or NIK
            raise _conflict_error() from error


@transaction.atomic
def _register_household(
    *, data: dict[str, Any], members: list[MemberChange], by: User, source: str
) -> Household:
    household = Household(source=source, created_by=by, updated_by=by)
    _set_fields(household, HOUSEHOLD_FIELDS, data)
    guard_write(by, household.kelurahan_id)
    household.rt, household.rw = normalise_rt_rw(household.rt), normalise_rt_rw(household.rw)
    _check_location(household)
    _check_kk_free(household, by)
    household.full_clean(exclude=["version", "search_text"])
    household.save()
    _record(household, "household", household, ChangeRecord.Action.CREATED, {}, by)
    _apply_members(household=household, changes=members, by=by)
    household_saved(household.pk)
    return household


def update_household(
    *,
    household: Household,
    data: dict[str, Any],
    members: list[MemberChange],
    expected_version: int,
    by: User,
) -> Household:
    """Save an edit made on a form opened at `expected_version`. If anyone saved in
    between, refuse with code "stale" rather than overwrite their work."""
    with _existence_answers(by, data, members):
        try:
            return _update_household(
                household=household,
                data=data,
                members=members,
                expected_version=expected_version,
                by=by,
            )
        except IntegrityError as error:
            raise _conflict_error() from error


@contextmanager
def _existence_answers(by: User, data: dict[str, Any], members: list[MemberChange]):
    """A KK or NIK registered outside `by`'s scope is answered only "already registered",
    counted and capped (households.existence). Past the cap, a save that names any number not
    registered in `by`'s scope is refused before it is checked, so it tells nothing."""
    if existence.exhausted(by) and existence.names_unknown_numbers(
        by,
        kk_numbers=[data.get("kk_number", "")],
        niks=[c.data.get("nik", "") for c in members if not c.delete],
    ):
        existence.refuse_past_limit(by, source=ExistenceAnswer.Source.FORM)
    try:
        yield
    except ValidationError as error:
        existence.record_answers(by, existence.count_in(error), source=ExistenceAnswer.Source.FORM)
        raise


@transaction.atomic
def _update_household(
    *,
    household: Household,
    data: dict[str, Any],
    members: list[MemberChange],
    expected_version: int,
    by: User,
) -> Household:
    now = timezone.now()
    claimed = Household.objects.filter(pk=household.pk, version=expected_version).update(
        version=F("version") + 1, updated_by=by, updated_at=now
    )
    if not claimed:
        raise _stale_error(household)
    current = Household.objects.select_for_update().get(pk=household.pk)
    was_in = current.kelurahan_id
    guard_write(by, was_in)
    before = _snapshot(current, HOUSEHOLD_FIELDS)
    _set_fields(current, HOUSEHOLD_FIELDS, data)
    if current.kelurahan_id != was_in:
        _check_move(current, by)
    current.rt, current.rw = normalise_rt_rw(current.rt), normalise_rt_rw(current.rw)
    if (current.latitude, current.longitude) != (before["latitude"], before["longitude"]):
        current.location_recorded_at = now if current.latitude is not None else None
    _check_location(current)
    _check_kk_free(current, by)
    current.full_clean(exclude=["version", "search_text"])
    changes = _diff(before, _snapshot(current, HOUSEHOLD_FIELDS))
    current.save(update_fields=[*HOUSEHOLD_FIELDS, "location_recorded_at"])
    if changes:
        _record(current, "household", current, ChangeRecord.Action.UPDATED, changes, by)
    _apply_members(household=current, changes=members, by=by)
    household_saved(current.pk)
    return current


@transaction.atomic
def record_location(
    *, household: Household, latitude: Decimal, longitude: Decimal, by: User
) -> Household:
    """Store where the house is (the browser's GPS), for targeting by name by address."""
    current = Household.objects.select_for_update().get(pk=household.pk)
    guard_write(by, current.kelurahan_id)
    before = _snapshot(current, ("latitude", "longitude"))
    current.latitude, current.longitude = latitude, longitude
    current.location_recorded_at = timezone.now()
    _check_location(current)
    current.updated_by = by
    current.version += 1
    current.save(
        update_fields=[
            "latitude",
            "longitude",
            "location_recorded_at",
            "updated_by",
            "version",
            "updated_at",
        ]
    )
    changes = _diff(before, _snapshot(current, ("latitude", "longitude")))
    if changes:
        _record(current, "household", current, ChangeRecord.Action.UPDATED, changes, by)
    return current


# --- members -------------------------------------------------------------------------------


def _apply_members(*, household: Household, changes: list[MemberChange], by: User) -> None:
    existing = {
        member.pk: member
        for member in Member.objects.select_for_update().filter(household=household).order_by("pk")
    }
    today = timezone.localdate()
    errors: dict[str, list[ValidationError]] = {}

    for change in changes:
        if change.member_id is not None and change.member_id not in existing:
            raise ValidationError(
                _("This member does not belong to this household."), code="foreign_member"
            )
    _check_one_head(existing, changes)
    for change in (c for c in changes if c.delete and c.member_id is not None):
        member = existing.pop(change.member_id)
        _record(household, "member", member, ChangeRecord.Action.DELETED, {}, by)
        member.delete()

    # Rows that stop being head are written first, so a new head never meets the old one.
    kept = [c for c in changes if not c.delete]
    kept.sort(key=lambda c: c.data.get("relationship") == Member.Relationship.HEAD)
    for change in kept:
        member = existing.get(change.member_id) if change.member_id else Member(household=household)
        before = _snapshot(member, MEMBER_FIELDS) if member.pk else None
        _set_fields(member, MEMBER_FIELDS, change.data)
        try:
            member.full_clean(exclude=["household"], validate_constraints=False)
            _check_nik_free(member, by)
        except ValidationError as error:
            for name, field_errors in error.update_error_dict({}).items():
                key = member_error_key(change.position, None if name == NON_FIELD_ERRORS else name)
                errors.setdefault(key, []).extend(field_errors)
            continue
        found = nik_discrepancies(
            nik=member.nik, sex=member.sex, birth_date=member.birth_date, today=today
        )
        unconfirmed = _unconfirmed(found, member, change)
        if unconfirmed:
            key = member_error_key(change.position, "as_on_card")
            errors.setdefault(key, []).extend(unconfirmed)
            continue
        member.nik_warnings = [d.code for d in found]
        if before is None:
            member.save()
            _record(household, "member", member, ChangeRecord.Action.CREATED, {}, by)
        else:
            diff = _diff(before, _snapshot(member, MEMBER_FIELDS))
            if diff:
                member.save(update_fields=[*MEMBER_FIELDS, "nik_warnings", "updated_at"])
                _record(household, "member", member, ChangeRecord.Action.UPDATED, diff, by)
        existing[member.pk] = member
    if errors:
        raise ValidationError(errors)

    _refresh_summary(household, sorted(existing.values(), key=lambda m: m.pk))


def _unconfirmed(
    found: list[Discrepancy], member: Member, change: MemberChange
) -> list[ValidationError]:
    """A NIK that disagrees with its row is never saved silently, nor refused outright (real
    cards do disagree): a disagreement the record does not already carry needs the person's
    tick, "data matches the KTP/KK" (issue 18). Known ones are not asked again at each edit."""
    if change.as_on_card:
        return []
    known = set(member.nik_warnings or ()) if member.pk else set()
    return [
        ValidationError(d.message, code="nik_unconfirmed") for d in found if d.code not in known
    ]


def _check_one_head(existing: dict[int, Member], changes: list[MemberChange]) -> None:
    """Checked on the outcome before any write, so the error is the user's, not the DB's."""
    relationships = {pk: member.relationship for pk, member in existing.items()}
    new_rows = 0
    for change in changes:
        if change.delete:
            relationships.pop(change.member_id, None)
        elif change.member_id is None:
            new_rows += 1
            relationships[f"new-{new_rows}"] = change.data.get("relationship")
        elif "relationship" in change.data:
            relationships[change.member_id] = change.data["relationship"]
    heads = sum(1 for value in relationships.values() if value == Member.Relationship.HEAD)
    if heads != 1:
        raise ValidationError(
            _("A household has exactly one head (Kepala Keluarga); this one would have %(n)d.")
            % {"n": heads},
            code="head_count",
        )


def _check_kk_free(household: Household, by: User) -> None:
    """A KK number registered outside `by`'s scope: "already registered", nothing more. In
    scope, the model's own constraint says so on full_clean."""
    taken = Household.objects.filter(kk_number=household.kk_number).exclude(pk=household.pk)
    kelurahan_id = taken.values_list("kelurahan_id", flat=True).first()
    if kelurahan_id is not None and not may_write_in(by, [kelurahan_id]):
        raise ValidationError({"kk_number": existence.registered_elsewhere_error()})


def _check_nik_free(member: Member, by: User) -> None:
    taken = Member.objects.filter(nik=member.nik).exclude(pk=member.pk)
    found = list(taken.values_list("household__kelurahan_id", flat=True)[:1])
    if not found:
        return
    if not may_write_in(by, found):
        raise ValidationError({"nik": existence.registered_elsewhere_error()})
    # In the user's scope: they can open the other family, so say how to move the person.
    raise ValidationError(
        {
            "nik": ValidationError(
                _(
                    "NIK %(nik)s is already registered in another family. If this "
                    "person moved into this family, save it without them, then use 'Moved? Ask "
                    "Dinas Sosial' on its page."
                ),
                code="nik_taken",
                params={"nik": member.nik},
            )
        }
    )


def _refresh_summary(household: Household, members: list[Member]) -> None:
    """Keep the stored head name, member count and search text in step with the members."""
    people = [(m.name, m.nik, m.relationship, m.is_deceased) for m in members]
    for name, value in household_summary(household.kk_number, household.address, people).items():
        setattr(household, name, value)
    household.save(update_fields=list(SUMMARY_FIELDS))


SUMMARY_FIELDS = ("head_name", "member_count", "search_text")


def household_summary(
    kk_number: str, address: str, people: list[tuple[str, str, str, bool]]
) -> dict[str, Any]:
    """The stored summary of a household from its members as (name, NIK, relationship,
    deceased): what the list shows and searches without reading the members."""
    head = next((p[0] for p in people if p[2] == Member.Relationship.HEAD), "")
    return {
        "head_name": head,
        "member_count": sum(1 for p in people if not p[3]),
        "search_text": search_text_for(kk_number, address, [(p[0], p[1]) for p in people]),
    }


def build_search_text(household: Household, members: list[Member]) -> str:
    return search_text_for(
        household.kk_number, household.address, [(m.name, m.nik) for m in members]
    )


def search_text_for(kk_number: str, address: str, people: list[tuple[str, str]]) -> str:
    """What the list's search matches: KK, address, and each member's name and NIK."""
    parts = [kk_number, address]
    for name, nik in people:
        parts += [name, nik]
    return " ".join(parts).upper()


# --- helpers -------------------------------------------------------------------------------


def _set_fields(instance: models.Model, names: tuple[str, ...], data: dict[str, Any]) -> None:
    for name in names:
        if name in data:
            setattr(instance, name, data[name])


def _snapshot(instance: models.Model, names: tuple[str, ...]) -> dict[str, Any]:
    return {name: getattr(instance, name) for name in names}


def _diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """{field: [old, new]} with JSON-safe values; a model instance is stored as its text."""
    return {
        name: [plain_value(before[name]), plain_value(after[name])]
        for name in before
        if plain_value(before[name]) != plain_value(after[name])
    }


def plain_value(value: Any) -> Any:
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value.normalize())
    return value


def _record(
    household: Household,
    entity: str,
    instance: models.Model,
    action: str,
    changes: dict[str, list[Any]],
    by: User,
) -> None:
    ChangeRecord.objects.create(
        household=household,
        entity=entity,
        object_id=instance.pk,
        object_label=str(instance)[:200],
        action=action,
        changes=changes,
        actor=by,
    )


def _check_move(household: Household, by: User) -> None:
    """A family moves to another kelurahan by a verifier's act (DESIGN.md), never as the side
    effect of a form; the target must be in `by`'s write scope too."""
    guard_write(by, household.kelurahan_id)
    if write_kelurahan_ids(by) is not None:
        raise ValidationError(
            {
                "kelurahan": ValidationError(
                    _(
                        "Only Dinas Sosial moves a family to another kelurahan: use 'Moved? "
                        "Ask Dinas Sosial' on the household page."
                    ),
                    code="move_needs_verifier",
                )
            }
        )


def _check_location(household: Household) -> None:
    if (household.latitude is None) != (household.longitude is None):
        raise ValidationError(
            _("Record both latitude and longitude, or neither."), code="location_pair"
        )


def _stale_error(household: Household) -> ValidationError:
    latest = Household.objects.select_related("updated_by").get(pk=household.pk)
    who = (
        latest.updated_by.get_full_name() or latest.updated_by.username
        if latest.updated_by
        else "?"
    )
    return ValidationError(
        _(
            "%(user)s saved this household at %(time)s, after you opened it. Your changes "
            "were not saved: open the household again to see theirs, then make yours."
        ),
        code="stale",
        params={
            "user": who,
            "time": date_format(timezone.localtime(latest.updated_at), "DATETIME_FORMAT"),
        },
    )


def _conflict_error() -> ValidationError:
    return ValidationError(
        _(
            "Someone registered the same KK number or NIK a moment ago. Check the list, "
            "then try again."
        ),
        code="conflict",
    )


# --- enrolments ----------------------------------------------------------------------------


@transaction.atomic
def enrol_in_program(
    *,
    household: Household,
    program: Program,
    start_date: date,
    by: User,
    member: Member | None = None,
) -> Enrolment:
    """Enrol a household (or one of its members) in a program; one active enrolment each."""
    # Lock the household so two concurrent enrolments cannot both pass the check below.
    locked = Household.objects.select_for_update().get(pk=household.pk)
    guard_write(by, locked.kelurahan_id)
    if member is not None and member.household_id != household.pk:
        raise ValidationError(
            _("This member does not belong to this household."), code="foreign_member"
        )
    if program.level == Program.Level.MEMBER and member is None:
        raise ValidationError(
            _("%(program)s is given to a person: choose the member."),
            code="member_required",
            params={"program": program.name},
        )
    active = Enrolment.objects.filter(
        household=household, program=program, member=member, status=Enrolment.Status.ACTIVE
    )
    if active.exists():
        raise ValidationError(
            _("Already enrolled in %(program)s."),
            code="already_enrolled",
            params={"program": program.name},
        )
    enrolment = Enrolment.objects.create(
        household=household, program=program, member=member, start_date=start_date
    )
    _record(household, "enrolment", enrolment, ChangeRecord.Action.CREATED, {}, by)
    household_saved(household.pk)
    return enrolment


@transaction.atomic
def change_enrolment_status(
    *, enrolment: Enrolment, status: str, by: User, end_date: date | None = None
) -> Enrolment:
    """Suspend, end or reactivate an enrolment; an ended one gets an end date. This is the
    program owner's act on a removal recommendation (issue 20): any status given, the same
    one included ("keep"), settles the mark, and the history shows it."""
    current = Enrolment.objects.select_for_update().get(pk=enrolment.pk)
    guard_write(by, current.household.kelurahan_id)
    before = _snapshot(current, ENROLMENT_ACT_FIELDS)
    current.status = status
    if status == Enrolment.Status.ENDED:
        current.end_date = end_date or timezone.localdate()
    elif status == Enrolment.Status.ACTIVE:
        current.end_date = None
    was_marked = current.removal_recommended_at is not None
    current.removal_recommended_at, current.removal_recommended_by = None, None
    current.removal_reason = ""
    current.full_clean()
    changes = _diff(before, _snapshot(current, ENROLMENT_ACT_FIELDS))
    if changes or was_marked:
        current.save(
            update_fields=[
                *ENROLMENT_ACT_FIELDS,
                "removal_recommended_at",
                "removal_recommended_by",
                "updated_at",
            ]
        )
        _record(current.household, "enrolment", current, ChangeRecord.Action.UPDATED, changes, by)
        household_saved(current.household_id)
    return current


@transaction.atomic
def recommend_enrolment_removal(*, enrolment: Enrolment, reason: str, by: User) -> Enrolment:
    """Mark an enrolment "recommended for removal" (a verifier confirmed that the family meets
    an exclusion criterion, issue 20). Aid never stops by itself: the mark stays until the
    program's owner acts (change_enrolment_status). Only an active enrolment is marked."""
    current = Enrolment.objects.select_for_update().get(pk=enrolment.pk)
    guard_write(by, current.household.kelurahan_id)
    if current.status != Enrolment.Status.ACTIVE:
        raise ValidationError(
            _("Only an active enrolment can be recommended for removal (%(program)s)."),
            code="enrolment_not_active",
            params={"program": current.program.name},
        )
    before = _snapshot(current, ENROLMENT_ACT_FIELDS)
    current.removal_recommended_at, current.removal_recommended_by = timezone.now(), by
    current.removal_reason = reason.strip()[:255]
    current.save(
        update_fields=["removal_recommended_at", "removal_recommended_by", "removal_reason"]
        + ["updated_at"]
    )
    changes = _diff(before, _snapshot(current, ENROLMENT_ACT_FIELDS))
    _record(current.household, "enrolment", current, ChangeRecord.Action.UPDATED, changes, by)
    return current


ENROLMENT_END_REASONS = ("graduasi",)


@transaction.atomic
def end_household_enrolments(
    *, household: Household, reason: str, by: User, end_date: date | None = None
) -> list[Enrolment]:
    """End every enrolment of the family that is not ended yet (active or suspended), with a
    reason the apps above name (ENROLMENT_END_REASONS: "graduasi" when a verifier confirms the
    family's graduation, issue 21 part 4). `by` writes in the household's kelurahan. A removal
    mark on an enrolment is settled with it. One history entry per enrolment."""
    if reason not in ENROLMENT_END_REASONS:
        raise ValidationError(_("Unknown reason for ending an enrolment."), code="invalid_reason")
    current = Household.objects.select_for_update().get(pk=household.pk)
    guard_write(by, current.kelurahan_id)
    open_ = (
        Enrolment.objects.select_for_update()
        .filter(household=current)
        .exclude(status=Enrolment.Status.ENDED)
    )
    ended = []
    for enrolment in open_.order_by("pk"):
        before = _snapshot(enrolment, (*ENROLMENT_ACT_FIELDS, "end_reason"))
        enrolment.status = Enrolment.Status.ENDED
        enrolment.end_date = end_date or timezone.localdate()
        enrolment.end_reason = reason
        enrolment.removal_recommended_at, enrolment.removal_recommended_by = None, None
        enrolment.removal_reason = ""
        enrolment.save(
            update_fields=[
                *ENROLMENT_ACT_FIELDS,
                "end_reason",
                "removal_recommended_at",
                "removal_recommended_by",
                "updated_at",
            ]
        )
        changes = _diff(before, _snapshot(enrolment, (*ENROLMENT_ACT_FIELDS, "end_reason")))
        _record(current, "enrolment", enrolment, ChangeRecord.Action.UPDATED, changes, by)
        ended.append(enrolment)
    household_saved(current.pk)
    return ended


# --- moves across families and kelurahan (households.moves decides when) --------------------


@transaction.atomic
def move_household(*, household: Household, to_kelurahan: Region, by: User) -> Household:
    """A family moves to another kelurahan: `by` writes in both (the Verifikator, city-wide).
    The address stays as registered until the family's next edit; the change history says
    where it came from."""
    current = Household.objects.select_for_update().get(pk=household.pk)
    guard_write(by, current.kelurahan_id, to_kelurahan.pk)
    if to_kelurahan.level != Region.Level.KELURAHAN or to_kelurahan.pk == current.kelurahan_id:
        raise ValidationError(_("Choose another kelurahan."), code="same_kelurahan")
    before = _snapshot(current, ("kelurahan",))
    current.kelurahan = to_kelurahan
    current.updated_by = by
    current.version += 1
    current.save(update_fields=["kelurahan", "updated_by", "version", "updated_at"])
    changes = _diff(before, _snapshot(current, ("kelurahan",)))
    _record(current, "household", current, ChangeRecord.Action.UPDATED, changes, by)
    household_saved(current.pk)
    return current


@transaction.atomic
def move_member(*, nik: str, into: Household, relationship: str, by: User) -> Member:
    """The person with `nik` leaves their family for `into`, as `relationship`. `by` writes
    in both families' kelurahan. Never a head (their family would be left without one) and
    never a second head here."""
    member = Member.objects.select_for_update().filter(nik=nik).first()
    if member is None:
        raise ValidationError(
            _("Nobody with NIK %(nik)s is registered: add the person on the household form."),
            code="nik_not_registered",
            params={"nik": nik},
        )
    source = Household.objects.select_for_update().get(pk=member.household_id)
    target = Household.objects.select_for_update().get(pk=into.pk)
    guard_write(by, source.kelurahan_id, target.kelurahan_id)
    if source.pk == target.pk:
        raise ValidationError(
            _("NIK %(nik)s is already a member of this family."),
            code="already_member",
            params={"nik": nik},
        )
    if member.relationship == Member.Relationship.HEAD:
        raise ValidationError(
            _(
                "NIK %(nik)s is the head of KK %(kk)s. Give that family another head on its "
                "household page first."
            ),
            code="head_elsewhere",
            params={"nik": nik, "kk": source.kk_number},
        )
    if relationship == Member.Relationship.HEAD or relationship not in Member.Relationship:
        raise ValidationError(
            _("Choose the person's relationship to the head of this family."),
            code="relationship",
        )
    before = _snapshot(member, ("relationship",))
    member.household, member.relationship = target, relationship
    member.save(update_fields=["household", "relationship", "updated_at"])
    changes = {"household": [source.kk_number, target.kk_number]}
    changes.update(_diff(before, _snapshot(member, ("relationship",))))
    for household in (source, target):
        _record(household, "member", member, ChangeRecord.Action.UPDATED, changes, by)
        household.updated_by = by
        household.version += 1
        household.save(update_fields=["updated_by", "version", "updated_at"])
        _refresh_summary(household, list(household.members.order_by("pk")))
        household_saved(household.pk)
    return member
