"""Writes to the registry: one head, unique NIK, lost-update guard, history, NIK warnings."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from households.models import ChangeRecord, Household, Member
from households.services import MemberChange, register_household, update_household
from tests.households.families import family, household_data, member_data

pytestmark = pytest.mark.django_db


def test_register_household_keeps_summary_and_normalises_rt_rw(pendamping, margahayu):
    household = register_household(data=household_data(margahayu), members=family(), by=pendamping)
    assert (household.rt, household.rw) == ("003", "005")
    assert household.head_name == "Budi Santoso"
    assert household.member_count == 2
    assert "SITI AMINAH" in household.search_text
    assert Household.objects.search("siti").get() == household


def test_register_records_history_for_household_and_each_member(pendamping, margahayu):
    household = register_household(data=household_data(margahayu), members=family(), by=pendamping)
    records = ChangeRecord.objects.filter(household=household)
    assert {(r.entity, r.action, r.actor_id) for r in records} == {
        ("household", "created", pendamping.pk),
        ("member", "created", pendamping.pk),
    }
    assert records.count() == 3


def test_a_household_needs_exactly_one_head(pendamping, margahayu):
    two_heads = family()
    two_heads[1] = MemberChange(
        data=two_heads[1].data | {"relationship": Member.Relationship.HEAD}, position=1
    )
    with pytest.raises(ValidationError) as excinfo:
        register_household(data=household_data(margahayu), members=two_heads, by=pendamping)
    assert excinfo.value.code == "head_count"
    assert not Household.objects.exists()  # nothing half-saved

    no_head = [MemberChange(data=member_data(relationship=Member.Relationship.CHILD))]
    with pytest.raises(ValidationError) as excinfo:
        register_household(data=household_data(margahayu), members=no_head, by=pendamping)
    assert excinfo.value.code == "head_count"


def test_a_nik_registered_in_another_family_is_refused_without_naming_it(
    pendamping, margahayu, household_in_bintara
):
    taken = household_in_bintara.members.first().nik
    members = [MemberChange(data=member_data(nik=taken), position=0)]
    with pytest.raises(ValidationError) as excinfo:
        register_household(data=household_data(margahayu), members=members, by=pendamping)
    error = excinfo.value.error_dict["member:0:nik"][0]
    assert error.code == "registered_elsewhere"  # outside the facilitator's scope
    assert household_in_bintara.kk_number not in str(excinfo.value)


def test_a_kk_number_already_registered_is_refused(pendamping, margahayu, household_in_bintara):
    data = household_data(margahayu, kk_number=household_in_bintara.kk_number)
    with pytest.raises(ValidationError) as excinfo:
        register_household(data=data, members=family(), by=pendamping)
    assert "kk_number" in excinfo.value.error_dict


def test_second_save_of_the_same_version_is_refused_as_stale(pendamping, operator, margahayu):
    household = register_household(data=household_data(margahayu), members=family(), by=pendamping)
    opened_version = household.version
    update_household(
        household=household,
        data={"address": "Jl. Kenanga No. 1"},
        members=[],
        expected_version=opened_version,
        by=operator,
    )
    with pytest.raises(ValidationError) as excinfo:
        update_household(
            household=household,
            data={"address": "Jl. Mawar No. 9"},
            members=[],
            expected_version=opened_version,
            by=pendamping,
        )
    assert excinfo.value.code == "stale"
    assert excinfo.value.params["user"] == operator.get_full_name()
    household.refresh_from_db()
    assert household.address == "Jl. Kenanga No. 1"


def test_update_records_who_changed_which_fields(pendamping, operator, margahayu):
    household = register_household(data=household_data(margahayu), members=family(), by=pendamping)
    head = household.members.get(relationship=Member.Relationship.HEAD)
    update_household(
        household=household,
        data={"car_count": 2, "address": "Jl. Melati No. 12"},
        members=[MemberChange(member_id=head.pk, data=member_data(name="Budi Santosa"))],
        expected_version=household.version,
        by=operator,
    )
    household_change = ChangeRecord.objects.get(
        household=household, entity="household", action="updated"
    )
    assert household_change.actor == operator
    assert household_change.changes == {"car_count": [0, 2]}
    member_change = ChangeRecord.objects.get(household=household, entity="member", action="updated")
    assert member_change.changes == {"name": ["Budi Santoso", "Budi Santosa"]}
    household.refresh_from_db()
    assert household.head_name == "Budi Santosa"
    assert household.version == 2


def test_an_unchanged_save_records_no_field_changes(pendamping, margahayu):
    household = register_household(data=household_data(margahayu), members=family(), by=pendamping)
    update_household(
        household=household,
        data=household_data(margahayu),
        members=[],
        expected_version=household.version,
        by=pendamping,
    )
    assert not ChangeRecord.objects.filter(household=household, action="updated").exists()


def test_the_head_can_be_handed_over_in_one_save(pendamping, margahayu):
    household = register_household(data=household_data(margahayu), members=family(), by=pendamping)
    head = household.members.get(relationship=Member.Relationship.HEAD)
    spouse = household.members.get(relationship=Member.Relationship.SPOUSE)
    update_household(
        household=household,
        data={},
        members=[
            MemberChange(
                member_id=spouse.pk,
                data={"relationship": Member.Relationship.HEAD},
                position=1,
            ),
            MemberChange(
                member_id=head.pk,
                data={"relationship": Member.Relationship.SPOUSE, "is_deceased": True},
                position=0,
            ),
        ],
        expected_version=household.version,
        by=pendamping,
    )
    household.refresh_from_db()
    assert household.head_name == "Siti Aminah"
    assert household.member_count == 1  # the deceased husband no longer counts


def test_removing_a_member_is_recorded(pendamping, margahayu):
    household = register_household(data=household_data(margahayu), members=family(), by=pendamping)
    spouse = household.members.get(relationship=Member.Relationship.SPOUSE)
    update_household(
        household=household,
        data={},
        members=[MemberChange(member_id=spouse.pk, delete=True)],
        expected_version=household.version,
        by=pendamping,
    )
    assert not Member.objects.filter(pk=spouse.pk).exists()
    assert ChangeRecord.objects.filter(
        household=household, entity="member", action="deleted"
    ).exists()


def test_a_member_of_another_household_cannot_be_edited_through_this_one(
    pendamping, margahayu, household_in_bintara
):
    household = register_household(data=household_data(margahayu), members=family(), by=pendamping)
    stranger = household_in_bintara.members.first()
    with pytest.raises(ValidationError) as excinfo:
        update_household(
            household=household,
            data={},
            members=[MemberChange(member_id=stranger.pk, data={"name": "X"})],
            expected_version=household.version,
            by=pendamping,
        )
    assert excinfo.value.code == "foreign_member"


def test_nik_disagreements_are_kept_as_data_quality_facts(pendamping, margahayu):
    row = member_data(sex=Member.Sex.FEMALE, birth_date=date(1985, 8, 18))
    members = [MemberChange(data=row, as_on_card=True)]
    household = register_household(data=household_data(margahayu), members=members, by=pendamping)
    assert household.members.get().nik_warnings == ["sex_mismatch", "birth_date_mismatch"]


def test_a_nik_that_disagrees_is_not_saved_without_the_tick(pendamping, margahayu):
    # given: the NIK says born 17-08-1985, male; the row says female, born 18-08-1985
    row = member_data(sex=Member.Sex.FEMALE, birth_date=date(1985, 8, 18))
    # when
    with pytest.raises(ValidationError) as excinfo:
        register_household(
            data=household_data(margahayu), members=[MemberChange(data=row)], by=pendamping
        )
    # then: nothing saved, one question per disagreement, beside the row's tick
    errors = excinfo.value.error_dict["member:0:as_on_card"]
    assert [e.code for e in errors] == ["nik_unconfirmed", "nik_unconfirmed"]
    assert not Household.objects.exists()


def test_a_placeholder_nik_asks_for_the_tick_too(pendamping, margahayu):
    row = member_data(nik="3275011708859999")
    with pytest.raises(ValidationError) as excinfo:
        register_household(
            data=household_data(margahayu), members=[MemberChange(data=row)], by=pendamping
        )
    assert [e.code for e in excinfo.value.error_dict["member:0:as_on_card"]] == ["nik_unconfirmed"]


def test_a_nik_that_agrees_needs_no_tick(pendamping, margahayu):
    household = register_household(data=household_data(margahayu), members=family(), by=pendamping)
    assert [m.nik_warnings for m in household.members.all()] == [[], []]


def test_a_confirmed_disagreement_is_not_asked_again_at_each_edit(pendamping, margahayu):
    # given: a member saved with a confirmed sex disagreement
    row = member_data(sex=Member.Sex.FEMALE)
    household = register_household(
        data=household_data(margahayu),
        members=[MemberChange(data=row, as_on_card=True)],
        by=pendamping,
    )
    member = household.members.get()
    # when: her name is corrected, without the tick
    household = update_household(
        household=household,
        data={},
        members=[MemberChange(member_id=member.pk, data=row | {"name": "Budi S."})],
        expected_version=household.version,
        by=pendamping,
    )
    # then: saved; but a new disagreement (the birth date) asks again
    assert household.members.get().name == "Budi S."
    with pytest.raises(ValidationError) as excinfo:
        update_household(
            household=household,
            data={},
            members=[
                MemberChange(member_id=member.pk, data=row | {"birth_date": date(1985, 8, 1)})
            ],
            expected_version=household.version,
            by=pendamping,
        )
    assert [e.code for e in excinfo.value.error_dict["member:0:as_on_card"]] == ["nik_unconfirmed"]


def test_half_a_location_is_refused(pendamping, margahayu):
    data = household_data(margahayu, latitude="-6.25")
    with pytest.raises(ValidationError) as excinfo:
        register_household(data=data, members=family(), by=pendamping)
    assert excinfo.value.code == "location_pair"
