"""Thin Celery wrappers over referral services (STYLE.md section 8)."""

from celery import shared_task

from slrt.dispatch import RETRY_TRANSIENT


@shared_task(acks_late=True, **RETRY_TRANSIENT)
def send_notification_emails_task(notification_ids: list[int]) -> None:
    from referrals.notifications import send_notification_emails  # services import tasks

    send_notification_emails(notification_ids=notification_ids)


@shared_task(**RETRY_TRANSIENT)
def check_referral_deadlines_task() -> None:
    """The daily job (Celery beat, slrt/celery.py): overdue, escalation, auto-close."""
    from referrals.deadlines import check_referral_deadlines

    check_referral_deadlines()
