"""The daily deadline job: overdue notices, escalation to the agency head, auto-close after
REFERRAL_AUTO_CLOSE_DAYS; running it twice sends nothing twice."""

from datetime import date, datetime, timedelta
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.utils import timezone

from referrals.deadlines import DeadlineReport, check_referral_deadlines
from referrals.models import Action, Notification, Referral, ReferralEvent, Status
from referrals.services import raise_referral, transition_referral
from referrals.tasks import check_referral_deadlines_task

pytestmark = pytest.mark.django_db
Kind = Notification.Kind
TODAY = date(2026, 11, 2)
JAKARTA = ZoneInfo("Asia/Jakarta")


@pytest.fixture
def submitted(household_in_margahayu, health, operator):
    draft = raise_referral(
        household=household_in_margahayu, category=health, description="JKN", by=operator,
        submit=False,
    )  # fmt: skip
    return transition_referral(referral=draft, action=Action.SUBMIT, by=operator, today=TODAY)


@pytest.fixture
def accepted(submitted, petugas_dinkes):
    petugas_dinkes.email = "sari@example.id"
    petugas_dinkes.save(update_fields=["email"])
    return transition_referral(referral=submitted, action=Action.ACCEPT, by=petugas_dinkes)


def _notified(kind):
    return sorted(Notification.objects.filter(kind=kind).values_list("recipient__username", "key"))


def test_overdue_is_told_once_to_the_assignee_and_escalated_once_to_the_head(
    accepted, kepala_dinkes, django_capture_on_commit_callbacks, mailoutbox
):
    late = accepted.due_date + timedelta(days=1)
    with django_capture_on_commit_callbacks(execute=True):
        first = check_referral_deadlines(today=late)
        second = check_referral_deadlines(today=late + timedelta(days=1))
    assert first == DeadlineReport(overdue_referrals=1, overdue_notified=1, escalated=1, closed=0)
    assert second == DeadlineReport(overdue_referrals=1, overdue_notified=0, escalated=0, closed=0)
    due = accepted.due_date.isoformat()
    assert _notified(Kind.OVERDUE) == [("sari", due)]
    assert _notified(Kind.ESCALATED) == [("kepala_dinkes", due)]
    assert sorted(mail.to[0] for mail in mailoutbox) == [
        "kepala_dinkes@bekasikota.go.id",
        "sari@example.id",
    ]


def test_a_new_deadline_missed_is_told_again(accepted, kepala_dinkes):
    check_referral_deadlines(today=accepted.due_date + timedelta(days=1))
    new_due = accepted.due_date + timedelta(days=20)  # as after a transfer
    Referral.objects.filter(pk=accepted.pk).update(due_date=new_due)
    report = check_referral_deadlines(today=new_due + timedelta(days=1))
    assert (report.overdue_notified, report.escalated) == (1, 1)
    assert Notification.objects.filter(kind=Kind.OVERDUE).count() == 2


def test_an_unassigned_overdue_referral_is_told_to_the_head_once(submitted, kepala_dinkes):
    report = check_referral_deadlines(today=submitted.due_date + timedelta(days=3))
    assert (report.overdue_notified, report.escalated) == (1, 0)
    assert _notified(Kind.OVERDUE) == [("kepala_dinkes", submitted.due_date.isoformat())]


def test_nothing_is_overdue_on_the_due_date_or_while_returned(
    accepted, petugas_dinkes, kepala_dinkes
):
    assert check_referral_deadlines(today=accepted.due_date).overdue_referrals == 0
    transition_referral(referral=accepted, action=Action.RETURN, by=petugas_dinkes, note="x")
    report = check_referral_deadlines(today=accepted.due_date + timedelta(days=5))
    assert report.overdue_referrals == 0
    assert not Notification.objects.filter(kind__in=[Kind.OVERDUE, Kind.ESCALATED]).exists()


def test_a_resolved_referral_closes_itself_after_the_configured_days(
    accepted, petugas_dinkes, settings
):
    settings.REFERRAL_AUTO_CLOSE_DAYS = 14
    resolved = transition_referral(
        referral=accepted, action=Action.RESOLVE, by=petugas_dinkes, note="ok", outcome="served"
    )
    resolved_on = TODAY
    Referral.objects.filter(pk=resolved.pk).update(
        resolved_at=datetime(2026, 11, 2, 23, 30, tzinfo=JAKARTA)  # late that day
    )
    assert check_referral_deadlines(today=resolved_on + timedelta(days=14)).closed == 0
    assert check_referral_deadlines(today=resolved_on + timedelta(days=15)).closed == 1
    assert check_referral_deadlines(today=resolved_on + timedelta(days=16)).closed == 0
    closed = Referral.objects.get(pk=resolved.pk)
    assert (closed.status, closed.closed_at is not None) == (Status.CLOSED, True)
    event = ReferralEvent.objects.get(referral=closed, action=Action.CLOSE)
    assert (event.actor, event.from_status, bool(event.note)) == (None, Status.RESOLVED, True)


def test_the_close_delay_is_a_setting(accepted, petugas_dinkes, settings):
    settings.REFERRAL_AUTO_CLOSE_DAYS = 3
    transition_referral(
        referral=accepted, action=Action.RESOLVE, by=petugas_dinkes, note="ok", outcome="served"
    )
    today = timezone.localdate()
    assert check_referral_deadlines(today=today + timedelta(days=3)).closed == 0
    assert check_referral_deadlines(today=today + timedelta(days=4)).closed == 1


def test_the_command_prints_the_counts_and_the_task_runs(accepted, kepala_dinkes):
    out = StringIO()
    late = accepted.due_date + timedelta(days=2)
    call_command("check_referral_deadlines", "--today", late.isoformat(), stdout=out)
    assert out.getvalue().strip() == "1 overdue, 1 notified, 1 escalated, 0 closed"
    check_referral_deadlines_task.delay()  # eager in tests; the same lapse: nothing new
    assert Notification.objects.filter(kind=Kind.OVERDUE).count() == 1
