"""PMKS classification of persons (issue 21): the 26 categories of Permensos 8/2012 as reference
data; a person may carry several, each dated with who recorded it; sensitive categories are
recorded and seen by Dinas Sosial only; scoped like the household."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone

from households.assessments import classify_person, end_pmks_classification
from households.models import PmksCategory, PmksClassification
from households.selectors import pmks_categories_for, visible_pmks_classifications
from referrals.services import raise_referral
from tests.households.factories import persona
from tests.households.needs_inputs import code_of

pytestmark = pytest.mark.django_db


def _today():
    """Read at each use: a module-level date goes stale when a run crosses midnight WIB."""
    return timezone.localdate()


SENSITIVE = ["odha", "korban-penyalahgunaan-napza", "korban-trafficking", "tuna-susila"]


def _category(code: str) -> PmksCategory:
    return PmksCategory.objects.get(code=code)


def _classify(member, code: str, by, **kwargs) -> PmksClassification:
    return classify_person(
        member=member, category=_category(code), recorded_on=_today(), by=by, **kwargs
    )


def test_the_26_categories_are_reference_data_with_their_numbers(reference_data):
    categories = list(PmksCategory.objects.order_by("number"))
    assert [c.number for c in categories] == list(range(1, 27))
    assert categories[0].name == "Anak balita terlantar"
    assert categories[-1].name == "Komunitas adat terpencil"
    sensitive = {c.code for c in categories if c.is_sensitive}
    assert set(SENSITIVE) | {"korban-tindak-kekerasan", "anak-korban-tindak-kekerasan"} <= sensitive
    assert "fakir-miskin" not in sensitive


def test_a_person_may_carry_several_categories_each_dated_with_who(
    pendamping, household_in_margahayu
):
    grandmother = household_in_margahayu.members.first()
    first = _classify(grandmother, "lanjut-usia-terlantar", pendamping, note="Tinggal sendiri")
    second = _classify(grandmother, "penyandang-disabilitas", pendamping)
    assert (first.recorded_by, first.recorded_on, first.note) == (
        pendamping,
        _today(),
        "Tinggal sendiri",
    )
    assert set(grandmother.pmks_classifications.values_list("category__code", flat=True)) == {
        "lanjut-usia-terlantar",
        "penyandang-disabilitas",
    }
    assert second.pk != first.pk


def test_the_same_category_twice_is_refused_until_the_first_ends(
    pendamping, household_in_margahayu
):
    person = household_in_margahayu.members.first()
    first = _classify(person, "fakir-miskin", pendamping)
    with pytest.raises(ValidationError) as error:
        _classify(person, "fakir-miskin", pendamping)
    assert code_of(error.value) == "duplicate"
    end_pmks_classification(classification=first, ended_on=_today(), by=pendamping)
    again = _classify(person, "fakir-miskin", pendamping)
    assert PmksClassification.objects.filter(member=person).count() == 2
    assert again.ended_on is None


def test_an_end_is_recorded_once_and_not_before_its_start(pendamping, household_in_margahayu):
    row = _classify(household_in_margahayu.members.first(), "pemulung", pendamping)
    with pytest.raises(ValidationError) as early:
        end_pmks_classification(
            classification=row, ended_on=_today() - datetime.timedelta(days=1), by=pendamping
        )
    assert "ended_on" in early.value.message_dict
    seen_by_other = PmksClassification.objects.get(pk=row.pk)
    ended = end_pmks_classification(classification=row, ended_on=_today(), by=pendamping)
    assert ended.ended_by == pendamping
    with pytest.raises(ValidationError) as twice:
        end_pmks_classification(classification=seen_by_other, ended_on=_today(), by=pendamping)
    assert code_of(twice.value) == "stale"


@pytest.mark.parametrize("code", SENSITIVE)
def test_a_facilitator_can_neither_choose_nor_record_a_sensitive_category(
    pendamping, household_in_margahayu, code
):
    assert not pmks_categories_for(pendamping).filter(code=code).exists()
    with pytest.raises(ValidationError) as error:
        _classify(household_in_margahayu.members.first(), code, pendamping)
    assert code_of(error.value) == "invalid_category"
    assert not PmksClassification.objects.exists()


def test_dinas_sosial_records_a_sensitive_category(verifikator, household_in_margahayu):
    assert pmks_categories_for(verifikator).count() == 26
    row = _classify(household_in_margahayu.members.first(), "korban-trafficking", verifikator)
    assert row.category.is_sensitive


def test_nobody_records_a_person_outside_their_write_scope(
    pendamping, operator, petugas_dinkes, data_steward, household_in_bintara
):
    person = household_in_bintara.members.first()
    for user in (pendamping, operator, petugas_dinkes, data_steward):
        with pytest.raises(Http404):
            _classify(person, "fakir-miskin", user)
    assert not PmksClassification.objects.exists()


def test_a_deceased_person_or_a_future_date_is_refused(pendamping, household_in_margahayu):
    person = household_in_margahayu.members.first()
    with pytest.raises(ValidationError) as future:
        classify_person(
            member=person,
            category=_category("fakir-miskin"),
            recorded_on=_today() + datetime.timedelta(days=1),
            by=pendamping,
        )
    assert "recorded_on" in future.value.message_dict
    person.is_deceased = True
    person.save(update_fields=["is_deceased"])
    with pytest.raises(ValidationError) as deceased:
        _classify(person, "fakir-miskin", pendamping)
    assert code_of(deceased.value) == "deceased"


# --- who sees what ---------------------------------------------------------------------------


@pytest.fixture
def classified(verifikator, household_in_margahayu):
    """Two people of a Margahayu family: one in an ordinary category, one in a sensitive one."""
    head, other = household_in_margahayu.members.order_by("pk")[:2]
    ordinary = _classify(head, "fakir-miskin", verifikator)
    sensitive = _classify(other, "odha", verifikator)
    return ordinary, sensitive


def test_only_dinas_sosial_sees_a_sensitive_category(
    classified, pendamping, operator, data_steward, verifikator, admin_user
):
    ordinary, sensitive = classified
    for user in (pendamping, operator, data_steward):
        assert list(visible_pmks_classifications(user)) == [ordinary], user.username
    for user in (verifikator, admin_user):
        assert set(visible_pmks_classifications(user)) == {ordinary, sensitive}


def test_agency_staff_see_only_the_referred_person_and_dinsos_staff_the_sensitive_one(
    classified, operator, health, household_in_margahayu
):
    ordinary, sensitive = classified
    dinkes = persona("petugas_opd", agency_code="dinkes", username="dinkes-2")
    dinsos = persona("petugas_opd", agency_code="dinsos", username="dinsos-1")
    assert not visible_pmks_classifications(dinkes).exists()
    for officer in (dinkes, dinsos):
        raise_referral(
            household=household_in_margahayu,
            member=sensitive.member,
            category=health,
            description="Butuh obat ARV",
            by=operator,
            agency=officer.profile.agency,
        )
    assert not visible_pmks_classifications(dinkes).exists()  # the referred person's: sensitive
    assert list(visible_pmks_classifications(dinsos)) == [sensitive]


def test_aggregate_only_roles_see_no_person(classified, pimpinan, perencana):
    for user in (pimpinan, perencana):
        assert not visible_pmks_classifications(user).exists()
