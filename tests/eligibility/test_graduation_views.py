"""Graduation pages and API (issue 21 part 4): propose from the household page, the
verifier's queue and decision, scope and permissions, clear errors."""

import pytest
from django.urls import reverse

from eligibility.graduation import propose_graduation
from eligibility.models import Graduation
from households.models import AccessRecord, Enrolment
from tests.eligibility.test_graduation import ready_family

pytestmark = pytest.mark.django_db


def test_the_household_page_offers_graduation_to_the_facilitator(
    client, pendamping, household_in_margahayu
):
    client.force_login(pendamping)
    page = client.get(household_in_margahayu.get_absolute_url(), secure=True)
    propose = reverse("eligibility:graduation_propose", args=[household_in_margahayu.pk])
    assert propose in page.content.decode()
    card = client.get(
        reverse("eligibility:household_graduations", args=[household_in_margahayu.pk]),
        secure=True,
    )
    assert card.status_code == 200


def test_the_propose_page_explains_the_criteria(client, margahayu, pendamping):
    household = ready_family(margahayu, pendamping)
    client.force_login(pendamping)
    url = reverse("eligibility:graduation_propose", args=[household.pk])
    page = client.get(url, secure=True)
    assert page.status_code == 200
    assert page.context["ready"].met
    assert "graduation-criteria" in page.content.decode()


def test_a_facilitator_proposes_through_the_page(client, margahayu, pendamping):
    household = ready_family(margahayu, pendamping)
    client.force_login(pendamping)
    url = reverse("eligibility:graduation_propose", args=[household.pk])
    response = client.post(url, {"kind": "criteria", "evidence": "Kerja tetap."}, secure=True)
    assert response.status_code == 302
    assert Graduation.objects.get(household=household).status == Graduation.Status.PROPOSED


def test_a_refused_proposal_is_a_form_error_not_a_500(client, pendamping, household_in_margahayu):
    client.force_login(pendamping)
    url = reverse("eligibility:graduation_propose", args=[household_in_margahayu.pk])
    response = client.post(url, {"kind": "criteria", "evidence": "x"}, secure=True)
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert not Graduation.objects.exists()


def test_proposing_outside_the_kelurahan_is_not_found(client, pendamping, household_in_bintara):
    client.force_login(pendamping)
    url = reverse("eligibility:graduation_propose", args=[household_in_bintara.pk])
    assert client.get(url, secure=True).status_code == 404


def test_the_verifier_confirms_from_the_queue(client, margahayu, pendamping, verifikator):
    household = ready_family(margahayu, pendamping)
    graduation = propose_graduation(
        household=household, kind="criteria", evidence="Kerja tetap.", by=pendamping
    )
    client.force_login(verifikator)
    queue = client.get(reverse("eligibility:graduation_list"), secure=True)
    assert household.head_name in queue.content.decode()
    detail = client.get(reverse("eligibility:graduation_detail", args=[graduation.pk]), secure=True)
    assert "Kerja tetap." in detail.content.decode()
    # the verifier's reads are logged (city-wide role)
    assert AccessRecord.objects.filter(user=verifikator, household=household).exists()
    response = client.post(
        reverse("eligibility:graduation_decide", args=[graduation.pk]),
        {"decision": "confirm", "note": "Kunjungan rumah 3 Des."},
        secure=True,
    )
    assert response.status_code == 302
    graduation.refresh_from_db()
    assert graduation.status == Graduation.Status.CONFIRMED
    assert not Enrolment.objects.filter(household=household, status="active").exists()


def test_a_decision_without_a_note_is_shown_again(
    client, pendamping, verifikator, household_in_margahayu
):
    graduation = propose_graduation(
        household=household_in_margahayu, kind="mandiri", evidence="a", by=pendamping
    )
    client.force_login(verifikator)
    response = client.post(
        reverse("eligibility:graduation_decide", args=[graduation.pk]),
        {"decision": "confirm", "note": ""},
        secure=True,
    )
    assert response.status_code == 200
    assert response.context["form"].errors


def test_a_facilitator_may_not_decide(client, pendamping, household_in_margahayu):
    graduation = propose_graduation(
        household=household_in_margahayu, kind="mandiri", evidence="a", by=pendamping
    )
    client.force_login(pendamping)
    url = reverse("eligibility:graduation_decide", args=[graduation.pk])
    response = client.post(url, {"decision": "confirm", "note": "x"}, secure=True)
    assert response.status_code == 403
    assert client.get(reverse("eligibility:graduation_list"), secure=True).status_code == 403


def test_the_mayor_sees_no_graduation_page(client, pimpinan, pendamping, household_in_margahayu):
    graduation = propose_graduation(
        household=household_in_margahayu, kind="mandiri", evidence="a", by=pendamping
    )
    client.force_login(pimpinan)
    url = reverse("eligibility:graduation_detail", args=[graduation.pk])
    assert client.get(url, secure=True).status_code in (403, 404)


# --- API ---------------------------------------------------------------------------------------


def test_the_api_lists_graduations_in_scope(
    client, pendamping, verifikator, household_in_margahayu, household_in_bintara
):
    inside = propose_graduation(
        household=household_in_margahayu, kind="mandiri", evidence="a", by=verifikator
    )
    propose_graduation(household=household_in_bintara, kind="mandiri", evidence="a", by=verifikator)
    client.force_login(pendamping)
    rows = client.get("/api/v1/eligibility/graduations/", secure=True).json()["results"]
    assert [row["id"] for row in rows] == [inside.pk]


def test_the_api_proposes_and_decides(
    client, margahayu, pendamping, verifikator, household_in_margahayu
):
    client.force_login(pendamping)
    response = client.post(
        "/api/v1/eligibility/graduations/propose/",
        {"household": household_in_margahayu.pk, "kind": "mandiri", "evidence": "Mandiri."},
        content_type="application/json",
        secure=True,
    )
    assert response.status_code == 201, response.content
    pk = response.json()["id"]
    again = client.post(
        "/api/v1/eligibility/graduations/propose/",
        {"household": household_in_margahayu.pk, "kind": "mandiri", "evidence": "Lagi."},
        content_type="application/json",
        secure=True,
    )
    assert again.status_code == 400  # already proposed: a clear message, not a 500
    client.force_login(verifikator)
    decided = client.post(
        f"/api/v1/eligibility/graduations/{pk}/decide/",
        {"decision": "confirm", "note": "Dicek."},
        content_type="application/json",
        secure=True,
    )
    assert decided.status_code == 200
    assert decided.json()["status"] == "confirmed"
