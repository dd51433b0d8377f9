"""The navigation's counts are kept per process between requests (issue 17) and are never
out of date: every write to a referral or a notification, the day and the user's scope
invalidate them (referrals.selectors._kept, slrt.stamps)."""

import datetime

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from referrals import selectors
from referrals.models import NAVIGATION_STAMP, Notification, Referral, Status
from referrals.notifications import mark_all_notifications_read
from referrals.selectors import navigation_counts
from referrals.services import raise_referral
from slrt import stamps

pytestmark = pytest.mark.django_db


def _counts(user: User):
    """As a new request sees them: a fresh user object (nothing kept on it)."""
    return navigation_counts(User.objects.get(pk=user.pk))


def _count_queries(user: User) -> int:
    fresh = User.objects.get(pk=user.pk)
    with CaptureQueriesContext(connection) as captured:
        navigation_counts(fresh)
    return sum("COUNT(" in q["sql"].upper() for q in captured)


@pytest.fixture
def submitted(household_in_margahayu, health, operator):
    return raise_referral(
        household=household_in_margahayu, category=health, description="JKN", by=operator
    )


def test_the_counts_are_counted_once_then_kept(submitted, petugas_dinkes):
    assert _count_queries(petugas_dinkes) == 1
    assert _count_queries(petugas_dinkes) == 0
    assert _counts(petugas_dinkes).new == 1


def test_a_page_reads_the_kept_counts_without_a_query(client, submitted, petugas_dinkes):
    client.force_login(petugas_dinkes)
    client.get(reverse("referrals:queue"))
    with CaptureQueriesContext(connection) as captured:
        page = client.get(reverse("referrals:queue")).content.decode()
    assert not [q for q in captured if 'FROM "auth_user"' in q["sql"] and "COUNT(" in q["sql"]]
    assert 'title="Baru">1</span>' in page


def test_a_new_referral_shows_at_once(household_in_margahayu, health, operator, petugas_dinkes):
    assert _counts(petugas_dinkes).new == 0
    raise_referral(
        household=household_in_margahayu, category=health, description="JKN", by=operator
    )
    assert _counts(petugas_dinkes).new == 1


def test_a_bulk_update_shows_at_once(submitted, petugas_dinkes, operator):
    assert (_counts(petugas_dinkes).new, _counts(operator).waiting) == (1, 0)
    Referral.objects.filter(pk=submitted.pk).update(status=Status.RETURNED)
    assert (_counts(petugas_dinkes).new, _counts(petugas_dinkes).returned) == (0, 1)
    assert _counts(operator).waiting == 1
    Referral.objects.filter(pk=submitted.pk).update(status=Status.CLOSED)
    assert (_counts(petugas_dinkes).returned, _counts(operator).waiting) == (0, 0)


def test_notifications_read_and_written_show_at_once(submitted, petugas_dinkes):
    unread = _counts(petugas_dinkes).unread
    Notification.objects.create(recipient=petugas_dinkes, referral=submitted, kind="new")
    assert _counts(petugas_dinkes).unread == unread + 1
    mark_all_notifications_read(by=petugas_dinkes)
    assert _counts(petugas_dinkes).unread == 0
    Notification.objects.create(recipient=petugas_dinkes, referral=submitted, kind="x")
    assert _counts(petugas_dinkes).unread == 1
    Notification.objects.filter(recipient=petugas_dinkes, kind="x").delete()
    assert _counts(petugas_dinkes).unread == 0


def test_overdue_turns_with_the_day(submitted, petugas_dinkes, monkeypatch):
    Referral.objects.filter(pk=submitted.pk).update(status=Status.ACCEPTED)
    due = Referral.objects.get(pk=submitted.pk).due_date
    today = due  # not yet overdue
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: today)
    assert _counts(petugas_dinkes).overdue == 0
    today = due + datetime.timedelta(days=1)  # no write: the day alone turns it
    assert _counts(petugas_dinkes).overdue == 1


def test_a_changed_scope_counts_anew(submitted, petugas_dinkes, operator):
    """The desk operator who raised it becomes Dinkes staff: no referral or notification is
    written, the kept counts of the desk must not be shown to the agency's staff."""
    assert (_counts(operator).waiting, _counts(operator).new) == (0, 0)
    operator.groups.set(petugas_dinkes.groups.all())
    profile = operator.profile
    profile.agency_id = petugas_dinkes.profile.agency_id
    profile.save()
    assert _counts(operator).new == 1


def test_a_write_in_a_transaction_moves_the_stamp_again_at_commit(
    submitted, django_capture_on_commit_callbacks
):
    before = stamps.current(NAVIGATION_STAMP)
    with django_capture_on_commit_callbacks() as callbacks:
        Referral.objects.filter(pk=submitted.pk).update(status=Status.RETURNED)
        during = stamps.current(NAVIGATION_STAMP)
    assert during != before
    assert callbacks  # and once more when it commits: a reader between the two is outdated
    for callback in callbacks:
        callback()
    assert stamps.current(NAVIGATION_STAMP) != during


def test_the_kept_counts_are_bounded(submitted, petugas_dinkes, operator, monkeypatch):
    monkeypatch.setattr(selectors, "NAVIGATION_KEPT", 1)
    _counts(petugas_dinkes)
    _counts(operator)
    assert len(selectors._kept) == 1
