"""Permissions come from the role table (households.roles) through the user's role: one
source, and no permission query on a request (accounts.backends)."""

import pytest
from django.contrib.auth.models import Group, Permission

from households.roles import ROLE_PERMISSIONS
from tests.households.factories import UserFactory

pytestmark = pytest.mark.django_db


def _permission(dotted: str) -> Permission:
    app_label, codename = dotted.split(".")
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)


def test_a_role_holds_exactly_its_permissions_from_the_table(pendamping, data_steward):
    assert pendamping.get_all_permissions() == set(ROLE_PERMISSIONS["pendamping"])
    assert data_steward.has_perm("households.add_importbatch")
    assert not data_steward.has_perm("households.change_household")
    assert not pendamping.has_perm("households.change_household", obj=object())  # no per-row


def test_a_permission_given_by_hand_grants_nothing(data_steward):
    data_steward.user_permissions.add(_permission("households.change_household"))
    Group.objects.get(name="data_steward").permissions.add(_permission("eligibility.review_flag"))
    fresh = type(data_steward).objects.get(pk=data_steward.pk)
    assert not fresh.has_perm("households.change_household")
    assert not fresh.has_perm("eligibility.review_flag")


def test_permission_checks_read_the_groups_once(pendamping, django_assert_num_queries):
    fresh = type(pendamping).objects.get(pk=pendamping.pk)
    with django_assert_num_queries(1):  # the role, from the groups
        assert fresh.has_perm("households.change_household")
        assert fresh.has_perm("referrals.add_referral")
        assert not fresh.has_perm("eligibility.review_flag")


def test_no_role_no_permission_and_an_inactive_user_none(reference_data):
    nobody = UserFactory(username="no-role")
    assert not nobody.get_all_permissions()
    gone = UserFactory(username="gone", role="verifikator", is_active=False)
    assert not gone.has_perm("eligibility.review_flag")
