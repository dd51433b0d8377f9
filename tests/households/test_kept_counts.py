"""The household list's count is kept per process between requests (issue 17) and is never
out of date: every write of a household, a member or an enrolment, through the ORM or COPY,
and every change of the reference rows shows on the next request (households.kept_counts)."""

import datetime
import re

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from households.imports.writers import writer_for_database
from households.models import Enrolment, Household, Member, Program, Region
from households.services import enrol_in_program
from tests.households.factories import household_with_members, persona

pytestmark = pytest.mark.django_db

LIST = reverse("households:household_list")
HOUSEHOLD_COUNT = 'SELECT COUNT(*) FROM (SELECT "households_household"."id"'


def _count(client, query: str = "") -> int:
    """The number the list shows ("3 keluarga"), as a new request sees it."""
    page = client.get(LIST + query, HTTP_ACCEPT_LANGUAGE="id").content.decode()
    return int(re.search(r"(\d+) keluarga", page).group(1))


def _count_queries(client, query: str = "") -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(LIST + query).status_code == 200
    return sum(q["sql"].startswith(HOUSEHOLD_COUNT) for q in captured)


@pytest.fixture
def three(margahayu):
    return [household_with_members(margahayu, size=2) for _ in range(3)]


@pytest.fixture
def seen_by(client, pendamping):
    client.force_login(pendamping)
    return client


def test_the_count_is_counted_once_then_kept(seen_by, three):
    assert _count_queries(seen_by) == 1
    assert _count_queries(seen_by) == 0
    assert _count(seen_by) == 3
    assert _count_queries(seen_by, "?welfare_decile=3") == 1  # another filter, another count
    assert _count_queries(seen_by, "?welfare_decile=3") == 0


def test_a_new_or_deleted_household_shows_at_once(seen_by, three, margahayu):
    assert _count(seen_by) == 3
    household_with_members(margahayu, size=1)
    assert _count(seen_by) == 4
    three[0].members.all().delete()
    three[0].delete()
    assert _count(seen_by) == 3
    Member.objects.filter(household=three[1]).delete()
    Household.objects.filter(pk=three[1].pk).delete()
    assert _count(seen_by) == 2


def test_a_bulk_update_of_households_shows_at_once(seen_by, three, bintara):
    Household.objects.filter(pk=three[0].pk).update(welfare_decile=1)
    assert _count(seen_by, "?welfare_decile=1") == 1
    Household.objects.filter(pk__in=[h.pk for h in three]).update(welfare_decile=1)
    assert _count(seen_by, "?welfare_decile=1") == 3
    Household.objects.filter(pk=three[2].pk).update(kelurahan=bintara)  # moved away
    assert _count(seen_by) == 2


def test_a_members_change_shows_in_a_search_at_once(seen_by, three):
    assert _count(seen_by, "?q=ZULAIKHA") == 0
    household = three[0]
    member = household.members.first()
    member.name = "Zulaikha"
    member.save()
    # The search reads the household's search text, which services rebuild with its members;
    # a member's own write moves the stamp too.
    Household.objects.filter(pk=household.pk).update(search_text="ZULAIKHA")
    assert _count(seen_by, "?q=ZULAIKHA") == 1
    Member.objects.filter(pk=member.pk).update(name="Siti")
    household.search_text = "SITI"
    household.save()
    assert _count(seen_by, "?q=ZULAIKHA") == 0


def test_an_enrolment_shows_in_the_program_filter_at_once(seen_by, three, pendamping):
    pkh = Program.objects.get(code="pkh")
    query = f"?program={pkh.pk}"
    assert _count(seen_by, query) == 0
    enrolment = enrol_in_program(
        household=three[0], program=pkh, start_date=datetime.date(2025, 1, 1), by=pendamping
    )
    assert _count(seen_by, query) == 1
    Enrolment.objects.filter(pk=enrolment.pk).update(status=Enrolment.Status.ENDED)
    assert _count(seen_by, query) == 0


@pytest.mark.parametrize("fast", [True, False], ids=["copy-on-postgresql", "orm"])
def test_rows_written_by_the_import_writers_show_at_once(seen_by, three, fast):
    """COPY and a staged UPDATE on PostgreSQL, bulk_create and bulk_update elsewhere: each
    moves the stamp."""
    writer = writer_for_database(fast=fast)
    row = Household.objects.values().get(pk=three[0].pk) | {"kk_number": "3275011234000099"}
    row.pop("id")
    assert _count(seen_by) == 3
    writer.insert(Household, [row])
    assert _count(seen_by) == 4
    assert _count(seen_by, "?welfare_decile=9") == 0
    writer.update(Household, [{"id": three[0].pk, "welfare_decile": 9}], ["welfare_decile"])
    assert _count(seen_by, "?welfare_decile=9") == 1


def test_a_kelurahan_moved_to_another_kecamatan_shows_at_once(
    client, three, margahayu, verifikator
):
    client.force_login(verifikator)  # city-wide: every kecamatan is a valid choice
    seen_by = client
    kecamatan = margahayu.parent
    assert _count(seen_by, f"?kecamatan={kecamatan.pk}") == 3
    other = Region.objects.filter(level=Region.Level.KECAMATAN).exclude(pk=kecamatan.pk).first()
    margahayu.parent = other
    margahayu.save()
    assert _count(seen_by, f"?kecamatan={kecamatan.pk}") == 0


def test_each_scope_has_its_own_count(client, three, margahayu, bintara, pendamping):
    household_with_members(bintara, size=1)
    client.force_login(pendamping)
    assert _count(client) == 3
    other = persona("pendamping", kelurahan=[bintara])
    client.force_login(other)
    assert _count(client) == 1
    pendamping.profile.kelurahan.add(bintara)  # the scope grows: another key
    client.force_login(User.objects.get(pk=pendamping.pk))
    assert _count(client) == 4


def test_agency_staff_are_counted_each_time(client, three, health, operator, petugas_dinkes):
    """Their households are those referred to the agency: a referral changes the count."""
    from referrals.services import raise_referral

    client.force_login(petugas_dinkes)
    raise_referral(household=three[0], category=health, description="JKN", by=operator)
    assert _count_queries(client) == 1
    assert _count_queries(client) == 1
    raise_referral(household=three[1], category=health, description="JKN", by=operator)
    assert _count(client) == 2
