"""The navigation's referral numbers are on every page: they read only what they count."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from households.scope import scope_for
from referrals.models import Notification, Referral, Status
from referrals.selectors import navigation_counts, queue_counts, waiting_on_origin
from referrals.services import raise_referral

pytestmark = pytest.mark.django_db


def test_the_queue_tabs_count_only_open_referrals(petugas_dinkes):
    with CaptureQueriesContext(connection) as captured:
        queue_counts(petugas_dinkes)
    (sql,) = [q["sql"] for q in captured if "referrals_referral" in q["sql"]]
    # The FILTERs of the four counts come before FROM; the rows read are chosen after it.
    where = sql.split('FROM "referrals_referral"', 1)[1]
    for status in ("'submitted'", "'accepted'", "'in_progress'", "'returned'"):
        assert status in where
    for closed in ("'closed'", "'resolved'", "'rejected'"):
        assert closed not in where


@pytest.fixture
def submitted(household_in_margahayu, health, operator):
    return raise_referral(
        household=household_in_margahayu, category=health, description="JKN", by=operator
    )


def test_the_navigation_numbers_come_in_one_query_and_agree_with_the_queue(
    submitted, petugas_dinkes, operator, django_assert_num_queries
):
    Notification.objects.create(recipient=petugas_dinkes, referral=submitted, kind="new")
    scope_for(petugas_dinkes)
    with django_assert_num_queries(1):
        agency = navigation_counts(petugas_dinkes)
    tabs = queue_counts(petugas_dinkes)
    assert (agency.new, agency.overdue, agency.unread) == (tabs.new, tabs.overdue, 1)
    Referral.objects.filter(pk=submitted.pk).update(status=Status.RETURNED)
    origin = navigation_counts(operator)
    assert (origin.waiting, origin.unread) == (waiting_on_origin(operator), 0)
    assert origin.waiting == 1
