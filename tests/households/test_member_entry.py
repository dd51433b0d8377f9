"""The member rows of the household form as a facilitator types them (issue 18): the birth date
as DD-MM-YYYY whatever the phone's language, a NIK that disagrees with its row asked about
before it is saved, errors on the wrong field only, members in the family card's order."""

import re
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from households.models import Household, Member
from tests.households.factories import HouseholdFactory, MemberFactory
from tests.households.posts import form_data

pytestmark = pytest.mark.django_db

CREATE = reverse("households:household_create")


def _member_errors(response, field):
    form = response.context["formset"].forms[0]
    return [error.code for error in form.errors.as_data().get(field, [])]


@pytest.mark.parametrize(
    "typed",
    ["17-08-1985", "17/08/1985", "17.08.1985", "17081985", " 17-08-1985 ", "1985-08-17"],
)
def test_the_birth_date_is_read_as_on_the_card(client, pendamping, margahayu, typed):
    client.force_login(pendamping)
    response = client.post(CREATE, form_data(margahayu, [{"birth_date": typed}]))
    assert response.status_code == 302
    assert Member.objects.get().birth_date == date(1985, 8, 17)


@pytest.mark.parametrize("language", ["en", "id"])
def test_the_birth_date_does_not_follow_the_phones_language(
    client, pendamping, margahayu, language
):
    # given: an English-set phone, where 08-12 would read as 12 August in the US order
    client.force_login(pendamping)
    client.cookies["django_language"] = language
    data = form_data(margahayu, [{"nik": "3275010812850001", "birth_date": "08-12-1985"}])
    # when
    response = client.post(CREATE, data, HTTP_ACCEPT_LANGUAGE="en-US")
    # then: 8 December, as on the card
    assert response.status_code == 302
    assert Member.objects.get().birth_date == date(1985, 12, 8)


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("31-02-1990", "impossible"),
        ("29-02-1985", "impossible"),
        ("17-13-1985", "impossible"),
        ("00-08-1985", "impossible"),
        ("1985", "invalid"),
        ("17 Agustus 1985", "invalid"),
        ("17-08-85", "invalid"),
        ("17-08-1899", "too_early"),
    ],
)
def test_an_impossible_birth_date_is_a_clear_field_error(
    client, pendamping, margahayu, typed, code
):
    client.force_login(pendamping)
    response = client.post(CREATE, form_data(margahayu, [{"birth_date": typed}]))
    assert response.status_code == 200
    assert _member_errors(response, "birth_date") == [code]
    assert not Household.objects.exists()


def test_a_birth_date_after_today_is_refused(client, pendamping, margahayu):
    client.force_login(pendamping)
    tomorrow = (timezone.localdate() + timedelta(days=2)).strftime("%d-%m-%Y")
    response = client.post(CREATE, form_data(margahayu, [{"birth_date": tomorrow}]))
    assert _member_errors(response, "birth_date") == ["future"]


def test_an_impossible_date_is_explained_in_indonesian(client, pendamping, margahayu):
    client.force_login(pendamping)
    response = client.post(CREATE, form_data(margahayu, [{"birth_date": "31-02-1990"}]))
    page = response.content.decode()
    assert "31-02-1990 bukan tanggal yang ada" in page
    # what was typed is kept, so it can be corrected
    assert 'value="31-02-1990"' in page


def test_the_birth_date_is_a_numeric_text_box_shown_as_dd_mm_yyyy(
    client, pendamping, household_in_margahayu
):
    member = household_in_margahayu.members.first()
    client.force_login(pendamping)
    page = client.get(reverse("households:household_edit", args=[household_in_margahayu.pk]))
    html = page.content.decode()
    field = re.search(r'<input[^>]*name="members-0-birth_date"[^>]*>', html).group(0)
    assert 'type="text"' in field
    assert 'inputmode="numeric"' in field
    assert f'value="{member.birth_date.strftime("%d-%m-%Y")}"' in field


def test_a_nik_that_disagrees_comes_back_to_be_confirmed(client, pendamping, margahayu):
    # given: the NIK says male, born 17-08-1985; the row says female, born 18-08-1985
    client.force_login(pendamping)
    row = {"sex": "female", "birth_date": "18-08-1985"}
    # when: saved without the tick
    response = client.post(CREATE, form_data(margahayu, [row]))
    # then: not saved, not silently; the form says what disagrees and asks for the tick
    assert response.status_code == 200
    assert not Household.objects.exists()
    assert _member_errors(response, "as_on_card") == ["nik_unconfirmed", "nik_unconfirmed"]
    page = response.content.decode()
    check = re.search(r'<div class="nik-check" data-nik-check\s*>(.*?)</small>', page, re.S)
    assert check, "the confirmation is shown, not hidden"
    said = check.group(1)
    assert "Menurut NIK, orang ini laki-laki" in said
    assert "Tanggal lahir pada NIK (17-08-1985) tidak cocok" in said
    assert "Data sesuai KTP/KK" in said
    # a question, not a mistake: amber, not "marked in red"
    assert "Ada NIK yang tidak cocok" in page
    assert "ditandai merah" not in page
    assert 'class="member-card asks"' in page


def test_a_ticked_disagreement_is_saved_with_its_warnings(client, pendamping, margahayu):
    client.force_login(pendamping)
    row = {"sex": "female", "birth_date": "18-08-1985", "as_on_card": "on"}
    response = client.post(CREATE, form_data(margahayu, [row]))
    assert response.status_code == 302
    assert Member.objects.get().nik_warnings == ["sex_mismatch", "birth_date_mismatch"]


def test_the_tick_is_hidden_while_nothing_disagrees(client, pendamping):
    client.force_login(pendamping)
    page = client.get(CREATE).content.decode()
    assert re.search(r'<div class="nik-check" data-nik-check\s+hidden>', page)


def test_an_error_marks_only_the_wrong_field_of_the_member(client, pendamping, margahayu):
    client.force_login(pendamping)
    response = client.post(CREATE, form_data(margahayu, [{"nik": "327501170885"}]))
    page = response.content.decode()
    card = page[page.index("data-member-form") : page.index('id="member-template"')]
    marked = re.findall(r'<div class="field has-error[^"]*">\s*<label for="([^"]+)"', card)
    assert marked == ["id_members-0-nik"]


def test_members_are_listed_in_family_card_order_head_first(
    client, pendamping, household_in_margahayu
):
    # given: a family whose head was saved last (the service writes the head last)
    household = HouseholdFactory(kelurahan=household_in_margahayu.kelurahan)
    child_young = MemberFactory(
        household=household, relationship="child", birth_date=date(2015, 5, 1)
    )
    parent = MemberFactory(household=household, relationship="parent", birth_date=date(1940, 1, 1))
    child_old = MemberFactory(
        household=household, relationship="child", birth_date=date(2010, 5, 1)
    )
    spouse = MemberFactory(household=household, relationship="spouse")
    head = MemberFactory(household=household, relationship="head")
    expected = [head, spouse, child_old, child_young, parent]
    client.force_login(pendamping)
    # the household page
    page = client.get(household.get_absolute_url())
    assert [row.member for row in page.context["member_rows"]] == expected
    # and the edit form
    form = client.get(reverse("households:household_edit", args=[household.pk]))
    assert [f.instance for f in form.context["formset"].forms] == expected


@pytest.mark.parametrize(
    ("row", "opened"),
    [({"nik": "327501170885"}, False), ({"disability": "wings"}, True)],
)
def test_more_about_the_person_opens_only_for_its_own_errors(
    client, pendamping, margahayu, row, opened
):
    client.force_login(pendamping)
    page = client.post(CREATE, form_data(margahayu, [row])).content.decode()
    card = page[page.index("data-member-form") : page.index('id="member-template"')]
    assert bool(re.search(r"<details\s+open>", card)) is opened
