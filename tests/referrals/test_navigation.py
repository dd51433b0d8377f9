"""The navigation's referral numbers are on every page: they read only what they count."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from referrals.selectors import queue_counts

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
