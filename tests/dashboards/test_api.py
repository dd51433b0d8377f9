"""/api/v1/indicators/ (issue 6, item 10): the pages' numbers, scope and suppression as JSON."""

import pytest
from rest_framework.authtoken.models import Token

from households.models import Member, Region
from national.selectors import NATIONAL_CODES
from national.usulan import USULAN_CODES
from tests.dashboards.registry import EXPECTED, crafted_registry
from tests.households.factories import UserFactory, household_with_members

pytestmark = pytest.mark.django_db

URL = "/api/v1/indicators/"
MARGAHAYU, BINTARA = "32.75.01.1002", "32.75.02.1001"


def _get(client, user, url=URL, **params):
    client.force_login(user)
    return client.get(url, params)


def test_kelurahan_indicators_match_the_crafted_registry(client, verifikator):
    crafted_registry()
    rows = _get(client, verifikator, level="kelurahan").json()
    by_code = {row["code"]: row for row in rows}
    assert len(rows) == 56
    for code, expected in EXPECTED.items():
        values = {k: cell["value"] for k, cell in by_code[code]["indicators"].items()}
        assert values == expected | dict.fromkeys((*NATIONAL_CODES, *USULAN_CODES), 0)
        assert {cell["suppressed"] for cell in by_code[code]["indicators"].values()} == {None}
    assert by_code[MARGAHAYU]["parent"] == "32.75.01"
    assert by_code[MARGAHAYU]["min_cell"] is None


def test_default_level_parent_and_one_area(client, verifikator):
    crafted_registry()
    kecamatan = _get(client, verifikator).json()
    assert len(kecamatan) == 12
    assert kecamatan[0]["code"] == "32.75.01"
    assert kecamatan[0]["indicators"]["households"] == {"value": 4, "suppressed": None}
    children = _get(client, verifikator, parent="32.75.01").json()
    assert [row["code"] for row in children][:2] == ["32.75.01.1001", MARGAHAYU]
    one = _get(client, verifikator, f"{URL}{BINTARA}/").json()
    assert (one["name"], one["level"], one["parent"]) == ("Bintara", "kelurahan", "32.75.02")
    assert one["indicators"]["poor_households"]["value"] == 1
    city = _get(client, verifikator, f"{URL}32.75/").json()
    assert city["indicators"]["households"]["value"] == 5
    assert _get(client, verifikator, level="rw").status_code == 400
    assert _get(client, verifikator, f"{URL}32.75.99/").status_code == 404


def test_aggregate_only_roles_get_small_cells_as_null_with_a_marker(client, pimpinan):
    crafted_registry()
    row = _get(client, pimpinan, f"{URL}{MARGAHAYU}/").json()
    assert row["min_cell"] == 5
    assert row["indicators"]["households"] == {"value": None, "suppressed": "small"}
    kecamatan = _get(client, pimpinan, f"{URL}32.75.01/").json()
    assert kecamatan["indicators"]["households"] == {"value": 4, "suppressed": None}


def test_the_subtraction_case_is_hidden_in_the_api(client, pimpinan):
    # Households in Bekasi Timur: Bekasijaya 3, Margahayu 4 + 3 = 7, Durenjaya 9, Arenjaya 8.
    crafted_registry()
    for code, n in (
        ("32.75.01.1001", 3),
        (MARGAHAYU, 3),
        ("32.75.01.1003", 9),
        ("32.75.01.1004", 8),
    ):
        for _ in range(n):
            household_with_members(Region.objects.get(code=code), size=1)
    rows = {
        r["code"]: r["indicators"]["households"]
        for r in _get(client, pimpinan, parent="32.75.01").json()
    }
    assert rows["32.75.01.1001"] == {"value": None, "suppressed": "small"}
    assert rows[MARGAHAYU] == {"value": None, "suppressed": "hidden"}
    assert rows["32.75.01.1004"] == {"value": 8, "suppressed": None}


def test_scope_of_the_api(client, pendamping, petugas_dinkes):
    crafted_registry()
    own = _get(client, pendamping, level="kelurahan").json()
    assert [row["code"] for row in own] == [MARGAHAYU]
    assert own[0]["indicators"]["households"]["value"] == 4  # unsuppressed: sees records anyway
    assert _get(client, pendamping, f"{URL}{BINTARA}/").status_code == 404
    assert _get(client, pendamping, parent="32.75.02").status_code == 404
    agency = _get(client, petugas_dinkes, f"{URL}32.75/").json()
    assert set(agency["indicators"]) == {"open_referrals", "overdue_referrals"}
    assert agency["indicators"]["open_referrals"]["value"] == 2


def test_token_auth_and_refusals(client, reference_data, perencana):
    assert client.get(URL).status_code in (401, 403)
    token = Token.objects.create(user=perencana)
    response = client.get(URL, HTTP_AUTHORIZATION=f"Token {token.key}")
    assert response.status_code == 200
    client.force_login(UserFactory(username="norole"))
    assert client.get(URL).status_code == 403


def test_the_schema_documents_the_indicator_endpoints(client, pendamping):
    client.force_login(pendamping)
    schema = client.get("/api/schema/", {"format": "json"}).json()
    assert "/api/v1/indicators/" in schema["paths"]
    assert "/api/v1/indicators/{code}/" in schema["paths"]
    params = {p["name"] for p in schema["paths"]["/api/v1/indicators/"]["get"]["parameters"]}
    assert {"level", "parent"} <= params
    cell = schema["components"]["schemas"]["Cell"]["properties"]
    assert cell["value"]["nullable"] is True


def test_no_personal_data_in_the_new_pages_exports_and_api(client, pimpinan, perencana):
    """Aggregate-only roles never receive a name, NIK, KK or address (pages, xlsx, JSON)."""
    import io

    from django.urls import reverse
    from openpyxl import load_workbook

    registry = crafted_registry()
    secrets = []
    for household in registry.households:
        secrets += [household.kk_number, household.head_name, household.address]
        for name, nik in Member.objects.filter(household=household).values_list("name", "nik"):
            secrets += [name, nik]
    for user in (pimpinan, perencana):
        client.force_login(user)
        urls = [
            reverse("dashboards:programs_city"),
            reverse("dashboards:programs", args=["32.75.01"]),
            reverse("dashboards:programs", args=[MARGAHAYU]),
            reverse("dashboards:programs", args=["32.75.01"]) + "?format=xlsx",
            reverse("dashboards:planning_city"),
            reverse("dashboards:planning", args=[MARGAHAYU]),
            reverse("dashboards:planning", args=["32.75.01"]) + "?format=xlsx",
            URL + "?level=kelurahan",
            f"{URL}{MARGAHAYU}/",
        ]
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, url
            body = response.content
            if response["Content-Type"].startswith("application/vnd"):
                sheet = load_workbook(io.BytesIO(body)).active
                text = " ".join(str(v) for row in sheet.iter_rows(values_only=True) for v in row)
                body = text.encode()
            assert not [s for s in secrets if s and s.encode() in body], url
