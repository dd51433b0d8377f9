"""The API's shared plumbing (slrt/api.py): an address under /api/ that no route matches."""

import pytest

pytestmark = pytest.mark.django_db


def test_an_api_address_no_route_matches_answers_in_json(client, pendamping):
    """Schemathesis: an id the route's pattern refuses answered with the HTML error page."""
    client.force_login(pendamping)
    for url in ("/api/v1/referrals/abc/transition/", "/api/v1/indicators/rows/", "/api/v2/"):
        response = client.get(url)
        assert response.status_code == 404
        assert response["Content-Type"] == "application/json"
        assert response.json() == {"detail": "Data tidak ditemukan."}


def test_a_page_no_route_matches_keeps_the_html_error_page(client, pendamping):
    client.force_login(pendamping)
    response = client.get("/households/abc/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
