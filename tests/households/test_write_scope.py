"""Issue 16: services guard their writes; emergency (break-glass) access is read-only and ends;
a family's kelurahan never changes because a form offered one choice (finding 2)."""

import datetime
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from households.break_glass import request_break_glass, review_break_glass
from households.models import BreakGlassGrant, Household, Program
from households.services import (
    enrol_in_program,
    record_location,
    register_household,
    update_household,
)
from referrals.models import NeedCategory
from referrals.services import raise_referral, record_complaint
from tests.households.families import family, household_data
from tests.households.posts import edit_post

pytestmark = pytest.mark.django_db

REASON = "Ibu hamil dirujuk darurat malam ini, rujukan resmi belum dikirim dari kelurahan."


def _fresh(user):
    """The user as the next request loads it (the scope is cached per request)."""
    return type(user).objects.get(pk=user.pk)


def _unchanged(household) -> tuple:
    household = Household.objects.get(pk=household.pk)
    return household.kelurahan_id, household.version, household.address, household.latitude


# --- finding 2: emergency access is read-only, and it ends ---------------------------------


def test_an_emergency_grant_opens_a_household_to_read_only(
    client, pendamping, household_in_bintara, margahayu
):
    # given: the facilitator of Margahayu opened a Bintara family by emergency access
    client.force_login(pendamping)
    client.post(
        reverse("households:break_glass_request"),
        {"kk_number": household_in_bintara.kk_number, "reason": REASON},
    )
    pk = household_in_bintara.pk
    before = _unchanged(household_in_bintara)
    detail = client.get(reverse("households:household_detail", args=[pk]))
    assert detail.status_code == 200
    html = detail.content.decode()
    for name in ("household_edit", "household_location"):
        assert reverse(f"households:{name}", args=[pk]) not in html
    assert reverse("referrals:referral_create", args=[pk]) not in html
    # when: every write path is tried on the strength of the grant alone
    edit_url = reverse("households:household_edit", args=[pk])
    answers = [
        client.get(edit_url).status_code,
        # the unchanged form with the only kelurahan it offered: Margahayu
        client.post(edit_url, edit_post(household_in_bintara, margahayu)).status_code,
        client.post(
            reverse("households:household_location", args=[pk]),
            {"latitude": "-6.2", "longitude": "107.0"},
        ).status_code,
        client.get(reverse("referrals:referral_create", args=[pk])).status_code,
        client.post(reverse("referrals:referral_create", args=[pk]), {}).status_code,
    ]
    # then: the same 404 as without the grant, and nothing changed
    assert answers == [404] * 5
    assert _unchanged(household_in_bintara) == before
    assert not household_in_bintara.referrals.exists()


def test_the_services_refuse_a_write_on_the_strength_of_a_grant(
    pendamping, household_in_bintara, margahayu
):
    request_break_glass(kk_number=household_in_bintara.kk_number, reason=REASON, by=pendamping)
    user = _fresh(pendamping)
    household = Household.objects.get(pk=household_in_bintara.pk)
    before = _unchanged(household)
    attempts = [
        lambda: update_household(
            household=household,
            data={"kelurahan": margahayu, "address": "Jl. Baru 1"},
            members=[],
            expected_version=household.version,
            by=user,
        ),
        lambda: record_location(household=household, latitude=-6.2, longitude=107.0, by=user),
        lambda: raise_referral(
            household=household,
            category=NeedCategory.objects.first(),
            description="Butuh bantuan",
            by=user,
        ),
    ]
    for attempt in attempts:
        with pytest.raises(Http404):
            attempt()
    assert _unchanged(household) == before
    assert not household.referrals.exists()


@pytest.mark.parametrize("ending", ["expiry", "not_justified"])
def test_after_the_grant_ends_the_household_is_404_again_and_was_never_moved(
    client, pendamping, verifikator, household_in_bintara, margahayu, ending
):
    client.force_login(pendamping)
    client.post(
        reverse("households:break_glass_request"),
        {"kk_number": household_in_bintara.kk_number, "reason": REASON},
    )
    url = reverse("households:household_edit", args=[household_in_bintara.pk])
    client.post(url, edit_post(household_in_bintara, margahayu, address="Jl. Pindah 1"))
    later = timezone.now() + datetime.timedelta(hours=24, minutes=1)
    if ending == "not_justified":
        later = timezone.now() + datetime.timedelta(seconds=1)
        review_break_glass(
            grant=BreakGlassGrant.objects.get(),
            decision=BreakGlassGrant.Decision.NOT_JUSTIFIED,
            note="Bukan keadaan darurat.",
            by=verifikator,
        )
    with mock.patch("django.utils.timezone.now", return_value=later):
        client.force_login(pendamping)
        assert client.get(household_in_bintara.get_absolute_url()).status_code == 404
        assert client.get(f"/api/v1/households/{household_in_bintara.pk}/").status_code == 404
    household_in_bintara.refresh_from_db()
    assert household_in_bintara.kelurahan.name == "Bintara"


# --- the kelurahan never changes because a form offered one choice -------------------------


def test_the_edit_form_shows_the_familys_kelurahan_fixed_and_never_moves_it(
    client, pendamping, household_in_margahayu, bintara
):
    pendamping.profile.kelurahan.add(bintara)  # a facilitator of two kelurahan
    client.force_login(pendamping)
    url = reverse("households:household_edit", args=[household_in_margahayu.pk])
    form = client.get(url).context["form"]
    assert form.fields["kelurahan"].disabled
    assert list(form.fields["kelurahan"].queryset) == [household_in_margahayu.kelurahan]
    response = client.post(url, edit_post(household_in_margahayu, bintara, address="Jl. C 3"))
    assert response.status_code == 302
    household_in_margahayu.refresh_from_db()
    assert household_in_margahayu.kelurahan.name == "Margahayu"
    assert household_in_margahayu.address == "Jl. C 3"


def test_only_a_verifier_moves_a_family_to_another_kelurahan(
    pendamping, verifikator, household_in_margahayu, bintara
):
    pendamping.profile.kelurahan.add(bintara)
    user = _fresh(pendamping)
    household = household_in_margahayu
    with pytest.raises(ValidationError) as excinfo:
        update_household(
            household=household,
            data={"kelurahan": bintara},
            members=[],
            expected_version=household.version,
            by=user,
        )
    assert excinfo.value.error_dict["kelurahan"][0].code == "move_needs_verifier"
    household.refresh_from_db()
    assert household.kelurahan.name == "Margahayu"
    update_household(
        household=household,
        data={"kelurahan": bintara},
        members=[],
        expected_version=household.version,
        by=verifikator,
    )
    household.refresh_from_db()
    assert household.kelurahan == bintara


# --- every write service re-checks the actor's scope ---------------------------------------


def test_a_service_called_with_a_record_outside_scope_answers_not_found(
    pendamping, operator, data_steward, household_in_bintara, bintara
):
    household = household_in_bintara
    before = _unchanged(household)
    program = Program.objects.filter(level=Program.Level.HOUSEHOLD).first()
    attempts = [
        lambda: register_household(data=household_data(bintara), members=family(), by=pendamping),
        lambda: update_household(
            household=household,
            data={"address": "Jl. X"},
            members=[],
            expected_version=household.version,
            by=pendamping,
        ),
        lambda: record_location(household=household, latitude=-6.2, longitude=107.0, by=operator),
        lambda: enrol_in_program(
            household=household, program=program, start_date=timezone.localdate(), by=operator
        ),
        lambda: record_complaint(
            kelurahan=bintara, complainant_name="Ibu", request="Bantuan", by=operator
        ),
        # the data steward reads the whole city and writes nothing directly
        lambda: update_household(
            household=household,
            data={"address": "Jl. Y"},
            members=[],
            expected_version=household.version,
            by=data_steward,
        ),
    ]
    for attempt in attempts:
        with pytest.raises(Http404):
            attempt()
    assert _unchanged(household) == before
    assert not Household.objects.filter(kk_number="3275010502100007").exists()
