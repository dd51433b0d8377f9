"""Masked KK numbers in lists are told apart by their family (issue 18, point 5): the number
keeps the project's mask (first and last four digits, households.identifiers), and beside it
stand the head of the family and the kelurahan, never the masked number twice."""

import pytest
from django.urls import reverse

from households.identifiers import mask_identifier
from referrals.models import Complaint
from referrals.services import raise_referral, record_complaint
from tests.households.factories import HouseholdFactory

pytestmark = pytest.mark.django_db


def test_the_complaint_list_names_the_family_beside_its_masked_kk(
    client, operator, margahayu, household_in_margahayu, health
):
    record_complaint(
        kelurahan=margahayu,
        household=household_in_margahayu,
        complainant_name="Ibu Sumarni",
        request="Nenek sakit, kartu JKN belum aktif",
        category=health,
        channel=Complaint.Channel.PHONE,
        by=operator,
    )
    client.force_login(operator)
    page = client.get(reverse("referrals:complaint_list")).content.decode()
    masked = mask_identifier(household_in_margahayu.kk_number)
    assert f"KK {masked} ({household_in_margahayu.head_name})" in page
    assert household_in_margahayu.kk_number not in page


def test_a_family_without_a_head_name_shows_its_masked_kk_once(client, operator, margahayu, health):
    household = HouseholdFactory(kelurahan=margahayu, head_name="")
    raise_referral(household=household, category=health, description="JKN", by=operator)
    client.force_login(operator)
    page = client.get(reverse("referrals:referral_list")).content.decode()
    assert page.count(mask_identifier(household.kk_number)) == 1
    assert margahayu.name in page
