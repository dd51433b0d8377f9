"""Issue 16, finding 5: an agency officer sees the referred person and what the referral needs,
not the other members, the family's incomes and assets, or its eligibility findings; exports
no people; and every read is still logged."""

import pytest
from django.urls import reverse

from eligibility.models import Flag
from households.break_glass import request_break_glass
from households.models import AccessRecord
from referrals.services import raise_referral
from tests.security.world import _category, security_rule

pytestmark = pytest.mark.django_db

REASON = "Ibu hamil dirujuk darurat malam ini, rujukan resmi belum dikirim dari kelurahan."


@pytest.fixture
def referred(operator, household_in_margahayu):
    """A family of three in Margahayu, with income, a car and a finding, referred to Dinas
    Kesehatan for one of its members."""
    household = household_in_margahayu
    household.monthly_income, household.car_count = 4_750_000, 1
    household.save(update_fields=["monthly_income", "car_count"])
    rule = security_rule()
    Flag.objects.create(household=household, rule=rule, rule_code=rule.code)
    patient = household.members.exclude(relationship="head").order_by("pk").first()
    raise_referral(
        household=household,
        category=_category("ntk-dinkes", "dinkes"),
        description="Kontrol kehamilan",
        by=operator,
        member=patient,
    )
    return household, patient


def test_the_household_page_shows_the_referred_person_not_the_family(
    client, petugas_dinkes, referred
):
    household, patient = referred
    others = household.members.exclude(pk=patient.pk)
    client.force_login(petugas_dinkes)
    response = client.get(household.get_absolute_url())
    assert response.status_code == 200
    html = response.content.decode()
    assert patient.name in html
    assert patient.nik in html  # whole: the officer enrols the person
    assert household.address in html
    for other in others:
        assert other.nik not in html
    assert [row.member for row in response.context["member_rows"]] == [patient]
    assert "4.750.000" not in html
    assert "4,750,000" not in html
    assert 'id="eligibility"' not in html
    assert reverse("households:household_export") not in html
    # every read is still logged
    assert AccessRecord.objects.filter(user=petugas_dinkes, household=household).exists()


def test_the_api_gives_the_referred_person_and_the_address_only(client, petugas_dinkes, referred):
    household, patient = referred
    other = household.members.exclude(pk=patient.pk).first()
    client.force_login(petugas_dinkes)
    data = client.get(f"/api/v1/households/{household.pk}/").json()
    assert "monthly_income" not in data
    assert "car_count" not in data
    assert "enrolments" not in data
    assert data["address"] == household.address
    assert data["member_count"] == household.member_count
    assert [m["id"] for m in data["members"]] == [patient.pk]
    assert client.get(f"/api/v1/members/{patient.pk}/").status_code == 200
    assert client.get(f"/api/v1/members/{other.pk}/").status_code == 404
    listed = client.get("/api/v1/members/").json()["results"]
    assert [m["id"] for m in listed] == [patient.pk]


def test_agency_staff_see_no_findings_and_export_no_people(client, petugas_dinkes, referred):
    household, _patient = referred
    client.force_login(petugas_dinkes)
    assert client.get("/api/v1/eligibility/flags/").json()["results"] == []
    receipt = reverse("eligibility:household_receipt", args=[household.pk])
    assert client.get(receipt).status_code == 404
    for kind in ("households", "members"):
        url = reverse("households:household_export") + f"?kind={kind}&format=csv"
        assert client.get(url).status_code == 403


def test_a_whole_family_referral_shows_its_head(client, operator, petugas_dinkes, margahayu):
    from tests.households.factories import household_with_members

    household = household_with_members(margahayu, size=3)
    raise_referral(
        household=household,
        category=_category("ntk-dinkes", "dinkes"),
        description="Air bersih",
        by=operator,
    )
    client.force_login(petugas_dinkes)
    data = client.get(f"/api/v1/households/{household.pk}/").json()
    head = household.members.get(relationship="head")
    assert [m["id"] for m in data["members"]] == [head.pk]


def test_an_emergency_grant_opens_the_whole_household_to_read(
    client, petugas_dinkes, household_in_bintara
):
    request_break_glass(kk_number=household_in_bintara.kk_number, reason=REASON, by=petugas_dinkes)
    client.force_login(petugas_dinkes)
    data = client.get(f"/api/v1/households/{household_in_bintara.pk}/").json()
    assert len(data["members"]) == household_in_bintara.members.count()
    assert "monthly_income" in data


def test_the_desk_still_sees_the_whole_family(client, operator, referred):
    household, _patient = referred
    client.force_login(operator)
    data = client.get(f"/api/v1/households/{household.pk}/").json()
    assert len(data["members"]) == household.members.count()
    assert "monthly_income" in data
