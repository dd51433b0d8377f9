"""The pages people open all day stay within 8 queries (issue 17), whatever the rows: the
request's fixed cost is 1 (the user), the page's own rows the rest. Measured on a second
request, as a worker serves all but its first: reference dropdowns, the session, the user's
groups, profile and grants (households.scope._kept_facts) and the navigation's counts
(referrals.selectors._kept) come from the process copy and the cache then."""

import pytest
from django.urls import reverse

from dashboards.services import refresh_kelurahan_counts, snapshot_indicators
from eligibility.services import run_eligibility
from referrals.services import raise_referral
from tests.households.factories import household_with_members

pytestmark = pytest.mark.django_db

MAX_QUERIES = 8


@pytest.fixture
def registry(margahayu, health, operator):
    households = [household_with_members(margahayu, size=3, car_count=1) for _ in range(12)]
    for household in households[:3]:
        raise_referral(household=household, category=health, description="JKN", by=operator)
    run_eligibility()
    snapshot_indicators()
    refresh_kelurahan_counts()
    return households


def _page(client, user, url, django_assert_max_num_queries, most=MAX_QUERIES):
    client.force_login(user)
    assert client.get(url).status_code == 200  # the worker's first request
    with django_assert_max_num_queries(most):
        assert client.get(url).status_code == 200


def test_the_household_list(client, registry, pendamping, django_assert_max_num_queries):
    _page(client, pendamping, reverse("households:household_list"), django_assert_max_num_queries)


def test_the_household_page(client, registry, pendamping, django_assert_max_num_queries):
    url = reverse("households:household_detail", args=[registry[0].pk])
    _page(client, pendamping, url, django_assert_max_num_queries)


def test_the_agency_queue(client, registry, petugas_dinkes, django_assert_max_num_queries):
    _page(client, petugas_dinkes, reverse("referrals:queue"), django_assert_max_num_queries)


def test_the_flag_queue(client, registry, verifikator, django_assert_max_num_queries):
    _page(client, verifikator, reverse("eligibility:flag_queue"), django_assert_max_num_queries)


def test_the_dashboard(client, registry, pimpinan, django_assert_max_num_queries):
    """7: the referral deadline tile is one read of its stored figures, as its live count
    was (tests/dashboards/test_deadline_tile.py)."""
    _page(client, pimpinan, reverse("dashboards:overview"), django_assert_max_num_queries, 7)


def test_the_agency_dashboard(client, registry, petugas_dinkes, django_assert_max_num_queries):
    """Agency staff's deadline tile is still counted live: their agency's referrals."""
    url = reverse("dashboards:overview")
    _page(client, petugas_dinkes, url, django_assert_max_num_queries)


def test_the_facilitators_dashboard(client, registry, pendamping, django_assert_max_num_queries):
    """A kelurahan-scoped user pays one query more for their scope (the profile): the change
    against last month and the trend read the snapshots once."""
    _page(client, pendamping, reverse("dashboards:overview"), django_assert_max_num_queries)


@pytest.mark.parametrize(
    "name", ["household_needs", "assessment_list", "assessment_create", "pmks_record"]
)
def test_the_needs_and_pmks_pages(
    client, registry, pendamping, name, django_assert_max_num_queries
):
    """Issue 21: the household page's needs panel, the assessments, the assessment form (the
    registry's suggestions in one query) and the PMKS page, with an assessment and PMKS."""
    from django.utils import timezone

    from households.assessments import classify_person, record_assessment
    from households.models import PmksCategory
    from tests.households.needs_inputs import decided_needs

    household = registry[0]
    for _ in range(2):
        record_assessment(
            household=household,
            assessed_on=timezone.localdate(),
            needs=decided_needs(household),
            by=pendamping,
        )
    for member, code in zip(household.members.all(), ["fakir-miskin", "pemulung"], strict=False):
        category = PmksCategory.objects.get(code=code)
        classify_person(
            member=member, category=category, recorded_on=timezone.localdate(), by=pendamping
        )
    url = reverse(f"households:{name}", args=[household.pk])
    _page(client, pendamping, url, django_assert_max_num_queries)


def test_the_filtered_flag_queue(client, registry, verifikator, django_assert_max_num_queries):
    """Issue 20: "car owners receiving aid", with programs and deciding values per row."""
    url = reverse("eligibility:flag_queue") + "?rule=car_owner&receives_aid=any&sort=name"
    _page(client, verifikator, url, django_assert_max_num_queries)


def test_the_case_page(client, registry, verifikator, django_assert_max_num_queries):
    url = reverse("eligibility:case_detail", args=[registry[0].pk]) + "?rule=car_owner"
    _page(client, verifikator, url, django_assert_max_num_queries)


def test_the_lists_fixed_cost_is_the_user_alone(
    client, registry, pendamping, django_assert_max_num_queries
):
    """The user, the capped count and the rows: as many as the bare page of bench_load."""
    _page(
        client, pendamping, reverse("households:household_list"), django_assert_max_num_queries, 3
    )


def test_the_family_plans_page(client, registry, pimpinan, django_assert_max_num_queries):
    """The stored figures, the agencies and one query for the median months from plan to
    graduation (issue 21)."""
    _page(client, pimpinan, reverse("dashboards:plans_city"), django_assert_max_num_queries)
