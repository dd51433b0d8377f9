"""The triage queue's first page and its tab counts are read from indexes (issue 17): at
100,000 referrals, sorting an agency's open referrals took 66 ms a page and counting them
from their rows 7-20 ms (referrals.models' "referral_urgent_first", queue_counts).

PostgreSQL only: the plans are what is tested. With a handful of rows the planner would
rather scan the table, so sequential and bitmap scans are switched off for the statement,
as its choice at city scale."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from referrals.models import Referral
from referrals.services import raise_referral
from slrt.db import is_postgresql

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(not is_postgresql(), reason="query plans: PostgreSQL"),
]


def _plan(sql: str, params) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


@pytest.fixture
def queue_queries(client, petugas_dinkes, household_in_margahayu, health, operator):
    for priority in ("normal", "urgent", "normal"):
        raise_referral(
            household=household_in_margahayu,
            category=health,
            description="JKN",
            by=operator,
            priority=priority,
        )
    client.force_login(petugas_dinkes)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(reverse("referrals:queue")).status_code == 200
    return [query["sql"] for query in captured]


def test_the_first_page_is_read_in_the_queues_order_from_its_index(queue_queries):
    rows = next(sql for sql in queue_queries if "ORDER BY CASE" in sql)
    plan = _plan(rows, None)
    assert "referral_urgent_first" in plan
    assert "Sort" not in plan


def test_the_tab_counts_read_only_columns_of_the_agency_status_index(queue_queries):
    """Then PostgreSQL counts from the index alone (an index-only scan once the table is
    vacuumed, which a test's transaction cannot do): no referral's row is read."""
    counts = next(sql for sql in queue_queries if '"in_hand"' in sql)
    columns = set(re.findall(r'"referrals_referral"\."(\w+)"', counts))
    indexed = ("agency", "status", "due_date")  # the "referral_queue" index
    assert columns <= {Referral._meta.get_field(name).column for name in indexed}
