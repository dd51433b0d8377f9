"""Moves across kelurahan: asked for by the people who serve the family, decided by the
Verifikator (issue 16; DESIGN.md "Moves across kelurahan are a verifier's act").

A facilitator or a desk writes in its own kelurahan only, yet families move: the whole family
to another kelurahan, or a person registered in a family elsewhere who now lives with a family
here. Either way one end of the move is outside the requester's scope, so the requester asks
(`request_family_move`, `request_person_move`) and a city-wide Verifikator approves, which
runs the move through the registry's services (`move_household`, `move_member`), or rejects
with a note.

Nothing outside the requester's scope is told: a person's request is accepted whatever the
NIK (registered anywhere, in this family, or nowhere); only the Verifikator sees where it is
registered, and the requester sees the decision and its note.
"""

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from households import nik as nik_rules
from households.models import Household, Member, MoveRequest, Region
from households.scope import guard_write, write_kelurahan_ids
from households.services import move_household, move_member

REASON_MIN_LENGTH = 10  # "pindah ke rumah orang tua" is enough; "pindah" alone is not


@transaction.atomic
def request_family_move(
    *, household: Household, to_kelurahan: Region, reason: str, by: User
) -> MoveRequest:
    """`by` writes in the household's kelurahan and asks for the family to move out of it."""
    guard_write(by, household.kelurahan_id)
    if to_kelurahan.level != Region.Level.KELURAHAN or to_kelurahan.pk == household.kelurahan_id:
        raise ValidationError(
            {"to_kelurahan": _("Choose the kelurahan the family moved to.")},
        )
    return _create(household, by, reason, kind=MoveRequest.Kind.FAMILY, to_kelurahan=to_kelurahan)


@transaction.atomic
def request_person_move(
    *, household: Household, nik: str, relationship: str, reason: str, by: User
) -> MoveRequest:
    """`by` writes in the household's kelurahan and asks for the person with `nik`, registered
    in another family, to join this one."""
    guard_write(by, household.kelurahan_id)
    errors = {}
    try:
        nik_rules.validate_nik(nik, timezone.localdate())
    except ValidationError as error:
        errors["nik"] = error
    if relationship == Member.Relationship.HEAD or relationship not in Member.Relationship:
        errors["relationship"] = _(
            "Choose the person's relationship to the head of this family (a family keeps its "
            "head; change the head on the household form after the move)."
        )
    if errors:
        raise ValidationError(errors)
    return _create(
        household, by, reason, kind=MoveRequest.Kind.PERSON, nik=nik, relationship=relationship
    )


def _create(household: Household, by: User, reason: str, **fields) -> MoveRequest:
    reason = reason.strip()
    if len(reason) < REASON_MIN_LENGTH:
        raise ValidationError(
            {
                "reason": ngettext(
                    "Write the reason in at least %(min)d character.",
                    "Write the reason in at least %(min)d characters.",
                    REASON_MIN_LENGTH,
                )
                % {"min": REASON_MIN_LENGTH}
            }
        )
    Household.objects.select_for_update().filter(pk=household.pk).first()  # one at a time
    waiting = MoveRequest.objects.filter(
        household=household, status=MoveRequest.Status.PENDING, **fields
    )
    if waiting.exists():
        raise ValidationError(
            _("The same move is already waiting for the Verifikator."), code="duplicate"
        )
    return MoveRequest.objects.create(household=household, requested_by=by, reason=reason, **fields)


@transaction.atomic
def decide_move(*, move: MoveRequest, approve: bool, note: str, by: User) -> MoveRequest:
    """The Verifikator's decision (households.decide_moverequest, city-wide write scope). An
    approval runs the move; if the registry refuses it (a head, a NIK nobody has), nothing is
    decided and the Verifikator is told why, to reject with that note. A request is decided
    once; nobody decides their own."""
    if write_kelurahan_ids(by) is not None:
        raise Http404  # only a city-wide writer reaches both ends of a move
    note = note.strip()
    if not approve and not note:
        raise ValidationError(
            {"note": _("Write a note saying why the move is rejected.")}, code="note_required"
        )
    if move.requested_by_id == by.pk:
        raise ValidationError(_("You cannot decide your own request."), code="own_request")
    current = MoveRequest.objects.select_for_update().get(pk=move.pk)
    if current.status != MoveRequest.Status.PENDING:
        raise ValidationError(_("This request has already been decided."), code="decided")
    if approve:
        if current.kind == MoveRequest.Kind.FAMILY:
            move_household(household=current.household, to_kelurahan=current.to_kelurahan, by=by)
        else:
            move_member(
                nik=current.nik, into=current.household, relationship=current.relationship, by=by
            )
    current.status = MoveRequest.Status.APPROVED if approve else MoveRequest.Status.REJECTED
    current.decision_note, current.decided_by, current.decided_at = note, by, timezone.now()
    current.save(update_fields=["status", "decision_note", "decided_by", "decided_at"])
    return current
