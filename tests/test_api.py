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


def test_the_api_has_one_permission_base():
    """Issue 19: the same scoped permission class was written twice (eligibility, referrals).
    Every model-permission class of the API is slrt.api.ModelPermission or
    households.api.PersonalDataPermission (dashboards' role check is no model permission)."""
    import importlib
    import inspect

    from rest_framework.permissions import DjangoModelPermissions

    allowed = {("slrt.api", "ModelPermission"), ("households.api", "PersonalDataPermission")}
    found = set()
    for name in (
        "slrt.api",
        "households.api",
        "eligibility.api",
        "referrals.api",
        "dashboards.api",
    ):
        module = importlib.import_module(name)
        for attribute, value in vars(module).items():
            model_permission = inspect.isclass(value) and issubclass(value, DjangoModelPermissions)
            if model_permission and value.__module__ == name:
                found.add((name, attribute))
    assert found == allowed
