"""Every indicator on the crafted registry, per kelurahan and rolled up, in each scope."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dashboards.models import KelurahanCount
from dashboards.selectors import live_counts
from dashboards.services import refresh_kelurahan_counts
from dashboards.tree import build_tree, find
from households.models import Member, Region
from households.scope import scope_for
from households.services import MemberChange, register_household
from tests.dashboards.registry import EXPECTED, crafted_registry, today
from tests.households.factories import household_with_members

pytestmark = pytest.mark.django_db


def _tree(user, threshold=None):
    from dashboards.selectors import indicator_codes_for, regions_for

    kelurahan = regions_for(user).select_related("parent__parent")
    return build_tree(
        kelurahan,
        live_counts(user, today=today())[0],
        indicator_codes_for(user),
        threshold=threshold,
    )


def _values(area):
    return {code: cell.value for code, cell in area.cells.items()}


def test_every_indicator_per_kelurahan_matches_the_crafted_registry(verifikator):
    crafted_registry()
    city = _tree(verifikator)
    for code, expected in EXPECTED.items():
        assert _values(find(city, code)) == expected, code


def test_kecamatan_and_city_add_up(verifikator):
    crafted_registry()
    city = _tree(verifikator)
    margahayu, bintara = EXPECTED["32.75.01.1002"], EXPECTED["32.75.02.1001"]
    assert _values(find(city, "32.75.01")) == margahayu
    assert _values(city) == {code: margahayu[code] + bintara[code] for code in margahayu}
    assert city.code == "32.75"
    assert len(city.children) == 12
    assert (
        sum(len(kec.children) for kec in city.children)
        == Region.objects.filter(level="kelurahan").count()
    )


def test_facilitator_sees_only_their_kelurahan(pendamping):
    crafted_registry()
    city = _tree(pendamping)
    assert [kel.code for kel in city.walk() if kel.level == "kelurahan"] == ["32.75.01.1002"]
    assert _values(city) == EXPECTED["32.75.01.1002"]


def test_agency_staff_see_only_their_agencys_referral_numbers(petugas_dinkes):
    crafted_registry()
    city = _tree(petugas_dinkes)
    # Dinkes: A's late submitted referral and F's accepted one; B's returned one is Dinsos's.
    assert _values(city) == {"open_referrals": 2, "overdue_referrals": 1}


def test_the_poverty_line_is_read_from_settings(verifikator, settings):
    crafted_registry()
    settings.POVERTY_LINE = 300_000  # A's 333,333 a head is no longer below it
    city = _tree(verifikator)
    assert find(city, "32.75.01.1002").cells["poor_households"].value == 1


def test_stored_counts_are_read_until_they_are_stale_then_recounted(verifikator, settings):
    registry = crafted_registry()
    first, counted_at = live_counts(verifikator, today=today())  # an empty table: counted now
    kelurahan = registry.households[0].kelurahan
    household_with_members(kelurahan, size=2)  # a factory: no service, no after-save hook
    assert live_counts(verifikator, today=today()) == (first, counted_at)
    KelurahanCount.objects.update(counted_at=counted_at - datetime.timedelta(minutes=11))
    fresh, fresh_at = live_counts(verifikator, today=today())  # Celery eager: recounted here
    assert fresh[kelurahan.pk]["households"] == 5
    assert fresh_at > counted_at


def test_a_page_reads_the_stored_counts_not_the_registry(verifikator, django_assert_num_queries):
    crafted_registry()
    refresh_kelurahan_counts()
    scope_for(verifikator)  # computed once per request, elsewhere
    with CaptureQueriesContext(connection) as captured:
        live_counts(verifikator, today=today())
    assert len(captured) == 1
    assert "dashboards_kelurahancount" in captured[0]["sql"]
    assert "households_household" not in captured[0]["sql"]


def test_a_saved_household_recounts_its_kelurahan_after_commit(
    verifikator, operator, margahayu, django_capture_on_commit_callbacks
):
    refresh_kelurahan_counts()
    before = live_counts(verifikator, today=today())[0].get(margahayu.pk, {}).get("households", 0)
    head = {
        "nik": "3275011708850001",
        "name": "Budi Santoso",
        "sex": Member.Sex.MALE,
        "birth_date": datetime.date(1985, 8, 17),
        "relationship": Member.Relationship.HEAD,
    }
    household = {"kk_number": "3275010502100007", "kelurahan": margahayu, "address": "Jl. A 1"}
    household |= {"rt": "3", "rw": "5"}
    with django_capture_on_commit_callbacks(execute=True):
        register_household(data=household, members=[MemberChange(data=head)], by=operator)
    assert live_counts(verifikator, today=today())[0][margahayu.pk]["households"] == before + 1


def test_queries_over_households_do_not_grow_with_their_number(
    verifikator, django_assert_num_queries
):
    crafted_registry()
    from dashboards.selectors import household_counts, regions_for
    from eligibility.selectors import poor_definition

    kelurahan = regions_for(verifikator)  # the user's scope is read here, once
    poor_definition()  # the active rule set: read once per process (households.choices)
    with django_assert_num_queries(4):
        household_counts(kelurahan)
