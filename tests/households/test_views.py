"""Household pages through the client: forms, errors in Indonesian, lost updates, history."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from households.models import ChangeRecord, Household, Member
from tests.households.factories import HouseholdFactory
from tests.households.posts import form_data, members_as_posted

pytestmark = pytest.mark.django_db


def field_error_codes(form, name):
    return [error.code for error in form.errors.as_data().get(name, [])]


def test_facilitator_registers_a_household_with_members(client, pendamping, margahayu):
    client.force_login(pendamping)
    members = [
        {},
        {
            "nik": "3275015203880002",
            "name": "Siti Aminah",
            "sex": "female",
            "birth_date": "1988-03-12",
            "relationship": "spouse",
        },
    ]
    response = client.post(reverse("households:household_create"), form_data(margahayu, members))
    household = Household.objects.get()
    assert response.status_code == 302
    assert response.url == household.get_absolute_url()
    assert household.member_count == 2
    assert household.created_by == pendamping


def test_typed_spaces_in_nik_and_kk_are_accepted(client, pendamping, margahayu):
    client.force_login(pendamping)
    data = form_data(margahayu, [{"nik": "3275 0117 0885 0001"}], kk_number="3275 0105 0210 0007")
    assert client.post(reverse("households:household_create"), data).status_code == 302
    assert Member.objects.get().nik == "3275011708850001"


@pytest.mark.parametrize(
    ("nik", "code"),
    [
        ("3.27501E+15", "excel_scientific"),
        ("327501170885", "length"),
        ("3275013208850001", "birth_date"),
        ("3275011708850000", "serial_zero"),
        ("abc", "not_digits"),
    ],
)
def test_bad_nik_is_a_field_error_not_a_500(client, pendamping, margahayu, nik, code):
    client.force_login(pendamping)
    response = client.post(
        reverse("households:household_create"), form_data(margahayu, [{"nik": nik}])
    )
    assert response.status_code == 200
    member_form = response.context["formset"].forms[0]
    assert field_error_codes(member_form, "nik") == [code]
    assert not Household.objects.exists()


def test_errors_are_shown_in_indonesian(client, pendamping, margahayu):
    client.force_login(pendamping)
    response = client.post(
        reverse("households:household_create"), form_data(margahayu, [{"nik": "327501170885"}])
    )
    assert "NIK harus 16 digit" in response.content.decode()


def test_english_is_the_second_language(client, pendamping, margahayu):
    client.force_login(pendamping)
    client.cookies["django_language"] = "en"
    response = client.post(
        reverse("households:household_create"), form_data(margahayu, [{"nik": "327501170885"}])
    )
    assert "NIK must be 16 digits" in response.content.decode()


def test_missing_required_fields_and_bad_values_are_field_errors(client, pendamping, margahayu):
    client.force_login(pendamping)
    data = form_data(
        margahayu,
        [{"name": "", "birth_date": "31-02-1990", "sex": "x"}],
        kk_number="",
        rt="abc",
        car_count="-1",
        welfare_decile="11",
    )
    response = client.post(reverse("households:household_create"), data)
    assert response.status_code == 200
    form = response.context["form"]
    assert {"kk_number", "rt", "car_count", "welfare_decile"} <= set(form.errors)
    assert {"name", "birth_date", "sex"} <= set(response.context["formset"].forms[0].errors)


def test_two_heads_is_reported_on_the_form(client, pendamping, margahayu):
    client.force_login(pendamping)
    members = [{}, {"nik": "3275015203880002", "sex": "female", "birth_date": "1988-03-12"}]
    response = client.post(reverse("households:household_create"), form_data(margahayu, members))
    assert response.status_code == 200
    codes = [e.code for e in response.context["form"].non_field_errors().as_data()]
    assert codes == ["head_count"]


def test_a_kelurahan_outside_the_facilitators_scope_is_refused(client, pendamping, bintara):
    client.force_login(pendamping)
    response = client.post(reverse("households:household_create"), form_data(bintara, [{}]))
    assert response.status_code == 200
    assert field_error_codes(response.context["form"], "kelurahan") == ["invalid_choice"]
    assert not Household.objects.exists()


def test_second_editor_of_the_same_household_is_refused(
    client, pendamping, operator, household_in_margahayu
):
    household = household_in_margahayu
    url = reverse("households:household_edit", args=[household.pk])
    head = household.members.get(relationship="head")
    members = members_as_posted(household)
    common = {"kk_number": household.kk_number, "version": str(household.version)}
    client.force_login(operator)
    first = client.post(url, form_data(household.kelurahan, members, **common, address="Jl. A 1"))
    assert first.status_code == 302

    client.force_login(pendamping)  # opened the form before the operator saved
    second = client.post(url, form_data(household.kelurahan, members, **common, address="Jl. B 2"))
    assert second.status_code == 200
    codes = [e.code for e in second.context["form"].non_field_errors().as_data()]
    assert codes == ["stale"]
    household.refresh_from_db()
    assert household.address == "Jl. A 1"
    assert head.pk in household.members.values_list("pk", flat=True)


def test_household_page_shows_who_changed_what(
    client, pendamping, operator, household_in_margahayu
):
    household = household_in_margahayu
    members = members_as_posted(household)
    client.force_login(operator)
    data = form_data(
        household.kelurahan,
        members,
        kk_number=household.kk_number,
        version=str(household.version),
        address=household.address,
        welfare_decile=str(household.welfare_decile),
        monthly_income=str(household.monthly_income),
        rt=household.rt,
        rw=household.rw,
        motorcycle_count="0",
        car_count="2",
    )
    client.post(reverse("households:household_edit", args=[household.pk]), data)
    record = ChangeRecord.objects.get(household=household, action="updated")
    assert record.changes == {"car_count": [0, 2]}

    client.force_login(pendamping)
    page = client.get(household.get_absolute_url()).content.decode()
    assert operator.get_full_name() in page
    assert "Riwayat Perubahan" in page


def test_history_entry_without_actor_is_shown_with_a_dash(client, pendamping, margahayu):
    # given: a change whose author is gone (actor SET_NULL) or was no one (the demo seed)
    household = HouseholdFactory(kelurahan=margahayu)
    ChangeRecord.objects.create(
        household=household,
        entity="household",
        object_id=household.pk,
        object_label=household.kk_number,
        action="updated",
        changes={"welfare_decile": [4, 6]},
        actor=None,
    )
    client.force_login(pendamping)
    # when
    response = client.get(household.get_absolute_url())
    # then: the page answers (a filter argument on a missing actor raised VariableDoesNotExist)
    assert response.status_code == 200
    assert "<strong>–</strong>" in response.content.decode()


def test_nik_warnings_are_shown_on_the_household_page(client, pendamping, margahayu):
    client.force_login(pendamping)
    # the NIK's day 17 says male; the facilitator confirmed the card says so
    data = form_data(margahayu, [{"sex": "female", "as_on_card": "on"}])
    client.post(reverse("households:household_create"), data)
    household = Household.objects.get()
    assert household.members.get().nik_warnings == ["sex_mismatch"]
    page = client.get(household.get_absolute_url()).content.decode()
    assert "Peringatan" in page


def test_location_is_recorded_from_the_browser(client, pendamping, household_in_margahayu):
    client.force_login(pendamping)
    url = reverse("households:household_location", args=[household_in_margahayu.pk])
    response = client.post(url, {"latitude": "-6.245123", "longitude": "107.001234"})
    assert response.status_code == 302
    household_in_margahayu.refresh_from_db()
    assert str(household_in_margahayu.latitude) == "-6.245123"
    assert household_in_margahayu.location_recorded_at is not None


def test_a_garbled_location_is_a_message_not_a_500(client, pendamping, household_in_margahayu):
    client.force_login(pendamping)
    url = reverse("households:household_location", args=[household_in_margahayu.pk])
    response = client.post(url, {"latitude": "north", "longitude": ""}, follow=True)
    assert response.status_code == 200
    assert [m.level_tag for m in response.context["messages"]] == ["error"]


def test_list_search_finds_a_family_by_member_name_nik_or_kk(
    client, pendamping, household_in_margahayu
):
    client.force_login(pendamping)
    member = household_in_margahayu.members.order_by("pk").last()
    url = reverse("households:household_list")
    for query in (member.name.split()[0], member.nik, household_in_margahayu.kk_number):
        page = client.get(url, {"q": query}).context["page"]
        assert [h.pk for h in page.object_list] == [household_in_margahayu.pk], query
    assert not client.get(url, {"q": "zzzz-nobody"}).context["page"].object_list


def test_list_filters(client, verifikator, household_in_margahayu, household_in_bintara):
    client.force_login(verifikator)
    url = reverse("households:household_list")
    by_kelurahan = client.get(url, {"kelurahan": household_in_bintara.kelurahan_id})
    assert [h.pk for h in by_kelurahan.context["page"].object_list] == [household_in_bintara.pk]
    by_kecamatan = client.get(url, {"kecamatan": household_in_margahayu.kelurahan.parent_id})
    assert [h.pk for h in by_kecamatan.context["page"].object_list] == [household_in_margahayu.pk]
    assert client.get(url, {"rw": "2"}).context["page"].paginator.count == 2
    assert client.get(url, {"welfare_decile": "9"}).context["page"].paginator.count == 0


def test_bad_filter_values_are_messages_not_500s(client, verifikator, household_in_margahayu):
    client.force_login(verifikator)
    url = reverse("households:household_list")
    for params in (
        {"rw": "abc"},
        {"kelurahan": "999999"},
        {"welfare_decile": "x"},
        {"page": "9999"},
    ):
        response = client.get(url, params)
        assert response.status_code == 200, params


def test_the_next_page_link_keeps_the_filters_and_opens_page_two(client, verifikator, margahayu):
    HouseholdFactory.create_batch(26, kelurahan=margahayu, rw="007")
    client.force_login(verifikator)
    url = reverse("households:household_list")
    first = client.get(url, {"rw": "7"})
    link = re.search(r'href="([^"]*page=2[^"]*)"', first.content.decode()).group(1)
    assert link.startswith("?")
    assert not link.startswith("??")
    second = client.get(url + link.replace("&amp;", "&"))
    assert second.context["page"].number == 2
    assert second.context["page"].paginator.count == 26


def test_live_search_replaces_the_results_instead_of_nesting_them(client, verifikator):
    client.force_login(verifikator)
    url = reverse("households:household_list")
    partial = client.get(url, {"q": "x"}, HTTP_HX_REQUEST="true").content.decode()
    assert partial.lstrip().startswith('<div id="results">')  # the element itself...
    page = client.get(url).content.decode()
    form = re.search(r'<form class="filters"[^>]*>', page).group(0)
    assert 'hx-target="#results"' in form
    assert 'hx-swap="outerHTML"' in form  # ...so it replaces #results, not its inside


def _list_item(page: str, household: Household) -> str:
    href = reverse("households:household_detail", args=[household.pk])
    return re.search(rf'<li>\s*<a href="{href}">(.*?)</a>\s*</li>', page, re.S).group(1)


def test_a_list_row_shows_the_family_as_it_reads(client, pendamping, margahayu):
    """households.presenters.list_rows: the link, the head, the masked KK, the address with
    RT/RW and kelurahan, and members · decile · verification, in the reader's language."""
    household = HouseholdFactory(
        kelurahan=margahayu,
        kk_number="3275011203090007",
        head_name="Siti <Aminah>",
        address="Jl. Melati 4",
        rt="003",
        rw="011",
        member_count=1,
        welfare_decile=2,
        verification_status=Household.VerificationStatus.VERIFIED,
    )
    undecided = HouseholdFactory(kelurahan=margahayu, head_name="", welfare_decile=None)
    client.force_login(pendamping)
    page = client.get(reverse("households:household_list")).content.decode()
    row = " ".join(_list_item(page, household).split())
    assert row == (
        '<strong>Siti &lt;Aminah&gt;</strong> <span class="kk">KK 3275********0007</span> '
        '<span class="addr">Jl. Melati 4, RT 003/RW 011, Margahayu</span> '
        '<span class="meta">1 anggota · Desil 2 · Terverifikasi</span>'
    )
    other = " ".join(_list_item(page, undecided).split())
    assert "<strong>–</strong>" in other
    assert '<span class="meta">0 anggota · Belum diverifikasi</span>' in other

    client.cookies["django_language"] = "en"
    page = client.get(reverse("households:household_list")).content.decode()
    assert '<span class="meta">1 member · Decile 2 · Verified</span>' in page
    assert '<span class="meta">0 members · Not yet verified</span>' in page


def test_the_list_reads_only_the_columns_its_rows_show(client, pendamping, margahayu):
    """households.views.LIST_FIELDS (issue 17): the rows' query names no other column of the
    household (its search text, incomes, assets) nor the kecamatan, and a page of 25 reads
    no row again (a deferred field read by the presenter would cost one query a row)."""
    HouseholdFactory.create_batch(30, kelurahan=margahayu)
    client.force_login(pendamping)
    client.get(reverse("households:household_list"))
    with CaptureQueriesContext(connection) as captured:
        page = client.get(reverse("households:household_list")).content.decode()
    rows = [
        q["sql"] for q in captured if 'ORDER BY "households_household"."updated_at"' in q["sql"]
    ]
    assert len(rows) == 1
    assert "search_text" not in rows[0]
    assert "monthly_income" not in rows[0]
    assert rows[0].count('"households_region"') >= 1
    assert "T3" not in rows[0]  # the kecamatan's join is gone
    assert page.count('<span class="meta">') == 25
    assert len(captured) <= 4


FORMER_ROWS_LOOP = """{% for row in rows %}
    <li>
      <a href="{{ row.url }}">
        <strong>{{ row.head_name }}</strong>
        <span class="kk">KK {{ row.kk }}</span>
        <span class="addr">{{ row.address }}</span>
        <span class="meta">{{ row.meta }}</span>
      </a>
    </li>
    {% endfor %}"""


@pytest.mark.parametrize("language", ["id", "en"])
def test_the_list_items_are_the_former_templates_character_for_character(
    client, pendamping, margahayu, language
):
    """households.presenters.list_items_html against the template loop it replaced: the same
    HTML, a name to escape included, in both languages."""
    from django.template import engines
    from django.utils import translation

    from households.presenters import list_rows

    HouseholdFactory(kelurahan=margahayu, head_name='Siti "<Aminah>" & Co', welfare_decile=3)
    HouseholdFactory(kelurahan=margahayu, head_name="", welfare_decile=None, member_count=1)
    client.force_login(pendamping)
    client.cookies["django_language"] = language
    page = client.get(reverse("households:household_list")).content.decode()
    with translation.override(language):
        rows = list_rows(Household.objects.order_by("-updated_at", "-id"))
        former = engines["django"].from_string(FORMER_ROWS_LOOP).render({"rows": rows})
    shown = re.search(r'<ul class="household-list">(.*?)</ul>', page, re.S).group(1)
    assert shown.strip() == former.strip()
    assert "&lt;Aminah&gt;" in shown
