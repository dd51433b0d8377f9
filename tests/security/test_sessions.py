"""Sessions end after inactivity, at an absolute cap, and when the user is deactivated."""

import pytest
from django.contrib.sessions.models import Session
from django.test import Client

from slrt import middleware
from slrt.middleware import SESSION_ACTIVITY_KEY, SESSION_STARTED_KEY

pytestmark = pytest.mark.django_db

IDLE = 30 * 60  # SESSION_IDLE_MINUTES' default, in seconds
CAP = 8 * 60 * 60  # SESSION_COOKIE_AGE's default


class Clock:
    """Time travel for slrt.middleware (which reads time.time()), no sleeping."""

    def __init__(self, monkeypatch):
        self.now = 1_800_000_000.0
        monkeypatch.setattr(middleware.time, "time", lambda: self.now)

    def forward(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch)


@pytest.fixture
def logged_in(client, verifikator, clock) -> Client:
    client.force_login(verifikator)
    assert client.get("/households/").status_code == 200
    return client


def test_a_session_idle_past_the_timeout_goes_to_the_login_page(logged_in, clock):
    clock.forward(IDLE + 1)
    response = logged_in.get("/households/?page=1")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/households/")
    # and the session is gone, not only this request refused
    assert logged_in.get("/households/").status_code == 302


def test_activity_keeps_the_session_alive(logged_in, clock):
    for _ in range(4):
        clock.forward(IDLE - 60)
        assert logged_in.get("/households/").status_code == 200


def test_htmx_requests_are_sent_to_the_login_page_as_a_full_reload(logged_in, clock):
    clock.forward(IDLE + 1)
    response = logged_in.get(
        "/households/",
        headers={"HX-Request": "true", "HX-Current-URL": "http://testserver/households/?q=x"},
    )
    assert response["HX-Redirect"] == "/accounts/login/?next=%2Fhouseholds%2F%3Fq%3Dx"


def test_background_polling_does_not_count_as_activity(logged_in, clock):
    for _ in range(3):  # an import page left open, polling its progress
        clock.forward(IDLE / 3)
        logged_in.get("/households/", headers={"X-SLRT-Background": "1"})
    clock.forward(2)
    assert logged_in.get("/households/").status_code == 302


def test_no_session_lasts_past_the_absolute_cap(logged_in, clock):
    for _ in range(int(CAP / (IDLE - 60))):
        clock.forward(IDLE - 60)
        assert logged_in.get("/households/").status_code == 200
    clock.forward(IDLE - 60)
    assert logged_in.get("/households/").status_code == 302


def test_activity_is_written_at_most_once_a_minute(logged_in, clock):
    before = logged_in.session[SESSION_ACTIVITY_KEY]
    clock.forward(30)
    logged_in.get("/households/")
    assert logged_in.session[SESSION_ACTIVITY_KEY] == before
    clock.forward(31)
    logged_in.get("/households/")
    assert logged_in.session[SESSION_ACTIVITY_KEY] == before + 61
    assert logged_in.session[SESSION_STARTED_KEY] == before


def test_the_api_with_an_idle_session_answers_as_to_a_stranger(logged_in, clock):
    clock.forward(IDLE + 1)
    assert logged_in.get("/api/v1/households/").status_code in (401, 403)


def test_a_deactivated_users_sessions_end_at_the_next_request(verifikator, clock):
    office, phone = Client(), Client()
    office.force_login(verifikator)
    phone.force_login(verifikator)
    assert Session.objects.count() == 2
    verifikator.is_active = False
    verifikator.save()
    assert not Session.objects.exists()
    for client in (office, phone):
        response = client.get("/households/")
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


def test_deactivating_a_user_leaves_other_sessions_alone(verifikator, pendamping, clock):
    theirs, mine = Client(), Client()
    theirs.force_login(verifikator)
    mine.force_login(pendamping)
    verifikator.is_active = False
    verifikator.save()
    assert mine.get("/households/").status_code == 200


def test_django_itself_refuses_a_session_of_an_inactive_user(client, verifikator, clock):
    # what the deactivation signal backs up: a bulk update sends no signal, the session stays
    client.force_login(verifikator)
    type(verifikator).objects.filter(pk=verifikator.pk).update(is_active=False)
    assert Session.objects.exists()
    response = client.get("/households/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_the_session_is_read_with_the_stamps_in_one_cache_round_trip(
    logged_in, verifikator, monkeypatch
):
    """slrt.sessions: one get_many for the session and the request's stamps, no other read."""
    from django.core.cache import caches

    from slrt import stamps

    backend = type(caches["default"])
    reads, inside = [], []

    def counted(name, original):
        def read(self, *args, **kwargs):
            if not inside:  # a backend's get_many may call its own get per key
                reads.append((name, args[0]))
            inside.append(name)
            try:
                return original(self, *args, **kwargs)
            finally:
                inside.pop()

        return read

    for name in ("get", "get_many"):
        monkeypatch.setattr(backend, name, counted(name, getattr(backend, name)))
    assert logged_in.get("/households/").status_code == 200
    assert [name for name, _keys in reads] == ["get_many"]
    keys = set(reads[0][1])
    assert stamps._registered <= keys
    assert any("sessions" in key for key in keys - stamps._registered)


def test_a_session_missing_from_the_cache_is_read_from_the_database(logged_in):
    """Written through to the database as cached_db does: a cache restart logs nobody out."""
    from django.core.cache import cache

    cache.clear()
    assert logged_in.get("/households/").status_code == 200
    assert logged_in.get("/households/").status_code == 200  # and is cached again


def test_logging_out_ends_the_session_in_the_cache_too(logged_in):
    assert logged_in.post("/accounts/logout/").status_code == 302
    response = logged_in.get("/households/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
