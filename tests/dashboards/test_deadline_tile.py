"""The overview's referral deadline tile reads stored figures (issue 17) and shows, for every
role that sees it, exactly what the live count over `counted_referrals` gives."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from dashboards.services import refresh_kelurahan_counts
from referrals.metrics import deadline_metrics
from referrals.models import Referral, Status
from referrals.selectors import counted_referrals
from tests.dashboards.registry import crafted_registry, today

pytestmark = pytest.mark.django_db

ROLES = [
    "pimpinan",
    "perencana",
    "verifikator",
    "data_steward",
    "admin_user",
    "pendamping",
    "operator",
    "petugas_dinkes",
]


@pytest.fixture
def registry(margahayu, bintara):
    """The crafted registry (its referrals have no origin kelurahan) and referrals raised in a
    kelurahan other than the household's, resolved in time, late, closed, overdue, drafts."""
    registry = crafted_registry()
    a, b, c, _d, f = registry.households
    template = Referral.objects.filter(household=a).first()
    now, day = timezone.now(), datetime.timedelta(days=1)
    for household, origin, status, due, resolved_at, agency in (
        (a, margahayu, Status.RESOLVED, today() + day, now, registry.dinkes),  # in time
        (b, margahayu, Status.CLOSED, today() - 3 * day, now, template.agency),  # late
        (f, margahayu, Status.SUBMITTED, today() - day, None, registry.dinkes),  # moved, overdue
        (c, bintara, Status.RESOLVED, today(), now, registry.dinkes),  # in time, raised elsewhere
        (f, bintara, Status.IN_PROGRESS, today() - 2 * day, None, template.agency),  # overdue
        (a, margahayu, Status.DRAFT, today() - day, None, registry.dinkes),  # never counted
    ):
        Referral.objects.create(
            household=household, category=template.category, description="uji",
            origin_user=template.origin_user, origin_kelurahan=origin, agency=agency,
            status=status, due_date=due, resolved_at=resolved_at,
        )  # fmt: skip
    refresh_kelurahan_counts()
    return registry


@pytest.mark.parametrize("role", ROLES)
def test_the_tile_shows_the_live_count(client, registry, role, request):
    user = request.getfixturevalue(role)
    (live,) = deadline_metrics(by=(), referrals=counted_referrals(user), medians=False)
    client.force_login(user)
    shown = client.get(reverse("dashboards:overview")).context["referrals"]
    assert shown == live
    assert live.resolved  # the registry gives every role something to count
    assert live.overdue


def test_kelurahan_roles_count_where_a_referral_was_raised(client, registry, pendamping):
    client.force_login(pendamping)
    shown = client.get(reverse("dashboards:overview")).context["referrals"]
    # Raised in Margahayu: resolved in time, closed late, the moved household's overdue one.
    assert (shown.total, shown.resolved, shown.resolved_in_time, shown.overdue) == (3, 2, 1, 1)


@pytest.mark.parametrize("role", ["pimpinan", "pendamping"])
def test_the_tile_counts_no_referral_on_the_page(client, registry, role, request):
    client.force_login(request.getfixturevalue(role))
    client.get(reverse("dashboards:overview"))  # the worker's first request
    with CaptureQueriesContext(connection) as queries:
        client.get(reverse("dashboards:overview"))
    # The navigation's own badge reads referrals; no query on the page counts deadlines.
    assert not [q for q in queries if "due_date" in q["sql"]]
