"""Agency staff see a household only through a referral to their agency, and every read of
its personal data is recorded: pages, lists, the API and exports. Others leave no record."""

import pytest
from django.urls import reverse

from households.models import AccessRecord, Agency
from referrals.models import NeedCategory
from referrals.services import raise_referral

pytestmark = pytest.mark.django_db


@pytest.fixture
def referred(household_in_margahayu, operator, reference_data):
    category, _ = NeedCategory.objects.get_or_create(
        code="kesehatan",
        defaults={
            "name": "Kesehatan / JKN",
            "default_agency": Agency.objects.get(code="dinkes"),
            "deadline_days": 14,
        },
    )
    raise_referral(
        household=household_in_margahayu, category=category, description="JKN", by=operator
    )
    return household_in_margahayu


def _records(user, via):
    return list(
        AccessRecord.objects.filter(user=user, via=via).values_list("household_id", flat=True)
    )


def test_the_household_list_records_the_households_shown(
    client, referred, petugas_dinkes, household_in_bintara
):
    client.force_login(petugas_dinkes)
    page = client.get(reverse("households:household_list"))
    assert [h.pk for h in page.context["page"]] == [referred.pk]
    assert _records(petugas_dinkes, "list") == [referred.pk]


def test_the_api_records_list_and_detail_reads(client, referred, petugas_dinkes):
    client.force_login(petugas_dinkes)
    listed = client.get("/api/v1/households/").json()
    assert [row["id"] for row in listed["results"]] == [referred.pk]
    assert client.get(f"/api/v1/households/{referred.pk}/").status_code == 200
    members = client.get("/api/v1/members/").json()
    # need-to-know (issue 16): a whole-family referral shows its head, not every member
    assert [m["id"] for m in members["results"]] == [referred.members.get(relationship="head").pk]
    assert sorted(_records(petugas_dinkes, "api")) == [referred.pk] * 3


def test_an_export_records_the_households_exported(
    client, referred, pendamping, household_in_bintara
):
    """Outside one's kelurahan: a household opened by emergency access (agency staff export
    no people, issue 16)."""
    from households.break_glass import request_break_glass

    reason = "Ibu hamil dirujuk darurat malam ini, rujukan resmi belum dikirim dari kelurahan."
    request_break_glass(kk_number=household_in_bintara.kk_number, reason=reason, by=pendamping)
    client.force_login(pendamping)
    response = client.get(reverse("households:household_export"), {"format": "csv"})
    assert response.status_code == 200
    assert _records(pendamping, "export") == [household_in_bintara.pk]


def test_agency_staff_export_nothing(client, referred, petugas_dinkes):
    client.force_login(petugas_dinkes)
    response = client.get(reverse("households:household_export"), {"format": "csv"})
    assert response.status_code == 403
    assert not AccessRecord.objects.filter(via="export").exists()


def test_reads_by_the_kelurahan_side_are_not_recorded(client, referred, operator):
    client.force_login(operator)
    client.get(reverse("households:household_list"))
    client.get(f"/api/v1/households/{referred.pk}/")
    client.get(referred.get_absolute_url())
    assert not AccessRecord.objects.exists()


def test_an_unreferred_household_is_404_to_the_agency_everywhere(
    client, referred, petugas_dinkes, household_in_bintara
):
    client.force_login(petugas_dinkes)
    assert client.get(household_in_bintara.get_absolute_url()).status_code == 404
    assert client.get(f"/api/v1/households/{household_in_bintara.pk}/").status_code == 404
    assert not AccessRecord.objects.filter(household=household_in_bintara).exists()
