"""Issue 16: an answer "this KK or NIK is already registered" to a write outside the user's
scope names nothing, is counted per user over 24 hours, logged, and refused past the cap
without telling whether the number exists (households.existence)."""

import logging
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from households.existence import answers_today
from households.models import ExistenceAnswer, Household, Member
from households.services import MemberChange, register_household, update_household
from tests.households.factories import make_kk
from tests.households.families import family, household_data, member_data
from tests.imports.files import csv_file, import_file

pytestmark = pytest.mark.django_db

ANSWER_ID = "Sudah terdaftar — hubungi Dinas Sosial."


def _what_the_registry_knows(household: Household) -> list[str]:
    values = [household.kk_number, household.head_name, household.kelurahan.name]
    for member in household.members.all():
        values += [member.nik, member.name]
    return values


def _register_with_nik(user, kelurahan, nik: str):
    members = [MemberChange(data=member_data(nik=nik), position=0)]
    return register_household(data=household_data(kelurahan), members=members, by=user)


def _register_with_kk(user, kelurahan, kk: str):
    return register_household(
        data=household_data(kelurahan, kk_number=kk), members=family(), by=user
    )


def test_a_nik_outside_scope_is_answered_only_already_registered(
    pendamping, margahayu, household_in_bintara
):
    nik = household_in_bintara.members.first().nik
    with pytest.raises(ValidationError) as excinfo:
        _register_with_nik(pendamping, margahayu, nik)
    error = excinfo.value.error_dict["member:0:nik"][0]
    assert (error.code, error.messages) == ("registered_elsewhere", [ANSWER_ID])
    text = str(excinfo.value)
    assert not [value for value in _what_the_registry_knows(household_in_bintara) if value in text]
    assert not Household.objects.filter(kelurahan=margahayu).exists()


def test_a_kk_outside_scope_is_answered_only_already_registered(
    pendamping, margahayu, household_in_bintara
):
    with pytest.raises(ValidationError) as excinfo:
        _register_with_kk(pendamping, margahayu, household_in_bintara.kk_number)
    error = excinfo.value.error_dict["kk_number"][0]
    assert (error.code, error.messages) == ("registered_elsewhere", [ANSWER_ID])


def test_inside_scope_the_helpful_message_stays(pendamping, margahayu, household_in_margahayu):
    nik = household_in_margahayu.members.first().nik
    with pytest.raises(ValidationError) as excinfo:
        _register_with_nik(pendamping, margahayu, nik)
    assert excinfo.value.error_dict["member:0:nik"][0].code == "nik_taken"
    assert answers_today(pendamping) == 0


def test_each_answer_is_counted_per_user_and_logged_without_the_number(
    pendamping, operator, margahayu, household_in_bintara, caplog
):
    nik = household_in_bintara.members.first().nik
    with caplog.at_level(logging.WARNING, logger="slrt.security"):
        for _ in range(2):
            with pytest.raises(ValidationError):
                _register_with_nik(pendamping, margahayu, nik)
        with pytest.raises(ValidationError):
            _register_with_kk(pendamping, margahayu, household_in_bintara.kk_number)
    assert answers_today(pendamping) == 3
    assert answers_today(operator) == 0
    assert set(ExistenceAnswer.objects.values_list("source", flat=True)) == {"form"}
    lines = [r.getMessage() for r in caplog.records if r.name == "slrt.security"]
    assert len(lines) == 3
    assert all("existence answer" in line and pendamping.username in line for line in lines)
    assert not [line for line in lines if nik in line or household_in_bintara.kk_number in line]


def test_answers_older_than_a_day_do_not_count(pendamping, margahayu, settings):
    settings.EXISTENCE_ANSWERS_MAX_PER_DAY = 1
    ExistenceAnswer.objects.create(
        user=pendamping, source="form", count=5, created_at=timezone.now() - timedelta(hours=25)
    )
    assert answers_today(pendamping) == 0
    _register_with_kk(pendamping, margahayu, make_kk())  # a new number: saved


def test_past_the_cap_a_write_naming_any_new_number_is_refused_alike(
    pendamping, margahayu, household_in_bintara, household_in_margahayu, settings, caplog
):
    settings.EXISTENCE_ANSWERS_MAX_PER_DAY = 2
    nik = household_in_bintara.members.first().nik
    for _ in range(2):
        with pytest.raises(ValidationError):
            _register_with_nik(pendamping, margahayu, nik)
    refusals = []
    with caplog.at_level(logging.WARNING, logger="slrt.security"):
        for attempt in (
            lambda: _register_with_nik(pendamping, margahayu, nik),  # registered elsewhere
            lambda: _register_with_kk(pendamping, margahayu, make_kk()),  # new
            lambda: _register_with_kk(pendamping, margahayu, household_in_bintara.kk_number),
        ):
            with pytest.raises(ValidationError) as excinfo:
                attempt()
            refusals.append(excinfo.value)
    # the same refusal, new number or not: it does not tell whether the number exists
    assert {(e.code, e.messages[0]) for e in refusals} == {
        (refusals[0].code, refusals[0].messages[0])
    }
    assert refusals[0].code == "existence_limit"
    assert "24 jam" in refusals[0].messages[0]
    assert "existence answer refused" in caplog.text
    assert answers_today(pendamping) == 2
    # an edit inside scope that names no new number still saves
    head = household_in_margahayu.members.get(relationship=Member.Relationship.HEAD)
    update_household(
        household=household_in_margahayu,
        data={"address": "Jl. Baru 2"},
        members=[MemberChange(member_id=head.pk, data={"name": "Nama Baru"})],
        expected_version=household_in_margahayu.version,
        by=pendamping,
    )


def test_a_save_that_would_pass_the_cap_is_refused_and_uses_up_the_day(
    pendamping, margahayu, household_in_bintara, settings
):
    settings.EXISTENCE_ANSWERS_MAX_PER_DAY = 1
    bintara_niks = list(household_in_bintara.members.values_list("nik", flat=True))[:2]
    members = [
        MemberChange(data=member_data(nik=nik, relationship=relationship), position=position)
        for position, (nik, relationship) in enumerate(
            zip(bintara_niks, [Member.Relationship.HEAD, Member.Relationship.CHILD], strict=True)
        )
    ]
    with pytest.raises(ValidationError) as excinfo:
        register_household(data=household_data(margahayu), members=members, by=pendamping)
    assert excinfo.value.code == "existence_limit"
    assert answers_today(pendamping) == 1


def test_an_import_answers_only_already_registered_counts_and_refuses_past_the_cap(
    operator, household_in_bintara, settings, django_capture_on_commit_callbacks
):
    settings.EXISTENCE_ANSWERS_MAX_PER_DAY = 1
    head = household_in_bintara.members.get(relationship=Member.Relationship.HEAD)
    row = (
        f"{household_in_bintara.kk_number};{head.nik};Nama Lain;L;{head.birth_date:%d-%m-%Y};"
        "Kepala Keluarga;Jl. Baru 1;1;1;Margahayu;0;Tidak"
    )
    batch = import_file(csv_file([row]), operator, django_capture_on_commit_callbacks)
    issue = batch.issues.get(severity="error")
    assert (issue.code, issue.message) == ("kk_outside_scope", ANSWER_ID)
    assert answers_today(operator) == 1
    # past the cap: the same file is refused whole, in Indonesian, and answers nothing
    again = import_file(
        csv_file([row], name="again.csv"), operator, django_capture_on_commit_callbacks
    )
    assert again.status == again.Status.FAILED
    assert "24 jam" in again.error_message
    assert not again.issues.filter(code="kk_outside_scope").exists()
    assert household_in_bintara.kk_number not in again.error_message


def test_the_form_page_shows_the_answer_and_past_the_cap_the_refusal_not_a_500(
    client, pendamping, margahayu, household_in_bintara, settings
):
    from django.urls import reverse

    from tests.households.posts import form_data

    settings.EXISTENCE_ANSWERS_MAX_PER_DAY = 1
    client.force_login(pendamping)
    nik = household_in_bintara.members.get(relationship=Member.Relationship.HEAD).nik
    url = reverse("households:household_create")
    first = client.post(url, form_data(margahayu, [{"nik": nik}]))
    assert first.status_code == 200
    assert ANSWER_ID in first.content.decode()
    second = client.post(url, form_data(margahayu, [{"nik": nik}]))
    page = second.content.decode()
    assert second.status_code == 200
    assert "24 jam" in page
    assert ANSWER_ID not in page
    assert not Household.objects.filter(kelurahan=margahayu).exists()
