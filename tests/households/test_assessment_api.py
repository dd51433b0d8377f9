"""Needs assessments and PMKS in the API (issue 21): scoped like households, sensitive
categories for Dinas Sosial only, writes through the services."""

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from households.assessments import classify_person, record_assessment, registry_suggestions
from households.models import Assessment, PmksCategory, PmksClassification
from tests.households.needs_inputs import api_assessment_body, decided_needs

pytestmark = pytest.mark.django_db


def _today():
    """Read at each use: a module-level date goes stale when a run crosses midnight WIB."""
    return timezone.localdate()


def _api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def _classify(member, code, by):
    category = PmksCategory.objects.get(code=code)
    return classify_person(member=member, category=category, recorded_on=_today(), by=by)


def test_the_categories_endpoint_lists_the_26_for_every_signed_in_user(pendamping, pimpinan):
    for user in (pendamping, pimpinan):
        rows = _api(user).get("/api/v1/pmks-categories/").json()
        assert len(rows) == 26
        assert rows[15]["code"] == "odha"
        assert rows[15]["is_sensitive"] is True


def test_classifications_are_scoped_and_sensitive_ones_are_for_dinas_sosial(
    pendamping, data_steward, verifikator, household_in_margahayu, household_in_bintara
):
    head = household_in_margahayu.members.get(relationship="head")
    ordinary = _classify(head, "fakir-miskin", verifikator)
    sensitive = _classify(head, "korban-trafficking", verifikator)
    elsewhere = _classify(household_in_bintara.members.first(), "pemulung", verifikator)
    seen = {
        user.username: {
            r["id"] for r in _api(user).get("/api/v1/pmks-classifications/").json()["results"]
        }
        for user in (pendamping, data_steward, verifikator)
    }
    assert seen["rina"] == {ordinary.pk}
    assert seen["steward"] == {ordinary.pk, elsewhere.pk}
    assert seen["hasan"] == {ordinary.pk, sensitive.pk, elsewhere.pk}
    client = _api(pendamping)
    assert client.get(f"/api/v1/pmks-classifications/{sensitive.pk}/").status_code == 404
    assert client.get(f"/api/v1/pmks-classifications/{elsewhere.pk}/").status_code == 404


def test_a_facilitator_records_a_person_through_the_api(pendamping, household_in_margahayu):
    person = household_in_margahayu.members.first()
    body = {"member": person.pk, "category": "lanjut-usia-terlantar", "recorded_on": str(_today())}
    response = _api(pendamping).post("/api/v1/pmks-classifications/", body, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["category"] == "lanjut-usia-terlantar"
    sensitive = {**body, "category": "odha"}
    refused = _api(pendamping).post("/api/v1/pmks-classifications/", sensitive, format="json")
    assert refused.status_code == 400
    assert PmksClassification.objects.count() == 1


def test_outside_the_write_scope_a_write_is_404(pendamping, petugas_dinkes, household_in_bintara):
    person = household_in_bintara.members.first()
    body = {"member": person.pk, "category": "pemulung", "recorded_on": str(_today())}
    assert (
        _api(pendamping).post("/api/v1/pmks-classifications/", body, format="json").status_code
        == 404
    )
    assert (
        _api(petugas_dinkes).post("/api/v1/pmks-classifications/", body, format="json").status_code
        == 403
    )
    assert not PmksClassification.objects.exists()


def test_an_assessment_is_recorded_and_read_through_the_api(operator, household_in_margahayu):
    client = _api(operator)
    response = client.post(
        "/api/v1/assessments/", api_assessment_body(household_in_margahayu), format="json"
    )
    assert response.status_code == 201, response.json()
    assert response.json()["version"] == 1
    rows = client.get(f"/api/v1/assessments/?household={household_in_margahayu.pk}").json()[
        "results"
    ]
    capital = [n for n in rows[0]["needs"] if n["kind"] == "capital"]
    assert capital == [
        {"domain": "economy", "kind": "capital", "member": None, "present": True,
         "severity": "mild", "suggested": False, "intervention": "kur", "amount": 5_000_000,
         "note": ""}
    ]  # fmt: skip


def test_an_undecided_suggestion_is_a_400_with_its_code(operator, household_in_margahayu):
    body = api_assessment_body(household_in_margahayu)
    body["needs"] = [n for n in body["needs"] if not n.get("suggested")]
    response = _api(operator).post("/api/v1/assessments/", body, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "undecided_suggestion"
    assert not Assessment.objects.exists()


def test_agency_staff_and_other_kelurahan_see_no_assessment(
    pendamping, petugas_dinkes, verifikator, household_in_bintara
):
    assessment = record_assessment(
        household=household_in_bintara,
        assessed_on=_today(),
        needs=decided_needs(household_in_bintara),
        by=verifikator,
    )
    for user in (pendamping, petugas_dinkes):
        assert _api(user).get("/api/v1/assessments/").json()["results"] == []
        assert _api(user).get(f"/api/v1/assessments/{assessment.pk}/").status_code == 404
    assert _api(verifikator).get(f"/api/v1/assessments/{assessment.pk}/").status_code == 200


def test_aggregate_only_roles_get_403(pimpinan):
    for path in ("/api/v1/assessments/", "/api/v1/pmks-classifications/"):
        assert _api(pimpinan).get(path).status_code == 403


def test_the_suggestions_to_decide_are_served_to_those_who_assess(
    pendamping, petugas_dinkes, household_in_margahayu, household_in_bintara
):
    url = "/api/v1/assessments/suggestions/"
    rows = _api(pendamping).get(url, {"household": household_in_margahayu.pk}).json()
    expected = [
        {"kind": s.kind, "domain": s.domain, "member": s.member.pk if s.member else None}
        for s in registry_suggestions(household_in_margahayu)
    ]
    assert rows == expected
    assert rows
    assert _api(pendamping).get(url, {"household": household_in_bintara.pk}).status_code == 404
    assert _api(pendamping).get(url).status_code == 400
    assert (
        _api(petugas_dinkes).get(url, {"household": household_in_margahayu.pk}).status_code == 403
    )
