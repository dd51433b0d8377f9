"""Notifications about referrals: a row in the recipient's inbox, and an e-mail to those who
have an address (issue 5, item 6).

Who hears about what:
- a submission and a transfer: the receiving agency's head, and whoever already holds the
  referral. The head triages; the agency's other staff see it in the queue.
- a re-submission after a return: whoever holds the referral (the head when nobody does).
- an assignment (accepting, or `assign_referral`): the assignee.
- a return, a rejection and a resolution: the user who raised the referral.
- overdue and escalation: referrals.deadlines (the daily job).
Nobody is told about their own action.

Rows are written in the caller's transaction and are unique per (recipient, referral, kind,
key), so a repeated job finds them there already. E-mails go after commit, through a task,
and each row is claimed (`emailed_at`) before it is sent: a notification is mailed at most
once, even when two workers race. Messages and e-mails carry the referral's number, need and
agency but no household data: e-mail leaves the city's systems.
"""

import logging
import smtplib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.contrib.auth.models import User
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone, translation

from referrals.models import Action, Notification, Referral, ReferralEvent
from slrt.dispatch import dispatch
from slrt.messages import FormattedDate, message_json
from slrt.messages import translatable as _  # stored, shown in the reader's language
from slrt.messages import translatable_plural as ngettext

logger = logging.getLogger(__name__)
Kind = Notification.Kind


@dataclass(frozen=True)
class Notice:
    """A notification to be delivered; `key` tells repeated occurrences apart."""

    recipient: User | None
    referral: Referral
    kind: str
    key: str
    message: str

    @property
    def identity(self) -> tuple[int, int, str, str]:
        return (self.recipient.pk, self.referral.pk, self.kind, self.key)


def referral_path(pk: int) -> str:
    """The referral's page."""
    return reverse("referrals:referral_detail", args=[pk])


def visible_notifications(user: User) -> QuerySet[Notification]:
    """A user's own inbox: nobody reads anyone else's notifications."""
    return Notification.objects.filter(recipient_id=user.pk)


# --- triggers ---------------------------------------------------------------------------


def notify_transition(referral: Referral, event: ReferralEvent) -> int:
    """Tell the people a transition concerns (see the module docstring). `referral` is the
    state after the event. Returns the number of new notifications."""
    with translation.override(settings.LANGUAGE_CODE):  # read later, by someone else
        notices = list(_transition_notices(referral, event))
    return deliver(notices, actor=event.actor)


def _transition_notices(referral: Referral, event: ReferralEvent) -> Iterable[Notice]:
    key = f"event-{event.pk}"
    params = _params(referral)
    if event.action == Action.SUBMIT:
        text = _("New referral #%(number)s (%(category)s) for %(agency)s; due %(due)s.")
    elif event.action == Action.TRANSFER:
        text = _("Referral #%(number)s (%(category)s) was transferred to %(agency)s; due %(due)s.")
    if event.action in (Action.SUBMIT, Action.TRANSFER):
        for user in (referral.agency.head, referral.assignee):
            yield _notice(user, referral, Kind.SUBMITTED, key, text % params)
    elif event.action == Action.RESUBMIT:
        # Back where it left off: whoever holds it answers; the head only when nobody does.
        text = _(
            "Referral #%(number)s (%(category)s) was sent again with the information asked "
            "for; due %(due)s."
        )
        holder = referral.assignee or referral.agency.head
        yield _notice(holder, referral, Kind.RESUBMITTED, key, text % params)
    elif event.action == Action.ACCEPT:
        text = _assigned_text(referral, event.actor)
        yield _notice(referral.assignee, referral, Kind.ASSIGNED, key, text)
    elif event.action == Action.RETURN:
        text = _(
            "Referral #%(number)s (%(category)s) was returned by %(agency)s for more "
            "information. Open it to read their note and submit it again."
        )
        yield _notice(referral.origin_user, referral, Kind.RETURNED, key, text % params)
    elif event.action == Action.REJECT:
        text = _(
            "Referral #%(number)s (%(category)s) was rejected by %(agency)s. Open it to read why."
        )
        yield _notice(referral.origin_user, referral, Kind.REJECTED, key, text % params)
    elif event.action == Action.RESOLVE:
        text = _("Referral #%(number)s (%(category)s) was resolved by %(agency)s: %(outcome)s.")
        params["outcome"] = referral.get_outcome_display()
        yield _notice(referral.origin_user, referral, Kind.RESOLVED, key, text % params)


def notify_assignment(referral: Referral, *, by: User, key: str) -> int:
    """Tell the new assignee (unless they assigned it to themselves)."""
    with translation.override(settings.LANGUAGE_CODE):
        text = _assigned_text(referral, by)
    return deliver([_notice(referral.assignee, referral, Kind.ASSIGNED, key, text)], actor=by)


def overdue_text(referral: Referral, days: int) -> str:
    return ngettext(
        "Referral #%(number)s (%(category)s) is %(days)d day past its deadline (%(due)s).",
        "Referral #%(number)s (%(category)s) is %(days)d days past its deadline (%(due)s).",
        days,
    ) % {**_params(referral), "days": days}


def escalation_text(referral: Referral, days: int) -> str:
    return ngettext(
        "Escalated: referral #%(number)s (%(category)s), held by %(assignee)s, is %(days)d "
        "day past its deadline (%(due)s).",
        "Escalated: referral #%(number)s (%(category)s), held by %(assignee)s, is %(days)d "
        "days past its deadline (%(due)s).",
        days,
    ) % {**_params(referral), "days": days, "assignee": _name(referral.assignee)}


def _assigned_text(referral: Referral, by: User | None) -> str:
    return _("Referral #%(number)s (%(category)s) was assigned to you by %(actor)s.") % {
        **_params(referral),
        "actor": _name(by),
    }


def _params(referral: Referral) -> dict[str, object]:
    due = FormattedDate(referral.due_date, "j F Y") if referral.due_date else "–"
    return {
        "number": referral.pk,
        "category": referral.category.name,
        "agency": referral.agency.short_name,
        "due": due,
    }


def _name(user: User | None) -> str:
    if user is None:
        return "SLRT"
    return user.get_full_name() or user.username


def _notice(user: User | None, referral: Referral, kind: str, key: str, text: str) -> Notice:
    return Notice(recipient=user, referral=referral, kind=kind, key=key, message=text)


# --- delivery ---------------------------------------------------------------------------


def deliver(notices: Iterable[Notice], *, actor: User | None = None) -> int:
    """Put each notice in its recipient's inbox once and e-mail the new ones after commit.
    Notices without a recipient, or addressed to `actor`, are dropped. Three queries,
    however many notices; the caller keeps a batch to a few hundred referrals."""
    wanted: dict[tuple[int, int, str, str], Notice] = {}
    for notice in notices:
        if notice.recipient is None or (actor is not None and notice.recipient.pk == actor.pk):
            continue
        wanted.setdefault(notice.identity, notice)
    if not wanted:
        return 0
    candidates = Notification.objects.filter(
        recipient_id__in={i[0] for i in wanted},
        referral_id__in={i[1] for i in wanted},
        kind__in={i[2] for i in wanted},
        key__in={i[3] for i in wanted},
    )
    fields = ("recipient_id", "referral_id", "kind", "key")
    existing = set(candidates.values_list(*fields))
    new = [identity for identity in wanted if identity not in existing]
    if not new:
        return 0
    # ignore_conflicts: a concurrent run may insert the same row between the read above
    # and this insert; the unique constraint keeps one (works on SQLite and PostgreSQL).
    Notification.objects.bulk_create(
        [
            Notification(
                recipient_id=identity[0],
                referral_id=identity[1],
                kind=identity[2],
                key=identity[3],
                message=wanted[identity].message,
                message_source=message_json(wanted[identity].message),
            )
            for identity in new
        ],
        ignore_conflicts=True,
    )
    new_set = set(new)
    ids = [row[0] for row in candidates.values_list("pk", *fields) if row[1:] in new_set]
    transaction.on_commit(partial(_enqueue_emails, ids))
    return len(new)


def _enqueue_emails(notification_ids: list[int]) -> None:
    from referrals.tasks import send_notification_emails_task  # tasks import services

    dispatch(send_notification_emails_task, notification_ids)


# Mails older than this are not sent late: the inbox row has been there all along.
LATE_EMAIL_LIMIT = timedelta(days=2)


def redispatch_unsent_emails(older_than: timedelta) -> int:
    """Queue again the e-mails of notifications that waited longer than `older_than` (the
    broker was down when they were made, or a send failed). Each row is claimed before its
    mail goes, so none is mailed twice."""
    now = timezone.now()
    ids = list(
        Notification.objects.filter(
            emailed_at__isnull=True,
            created_at__lte=now - older_than,
            created_at__gte=now - LATE_EMAIL_LIMIT,
        )
        .exclude(recipient__email="")
        .values_list("pk", flat=True)[:5000]
    )
    if not ids:
        return 0
    from referrals.tasks import send_notification_emails_task  # tasks import services

    return int(dispatch(send_notification_emails_task, ids))


def send_notification_emails(*, notification_ids: list[int]) -> int:
    """E-mail the given notifications to recipients with an address, each at most once:
    the row is claimed by setting `emailed_at` before the mail goes. Returns mails sent."""
    sent = 0
    rows = (
        Notification.objects.filter(pk__in=notification_ids, emailed_at__isnull=True)
        .exclude(recipient__email="")
        .select_related("recipient", "referral")
    )
    for notification in rows:
        claimed = Notification.objects.filter(pk=notification.pk, emailed_at__isnull=True)
        if not claimed.update(emailed_at=timezone.now()):
            continue  # another worker has sent it
        try:
            _send(notification)
        except (OSError, smtplib.SMTPException):
            # Unclaim so that a later run may retry; the inbox row is there regardless.
            Notification.objects.filter(pk=notification.pk).update(emailed_at=None)
            logger.exception("notification %s: e-mail failed", notification.pk)
            continue
        sent += 1
    return sent


def _send(notification: Notification) -> None:
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("SLRT: %(kind)s – referral #%(number)s") % {
            "kind": notification.get_kind_display(),
            "number": notification.referral_id,
        }
        link = settings.SITE_URL.rstrip("/") + referral_path(notification.referral_id)
        body = "%s\n\n%s\n" % (notification.message, link)  # noqa: UP031
    send_mail(
        subject,
        body,
        settings.DEFAULT_FROM_EMAIL,
        [notification.recipient.email],
        fail_silently=False,
    )


# --- inbox ------------------------------------------------------------------------------


def mark_notification_read(*, notification: Notification, by: User) -> Notification:
    """Mark one of `by`'s notifications read (the caller fetched it from their inbox)."""
    if notification.recipient_id != by.pk:
        raise PermissionError("not the recipient")
    if notification.read_at is None:
        now = timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=now)
        notification.read_at = now
    return notification


def mark_all_notifications_read(*, by: User) -> int:
    """Mark everything in `by`'s inbox read. Returns how many were unread."""
    unread = visible_notifications(by).filter(read_at__isnull=True)
    return unread.update(read_at=timezone.now())


def mark_referral_notifications_read(*, referral: Referral, by: User) -> int:
    """Opening a referral (reached through access_referral) reads what `by` was told about
    it: their own notifications only. Returns how many were unread."""
    unread = visible_notifications(by).filter(referral_id=referral.pk, read_at__isnull=True)
    return unread.update(read_at=timezone.now())
