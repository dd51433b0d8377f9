"""Raise referrals and move them along TRANSITIONS: the only way a referral changes.

Every transition is guarded in its UPDATE's WHERE clause by the status it started from, so
two officers pressing "Terima" at once cannot both win: the second is told who took it."""

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from households.models import Agency, Household, Member, Region
from households.scope import guard_write, scope_for
from referrals import sla
from referrals.models import (
    AGENCY_ACTIONS,
    NEEDS_NOTE,
    ON_AGENCY_CLOCK,
    TRANSITIONS,
    Action,
    Attachment,
    Complaint,
    NeedCategory,
    Outcome,
    Priority,
    Referral,
    ReferralEvent,
    Status,
)
from referrals.notifications import notify_assignment, notify_transition


@transaction.atomic
def raise_referral(
    *,
    household: Household,
    category: NeedCategory,
    description: str,
    by: User,
    member: Member | None = None,
    priority: str = Priority.NORMAL,
    agency: Agency | None = None,
    complaint: Complaint | None = None,
    submit: bool = True,
) -> Referral:
    """A need of `household` for `agency` (the category's default when not given), raised by
    someone who may write in the household's kelurahan: an emergency grant opens a household
    to read only (households.scope; outside: 404, as a read)."""
    guard_write(by, Household.objects.values_list("kelurahan_id", flat=True).get(pk=household.pk))
    agency = agency or category.default_agency
    if not agency.receives_referrals:
        raise ValidationError(
            _("%(agency)s does not receive referrals."),
            code="agency_not_receiving",
            params={"agency": agency.short_name},
        )
    if member is not None and member.household_id != household.pk:
        raise ValidationError(_("This person is not a member of the household."), code="member")
    if not description.strip():
        raise ValidationError(_("Describe what the family needs."), code="description")
    profile = getattr(by, "profile", None)
    referral = Referral.objects.create(
        household=household,
        member=member,
        category=category,
        description=description.strip(),
        priority=priority,
        origin_user=by,
        origin_agency=getattr(profile, "agency", None),
        origin_kelurahan=household.kelurahan,
        agency=agency,
        complaint=complaint,
    )
    if submit:
        referral = transition_referral(referral=referral, action=Action.SUBMIT, by=by)
    return referral


@transaction.atomic
def transition_referral(
    *,
    referral: Referral,
    action: str,
    by: User,
    note: str = "",
    outcome: str = "",
    to_agency: Agency | None = None,
    today=None,
) -> Referral:
    """Take `action` on `referral`, refusing illegal, unauthorised and concurrent moves
    with a message saying why."""
    if action not in TRANSITIONS:
        raise ValidationError(_("Unknown action."), code="unknown_action")
    sources, target = TRANSITIONS[action]
    current = referral.status
    if current not in sources:
        raise ValidationError(
            _("A referral that is %(status)s cannot be given the action “%(action)s”."),
            code="invalid_transition",
            params={"status": Status(current).label, "action": Action(action).label},
        )
    _check_actor(referral, action, by)
    note = note.strip()
    if action in NEEDS_NOTE and not note:
        raise ValidationError(
            _("Write why (a note is required to %(action)s)."),
            code="note_required",
            params={"action": Action(action).label},
        )
    now = timezone.now()
    today = today or timezone.localdate()
    changes: dict[str, object] = {"status": target, "updated_at": now}
    from_agency = referral.agency
    if action == Action.SUBMIT:
        changes |= _received(referral.category, today, now)
    elif action == Action.ACCEPT:
        changes |= {"accepted_at": now, "assignee": referral.assignee or by}
    elif action == Action.TRANSFER:
        _check_transfer(referral, to_agency)
        # The new agency gets the category's full deadline from today (DESIGN.md).
        changes |= _received(referral.category, today, now) | {
            "agency": to_agency,
            "assignee": None,
            "accepted_at": None,
        }
    elif action == Action.RESOLVE:
        if outcome not in Outcome.values:
            raise ValidationError(_("Choose the outcome."), code="outcome_required")
        changes |= {"resolved_at": now, "outcome": outcome}
    elif action == Action.CLOSE:
        changes |= {"closed_at": now}
    if not Referral.objects.filter(pk=referral.pk, status=current).update(**changes):
        raise _stale(referral, action)
    event = ReferralEvent.objects.create(
        referral=referral,
        action=action,
        from_status=current,
        to_status=target,
        actor=by,
        note=note,
        from_agency=from_agency if action == Action.TRANSFER else None,
        to_agency=to_agency if action == Action.TRANSFER else None,
        created_at=now,
    )
    referral.refresh_from_db()
    notify_transition(referral, event)
    return referral


@transaction.atomic
def assign_referral(*, referral: Referral, assignee: User, by: User) -> Referral:
    """Give a referral on the agency's desk (submitted, accepted, in progress) to one of the
    receiving agency's staff; `by` is staff of that agency too. The assignee is told."""
    _check_actor(referral, Action.ACCEPT, by)  # the same rule as taking agency actions
    profile = getattr(assignee, "profile", None)
    if (
        not assignee.is_active
        or not assignee.has_perm("referrals.act_on_referral")
        or profile is None
        or profile.agency_id != referral.agency_id
    ):
        raise ValidationError(
            _("%(name)s is not on the staff of %(agency)s."),
            code="assignee_not_staff",
            params={
                "name": assignee.get_full_name() or assignee.username,
                "agency": referral.agency.short_name,
            },
        )
    if referral.status not in ON_AGENCY_CLOCK:
        raise ValidationError(
            _("A referral that is %(status)s cannot be assigned."),
            code="invalid_assignment",
            params={"status": Status(referral.status).label},
        )
    if referral.assignee_id == assignee.pk:
        return referral  # already theirs: nothing changes, nobody is told again
    now = timezone.now()
    guarded = Referral.objects.filter(
        pk=referral.pk,
        status=referral.status,
        agency_id=referral.agency_id,
        assignee_id=referral.assignee_id,
    )
    if not guarded.update(assignee=assignee, updated_at=now):
        raise _stale(referral, "assign")
    referral.refresh_from_db()
    notify_assignment(referral, by=by, key=f"assign-{now.isoformat()}")
    return referral


def may_take(referral: Referral, action: str, by: User) -> bool:
    """Whether `by` may take `action` on `referral` now (the page shows only these)."""
    if referral.status not in TRANSITIONS[action][0]:
        return False
    try:
        _check_actor(referral, action, by)
    except ValidationError:
        return False
    return True


def _received(category: NeedCategory, today, now) -> dict[str, object]:
    return {
        "submitted_at": now,
        "due_date": sla.due_date(received=today, days=category.deadline_days),
    }


def _check_actor(referral: Referral, action: str, by: User) -> None:
    """Agency actions: staff of the receiving agency. The others: whoever raised it, or a
    desk colleague working in the household's kelurahan."""
    if action in AGENCY_ACTIONS:
        profile = getattr(by, "profile", None)
        if (
            not by.has_perm("referrals.act_on_referral")
            or profile is None
            or profile.agency_id != referral.agency_id
        ):
            raise ValidationError(
                _("Only staff of %(agency)s can do this."),
                code="not_receiving_agency",
                params={"agency": referral.agency.short_name},
            )
        return
    if by.pk == referral.origin_user_id:
        return
    scope = scope_for(by)
    same_area = scope.city_wide or referral.origin_kelurahan_id in scope.kelurahan_ids
    if not (by.has_perm("referrals.add_referral") and same_area):
        raise ValidationError(
            _("Only the person or desk that raised this referral can do this."),
            code="not_origin",
        )


def _check_transfer(referral: Referral, to_agency: Agency | None) -> None:
    if to_agency is None or to_agency.pk == referral.agency_id:
        raise ValidationError(_("Choose another agency."), code="transfer_agency")
    if not to_agency.receives_referrals:
        raise ValidationError(
            _("%(agency)s does not receive referrals."),
            code="agency_not_receiving",
            params={"agency": to_agency.short_name},
        )


def _stale(referral: Referral, action: str) -> ValidationError:
    fresh = Referral.objects.select_related("assignee").get(pk=referral.pk)
    if action == Action.ACCEPT and fresh.status == Status.ACCEPTED and fresh.assignee:
        return ValidationError(
            _("%(name)s has just accepted this referral."),
            code="taken",
            params={"name": fresh.assignee.get_full_name() or fresh.assignee.username},
        )
    return ValidationError(
        _("This referral was changed by someone else meanwhile. Reload the page."),
        code="stale",
    )


@transaction.atomic
def record_complaint(
    *,
    kelurahan: Region,
    complainant_name: str,
    request: str,
    by: User,
    household: Household | None = None,
    phone: str = "",
    resolved_at_desk: bool = False,
    desk_note: str = "",
) -> Complaint:
    """What someone asked for at the desk of `kelurahan`, where `by` works (households.scope;
    else 404); `household` (found, or registered on the spot) lives there."""
    guard_write(by, kelurahan.pk)
    if household is not None and household.kelurahan_id != kelurahan.pk:
        raise ValidationError(
            _("This family lives in another kelurahan: record the complaint at its desk."),
            code="household_kelurahan",
        )
    if resolved_at_desk and not desk_note.strip():
        raise ValidationError(
            _("Write how the request was settled at the desk."), code="desk_note_required"
        )
    return Complaint.objects.create(
        kelurahan=kelurahan,
        household=household,
        complainant_name=complainant_name.strip(),
        complainant_phone=phone.strip(),
        request=request.strip(),
        resolved_at_desk=resolved_at_desk,
        desk_note=desk_note.strip(),
        received_by=by,
    )


# What a referral may carry, recognised by the file's first bytes, not by its name or the
# browser's word for it: a renamed executable is not a PDF.
ATTACHMENT_SIGNATURES = {
    b"%PDF-": "application/pdf",
    b"\xff\xd8\xff": "image/jpeg",
    b"\x89PNG\r\n\x1a\n": "image/png",
}


def _sniff(upload: UploadedFile) -> str | None:
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    return next(
        (kind for magic, kind in ATTACHMENT_SIGNATURES.items() if head.startswith(magic)), None
    )


@transaction.atomic
def attach_file(*, referral: Referral, upload: UploadedFile, by: User) -> Attachment:
    """A PDF, JPEG or PNG of at most REFERRAL_ATTACHMENT_MAX_BYTES, from either side of the
    referral (the caller reached it through access_referral)."""
    if not (by.has_perm("referrals.add_referral") or by.has_perm("referrals.act_on_referral")):
        raise ValidationError(_("You cannot add documents to referrals."), code="not_allowed")
    limit = settings.REFERRAL_ATTACHMENT_MAX_BYTES
    if upload.size > limit:
        raise ValidationError(
            _("The file is %(size)s MB; at most %(limit)s MB is accepted."),
            code="attachment_too_large",
            params={"size": f"{upload.size / 2**20:.1f}", "limit": limit // 2**20},
        )
    if upload.size == 0:
        raise ValidationError(_("The file is empty."), code="attachment_empty")
    content_type = _sniff(upload)
    if content_type is None:
        raise ValidationError(
            _("Only PDF, JPG and PNG files can be attached."), code="attachment_type"
        )
    return Attachment.objects.create(
        referral=referral,
        file=upload,
        name=upload.name[:200],
        content_type=content_type,
        size=upload.size,
        uploaded_by=by,
    )


@transaction.atomic
def assign_referrals(*, referrals: list[Referral], assignee: User, by: User) -> int:
    """The queue's bulk assignment: each referral as assign_referral, all or none. Returns
    how many changed hands."""
    changed = 0
    for referral in referrals:
        changed += referral.assignee_id != assignee.pk
        assign_referral(referral=referral, assignee=assignee, by=by)
    return changed
