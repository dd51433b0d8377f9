"""Every indicator on the crafted registry, per kelurahan and rolled up, in each scope."""

import pytest

from dashboards.selectors import live_counts
from dashboards.tree import build_tree, find
from households.models import Region
from tests.dashboards.registry import EXPECTED, TODAY, crafted_registry
from tests.households.factories import household_with_members

pytestmark = pytest.mark.django_db


def _tree(user, threshold=None):
    from dashboards.selectors import indicator_codes_for, regions_for

    kelurahan = regions_for(user).select_related("parent__parent")
    return build_tree(
        kelurahan, live_counts(user, today=TODAY)[0], indicator_codes_for(user), threshold=threshold
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


def test_city_counts_are_reused_until_the_cache_expires(verifikator, settings):
    registry = crafted_registry()
    first, counted_at = live_counts(verifikator, today=TODAY)
    household_with_members(registry.households[0].kelurahan, size=2)
    assert live_counts(verifikator, today=TODAY) == (first, counted_at)
    settings.DASHBOARD_CACHE_SECONDS = 0
    fresh, _ = live_counts(verifikator, today=TODAY)
    assert fresh[registry.households[0].kelurahan_id]["households"] == 5


def test_queries_over_households_do_not_grow_with_their_number(
    verifikator, django_assert_num_queries
):
    crafted_registry()
    from dashboards.selectors import household_counts, regions_for

    kelurahan = regions_for(verifikator)  # the user's scope is read here, once
    with django_assert_num_queries(3):
        household_counts(kelurahan)
