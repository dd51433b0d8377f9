"""Deadline metrics on a small hand-built set: open, overdue, resolved in time and late, and
the medians, per agency, per category, both and in total."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from households.models import Agency
from referrals.metrics import DeadlineMetrics, deadline_metrics
from referrals.models import NeedCategory, Referral, Status
from referrals.services import raise_referral
from slrt.db import is_postgresql

pytestmark = pytest.mark.django_db
JAKARTA = ZoneInfo("Asia/Jakarta")
D0 = datetime(2026, 10, 1, 9, 30, tzinfo=JAKARTA)
DUE = date(2026, 10, 15)
TODAY = date(2026, 11, 2)


@pytest.fixture
def social(reference_data):
    category, _ = NeedCategory.objects.get_or_create(
        code="sosial",
        defaults={
            "name": "Bantuan sosial",
            "default_agency": Agency.objects.get(code="dinsos"),
            "deadline_days": 14,
        },
    )
    return category


@pytest.fixture
def referrals(household_in_margahayu, operator, health, social):
    """At Dinas Kesehatan: resolved in time (on the due date, late evening in Jakarta), resolved
    late, in progress and overdue, submitted and not yet due. At Dinas Sosial: returned."""

    def make(category, status, *, accepted=None, resolved=None, due=DUE):
        referral = raise_referral(
            household=household_in_margahayu,
            category=category,
            description="x",
            by=operator,
            submit=False,
        )
        Referral.objects.filter(pk=referral.pk).update(
            status=status,
            submitted_at=D0,
            due_date=due,
            accepted_at=accepted and D0 + accepted,
            resolved_at=resolved and D0 + resolved,
        )
        return referral

    in_time = timedelta(days=14, hours=14)  # 15 October, 23:30 Jakarta (16:30 UTC)
    make(health, Status.CLOSED, accepted=timedelta(days=1), resolved=in_time)
    make(health, Status.RESOLVED, accepted=timedelta(days=3), resolved=timedelta(days=20))
    make(health, Status.IN_PROGRESS, accepted=timedelta(days=2))
    make(health, Status.SUBMITTED, due=TODAY + timedelta(days=3))
    make(social, Status.RETURNED)  # waiting for the origin: open, not overdue
    make(health, Status.DRAFT)  # never counted


def test_metrics_per_agency(referrals):
    dinkes, dinsos = deadline_metrics(by=["agency"], today=TODAY)
    assert dinkes == DeadlineMetrics(
        agency_id=Agency.objects.get(code="dinkes").pk,
        agency=dinkes.agency,
        category_id=None,
        category="",
        total=4,
        open=2,
        overdue=1,
        resolved=2,
        resolved_in_time=1,
        share_resolved_in_time=50.0,
        median_days_to_accept=2.0,  # of 1, 3 and 2
        median_days_to_resolve=17.3,  # of 14.6 and 20
    )
    assert (dinsos.open, dinsos.overdue, dinsos.resolved) == (1, 0, 0)
    assert dinsos.share_resolved_in_time is None
    assert dinsos.median_days_to_accept is None


def test_metrics_per_category_and_both_and_in_total(referrals, health, social):
    per_category = {m.category_id: m for m in deadline_metrics(by=["category"], today=TODAY)}
    assert per_category[health.pk].open == 2
    assert per_category[social.pk].open == 1
    both = deadline_metrics(by=["agency", "category"], today=TODAY)
    assert [(m.agency_id is not None, m.category_id is not None) for m in both] == [
        (True, True),
        (True, True),
    ]
    (total,) = deadline_metrics(by=[], today=TODAY)
    assert (total.open, total.overdue, total.resolved, total.resolved_in_time) == (3, 1, 2, 1)
    assert total.median_days_to_accept == 2.0


def test_metrics_take_a_restricted_set_in_one_query_or_two(referrals, django_assert_num_queries):
    own = Referral.objects.filter(agency__code="dinsos")
    # PostgreSQL takes the medians in the counting query; SQLite lists durations apart.
    with django_assert_num_queries(1 if is_postgresql() else 2):
        (row,) = deadline_metrics(by=["agency"], referrals=own, today=TODAY)
    assert (row.open, row.resolved) == (1, 0)


def test_an_unknown_grouping_is_refused():
    with pytest.raises(ValueError, match="unknown grouping"):
        deadline_metrics(by=["kelurahan"])


def test_without_medians_the_counts_take_one_query(referrals, django_assert_num_queries):
    with django_assert_num_queries(1):
        (total,) = deadline_metrics(by=[], today=TODAY, medians=False)
    assert (total.open, total.resolved_in_time) == (3, 1)
    assert (total.median_days_to_accept, total.median_days_to_resolve) == (None, None)
