"""Raise referrals and move them along TRANSITIONS: the only way a referral changes.

Every transition is guarded in its UPDATE's WHERE clause by the status it started from, so
two officers pressing "Terima" at once cannot both win: the second is told who took it."""

from datetime import date
from functools import partial

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from households.models import Agency, Household, Member, Region
from households.scope import guard_write, scope_for
from referrals import sla
from referrals.models import (
    AGENCY_ACTIONS,
    NEEDS_NOTE,
    ON_AGENCY_CLOCK,
    OPEN,
    TRANSITIONS,
    Action,
    Attachment,
    Complaint,
    NeedCategory,
    Outcome,
    Priority,
    Record,
    Referral,
    ReferralEvent,
    Status,
)
from referrals.notifications import notify_assignment, notify_transition
from referrals.selectors import visible_complaints, visible_referrals


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
    if complaint is not None:
        _check_complaint(complaint, household, by)
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
    elif complaint is not None:
        _sync_complaint(complaint.pk)
    return referral


def _check_complaint(complaint: Complaint, household: Household, by: User) -> None:
    """A referral raised from a complaint: one `by` may see (else 404, as a read), about
    this household."""
    get_object_or_404(visible_complaints(by), pk=complaint.pk)
    if complaint.household_id != household.pk:
        raise ValidationError(
            _("This complaint is about another family."), code="complaint_household"
        )


def _sync_complaint(complaint_id: int) -> None:
    """A complaint is referred while one of its referrals is still open (or a draft), done
    when all of them are resolved, rejected or closed (issue 18)."""
    referrals = Referral.objects.filter(complaint_id=complaint_id)
    if referrals.filter(status__in=OPEN | {Status.DRAFT}).exists():
        status = Complaint.Status.REFERRED
    elif referrals.exists():
        status = Complaint.Status.DONE
    else:
        return
    changed = Complaint.objects.filter(pk=complaint_id).exclude(status=status)
    changed.update(status=status, updated_at=timezone.now())


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
            _("Write a note (required for the action “%(action)s”)."),
            code="note_required",
            params={"action": Action(action).label},
        )
    now = timezone.now()
    today = today or timezone.localdate()
    from_agency = referral.agency
    changes: dict[str, object] = {"updated_at": now}
    if action == Action.SUBMIT:
        changes |= _received(referral, today, now)
    elif action == Action.RESUBMIT:
        target, resumed = _resumed(referral, today, now)
        changes |= resumed
    elif action == Action.ACCEPT:
        changes |= {"accepted_at": now, "assignee": referral.assignee or by}
    elif action == Action.TRANSFER:
        _check_transfer(referral, to_agency)
        # The new agency gets the category's full deadline from today (DESIGN.md).
        changes |= _received(referral, today, now) | {
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
    changes["status"] = target
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
    if referral.complaint_id is not None:
        _sync_complaint(referral.complaint_id)
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


def _received(referral: Referral, today, now) -> dict[str, object]:
    return {
        "submitted_at": now,
        "due_date": sla.due_date(
            received=today, days=referral.category.deadline_for(referral.priority)
        ),
    }


def _resumed(referral: Referral, today, now) -> tuple[str, dict[str, object]]:
    """A returned referral sent again: back in the status its return left (same agency, same
    assignee), its deadline moved by the days it waited at the origin. Without a recorded
    return (rows from before events), it arrives as a new submission."""
    returned = referral.events.filter(action=Action.RETURN).order_by("-created_at", "-pk").first()
    if returned is None or referral.due_date is None:
        return Status.SUBMITTED, _received(referral, today, now)
    paused_on = timezone.localdate(returned.created_at)
    due = sla.resumed_due_date(due=referral.due_date, paused_on=paused_on, today=today)
    return returned.from_status, {"due_date": due}


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
    category: NeedCategory | None = None,
    channel: str = Complaint.Channel.WALK_IN,
    follow_up_on: date | None = None,
) -> Complaint:
    """What someone asked for at the desk of `kelurahan`, where `by` works (households.scope;
    else 404); `household` (found, or registered on the spot) lives there."""
    guard_write(by, kelurahan.pk)
    if household is not None and household.kelurahan_id != kelurahan.pk:
        raise ValidationError(
            _("This family lives in another kelurahan: record the complaint at its desk."),
            code="household_kelurahan",
        )
    _check_follow_up(follow_up_on)
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
        category=category,
        channel=channel,
        status=Complaint.Status.DONE if resolved_at_desk else Complaint.Status.OPEN,
        follow_up_on=follow_up_on,
    )


@transaction.atomic
def schedule_complaint_follow_up(
    *, complaint: Complaint, follow_up_on: date | None, by: User
) -> Complaint:
    """Set (or clear) the day the desk checks on a complaint again. `by` works the desk where
    the complaint was recorded (its scope; else 404, as a read)."""
    if not by.has_perm("referrals.add_complaint"):
        raise ValidationError(_("Only the desk follows up complaints."), code="not_allowed")
    get_object_or_404(visible_complaints(by), pk=complaint.pk)
    _check_follow_up(follow_up_on)
    now = timezone.now()
    Complaint.objects.filter(pk=complaint.pk).update(follow_up_on=follow_up_on, updated_at=now)
    complaint.refresh_from_db()
    return complaint


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
def attach_file(
    *, referral: Referral, upload: UploadedFile, by: User, kind: str = Attachment.Kind.OTHER
) -> Attachment:
    """A PDF, JPEG or PNG of at most REFERRAL_ATTACHMENT_MAX_BYTES, of a document type, from
    either side of a referral `by` may see (else 404, as a read); recorded in its history."""
    if not (by.has_perm("referrals.add_referral") or by.has_perm("referrals.act_on_referral")):
        raise ValidationError(_("You cannot add documents to referrals."), code="not_allowed")
    get_object_or_404(visible_referrals(by), pk=referral.pk)
    if kind not in Attachment.Kind.values:
        raise ValidationError(_("Choose the type of document."), code="attachment_kind")
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
    attachment = Attachment.objects.create(
        referral=referral,
        kind=kind,
        file=upload,
        name=upload.name[:200],
        content_type=content_type,
        size=upload.size,
        uploaded_by=by,
    )
    _record(referral, Record.ATTACH, by, attachment.name, attachment.created_at)
    return attachment


@transaction.atomic
def remove_attachment(*, attachment: Attachment, by: User) -> None:
    """Take back a document: only its uploader, only while the referral is open, only on a
    referral `by` may see (else 404, as a read); recorded in its history. The file goes from
    storage after commit."""
    referral = get_object_or_404(visible_referrals(by), pk=attachment.referral_id)
    if attachment.uploaded_by_id != by.pk:
        raise ValidationError(
            _("Only the person who added a document can remove it."), code="not_uploader"
        )
    if not referral.documents_removable:
        raise ValidationError(
            _("The referral is %(status)s: its documents stay as they are."),
            code="referral_not_open",
            params={"status": referral.get_status_display()},
        )
    if not Attachment.objects.filter(pk=attachment.pk).delete()[0]:
        raise ValidationError(_("This document was already removed."), code="stale")
    _record(referral, Record.DETACH, by, attachment.name, timezone.now())
    storage, name = attachment.file.storage, attachment.file.name
    transaction.on_commit(partial(storage.delete, name))


def _record(referral: Referral, action: str, by: User, note: str, when) -> ReferralEvent:
    """A history entry that is not a transition: the status stays as it is."""
    return ReferralEvent.objects.create(
        referral=referral,
        action=action,
        from_status=referral.status,
        to_status=referral.status,
        actor=by,
        note=note,
        created_at=when,
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


def _check_follow_up(follow_up_on: date | None) -> None:
    if follow_up_on is not None and follow_up_on < timezone.localdate():
        raise ValidationError(_("Choose a follow-up date from today on."), code="follow_up_past")
