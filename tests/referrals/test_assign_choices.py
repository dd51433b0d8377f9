"""The queue's "Assign to" dropdown reads the agency's officers in one plain query: no
server-side cursor (DECLARE ... WITH HOLD on PostgreSQL) for a dozen names (issue 17)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from referrals.forms import AssignForm
from referrals.models import Referral
from referrals.selectors import assignable_staff

pytestmark = pytest.mark.django_db


def test_the_officers_are_read_once_without_a_cursor(petugas_dinkes, kepala_dinkes):
    form = AssignForm(referrals=Referral.objects.none(), staff=assignable_staff(petugas_dinkes))
    with CaptureQueriesContext(connection) as captured:
        html = str(form["assignee"])
        assert bool(form.fields["assignee"].choices)
        assert len(form.fields["assignee"].choices) == 3  # the empty choice and two officers
    assert len(captured) == 1
    assert "DECLARE" not in captured[0]["sql"]
    for officer in (petugas_dinkes, kepala_dinkes):
        assert f'value="{officer.pk}"' in html
