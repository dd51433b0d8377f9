"""API tokens: made and shown once on the user's page, revocable by the user and the admin,
removed when the user is deactivated; a revoked token answers 401."""

import pytest
from rest_framework.authtoken.models import Token

pytestmark = pytest.mark.django_db

API = "/api/v1/households/"


def _auth(key: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Token {key}"}


def test_the_page_says_there_is_no_token(client, verifikator):
    client.force_login(verifikator)
    response = client.get("/accounts/api-token/")
    assert response.status_code == 200
    assert response.context["token"] is None


def test_a_new_token_is_shown_once_and_works(client, verifikator):
    client.force_login(verifikator)
    response = client.post("/accounts/api-token/")
    key = Token.objects.get(user=verifikator).key
    assert key in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    again = client.get("/accounts/api-token/")
    assert key not in again.content.decode()
    assert again.context["token"] is not None
    assert client.generic("GET", API, **_auth(key)).status_code == 200


def test_regenerating_revokes_the_old_token(client, verifikator):
    client.force_login(verifikator)
    client.post("/accounts/api-token/")
    old = Token.objects.get(user=verifikator).key
    client.post("/accounts/api-token/")
    new = Token.objects.get(user=verifikator).key
    assert new != old
    anonymous = client.__class__()
    assert anonymous.get(API, **_auth(old)).status_code == 401
    assert anonymous.get(API, **_auth(new)).status_code == 200


def test_a_token_revoked_by_its_owner_answers_401(client, verifikator):
    key = Token.objects.create(user=verifikator).key
    client.force_login(verifikator)
    response = client.post("/accounts/api-token/revoke/")
    assert response.status_code == 302
    assert not Token.objects.filter(user=verifikator).exists()
    assert client.__class__().get(API, **_auth(key)).status_code == 401


def test_revoking_needs_a_post(client, verifikator):
    Token.objects.create(user=verifikator)
    client.force_login(verifikator)
    assert client.get("/accounts/api-token/revoke/").status_code == 405
    assert Token.objects.filter(user=verifikator).exists()


def test_the_admin_revokes_anyones_token_without_seeing_its_key(admin_client, verifikator):
    key = Token.objects.create(user=verifikator).key
    listing = admin_client.get("/admin/authtoken/tokenproxy/")
    assert listing.status_code == 200
    assert verifikator.username in listing.content.decode()
    assert key not in listing.content.decode()
    assert admin_client.get("/admin/authtoken/tokenproxy/add/").status_code == 403
    response = admin_client.post(
        f"/admin/authtoken/tokenproxy/{verifikator.pk}/delete/", {"post": "yes"}
    )
    assert response.status_code == 302
    assert admin_client.__class__().get(API, **_auth(key)).status_code == 401


def test_a_deactivated_users_token_is_deleted(client, verifikator):
    key = Token.objects.create(user=verifikator).key
    verifikator.is_active = False
    verifikator.save()
    assert not Token.objects.filter(key=key).exists()
    assert client.get(API, **_auth(key)).status_code == 401


def test_drf_already_refuses_an_inactive_users_token(client, verifikator):
    # the signal deletes the token; this checks the line behind it (a bulk update skips signals)
    key = Token.objects.create(user=verifikator).key
    type(verifikator).objects.filter(pk=verifikator.pk).update(is_active=False)
    assert client.get(API, **_auth(key)).status_code == 401
