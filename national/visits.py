"""Verification visits (verivali, issue 22): reads scoped by kelurahan like the cases, and the
two writes: a case becomes a visit assigned to the kelurahan's facilitator; the facilitator
records its result, which may make the family a proposal (usulan) in the kelurahan's draft
batch. Services guard their own writes (households.scope.guard_write, STYLE.md section 5)."""

import datetime

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from households.models import Household, Member
from households.roles import Role
from households.scope import guard_write, scope_for
from national.models import (
    ExtractMember,
    KelurahanBatch,
    ReconciliationCase,
    Usulan,
    Visit,
)

VISIT_DAYS = 14  # a visit is due two weeks after it is scheduled
Action = ReconciliationCase.Action
Result = Visit.Result
Kind = Usulan.Kind


def usulan_kind(case: ReconciliationCase, result: str) -> str | None:
    """What a visit's result proposes for its case's family, if anything:
    - a family the national data lacks or ranks wrongly, found *layak*: usulan baru (not
      registered nationally) or usulan perbaikan (its desil is wrong);
    - a family the national data lists for aid, found *tidak layak*, moved away or deceased:
      usulan keluar;
    - not found, or a result that changes nothing: no usulan (the visit records it)."""
    in_national_data = case.family_id is not None
    if result == Result.LAYAK:
        if case.action == Action.PROPOSE_NEW or not in_national_data:
            return Kind.BARU
        if case.action == Action.PROPOSE_CORRECTION:
            return Kind.PERBAIKAN
        return None
    if result in (Result.TIDAK_LAYAK, Result.PINDAH, Result.MENINGGAL) and in_national_data:
        if case.action == Action.PROPOSE_CORRECTION and result == Result.TIDAK_LAYAK:
            return None  # the national data ranks it better-off already: nothing to correct
        return Kind.KELUAR
    return None


# --- reads ------------------------------------------------------------------------------------


def visible_visits(user: User) -> QuerySet[Visit]:
    """The visits of the user's kelurahan (city-wide roles: all); none for agency staff and the
    aggregate-only roles."""
    scope = scope_for(user)
    visits = Visit.objects.select_related(
        "case__family", "case__extract", "kelurahan__parent", "household", "assigned_to"
    )
    if not scope.personal_data or scope.agency_id is not None:
        return visits.none()
    if scope.city_wide:
        return visits
    return visits.filter(kelurahan_id__in=scope.kelurahan_ids)


def access_visit(user: User, pk: int) -> Visit:
    return get_object_or_404(visible_visits(user), pk=pk)


def facilitator_of(kelurahan_id: int) -> User | None:
    """The kelurahan's facilitator (the first assigned, by id), who the visit goes to."""
    return (
        User.objects.filter(
            is_active=True,
            groups__name=Role.PENDAMPING,
            profile__kelurahan=kelurahan_id,
        )
        .order_by("pk")
        .first()
    )


# --- writes -----------------------------------------------------------------------------------


@transaction.atomic
def schedule_visit(
    *, case: ReconciliationCase, by: User, due_on: datetime.date | None = None
) -> Visit:
    """An open case becomes a visit, assigned to its kelurahan's facilitator and due in
    VISIT_DAYS; the case leaves the queue (closed, "visit scheduled"). Needs
    national.add_visit and the case's kelurahan in `by`'s write scope (404 otherwise)."""
    guard_write(by, case.kelurahan_id)
    if not by.has_perm("national.add_visit"):
        raise PermissionDenied
    now = timezone.now()
    note = _("Verification visit scheduled.")
    closed = ReconciliationCase.objects.filter(
        pk=case.pk, status=ReconciliationCase.Status.OPEN
    ).update(
        status=ReconciliationCase.Status.CLOSED,
        closed_by=by,
        closed_at=now,
        note=note,
        updated_at=now,
    )
    if not closed:
        raise ValidationError(
            _("This case was closed or given a visit by someone else."), code="stale"
        )
    return Visit.objects.create(
        case=case,
        kelurahan_id=case.kelurahan_id,
        household_id=case.household_id,
        assigned_to=facilitator_of(case.kelurahan_id),
        due_on=due_on or timezone.localdate() + datetime.timedelta(days=VISIT_DAYS),
        scheduled_by=by,
    )


@transaction.atomic
def complete_visit(
    *, visit: Visit, result: str, visited_on: datetime.date, notes: str, by: User
) -> Visit:
    """Record a visit's result and date, once. A result that proposes something (usulan_kind)
    adds the family to its kelurahan's draft batch for the musyawarah. Needs
    national.change_visit and the visit's kelurahan in `by`'s write scope (404 otherwise)."""
    guard_write(by, visit.kelurahan_id)
    if not by.has_perm("national.change_visit"):
        raise PermissionDenied
    if result not in Result.values:
        raise ValidationError(_("Choose the result of the visit."), code="result")
    if visited_on > timezone.localdate():
        raise ValidationError(_("The visit's date cannot be in the future."), code="future")
    if visited_on < visit.created_at.astimezone(timezone.get_current_timezone()).date():
        raise ValidationError(
            _("The visit's date is before the visit was scheduled."), code="too_early"
        )
    notes = notes.strip()[:2000]
    done = Visit.objects.filter(pk=visit.pk, result="").update(
        result=result,
        visited_on=visited_on,
        notes=notes,
        completed_by=by,
        updated_at=timezone.now(),
    )
    if not done:
        raise ValidationError(_("This visit was recorded by someone else."), code="stale")
    visit.refresh_from_db()
    kind = usulan_kind(visit.case, result)
    if kind is not None:
        _propose(visit, kind)
    return visit


def draft_batch(kelurahan_id: int) -> KelurahanBatch:
    """The kelurahan's one open draft, made when the first proposal needs it."""
    batch = KelurahanBatch.objects.filter(
        kelurahan_id=kelurahan_id, status=KelurahanBatch.Status.DRAFT
    ).first()
    if batch is not None:
        return batch
    try:
        with transaction.atomic():
            return KelurahanBatch.objects.create(kelurahan_id=kelurahan_id)
    except IntegrityError:  # made at the same moment by another visit
        return KelurahanBatch.objects.get(
            kelurahan_id=kelurahan_id, status=KelurahanBatch.Status.DRAFT
        )


def _propose(visit: Visit, kind: str) -> Usulan:
    case = visit.case
    nik, kk, name, address = _identity(case)
    reason = visit.get_result_display()
    if visit.notes:
        reason = f"{reason}: {visit.notes}"
    return Usulan.objects.create(
        visit=visit,
        kelurahan_batch=draft_batch(visit.kelurahan_id),
        kelurahan_id=visit.kelurahan_id,
        household_id=visit.household_id,
        kind=kind,
        nik=nik,
        kk_number=kk,
        name=name,
        address=address,
        reason=reason[:255],
        visited_on=visit.visited_on,
    )


def _identity(case: ReconciliationCase) -> tuple[str, str, str, str]:
    """NIK, KK, name and address of the family as the proposal names it: the registry's
    head of household where the city holds the family, else the national data's."""
    if case.household_id is not None:
        household = Household.objects.get(pk=case.household_id)
        members = Member.objects.filter(household=household).order_by("pk")
        head = members.filter(relationship=Member.Relationship.HEAD).first() or members.first()
        address = f"{household.address} RT {household.rt}/RW {household.rw}"
        return (
            head.nik if head else case.nik,
            household.kk_number,
            head.name if head else household.head_name,
            address,
        )
    family = case.family
    members = ExtractMember.objects.filter(extract_id=case.extract_id, kk_number=family.kk_number)
    first = members.filter(nik=case.nik).first() if case.nik else None
    first = first or members.order_by("row_number").first()
    return (
        first.nik if first else case.nik,
        family.kk_number,
        first.name if first else family.head_name,
        "",
    )
