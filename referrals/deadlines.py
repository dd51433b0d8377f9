"""The daily deadline job (issue 5, item 6): tell who holds an overdue referral, escalate it
to the agency's head, and close referrals their origin left resolved for too long.

Idempotent: a notification's key is the due date it missed, so a second run the same day (or
any later day, until a transfer sets a new deadline) finds it there already and sends
nothing; an auto-close is a guarded UPDATE on the status."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from referrals.models import (
    TRANSITIONS,
    Action,
    Notification,
    Referral,
    ReferralEvent,
    Status,
)
from referrals.notifications import Notice, deliver, escalation_text, overdue_text

BATCH = 500  # referrals per transaction: bounds the queries' IN lists and lock time


@dataclass(frozen=True)
class DeadlineReport:
    overdue_referrals: int  # overdue today, whether or not someone was told before
    overdue_notified: int  # new overdue notifications
    escalated: int  # new escalations to an agency head
    closed: int  # resolved referrals closed automatically


def check_referral_deadlines(*, today: date | None = None) -> DeadlineReport:
    """Run the daily checks for `today` (Jakarta's date by default). Safe to run twice."""
    today = today or timezone.localdate()
    overdue_ids = list(Referral.objects.overdue(today=today).values_list("pk", flat=True))
    notified = escalated = 0
    for start in range(0, len(overdue_ids), BATCH):
        chunk = overdue_ids[start : start + BATCH]
        with transaction.atomic():
            counts = _notify_overdue(chunk, today)
        notified += counts[0]
        escalated += counts[1]
    return DeadlineReport(
        overdue_referrals=len(overdue_ids),
        overdue_notified=notified,
        escalated=escalated,
        closed=close_resolved_referrals(today=today),
    )


def _notify_overdue(ids: list[int], today: date) -> tuple[int, int]:
    """The assignee hears that a referral is overdue (the head, when nobody holds it); the
    head gets an escalation, unless they were just told as the overdue notice's recipient:
    one notice per person per lapse."""
    referrals = Referral.objects.overdue(today=today).filter(pk__in=ids)
    referrals = referrals.select_related("agency__head", "assignee", "category")
    overdue: list[Notice] = []
    escalations: list[Notice] = []
    with translation.override(settings.LANGUAGE_CODE):  # read later, by someone else
        for referral in referrals:
            key = referral.due_date.isoformat()
            days = referral.days_overdue(today=today)
            head = referral.agency.head
            holder = referral.assignee or head
            if holder is not None:
                text = overdue_text(referral, days)
                overdue.append(Notice(holder, referral, Notification.Kind.OVERDUE, key, text))
            if head is not None and holder != head:
                text = escalation_text(referral, days)
                escalations.append(Notice(head, referral, Notification.Kind.ESCALATED, key, text))
    return deliver(overdue), deliver(escalations)


def close_resolved_referrals(*, today: date | None = None) -> int:
    """Close referrals resolved more than REFERRAL_AUTO_CLOSE_DAYS days before `today`,
    each with an event without actor that says it closed itself. Returns how many."""
    today = today or timezone.localdate()
    days = settings.REFERRAL_AUTO_CLOSE_DAYS
    assert Status.RESOLVED in TRANSITIONS[Action.CLOSE][0]  # the state machine allows it
    # Resolved before the start of (today - days), Jakarta time: more than `days` days ago.
    cutoff = timezone.make_aware(datetime.combine(today - timedelta(days=days), time.min))
    due = Referral.objects.filter(status=Status.RESOLVED, resolved_at__lt=cutoff)
    with translation.override(settings.LANGUAGE_CODE):
        note = _(
            "Closed automatically: resolved more than %(days)d days ago and not closed by "
            "whoever raised it."
        ) % {"days": days}
    closed = 0
    for pk in due.values_list("pk", flat=True):
        closed += _close_one(pk, note)
    return closed


@transaction.atomic
def _close_one(pk: int, note: str) -> int:
    now = timezone.now()
    guarded = Referral.objects.filter(pk=pk, status=Status.RESOLVED)
    if not guarded.update(status=Status.CLOSED, closed_at=now, updated_at=now):
        return 0  # closed by its origin (or another run) meanwhile
    ReferralEvent.objects.create(
        referral_id=pk,
        action=Action.CLOSE,
        from_status=Status.RESOLVED,
        to_status=Status.CLOSED,
        actor=None,
        note=note,
        created_at=now,
    )
    return 1
