"""GET /healthz: the database decides 200/503; a broker outage is reported, not fatal."""

import time

import pytest
from django.db import OperationalError, connection

pytestmark = pytest.mark.django_db


def test_healthz_answers_anonymous_callers_with_json_and_is_never_cached(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "broker": "eager"}
    assert "no-cache" in response["Cache-Control"]
    assert response["X-Request-ID"]


def test_a_broker_outage_degrades_but_keeps_the_web_app_in_service(client, broker_down):
    started = time.monotonic()
    response = client.get("/healthz")
    assert time.monotonic() - started < 3  # a short socket timeout, never a hang
    assert response.status_code == 200
    assert response.json() == {"status": "degraded", "database": "ok", "broker": "down"}


def test_a_live_broker_is_reported_ok(client, broker_down):
    broker_down.conf.broker_url = "memory://"
    assert client.get("/healthz").json()["broker"] == "ok"


def test_no_database_answers_503(client, monkeypatch):
    def refuse(*args, **kwargs):
        raise OperationalError("connection refused")  # the fault, injected at the cursor

    monkeypatch.setattr(connection, "cursor", refuse)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "down"
    assert response.json()["status"] == "down"


def test_healthz_refuses_anything_but_get(client):
    assert client.post("/healthz").status_code == 405
