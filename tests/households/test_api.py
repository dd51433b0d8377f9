"""The registry API: nested members, filters matching the pages, token auth, 400 on bad filters."""

import pytest
from rest_framework.authtoken.models import Token

from households.reference import AGENCIES

pytestmark = pytest.mark.django_db


def test_household_has_members_nested(client, verifikator, household_in_margahayu):
    client.force_login(verifikator)
    body = client.get(f"/api/v1/households/{household_in_margahayu.pk}/").json()
    assert body["kk_number"] == household_in_margahayu.kk_number
    assert body["kelurahan_code"] == "32.75.01.1002"
    assert len(body["members"]) == 3
    assert "search_text" not in body


def test_filters_match_the_page_filters(
    client, verifikator, household_in_margahayu, household_in_bintara
):
    client.force_login(verifikator)
    head = household_in_bintara.members.get(relationship="head")
    by_name = client.get("/api/v1/households/", {"q": head.name}).json()
    assert [row["id"] for row in by_name["results"]] == [household_in_bintara.pk]
    by_kelurahan = client.get(
        "/api/v1/households/", {"kelurahan": household_in_margahayu.kelurahan_id}
    )
    assert [row["id"] for row in by_kelurahan.json()["results"]] == [household_in_margahayu.pk]


@pytest.mark.parametrize(
    "params", [{"rw": "abc"}, {"kelurahan": "999999"}, {"welfare_decile": "x"}, {"program": "nope"}]
)
def test_bad_filter_values_answer_400_with_a_message(client, verifikator, params):
    client.force_login(verifikator)
    response = client.get("/api/v1/households/", params)
    assert response.status_code == 400
    assert set(response.json()) == set(params)


def test_a_kelurahan_outside_scope_is_a_bad_filter_value(client, pendamping, bintara):
    client.force_login(pendamping)
    assert client.get("/api/v1/households/", {"kelurahan": bintara.pk}).status_code == 400


def test_token_authentication(client, pendamping, household_in_margahayu):
    token = Token.objects.create(user=pendamping)
    response = client.get("/api/v1/households/", HTTP_AUTHORIZATION=f"Token {token.key}")
    assert response.status_code == 200
    assert response.json()["count"] == 1
    bad = client.get("/api/v1/households/", HTTP_AUTHORIZATION="Token not-a-token")
    assert bad.status_code == 401


def test_reference_endpoints(client, pimpinan):
    client.force_login(pimpinan)
    regions = client.get("/api/v1/regions/", {"level": "kelurahan", "page_size": 100}).json()
    assert regions["count"] == 56
    assert client.get("/api/v1/agencies/").json()["count"] == len(AGENCIES)
    assert {p["code"] for p in client.get("/api/v1/programs/").json()["results"]} >= {
        "pkh",
        "bpnt",
        "pbi-jk",
        "kip",
        "blt",
        "rutilahu",
    }


def test_openapi_schema_and_docs_are_for_signed_in_users_only(client):
    assert client.get("/api/schema/").status_code in (401, 403)
    assert client.get("/api/docs/").status_code in (401, 403)


def test_openapi_schema_and_docs_are_served_by_the_app(client, pendamping):
    client.force_login(pendamping)
    schema = client.get("/api/schema/")
    assert schema.status_code == 200
    assert b"/api/v1/households/" in schema.content
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    assert b"/static/drf_spectacular_sidecar/" in docs.content
