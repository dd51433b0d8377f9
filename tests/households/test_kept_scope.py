"""What the database says of a user (groups, profile, kelurahan, agency, grants) is kept per
process between requests (issue 17), and every change to it shows on the next request
(households.scope._kept_facts, SCOPE_STAMP)."""

import pytest
from django.contrib.auth.models import Group, User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from households import scope as scope_module
from households.break_glass import request_break_glass
from households.models import Agency, BreakGlassGrant
from households.scope import scope_for

pytestmark = pytest.mark.django_db

REASON = "Ibu hamil dirujuk darurat malam ini, rujukan resmi belum dikirim."


def _scope(user: User):
    """As a new request sees it: a fresh user object (nothing kept on it)."""
    return scope_for(User.objects.get(pk=user.pk))


def _facts(user: User):
    return scope_module._facts_of(User.objects.get(pk=user.pk))


def _facts_queries(user: User) -> int:
    fresh = User.objects.get(pk=user.pk)
    with CaptureQueriesContext(connection) as captured:
        scope_for(fresh)
    return sum("UNION" in q["sql"] for q in captured)


def test_the_facts_are_read_once_then_kept(pendamping):
    assert _facts_queries(pendamping) == 1
    assert _facts_queries(pendamping) == 0


def test_a_page_reads_no_facts_the_second_time(client, pendamping):
    client.force_login(pendamping)
    client.get(reverse("households:household_list"))
    with CaptureQueriesContext(connection) as captured:
        assert client.get(reverse("households:household_list")).status_code == 200
    assert not [q for q in captured if "UNION" in q["sql"]]


def test_leaving_the_group_takes_the_role_away_at_once(client, pendamping):
    client.force_login(pendamping)
    assert client.get(reverse("households:household_list")).status_code == 200
    pendamping.groups.clear()
    assert client.get(reverse("households:household_list")).status_code == 403
    assert _scope(pendamping).role is None


def test_a_renamed_group_changes_the_role(pendamping, petugas_dinkes):
    assert _scope(pendamping).role == "pendamping"
    group = pendamping.groups.get()
    group.name = "renamed"
    group.save()
    assert _scope(pendamping).role is None


def test_kelurahan_and_agency_changes_show_at_once(pendamping, margahayu, bintara):
    assert _scope(pendamping).kelurahan_ids == {margahayu.pk}
    pendamping.profile.kelurahan.add(bintara)
    assert _scope(pendamping).kelurahan_ids == {margahayu.pk, bintara.pk}
    pendamping.profile.kelurahan.remove(margahayu)
    assert _scope(pendamping).kelurahan_ids == {bintara.pk}
    profile = pendamping.profile
    profile.agency = Agency.objects.get(code="dinsos")
    profile.save()
    assert _facts(pendamping).agency_id == profile.agency_id


def test_an_agencys_code_change_shows_at_once(petugas_dinkes):
    agency = Agency.objects.get(pk=_facts(petugas_dinkes).agency_id)
    agency.code = "dinkes-baru"
    agency.save()
    assert _facts(petugas_dinkes).agency_code == "dinkes-baru"


def test_an_emergency_grant_opens_at_once_and_ends_at_once(pendamping, household_in_bintara):
    assert not _scope(pendamping).granted
    grant = request_break_glass(
        kk_number=household_in_bintara.kk_number, reason=REASON, by=pendamping
    )
    assert _scope(pendamping).granted_household_ids == {household_in_bintara.pk}
    # A user holding a grant is read on every request: the grant ends with time, unwritten.
    assert pendamping.pk not in scope_module._kept_facts
    assert _facts_queries(pendamping) == 1
    BreakGlassGrant.objects.filter(pk=grant.pk).update(expires_at=timezone.now())
    assert not _scope(pendamping).granted


def test_a_deleted_users_facts_are_not_kept_for_the_next_holder_of_the_id(pendamping):
    _scope(pendamping)
    token = scope_module._kept_facts[pendamping.pk][0]
    User.objects.create(username="leaver").delete()
    assert scope_module.stamps.current(scope_module.SCOPE_STAMP) != token


def test_the_kept_facts_are_bounded(pendamping, petugas_dinkes, monkeypatch):
    monkeypatch.setattr(scope_module, "FACTS_KEPT", 1)
    _scope(pendamping)
    _scope(petugas_dinkes)
    assert len(scope_module._kept_facts) == 1


def test_a_groups_membership_added_by_its_table_moves_the_stamp(pendamping):
    token = scope_module.stamps.current(scope_module.SCOPE_STAMP)
    User.groups.through.objects.create(user=pendamping, group=Group.objects.create(name="x"))
    assert scope_module.stamps.current(scope_module.SCOPE_STAMP) != token
