"""Login throttling (django-axes) and password strength (issue 7, items 1 and 2)."""

import logging
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django.test.utils import override_settings

from tests.households.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "test-pass-123"  # UserFactory's
LIMIT = 5  # AXES_FAILURE_LIMIT's default


def _post_login(client: Client, username: str, password: str, ip: str = "10.0.0.1", url=None):
    return client.post(
        url or "/accounts/login/",
        {"username": username, "password": password},
        REMOTE_ADDR=ip,
    )


def _fail(client, username, times, **kwargs):
    for _ in range(times):
        response = _post_login(client, username, "wrong-password", **kwargs)
    return response


def test_failures_below_the_limit_show_the_login_form_again(client):
    UserFactory(username="rina")
    response = _fail(client, "rina", LIMIT - 1)
    assert response.status_code == 200
    assert "registration/login.html" in [t.name for t in response.templates]


def test_the_limit_of_failures_locks_with_an_indonesian_page(client):
    UserFactory(username="rina")
    response = _fail(client, "rina", LIMIT)
    assert response.status_code == 429
    assert "registration/locked_out.html" in [t.name for t in response.templates]
    body = response.content.decode()
    assert "Terlalu banyak" in body  # Indonesian, the default language
    assert "30 menit" in body
    assert '<html lang="id">' in body


def test_a_locked_user_is_refused_even_with_the_right_password(client):
    UserFactory(username="rina")
    _fail(client, "rina", LIMIT)
    response = _post_login(client, "rina", PASSWORD)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_other_users_and_other_addresses_are_not_locked(client):
    UserFactory(username="rina")
    UserFactory(username="dedi")
    _fail(client, "rina", LIMIT)
    # a colleague in the same ward office (same address) logs in
    assert _post_login(client, "dedi", PASSWORD).status_code == 302
    # and the locked user herself, from another address (e.g. her phone on mobile data)
    assert _post_login(Client(), "rina", PASSWORD, ip="10.9.9.9").status_code == 302


def test_a_success_before_the_limit_resets_the_count(client):
    UserFactory(username="rina")
    _fail(client, "rina", LIMIT - 1)
    assert _post_login(client, "rina", PASSWORD).status_code == 302
    other = Client()
    assert _fail(other, "rina", LIMIT - 1).status_code == 200


def test_the_lockout_is_logged_as_a_warning(client, caplog):
    UserFactory(username="rina")
    with caplog.at_level(logging.WARNING, logger="slrt.security"):
        _fail(client, "rina", LIMIT)
    records = [r for r in caplog.records if r.name == "slrt.security"]
    assert len(records) == 1
    assert records[0].levelno == logging.WARNING
    assert "rina" in records[0].getMessage()
    assert "10.0.0.1" in records[0].getMessage()


def test_the_admin_login_is_throttled_too(client):
    UserFactory(username="boss", is_staff=True, is_superuser=True)
    response = _fail(client, "boss", LIMIT, url="/admin/login/")
    assert response.status_code == 429
    assert _post_login(client, "boss", PASSWORD, url="/admin/login/").status_code == 429


@override_settings(AXES_FAILURE_LIMIT=3)
def test_the_limit_is_a_setting(client):
    UserFactory(username="rina")
    assert _fail(client, "rina", 3).status_code == 429


def test_the_admin_sees_the_lockout_and_unlocks_it(client, admin_client):
    UserFactory(username="rina")
    _fail(client, "rina", LIMIT)
    attempt = AccessAttempt.objects.get(username="rina")
    listing = admin_client.get("/admin/axes/accessattempt/?locked_out=yes")
    assert listing.status_code == 200
    assert "rina" in listing.content.decode()
    # the lockout itself cannot be edited or made up, only deleted (= unlocked)
    assert admin_client.get("/admin/axes/accessattempt/add/").status_code == 403
    response = admin_client.post(
        "/admin/axes/accessattempt/",
        {"action": "delete_selected", "_selected_action": [attempt.pk], "post": "yes"},
    )
    assert response.status_code == 302
    assert not AccessAttempt.objects.exists()
    assert _post_login(client, "rina", PASSWORD).status_code == 302


def test_the_login_logs_cannot_be_deleted_by_the_admin(client, admin_client):
    UserFactory(username="rina")
    _post_login(client, "rina", PASSWORD)
    from axes.models import AccessLog

    entry = AccessLog.objects.get(username="rina")
    assert admin_client.get(f"/admin/axes/accesslog/{entry.pk}/change/").status_code == 200
    assert admin_client.get(f"/admin/axes/accesslog/{entry.pk}/delete/").status_code == 403


@pytest.mark.parametrize(
    ("password", "code"),
    [
        ("Short-pw-1", "password_too_short"),  # 10 characters
        ("password1234", "password_too_common"),
        ("839201746352", "password_entirely_numeric"),
        ("rina.wulandari", "password_too_similar"),
    ],
)
def test_weak_passwords_are_refused(password, code):
    user = UserFactory(username="rina.wulandari", first_name="Rina", last_name="Wulandari")
    with pytest.raises(ValidationError) as excinfo:
        validate_password(password, user)
    assert code in [error.code for error in excinfo.value.error_list]


def test_a_long_unusual_password_is_accepted():
    user = UserFactory(username="rina")
    validate_password("kali-malang-hujan-sore", user)


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, "6.6.6.6", "10.0.0.1"),  # no proxy: the header is the client's own, ignored
        (1, "6.6.6.6, 203.0.113.7", "203.0.113.7"),  # a forged entry left of the proxy's
        (1, "203.0.113.7", "203.0.113.7"),
        (2, "6.6.6.6, 203.0.113.7, 10.1.1.1", "203.0.113.7"),
    ],
)
def test_lockouts_count_per_client_address_behind_the_proxy(rf, proxies, forwarded, expected):
    from accounts.views import client_ip

    request = rf.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=forwarded)
    with override_settings(TRUSTED_PROXY_COUNT=proxies):
        assert client_ip(request) == expected


@override_settings(TRUSTED_PROXY_COUNT=1)
def test_behind_the_proxy_a_lockout_holds_only_for_that_client_address(client):
    UserFactory(username="rina")
    for _ in range(LIMIT):
        client.post(
            "/accounts/login/",
            {"username": "rina", "password": "wrong"},
            REMOTE_ADDR="172.18.0.5",
            HTTP_X_FORWARDED_FOR="203.0.113.7",
        )
    response = client.post(
        "/accounts/login/",
        {"username": "rina", "password": PASSWORD},
        REMOTE_ADDR="172.18.0.5",
        HTTP_X_FORWARDED_FOR="198.51.100.2",
    )
    assert response.status_code == 302


def test_the_reset_command_unlocks_a_username(client):
    from django.core.management import call_command

    UserFactory(username="rina")
    _fail(client, "rina", LIMIT)
    call_command("axes_reset_username", "rina")
    assert _post_login(client, "rina", PASSWORD).status_code == 302


def test_the_lockout_ends_after_the_cool_off(client):
    UserFactory(username="rina")
    _fail(client, "rina", LIMIT)
    with override_settings(AXES_COOLOFF_TIME=timedelta(seconds=0)):
        assert _post_login(client, "rina", PASSWORD).status_code == 302
