"""The referrals API: scope per role, filters matching the queue page, transitions through the
service with its codes as 400s, the read log, bounded queries."""

from datetime import timedelta

import pytest
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from households.models import AccessRecord, Agency
from referrals import api
from referrals.filters import ReferralFilter
from referrals.models import NeedCategory, Referral, ReferralEvent, Status
from referrals.selectors import agency_queue
from referrals.services import raise_referral, transition_referral
from tests.households.factories import household_with_members, persona

pytestmark = pytest.mark.django_db

URL = "/api/v1/referrals/"


# Kept in this module (not a conftest) so parallel work on tests/referrals/ cannot collide.
@pytest.fixture
def schooling(reference_data):
    category, _ = NeedCategory.objects.get_or_create(
        code="pendidikan",
        defaults={
            "name": "Pendidikan / KIP",
            "default_agency": Agency.objects.get(code="disdik"),
            "deadline_days": 14,
        },
    )
    return category


@pytest.fixture
def submitted(household_in_margahayu, health, operator):
    return raise_referral(
        household=household_in_margahayu, category=health, description="JKN nenek", by=operator
    )


@pytest.fixture
def draft(household_in_margahayu, health, operator):
    return raise_referral(
        household=household_in_margahayu,
        category=health,
        description="Belum dikirim",
        by=operator,
        submit=False,
    )


@pytest.fixture
def in_bintara(household_in_bintara, health, reference_data):
    desk = persona("operator_puskesos", kelurahan=[household_in_bintara.kelurahan], username="budi")
    return raise_referral(
        household=household_in_bintara, category=health, description="Rawat jalan", by=desk
    )


@pytest.fixture
def to_disdik(household_in_margahayu, schooling, operator):
    return raise_referral(
        household=household_in_margahayu, category=schooling, description="KIP", by=operator
    )


def _ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


def _transition(client, referral, **body):
    return client.post(f"{URL}{referral.pk}/transition/", body, content_type="application/json")


# --- reads and scope ---


def test_agency_staff_list_only_their_agencys_referrals_never_drafts(
    client, petugas_dinkes, submitted, draft, in_bintara, to_disdik
):
    client.force_login(petugas_dinkes)
    assert sorted(_ids(client.get(URL))) == sorted([submitted.pk, in_bintara.pk])


def test_a_facilitator_lists_the_referrals_of_their_kelurahan(
    client, pendamping, submitted, draft, in_bintara, to_disdik
):
    client.force_login(pendamping)
    assert sorted(_ids(client.get(URL))) == sorted([submitted.pk, draft.pk, to_disdik.pk])


def test_a_facilitator_of_another_kelurahan_gets_404(client, bintara, submitted):
    elsewhere = persona("pendamping", kelurahan=[bintara], username="joko")
    client.force_login(elsewhere)
    assert client.get(f"{URL}{submitted.pk}/").status_code == 404
    assert client.get(f"{URL}{submitted.pk}/events/").status_code == 404
    assert _ids(client.get(URL)) == []


def test_another_agency_gets_404(client, petugas_disdik, submitted):
    client.force_login(petugas_disdik)
    assert client.get(f"{URL}{submitted.pk}/").status_code == 404


@pytest.mark.parametrize("persona", ["perencana", "pimpinan"])
def test_aggregate_only_roles_get_403(client, request, persona, submitted):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(URL).status_code == 403
    assert client.get(f"{URL}{submitted.pk}/").status_code == 403
    assert _transition(client, submitted, action="accept").status_code == 403


def test_retrieve_nests_the_events(client, operator, petugas_dinkes, submitted):
    transition_referral(referral=submitted, action="accept", by=petugas_dinkes)
    client.force_login(operator)
    body = client.get(f"{URL}{submitted.pk}/").json()
    assert (body["status"], body["agency"], body["category"]) == ("accepted", "dinkes", "kesehatan")
    assert body["kelurahan_code"] == "32.75.01.1002"
    assert [(e["action"], e["from_status"], e["to_status"]) for e in body["events"]] == [
        ("submit", "draft", "submitted"),
        ("accept", "submitted", "accepted"),
    ]
    assert body["events"][1]["actor"] == "sari"
    events = client.get(f"{URL}{submitted.pk}/events/").json()
    assert events == body["events"]


def test_agency_staff_reading_a_referral_is_logged(client, operator, petugas_dinkes, submitted):
    client.force_login(petugas_dinkes)
    assert client.get(f"{URL}{submitted.pk}/").status_code == 200
    record = AccessRecord.objects.get()
    assert (record.user, record.household) == (petugas_dinkes, submitted.household)
    assert record.via == f"referral {submitted.pk}"
    client.force_login(operator)  # the desk sees its own kelurahan: nothing to log
    client.get(f"{URL}{submitted.pk}/")
    assert AccessRecord.objects.count() == 1


def test_the_list_runs_a_fixed_number_of_queries(client, petugas_dinkes, health, operator):
    def raise_some(count: int) -> None:
        for _ in range(count):
            household = household_with_members(operator.profile.kelurahan.get(), size=1)
            raise_referral(household=household, category=health, description="x", by=operator)

    def count_queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(URL).status_code == 200
        return len(captured)

    client.force_login(petugas_dinkes)
    raise_some(2)
    count_queries()  # a worker's first request reads the user's groups and profile (kept)
    few = count_queries()
    raise_some(5)
    assert count_queries() == few


# --- filters ---


def test_filters_by_status_category_agency_region_and_priority(
    client, operator, petugas_dinkes, submitted, draft, in_bintara, to_disdik
):
    transition_referral(referral=in_bintara, action="accept", by=petugas_dinkes)
    Referral.objects.filter(pk=to_disdik.pk).update(priority="urgent")
    client.force_login(operator)
    by_status = _ids(client.get(URL, {"status": ["submitted", "returned"]}))
    assert sorted(by_status) == sorted([submitted.pk, to_disdik.pk])
    assert _ids(client.get(URL, {"category": "pendidikan"})) == [to_disdik.pk]
    assert sorted(_ids(client.get(URL, {"agency": "dinkes"}))) == sorted([submitted.pk, draft.pk])
    assert _ids(client.get(URL, {"priority": "urgent"})) == [to_disdik.pk]
    client.force_login(petugas_dinkes)
    assert _ids(client.get(URL, {"kelurahan": "32.75.02.1001"})) == [in_bintara.pk]
    assert _ids(client.get(URL, {"kecamatan": "32.75.01", "status": "submitted"})) == [submitted.pk]


def test_overdue_filter_follows_the_querysets_rule(client, petugas_dinkes, submitted, in_bintara):
    yesterday = timezone.localdate() - timedelta(days=1)
    Referral.objects.filter(pk=submitted.pk).update(due_date=yesterday)
    client.force_login(petugas_dinkes)
    assert _ids(client.get(URL, {"overdue": "true"})) == [submitted.pk]
    assert _ids(client.get(URL, {"overdue": "false"})) == [in_bintara.pk]
    Referral.objects.filter(pk=submitted.pk).update(status=Status.RETURNED)  # origin's turn
    assert _ids(client.get(URL, {"overdue": "true"})) == []


def test_the_filterset_serves_the_queue_page_alone(petugas_dinkes, submitted, in_bintara):
    # The triage page builds it from request.GET over agency_queue(), without the API.
    accepted = transition_referral(referral=in_bintara, action="accept", by=petugas_dinkes)
    data = QueryDict("status=submitted&status=accepted&kecamatan=32.75.02")
    filterset = ReferralFilter(data, queryset=agency_queue(petugas_dinkes))
    assert filterset.is_valid()
    assert list(filterset.qs) == [accepted]


@pytest.mark.parametrize(
    "params", [{"status": "nope"}, {"category": "nope"}, {"kelurahan": "32.75.01"}]
)
def test_bad_filter_values_answer_400(client, petugas_dinkes, params):
    client.force_login(petugas_dinkes)
    response = client.get(URL, params)
    assert response.status_code == 400
    assert set(response.json()) == set(params)


# --- transitions ---


def test_accept_through_the_api_moves_and_records_the_event(client, petugas_dinkes, submitted):
    client.force_login(petugas_dinkes)
    response = _transition(client, submitted, action="accept", note="Kami tangani")
    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["assignee"]) == ("accepted", "sari")
    assert body["events"][-1]["note"] == "Kami tangani"
    assert Referral.objects.get(pk=submitted.pk).status == Status.ACCEPTED


def test_the_origin_submits_a_draft_through_the_api(client, operator, draft):
    client.force_login(operator)
    response = _transition(client, draft, action="submit")
    assert (response.status_code, response.json()["status"]) == (200, "submitted")
    assert response.json()["due_date"]


def test_transfer_and_resolve_take_their_extra_fields(client, petugas_dinkes, submitted):
    client.force_login(petugas_dinkes)
    bad = _transition(client, submitted, action="transfer", note="salah", to_agency="nope")
    assert (bad.status_code, list(bad.json())) == (400, ["to_agency"])
    _transition(client, submitted, action="accept")
    resolved = _transition(
        client, submitted, action="resolve", note="Kartu aktif", outcome="served"
    ).json()
    assert (resolved["status"], resolved["outcome"]) == ("resolved", "served")


def test_transfer_names_the_agencies_in_its_event(client, petugas_dinkes, submitted):
    client.force_login(petugas_dinkes)
    body = _transition(
        client, submitted, action="transfer", note="Bantuan sosial", to_agency="dinsos"
    ).json()
    assert (body["agency"], body["status"]) == ("dinsos", "submitted")
    assert (body["events"][-1]["from_agency"], body["events"][-1]["to_agency"]) == (
        "dinkes",
        "dinsos",
    )


def test_an_illegal_transition_is_400_with_its_code(client, operator, submitted):
    client.force_login(operator)
    response = _transition(client, submitted, action="close")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_transition"
    assert response.json()["detail"]
    assert not ReferralEvent.objects.filter(action="close").exists()


def test_the_origin_cannot_take_an_agency_action(client, operator, submitted):
    client.force_login(operator)
    response = _transition(client, submitted, action="accept")
    assert (response.status_code, response.json()["code"]) == (400, "not_receiving_agency")


def test_another_agencys_officer_gets_404(client, petugas_disdik, submitted):
    client.force_login(petugas_disdik)
    assert _transition(client, submitted, action="accept").status_code == 404
    assert Referral.objects.get(pk=submitted.pk).status == Status.SUBMITTED


def test_reject_without_a_note_is_400_note_required(client, petugas_dinkes, submitted):
    client.force_login(petugas_dinkes)
    response = _transition(client, submitted, action="reject", note="  ")
    assert (response.status_code, response.json()["code"]) == (400, "note_required")


def test_an_unknown_action_is_a_bad_field(client, petugas_dinkes, submitted):
    client.force_login(petugas_dinkes)
    response = _transition(client, submitted, action="approve")
    assert (response.status_code, list(response.json())) == (400, ["action"])


def test_the_second_of_two_concurrent_accepts_is_told_taken(
    client, monkeypatch, petugas_dinkes, submitted
):
    colleague = persona("petugas_opd", agency_code="dinkes", username="ibu_sari_2")
    real = api.transition_referral

    def colleague_wins_meanwhile(*, referral, **kwargs):
        # The colleague's accept lands after this request read the referral (still submitted).
        real(referral=Referral.objects.get(pk=referral.pk), action="accept", by=colleague)
        return real(referral=referral, **kwargs)

    monkeypatch.setattr(api, "transition_referral", colleague_wins_meanwhile)
    client.force_login(petugas_dinkes)
    response = _transition(client, submitted, action="accept")
    assert (response.status_code, response.json()["code"]) == (400, "taken")
    assert (colleague.get_full_name() or colleague.username) in response.json()["detail"][0]
    assert Referral.objects.get(pk=submitted.pk).assignee == colleague


# --- raising ---


def test_the_desk_raises_a_referral(client, operator, household_in_margahayu, health):
    client.force_login(operator)
    body = {"household": household_in_margahayu.pk, "category": "kesehatan", "description": "JKN"}
    response = client.post(URL, body, content_type="application/json")
    assert response.status_code == 201, response.content
    created = response.json()
    assert (created["status"], created["agency"]) == ("submitted", "dinkes")
    assert Referral.objects.get(pk=created["id"]).origin_user == operator


def test_raising_outside_scope_is_404_and_without_permission_403(
    client, pendamping, petugas_dinkes, household_in_bintara, health
):
    body = {"household": household_in_bintara.pk, "category": "kesehatan", "description": "x"}
    client.force_login(pendamping)
    assert client.post(URL, body, content_type="application/json").status_code == 404
    client.force_login(petugas_dinkes)
    assert client.post(URL, body, content_type="application/json").status_code == 403
    assert not Referral.objects.exists()


def test_raising_names_a_household_the_database_can_hold(client, pendamping, health):
    """Schemathesis: ids are bounded to the database's (64 bits), refused with a message."""
    client.force_login(pendamping)
    body = {"household": 2**70, "member": -1, "category": "kesehatan", "description": "x"}
    response = client.post(URL, body, content_type="application/json")
    assert response.status_code == 400
    assert set(response.json()) == {"household", "member"}
    assert not Referral.objects.exists()


def test_an_unknown_code_is_refused_in_indonesian(client, submitted, operator, health):
    """DRF's own message for an unknown code is English only."""
    client.force_login(operator)
    body = {"household": submitted.household_id, "category": "zakat", "description": "x"}
    response = client.post(URL, body, content_type="application/json")
    assert response.json() == {"category": ["Kode “zakat” tidak dikenal."]}
    response = _transition(client, submitted, action="transfer", to_agency="dinkes-lama")
    assert response.json() == {"to_agency": ["Kode “dinkes-lama” tidak dikenal."]}
    assert Referral.objects.count() == 1


def test_a_code_with_a_nul_byte_is_unknown(client, operator, household_in_margahayu, health):
    """Schemathesis on PostgreSQL: a NUL byte in a code reached the query (DataError, 500)."""
    client.force_login(operator)
    body = {"household": household_in_margahayu.pk, "category": "kese\x00hatan", "description": "x"}
    response = client.post(URL, body, content_type="application/json")
    assert response.json() == {"category": ["Kode “kese\x00hatan” tidak dikenal."]}
    assert not Referral.objects.exists()


def test_the_schema_documents_the_referral_endpoints(client, pendamping):
    client.force_login(pendamping)
    schema = client.get("/api/schema/").content
    assert b"/api/v1/referrals/{id}/transition/" in schema
    assert b"/api/v1/referrals/{id}/events/" in schema
